#!/usr/bin/env bash
# A throwaway CA and certificates for TLS runs of the scripts (Schemathesis, drills, compose),
# made with openssl, valid for DAYS (default 2):
#   DIR/ca.pem, ca.key            the CA
#   DIR/server.pem, server.key    names localhost, 127.0.0.1 and textserve (compose's service)
#   DIR/client.pem, client.key    a client certificate (CN=CLIENT_NAME, default test-client)
# Usage: scripts/make-test-certs.sh DIR
set -euo pipefail
dir=${1:?usage: make-test-certs.sh DIR}
days=${DAYS:-2}
mkdir -p "$dir"
cd "$dir"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -days "$days" -subj "/CN=textserve test CA" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req "${ec[@]}" -subj "/CN=textserve" -keyout server.key -out server.csr 2>/dev/null
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -days "$days" -out server.pem \
  -extfile <(printf "subjectAltName=DNS:localhost,DNS:textserve,IP:127.0.0.1\nextendedKeyUsage=serverAuth") \
  2>/dev/null
openssl req "${ec[@]}" -subj "/CN=${CLIENT_NAME:-test-client}" -keyout client.key -out client.csr \
  2>/dev/null
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -days "$days" -out client.pem \
  -extfile <(printf "extendedKeyUsage=clientAuth") 2>/dev/null
rm -f server.csr client.csr
