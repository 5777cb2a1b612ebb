"""Training records that repeat an evaluation question or query are removed, and the report says which."""

import json
from pathlib import Path

import pytest

from llama_sql.cli import main
from llama_sql.converters import convert_records
from llama_sql.dedupe import deduplicate, normalize_question, normalize_sql
from llama_sql.records import DataError, load_records, write_json

FIXTURES = Path(__file__).parent / "fixtures" / "converters"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def record(rid: str, question: str, sql: str) -> dict:
    return {
        "id": rid,
        "instruction": "Company database: CREATE TABLE t (a INT);",
        "input": f"SQL Prompt: {question}",
        "output": sql,
    }


def test_questions_match_across_spacing_case_punctuation_and_prefix():
    spider = normalize_question("How many heads of the departments are older than 56 ?")
    assert spider == normalize_question("SQL Prompt: how many heads of the departments are older than 56?")
    assert spider == "how many heads of the departments are older than 56"
    assert normalize_question("Which singers are French?") != normalize_question("Which singers are German?")


def test_queries_match_across_spacing_quotes_case_and_aliases():
    spider = 'SELECT name ,  country ,  age FROM singer AS T1 WHERE country  =  "France"'
    sqlcc = "select name, country, age from singer t1 where country = 'France';"
    assert normalize_sql(spider) == normalize_sql(sqlcc)
    assert normalize_sql("SELECT a FROM t WHERE b > 5") != normalize_sql("SELECT a FROM t WHERE b > 6")
    assert normalize_sql("") == ""


def test_converted_sql_create_context_loses_the_spider_questions_it_repeats():
    spider_dev, _ = convert_records("spider", FIXTURES / "spider")  # no .sqlite: schemas from tables.json
    sqlcc, _ = convert_records("sql-create-context", FIXTURES / "sqlcc_sample.jsonl")
    kept, report = deduplicate(sqlcc, spider_dev)
    # sqlcc-0 repeats "How many books are there?"; sqlcc-1 rewords a question but repeats its query
    assert [row["id"] for row in report.removed_records] == ["sqlcc-0", "sqlcc-1"]
    assert report.by_key == {"question": 1, "sql": 1}
    assert report.removed_records[1] == {"index": 1, "id": "sqlcc-1", "key": "sql", "eval_id": "spider-dev-2"}
    assert (report.train, report.kept, report.removed) == (8, 6, 2)
    assert [r["id"] for r in kept] == [f"sqlcc-{i}" for i in range(2, 8)]  # order kept
    assert "removed 2 of 8 training records" in report.report()


def test_matching_on_the_question_only():
    train = [
        record("a", "How many rows?", "SELECT COUNT(*) FROM t"),
        record("b", "Count the rows.", "SELECT COUNT(*) FROM t"),
    ]
    evaluation = [record("e", "how many rows", "SELECT count(a) FROM t")]
    kept, report = deduplicate(train, evaluation, keys=("question",))
    assert [r["id"] for r in kept] == ["b"] and report.by_key == {"question": 1}
    with pytest.raises(DataError, match="unknown dedupe key"):
        deduplicate(train, evaluation, keys=("explanation",))


def test_empty_questions_and_queries_never_match():
    train = [record("a", "", ""), record("b", "?", "  ;")]
    kept, report = deduplicate(train, [record("e", "", "")])
    assert len(kept) == 2 and report.removed == 0


def test_cli_dedupe_writes_the_kept_records_and_the_report(tmp_path, capsys):
    train = [
        record("a", "How many rows?", "SELECT COUNT(*) FROM t"),
        record("b", "Sum a.", "SELECT SUM(a) FROM t"),
        record("c", "Largest a?", "SELECT MAX(a) FROM t"),
    ]
    write_json(tmp_path / "train.json", train)
    write_json(tmp_path / "val.json", [record("v", "Total of a?", "select sum(a) from t")])
    write_json(tmp_path / "test.json", [record("x", "How many rows ?", "SELECT 1")])
    code = main(
        [
            "data",
            "dedupe",
            "--train",
            str(tmp_path / "train.json"),
            "--eval",
            str(tmp_path / "val.json"),
            str(tmp_path / "test.json"),
            "--output",
            str(tmp_path / "kept.jsonl"),
            "--report",
            str(tmp_path / "report.json"),
        ]
    )
    assert code == 0
    assert load_records(tmp_path / "kept.jsonl") == [train[2]]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["removed"] == 2 and report["by_key"] == {"question": 1, "sql": 1}
    assert "removed 2 of 3 training records" in capsys.readouterr().out


def test_real_samples_share_no_question(tmp_path):
    """The sql-create-context sample comes from Spider's train databases, the Spider subset from dev: no overlap."""
    if not (SAMPLES / "spider_dev_subset").is_dir() or not (SAMPLES / "sql_create_context").is_dir():
        pytest.skip("../shared/samples is not here")
    spider_dev, _ = convert_records("spider", SAMPLES / "spider_dev_subset")
    sqlcc, _ = convert_records("sql-create-context", SAMPLES / "sql_create_context" / "sample.jsonl")
    kept, report = deduplicate(sqlcc, spider_dev)
    assert report.removed == 0 and len(kept) == 64
    # ... while the Spider subset holds paraphrases of one query, which dedupe by SQL finds
    kept, report = deduplicate(spider_dev[1::2], spider_dev[0::2], keys=("sql",))
    assert report.removed > 30
