#!/usr/bin/env bash
# Benchmarks for BENCHMARKS.md, against 127.0.0.1 only, each load bounded in time:
#   1. in-process ceiling: raw forward passes at batch sizes 1…256 (textserve bench)
#   2. the server over loopback under wrk: single-text requests at concurrency 1/16/32/64/256,
#      batch requests of 32 and 256 texts
#   3. cold start (process start → /health/ready 200) and resident memory idle and under load
#   4. explanations (/v1/explain, occlusion and shap with 256 samples) of median-length corpus
#      texts at 1 and 16 connections, and their faithfulness on the validation split
#   6. a bulk stream of STREAM_LINES (1,000,000) corpus texts through /v1/predict/stream: items/s,
#      peak memory, and interactive latency at 16 clients with and without the stream
#   7. (SECTIONS=shadow, not in the default set) the cost of a shadow: single-text requests at
#      1 and 64 connections with no shadow and with a copy of the model shadowing at fraction
#      1.0, in order-balanced rounds (ROUNDS, 4) on one server, and how much of the traffic
#      the shadow compared
# Usage: scripts/bench.sh  (env: DURATION=10 seconds per load run, PORT=18080, MODEL, DATA,
#        SECTIONS="ceiling server explain stream" to run only some, STREAM_LINES)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10}"
PORT="${PORT:-18080}"
MODEL="${MODEL:-models/zh-reviews-sentiment}"
DATA="${DATA:-data/zh-reviews.jsonl}"
OUT="${OUT:-bench-results}"
SECTIONS="${SECTIONS:-ceiling server explain stream}"
STREAM_LINES="${STREAM_LINES:-1000000}"
has() { [[ " $SECTIONS " == *" $1 "* ]]; }
BIN=target/release/textserve
mkdir -p "$OUT"

# Always: a stale binary would measure old code.
cargo build --release --quiet
[ -f "$DATA" ] || TEXTSERVE_BIN="$BIN" scripts/fetch-data.sh "$DATA"
if ! command -v wrk >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi

echo "## machine"
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo

# The ceiling is the best of the default (one worker per core, one libtorch thread each) and a
# single stream of forward passes with one libtorch thread per core, or with one thread.
if has ceiling; then
echo "## 1. in-process ceiling, $(nproc) workers × 1 libtorch thread (the default)"
"$BIN" bench --model "$MODEL" --data "$DATA" --seconds 3 | tee "$OUT/ceiling.md"
echo
echo "## 1b. in-process ceiling, 1 worker × $(nproc) libtorch threads"
"$BIN" bench --model "$MODEL" --data "$DATA" --workers 1 --threads "$(nproc)" --seconds 3 | tee "$OUT/ceiling-1-worker.md"
echo
echo "## 1c. in-process ceiling, 1 worker × 1 libtorch thread"
"$BIN" bench --model "$MODEL" --data "$DATA" --workers 1 --threads 1 --seconds 3 | tee "$OUT/ceiling-1-thread.md"
echo
fi

scripts/request-bodies.py "$DATA" "$OUT"

start_server() {
  local started ready
  started=$(date +%s%N)
  "$BIN" serve --model "$MODEL" --port "$PORT" --log-level warn &
  SERVER=$!
  until curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; do sleep 0.005; done
  ready=$(date +%s%N)
  echo "cold start (spawn → ready): $(( (ready - started) / 1000000 )) ms"
}
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$SERVER/status"; }
# Private (heap) memory; the rest of RSS is libtorch's code pages, shared and reclaimable.
anon_mb() { awk '/RssAnon/ {printf "%.0f", $2/1024}' "/proc/$SERVER/status"; }
trap 'kill $SERVER 2>/dev/null || true' EXIT

echo "## 3. cold start and memory"
start_server
sleep 1
echo "resident memory idle: $(rss_mb) MB (anonymous $(anon_mb) MB)"
echo

