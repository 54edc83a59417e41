#!/usr/bin/env bash
# Makes offline stand-ins for the Dockerfile's two public base images, for machines that reach
# Debian's package mirror but no image registry:
#   localhost/debian:bookworm-slim  debootstrap --variant=minbase bookworm, imported
#   localhost/rust:1.95-bookworm    that base + build tools + the host's Rust toolchain at
#                                   the official image's paths (/usr/local/cargo)
#   localhost/nginx:bookworm        that base + Debian's nginx, for docker-compose.yml's lb
# Both trust the extra CA certificates the host trusts (/usr/local/share/ca-certificates),
# so HTTPS to crates.io and PyPI works inside a build that sits behind the same TLS-inspecting
# egress; that belongs to such a host, not to the project's Dockerfile. Idempotent: an image
# already present is kept (FORCE=1 remakes both).
set -euo pipefail
source "$(dirname "$0")/podman-env.sh"

MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BASE=localhost/debian:bookworm-slim
RUST=localhost/rust:1.95-bookworm

have() { [ -z "${FORCE:-}" ] && podman image exists "$1"; }

if ! have "$BASE"; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "debootstrap bookworm (minbase) from $MIRROR"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; exit 1; }
  # What debian:bookworm-slim leaves out: caches, docs and man pages.
  rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/* \
    "$work/rootfs"/usr/share/doc/* "$work/rootfs"/usr/share/man/*
  tar -C "$work/rootfs" -c . | podman import \
    --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$BASE" >/dev/null
  echo "made $BASE"
fi

if ! have "$RUST"; then
  # rustup's toolchain directory (bin/ and lib/, as the official image has under /usr/local/cargo).
  TOOLCHAIN="${RUST_TOOLCHAIN_DIR:-$(rustc --print sysroot)}"
  [ -x "$TOOLCHAIN/bin/cargo" ] && [ "$TOOLCHAIN" != /usr ] ||
    { echo "no rustup toolchain at $TOOLCHAIN (set RUST_TOOLCHAIN_DIR)" >&2; exit 1; }
  podman rm -f textserve-rust-standin >/dev/null 2>&1 || true
  podman run --name textserve-rust-standin \
    -v "$TOOLCHAIN:/mnt/toolchain:ro" -v /usr/local/share/ca-certificates:/mnt/ca:ro \
    "$BASE" bash -euc '
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        build-essential pkg-config git curl ca-certificates python3 python3-pip binutils >/dev/null
      cp /mnt/ca/*.crt /usr/local/share/ca-certificates/ 2>/dev/null || true
      update-ca-certificates >/dev/null
      rm -rf /var/lib/apt/lists/*
      mkdir -p /usr/local/cargo
      cp -a /mnt/toolchain/bin /mnt/toolchain/lib /usr/local/cargo/
      /usr/local/cargo/bin/cargo --version'
  podman commit \
    --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV CARGO_HOME=/usr/local/cargo RUSTUP_HOME=/usr/local/rustup' \
    textserve-rust-standin "$RUST" >/dev/null
  podman rm textserve-rust-standin >/dev/null
  echo "made $RUST"
fi
NGINX=localhost/nginx:bookworm
if ! have "$NGINX"; then
  podman rm -f textserve-nginx-standin >/dev/null 2>&1 || true
  podman run --name textserve-nginx-standin "$BASE" bash -euc '
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
      rm -rf /var/lib/apt/lists/*'
  podman commit --change 'CMD ["nginx", "-g", "daemon off;"]' textserve-nginx-standin "$NGINX" >/dev/null
  podman rm textserve-nginx-standin >/dev/null
  echo "made $NGINX"
fi
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^localhost/(debian|rust|nginx):" || true
