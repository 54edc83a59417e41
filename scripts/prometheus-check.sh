#!/usr/bin/env bash
# The drift alerts and dashboard against real Prometheus (Debian's package), loopback only:
#   1. promtool check rules and promtool test rules (deploy/prometheus/)
#   2. a textserve with a feedback database and a shadow (a copy of the model under another
#      name), scraped every second by a Prometheus that loads the rules; predictions, a batch
#      and corrections sent; then over Prometheus's API: the target is up, every rule
#      evaluates without error, the drift series arrive with the model and version that
#      answered (the shadow serves nobody, so its own stay at 0), every served text was
#      handed to the shadow and, the weights being the same, none disagreed, and every query
#      of the Grafana dashboard
#      (deploy/grafana/textserve-drift.json, $model set to .*) evaluates and returns data (but
#      the week-ago comparisons, which have none yet)
# Environment: BIN (default target/debug/textserve, built if missing), MODEL, PORT (18191),
# PROM_PORT (19191).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  [[ $(id -u) -eq 0 ]] || { echo "prometheus-check: install Debian's prometheus package" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
fi
BIN=${BIN:-target/debug/textserve}
[[ -x "$BIN" ]] || cargo build --quiet
MODEL=${MODEL:-models/zh-factory-sentiment}
PORT=${PORT:-18191}
PROM_PORT=${PROM_PORT:-19191}
fail() { echo "prometheus-check: FAILED: $*" >&2; exit 1; }

echo "== 1. promtool"
promtool check rules deploy/prometheus/textserve-rules.yml
promtool test rules deploy/prometheus/textserve-rules.test.yml

echo "== 2. a real Prometheus scraping a running textserve"
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
# The shadow: the same model under another name, from a repository beside --model.
mkdir -p "$work/repository"
cp -r "$MODEL" "$work/repository/next"
name=$(python3 - "$work/repository/next/model.json" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1]))
name = manifest["name"]
manifest["name"] = name + "-next"
json.dump(manifest, open(sys.argv[1], "w"))
print(name)
PY
)
"$BIN" serve --model "$MODEL" --model-repository "$work/repository" --port "$PORT" \
  --feedback-db "$work/feedback.db" --shadow "$name=$name-next" --log-level warn &
pids+=($!)
# The rules as shipped, but each group evaluated every second instead of every few minutes.
sed -E 's/^    interval: [0-9]+m$/    interval: 1s/' deploy/prometheus/textserve-rules.yml >"$work/rules.yml"
[[ $(grep -c '^    interval: 1s$' "$work/rules.yml") == 2 ]] ||
  fail "the rule groups' intervals were not found"
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $work/rules.yml
scrape_configs:
  - job_name: textserve
    static_configs:
      - targets: ["127.0.0.1:$PORT"]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do
  curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 &&
    curl -fsS "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
# Traffic only once Prometheus scrapes the server, so the counters' rise is seen, not only
# their final values.
for _ in $(seq 300); do
  curl -fsS "http://127.0.0.1:$PROM_PORT/api/v1/query?query=up" 2>/dev/null |
    grep -q '"value":\[[0-9.]*,"1"\]' && break
  sleep 0.1
done
post() { curl -fsS "http://127.0.0.1:$PORT$1" -H 'content-type: application/json' -d "$2" >/dev/null; }
# Traffic over a few scrapes, so rates have two samples to work with.
for round in 1 2 3 4; do
  post /v1/predict '{"text": "外观合格，但是有划痕"}'
  post /v1/predict '{"text": "未发现异常，设备运行正常"}'
  post /v1/predict/batch '{"texts": ["包装完好", "交期延误三天", "焊缝没有气孔"]}'
  post /v1/feedback '{"text": "外观合格，但是有划痕", "label": "negative", "predicted": "positive"}'
  post /v1/feedback '{"text": "包装完好", "label": "positive", "predicted": "positive"}'
  sleep 1.2
done
sleep 2

python3 - "$PROM_PORT" "$name" <<'PY'
import json, sys, urllib.parse, urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}/api/v1"
model = sys.argv[2]

def get(path, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]

targets = get("/targets")["activeTargets"]
assert [t["health"] for t in targets] == ["up"], targets
print("ok: textserve scraped, target up")

rules = [r for g in get("/rules")["groups"] for r in g["rules"]]
bad = [(r["name"], r.get("lastError")) for r in rules if r["health"] != "ok"]
assert len(rules) == 10 and not bad, (len(rules), bad)
print(f"ok: {len(rules)} rules loaded, every one evaluates")

for metric in ["textserve_predictions_total", "textserve_prediction_confidence_count",
               "textserve_unknown_token_ratio_count", "textserve_text_tokens_count",
               "textserve_cue_texts_total", "textserve_feedback_total"]:
    series = get("/query", query=metric)["result"]
    assert series, f"no {metric}"
    served = [s for s in series if float(s["value"][1]) > 0]
    assert served and all(s["metric"].get("model") == model for s in served), series
print("ok: every drift series arrives, labelled with the model that answered; the shadow's "
      "stay at 0")

def total(query):
    return sum(float(s["value"][1]) for s in get("/query", query=query)["result"])

agreed = total('textserve_shadow_texts_total{agreement="agree"}')
disagreed = total('textserve_shadow_texts_total{agreement="disagree"}')
dropped = total("textserve_shadow_dropped_total")
assert agreed > 0 and disagreed == 0 and agreed + dropped == 20, (agreed, disagreed, dropped)
print(f"ok: all 20 served texts handed to the shadow: {agreed:.0f} compared, all agreeing "
      f"(the same weights), {dropped:.0f} dropped for want of an idle core")
predictions = total("textserve_predictions_total")
assert predictions == 20, predictions
print(f"ok: {predictions:.0f} predictions counted for 20 texts served")

# A model that served nothing (the shadow) has no shares: 0 of 0 is NaN.
share = [s for s in get("/query", query="textserve:label_share:ratio1d")["result"]
         if s["metric"]["model"] == model]
assert share and abs(sum(float(s["value"][1]) for s in share) - 1) < 1e-6, share
print("ok: the recorded label shares sum to 1")

dashboard = json.load(open("deploy/grafana/textserve-drift.json"))
for panel in dashboard["panels"]:
    for target in panel["targets"]:
        expr = target["expr"].replace("$model", ".*")
        result = get("/query", query=expr)["result"]
        # A week-ago comparison has nothing to show on a server minutes old; it must evaluate.
        assert result or "offset 7d" in expr, f"panel {panel['title']!r}: {expr} returned nothing"
print(f"ok: all {len(dashboard['panels'])} dashboard panels' queries evaluate, and return data "
      "where there can be some")
PY
echo "prometheus-check: all passed"
