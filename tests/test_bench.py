"""`bench`: the keys the contract lists, measured on the tiny model (a small run), and the on-paper
memory arithmetic checked against what can be measured here."""

from __future__ import annotations

import json

import pytest

from llama_sql.bench.memory_estimate import (
    GB,
    LLAMA31_8B,
    ModelShape,
    decode_tokens_per_s_bound,
    estimate_peak_memory,
    profile_estimate,
)
from llama_sql.config import train_config

CONTRACT_KEYS = {
    "train": {"tokens_per_s", "naive_tokens_per_s", "speedup", "padding_efficiency"},
    "generate": {"batched_tokens_per_s", "sequential_tokens_per_s", "speedup", "batch_size", "agreement"},
    "evaluate": {"executions_per_s"},
    "memory": {"bytes_4bit", "bytes_16bit", "ratio", "llama31_8b_t4_peak_gb_estimate"},
}


def test_the_llama_shape_has_eight_billion_parameters():
    assert 8.0e9 < LLAMA31_8B.total_parameters < 8.1e9


def test_the_t4_estimate_fits_a_t4_and_exceeds_the_4bit_weights():
    estimate = profile_estimate("t4")
    assert 5.7 < estimate.total_gb < 15.0
    weights = estimate.term("weights_4bit").bytes + estimate.term("weights_16bit").bytes
    assert 5.5 * GB < weights < 6.0 * GB  # about 5.7 GB: NF4 layers plus 16-bit embeddings and head


def test_the_estimate_grows_with_the_micro_batch_and_shrinks_with_checkpointing():
    base = train_config("t4")
    bigger = estimate_peak_memory(train_config("t4", batch_size=8, micro_batch_size=8))
    unchecked = estimate_peak_memory(train_config("t4", gradient_checkpointing=False))
    assert bigger.total_gb > estimate_peak_memory(base).total_gb
    assert unchecked.total_gb > estimate_peak_memory(base).total_gb + 5  # 32 layers of activations


def test_the_decode_bound_matches_the_published_t4_anchor():
    assert 60 < decode_tokens_per_s_bound(gpu="t4") < 75  # bandwidth-bound near 69 tokens/s


def test_the_weight_terms_match_the_measured_footprint_of_the_tiny_model(tiny_model_dir):
    from llama_sql.modeling import load_4bit

    model, _ = load_4bit(str(tiny_model_dir), "bfloat16")
    shape = ModelShape.from_config(model.config)
    estimate = estimate_peak_memory(train_config("tiny", compute_dtype="bfloat16"), shape)
    estimated = estimate.term("weights_4bit").bytes + estimate.term("weights_16bit").bytes
    assert estimated == pytest.approx(model.get_memory_footprint(), rel=0.05)


@pytest.mark.slow
def test_a_small_bench_run_writes_every_contract_key(tmp_path, tiny_model_dir, capsys):
    from llama_sql.cli import main

    assert main(["bench", "--size", "small", "--output_dir", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "bench.json").read_text())
    for section, keys in CONTRACT_KEYS.items():
        assert keys <= set(result[section]), section
    assert result["train"]["padding_efficiency"] > result["train"]["naive_padding_efficiency"]
    assert 0 < result["memory"]["ratio"] < 1
    assert result["evaluate"]["gold_execution_accuracy"] == 1.0
    assert 0 <= result["generate"]["agreement"] <= 1
    by_k = result["candidates"]["by_k"]
    assert list(by_k) == ["1", "4", "8"]
    assert all(by_k[k]["tokens_per_s"] > 0 and by_k[k]["questions_per_s"] > 0 for k in by_k)
    assert by_k["8"]["new_tokens"] > by_k["1"]["new_tokens"]  # eight answers per question, not one
    out = capsys.readouterr().out
    assert "| training, real tokens/s |" in out and "| K = 8 |" in out
