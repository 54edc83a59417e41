#!/usr/bin/env bash
# Dependency policy (deny.toml): licences, duplicate crates, sources. Installs cargo-deny from
# crates.io when missing (a few minutes of compiling, once per machine).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-deny >/dev/null 2>&1; then
  cargo install --locked --quiet cargo-deny
fi
# cargo metadata wants every platform's crates, which a build for this one does not download.
cargo fetch --locked --quiet
cargo deny --offline check licenses bans sources
