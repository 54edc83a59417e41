#!/usr/bin/env bash
# Runs README's "Ten minutes: mutual TLS, scoped keys and a signed model" exactly as written (the
# sh blocks between its security-walkthrough markers), in a scratch directory, against the
# textserve binary, then checks each claim README makes after it:
#   - no client certificate, a certificate from another CA, or TLS 1.1: no HTTP
#   - TLS 1.2 and 1.3 with the dashboard's certificate: answered
#   - the dashboard by certificate predicts, may not reload (403), the walkthrough's reload was 200
#   - an edited model.json: reload 422 naming it, the signed version still serves
#   - the audit trail holds those events, with no text or key in it
# Needs openssl and curl (installed with apt when missing and running as root).
# Environment: BIN (default target/debug/textserve, built if missing), PORT is fixed by README (8443).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

for tool in openssl curl; do
  if ! command -v "$tool" >/dev/null; then
    [[ $(id -u) -eq 0 ]] || { echo "security-check: $tool is missing" >&2; exit 1; }
    apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null
  fi
done

BIN=${BIN:-target/debug/textserve}
[[ -x "$BIN" ]] || cargo build --quiet
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
bindir=$(mktemp -d)
ln -s "$BIN" "$bindir/textserve"
export PATH="$bindir:$PATH"

work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work" "$bindir"
}
trap cleanup EXIT

awk '/<!-- security-walkthrough:begin -->/ {on=1; next}
     /<!-- security-walkthrough:end -->/ {on=0}
     on && /^```sh$/ {code=1; next}
     on && /^```$/ {code=0; next}
     code' README.md > "$work/walkthrough.sh"
[[ $(grep -c '^textserve serve' "$work/walkthrough.sh") -eq 1 ]] \
  || { echo "security-check: README's walkthrough not found" >&2; exit 1; }

