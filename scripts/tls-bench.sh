#!/usr/bin/env bash
# What TLS costs, on loopback only, each load bounded in time: new TLS handshakes per second with
# the server pinned to one core (openssl s_time, its client on the other core), and single-text
# predictions at 64 keep-alive clients over plain HTTP and over TLS, alternating (wrk).
# Certificates are made with openssl in a temporary directory.
# Usage: scripts/tls-bench.sh  (env: DURATION=10 seconds per run, ROUNDS=2, MODEL, DATA)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-2}"
MODEL="${MODEL:-models/zh-reviews-sentiment}"
DATA="${DATA:-data/zh-reviews.jsonl}"
BIN=target/release/textserve
cargo build --release --quiet
[ -f "$DATA" ] || TEXTSERVE_BIN="$BIN" scripts/fetch-data.sh "$DATA"
work=$(mktemp -d)
server=""
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
scripts/request-bodies.py "$DATA" "$work" >/dev/null

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj "/CN=bench CA" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=textserve" \
  -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -days 1 \
  -out "$work/server.pem" -extfile <(printf "subjectAltName=DNS:localhost,IP:127.0.0.1") 2>/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start() { # [taskset cpu list] then serve flags
  local cpus=$1; shift
  taskset -c "$cpus" "$BIN" serve --model "$MODEL" --port "$port" --log-level warn "$@" &
  server=$!
  until curl -fsk "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 ||
        curl -fsk "https://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do sleep 0.05; done
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
tls=(--tls-cert "$work/server.pem" --tls-key "$work/server.key")

echo "## new TLS handshakes per second, server on one core (openssl s_time, ${DURATION}s, full handshakes)"
start 0 "${tls[@]}" --workers 1
taskset -c 1 openssl s_time -connect "127.0.0.1:$port" -new -time "$DURATION" 2>/dev/null |
  grep -E "connections in|connections/user sec" || true
stop
echo

echo "## single texts, 64 keep-alive clients, ${DURATION}s per run"
echo "| run | transport | requests/s | p50 | p99 | errors |"
echo "|---|---|---:|---:|---:|---:|"
for round in $(seq "$ROUNDS"); do
  for transport in http https; do
    if [ "$transport" = https ]; then start 0,1 "${tls[@]}"; else start 0,1; fi
    wrk -t2 -c64 -d"${DURATION}s" --latency -s scripts/wrk-bodies.lua \
      "$transport://127.0.0.1:$port" -- "$work/single.bodies" /v1/predict > "$work/wrk.txt" 2>&1
    stop
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
    p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
    p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt"); non2xx=${non2xx:-0}
    errors=$(awk '/Socket errors/ {gsub(",", ""); print $4+$6+$8+$10}' "$work/wrk.txt"); errors=${errors:-0}
    printf "| %s | %s | %.0f | %s | %s | %s |\n" "$round" "$transport" "$rps" "$p50" "$p99" "$((non2xx + errors))"
  done
done
