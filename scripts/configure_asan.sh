#!/usr/bin/env bash
# Configures build-asan, the one sanitizer-and-fuzzing build: clang with AddressSanitizer + UBSan
# (OMENDB_SANITIZE) and libFuzzer's coverage instrumentation on every stage (-fsanitize=fuzzer-no-link),
# with the libFuzzer targets (OMENDB_FUZZ, tests/fuzz). scripts/test.sh (OMENDB_SANITIZE=1) runs the tests
# in it and scripts/fuzz.sh the fuzzers, so CI compiles the engine once for both (docs/reliability.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir=build-asan
# A build-asan configured before with another compiler (gcc) is configured afresh: CMake keeps the
# compiler of an existing cache.
if [ -f "$dir/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:FILEPATH=.*clang++' "$dir/CMakeCache.txt"; then
  echo "configure_asan: $dir was configured with another compiler; configuring it again with clang"
  rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
fi
# Line tables only (-gline-tables-only): sanitizer reports still name function, file and line (inlined frames
# too), and CI's compile and link take less time than with full debug information.
CC=clang CXX=clang++ cmake -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOMENDB_SANITIZE=ON -DOMENDB_FUZZ=ON \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -gline-tables-only -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -gline-tables-only -DNDEBUG" \
  -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link -B "$dir" -S .
