#!/usr/bin/env bash
# The try-it page in a real headless Chromium, against a real server that requires an API key.
# Installs chromium and chromium-driver (Debian) when missing. Usage: scripts/browser-check.sh
# (env: BIN=target/debug/textserve, MODEL=models/zh-reviews-sentiment, SCREENSHOT=FILE to save
# a PNG of the page explaining a factory note, as docs/images/try-it.png was made).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-target/debug/textserve}"
MODEL="${MODEL:-models/zh-reviews-sentiment}"
if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >/dev/null
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key="browser-check-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$BIN" serve --model "$MODEL" --port "$port" --api-key "$key" --log-level warn &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
python3 - "$port" <<'PY'
import sys, time, urllib.request
deadline = time.time() + 60
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health/ready", timeout=1)
        break
    except Exception:
        if time.time() > deadline:
            sys.exit("the server did not become ready within 60 s")
        time.sleep(0.05)
PY
python3 scripts/browser-check.py --base-url "http://127.0.0.1:$port" --api-key "$key" ${SCREENSHOT:+--screenshot "$SCREENSHOT"}
