#!/usr/bin/env bash
# README's second command: installs what is missing, builds everything and runs every test with ctest
# (unit tests, the SQL suite tests/sql, the integration tests and a slice of the sqllogictest corpus).
#   OMENDB_SANITIZE=1 scripts/test.sh   builds in build-asan (clang, AddressSanitizer + UBSan, libFuzzer
#                                       coverage: scripts/configure_asan.sh) instead, the fuzz targets too.
#   OMENDB_TSAN=1 scripts/test.sh       builds the storage, common and pgwire unit tests in build-tsan
#                                       with ThreadSanitizer and runs them (docs/reliability.md).
#   Extra arguments go to ctest, e.g.  scripts/test.sh -L integration   or   scripts/test.sh -LE corpus
# Exit code: ctest's. ctest's summary ("N% tests passed, N tests failed out of N") ends the output.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
targets=()
if [ "${OMENDB_SANITIZE:-0}" = "1" ]; then
  dir=build-asan
  bash scripts/configure_asan.sh
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
elif [ "${OMENDB_TSAN:-0}" = "1" ]; then
  dir=build-tsan
  # gcc builds this one: -g1 is its line-tables-only level (function, file and line in every report).
  cmake -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOMENDB_TSAN=ON \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" -B "$dir" -S .
  export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp}"
  targets=(--target storage_tests common_tests pgwire_tests)
  # Single-threaded volume tests run in the plain and ASan builds only: under TSan they find no race the
  # concurrent tests (SealedTest.ConcurrentWritersAndSeals, ScanRunningAcrossASeal, MvccTest.Concurrent*,
  # the pgwire tests) do not, and cost minutes on two cores (CI's 50-minute budget, docs/reliability.md):
  # the model-based random test of incremental sealing (~7 s plain, over 10 minutes here), the codec
  # round trips, and the seal tests over 100,000+ rows (LargeSealInSeveralSteps 194 s,
  # MergeWithFreshRows... 129 s, ChunkDecodeWithNulls 102 s under TSan).
  set -- -E 'IncrementalSealTest\.(RandomChangesWithIncrementalSeals|LargeSealInSeveralSteps)|ColumnarCodec\.|ColumnarColumn\.|SealedTest\.(MergeWithFreshRowsNewerVersionsAndTombstones|ZoneMapsSkipBlocksWithoutChangingAnswers|SealKeepsEveryRowAndSpansSeveralBlocks|SealedRowsSurviveReopenAndDropRemovesThem)' "$@"
else
  dir=build
  cmake -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -B "$dir" -S .
fi
cmake --build "$dir" "${targets[@]}"
cd "$dir"
log="$(mktemp /tmp/omendb-ctest.XXXXXX)"
set +e
ctest --output-on-failure -j2 "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# ctest prints its summary before the timing and the list of failed tests: repeat it as the last line.
summary="$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)"
rm -f "$log"
echo
if [ -n "$summary" ]; then echo "$summary"; else echo "ctest printed no summary (exit code $rc)"; fi
exit "$rc"
