#!/usr/bin/env bash
# textserve against a plain FastAPI peer (benches/peer/fastapi_lstm.py: one uvicorn process,
# PyTorch 2.13.0 on 2 threads, a BiLSTM of the default model's shape, one forward pass per
# request), both on 127.0.0.1 and loaded by wrk with the same corpus bodies in turn:
#   single texts at 1 and 64 connections, and 256-text batch requests at 4 connections.
# Prints one markdown table: items/s (requests/s × texts per request) and p99 per server, and
# textserve's items/s over the peer's.
# Usage: scripts/peer-bench.sh  (env: DURATION=10 seconds per run, TEXTSERVE_BIN (a built
#        target/release/textserve; this script does not build), TEXTSERVE_PORT, PEER_PORT (free
#        ports by default), MODEL, DATA, OUT=bench-results/peer)
# The peer's virtualenv is made once in ~/.cache/textserve/peer-venv from
# benches/peer/requirements.txt, sharing scripts/setup-libtorch.sh's torch install.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10}"
MODEL="${MODEL:-models/zh-reviews-sentiment}"
DATA="${DATA:-data/zh-reviews.jsonl}"
OUT="${OUT:-bench-results/peer}"
TEXTSERVE_BIN="${TEXTSERVE_BIN:-target/release/textserve}"
CACHE_ROOT="${TEXTSERVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/textserve}"
VENV="$CACHE_ROOT/peer-venv"
REQUIREMENTS=benches/peer/requirements.txt

