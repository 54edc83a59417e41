#!/usr/bin/env bash
# Builds the shipped Dockerfile with Podman (both stages) and checks the image as a user would:
# non-root, read-only root filesystem, no capabilities; ready on a non-default port with its own
# HEALTHCHECK healthy; a prediction, 401 without a key, /metrics; refuses 0.0.0.0 without keys
# and a missing model with a clear message and a non-zero exit; SIGTERM ends it with exit 0
# within the grace period. Prints the image's size against its base and the libtorch libraries,
# and the cold start. Where no image registry is reachable (LOCAL_BASE=1, the default when the
# public base images are not present, looked up by their full docker.io names since a short name
# would find the stand-ins) it builds from scripts/local-base-images.sh's stand-ins.
#   scripts/image-check.sh            build, then check
#   SKIP_BUILD=1 scripts/image-check.sh   check an image already built (IMAGE=…)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/podman-env.sh

IMAGE="${IMAGE:-localhost/textserve:check}"
PORT="${PORT:-18099}"
KEY="image-check-key-$(date +%s)"
BUILD_IMAGE=rust:1.95-bookworm
RUNTIME_IMAGE=debian:bookworm-slim
if [ "${LOCAL_BASE:-}" = 1 ] || ! podman image exists "docker.io/library/$RUNTIME_IMAGE"; then
  scripts/local-base-images.sh >/dev/null
  BUILD_IMAGE=localhost/rust:1.95-bookworm
  RUNTIME_IMAGE=localhost/debian:bookworm-slim
fi

failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }

if [ -z "${SKIP_BUILD:-}" ]; then
  start=$(date +%s)
  # Docker format: the OCI image format has no HEALTHCHECK.
  podman build --format docker --network host --build-arg BUILD_IMAGE="$BUILD_IMAGE" \
    --build-arg RUNTIME_IMAGE="$RUNTIME_IMAGE" -t "$IMAGE" . >/tmp/textserve-image-build.log 2>&1 ||
    { tail -30 /tmp/textserve-image-build.log; exit 1; }
  echo "built $IMAGE in $(($(date +%s) - start)) s (log: /tmp/textserve-image-build.log)"
fi

container=textserve-image-check
cleanup() { podman rm -f "$container" "$container-nokey" "$container-nomodel" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

# Size: what the image adds beyond its base and the libraries libtorch brings.
image_bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")
base_bytes=$(podman image inspect --format '{{.Size}}' "$RUNTIME_IMAGE")
lib_bytes=$(podman run --rm --entrypoint du "$IMAGE" -sb /app/lib | cut -f1)
added=$((image_bytes - base_bytes - lib_bytes))
echo "image $(mb "$image_bytes") MB = base $(mb "$base_bytes") MB + libtorch libraries $(mb "$lib_bytes") MB + $(mb "$added") MB"
check "adds at most 60 MB beyond its base and libraries ($(mb "$added") MB)" test "$added" -le 60000000
check "runs as uid 10001, not root" \
  test "$(podman run --rm --entrypoint id "$IMAGE" -u)" = 10001
check "carries no curl" bash -c "! podman run --rm --entrypoint sh '$IMAGE' -c 'command -v curl' >/dev/null"

# Cold start: from `podman run` to /health/ready answering 200, on a port of the user's choice.
t0=$(date +%s.%N)
quiet_podman run -d --name "$container" --read-only --cap-drop ALL --security-opt no-new-privileges \
  -e TEXTSERVE_PORT="$PORT" -e TEXTSERVE_API_KEYS="$KEY" "$IMAGE" >/dev/null
ready=""
for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; then
    ready=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    break
  fi
  sleep 0.05
done
if [ -z "$ready" ]; then
  podman logs "$container" | tail -20
  fail "ready within 15 s"
  exit 1
fi
pass "ready ${ready} s after podman run (read-only root, --cap-drop ALL, port $PORT)"
check "its HEALTHCHECK is healthy on port $PORT" podman healthcheck run "$container"
body=$(curl -fsS "http://127.0.0.1:$PORT/v1/predict" -H "authorization: Bearer $KEY" \
  -H 'content-type: application/json' -d '{"text":"来料检验未见异常"}')
check "answers a prediction: $body" grep -q '"label"' <<<"$body"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/predict" \
  -H 'content-type: application/json' -d '{"text":"x"}')
check "refuses a prediction without a key ($code)" test "$code" = 401
check "serves /metrics" bash -c "curl -fsS http://127.0.0.1:$PORT/metrics | grep -q '^textserve_'"
# As root inside the container, so only the read-only mount (not file ownership) can refuse.
check "root filesystem is read-only" bash -c "! podman exec --user 0 '$container' sh -c 'echo x > /app/x' 2>/dev/null"
check "no capabilities" bash -c "podman exec '$container' grep -q '^CapEff:.0000000000000000' /proc/self/status"

t0=$(date +%s.%N)
quiet_podman stop --time 35 "$container" >/dev/null
stopped=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
check "SIGTERM: exit $exit_code after ${stopped} s" test "$exit_code" = 0
check "  … within the 30 s grace" awk -v s="$stopped" 'BEGIN { exit !(s < 30) }'

# Misconfiguration fails fast with a reason, not a crash loop without one (bounded, so a server
# that starts after all fails the check instead of hanging it).
exits_saying() {  # WHAT NEEDLE podman-run-arguments…
  local what=$1 needle=$2 out code
  shift 2
  set +e
  out=$(timeout 60 podman run "$@" 2>&1)
  code=$?
  set -e
  if [ "$code" -ne 0 ] && [ "$code" -ne 124 ] && grep -qF -- "$needle" <<<"$out"; then
    pass "$what: exit $code, says why"
  else
    fail "$what: exit $code; output: $(tail -c 300 <<<"$out")"
  fi
}
exits_saying "0.0.0.0 without keys" TEXTSERVE_API_KEYS \
  --name "$container-nokey" -e TEXTSERVE_PORT="$PORT" "$IMAGE"
exits_saying "missing model directory" /app/models/missing \
  --name "$container-nomodel" -e TEXTSERVE_PORT="$PORT" -e TEXTSERVE_API_KEYS="$KEY" \
  -e TEXTSERVE_MODEL=/app/models/missing "$IMAGE"

echo "image $IMAGE: $failures failure(s); size $(mb "$image_bytes") MB, cold start ${ready} s, stop ${stopped} s"
[ "$failures" -eq 0 ]
