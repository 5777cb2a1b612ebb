"""The learning gate: the reference command's adapter on the shipped tiny base learns the task; the base does not.

Held-out: the first 150 test records (no test record, and no dataset question or SQL, is in any training
or pretraining text). The figures of every recipe tried are in docs/learning-gate.md.
"""

import pytest

pytestmark = pytest.mark.slow
GATE = dict(finetuned_test=0.6, finetuned_train=0.9, base_test=0.3, gain=0.4)
# Strict: the shipped base (2,000 pretraining steps) reaches 0.46 on test and 0.68 on training records;
# the day a base reaches the gate these tests pass, XPASS fails the run, and the marker must go.
GATE_NOT_MET = pytest.mark.xfail(
    strict=True,
    reason="the shipped tiny base's fine-tune is below the gate (issue 16; docs/learning-gate.md)",
)


@pytest.fixture(scope="module")
def test_comparison(gate_comparer, project_splits, tmp_path_factory):
    from llama_sql.comparison import run_comparison

    return run_comparison(
        gate_comparer,
        project_splits / "test.json",
        tmp_path_factory.mktemp("compare"),
        limit=150,
        progress=False,
        unseen_path=project_splits / "test_unseen.json",
    )


def test_fine_tuning_adds_what_the_base_lacks(test_comparison):
    metrics = test_comparison.metrics
    base, finetuned = (metrics[k]["execution_accuracy"] for k in ("base", "finetuned"))
    print(
        {k: (metrics[k]["execution_accuracy"], metrics[k]["valid_sql_rate"]) for k in ("base", "finetuned")}
    )
    assert metrics["n"] == 150
    assert base <= GATE["base_test"]
    assert finetuned - base >= GATE["gain"]


@GATE_NOT_MET
def test_finetuned_reaches_the_gate_on_held_out_questions(test_comparison):
    assert test_comparison.metrics["finetuned"]["execution_accuracy"] >= GATE["finetuned_test"]


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
        "test_unseen",
    } <= names
    assert {p.name for p in (folder / "test_unseen").iterdir()} >= {"metrics.json", "comparison.html"}


def test_what_transfers_to_the_held_out_databases_and_phrasings(test_comparison):
    """Reported, not gated: test_unseen (two whole databases and some whole phrasings never trained on).
    The fine-tuned model learned the task, not only its databases and templates: it beats the base there."""
    unseen = test_comparison.metrics["test_unseen"]
    print({kind: (v["n"], v["base"], v["finetuned"]) for kind, v in unseen["by_kind"].items()})
    assert unseen["n"] == 150
    assert unseen["finetuned"]["execution_accuracy"] > unseen["base"]["execution_accuracy"]


@GATE_NOT_MET
def test_finetuned_fits_its_training_records(gate_comparer, project_splits):
    from llama_sql.eval.evaluation import evaluate_records
    from llama_sql.prompts import extract_sql
    from llama_sql.records import load_records

    records = load_records(project_splits / "train.json")[:150]
    outputs = gate_comparer.generate(records, "finetuned", progress=False)
    _, metrics = evaluate_records(records, [extract_sql(o.text) for o in outputs])
    print(metrics["execution_accuracy"])
    assert metrics["execution_accuracy"] >= GATE["finetuned_train"]


def test_what_transfers_to_databases_neither_model_has_seen(gate_comparer, tmp_path):
    """Reported, not gated: 100 questions over newly generated databases (a seed no corpus uses).

    The base has read such questions only in its own layouts, never in the Alpaca prompt; fine-tuning
    teaches the prompt and the project's style, so the fine-tuned model should do better on them too.
    """
    from llama_sql.comparison import run_comparison
    from llama_sql.records import write_json
    from llama_sql.tiny.probe import unseen_generated_records

    path = tmp_path / "unseen.json"
    write_json(path, unseen_generated_records(100))
    metrics = run_comparison(gate_comparer, path, tmp_path / "compare", progress=False).metrics
    print(
        {k: (metrics[k]["execution_accuracy"], metrics[k]["valid_sql_rate"]) for k in ("base", "finetuned")}
    )
    assert metrics["n"] == 100
    assert metrics["finetuned"]["execution_accuracy"] > metrics["base"]["execution_accuracy"]


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
