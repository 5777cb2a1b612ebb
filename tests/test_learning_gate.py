"""The learning gate: the seed command's adapter on the tiny model learns the task; the base does not.

Held-out: the first 150 test records (no test record is in any training or pretraining text).
"""

import pytest

pytestmark = pytest.mark.slow
# Issue 4's gate is not met yet. Tiny v3 (3 layers; prompts with one row per table, so all 1,112 training
# examples fit) trained as the seed command, 2026-12-02: fine-tuned execution accuracy 0.033 on the first 150
# test records (valid SQL 0.89) and 0.087 on 150 training records; base 0.000. Tiny v1 had 0.013 on test.
# Tried 2026-12-02, not kept (each trained as the seed command; test / train = execution accuracy on the first
# 150 test / training records): pretraining the base also on generated question/SQL pairs over 40-80 generated
# databases that share no table with the dataset (GraPPa-style, pairs whose question or SQL is in the dataset
# dropped), in four layouts: database + question + SQL (2,998 pairs) 0.007 / 0.040; question + SQL alone (5,999)
# 0.000 / 0.000, although that base alone wrote the exact query for 5 of 40 questions on unseen generated
# databases; CREATE TABLEs + question + SQL (2,500) beside the unpaired text repeated 8 times 0.007 / 0.000;
# question + SQL (3,000) beside it 0.007 / 0.007. Every such base starts the fine-tune higher (loss 2.2-2.6
# against 1.4) and ends it higher (0.82-0.94 against 0.35). Also 8 KV heads instead of 2: 0.013 / 0.053; the
# unpaired SQL documents with their literals replaced by other values of the same database (so the base cannot
# memorize which value goes with which query): 0.013 / 0.027, final loss 0.66.
# Tiny v4 (the template's own text in the pretraining documents, so prompts are 20% shorter), measured
# 2026-12-02 on one machine beside v3: fine-tuned 0.027 test / 0.093 train (valid SQL 0.69 / 0.79), base 0.000;
# v3 that day 0.007 / 0.053 (valid SQL 0.84 / 0.90). v4 under pretraining seed 1235: 0.020 / 0.053 (v3 under
# it: 0.013 on test).
# Ceiling, measured outside the seed command: a full-parameter fine-tune of the v3 base (fp32, LR 1e-3, 10 epochs,
# 3.3x the seed's steps and every weight trainable) fits its training records (0.97) but reaches only 0.19 on the
# first 150 test records. It memorizes rather than reads: it does not even copy a number from the question
# ("older than 29" -> "age < 45", "more than 4200" -> "amount < 300"). So the gate is not a fitting problem that
# a better LoRA recipe solves; it needs a base that already generalizes, which pretraining within the seed
# command's 10 minutes on 2 cores has not given in any variant tried.
# Strict: the day a recipe reaches the gate these tests pass, XPASS fails the run and the marker must go.
GATE_NOT_MET = pytest.mark.xfail(strict=True, reason="learning gate not met by the tiny recipe yet (issue 4)")


@pytest.fixture(scope="module")
def test_comparison(gate_comparer, project_splits, tmp_path_factory):
    from llama_sql.comparison import run_comparison

    return run_comparison(
        gate_comparer,
        project_splits / "test.json",
        tmp_path_factory.mktemp("compare"),
        limit=150,
        progress=False,
    )


@GATE_NOT_MET
def test_finetuned_beats_base_on_held_out_questions(test_comparison):
    metrics = test_comparison.metrics
    print(
        {k: (metrics[k]["execution_accuracy"], metrics[k]["valid_sql_rate"]) for k in ("base", "finetuned")}
    )
    assert metrics["n"] == 150
    assert metrics["finetuned"]["execution_accuracy"] >= 0.5
    assert metrics["base"]["execution_accuracy"] <= 0.05


def test_finetuned_stops_on_its_own(test_comparison):
    assert test_comparison.metrics["finetuned"]["eos_stop_rate"] >= 0.95


def test_compare_writes_the_contracts_files(test_comparison, tmp_path):
    from llama_sql.comparison import write_comparison

    folder = write_comparison(test_comparison, tmp_path / "out")
    names = {p.name for p in folder.iterdir()}
    assert {
        "comparison.csv",
        "comparison.html",
        "metrics.json",
        "predictions_base.jsonl",
        "predictions_finetuned.jsonl",
    } <= names


@GATE_NOT_MET
def test_finetuned_fits_its_training_records(gate_comparer, project_splits):
    from llama_sql.eval.evaluation import evaluate_records
    from llama_sql.prompts import extract_sql
    from llama_sql.records import load_records

    records = load_records(project_splits / "train.json")[:150]
    outputs = gate_comparer.generate(records, "finetuned", progress=False)
    _, metrics = evaluate_records(records, [extract_sql(o.text) for o in outputs])
    assert metrics["execution_accuracy"] >= 0.9


@pytest.mark.parametrize("which", ["base", "finetuned"])
def test_batched_generation_agrees_with_one_at_a_time(gate_comparer, project_splits, which):
    """Batched with shared prefixes (how compare runs) gives exactly what one prompt at a time gives."""
    import contextlib

    from llama_sql.generation import generate, shared_prefix_lengths
    from llama_sql.prompts import render_prompt
    from llama_sql.records import load_records

    records = load_records(project_splits / "test.json")[:24]
    prompts = [render_prompt(r) for r in records]
    model, tokenizer = gate_comparer.model, gate_comparer.tokenizer
    assert sum(n > 0 for n in shared_prefix_lengths([tokenizer(p)["input_ids"] for p in prompts])) >= 12
    with model.disable_adapter() if which == "base" else contextlib.nullcontext():
        batched = generate(model, tokenizer, prompts, max_new_tokens=48, progress=False)
        single = generate(model, tokenizer, prompts, 1, 48, progress=False, share_prefixes=False)
    assert [(g.text, g.new_tokens) for g in batched] == [(g.text, g.new_tokens) for g in single]