# Makes the peer's virtualenv unless it was made from this very requirements file. torch and the
# two CUDA libraries that setup-libtorch.sh installs with it are not fetched again: a .pth file
# puts that install on the venv's path, and torch preloads the other CUDA libraries it links
# from the venv's site-packages.
setup_peer_venv() {
  local stamp="$VENV/.requirements" torch_dir site
  # Always: it is quick once installed, and the venv depends on that install staying there.
  torch_dir=$(scripts/setup-libtorch.sh)
  if [ -f "$stamp" ] && cmp -s "$stamp" "$REQUIREMENTS"; then
    return
  fi
  echo "installing the peer's virtualenv into $VENV (about 3 GB of CUDA libraries, one time)" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  grep -v -E '^(torch|nvidia-cuda-runtime|nvidia-cuda-cupti)==' "$REQUIREMENTS" \
    > "$VENV/requirements-pip.txt"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r "$VENV/requirements-pip.txt" >&2
  site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  dirname "$torch_dir" > "$site/textserve-libtorch.pth"
  # The wheel is built for setup-libtorch.sh's python3; a venv of another minor version would
  # fail here rather than at the first request.
  "$VENV/bin/python" -c 'import fastapi, torch, uvicorn, uvloop, httptools
assert torch.__version__.split("+")[0] == "2.13.0", torch.__version__'
  cp "$REQUIREMENTS" "$stamp"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Waits for GET /health/ready on PORT while PID lives; fails after 180 s or if PID exits,
# showing the end of the server's log ($OUT/NAME.log).
wait_ready() { # name pid port
  local deadline=$((SECONDS + 180))
  until curl -fsS "http://127.0.0.1:$3/health/ready" >/dev/null 2>&1; do
    if ! kill -0 "$2" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      echo "$1 did not become ready; the end of $OUT/$1.log:" >&2
      tail -n 20 "$OUT/$1.log" >&2
      return 1
    fi
    sleep 0.1
  done
}

if [ ! -x "$TEXTSERVE_BIN" ]; then
  echo "$TEXTSERVE_BIN is missing: build it (cargo build --release) or set TEXTSERVE_BIN" >&2
  exit 1
fi
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
[ -f "$DATA" ] || TEXTSERVE_BIN="$TEXTSERVE_BIN" scripts/fetch-data.sh "$DATA"
setup_peer_venv
mkdir -p "$OUT"
scripts/request-bodies.py "$DATA" "$OUT"

TEXTSERVE_PORT="${TEXTSERVE_PORT:-$(free_port)}"
PEER_PORT="${PEER_PORT:-$(free_port)}"
if [ "$TEXTSERVE_PORT" = "$PEER_PORT" ]; then
  echo "TEXTSERVE_PORT and PEER_PORT must differ" >&2
  exit 1
fi

TEXTSERVE_PID=
PEER_PID=
stop_servers() {
  for pid in $TEXTSERVE_PID $PEER_PID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $TEXTSERVE_PID $PEER_PID; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_servers EXIT

# Server output goes to $OUT/textserve.log and $OUT/peer.log, so the table stays readable.
"$TEXTSERVE_BIN" serve --model "$MODEL" --host 127.0.0.1 --port "$TEXTSERVE_PORT" \
  --log-level warn > "$OUT/textserve.log" 2>&1 &
TEXTSERVE_PID=$!
PEER_MODEL="$MODEL" "$VENV/bin/python" -m uvicorn --app-dir benches/peer fastapi_lstm:app \
  --host 127.0.0.1 --port "$PEER_PORT" --workers 1 --loop uvloop --http httptools \
  --no-access-log --log-level warning > "$OUT/peer.log" 2>&1 &
PEER_PID=$!
wait_ready textserve "$TEXTSERVE_PID" "$TEXTSERVE_PORT"
wait_ready peer "$PEER_PID" "$PEER_PORT"

# A few requests of each kind first, so neither server's first passes (allocator growth, lazy
# initialisation) land in a measured run.
for port in "$TEXTSERVE_PORT" "$PEER_PORT"; do
  head -n 20 "$OUT/single.bodies" | while IFS= read -r body; do
    curl -fsS "http://127.0.0.1:$port/v1/predict" -H 'content-type: application/json' \
      -d "$body" >/dev/null
  done
  head -n 2 "$OUT/batch256.bodies" | while IFS= read -r body; do
    curl -fsS "http://127.0.0.1:$port/v1/predict/batch" -H 'content-type: application/json' \
      -d "$body" >/dev/null
  done
done

# Runs wrk against one server; prints "items/s p99 errors" (errors: non-2xx and socket errors).
run_load() { # server port path bodies connections texts_per_request row
  local server=$1 port=$2 path=$3 bodies=$4 conns=$5 per=$6 row=$7 threads=2 file
  [ "$conns" -lt 2 ] && threads=1
  file="$OUT/$row-c$conns-$server.txt"
  # A generous timeout: a slow 256-text answer counts in the latencies instead of vanishing
  # into wrk's timeout errors (2 s by default).
  wrk -t"$threads" -c"$conns" -d"${DURATION}s" --timeout 30s --latency -s scripts/wrk-bodies.lua \
    "http://127.0.0.1:$port" -- "$OUT/$bodies" "$path" > "$file" 2>&1
  local rps p99 non2xx errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$file")
  p99=$(awk '$1=="99%" {print $2}' "$file")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$file")
  errors=$(awk '/Socket errors/ {gsub(",", ""); print $4+$6+$8+$10}' "$file")
  echo "$(echo "${rps:-0} * $per" | bc -l) ${p99:-?} $(( ${non2xx:-0} + ${errors:-0} ))"
}

echo "## textserve against a FastAPI + PyTorch peer (wrk, ${DURATION}s per run, 127.0.0.1)"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| load | connections | textserve items/s | textserve p99 | peer items/s | peer p99 | textserve / peer items/s | errors (textserve / peer) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
order=0
items() { # rounded items/s, or a dash for a run without an answer
  if [ "$1" = nan ]; then echo "–"; else printf "%.0f" "$1"; fi
}
compare() { # name path bodies connections texts_per_request
  local ts peer ts_items ts_p99 ts_errors peer_items peer_p99 peer_errors
  # Alternate which server goes first, so neither always runs on a machine the other just left.
  if [ $((order % 2)) -eq 0 ]; then
    ts=$(run_load textserve "$TEXTSERVE_PORT" "$2" "$3" "$4" "$5" "$1")
    peer=$(run_load peer "$PEER_PORT" "$2" "$3" "$4" "$5" "$1")
  else
    peer=$(run_load peer "$PEER_PORT" "$2" "$3" "$4" "$5" "$1")
    ts=$(run_load textserve "$TEXTSERVE_PORT" "$2" "$3" "$4" "$5" "$1")
  fi
  order=$((order + 1))
  read -r ts_items ts_p99 ts_errors <<< "$ts"
  read -r peer_items peer_p99 peer_errors <<< "$peer"
  # A run in which no request finished (DURATION shorter than one answer) has no numbers.
  local ratio="n/a"
  if [ "$(echo "$ts_items > 0 && $peer_items > 0" | bc -l)" = 1 ]; then
    ratio=$(printf "%.2f×" "$(echo "$ts_items / $peer_items" | bc -l)")
  fi
  [ "$(echo "$ts_items > 0" | bc -l)" = 1 ] || { ts_items=nan; ts_p99="–"; }
  [ "$(echo "$peer_items > 0" | bc -l)" = 1 ] || { peer_items=nan; peer_p99="–"; }
  printf "| %s | %s | %s | %s | %s | %s | %s | %s / %s |\n" "$1" "$4" "$(items "$ts_items")" \
    "$ts_p99" "$(items "$peer_items")" "$peer_p99" "$ratio" "$ts_errors" "$peer_errors"
}
compare single /v1/predict single.bodies 1 1
compare single /v1/predict single.bodies 64 1
compare batch-256 /v1/predict/batch batch256.bodies 4 256
