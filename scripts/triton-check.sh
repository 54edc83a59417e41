#!/usr/bin/env bash
# Drives the Open Inference Protocol routes with the real client, tritonclient[http] from PyPI
# (installed into a venv under ~/.cache/textserve), against a server started here with the
# default model and an API key, then with the TorchScript fixture imported.
# BIN selects the binary (default target/debug/textserve).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-target/debug/textserve}"
VENV="${TEXTSERVE_CACHE:-$HOME/.cache/textserve}/triton-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import tritonclient.http' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "tritonclient[http]==2.73.0" numpy
fi
PORT="${PORT:-18095}"
KEY="triton-check-key-$(date +%s)"
work=$(mktemp -d)
server=
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# The default model, then a model trained elsewhere: the BERT-style TorchScript fixture,
# imported as a user would.
"$BIN" import --torchscript tests/fixtures/tiny-bert/model.pt \
  --tokenizer tests/fixtures/tiny-bert/tokenizer.json --labels negative,positive \
  --max-length 64 --out "$work/tiny-bert" >/dev/null
for MODEL in models/zh-reviews-sentiment "$work/tiny-bert"; do
  log="$work/serve.log"
  "$BIN" serve --port "$PORT" --model "$MODEL" --api-key "$KEY" >"$log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "not ready in 30 s"; cat "$log"; exit 1; }
  name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$MODEL/model.json")
  echo "# $name"
  "$VENV/bin/python" scripts/triton-check.py "$PORT" "$KEY" "$name"
  kill "$server"
  wait "$server" 2>/dev/null || true
done