run_load() { # name path bodies connections texts_per_request
  local name=$1 path=$2 bodies=$3 conns=$4 per=$5 threads=2
  [ "$conns" -lt 2 ] && threads=1
  wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency -s scripts/wrk-bodies.lua \
    "http://127.0.0.1:$PORT" -- "$OUT/$bodies" "$path" > "$OUT/$name.txt" 2>&1 &
  local wrk_pid=$! peak=0 now
  while kill -0 $wrk_pid 2>/dev/null; do
    now=$(rss_mb); [ "$now" -gt "$peak" ] && peak=$now; sleep 0.5
  done
  wait $wrk_pid
  local rps p50 p90 p99 errors non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/$name.txt")
  p50=$(awk '$1=="50%" {print $2}' "$OUT/$name.txt")
  p90=$(awk '$1=="90%" {print $2}' "$OUT/$name.txt")
  p99=$(awk '$1=="99%" {print $2}' "$OUT/$name.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$OUT/$name.txt"); non2xx=${non2xx:-0}
  errors=$(awk '/Socket errors/ {gsub(",", ""); print $4+$6+$8+$10}' "$OUT/$name.txt"); errors=${errors:-0}
  printf "| %s | %s | %.0f | %.0f | %s | %s | %s | %s | %s MB |\n" \
    "$name" "$conns" "$rps" "$(echo "$rps * $per" | bc -l)" "$p50" "$p90" "$p99" "$((non2xx + errors))" "$peak"
}

if has server; then
echo "## 2. server over loopback (wrk, ${DURATION}s each)"
echo "| load | connections | requests/s | items/s | p50 | p90 | p99 | errors | peak RSS |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in 1 16 32 64 256; do
  run_load "single-c$c" /v1/predict single.bodies "$c" 1
done
run_load "batch32-c4" /v1/predict/batch batch32.bodies 4 32
run_load "batch256-c2" /v1/predict/batch batch256.bodies 2 256
echo
fi

if has explain; then
# Texts of the corpus's median length (±2 characters), as the explanation goals are stated.
median=$(python3 - "$DATA" "$OUT" <<'PY'
import json, random, statistics, sys
texts = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
median = int(statistics.median(len(t) for t in texts))
chosen = sorted({t for t in texts if abs(len(t) - median) <= 2})
random.Random(7).shuffle(chosen)
out = sys.argv[2]
for name, extra in (("occlusion", {}), ("shap", {"method": "shap", "samples": 256})):
    with open(f"{out}/explain-{name}.bodies", "w", encoding="utf-8") as f:
        for t in chosen[:2000]:
            f.write(json.dumps({"text": t, **extra}, ensure_ascii=False) + "\n")
print(median)
PY
)
echo "## 4. explanations of median-length texts (${median} ± 2 characters; wrk, ${DURATION}s each)"
echo "| load | connections | requests/s | items/s | p50 | p90 | p99 | errors | peak RSS |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in 1 16; do
  run_load "explain-occlusion-c$c" /v1/explain explain-occlusion.bodies "$c" 1
  run_load "explain-shap256-c$c" /v1/explain explain-shap.bodies "$c" 1
done
echo
echo "## 5. faithfulness of the explanations (validation split)"
"$BIN" faithfulness --model "$MODEL" | tee "$OUT/faithfulness.md"
echo
fi

