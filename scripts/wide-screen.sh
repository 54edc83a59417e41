#!/usr/bin/env bash
# The "wide screens" of the model cards: a training configuration tried cheaply (tiny LSTM
# member, mixture weight fixed at 1, so the wide part alone decides) on several split seeds,
# because one split's validation set moves by about ±0.8 points from seed to seed. Prints, per
# seed and summed, the validation accuracy and the cases passed on the tuning suite and the
# development suites; never the held-out part or the test split, which are read only for a
# configuration trained in full and chosen on these. About 45 s per seed on 2 cores.
#
# Usage: scripts/wide-screen.sh EXTRA_DATA TUNE_SUITE [textserve train flags...]
#   e.g. scripts/wide-screen.sh suites/zh-manufacturing/synthetic-train.jsonl \
#          suites/zh-manufacturing/train.jsonl --negation-transfer 3 --wide-learning-rate 0.003
# SEEDS (default "1 2 3") picks the splits; DEV_SUITES the development suites.
set -euo pipefail
source "$(dirname "$0")/train-common.sh"

[ $# -ge 2 ] || { sed -n '9,12p' "$0" >&2; exit 2; }
EXTRA=$1 TUNE=$2
shift 2
SEEDS=${SEEDS:-1 2 3}
DEV_SUITES=${DEV_SUITES:-suites/zh-manufacturing/dev.jsonl suites/factory-notes/dev.jsonl}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

passed() { "$BIN" check --model "$1" --suite "$2" --json --log-level warn |
  python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["passed"], r["cases"])'; }

echo "| seed | validation | $TUNE | ${DEV_SUITES// / | } |"
for seed in $SEEDS; do
  out="$WORK/seed-$seed"
  "$BIN" train --data data/zh-reviews.jsonl --out "$out" --threads 2 --seed "$seed" \
    --epochs 1 --patience 8 --hidden-size 8 --embedding-dim 8 --bigram-buckets 64 --bigram-dim 4 \
    --wide-weight 1.0 --extra-data "$EXTRA" --tune-suite "$TUNE" "$@" >"$out.log" 2>&1 ||
    { tail -5 "$out.log" >&2; exit 1; }
  validation=$(python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print("%.4f" % m["metrics"]["validation"]["accuracy"])' "$out/model.json")
  row="| $seed | $validation"
  for suite in "$TUNE" $DEV_SUITES; do
    read -r ok cases < <(passed "$out" "$suite")
    row="$row | $ok/$cases"
  done
  echo "$row |" | tee -a "$WORK/rows"
done
python3 - "$WORK/rows" <<'PY'
import sys
rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in open(sys.argv[1])]
mean = sum(float(r[1]) for r in rows) / len(rows)
sums = []
for column in range(2, len(rows[0])):
    ok = sum(int(r[column].split("/")[0]) for r in rows)
    cases = sum(int(r[column].split("/")[1]) for r in rows)
    sums.append(f"{ok}/{cases} ({100 * ok / cases:.1f} %)")
print(f"| mean / sum | {mean:.4f} | " + " | ".join(sums) + " |")
PY
