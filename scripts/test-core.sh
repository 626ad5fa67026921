#!/usr/bin/env bash
# The C++ core's own tests, without Node: a plain optimised build, the same under AddressSanitizer
# and UndefinedBehaviorSanitizer, a build without OpenMP (it must still build and run, on one
# thread), and a small fit under valgrind memcheck when valgrind is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build-core

build() { # name, extra cmake arguments...
  local dir="$out/$1"
  shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" --parallel >/dev/null
  echo "== core tests: $dir"
}

build release
"$out/release/core_tests"

build sanitizers -DELKAN_KMEANS_SANITIZE=address,undefined
# libgomp keeps its thread pool alive at exit, which LeakSanitizer reports as a leak of the runtime.
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 "$out/sanitizers/core_tests"

build no-openmp -DELKAN_KMEANS_OPENMP=OFF
"$out/no-openmp/core_tests"

if command -v valgrind >/dev/null; then
  echo "== valgrind memcheck: $out/no-openmp"
  valgrind --quiet --error-exitcode=1 --leak-check=full "$out/no-openmp/core_tests" small
fi
