#!/usr/bin/env bash
# The whole example: the default model's recorded split written out, a PyTorch LSTM trained on
# its train part and exported to TorchScript (train.py), imported, and measured on the same
# test part the native model was measured on. Run from anywhere; about 10 minutes on 2 cores.
# Usage: examples/pytorch-lstm/run.sh  (env: OUT=target/pytorch-lstm, EPOCHS=5,
#        TEXTSERVE_BIN=target/release/textserve, built if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT="${OUT:-target/pytorch-lstm}"
EPOCHS="${EPOCHS:-5}"
BIN="${TEXTSERVE_BIN:-target/release/textserve}"
[ -x "$BIN" ] || cargo build --release --quiet
[ -f data/zh-reviews.jsonl ] || TEXTSERVE_BIN="$BIN" scripts/fetch-data.sh
PY=$(scripts/examples-venv.sh)

rm -rf "$OUT"
"$BIN" data split --model models/zh-reviews-sentiment --out-dir "$OUT/split"
"$PY" examples/pytorch-lstm/train.py --split "$OUT/split" --out "$OUT/pytorch" --epochs "$EPOCHS"
"$BIN" import --torchscript "$OUT/pytorch/model.pt" --tokenizer "$OUT/pytorch/tokenizer.json" \
  --labels negative,positive --output probabilities --name pytorch-lstm --out "$OUT/model"
echo "## the imported model, served by textserve, on the default model's test part"
"$BIN" eval --model "$OUT/model" --data "$OUT/split/test.jsonl"
echo "## the native default model on the same texts"
"$BIN" eval --model models/zh-reviews-sentiment --split test