fail() { echo "security-check: FAILED: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

cd "$work"
ln -s "$repo/models" models
echo "== README walkthrough ($(wc -l < walkthrough.sh) lines)"
# Sourced, so its variables (ops_key) and its background server stay within reach here; its
# output goes to a file, which the server keeps writing its log to.
# shellcheck disable=SC1091
source ./walkthrough.sh > walkthrough.out 2>&1
server_pid=$!
cat walkthrough.out
grep -q '"label"' walkthrough.out || fail "the dashboard's prediction did not come back"
pass "the dashboard predicted by certificate alone"
grep -q '"state":"ready"' walkthrough.out || fail "operations' reload did not answer ready"
pass "operations reloaded the signed model with certificate and key"

url=https://localhost:8443
dashboard=(--cacert ca.pem --cert mes-dashboard.pem --key mes-dashboard.key)
body='{"text": "来料检验未见异常"}'

echo "== no HTTP without a certificate from the plant CA"
if curl -s --cacert ca.pem "$url/health/ready" -o /dev/null; then
  fail "a client without a certificate was answered"
fi
pass "no client certificate: refused in the handshake"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj "/CN=Other CA" -keyout other.key -out other.pem 2>/dev/null
if curl -s --cacert ca.pem --cert other.pem --key other.key "$url/health/ready" -o /dev/null; then
  fail "a self-made certificate was answered"
fi
pass "a certificate from another CA: refused"

echo "== protocol versions"
s_client() {
  timeout 10 openssl s_client -connect 127.0.0.1:8443 -servername localhost -CAfile ca.pem \
    -cert mes-dashboard.pem -key mes-dashboard.key "$@" </dev/null 2>&1
}
out=$(s_client -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' || true)
# The client really offered 1.1 (the session line says so) and the server ended the handshake
# with an alert before any certificate was exchanged.
grep -q 'Protocol  : TLSv1.1' <<<"$out" || fail "the client did not offer TLS 1.1: $out"
grep -q 'alert handshake failure' <<<"$out" && grep -q 'Cipher is (NONE)' <<<"$out" \
  || fail "TLS 1.1 was not refused by the server: $out"
pass "TLS 1.1: the server ends the handshake with a handshake_failure alert"
for version in tls1_2 tls1_3; do
  out=$(s_client "-$version" || true)
  grep -q 'Verify return code: 0 (ok)' <<<"$out" || fail "$version did not connect: $out"
  pass "$version: connected, certificate verified"
done

echo "== scopes"
status=$(curl -s -o /dev/null -w '%{http_code}' "${dashboard[@]}" -H "authorization: Bearer $ops_key" \
  -X POST "$url/v1/models/zh-factory-sentiment/reload")
[[ "$status" == 401 ]] || fail "the ops key from the dashboard's certificate got $status, not 401"
pass "the ops key counts only with the ops certificate: 401 from the dashboard's"
status=$(curl -s -o /dev/null -w '%{http_code}' "${dashboard[@]}" -X POST \
  "$url/v1/models/zh-factory-sentiment/reload")
[[ "$status" == 403 ]] || fail "the dashboard reloading a model got $status, not 403"
pass "the dashboard may not reload: 403"

echo "== signed models"
ops=(--cacert ca.pem --cert ops.pem --key ops.key)
python3 - <<'PY'
import json
with open("model/model.json") as f:
    manifest = json.load(f)
manifest["labels"] = list(reversed(manifest["labels"]))
with open("model/model.json", "w") as f:
    json.dump(manifest, f)
PY
# A key added to the keys file counts after SIGHUP (which also reloads the model: refused).
new_key=$(openssl rand -hex 24)
python3 - "$new_key" <<'PY'
import hashlib, json, sys
keys = json.load(open("keys.json"))
keys["keys"].append({"name": "ops-check", "sha256": hashlib.sha256(sys.argv[1].encode()).hexdigest(),
                     "scopes": ["admin"]})
json.dump(keys, open("keys.json", "w"))
PY
kill -HUP "$server_pid"
for _ in $(seq 50); do grep -q '"keys_reload"' audit.jsonl && break; sleep 0.1; done
answer=$(curl -s -w ' %{http_code}' "${ops[@]}" -H "authorization: Bearer $new_key" -X POST \
  "$url/v1/models/zh-factory-sentiment/reload")
[[ "$answer" == *' 422' && "$answer" == *'model.json changed after signing'* ]] \
  || fail "a reload of an edited model.json answered: $answer"
pass "edited model.json: reload 422 naming it"
status=$(curl -s -o /dev/null -w '%{http_code}' "${dashboard[@]}" "$url/v1/predict" \
  -H 'content-type: application/json' -d "$body")
[[ "$status" == 200 ]] || fail "after the refused reload, prediction got $status"
pass "the signed version goes on serving"

echo "== audit trail"
python3 - "$ops_key" <<'PY'
import json, sys
lines = [json.loads(l) for l in open("audit.jsonl")]
events = [(l["event"], l["outcome"], l.get("key"), l.get("via")) for l in lines]
for line in events:
    print("  ", line)
def has(event, outcome, key=None, via=None):
    return any(e == event and o == outcome and (key is None or k == key) and (via is None or v == via)
               for e, o, k, v in events)
assert has("model_reload", "ok", "ops", "http"), "operations' reload"
assert has("scope_refused", "refused", "mes-dashboard"), "the dashboard's refused reload"
assert has("keys_reload", "ok", via="sighup"), "the keys file reloaded on SIGHUP"
assert has("model_signature_refused", "refused", via="load"), "the edited model refused"
assert has("model_reload", "failed", "ops-check"), "the refused reload, by its key"
refusals = sum(1 for e in events if e[0] == "model_signature_refused")
assert refusals == 2, f"{refusals} signature refusals for two reloads (SIGHUP, then the API)"
assert all(l.get("client", "127.0.0.1").startswith("127.0.0.1:") for l in lines if l["via"] == "http")
text = open("audit.jsonl").read()
assert "来料" not in text and sys.argv[1] not in text, "a text or a key in the audit trail"
print("ok: audit trail: %d lines, each event there, no text or key" % len(lines))
PY

echo "security-check: all passed"
