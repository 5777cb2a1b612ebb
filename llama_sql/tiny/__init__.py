"""The tiny Llama-3.1-shaped models: the pretrained base that `--base_model tiny` means, and a random one.

    corpus.py        the pretraining corpus: invented databases, questions and SQL in their own layouts
    pretrain.py      `python -m llama_sql tiny pretrain --output DIR`: rebuilds the base from its recipe
    probe.py         the base's own-layout execution accuracy, before any fine-tuning
    architecture.py  the Llama 3.1 shape in miniature, its tokenizer and model builders
    random_model.py  a random-weight model built in about a second, for plumbing tests

The pretrained base ships in `base/` (float16 safetensors, tokenizer, manifest.json) and loads through
modeling.load_4bit like any other model folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from llama_sql.records import DataError


def cache_root() -> Path:
    """Where generated corpora, pretraining checkpoints and the tests' adapter are cached."""
    return Path(os.environ.get("LLAMA_SQL_CACHE", Path.home() / ".cache" / "llama_sql"))


BASE_DIR = Path(__file__).resolve().parent / "base"  # the shipped pretrained tiny base


def shipped_base() -> Path:
    """The shipped tiny base's folder; a `DataError` saying how to rebuild it when it is missing."""
    if not (BASE_DIR / "config.json").exists() or not (BASE_DIR / "model.safetensors").exists():
        raise DataError(
            f"the pretrained tiny base is missing from {BASE_DIR} (config.json and model.safetensors). "
            "It ships with the project: restore it from git (`git checkout -- llama_sql/tiny/base`), or "
            f"rebuild it with `python -m llama_sql tiny pretrain --output {BASE_DIR}` (BENCHMARKS.md says how long it takes)."
        )
    return BASE_DIR
