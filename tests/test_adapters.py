"""The adapter knows its base: what training records beside it, and how compare/export/ask read it."""

import json

import pytest

from llama_sql.adapters import ADAPTER_INFO, adapter_base_model, dataset_info, read_adapter_info
from llama_sql.records import DataError


@pytest.mark.slow
def test_training_records_base_dtype_profile_and_data(short_adapter, project_splits):
    info = read_adapter_info(short_adapter)
    assert info["base_model"] == "tiny" and info["compute_dtype"] == "float32" and info["profile"] == "tiny"
    assert info["prompt_style"] == "alpaca" and info["train_explanation"] is False and info["load_in_4bit"]
    assert info["dataset"] == {"path": str(project_splits / "train.json")}
    from llama_sql.tiny import shipped_base

    manifest = json.loads((shipped_base() / "manifest.json").read_text())
    assert info["base_fingerprint"]["tiny_build"] == manifest["weights_sha256"][:12]
    metrics = json.loads((short_adapter / "train_metrics.json").read_text())
    assert "peak_gpu_memory" in metrics and metrics["peak_gpu_memory"] is None  # a CPU run


def test_the_dataset_manifest_beside_the_training_file_is_copied(tmp_path):
    (tmp_path / "train.json").write_text("[]")
    assert dataset_info(tmp_path / "train.json") == {"path": str(tmp_path / "train.json")}
    manifest = {"source": "spider", "splits": {"train": 1000, "test": 200}}
    (tmp_path / "dataset.json").write_text(json.dumps(manifest))
    assert dataset_info(tmp_path / "train.json")["manifest"] == manifest


def _adapter_folder(tmp_path, peft_config=None, info=None):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "adapter_config.json").write_text(json.dumps(peft_config or {}))
    if info is not None:
        (tmp_path / ADAPTER_INFO).write_text(json.dumps(info))
    return tmp_path


def test_the_base_is_the_adapters_own_unless_one_is_given(tmp_path):
    folder = _adapter_folder(tmp_path, info={"base_model": "meta-llama/Llama-3.1-8B"})
    info = read_adapter_info(folder)
    assert adapter_base_model(folder, info) == "meta-llama/Llama-3.1-8B"
    assert adapter_base_model(folder, info, "my/llama") == "my/llama"  # an explicit base wins


def test_an_old_adapter_without_our_record_still_loads(tmp_path):
    folder = _adapter_folder(tmp_path, peft_config={"base_model_name_or_path": "meta-llama/Llama-3.1-8B"})
    info = read_adapter_info(folder)
    assert info == {}
    assert adapter_base_model(folder, info) == "meta-llama/Llama-3.1-8B"  # PEFT's own record
    bare = _adapter_folder(tmp_path / "bare")
    with pytest.raises(DataError, match="--base_model"):
        adapter_base_model(bare, {})


def test_a_folder_without_an_adapter_is_named(tmp_path):
    with pytest.raises(DataError, match="adapter_config.json"):
        read_adapter_info(tmp_path)


@pytest.mark.slow
def test_a_bf16_adapter_runs_in_this_devices_dtype(short_adapter, project_splits, tmp_path):
    """An adapter trained in bf16 (an A100) compared where the profile computes in another dtype."""
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    from llama_sql.comparison import load_comparer
    from llama_sql.records import load_records

    adapter = tmp_path / "bf16-adapter"
    shutil.copytree(short_adapter, adapter, ignore=shutil.ignore_patterns("checkpoint-*"))
    weights = load_file(adapter / "adapter_model.safetensors")
    save_file({k: v.to(torch.bfloat16) for k, v in weights.items()}, adapter / "adapter_model.safetensors")
    info = read_adapter_info(adapter)
    (adapter / ADAPTER_INFO).write_text(json.dumps({**info, "compute_dtype": "bfloat16", "profile": "a100"}))

    comparer = load_comparer(None, adapter, profile="tiny")
    assert (comparer.base_model, comparer.compute_dtype) == ("tiny", "float32")
    outputs = comparer.generate(load_records(project_splits / "test.json")[:4], "finetuned", progress=False)
    assert all(o.new_tokens > 0 for o in outputs)
