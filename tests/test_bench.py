"""`bench`: the keys the contract lists, measured on the tiny model (a small run), and the on-paper
memory arithmetic checked against what can be measured here."""

from __future__ import annotations

import json
import statistics

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
    "train": {"tokens_per_s", "naive_tokens_per_s", "speedup", "padding_efficiency", "speedup_vs_trl_default", "mfu"},
    "generate": {"batched_tokens_per_s", "sequential_tokens_per_s", "speedup", "batch_size", "agreement",
                 "speedup_vs_plain_batched", "mfu"},
    "evaluate": {"executions_per_s", "overhead_vs_plain_sqlite"},
    "memory": {"bytes_4bit", "bytes_16bit", "ratio", "llama31_8b_t4_peak_gb_estimate"},
    "machine": {"peak_flops"},
}  # fmt: skip
# the timed ratios, each with its rounds, minimum and maximum beside it
RATIOS = {
    "train": ("speedup", "speedup_vs_trl_default"),
    "generate": ("speedup", "speedup_vs_plain_batched"),
    "evaluate": ("overhead_vs_plain_sqlite",),
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


def test_frozen_base_training_costs_about_4n_flops_a_token_and_generation_2n():
    from llama_sql.bench.flops import MatmulWeights, generation_flops, training_flops
    from llama_sql.config import LLAMA_LINEAR_MODULES

    weights = MatmulWeights.of(LLAMA31_8B, lora_r=8, lora_modules=LLAMA_LINEAR_MODULES)
    n = weights.base + weights.lora  # the projections and the adapters: about 7.0e9 for Llama-3.1-8B
    assert 6.9e9 < n < 7.1e9
    per_token = training_flops(weights, [1], answer_tokens=0)  # one token: no attention to speak of
    assert 4 * n < per_token < 4.01 * n  # not 6N: the frozen base computes no weight gradients
    # the head counts only where it is used: once for the prompt's last position, once per new token
    assert generation_flops(weights, [1], [1]) == pytest.approx(2 * n + 2 * weights.head, rel=1e-3)
    # causal attention grows with the square of the length, 3x in training (forward, and twice backward)
    longer = training_flops(weights, [2048], 0) - 2048 * (4 * n + 2 * weights.lora)
    assert longer == 3 * weights.causal_pairs_flops(2048) == 3 * 4 * 4096 * 32 * (2048 * 2049 // 2)


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

    assert main(["bench", "--size", "small", "--repeat", "2", "--output_dir", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "bench.json").read_text())
    for section, keys in CONTRACT_KEYS.items():
        assert keys <= set(result[section]), section
    for section, ratios in RATIOS.items():
        assert len(result[section]["rounds"]) == 2
        for name in ratios:
            figure = result[section]["spread"][name]
            assert figure["min"] <= result[section][name] <= figure["max"], (section, name)
            assert len(figure["rounds"]) == 2 and all(name in r for r in result[section]["rounds"])
    assert result["train"]["padding_efficiency"] > result["train"]["naive_padding_efficiency"]
    peak = result["machine"]["peak_flops"]
    assert peak == max(result["machine"]["peak_flops_measured"]) > 1e9  # the best of two measurements
    for section, ours in (("train", "recipe"), ("generate", "batched")):
        rates = result[section]["model_flops_per_s"][ours]  # per round
        assert result[section]["mfu"] == pytest.approx(statistics.median(rates) / peak, abs=1e-4)
        assert result[section]["mfu"] > 0
    assert 0 < result["memory"]["ratio"] < 1
    assert result["evaluate"]["gold_execution_accuracy"] == 1.0
    assert 0 <= result["generate"]["agreement"] <= 1
    assert result["generate"]["plain_batched"]["agreement"] == 1.0  # a user's batched generate, same outputs
    by_k = result["candidates"]["by_k"]
    assert list(by_k) == ["1", "4", "8"]
    assert all(by_k[k]["tokens_per_s"] > 0 and by_k[k]["questions_per_s"] > 0 for k in by_k)
    assert by_k["8"]["new_tokens"] > by_k["1"]["new_tokens"]  # eight answers per question, not one
    out = capsys.readouterr().out
    assert "| training, real tokens/s (vs TRL defaults) |" in out and "over 2 rounds" in out
    assert "| K = 8 |" in out
