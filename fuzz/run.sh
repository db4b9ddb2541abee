#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 30), one after another,
# on stable Rust (libFuzzer without a sanitizer), starting from the
# committed seeds (fuzz/seeds/<target>) and the local corpus
# (fuzz/corpus/<target>, git-ignored, grows as the fuzzer finds inputs).
# Prints each target's runs, time and coverage from libFuzzer's last lines,
# and exits non-zero if any target crashed, leaked, hung or ran out of
# memory; the input that did it is in fuzz/artifacts/<target>/.
#
#   fuzz/run.sh            # 30 s each
#   fuzz/run.sh 10         # what CI runs
#   fuzz/run.sh 300 roundtrip http_service   # some targets only
#
# Installs cargo-fuzz from crates.io when `cargo fuzz` is missing.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-30}"
shift || true
case "$seconds" in '' | *[!0-9]*) echo "usage: fuzz/run.sh [SECONDS] [TARGET...]" >&2; exit 2 ;; esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz/run.sh: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi

# Stable Rust: no sanitizer (AddressSanitizer needs nightly; safe Rust
# gains little from it). Debug assertions and overflow checks stay on.
build=(--sanitizer none)
start=$(date +%s)
cargo fuzz build "${build[@]}"
echo "fuzz/run.sh: built in $(($(date +%s) - start)) s"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
failed=()
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  seeds=()
  [ -d "seeds/$target" ] && seeds=("seeds/$target")
  # The differential decoder target reads the decoders' documents.
  [ "$target" = decode_differential ] && seeds=(seeds/decode_call seeds/decode_response)
  log="$logs/$target.log"
  status=0
  cargo fuzz run "${build[@]}" "$target" "corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  # "Done 123456 runs in 20 second(s)" and the last "#N ... cov: ... ft: ..." status line.
  done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1 || true)
  cov_line=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [^ ]+' || true)
  if [ "$status" -eq 0 ]; then
    printf '%-16s ok     %s; %s\n' "$target" "${done_line:-no final stats}" "${cov_line:-}"
  else
    failed+=("$target")
    printf '%-16s FAILED (exit %s) %s\n' "$target" "$status" "${done_line:-}"
    # The panic message, the stack and the input that caused it.
    grep -E -A40 'panicked at|ERROR: libFuzzer|==[0-9]+== ERROR' "$log" | head -n 80 >&2 || tail -n 60 "$log" >&2
    grep -E 'Test unit written to|artifact_prefix' "$log" >&2 || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz/run.sh: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz/run.sh: ${#targets[@]} targets ran ${seconds} s each without a crash"
