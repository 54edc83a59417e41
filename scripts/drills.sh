#!/usr/bin/env bash
# Load and fault drills for RELIABILITY.md — loopback only, every load bounded in time.
#   overload  open-loop arrivals at 2x the measured capacity: only 200s and 429s, RSS flat
#   sigterm   SIGTERM in the middle of a load: no request that was sent goes unanswered
#   failover  three servers behind nginx, one killed (SIGKILL) mid-load: no client-visible failure
#   soak      SOAK_SECONDS (default 600) at about half of capacity: RSS growth and p99 over time
#   reload    a reload every 2 s for 60 s under 64 clients, two corrupt versions among them, 50
#             reloads in all: every answer 200 from a live version, RSS back within 10 %
#   fairness  two models; one saturated, then at 2x its capacity: the other's p99 at light load against alone
#             (FAIRNESS_FLAGS: extra serve flags for this drill's server, e.g. "--workers 1";
#             FLOOD_DATA: the texts a is flooded with, e.g. from scripts/long-texts.py)
# With DRILL_TLS=1 the servers speak HTTPS with mutual TLS (scripts/make-test-certs.sh), the
# load connects with a client certificate, and in the failover drill nginx verifies clients and
# re-encrypts to the servers as deploy/nginx-tls.conf does (overload, sigterm, failover, soak).
# Usage: scripts/drills.sh [overload|sigterm|failover|soak|reload|fairness ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${BIN:-target/release/textserve}"
MODEL="${MODEL:-models/zh-reviews-sentiment}"
DATA="${DATA:-data/zh-reviews.jsonl}"
# Texts model a is flooded with in the fairness drill (e.g. long reports; RELIABILITY.md §7).
FLOOD_DATA="${FLOOD_DATA:-$DATA}"
OUT="${OUT:-drill-results}"
SOAK_SECONDS="${SOAK_SECONDS:-600}"
BASE_PORT="${BASE_PORT:-18300}"
mkdir -p "$OUT"

# Always: a stale binary would drill old code.
cargo build --release --quiet
cargo build --release --quiet --example openloop
[ -f "$DATA" ] || TEXTSERVE_BIN="$BIN" scripts/fetch-data.sh "$DATA"

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# shellcheck source=scripts/test-tls-env.sh
source scripts/test-tls-env.sh "${DRILL_TLS:-0}"
[ "$SCHEME" = https ] && echo "TLS: every server speaks HTTPS with mutual TLS; the load presents a client certificate"

# start_server PORT [extra flags...]: starts textserve in the background, waits for ready,
# leaves its pid in $SERVER_PID.
start_server() {
  local port=$1
  shift
  "$BIN" serve --model "$MODEL" --port "$port" --threads 1 --log-level warn "${TLS_SERVE[@]}" "$@" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  until curl -fsS "${TLS_CURL[@]}" "$SCHEME://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do
    sleep 0.02
  done
}
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
# sample_rss PID FILE: one "seconds rss_mb" line per second until PID exits.
sample_rss() {
  local pid=$1 file=$2 start
  start=$(date +%s)
  : >"$file"
  while kill -0 "$pid" 2>/dev/null; do
    echo "$(($(date +%s) - start)) $(rss_mb "$pid")" >>"$file"
    sleep 1
  done
}
# Idle before the load, after its first 5 s, highest, and last.
rss_summary() { awk 'NR==1 {first=$2} $1==5 {warm=$2} {if ($2>max) max=$2; last=$2} END {printf "RSS idle %d MB, at 5 s %d MB, max %d MB, last %d MB\n", first, warm, max, last}' "$1"; }
loadgen() { python3 scripts/loadgen.py --data "$DATA" "${TLS_LOAD[@]}" "$@"; }

drill_overload() {
  echo "## overload: 2x capacity, open loop, --max-queue 128"
  local port=$((BASE_PORT + 10)) capacity rate sampler
  start_server "$port" --max-queue 128
  capacity=$(loadgen --port "$port" --workers 64 --seconds 8 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["answered_per_s"])')
  rate=$(python3 -c "print(round(2 * $capacity))")
  echo "capacity (64 closed-loop clients, 8 s): $capacity requests/s; offering $rate requests/s for 20 s"
  sample_rss "$SERVER_PID" "$OUT/overload-rss.txt" &
  sampler=$!
  # Enough workers that arrivals keep their pace while answers slow down (open loop).
  loadgen --port "$port" --workers 1024 --rate "$rate" --seconds 20 | tee "$OUT/overload.json"
  kill "$SERVER_PID"
  wait "$sampler" 2>/dev/null || true
  rss_summary "$OUT/overload-rss.txt"
  echo
}

