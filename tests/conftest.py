"""Shared fixtures: the project's splits, and the tiny model trained exactly as the reference command.

The trained adapter is cached in $LLAMA_SQL_CACHE/gate-adapter together with a fingerprint of
everything that shapes it (training data, configuration, the package's training code); a change to any
of them retrains. scripts/test.sh points notebook 03 at the same folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_SAMPLES = ROOT.parent / "shared" / "samples"
# python -m llama_sql train ... --batch_size 4 --lora_r 8 --lora_alpha 16 --lora_dropout 0.1 --num_epochs 3 --cutoff_len 512
REFERENCE_COMMAND = dict(
    batch_size=4, lora_r=8, lora_alpha=16, lora_dropout=0.1, num_epochs=3.0, cutoff_len=512
)
TRAINING_CODE = ("training.py", "adapters.py", "prompts.py", "config.py", "modeling.py")
TINY_BASE_FILES = ("model.safetensors", "tokenizer.json", "config.json")


@pytest.fixture(scope="session")
def project_splits(tmp_path_factory) -> Path:
    from llama_sql.builder import DEFAULT_OUTPUT
    from llama_sql.splits import split_file

    folder = tmp_path_factory.mktemp("splits")
    split_file(ROOT / DEFAULT_OUTPUT, folder)
    return folder


def _fingerprint(cfg, train_path: Path) -> str:
    digest = hashlib.sha256(train_path.read_bytes())
    for name in TRAINING_CODE:
        digest.update((ROOT / "llama_sql" / name).read_bytes())
    for name in TINY_BASE_FILES:  # the shipped base the adapter is trained on
        digest.update((ROOT / "llama_sql" / "tiny" / "base" / name).read_bytes())
    settings = {k: v for k, v in cfg.to_json().items() if k not in ("dataset_path", "output_dir")}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def gate_adapter(project_splits) -> Path:
    """The reference command's adapter on the tiny model and the train split (trained once per change)."""
    from llama_sql.config import train_config
    from llama_sql.tiny import cache_root
    from llama_sql.training import train

    output = cache_root() / "gate-adapter"
    cfg = train_config(
        "tiny",
        base_model="tiny",
        dataset_path=str(project_splits / "train.json"),
        output_dir=str(output),
        **REFERENCE_COMMAND,
    )
    fingerprint = _fingerprint(cfg, project_splits / "train.json")
    stamp = output / "fingerprint.txt"
    if not (stamp.exists() and stamp.read_text() == fingerprint and (output / "train_metrics.json").exists()):
        train(cfg)
        stamp.write_text(fingerprint)
    return output


@pytest.fixture(scope="session")
def short_adapter(project_splits, tmp_path_factory) -> Path:
    """A tiny adapter trained for 30 steps (about 20 s): enough to change every answer of the base."""
    from llama_sql.config import train_config
    from llama_sql.training import train

    output = tmp_path_factory.mktemp("short-adapter")
    cfg = train_config(
        "tiny",
        base_model="tiny",
        dataset_path=str(project_splits / "train.json"),
        output_dir=str(output),
        max_steps=30,
        save_steps=1000,
    )
    train(cfg)
    return output


@pytest.fixture(scope="session")
def gate_comparer(gate_adapter):
    from llama_sql.comparison import load_comparer

    return load_comparer("tiny", gate_adapter, profile="tiny")


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_model_dir):
    from llama_sql.modeling import load_tokenizer

    return load_tokenizer(str(tiny_model_dir))


@pytest.fixture(scope="session")
def tiny_model_dir() -> Path:
    from llama_sql.tiny import shipped_base

    return shipped_base()
