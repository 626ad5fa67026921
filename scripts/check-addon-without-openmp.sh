#!/usr/bin/env bash
# Builds the addon as a compiler without OpenMP would (ELKAN_KMEANS_OPENMP=OFF) into its own
# folder, and checks that it loads and fits on one thread: a missing OpenMP must never be an
# install failure.
set -euo pipefail
cd "$(dirname "$0")/.."
npx cmake-js compile --out build-no-openmp --CDELKAN_KMEANS_OPENMP=OFF >/dev/null
node -e "
const addon = require('./build-no-openmp/Release/elkan_kmeans.node');
const data = Float64Array.from({ length: 20000 }, (_, i) => (i * 7919) % 1000);
const out = addon.fitSync({ data, n: 10000, d: 2, k: 5, weights: null, init: 'k-means++', nInit: 1,
  maxIterations: 50, tolerance: 1e-4, seed: 1, algorithm: 'elkan', metric: 'euclidean', threads: 4 }, null);
if (addon.openmp !== false || out.threads !== 1 || out.labels.length !== 10000) {
  console.error('addon without OpenMP misbehaves:', { openmp: addon.openmp, threads: out.threads });
  process.exit(1);
}
console.log('addon without OpenMP: loads, fits on 1 thread (isa ' + addon.isa + ')');
"
