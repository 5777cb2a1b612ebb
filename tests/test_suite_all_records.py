"""Test-suite accuracy on every record: near-misses of the project's gold queries are rejected.

Execution accuracy runs a prediction on the record's own database, where a third of the mutants below
return the gold's rows by luck. Test-suite accuracy also runs it on K neighbour databases
(llama_sql/eval/neighbour_databases.py). The mutants are made by llama_sql/eval/mutants.py; those a
person read and found to mean the same as their gold are listed, with the reason, in
fixtures/evaluation/equivalent_mutants.json. The whole dataset's figures are in BENCHMARKS.md.
"""

import json
import re
from pathlib import Path

import pytest

from llama_sql.builder import DEFAULT_OUTPUT
from llama_sql.cli import main
from llama_sql.comparison import ComparisonResult
from llama_sql.eval.evaluation import evaluate_records, judge
from llama_sql.eval.execution_match import execution_match, has_top_level_order_by
from llama_sql.eval.mutant_rejection import load_equivalent, measure
from llama_sql.eval.neighbour_databases import neighbour_databases
from llama_sql.eval.sandbox import open_database
from llama_sql.records import load_records
from llama_sql.reports import (
    metrics_frame,
    per_category_frame,
    side_by_side_frame,
    side_by_side_table,
    write_html_report,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "evaluation"
EQUIVALENT = FIXTURES / "equivalent_mutants.json"
SAMPLE_EVERY = 4  # a fixed quarter of the dataset: 348 golds and 372 mutants


@pytest.fixture(scope="module")
def dataset() -> list[dict]:
    return load_records(ROOT / DEFAULT_OUTPUT)


@pytest.fixture(scope="module")
def report(dataset):
    return measure(dataset[::SAMPLE_EVERY])


@pytest.fixture(scope="module")
def hospital(dataset) -> str:
    return next(r["instruction"] for r in dataset if r["db_id"] == "hospital")


def test_non_equivalent_mutants_are_rejected_by_the_test_suite(report):
    equivalent = load_equivalent(EQUIVALENT)
    assert sum(report.mutants.values()) >= 300
    assert report.share("test_suite", equivalent) >= 0.95, report.accepted
    # on the record's own database alone a third of them pass: why the neighbours exist
    assert report.share("execution", equivalent) < 0.8
    for row in report.table(equivalent):
        assert row["rejected_test_suite"] >= 0.9, row


def test_every_listed_equivalent_mutant_passes(report, dataset):
    """The reverse check: a mutant that means the same as its gold is never rejected."""
    sample = {str(r["id"]) for r in dataset[::SAMPLE_EVERY]}
    listed = {(e["id"], e["sql"]) for e in json.loads(EQUIVALENT.read_text()) if e["id"] in sample}
    assert len(listed) >= 40
    assert listed <= {(a["id"], a["sql"]) for a in report.accepted}


def test_every_gold_matches_itself_on_all_its_databases(report):
    assert report.gold_mismatches == []


def test_records_get_k_neighbours_on_which_the_gold_runs(dataset):
    records = dataset[::20]
    complete = 0
    for record in records:
        gold = record["output"]
        with open_database(instruction=record["instruction"]) as db:
            neighbours = neighbour_databases(db, gold, k=3, judged_on=[db])
        complete += len(neighbours) == 3
        for neighbour, gold_run in neighbours:
            again = neighbour.run(gold)
            assert gold_run.ok and execution_match(gold_run, again, has_top_level_order_by(gold))
            neighbour.close()
    assert complete >= 0.95 * len(records)


EQUIVALENT_REWRITES = [
    (  # join order swapped, table aliases
        "SELECT DISTINCT patients.name FROM patients JOIN diagnoses ON patients.patient_id = "
        "diagnoses.patient_id WHERE diagnoses.cost > 240",
        "SELECT DISTINCT p.name FROM diagnoses AS d JOIN patients AS p ON d.patient_id = p.patient_id "
        "WHERE 240 < d.cost",
    ),
    ("SELECT name FROM patients WHERE age >= 45", "SELECT name FROM patients WHERE NOT age < 45"),
    (  # IN (subquery) and JOIN + DISTINCT agree while the key is selected
        "SELECT patient_id, name FROM patients WHERE patient_id IN "
        "(SELECT patient_id FROM diagnoses WHERE cost > 200)",
        "SELECT DISTINCT patients.patient_id, patients.name FROM patients JOIN diagnoses "
        "ON patients.patient_id = diagnoses.patient_id WHERE diagnoses.cost > 200",
    ),
    (
        "SELECT COUNT(*) FROM diagnoses WHERE cost BETWEEN 100 AND 250",
        "SELECT COUNT(*) FROM diagnoses WHERE cost >= 100 AND cost <= 250",
    ),
    (  # patient_id is the INTEGER PRIMARY KEY: never NULL
        "SELECT city, COUNT(*) FROM patients GROUP BY city",
        "SELECT COUNT(patient_id), city FROM patients GROUP BY city",
    ),
    (
        "SELECT name, age FROM patients ORDER BY age DESC, name",
        "SELECT p.name, p.age FROM patients p ORDER BY p.age DESC, p.name ASC",
    ),
]


@pytest.mark.parametrize(("gold", "rewrite"), EQUIVALENT_REWRITES)
def test_equivalent_rewrites_pass_on_every_neighbour(hospital, gold, rewrite):
    verdict = judge({"instruction": hospital, "input": "?", "output": gold}, rewrite)
    assert verdict["correct"] and verdict["test_suite_correct"], verdict


def test_a_query_right_by_luck_keeps_its_execution_verdict_and_fails_the_test_suite(hospital):
    # one Arrhythmia diagnosis on the record's own rows: MIN and MAX of its cost agree there
    record = {
        "instruction": hospital,
        "input": "?",
        "output": "SELECT MIN(cost) FROM diagnoses WHERE diagnosis = 'Arrhythmia'",
    }
    lucky = "SELECT MAX(cost) FROM diagnoses WHERE diagnosis = 'Arrhythmia'"
    verdict = judge(record, lucky)
    assert verdict["correct"] and verdict["outcome"] == "correct" and verdict["error"] is None
    assert not verdict["test_suite_correct"]
    assert re.match(r"on neighbour database \d of 3: the rows differ", verdict["test_suite_error"])
    assert judge(record, lucky, test_suite_k=0)["test_suite_correct"]  # K = 0: no neighbours


def test_schema_only_records_stay_consistent():
    """Schema-only records keep execution accuracy on generated databases; the test suite adds neighbours."""
    records = json.loads((FIXTURES / "schema_only.json").read_text())
    results, metrics = evaluate_records(records, [r["output"] for r in records])
    assert metrics["test_suite_accuracy"] == metrics["execution_accuracy"] == 1.0
    wrong = [r["output"].replace(">", ">=", 1) if ">" in r["output"] else "SELECT 1" for r in records]
    results, metrics = evaluate_records(records, wrong)
    assert all(r["correct"] or not r["test_suite_correct"] for r in results)  # never above execution
    assert metrics["test_suite_accuracy"] <= metrics["execution_accuracy"]


def test_evaluate_reports_both_accuracies_and_k_zero_turns_neighbours_off(tmp_path):
    dataset = FIXTURES / "company_shop.json"
    predictions = FIXTURES / "predictions.jsonl"
    found = {}
    for k in ("3", "0"):
        out = tmp_path / f"k{k}"
        args = ["evaluate", "--dataset_path", str(dataset), "--predictions", str(predictions)]
        assert main([*args, "--output_dir", str(out), "--test_suite_k", k]) == 0
        found[k] = json.loads((out / "metrics.json").read_text())
        results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
        assert all("test_suite_correct" in r for r in results)
    assert found["3"]["test_suite_accuracy"] < found["3"]["execution_accuracy"]
    assert (
        found["0"]["test_suite_accuracy"]
        == found["0"]["execution_accuracy"]
        == found["3"]["execution_accuracy"]
    )


def test_the_comparison_report_shows_both_accuracies(tmp_path):
    records = json.loads((FIXTURES / "company_shop.json").read_text())
    predictions = [
        json.loads(line)["prediction"] for line in (FIXTURES / "predictions.jsonl").read_text().splitlines()
    ]
    results, metrics = {}, {"n": len(records), "dataset": "company_shop.json"}
    answers = {"base": predictions, "finetuned": [r["output"] for r in records]}
    for which, sql in answers.items():
        results[which], metrics[which] = evaluate_records(records, sql)
        metrics[which]["eos_stop_rate"] = 1.0
    shown = {which: [{"prediction": p} for p in sql] for which, sql in answers.items()}
    result = ComparisonResult(records, shown, results, metrics)
    headline = metrics_frame(metrics)
    assert headline.loc["test_suite_accuracy", "finetuned"] == 1.0
    assert headline.loc["test_suite_accuracy", "base"] < headline.loc["execution_accuracy", "base"]
    assert {"base_test_suite", "finetuned_test_suite"} <= set(per_category_frame(metrics).columns)
    frame = side_by_side_frame(result)
    assert (
        list(frame["base_ok"] == "✓").count(True) == 3
        and list(frame["base_test_suite"] == "✓").count(True) == 2
    )
    assert "finetuned_test_suite" in side_by_side_table(result).data.columns
    write_html_report(result, frame, tmp_path / "comparison.html")
    assert "test_suite_accuracy" in (tmp_path / "comparison.html").read_text()
