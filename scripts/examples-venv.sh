#!/usr/bin/env bash
# Makes the Python environment the bring-your-own-model examples run in (examples/*/ scripts:
# PyTorch to train and export, transformers and tokenizers to build a BERT-style fixture), once,
# in ~/.cache/textserve/examples-venv. torch is the install scripts/setup-libtorch.sh made (a
# .pth file puts it on the path), with the CUDA libraries its Python extension links, pinned in
# benches/peer/requirements.txt. Prints the venv's python on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE_ROOT="${TEXTSERVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/textserve}"
VENV="$CACHE_ROOT/examples-venv"
STAMP="$VENV/.requirements"

wanted() { cat benches/peer/requirements.txt examples/requirements.txt; }

torch_dir=$(scripts/setup-libtorch.sh)
if [ ! -f "$STAMP" ] || ! cmp -s "$STAMP" <(wanted); then
  echo "installing the examples' virtualenv into $VENV (about 3 GB of CUDA libraries, one time)" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # torch's own lines and its CUDA libraries, without resolving anything (see that file)
  grep -v -E '^(torch|nvidia-cuda-runtime|nvidia-cuda-cupti)==' benches/peer/requirements.txt \
    > "$VENV/requirements-torch.txt"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r "$VENV/requirements-torch.txt" >&2
  site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  dirname "$torch_dir" > "$site/textserve-libtorch.pth"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r examples/requirements.txt >&2
  "$VENV/bin/python" -c 'import torch, transformers, tokenizers
assert torch.__version__.split("+")[0] == "2.13.0", torch.__version__'
  wanted > "$STAMP"
fi
echo "$VENV/bin/python"
