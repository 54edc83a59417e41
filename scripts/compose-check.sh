#!/usr/bin/env bash
# Runs the committed docker-compose.yml (3 textserve replicas + nginx) with podman-compose and a
# failover drill in containers: 32 closed-loop clients through the load balancer for 15 s, one
# replica killed (SIGKILL) at 5 s; every request must still be answered 200. Also checks that
# the published port does not give away /metrics, and that `down` stops the stack cleanly
# (the surviving replicas exit 0 on SIGTERM). Then the same stack with docker-compose.tls.yml:
# ready and healthy over mutual TLS, clients without a certificate and plain HTTP refused at the
# balancer and at a replica, and the failover drill again over TLS on both hops. Base images as
# in scripts/image-check.sh; the
# textserve image is reused when IMAGE names one already built (else compose builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/podman-env.sh

VENV="${TEXTSERVE_CACHE:-$HOME/.cache/textserve}/compose-venv"
if [ ! -x "$VENV/bin/podman-compose" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check podman-compose==1.5.0
fi
compose() { "$VENV/bin/podman-compose" -p textserve-compose-check "$@"; }

if [ "${LOCAL_BASE:-}" = 1 ] || ! podman image exists docker.io/library/debian:bookworm-slim; then
  scripts/local-base-images.sh >/dev/null
  export BUILD_IMAGE=localhost/rust:1.95-bookworm RUNTIME_IMAGE=localhost/debian:bookworm-slim
  export NGINX_IMAGE=localhost/nginx:bookworm
fi
export TEXTSERVE_IMAGE="${IMAGE:-localhost/textserve:latest}"
export TEXTSERVE_LB_PORT="${LB_PORT:-18090}"
export TEXTSERVE_API_KEYS="compose-check-key-$(date +%s)"

failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
lb="http://127.0.0.1:$TEXTSERVE_LB_PORT"
log=$(mktemp -d)

load=""
# wait_ready PREFIX STACK URL [curl flags...]: until the balancer answers URL (60 s at most);
# otherwise the stack's logs, and the check ends.
wait_ready() {
  local prefix=$1 stack=$2 url=$3
  shift 3
  for _ in $(seq 1 600); do
    curl -fsS "$@" "$url" >/dev/null 2>&1 && break
    sleep 0.1
  done
  if curl -fsS "$@" "$url" >/dev/null 2>&1; then
    pass "${prefix}ready through the load balancer $(($(date +%s) - start)) s after up"
  else
    fail "${prefix}ready through the load balancer within 60 s"
    "$stack" logs >"$log/logs-$stack.txt" 2>&1 || true
    tail -40 "$log/logs-$stack.txt"
    exit 1
  fi
}
# replicas_healthy PREFIX: the balancer answers once one replica is ready; each of $replicas
# must pass its own health check (under TLS, over mutual TLS) within 30 s.
replicas_healthy() {
  local prefix=$1 name healthy
  for name in $replicas; do
    healthy=""
    for _ in $(seq 1 60); do
      podman healthcheck run "$name" >/dev/null 2>&1 && { healthy=1; break; }
      sleep 0.5
    done
    [ -n "$healthy" ] && pass "$prefix$name healthy" || fail "$prefix$name not healthy within 30 s"
  done
}
# failover_drill PREFIX OUT [loadgen flags...]: 32 clients through the balancer for 15 s, the
# replica $victim killed (SIGKILL) at 5 s; every request must be answered 200.
failover_drill() {
  local prefix=$1 out=$2 summary
  shift 2
  python3 scripts/loadgen.py --data suites/zh-manufacturing/synthetic-train.jsonl \
    --port "$TEXTSERVE_LB_PORT" --workers 32 --seconds 15 --timeline "$@" \
    --header "authorization:Bearer $TEXTSERVE_API_KEYS" >"$out" &
  load=$!
  sleep 5
  podman kill --signal KILL "$victim" >/dev/null
  echo "killed $victim (SIGKILL) at t = 5 s"
  wait "$load"
  load=""
  summary=$(tail -n 1 "$out")
  echo "${prefix}failover load: $summary"
  if python3 -c 'import json,sys; o=json.loads(sys.argv[1])["outcomes"]; sys.exit(set(o) != {"status 200"})' "$summary"; then
    pass "${prefix}failover: every request answered 200"
  else
    fail "${prefix}failover: some requests were not answered 200"
  fi
}
cleanup() {
  [ -n "$load" ] && kill "$load" 2>/dev/null
  compose down -t 40 >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
start=$(date +%s)
compose up -d >"$log/up.log" 2>&1 || { tail -30 "$log/up.log"; exit 1; }
replicas=$(podman ps --filter label=com.docker.compose.project=textserve-compose-check \
  --filter label=com.docker.compose.service=textserve --format '{{.Names}}')
echo "started: $(echo $replicas) + lb"
count=$(echo "$replicas" | grep -c . || true)
[ "$count" = 3 ] && pass "3 replicas started" || { fail "$count replica(s) started, not 3"; exit 1; }
wait_ready "" compose "$lb/health/ready"
replicas_healthy ""
code=$(curl -s -o /dev/null -w '%{http_code}' "$lb/metrics")
[ "$code" = 404 ] && pass "published port does not serve /metrics ($code)" ||
  fail "published port serves /metrics ($code)"
code=$(curl -s -o "$log/predict.json" -w '%{http_code}' "$lb/v1/predict" \
  -H "authorization: Bearer $TEXTSERVE_API_KEYS" -H 'content-type: application/json' \
  -d '{"text":"试运行无报警"}')
[ "$code" = 200 ] && pass "prediction through the load balancer: $(cat "$log/predict.json")" ||
  fail "prediction through the load balancer ($code)"

# Bulk streams cannot cross nginx (see deploy/nginx.conf): the balancer says so instead of
# cutting them short, and a replica takes them directly.
code=$(curl -s -o "$log/stream-lb.json" -w '%{http_code}' -X POST --data-binary '{"text":"好"}' \
  -H 'content-type: application/x-ndjson' -H "authorization: Bearer $TEXTSERVE_API_KEYS" "$lb/v1/predict/stream")
[ "$code" = 501 ] && grep -q stream_not_proxied "$log/stream-lb.json" &&
  pass "the balancer refuses bulk streams with a reason ($code)" || fail "stream through the balancer: $code"
for _ in 1 2 3 4 5; do
  python3 -c 'import json,sys
for l in open("suites/zh-manufacturing/synthetic-train.jsonl"): print(json.dumps({"text": json.loads(l)["text"]}, ensure_ascii=False))'
done >"$log/stream.ndjson"
sent=$(wc -l <"$log/stream.ndjson")
first=$(echo "$replicas" | head -1)
ip=$(podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$first")
answered=$(curl -sS -X POST -T "$log/stream.ndjson" -H 'content-type: application/x-ndjson' \
  -H "authorization: Bearer $TEXTSERVE_API_KEYS" "http://$ip:8080/v1/predict/stream" | grep -c '"label"' || true)
[ "$answered" = "$sent" ] && pass "a $(($(wc -c <"$log/stream.ndjson") / 1000)) kB stream straight to $first: $answered of $sent lines labelled" ||
  fail "stream straight to a replica: $answered of $sent lines labelled"

victim=$(echo "$replicas" | sed -n 2p)
failover_drill "" "$log/failover.jsonl"

# The balancer spread the load: every surviving replica answered predictions.
for name in $replicas; do
  [ "$name" = "$victim" ] && continue
  ip=$(podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$name")
  served=$(curl -fsS "http://$ip:8080/metrics" | awk '/^textserve_requests_total\{.*route="\/v1\/predict".*status="200"/ { n += $NF } END { print n + 0 }')
  [ "$served" -gt 0 ] && pass "$name answered $served predictions" || fail "$name answered none"
done

t0=$(date +%s)
compose stop -t 40 >"$log/stop.log" 2>&1 || fail "compose stop"
stopped=$(($(date +%s) - t0))
for name in $replicas; do
  [ "$name" = "$victim" ] && continue
  code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
  [ "$code" = 0 ] && pass "$name exits 0 on SIGTERM" || fail "$name exits $code on SIGTERM"
done
echo "stack stopped in $stopped s"
compose down -t 40 >"$log/down.log" 2>&1 || fail "compose down"
left=$(podman ps -a --filter label=com.docker.compose.project=textserve-compose-check --format '{{.Names}}')
[ -z "$left" ] && pass "stack stopped and removed" || fail "left behind: $left"
trap - EXIT

# ---- the same stack with TLS on both hops (docker-compose.tls.yml) ----------------------------
echo "== with docker-compose.tls.yml: clients -> nginx -> replicas, mutual TLS on both hops"
certs=$(mktemp -d)
scripts/make-test-certs.sh "$certs"
# The replicas run as uid 10001 and the engine mounts secret files as they are on disk.
chmod 0644 "$certs"/*.key
export TEXTSERVE_TLS_DIR=$certs
compose_tls() {
  "$VENV/bin/podman-compose" -p textserve-compose-tls -f docker-compose.yml \
    -f docker-compose.tls.yml "$@"
}
cleanup_tls() {
  [ -n "$load" ] && kill "$load" 2>/dev/null
  compose_tls down -t 40 >/dev/null 2>&1 || true
}
trap cleanup_tls EXIT
cleanup_tls
tls_client=(--cacert "$certs/ca.pem" --cert "$certs/client.pem" --key "$certs/client.key")
lb_tls="https://localhost:$TEXTSERVE_LB_PORT"
start=$(date +%s)
compose_tls up -d >"$log/up-tls.log" 2>&1 || { tail -30 "$log/up-tls.log"; exit 1; }
replicas=$(podman ps --filter label=com.docker.compose.project=textserve-compose-tls \
  --filter label=com.docker.compose.service=textserve --format '{{.Names}}')
wait_ready "TLS: " compose_tls "$lb_tls/health/ready" "${tls_client[@]}"
replicas_healthy "TLS: "
# nginx completes the handshake and answers 400 itself, never passing the request on.
code=$(curl -s --cacert "$certs/ca.pem" -o "$log/nocert.html" -w '%{http_code}' "$lb_tls/v1/models")
[ "$code" = 400 ] && grep -q "No required SSL certificate" "$log/nocert.html" &&
  pass "TLS: the balancer answers a client without a certificate 400 and passes nothing on" ||
  fail "TLS: a client without a certificate got $code from the balancer"
first=$(echo "$replicas" | head -1)
ip=$(podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$first")
# First that the replica is reachable at all, so the refusals below are refusals, not a network
# that connects nowhere: curl's exit must be neither 0 (answered) nor 7 (could not connect) nor
# 28 (timed out). Seen: 1 for plain HTTP (the TLS alert read as HTTP/0.9), 55 without a
# certificate (TLS 1.3 ends the connection after the handshake).
code=$(curl -s -o /dev/null -w '%{http_code}' "${tls_client[@]}" --resolve "textserve:8080:$ip" \
  https://textserve:8080/health/ready)
[ "$code" = 200 ] && pass "TLS: $first answers a client with a certificate directly" ||
  fail "TLS: $first directly, with a certificate: $code"
rc=0; curl -s "http://$ip:8080/health/ready" -o /dev/null || rc=$?
case $rc in 0|7|28) fail "TLS: plain HTTP to a replica: curl exit $rc" ;;
  *) pass "TLS: a replica gives plain HTTP no answer (curl $rc)" ;; esac
rc=0; curl -s -k "https://$ip:8080/health/ready" -o /dev/null || rc=$?
case $rc in 0|7|28) fail "TLS: a replica, no client certificate: curl exit $rc" ;;
  *) pass "TLS: a replica refuses a client without a certificate (curl $rc)" ;; esac
code=$(curl -s -o "$log/predict-tls.json" -w '%{http_code}' "${tls_client[@]}" "$lb_tls/v1/predict" \
  -H "authorization: Bearer $TEXTSERVE_API_KEYS" -H 'content-type: application/json' \
  -d '{"text":"试运行无报警"}')
[ "$code" = 200 ] && pass "TLS: prediction through both hops: $(cat "$log/predict-tls.json")" ||
  fail "TLS: prediction through both hops ($code)"
victim=$(echo "$replicas" | sed -n 2p)
failover_drill "TLS " "$log/failover-tls.jsonl" \
  --tls-ca "$certs/ca.pem" --tls-cert "$certs/client.pem" --tls-key "$certs/client.key"
compose_tls down -t 40 >"$log/down-tls.log" 2>&1 || fail "compose down (TLS)"
left=$(podman ps -a --filter label=com.docker.compose.project=textserve-compose-tls --format '{{.Names}}')
[ -z "$left" ] && pass "TLS stack stopped and removed" || fail "left behind: $left"
rm -rf "$certs"
trap - EXIT
echo "compose check: $failures failure(s)"
[ "$failures" -eq 0 ]