drill_sigterm() {
  echo "## sigterm: SIGTERM 4 s into a 10 s load of 64 clients (--shutdown-grace 10)"
  local port=$((BASE_PORT + 20)) load exit_code
  start_server "$port" --shutdown-grace 10
  loadgen --port "$port" --workers 64 --seconds 10 >"$OUT/sigterm.json" &
  load=$!
  sleep 4
  local signalled
  signalled=$(date +%s%N)
  kill -TERM "$SERVER_PID"
  set +e
  wait "$SERVER_PID"
  exit_code=$?
  set -e
  echo "server exit code $exit_code, $(( ($(date +%s%N) - signalled) / 1000000 )) ms after SIGTERM"
  wait "$load"
  cat "$OUT/sigterm.json"
  echo
}

drill_failover() {
  echo "## failover: 3 servers behind nginx, one killed with SIGKILL 5 s into a 15 s load"
  command -v nginx >/dev/null || (apt-get update -qq && apt-get install -y -qq nginx) >/dev/null
  local lb=$((BASE_PORT + 30)) dir servers=() load
  dir=$(mktemp -d)
  for i in 1 2 3; do
    start_server $((lb + i))
    servers+=("$SERVER_PID")
  done
  # The same proxy settings as deploy/nginx.conf (with DRILL_TLS, deploy/nginx-tls.conf), with
  # fixed loopback upstreams instead of Docker's DNS.
  local listen="listen 127.0.0.1:$lb;" upstream_tls=""
  if [ "$SCHEME" = https ]; then
    listen="listen 127.0.0.1:$lb ssl;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $CERTS/server.pem;
        ssl_certificate_key $CERTS/server.key;
        ssl_client_certificate $CERTS/ca.pem;
        ssl_verify_client on;
        ssl_session_cache shared:tls:10m;"
    upstream_tls="proxy_ssl_certificate $CERTS/client.pem;
            proxy_ssl_certificate_key $CERTS/client.key;
            proxy_ssl_trusted_certificate $CERTS/ca.pem;
            proxy_ssl_verify on;
            proxy_ssl_name localhost;
            proxy_ssl_protocols TLSv1.2 TLSv1.3;
            proxy_ssl_session_reuse on;"
  fi
  cat >"$dir/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    upstream textserve {
        server 127.0.0.1:$((lb + 1)) max_fails=1 fail_timeout=5s;
        server 127.0.0.1:$((lb + 2)) max_fails=1 fail_timeout=5s;
        server 127.0.0.1:$((lb + 3)) max_fails=1 fail_timeout=5s;
        keepalive 64;
    }
    server {
        $listen
        client_max_body_size 2m;
        location / {
            proxy_pass $SCHEME://textserve;
            $upstream_tls
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 3;
            proxy_connect_timeout 1s;
            proxy_read_timeout 30s;
        }
    }
}
NGINX
  nginx -c "$dir/nginx.conf" -p "$dir" >"$dir/nginx.out" 2>&1 &
  local nginx=$!
  until curl -fsS "${TLS_CURL[@]}" "$SCHEME://127.0.0.1:$lb/health/ready" >/dev/null 2>&1; do
    sleep 0.05
  done
  loadgen --port "$lb" --workers 32 --seconds 15 --timeline >"$OUT/failover.jsonl" &
  load=$!
  sleep 5
  kill -9 "${servers[1]}"
  echo "killed server on port $((lb + 2)) (SIGKILL) at t = 5 s"
  wait "$load"
  tail -n 1 "$OUT/failover.jsonl"
  echo "nginx error log (upstream failures it retried):"
  grep -c "upstream" "$dir/error.log" || true
  # QUIT lets nginx stop its worker too (SIGKILL would orphan it).
  kill -QUIT "$nginx"
  wait "$nginx" || true
  kill "${servers[0]}" "${servers[2]}"
  echo
}

