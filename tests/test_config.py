"""Profiles, overrides, the saved configuration, and the reference command line."""

import shlex
import types
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


# What CUDA reports for each card: name, compute capability, total_memory in bytes, and what
# torch.cuda.is_bf16_supported() answers there (True on a T4 and a V100 too: it counts emulated bf16).
CARDS = {
    "T4": ("Tesla T4", (7, 5), 15_828_320_256, True),
    "V100": ("Tesla V100-SXM2-16GB", (7, 0), 16_935_682_048, True),
    "L4": ("NVIDIA L4", (8, 9), 23_580_639_232, True),
    "A100-40": ("NVIDIA A100-SXM4-40GB", (8, 0), 42_297_786_368, True),
    "A100-80": ("NVIDIA A100-SXM4-80GB", (8, 0), 85_097_971_712, True),
    "H100": ("NVIDIA H100 80GB HBM3", (9, 0), 85_028_044_800, True),
}


@pytest.fixture
def card(monkeypatch):
    """Make torch.cuda answer as the named card does."""
    import torch

    def use(key):
        name, (major, minor), total, bf16 = CARDS[key]
        props = types.SimpleNamespace(name=name, major=major, minor=minor, total_memory=total)
        monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
        monkeypatch.setattr(torch.cuda, "get_device_properties", lambda *a, **k: props)
        monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a, **k: (major, minor))
        monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a, **k: name)
        monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)

    return use


@pytest.mark.parametrize(
    "key, profile, dtype, micro, checkpointing",
    [
        ("T4", "t4", "float16", 2, True),
        ("V100", "t4", "float16", 2, True),
        ("L4", "a100", "bfloat16", 4, True),
        ("A100-40", "a100", "bfloat16", 4, False),
        ("A100-80", "a100", "bfloat16", 4, False),
        ("H100", "a100", "bfloat16", 4, False),
    ],
)
def test_auto_picks_the_profile_from_the_cards_capability_and_memory(
    card, key, profile, dtype, micro, checkpointing
):
    card(key)
    lines = []
    cfg = train_config("auto", log=lines.append)
    assert (cfg.profile, cfg.compute_dtype) == (profile, dtype)
    # the reference command's batch of 4 caps the micro-batch; the memory tier decides checkpointing
    assert (cfg.micro_batch_size, cfg.gradient_checkpointing) == (micro, checkpointing)
    assert len(lines) == 1 and CARDS[key][0] in lines[0] and f"profile {profile}" in lines[0]


@pytest.mark.parametrize("key, micro", [("T4", 2), ("L4", 4), ("A100-40", 4), ("A100-80", 8), ("H100", 8)])
def test_bigger_cards_take_bigger_micro_batches(card, key, micro):
    card(key)
    assert train_config("auto", batch_size=16, log=None).micro_batch_size == micro


def test_the_users_micro_batch_and_checkpointing_win_over_the_card(card):
    card("A100-80")
    cfg = train_config("auto", batch_size=16, micro_batch_size=2, gradient_checkpointing=True, log=None)
    assert (cfg.micro_batch_size, cfg.gradient_checkpointing) == (2, True)


def test_bf16_asked_of_a_card_without_native_bf16_falls_back_to_fp16(card):
    card("T4")  # is_bf16_supported() says True here, by emulation: the profile must not believe it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfg = train_config("a100", log=None)
    assert cfg.compute_dtype == "float16" and cfg.adapter_dtype == "float32"
    assert any("no native bf16" in str(w.message) for w in caught)


def test_paper_configs_ignore_the_card_here(card):
    card("H100")
    assert train_config("t4", on_this_machine=False) == train_config("t4", on_this_machine=False, log=None)
    cfg = train_config("t4", on_this_machine=False)
    assert (cfg.compute_dtype, cfg.micro_batch_size, cfg.gradient_checkpointing) == ("float16", 2, True)


def test_the_reference_command_parses_as_written():
    argv = (
        "train --base_model ./llama-3.1 --dataset_path ./data/alpaca_sql_dataset.json "
        "--output_dir ./checkpoints/lora-finetuned-llama --batch_size 4 --lora_r 8 --lora_alpha 16 "
        "--lora_dropout 0.1 --num_epochs 3 --cutoff_len 512"
    )
    argv = shlex.split(argv)
    args = build_parser(argv).parse_args(argv)
    assert (args.base_model, args.batch_size, args.lora_r, args.lora_alpha) == ("./llama-3.1", 4, 8, 16)
    assert (args.lora_dropout, args.num_epochs, args.cutoff_len, args.profile) == (0.1, 3.0, 512, "auto")


def test_a_setting_added_to_the_config_appears_on_the_command_line():
    import argparse
    import dataclasses

    from llama_sql.config import add_config_arguments, config_from_args, setting

    @dataclasses.dataclass
    class Wider(TrainConfig):
        label_smoothing: float = setting(0.0, "smooth the answer's one-hot targets")

    parser = argparse.ArgumentParser()
    add_config_arguments(parser, Wider)
    assert "smooth the answer" in parser.format_help()
    cfg = config_from_args(parser.parse_args(["--profile", "tiny", "--label_smoothing", "0.1"]), Wider)
    assert isinstance(cfg, Wider) and cfg.label_smoothing == 0.1 and cfg.profile == "tiny"
    assert config_from_args(parser.parse_args(["--profile", "tiny"]), Wider).label_smoothing == 0.0


def test_every_training_setting_is_a_flag_with_help_and_profiles_come_from_profiles():
    import dataclasses

    from llama_sql.config import PROFILES

    argv = ["train", "--help"]
    parser = build_parser(argv)
    train = parser._subparsers._group_actions[0].choices["train"]
    flags = {a.dest: a for a in train._actions}
    for item in dataclasses.fields(TrainConfig):
        if item.name != "profile":
            assert flags[item.name].help, item.name
    assert list(flags["profile"].choices) == ["auto", *PROFILES]
    args = train.parse_args(["--resume", "--no-group_by_length", "--prompt_style", "chat"])
    assert (args.resume, args.group_by_length, args.prompt_style, args.lora_r) == (True, False, "chat", None)


def test_inference_takes_the_profiles_dtype_and_never_bf16_on_a_t4(card):
    from llama_sql.config import inference_config

    assert inference_config("tiny").compute_dtype == "float32"
    card("T4")
    assert inference_config("auto").compute_dtype == "float16"
    assert inference_config("a100").compute_dtype == "float16"  # asked for, but the card has no native bf16
    card("A100-40")
    cfg = inference_config("auto", batch_size=8)
    assert (cfg.profile, cfg.compute_dtype, cfg.batch_size, cfg.max_new_tokens) == (
        "a100",
        "bfloat16",
        8,
        128,
    )
