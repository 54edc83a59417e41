# Sourced by scripts that run a server over mutual TLS when asked (schemathesis.sh with TLS=1,
# drills.sh with DRILL_TLS=1). With $1 = 1, makes throwaway certificates
# (scripts/make-test-certs.sh) into $CERTS and sets the flags each side needs; otherwise plain
# HTTP with empty flag lists:
#   SCHEME     http or https
#   TLS_SERVE  textserve serve's --tls-cert, --tls-key, --tls-client-ca
#   TLS_CURL   curl's --cacert, --cert, --key
#   TLS_LOAD   scripts/loadgen.py's --tls-ca, --tls-cert, --tls-key
#   TLS_RUN    Schemathesis's --tls-verify, --request-cert, --request-cert-key
SCHEME=http
CERTS=""
TLS_SERVE=()
TLS_CURL=()
TLS_LOAD=()
TLS_RUN=()
if [ "${1:-0}" = 1 ]; then
  CERTS=$(mktemp -d)
  scripts/make-test-certs.sh "$CERTS"
  SCHEME=https
  TLS_SERVE=(--tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" --tls-client-ca "$CERTS/ca.pem")
  TLS_CURL=(--cacert "$CERTS/ca.pem" --cert "$CERTS/client.pem" --key "$CERTS/client.key")
  TLS_LOAD=(--tls-ca "$CERTS/ca.pem" --tls-cert "$CERTS/client.pem" --tls-key "$CERTS/client.key")
  TLS_RUN=(--tls-verify "$CERTS/ca.pem" --request-cert "$CERTS/client.pem" --request-cert-key "$CERTS/client.key")
fi
