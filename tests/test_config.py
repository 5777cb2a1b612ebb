"""Profiles, overrides, the saved configuration, and the seed's command line."""

import shlex
import warnings

import pytest

from llama_sql.cli import build_parser
from llama_sql.config import LLAMA_LINEAR_MODULES, TrainConfig, train_config


def test_profiles_carry_the_hardware_settings():
    t4, a100, tiny = train_config("t4"), train_config("a100"), train_config("tiny")
    assert (t4.compute_dtype, t4.gradient_checkpointing, t4.optim) == ("float16", True, "paged_adamw_8bit")
    assert t4.adapter_dtype == "float32"  # fp16 loss scaling needs fp32 master weights
    assert (a100.compute_dtype, a100.gradient_checkpointing) == ("bfloat16", True)
    assert a100.micro_batch_size > t4.micro_batch_size
    assert tiny.compute_dtype == "float32" and tiny.load_in_4bit and t4.load_in_4bit
    assert tiny.lora_target_modules == LLAMA_LINEAR_MODULES
    assert (
        tiny.lora_r,
        tiny.lora_alpha,
        tiny.lora_dropout,
        tiny.num_epochs,
        tiny.cutoff_len,
        tiny.batch_size,
    ) == (8, 16, 0.1, 3.0, 512, 4)


def test_overrides_win_and_none_keeps_the_profile_value():
    cfg = train_config("t4", lora_r=16, learning_rate=None, batch_size=8)
    assert cfg.lora_r == 16 and cfg.learning_rate == train_config("t4").learning_rate and cfg.batch_size == 8
    assert train_config("a100", batch_size=4).micro_batch_size == 4  # never more per pass than per step
    with pytest.raises(ValueError, match="unknown profile"):
        train_config("h100")


def test_auto_is_tiny_without_a_gpu():
    assert train_config("auto").profile == "tiny"


def test_config_round_trips_through_json(tmp_path):
    cfg = train_config("t4", base_model="meta-llama/Llama-3.1-8B", max_steps=7)
    cfg.save(tmp_path / "c.json")
    assert TrainConfig.load(tmp_path / "c.json") == cfg


def test_bf16_on_a_gpu_without_it_falls_back_to_fp16(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a, **k: "Tesla T4")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfg = train_config("a100")
    assert cfg.compute_dtype == "float16" and cfg.adapter_dtype == "float32"
    assert any("no bf16" in str(w.message) for w in caught)
    assert train_config("auto").profile == "t4"


def test_the_seed_command_parses_as_written():
    argv = (
        "train --base_model ./llama-3.1 --dataset_path ./data/alpaca_sql_dataset.json "
        "--output_dir ./checkpoints/lora-finetuned-llama --batch_size 4 --lora_r 8 --lora_alpha 16 "
        "--lora_dropout 0.1 --num_epochs 3 --cutoff_len 512"
    )
    argv = shlex.split(argv)
    args = build_parser(argv).parse_args(argv)
    assert (args.base_model, args.batch_size, args.lora_r, args.lora_alpha) == ("./llama-3.1", 4, 8, 16)
    assert (args.lora_dropout, args.num_epochs, args.cutoff_len, args.profile) == (0.1, 3.0, 512, "auto")
