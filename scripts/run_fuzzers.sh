#!/usr/bin/env bash
# Runs every fuzz_<name> binary in $1 for $2 seconds, starting from a scratch copy of
# test/fuzz/corpus/<name>/ (libFuzzer adds new inputs to its first corpus folder). Stops at the
# first harness that finds a crash, leak or broken invariant; the reproducer is left in the
# current directory as crash-*/leak-*.
set -euo pipefail
bin_dir=$1 seconds=${2:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for bin in "$bin_dir"/fuzz_*; do
  name=${bin##*/fuzz_}
  mkdir -p "$work/$name"
  [ -d "$top/test/fuzz/corpus/$name" ] && cp "$top/test/fuzz/corpus/$name"/* "$work/$name/" 2>/dev/null || true
  printf 'fuzz %-22s %3ss ... ' "$name" "$seconds"
  if "$bin" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 "$work/$name" >"$work/$name.log" 2>&1; then
    grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | awk '{print $2 " runs, ok"}'
  else
    echo "FAILED"; tail -40 "$work/$name.log"; exit 1
  fi
done