drill_soak() {
  echo "## soak: $SOAK_SECONDS s at half of capacity"
  local port=$((BASE_PORT + 40)) capacity rate sampler
  start_server "$port"
  capacity=$(loadgen --port "$port" --workers 64 --seconds 5 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["answered_per_s"])')
  rate=$(python3 -c "print(round($capacity / 2))")
  echo "capacity $capacity requests/s; offering $rate requests/s"
  sleep 2
  sample_rss "$SERVER_PID" "$OUT/soak-rss.txt" &
  sampler=$!
  loadgen --port "$port" --workers 64 --rate "$rate" --seconds "$SOAK_SECONDS" --timeline >"$OUT/soak.jsonl"
  tail -n 1 "$OUT/soak.jsonl"
  # p99 and RSS per minute.
  python3 - "$OUT/soak.jsonl" "$OUT/soak-rss.txt" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{"second"')]
rss = [tuple(map(int, l.split())) for l in open(sys.argv[2]) if l.strip()]
print("| minute | answered | highest per-second p99 (ms) | RSS at end of minute (MB) |")
print("|---:|---:|---:|---:|")
for m in range(0, (max(r["second"] for r in rows) // 60) + 1):
    part = [r for r in rows if r["second"] // 60 == m]
    answered = sum(v for r in part for k, v in r.items() if k.startswith("status"))
    p99s = sorted(r["p99_ms"] for r in part if r["p99_ms"] is not None)
    p99 = p99s[-1] if p99s else None
    mem = [m_ for (s, m_) in rss if s // 60 == m]
    print(f"| {m + 1} | {answered} | {p99} | {mem[-1] if mem else ''} |")
PY
  kill "$SERVER_PID"
  wait "$sampler" 2>/dev/null || true
  rss_summary "$OUT/soak-rss.txt"
  echo
}

drill_reload() {
  if [ "$SCHEME" = https ]; then
    echo "## reload: not run with DRILL_TLS (reload-drill.py speaks plain HTTP)"
    return
  fi
  echo "## reload: every 2 s for 60 s under 64 clients (scripts/reload-drill.py)"
  python3 scripts/reload-drill.py --bin "$BIN" --model "$MODEL" --data "$DATA" \
    --port $((BASE_PORT + 50)) --clients 64 --seconds 60 --every 2 --total-reloads 50 \
    2>"$OUT/reload.log" | tee "$OUT/reload.json"
  echo
}

drill_fairness() {
  if [ "$SCHEME" = https ]; then
    echo "## fairness: not run with DRILL_TLS (wrk and its server here speak plain HTTP)"
    return
  fi
  echo "## fairness: model b at 50 requests/s, alone and beside model a at and over its capacity"
  local port=$((BASE_PORT + 60)) dir capacity rate a b flood
  dir=$(mktemp -d)
  # Two copies of the model that compute its LSTM member (mixture weight 0.9), so that
  # inference, not HTTP, limits a: the shipped model's passes are so cheap that a flood of it
  # mostly measures the HTTP thread.
  for name in a b; do
    cp -r "$MODEL" "$dir/$name"
    python3 - "$dir/$name/model.json" "sentiment-$name" <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
m["name"] = sys.argv[2]
m["architecture"]["wide_weight"] = 0.9
json.dump(m, open(sys.argv[1], "w", encoding="utf-8"), ensure_ascii=False)
PY
  done
  "$BIN" serve --model-repository "$dir" --default-model sentiment-a --port "$port" --threads 1 \
    --log-level warn --max-queue 128 --max-connections 4096 ${FAIRNESS_FLAGS:-} &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  until curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do sleep 0.02; done
  # Both models loaded before measuring.
  while curl -fsS "http://127.0.0.1:$port/v1/models" | grep -q '"state":"loading"'; do sleep 0.05; done
  a=/v1/models/sentiment-a/predict
  b=/v1/models/sentiment-b/predict
  echo "b alone, 4 clients at 50 requests/s for 15 s:"
  loadgen --port "$port" --path "$b" --workers 4 --rate 50 --seconds 15 | tee "$OUT/fairness-b-alone.json"
  capacity=$(python3 scripts/loadgen.py --data "$FLOOD_DATA" --port "$port" --path "$a" --workers 64 --seconds 8 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["answered_per_s"])')
  echo "a's capacity (64 closed-loop clients, 8 s): $capacity requests/s"
  # At capacity: wrk (C, light on the shared cores) keeps a's queue busy without 429s. Its
  # bodies are written here, so the drill does not depend on a bench run's files.
  mkdir -p "$OUT/flood"
  scripts/request-bodies.py "$FLOOD_DATA" "$OUT/flood"
  wrk -t1 -c32 -d21s -s scripts/wrk-bodies.lua "http://127.0.0.1:$port" -- "$OUT/flood/single.bodies" "$a" \
    >"$OUT/fairness-a-saturated.txt" &
  flood=$!
  sleep 3
  echo "b while a is saturated (wrk, 32 closed-loop connections), 4 clients at 50 requests/s for 15 s:"
  loadgen --port "$port" --path "$b" --workers 4 --rate 50 --seconds 15 | tee "$OUT/fairness-b-saturated.json"
  wait "$flood"
  grep -E "requests in|Requests/sec|Non-2xx" "$OUT/fairness-a-saturated.txt"
  rate=$(python3 -c "print(round(2 * $capacity))")
  echo "offering a $rate requests/s (2x capacity, open loop) for 21 s"
  # The flood comes from examples/openloop.rs, not loadgen.py: at this rate the Python
  # generator's 1,024 threads take about a core of the two, and the drill then measures the
  # load generator's share of the CPU more than the server.
  target/release/examples/openloop --port "$port" --path "$a" --data "$FLOOD_DATA" --rate "$rate" \
    --seconds 21 --connections 1024 >"$OUT/fairness-a-flooded.json" &
  flood=$!
  sleep 3
  echo "b while a is flooded, 4 clients at 50 requests/s for 15 s:"
  loadgen --port "$port" --path "$b" --workers 4 --rate 50 --seconds 15 | tee "$OUT/fairness-b-beside.json"
  wait "$flood"
  echo "a, flooded:"
  cat "$OUT/fairness-a-flooded.json"
  kill "$SERVER_PID"
  rm -rf "$dir"
  echo
}

echo "## machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%FT%TZ)"
echo
for drill in "${@:-overload sigterm failover soak reload fairness}"; do
  for d in $drill; do "drill_$d"; done
done
