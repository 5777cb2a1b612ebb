"""The adapter's identity: what it was trained on, whether a base fits it, and loading the two together.

    info = read_adapter_info("runs/adapter")      # base model, dtype, profile, prompt style, dataset
    loaded = load_with_adapter("runs/adapter")    # its own base in 4-bit, the adapter attached
    loaded = load_with_adapter("runs/adapter", base_model="path/to/llama", profile="t4")

Training writes `llama_sql_adapter.json` beside PEFT's adapter files. It records the base model,
compute dtype, whether the base was 4-bit, profile, prompt style and dataset of the run, and a fingerprint of the base's shape
(and, for the tiny model, of its build). `compare`, `export` and `ask` take the base from there when
none is given, and check one that is given against the fingerprint. Adapters saved before a key
existed still load: a missing key means "unknown", never an error.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from llama_sql.config import inference_config
from llama_sql.modeling import load_4bit
from llama_sql.records import DataError, atomic_path, write_json
from llama_sql.workspace import DATASET_NOTE

ADAPTER_INFO = "llama_sql_adapter.json"  # which base, dtype, prompt style and data the adapter was trained on
FINGERPRINT_KEYS = (
    "model_type",
    "vocab_size",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "intermediate_size",
)


def adapter_info(model, cfg, style: str) -> dict:
    """What training records about itself (`model` is the PeftModel, `cfg` its TrainConfig)."""
    return {
        "base_model": cfg.base_model,
        "compute_dtype": cfg.compute_dtype,
        "load_in_4bit": cfg.load_in_4bit,
        "profile": cfg.profile,
        "prompt_style": style,
        "train_explanation": cfg.train_explanation,
        "dataset": dataset_info(cfg.dataset_path),
        "base_fingerprint": base_fingerprint(model.get_base_model().config),
    }


def dataset_info(dataset_path: str | Path) -> dict:
    """The training file, and the dataset choice manifest when one sits beside it."""
    info: dict = {"path": str(dataset_path)}
    manifest = Path(dataset_path).resolve().parent / DATASET_NOTE
    if manifest.is_file() and manifest.resolve() != Path(dataset_path).resolve():
        try:
            info["manifest"] = json.loads(manifest.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            info["manifest_error"] = f"{manifest}: not valid JSON ({err})"
    return info


def save_adapter(model, tokenizer, output_dir: str | Path, cfg, style: str, weights: bool = True) -> None:
    """Adapter, tokenizer and our adapter info, written beside the checkpoints file by file, atomically
    (`weights=False`: the adapter's own files are already there, written by the Trainer under FSDP)."""
    output_dir = Path(output_dir)
    with atomic_path(output_dir / ".final") as tmp:
        if weights:
            model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        write_json(tmp / ADAPTER_INFO, adapter_info(model, cfg, style))
        for item in sorted(tmp.iterdir()):
            os.replace(item, output_dir / item.name)


def read_adapter_info(adapter: str | Path) -> dict:
    """The adapter folder's llama_sql_adapter.json ({} for an adapter saved without one)."""
    folder = Path(adapter)
    if not (folder / "adapter_config.json").exists():
        raise DataError(
            f"{folder}: no LoRA adapter here (adapter_config.json is missing). Train one with "
            "`python -m llama_sql train --output_dir <folder>` and pass that folder as --adapter."
        )
    path = folder / ADAPTER_INFO
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataError(f"{path}: not valid JSON ({err}). Retrain, or delete the file.") from None


def adapter_base_model(adapter: str | Path, info: dict, base_model: str | None = None) -> str:
    """The base to load: the one asked for, else the adapter's own (ours, then PEFT's record of it)."""
    if base_model:
        return base_model
    if info.get("base_model"):
        return info["base_model"]
    peft_config = json.loads((Path(adapter) / "adapter_config.json").read_text())
    if peft_config.get("base_model_name_or_path"):
        return peft_config["base_model_name_or_path"]
    raise DataError(
        f"{adapter}: the adapter does not say which base it was trained on. Pass it as --base_model."
    )


def base_fingerprint(config) -> dict:
    """The base's shape; for the tiny model also which build of it (all builds share one shape)."""
    fingerprint = {k: getattr(config, k, None) for k in FINGERPRINT_KEYS}
    # A pretrained tiny base carries a manifest naming its weights' digest (tiny pretrain writes it), so
    # it tells one build from another: an adapter is only meaningful on the weights it learned on.
    manifest = Path(getattr(config, "_name_or_path", None) or "") / "manifest.json"
    if manifest.is_file():
        digest = json.loads(manifest.read_text()).get("weights_sha256")
        if digest:
            fingerprint["tiny_build"] = digest[:12]
    return fingerprint


def check_adapter_fits(info: dict, model, base_model: str, adapter) -> None:
    """Refuse a base whose shape or build differs from the one the adapter was trained on."""
    expected = info.get("base_fingerprint")
    found = base_fingerprint(model.config)
    if expected and any(found.get(key) != value for key, value in expected.items()):
        raise DataError(
            f"{adapter}: this adapter was trained on {info.get('base_model')!r}, whose shape or build "
            f"differs from {base_model!r} here (trained on {expected}, found {found}). Pass the base it "
            "was trained on as --base_model, or train a new adapter on this base (an adapter trained on "
            "another tiny base build must be retrained)."
        )


@dataclass
class LoadedAdapter:
    """A 4-bit base with the adapter attached, and what was used to load it."""

    model: object  # peft.PeftModel
    tokenizer: object
    info: dict  # the adapter's llama_sql_adapter.json ({} for old adapters)
    base_model: str  # the base actually loaded
    compute_dtype: str  # this device's profile's compute dtype (may differ from training's)

    @property
    def prompt_style(self) -> str:
        return self.info.get("prompt_style", "alpaca")


def load_with_adapter(
    adapter: str | Path,
    base_model: str | None = None,
    profile: str = "auto",
    compute_dtype: str | None = None,
) -> LoadedAdapter:
    """Load the base in 4-bit (default: the adapter's own) and attach the adapter, checking they fit.

    The compute dtype is this device's profile's (a bf16-trained adapter runs in fp16 on a T4) unless
    `compute_dtype` is given.
    """
    from peft import PeftModel

    info = read_adapter_info(adapter)
    base = adapter_base_model(adapter, info, base_model)
    dtype = compute_dtype or inference_config(profile).compute_dtype
    model, tokenizer = load_4bit(base, dtype)
    check_adapter_fits(info, model, base, adapter)
    model = PeftModel.from_pretrained(model, str(adapter))
    return LoadedAdapter(model, tokenizer, info, base, dtype)
