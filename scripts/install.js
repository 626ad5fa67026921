#!/usr/bin/env node
// npm install: use a prebuilt binary when one loads, else compile with cmake-js, and when neither
// works still succeed: the package then runs on its TypeScript backend and, on first use, warns
// with the reason recorded here (npm hides the output of install scripts that succeed).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const failureRecord = path.join(root, 'build', 'install-failure.txt');

function loads() {
  try {
    require('node-gyp-build')(root);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the install does: nothing when a build loads, else compile. ELKAN_KMEANS_NATIVE_ARCH=1 asks
 * for a build tuned to this machine's CPU (-march=native), so it compiles even when a prebuild or
 * an earlier build loads: `npm rebuild elkan-kmeans` with it set used to keep the loading build.
 */
function installPlan(env, buildLoads) {
  const nativeArch = env.ELKAN_KMEANS_NATIVE_ARCH === '1';
  if (!nativeArch && buildLoads()) return { compile: false };
  return { compile: true, args: nativeArch ? ['compile', '--CDELKAN_KMEANS_NATIVE_ARCH=ON'] : ['compile'] };
}

if (require.main !== module) {
  module.exports = { installPlan };
  return;
}

const plan = installPlan(process.env, loads);
if (!plan.compile) process.exit(0);
const args = plan.args;
const build = spawnSync(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), ...args], { cwd: root, encoding: 'utf8' });
process.stdout.write(build.stdout ?? '');
process.stderr.write(build.stderr ?? '');
if (build.status === 0 && loads()) process.exit(0);

const lines = `${build.stdout ?? ''}\n${build.stderr ?? ''}`
  .split('\n')
  .map((line) => line.trim())
  .filter(Boolean);
const reason = lines.reverse().find((line) => /error|not found/i.test(line)) ?? lines[0] ?? String(build.error ?? 'unknown');
fs.mkdirSync(path.dirname(failureRecord), { recursive: true });
fs.writeFileSync(failureRecord, `${reason}\n`);
console.warn(
  `elkan-kmeans: no prebuilt binary for this platform and the source build failed (${reason}). ` +
    'The package is installed and runs on its TypeScript backend; install CMake ≥ 3.15 and a C++17 ' +
    'compiler, then run `npm rebuild elkan-kmeans`, for the native one.',
);
