#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ (built with DLT_FUZZ=ON, see `make sanitize`).
#   fuzz/run.sh <build dir> <seconds per target> <targets at a time> [target...]
# Each target starts from a copy of its seed corpus (fuzz/corpus/<name>/ for <name>_fuzzer) in a temp folder, so
# the repository is not modified; with FUZZ_MERGE=1 the inputs that add coverage are merged back
# into fuzz/corpus/<name>/ afterwards (for long runs). A crash, leak, UB report, timeout (10 s
# per input) or out-of-memory (2 GB) fails the run; the input is kept in fuzz-findings/ of the
# build dir and its path printed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:?build dir}" && pwd)"
seconds="${2:-60}"
parallel="${3:-2}"
shift 3 || shift $#
targets=("$@")
if ((${#targets[@]} == 0)); then
  for src in "$here"/*_fuzzer.cc; do targets+=("$(basename "$src" .cc)"); done
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/dlt-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
findings="$build/fuzz-findings"
mkdir -p "$findings"

run_one() {
  local t="$1"
  local name="${t%_fuzzer}"
  local bin="$build/$t" corpus="$work/$t/corpus" log="$work/$t/log" seeds="$here/corpus/${t%_fuzzer}"
  mkdir -p "$corpus"
  cp "$seeds/"* "$corpus/" 2>/dev/null || true
  local dict=()
  [[ -f "$here/$name.dict" ]] && dict=(-dict="$here/$name.dict")
  local start=$SECONDS
  (cd "$work/$t" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
     UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 TMPDIR="$work/$t" \
     "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
       -print_final_stats=1 -artifact_prefix="$findings/$t-" "${dict[@]}" "$corpus" >"$log" 2>&1)
  local rc=$?
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  if ((rc != 0)); then
    echo "FAIL $t after $((SECONDS - start)) s (exit $rc); last lines of its log:"
    grep -v '^#[0-9]' "$log" | tail -n 40
    ls -1 "$findings/$t-"* 2>/dev/null | sed 's/^/  finding: /'
    return 1
  fi
  echo "ok   $t: ${execs:-?} inputs in $((SECONDS - start)) s, corpus $(ls "$corpus" | wc -l) files"
  if [[ "${FUZZ_MERGE:-0}" == 1 ]]; then
    (cd "$work/$t" && "$bin" -merge=1 -max_len=8192 "$seeds" "$corpus" >>"$log" 2>&1) &&
      echo "     merged new inputs into fuzz/corpus/$name"
  fi
}
export -f run_one
export here build seconds work findings

echo "== fuzzing ${targets[*]}: ${seconds} s each, ${parallel} at a time"
printf '%s\n' "${targets[@]}" | xargs -P "$parallel" -I{} bash -c 'run_one {}'
