#!/usr/bin/env bash
# Packs the package and installs the tarball into empty projects, as a user would get it:
#   1. with the prebuild for this platform: nothing compiles, and the prebuild needs nothing
#      beyond glibc and the files beside it;
#   2. without prebuilds: the install compiles from source;
#   3. without prebuilds and without CMake: the install still succeeds and the package runs on
#      its TypeScript backend, with a warning that names the cause.
# Each is used from CommonJS, an ES module and strict TypeScript (--module nodenext).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -d "$work.prebuilds" ] && mv "$work.prebuilds" prebuilds; true' EXIT

npm run build:prebuilds >/dev/null
mkdir "$work/packed-with" "$work/packed-without"
npm pack --silent --pack-destination "$work/packed-with" >/dev/null
mv prebuilds "$work.prebuilds"
npm pack --silent --pack-destination "$work/packed-without" >/dev/null
mv "$work.prebuilds" prebuilds
mv "$work"/packed-with/*.tgz "$work/with-prebuild.tgz"
mv "$work"/packed-without/*.tgz "$work/source.tgz"

echo "== the tarball holds no tests, benchmarks or data"
contents=$(tar -tzf "$work/with-prebuild.tgz")
if grep -E '^package/(test|bench|examples|docs|native/tests|\.ci)/' <<<"$contents"; then
  echo "unexpected files in the tarball" >&2
  exit 1
fi
grep -qx 'package/prebuilds/linux-x64/libgomp.so.1' <<<"$contents"

consumer() { # name, tarball, expected backend, extra environment...
  local name=$1 tarball=$2 backend=$3
  shift 3
  local dir="$work/$name"
  mkdir -p "$dir"
  cp scripts/package-consumer/check.* "$dir/"
  (
    cd "$dir"
    echo '{ "name": "consumer", "private": true }' > package.json
    env "$@" npm install --no-audit --no-fund --loglevel=error "$work/$tarball" typescript@5 @types/node@20 2> install.log >/dev/null
    cat install.log
    node check.cjs "$backend"
    node check.mjs "$backend"
    npx tsc --strict --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck false --outDir out check.ts
    node out/check.js
  )
}

echo "== 1. installed with the prebuild"
consumer prebuild with-prebuild.tgz native
[ ! -d "$work/prebuild/node_modules/elkan-kmeans/build" ] || { echo "the install compiled despite the prebuild" >&2; exit 1; }
addon=$(ls "$work"/prebuild/node_modules/elkan-kmeans/prebuilds/linux-x64/*.node)
if ldd "$addon" | grep -vE 'linux-vdso|ld-linux|libc\.so|libm\.so|libgomp\.so\.1 => .*/prebuilds/linux-x64/libgomp\.so\.1'; then
  echo "the prebuild needs libraries beyond glibc and its own files" >&2
  exit 1
fi

echo "== 2. installed from source"
consumer source source.tgz native
[ -f "$work"/source/node_modules/elkan-kmeans/build/Release/elkan_kmeans.node ]

echo "== 3. installed from source without CMake"
# A PATH with only what npm and node need: no cmake, no compiler.
mkdir -p "$work/bare-bin"
for tool in node npm npx sh env; do ln -s "$(command -v "$tool")" "$work/bare-bin/$tool"; done
consumer no-compiler source.tgz js PATH="$work/bare-bin"
[ -s "$work/no-compiler/node_modules/elkan-kmeans/build/install-failure.txt" ]
(
  cd "$work/no-compiler"
  node -e "
    const { kmeansSync } = require('elkan-kmeans');
    let warned = '';
    process.on('warning', (w) => { warned += w.message; });
    kmeansSync([[0], [1]], 1);
    try { kmeansSync([[0], [1]], 1, { backend: 'native' }); throw new Error('native did not throw'); }
    catch (e) { if (!/could not be loaded/.test(e.message) || !/backend: 'js'/.test(e.message)) throw e; }
    setImmediate(() => {
      if (!/source build at install failed/.test(warned) || !/Falling back to the TypeScript backend/.test(warned)) throw new Error('no warning: ' + warned);
      console.log('fallback: one warning naming the cause, and backend \\'native\\' explains the fix');
    });
  "
)
echo "package checks passed"
