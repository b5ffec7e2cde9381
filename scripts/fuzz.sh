#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz) from build-asan, the ASan/UBSan build with libFuzzer coverage on
# every stage (scripts/configure_asan.sh), each from its committed seed corpus for a fixed time. Builds
# what is missing first: in CI, OMENDB_SANITIZE=1 scripts/test.sh has already built everything, so this
# only runs. A crash, leak, timeout or out-of-memory fails the run, and the input that caused it is
# printed (hex) and kept as build-asan/fuzz-artifacts/<target>/crash-<sha1>.
#   scripts/fuzz.sh [SECONDS]                 default 60 s per target; CI runs this (.ci/run)
#   OMENDB_FUZZ_TARGETS="sql_fuzz" scripts/fuzz.sh 600
# Exit code: 0 if every target ran its time without a finding.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-60}"
targets="${OMENDB_FUZZ_TARGETS:-pgwire_fuzz codec_fuzz sql_fuzz}"
dir=build-asan
bash scripts/configure_asan.sh >/dev/null || { echo "fuzz: cmake configure failed"; exit 1; }
start=$(date +%s)
# shellcheck disable=SC2086
cmake --build "$dir" --target $targets || { echo "fuzz: build failed"; exit 1; }
echo "fuzz: built $targets in $(( $(date +%s) - start )) s"

failed=0
for target in $targets; do
  name="${target%_fuzz}"
  corpus="tests/fuzz/corpus/$name"
  work="$(mktemp -d "/tmp/omendb-fuzz-$name.XXXXXX")"  # new inputs found: thrown away, the seeds stay
  artifacts="$dir/fuzz-artifacts/$target"
  rm -rf "$artifacts" && mkdir -p "$artifacts"
  extra=(-max_len=4096)
  env=()
  if [ "$target" = sql_fuzz ]; then
    extra+=(-timeout=30 -dict=tests/fuzz/sql.dict)
    env=(ASAN_OPTIONS=detect_leaks=0)  # the engine's LLJIT keeps memory to process exit
  fi
  log="$artifacts/fuzz.log"
  echo "fuzz: $target for ${seconds} s from $corpus"
  env "${env[@]}" "$dir/tests/fuzz/$target" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "${extra[@]}" "$work" "$corpus" >"$log" 2>&1
  rc=$?
  grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" | sed "s/^/  $target: /"
  if [ "$rc" -ne 0 ]; then
    failed=1
    echo "fuzz: $target FAILED (exit $rc); its output ends:"
    tail -n 60 "$log" | sed 's/^/  | /'
    for f in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*; do
      [ -e "$f" ] || continue
      echo "fuzz: reproducer $f ($(stat -c %s "$f") bytes), first 1 kB:"
      head -c 1024 "$f" | od -A d -t x1z -v | sed 's/^/  /'
      echo "fuzz: run it again with: ${env[*]:+${env[*]} }$dir/tests/fuzz/$target $f"
    done
  fi
  rm -rf "$work"
done
exit "$failed"
