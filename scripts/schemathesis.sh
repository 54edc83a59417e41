#!/usr/bin/env bash
# Property-based API test: Schemathesis (PyPI) generates requests from the running server's own
# /openapi.json and checks every response — no 5xx, status codes, headers and bodies as the
# spec says. Loopback only, bounded by MAX_TIME seconds.
# With TLS=1 the server speaks HTTPS with mutual TLS (a CA and certificates made here with
# openssl) and Schemathesis connects with a client certificate, so every route is also
# exercised through the TLS listener (certificates from scripts/make-test-certs.sh).
# Usage: scripts/schemathesis.sh  (env: BIN, MODEL, PORT=18181, MAX_TIME=90, TLS=0)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${BIN:-target/debug/textserve}"
MODEL="${MODEL:-models/zh-reviews-sentiment}"
PORT="${PORT:-18181}"
MAX_TIME="${MAX_TIME:-90}"
KEY="schemathesis-local-key-0001"

command -v schemathesis >/dev/null || python3 -m pip install --quiet --disable-pip-version-check "schemathesis==4.32.5"
[ -x "$BIN" ] || cargo build

# Served from a repository with the one key as both inference and admin key, so the management
# routes run for real: reloads of the served model, loads and unloads of generated names.
REPO=$(mktemp -d)
ln -s "$(realpath "$MODEL")" "$REPO/default"
# shellcheck source=scripts/test-tls-env.sh
source scripts/test-tls-env.sh "${TLS:-0}"
HOST=127.0.0.1
[ "$SCHEME" = https ] && HOST=localhost
# With a feedback database, so generated corrections are really stored.
FEEDBACK=$(mktemp -d)
"$BIN" serve --model-repository "$REPO" --port "$PORT" --api-key "$KEY" --admin-api-key "$KEY" \
  --feedback-db "$FEEDBACK/feedback.db" --log-level warn "${TLS_SERVE[@]}" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$REPO" "$FEEDBACK" "${CERTS:-}"' EXIT
for _ in $(seq 1 200); do
  curl -fsS "${TLS_CURL[@]}" "$SCHEME://$HOST:$PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.05
done

# The NDJSON stream is left out: Schemathesis has no serializer for application/x-ndjson, and
# the stream answers bad lines with error lines inside a 200 by design (one bad comment must
# not end a night's batch), which its negative checks would count as accepted bad input. Its
# bad input is tested line by line over raw TCP in tests/stream.rs.
schemathesis --config-file scripts/schemathesis.toml run "$SCHEME://$HOST:$PORT/openapi.json" \
  "${TLS_RUN[@]}" \
  --exclude-path /v1/predict/stream \
  --header "Authorization: Bearer $KEY" \
  --max-time "$MAX_TIME" \
  --workers 2 \
  --seed 1 \
  --suppress-health-check too_slow

# The server must still be up and answering after everything it was sent.
curl -fsS "${TLS_CURL[@]}" "$SCHEME://$HOST:$PORT/health/ready" >/dev/null
echo "schemathesis: server still ready afterwards ($SCHEME)"
