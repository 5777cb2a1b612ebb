"""Schema-only records are judged on generated databases, so a wrong filter cannot pass on empty tables."""

import json
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from llama_sql.eval.evaluation import evaluate_records, judge
from llama_sql.eval.sandbox import open_database
from llama_sql.eval.suite_databases import generated_databases, gold_literals, gold_mutants, is_schema_only

FIXTURES = Path(__file__).parent / "fixtures" / "evaluation"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def schema_only_records():
    return json.loads((FIXTURES / "schema_only.json").read_text())


def flip_first_comparison(sql: str) -> str | None:
    """The perturbation users worry about: the first WHERE `=` becomes `!=` (or `>` becomes `>=`)."""
    tree = sqlglot.parse_one(sql, read="sqlite")
    where = tree.find(exp.Where)
    node = where and next(where.find_all(exp.EQ, exp.GT), None)
    if node is None:
        return None
    flipped = exp.NEQ if isinstance(node, exp.EQ) else exp.GTE
    node.replace(flipped(this=node.this.copy(), expression=node.expression.copy()))
    return tree.sql(dialect="sqlite")


def perturbed(records):
    pairs = [(record, flip_first_comparison(record["output"])) for record in records]
    return [record for record, _ in pairs if _], [flip for _, flip in pairs if flip]


def test_an_empty_schema_is_recognised_and_a_filled_one_is_not():
    with open_database("CREATE TABLE t (a INT); CREATE TABLE u (b TEXT);") as db:
        assert is_schema_only(db)
    with open_database("CREATE TABLE t (a INT); CREATE TABLE u (b TEXT); INSERT INTO u VALUES ('x');") as db:
        assert not is_schema_only(db)


def test_the_gold_is_right_on_every_executable_record_and_those_are_counted():
    records = schema_only_records()
    results, metrics = evaluate_records(records, [r["output"] for r in records])
    assert metrics["execution_accuracy"] == 1.0
    assert metrics["gold_unexecutable"] == 1  # the gold asks for `losses`, which its CREATE TABLE lacks
    assert metrics["test_suite_scored"] == len(records) - 1
    missing = next(r for r in results if not r["gold_ok"])
    assert "no such column: losses" in missing["error"]


def test_flipped_comparisons_are_judged_wrong_on_generated_databases():
    records, flips = perturbed(schema_only_records())
    results, metrics = evaluate_records(records, flips)
    assert len(flips) >= 12
    assert metrics["execution_accuracy"] == 0.0, [r for r in results if r["correct"]]


def test_on_the_empty_tables_alone_those_flips_would_mostly_pass():
    records, flips = perturbed(schema_only_records())
    _, metrics = evaluate_records(records, flips, test_suite_k=0)
    assert metrics["test_suite_scored"] == 0
    assert metrics["execution_accuracy"] > 0.8  # why the generated databases exist


def test_equivalent_rewrites_still_pass_on_every_generated_database():
    record = schema_only_records()[0]  # SELECT COUNT(*) FROM head WHERE age > 56
    assert judge(record, "SELECT COUNT(name || '') + COUNT(*) - COUNT(name || '') FROM head WHERE 56 < age")[
        "correct"
    ]
    assert judge(record, "SELECT SUM(CASE WHEN age > 56 THEN 1 ELSE 0 END) FROM head")["correct"]
    assert not judge(record, "SELECT COUNT(*) FROM head WHERE age > 55")["correct"]


def test_generated_rows_hold_the_gold_literals_and_their_neighbours():
    literals, _ = gold_literals("SELECT name FROM head WHERE age > 56 AND born_state = 'Ohio'")
    assert literals == {"age": [56], "born_state": ["Ohio"]}
    spider_style, _ = gold_literals('SELECT name FROM singer WHERE country = "France"', {"name", "country"})
    assert spider_style == {"country": ["France"]}
    instruction = "CREATE TABLE head (name VARCHAR, born_state VARCHAR, age INTEGER)"
    with open_database(instruction) as base:
        databases = generated_databases(base, instruction, "SELECT name FROM head WHERE age > 56", k=3)
    try:
        ages = {row[0] for db in databases for row in db.run("SELECT age FROM head").rows}
        assert len(databases) == 3 and {55, 56, 57} <= ages
    finally:
        for db in databases:
            db.close()


def test_generation_is_deterministic():
    record = schema_only_records()[7]
    instruction, gold = record["instruction"], record["output"]
    snapshots = []
    for _ in range(2):
        with open_database(instruction) as base:
            databases = generated_databases(base, instruction, gold)
        snapshots.append([db.run("SELECT * FROM orders").rows for db in databases])
        for db in databases:
            db.close()
    assert snapshots[0] == snapshots[1]


def test_mutants_flip_comparisons_but_not_update_assignments():
    assert gold_mutants("UPDATE t SET a = 1 WHERE b = 2") == ["UPDATE t SET a = 1 WHERE b <> 2"]
    assert gold_mutants("SELECT a FROM t WHERE b > 1 AND c <= 2") == [
        "SELECT a FROM t WHERE b >= 1 AND c <= 2",
        "SELECT a FROM t WHERE b > 1 AND c < 2",
    ]


def sample_records():
    path = SAMPLES / "sql_create_context" / "sample.jsonl"
    if not path.exists():
        pytest.skip("../shared/samples is not present")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [
        {"id": str(i), "instruction": r["context"], "input": r["question"], "output": r["answer"]}
        for i, r in enumerate(rows)
    ]


def test_real_sql_create_context_rows_gold_right_and_flips_caught():
    records = sample_records()
    _, metrics = evaluate_records(records, [r["output"] for r in records])
    assert metrics["execution_accuracy"] == 1.0
    flipped_records, flips = perturbed(records)
    results, _ = evaluate_records(flipped_records, flips)
    scored = [r for r in results if r["gold_ok"]]
    assert scored and sum(not r["correct"] for r in scored) / len(scored) >= 0.8
