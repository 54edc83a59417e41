#!/usr/bin/env bash
# Installs libtorch 2.13.0 (the exact version tch 0.26 links against) from the PyPI torch wheel
# into a cache outside the clone, so CI runs and later builds reuse it, and links it as .libtorch
# in the repository, where .cargo/config.toml points LIBTORCH. Safe to re-run.
# Prints the libtorch directory on stdout.
set -euo pipefail

TORCH_VERSION=2.13.0
CACHE_ROOT="${TEXTSERVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/textserve}"
PREFIX="$CACHE_ROOT/libtorch-$TORCH_VERSION"
MARKER="$PREFIX/.complete"

if [ ! -f "$MARKER" ]; then
  echo "installing libtorch $TORCH_VERSION into $PREFIX (about 1.2 GB, one time)" >&2
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX"
  # --no-deps keeps the CPU layout lean: libtorch_cpu.so needs only libcudart and libcupti
  # beyond the wheel itself; torch's Python dependencies are never imported.
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$PREFIX/site" \
    "torch==$TORCH_VERSION" nvidia-cuda-runtime==13.0.96 nvidia-cuda-cupti==13.0.85 >&2
  touch "$MARKER"
fi
# libtorch_cpu.so finds libcudart/libcupti through its own rpath (../../nvidia/cu13/lib), which
# is where --target put them.
ln -sfn "$PREFIX/site/torch" "$(dirname "$0")/../.libtorch"
echo "$PREFIX/site/torch"