if has stream; then
python3 - "$DATA" "$OUT" "$STREAM_LINES" <<'PY'
import json, random, sys
texts = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
random.Random(11).shuffle(texts)
with open(f"{sys.argv[2]}/stream.ndjson", "w", encoding="utf-8") as f:
    for i in range(int(sys.argv[3])):
        f.write(json.dumps({"text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")
PY
echo "## 6. bulk stream: $STREAM_LINES corpus texts through /v1/predict/stream ($(du -m "$OUT/stream.ndjson" | cut -f1) MB)"
stream_run() { # streams the file once; prints lines answered, milliseconds, peak RSS (MB)
  local started ended peak=0 now pid
  started=$(date +%s%N)
  curl -sS -X POST -T "$OUT/stream.ndjson" -H 'content-type: application/x-ndjson' \
    "http://127.0.0.1:$PORT/v1/predict/stream" | wc -l > "$OUT/stream.count" &
  pid=$!
  while kill -0 $pid 2>/dev/null; do
    now=$(rss_mb); [ "$now" -gt "$peak" ] && peak=$now; sleep 0.5
  done
  wait $pid
  ended=$(date +%s%N)
  echo "$(cat "$OUT/stream.count") $(( (ended - started) / 1000000 )) $peak"
}
read -r answered ms peak < <(stream_run)
echo "stream alone: $answered lines answered in $ms ms = $(( answered * 1000 / ms )) items/s; peak RSS $peak MB"
echo
echo "| interactive load | connections | requests/s | items/s | p50 | p90 | p99 | errors | peak RSS |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
run_load "alone" /v1/predict single.bodies 16 1
curl -sS -X POST -T "$OUT/stream.ndjson" -H 'content-type: application/x-ndjson' \
  "http://127.0.0.1:$PORT/v1/predict/stream" -o /dev/null &
streamer=$!
sleep 2
run_load "while-a-stream-runs" /v1/predict single.bodies 16 1
kill $streamer 2>/dev/null || true
wait $streamer 2>/dev/null || true
echo
fi
sleep 1
echo "resident memory after load: $(rss_mb) MB (anonymous $(anon_mb) MB)"

if has shadow; then
echo
kill $SERVER 2>/dev/null || true
wait $SERVER 2>/dev/null || true
repository=$(mktemp -d)
cp -r "$MODEL" "$repository/next"
name=$(python3 - "$repository/next/model.json" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1]))
name = manifest["name"]
manifest["name"] = name + "-shadow"
json.dump(manifest, open(sys.argv[1], "w"))
print(name)
PY
)
"$BIN" serve --model "$MODEL" --model-repository "$repository" --port "$PORT" \
  --allow-unauthenticated-admin --log-level warn &
SERVER=$!
until curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 &&
  curl -fsS "http://127.0.0.1:$PORT/v1/models" | grep -q '"state":"ready".*"state":"ready"'; do
  sleep 0.05
done
shadow() { # on|off
  if [ "$1" = on ]; then
    curl -fsS "http://127.0.0.1:$PORT/v1/models/$name/shadow" -H 'content-type: application/json' \
      -d "{\"candidate\": \"$name-shadow\", \"fraction\": 1.0}" >/dev/null
  else
    curl -fsS -X DELETE "http://127.0.0.1:$PORT/v1/models/$name/shadow" >/dev/null
  fi
}
shadow_counts() { # compared dropped, as counted so far
  curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '
    /^textserve_shadow_texts_total/ {c += $NF} /^textserve_shadow_dropped_total/ {d += $NF}
    END {printf "%d %d\n", c, d}'
}
echo "## 7. a shadow at fraction 1.0 (the model's copy, $name-shadow), wrk ${DURATION}s per run, ${ROUNDS:-4} order-balanced rounds"
echo "| connections | round | shadow | requests/s | p50 | p99 | errors | shadow compared | shadow dropped |"
echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|"
for c in 1 64; do
  for round in $(seq "${ROUNDS:-4}"); do
    order="off on"; [ $((round % 2)) -eq 0 ] && order="on off"
    for mode in $order; do
      shadow "$mode"
      read -r compared0 dropped0 < <(shadow_counts)
      run_load "shadow-$mode-c$c-r$round" /v1/predict single.bodies "$c" 1 >/dev/null
      sleep 0.5
      read -r compared1 dropped1 < <(shadow_counts)
      f="$OUT/shadow-$mode-c$c-r$round.txt"
      non2xx=$(awk '/Non-2xx/ {print $NF}' "$f")
      printf "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s |\n" "$c" "$round" "$mode" \
        "$(awk '/Requests\/sec/ {print $2}' "$f")" "$(awk '$1=="50%" {print $2}' "$f")" \
        "$(awk '$1=="99%" {print $2}' "$f")" "${non2xx:-0}" \
        "$((compared1 - compared0))" "$((dropped1 - dropped0))"
    done
  done
done
shadow off
rm -rf "$repository"
fi
