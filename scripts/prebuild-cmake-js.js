#!/usr/bin/env node
// prebuildify knows only node-gyp: it runs `<this> rebuild --target=V --arch=A --release ...`.
// This stands in for node-gyp and maps those arguments onto cmake-js, asking for the
// self-contained build (ELKAN_KMEANS_PREBUILD). Node-API builds do not depend on the target
// version, so --target and the node-gyp-only flags are dropped.
'use strict';
const { spawnSync } = require('node:child_process');

const args = ['rebuild', '--CDELKAN_KMEANS_PREBUILD=ON'];
for (const arg of process.argv.slice(2)) {
  const [flag, value] = arg.split('=');
  if (flag === '--arch') args.push('--arch', value);
  else if (flag === '--debug') args.push('--debug');
}
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const result = spawnSync(process.execPath, [cmakeJs, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
