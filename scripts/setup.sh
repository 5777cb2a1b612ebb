#!/usr/bin/env bash
# Set up .venv with PyTorch, the project, Jupyter and the test tools (idempotent). Sourced by demo.sh and test.sh.
#   TORCH_SPEC   the torch requirement to install first (default: torch==2.13.0, a CPU build here);
#                a GPU machine or Colab keeps the torch it already has.
#   PYTHON       the interpreter that creates the venv (default: python3)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
# shellcheck disable=SC1091
source .venv/bin/activate
python -m pip install -q --upgrade pip
# torch first, pinned: an unpinned torch pulls a multi-GB CUDA build.
python -c "import torch" 2>/dev/null || python -m pip install -q "${TORCH_SPEC:-torch==2.13.0}"
python -m pip install -q -e ".[dev,notebooks]"
