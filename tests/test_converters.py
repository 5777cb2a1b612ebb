"""`data convert`: gretel, sql-create-context and Spider files become records whose gold SQL runs and scores 1.0."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from llama_sql.cli import main
from llama_sql.converters import convert, convert_records
from llama_sql.converters.hub import looks_like_hub_id
from llama_sql.eval.evaluation import evaluate_records
from llama_sql.records import DataError, load_records

FIXTURES = Path(__file__).parent / "fixtures" / "converters"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
REPO = Path(__file__).resolve().parents[1]


def gold_scores(records: list[dict], base_dir) -> dict:
    """Evaluate every record with its own gold SQL as the prediction; executable flags must match gold_ok."""
    results, metrics = evaluate_records(records, [r["output"] for r in records], base_dir=base_dir)
    assert [r["executable"] for r in records] == [res["gold_ok"] for res in results]
    return metrics


@pytest.fixture
def spider_folder(tmp_path) -> Path:
    """The committed Spider fixture with library_1.sqlite built from its schema.sql (orchestra_2 has no file)."""
    folder = tmp_path / "spider"
    shutil.copytree(FIXTURES / "spider", folder)
    db_dir = folder / "database" / "library_1"
    with sqlite3.connect(db_dir / "library_1.sqlite") as conn:
        conn.executescript((db_dir / "schema.sql").read_text())
    conn.close()
    return folder


# --- gretel ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "parquet"])
def test_gretel_every_format_gives_the_same_records(fmt):
    records, summary = convert_records("gretel", FIXTURES / f"gretel_sample.{fmt}")
    reference, _ = convert_records("gretel", FIXTURES / "gretel_sample.jsonl")
    fields = ("id", "instruction", "input", "output", "category", "executable")
    assert [[r.get(f) for f in fields] for r in records] == [[r.get(f) for f in fields] for r in reference]
    assert (summary.read, summary.converted, summary.flagged, summary.skipped) == (20, 19, 1, 1)
    # the parquet file has a NaN explanation in row 2: the record simply has none
    assert ("explanation" in records[2]) == (fmt != "parquet")


def test_gretel_summary_counts_translations_flags_and_skips():
    _, summary = convert_records("gretel", FIXTURES / "gretel_sample.jsonl")
    assert summary.translated == 13
    assert summary.flagged_reasons == {"the gold SQL does not run: no such function: REGEXP": 1}
    assert summary.flagged_examples["the gold SQL does not run: no such function: REGEXP"] == ["gretel-117"]
    assert summary.skipped_rows == ["row 17 (id 118): no sql_prompt (the question)"]
    assert "flagged unexecutable 1" in summary.report() and "row 17 (id 118)" in summary.report()


def test_gretel_fields_and_original_text_are_kept():
    records = {r["id"]: r for r in convert_records("gretel", FIXTURES / "gretel_sample.jsonl")[0]}
    plain = records["gretel-101"]
    assert plain["instruction"].startswith("Company database: CREATE TABLE products")
    assert plain["input"] == "SQL Prompt: What is the average price of products in each category?"
    assert plain["output"] == "SELECT category, AVG(price) FROM products GROUP BY category;"
    assert (plain["category"], plain["source"], plain["domain"], plain["task_type"]) == (
        "aggregation",
        "gretel",
        "retail",
        "analytics and reporting",
    )
    assert plain["explanation"].startswith("Groups products") and "original_output" not in plain

    year = records["gretel-102"]
    assert "YEAR(" in year["original_output"] and "STRFTIME('%Y'" in year["output"]
    assert year["translated_from"] == "mysql" and year["executable"] is True

    schema = records["gretel-107"]  # CREATE SCHEMA shop + shop.customers + AUTO_INCREMENT
    assert "shop." in schema["original_instruction"] and "shop." not in schema["instruction"]
    assert "CREATE SCHEMA" not in schema["instruction"]

    procedure = records["gretel-120"]  # a MySQL procedure in the context: left out, the tables kept
    assert procedure["executable"] is True
    assert procedure["dropped_statements"][0].startswith("CREATE PROCEDURE")

    regexp = records["gretel-117"]
    assert regexp["executable"] is False and "REGEXP" in regexp["conversion_error"]


def test_gretel_gold_sql_scores_one_on_every_executable_record(tmp_path):
    summary = convert("gretel", FIXTURES / "gretel_sample.parquet", tmp_path / "gretel.json")
    records = load_records(tmp_path / "gretel.json")
    metrics = gold_scores(records, tmp_path)
    assert metrics["execution_accuracy"] == 1.0
    assert metrics["gold_unexecutable"] == summary.flagged == 1
    assert metrics["scored"] == 18
    # data-changing tasks (UPDATE, DELETE, INSERT, ALTER) are kept and scored too
    assert {r["task_type"] for r in records} >= {"data manipulation", "data definition"}


def test_gretel_with_only_the_required_columns(tmp_path):
    rows = [
        {
            "sql_prompt": "How many rows?",
            "sql_context": "CREATE TABLE t (a INT); INSERT INTO t VALUES (1);",
            "sql": "SELECT COUNT(*) FROM t JOIN t AS u ON t.a = u.a",
        }
    ]
    path = tmp_path / "minimal.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    [record], summary = convert_records("gretel", path)
    assert record["id"] == "gretel-0" and record["category"] == "single join"
    assert "explanation" not in record and summary.converted == 1


def test_gretel_unparsable_sql_is_flagged_not_a_crash(tmp_path):
    rows = [
        {
            "id": 1,
            "sql_prompt": "q",
            "sql_context": "CREATE TABLE t (a INT);",
            "sql": "SELEC * FORM t WHERE ((",
        },
        {"id": 1, "sql_prompt": "q2", "sql_context": "CREATE TABLE t (a INT);", "sql": "SELECT a FROM t"},
    ]
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(rows))
    records, summary = convert_records("gretel", path)
    assert records[0]["executable"] is False and "syntax error" in records[0]["conversion_error"]
    assert [r["id"] for r in records] == ["gretel-1", "gretel-1-2"]  # ids stay unique
    assert summary.flagged == 1


def test_gretel_context_statement_sqlite_rejects_is_left_out_and_listed(tmp_path):
    context = (
        "CREATE TABLE v (id INT PRIMARY KEY, name TEXT); INSERT INTO v VALUES (1, 'a'), (2, 'b'); "
        "INSERT INTO v VALUES (2, 'duplicate');"
    )
    path = tmp_path / "dup.jsonl"
    path.write_text(
        json.dumps({"id": 7, "sql_prompt": "Names?", "sql_context": context, "sql": "SELECT name FROM v"})
    )
    [record], _ = convert_records("gretel", path)
    assert record["executable"] is True
    assert record["dropped_statements"] == ["INSERT INTO v VALUES (2, 'duplicate')"]
    assert record["original_instruction"] == "Company database: " + context


def test_gretel_pandas_column_layout_json_and_limit(tmp_path):
    import pandas as pd

    frame = pd.read_json(FIXTURES / "gretel_sample.jsonl", lines=True)
    path = tmp_path / "columns.json"
    frame.to_json(path)  # pandas' default layout: {"column": {"0": value, ...}}
    records, summary = convert_records("gretel", path, limit=5)
    assert summary.read == 5 and [r["id"] for r in records] == [f"gretel-{i}" for i in range(101, 106)]


def test_gretel_file_without_a_required_column_names_it(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("question,context,answer\nq,CREATE TABLE t (a INT),SELECT a FROM t\n")
    with pytest.raises(DataError, match=r"wrong.csv: no column 'sql_prompt'.*gretel"):
        convert_records("gretel", path)


def test_bad_jsonl_line_is_named(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"sql_prompt": "q", "sql_context": "", "sql": "SELECT 1"}\n{"sql_prompt": \n')
    with pytest.raises(DataError, match="broken.jsonl: line 2 is not valid JSON"):
        convert_records("gretel", path)


# --- sql-create-context ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_sql_create_context_records_flags_and_skips(fmt):
    records, summary = convert_records("sql-create-context", FIXTURES / f"sqlcc_sample.{fmt}")
    assert (summary.read, summary.converted, summary.flagged, summary.skipped) == (10, 8, 1, 2)
    first = records[0]
    assert first == {
        "id": "sqlcc-0",
        "instruction": "Company database: CREATE TABLE book (Id VARCHAR)",
        "input": "SQL Prompt: How many books are there ?",
        "output": "SELECT COUNT(*) FROM book",
        "category": "aggregation",
        "source": "sql-create-context",
        "executable": True,
    }
    missing = next(r for r in records if r["id"] == "sqlcc-7")  # the context omits `capacity`
    assert missing["executable"] is False and "no such column: capacity" in missing["conversion_error"]
    assert summary.skipped_rows == ["row 8: no question", "row 9: no answer (the gold query)"]


def test_sql_create_context_gold_scores_one_on_generated_databases(tmp_path):
    convert("sql-create-context", FIXTURES / "sqlcc_sample.jsonl", tmp_path / "sqlcc.jsonl")
    records = load_records(tmp_path / "sqlcc.jsonl")
    metrics = gold_scores(records, tmp_path)
    assert metrics["execution_accuracy"] == 1.0 and metrics["gold_unexecutable"] == 1
    assert metrics["test_suite_scored"] == 7  # schema-only contexts: judged on generated databases


# --- spider ---------------------------------------------------------------------------------------


def test_spider_records_point_at_the_real_database(spider_folder, tmp_path):
    out = tmp_path / "out" / "spider_dev.json"
    summary = convert("spider", spider_folder, out)
    records = load_records(out)
    assert (summary.read, summary.converted, summary.flagged, summary.skipped) == (11, 10, 1, 1)
    first = records[0]
    assert first["id"] == "spider-dev-0" and first["db_id"] == "library_1" and first["source"] == "spider"
    assert first["instruction"].startswith('library_1 database: CREATE TABLE "author" ("author_id" int,')
    assert first["db_path"] == "../spider/database/library_1/library_1.sqlite"
    assert (out.parent / first["db_path"]).is_file()
    assert first["input"] == "SQL Prompt: How many books are there?"
    isbn = records[7]
    assert isbn["executable"] is False and "no such column: isbn" in isbn["conversion_error"]
    assert summary.skipped_rows == ["row 8: no question"]


def test_spider_database_missing_from_the_folder_is_described_from_tables_json(spider_folder):
    records, _ = convert_records("spider", spider_folder)
    orchestra = [r for r in records if r["db_id"] == "orchestra_2"]
    assert len(orchestra) == 2 and all("db_path" not in r for r in orchestra)
    assert orchestra[0]["instruction"].startswith(
        'orchestra_2 database: CREATE TABLE "conductor" ("Conductor_ID" number'
    )
    assert (
        'FOREIGN KEY ("Conductor_ID") REFERENCES "conductor"("Conductor_ID")' in orchestra[0]["instruction"]
    )
    assert all(r["executable"] for r in orchestra)


def test_spider_gold_scores_one_and_works_from_anywhere(spider_folder, tmp_path, monkeypatch):
    out = tmp_path / "elsewhere" / "spider.json"
    convert("spider", spider_folder, out)
    monkeypatch.chdir(tmp_path)  # db_path resolves against the dataset's folder, not the working directory
    metrics = gold_scores(load_records(out), out.parent)
    assert (
        metrics["execution_accuracy"] == 1.0 and metrics["scored"] == 9 and metrics["gold_unexecutable"] == 1
    )


def test_spider_split_file_and_questions_file_as_input(spider_folder):
    records, _ = convert_records("spider", spider_folder, split="train_spider.json")
    assert [r["id"] for r in records] == ["spider-train_spider-0"] and records[0]["db_path"].endswith(
        ".sqlite"
    )
    records, summary = convert_records("spider", spider_folder / "dev.json", limit=3)
    assert summary.read == 3 and len(records) == 3
    with pytest.raises(DataError, match="no questions file 'test.json'"):
        convert_records("spider", spider_folder, split="test.json")


# --- command line and hub -------------------------------------------------------------------------


def test_cli_converts_and_prints_the_summary(tmp_path, capsys):
    out = tmp_path / "gretel.jsonl"
    code = main(
        [
            "data",
            "convert",
            "--from",
            "gretel",
            "--input",
            str(FIXTURES / "gretel_sample.csv"),
            "--output",
            str(out),
            "--summary",
            str(tmp_path / "summary.json"),
        ]
    )
    assert code == 0
    assert len(load_records(out)) == 19
    printed = capsys.readouterr().out
    assert "records converted    19" in printed and "no such function: REGEXP" in printed
    assert json.loads((tmp_path / "summary.json").read_text())["flagged"] == 1


def test_cli_bad_input_is_one_message_and_leaves_the_output_alone(tmp_path, capsys):
    out = tmp_path / "records.json"
    out.write_text("[]")
    code = main(
        [
            "data",
            "convert",
            "--from",
            "sql-create-context",
            "--input",
            str(FIXTURES / "gretel_sample.jsonl"),
            "--output",
            str(out),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "no column 'question'" in err and "Traceback" not in err
    assert out.read_text() == "[]"


def test_hub_ids_are_told_apart_from_paths(tmp_path):
    assert looks_like_hub_id("gretelai/synthetic_text_to_sql") and looks_like_hub_id(
        "b-mc2/sql-create-context"
    )
    assert not looks_like_hub_id(str(tmp_path)) and not looks_like_hub_id("data.json")
    with pytest.raises(DataError, match="no such file, and not a hub id"):
        convert_records("gretel", tmp_path / "missing.parquet")


def test_hub_offline_says_what_to_do(tmp_path):
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "hf"),
        "PYTHONPATH": str(REPO),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "llama_sql",
            "data",
            "convert",
            "--from",
            "gretel",
            "--input",
            "gretelai/synthetic_text_to_sql",
            "--output",
            str(tmp_path / "g.json"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "from the Hugging Face Hub" in proc.stderr and "--input" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "g.json").exists()


# --- the real samples in ../shared/samples (skipped when absent) ----------------------------------


def test_real_spider_subset_every_gold_executes_and_judges_correct(tmp_path):
    folder = SAMPLES / "spider_dev_subset"
    if not folder.is_dir():
        pytest.skip("../shared/samples/spider_dev_subset is not here")
    out = tmp_path / "spider.json"
    summary = convert("spider", folder, out)
    assert (summary.converted, summary.flagged, summary.skipped) == (87, 0, 0)
    records = load_records(out)
    assert {r["db_id"] for r in records} == {"concert_singer", "pets_1"}
    assert all((out.parent / r["db_path"]).is_file() for r in records)
    metrics = gold_scores(records, out.parent)
    assert metrics["execution_accuracy"] == 1.0 and metrics["scored"] == 87


def test_real_sql_create_context_sample_converts_and_golds_score_one(tmp_path):
    sample = SAMPLES / "sql_create_context" / "sample.jsonl"
    if not sample.is_file():
        pytest.skip("../shared/samples/sql_create_context is not here")
    summary = convert("sql-create-context", sample, tmp_path / "sqlcc.json")
    assert summary.converted == summary.read == 64 and summary.skipped == 0
    records = load_records(tmp_path / "sqlcc.json")
    metrics = gold_scores(records, tmp_path)
    assert metrics["scored"] == summary.executable and metrics["execution_accuracy"] == 1.0
