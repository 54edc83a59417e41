#!/usr/bin/env bash
# Bounded libFuzzer runs (cargo-fuzz) of the tokenizer, of a Hugging Face tokenizer.json read
# through textserve's adapter, and of request decoding.
# cargo-fuzz wants a nightly compiler; where only stable is installed, RUSTC_BOOTSTRAP=1 lets
# stable accept the -Z flags, and `-s none` skips AddressSanitizer (a nightly-only runtime):
# panics, assertion failures, aborts and timeouts are still caught.
# Usage: scripts/fuzz.sh  (env: FUZZ_SECONDS=60 per target)
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz@0.13.2
# The fuzz binaries link libtorch through textserve but carry no rpath of their own.
export LD_LIBRARY_PATH="$PWD/.libtorch/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export RUSTC_BOOTSTRAP=1

cd fuzz
mkdir -p logs
for target in tokenizer foreign_tokenizer request_decoding; do
  mkdir -p "corpus/$target"
  echo "## $target: $FUZZ_SECONDS s"
  status=0
  cargo fuzz run -s none "$target" "corpus/$target" -- \
    -max_total_time="$FUZZ_SECONDS" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    >"logs/$target.log" 2>&1 || status=$?
  grep -E "^#[0-9]+ +DONE|^Done|panicked|^SUMMARY|^==[0-9]+==" "logs/$target.log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 20 "logs/$target.log" >&2
    # A build failure's cause sits above cargo-fuzz's backtrace, so it is printed last, where
    # a CI summary that keeps only the end of the output still shows it.
    echo "## first errors in logs/$target.log, and the disk they had" >&2
    grep -E -A8 "^error(\[|:)" "logs/$target.log" | head -n 30 >&2 || true
    df -h . >&2 || true
    echo "fuzzing $target failed (exit $status); crash inputs are in fuzz/artifacts/$target" >&2
    exit "$status"
  fi
done
