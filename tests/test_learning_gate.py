"""The learning gate: the reference command's adapter on the tiny model learns the task; the base does not.

Held-out: the first 150 test records (no test record is in any training or pretraining text).
"""

import pytest

pytestmark = pytest.mark.slow
# The gate's history (every recipe tried and its figures) is in docs/learning-gate.md. Strict: the day a
# recipe reaches the gate these tests pass, XPASS fails the run, and the marker must go.
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
