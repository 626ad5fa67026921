#!/usr/bin/env bash
# The stress harness (test/stress/run.cjs) against an AddressSanitizer and UndefinedBehaviorSanitizer
# build of the addon: random calls of the public API with aborts, throwing callbacks, buffer
# transfers and Workers terminated mid-fit. Any sanitizer report, crash, hang or wrong answer
# fails it.
#   bash scripts/stress.sh [seconds, default 600] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
# Built where node-gyp-build looks when ELKAN_KMEANS_PREBUILD names a folder: its build/Release.
npx cmake-js compile --out build-asan/build --CDELKAN_KMEANS_SANITIZE=address,undefined >/dev/null
# Node itself is not instrumented, so the ASan runtime must be loaded first. libgomp keeps its
# thread pool at exit, which LeakSanitizer would report as a leak of the runtime.
LD_PRELOAD="$(g++ -print-file-name=libasan.so)" \
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ELKAN_KMEANS_PREBUILD="$(pwd)/build-asan" \
  node test/stress/run.cjs "$seconds" ${2:+"$2"}
