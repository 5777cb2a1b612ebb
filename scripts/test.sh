#!/usr/bin/env bash
# The whole test suite: lint, unit and end-to-end tests (tiny model on CPU), then the notebooks under nbval.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
export LLAMA_SQL_CACHE="${LLAMA_SQL_CACHE:-$PWD/.cache/llama_sql}"
ruff check .
ruff format --check .
python -m pytest -q
# Notebooks, in order, on the tiny profile: 01 writes the splits, 02 trains briefly (a smaller value
# than the default, as CI should), 03 compares with the adapter the learning-gate test trained.
LLAMA_SQL_BASE_MODEL=tiny LLAMA_SQL_PROFILE=tiny LLAMA_SQL_MAX_STEPS=30 \
LLAMA_SQL_ADAPTER="$LLAMA_SQL_CACHE/gate-adapter" \
  python -m pytest -q --nbval-lax notebooks/
