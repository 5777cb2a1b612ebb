"""`data validate`: each way a record can be broken is reported, named by file, record, id and field,
and the command exits 0 only when everything passes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from llama_sql.builder import DEFAULT_OUTPUT
from llama_sql.cli import main as cli_main
from llama_sql.validation import validate_file, validate_records

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = (
    "Shop database: CREATE TABLE items (item_id INTEGER PRIMARY KEY, name TEXT, price INTEGER); "
    "INSERT INTO items VALUES (1, 'Mug', 12), (2, 'Lamp', 40);"
)


def record(n: int, **changes) -> dict:
    base = {
        "id": f"shop-{n:04d}",
        "instruction": SCHEMA,
        "input": "SQL Prompt: Which items cost more than 20?",
        "output": "SELECT name FROM items WHERE price > 20",
        "explanation": "WHERE price > 20 keeps Lamp.",
        "category": "filter",
        "source": "llama-sql",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def write(tmp_path: Path, records: list, name: str = "data.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def only_error(records: list) -> tuple:
    errors = [p for p in validate_records(records, "data.json") if p.severity == "error"]
    assert len(errors) == 1, [str(p) for p in errors]
    return errors[0].index, errors[0].record_id, errors[0].field, errors[0].message


def test_clean_records_pass():
    assert validate_records([record(1), record(2)], "data.json") == []


@pytest.mark.parametrize("field", ["instruction", "input", "output"])
def test_a_missing_required_field_is_named(field):
    assert only_error([record(1), record(2, **{field: ...})]) == (1, "shop-0002", field, "missing")


def test_a_field_of_the_wrong_type_is_named():
    index, rid, field, message = only_error([record(1, input=["Which items?"])])
    assert (index, rid, field) == (0, "shop-0001", "input") and "list" in message and "string" in message


def test_an_empty_string_is_named():
    assert only_error([record(1, output="   ")]) == (0, "shop-0001", "output", "is empty")


def test_explanation_is_required_only_for_the_projects_own_records():
    assert only_error([record(1, explanation=...)])[2] == "explanation"
    assert validate_records([record(1, explanation=..., source="spider")], "data.json") == []


def test_an_optional_field_must_be_a_string_when_present():
    assert only_error([record(1, category=3)])[2:] == ("category", "is a number, expected a string")


def test_a_duplicate_id_names_both_records():
    index, rid, field, message = only_error([record(1), record(2), record(3, id="shop-0001")])
    assert (index, rid, field) == (2, "shop-0001", "id") and "record 0" in message


def test_a_broken_create_table_is_reported_on_the_instruction():
    broken = SCHEMA.replace("price INTEGER);", "price INTEGER;")
    index, _, field, message = only_error([record(1), record(2, instruction=broken)])
    assert (index, field) == (1, "instruction") and "does not build" in message and "syntax error" in message


def test_a_gold_query_that_fails_is_reported_with_the_reason():
    index, _, field, message = only_error([record(1, output="SELECT colour FROM items")])
    assert (index, field) == (0, "output") and "no such column: colour" in message


def test_a_gold_query_with_no_rows_is_a_warning_not_a_failure(tmp_path):
    report = validate_file(write(tmp_path, [record(1, output="SELECT name FROM items WHERE price > 100")]))
    assert report.ok and len(report.warnings) == 1 and "no rows" in report.warnings[0].message


def test_a_record_the_converter_flagged_as_not_executable_is_listed_not_failed(tmp_path):
    flagged = record(2, output="SELECT YEAR(price) FROM items", executable=False, source="gretel")
    report = validate_file(write(tmp_path, [record(1), flagged]))
    assert report.ok and [(p.index, p.field) for p in report.flagged] == [(1, "output")]
    assert "1 flagged not executable" in report.summary() and "no such function: YEAR" in report.render()
    unflagged = validate_file(write(tmp_path, [record(1), {**flagged, "executable": True}], "b.json"))
    assert not unflagged.ok and unflagged.broken_records == [1]


def test_a_record_that_is_not_an_object_is_named():
    problems = validate_records([record(1), "SELECT 1"], "data.json")
    assert [(p.index, p.message) for p in problems] == [(1, "is a string, not a JSON object")]


def test_db_path_resolves_against_the_dataset_folder(tmp_path):
    with sqlite3.connect(tmp_path / "shop.sqlite") as conn:
        conn.executescript(
            "CREATE TABLE items (name TEXT, price INTEGER); INSERT INTO items VALUES ('Lamp', 40);"
        )
    conn.close()
    good = record(
        1, db_path="shop.sqlite", instruction="Shop database: CREATE TABLE items (name TEXT, price INTEGER);"
    )
    missing = record(2, db_path="nowhere.sqlite")
    report = validate_file(write(tmp_path, [good, missing]))
    assert [(p.index, p.field) for p in report.problems] == [(1, "db_path")]
    assert "does not exist" in report.problems[0].message


def test_a_bad_jsonl_line_is_named_by_its_number(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps(record(1)) + "\n" + json.dumps(record(2)) + "\n{not json\n", encoding="utf-8")
    report = validate_file(path)
    assert not report.ok and "line 3" in report.problems[0].message
    assert cli_main(["data", "validate", str(path)]) == 1


def test_jsonl_records_validate_like_json(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps(record(n)) + "\n" for n in range(3)), encoding="utf-8")
    assert validate_file(path).ok


def test_cli_passes_the_shipped_dataset(capsys):
    assert cli_main(["data", "validate", str(ROOT / DEFAULT_OUTPUT)]) == 0
    assert capsys.readouterr().out.startswith("PASS: ")


def test_cli_fails_a_corrupted_copy_and_names_the_broken_records(tmp_path, capsys):
    records = json.loads((ROOT / DEFAULT_OUTPUT).read_text(encoding="utf-8"))[:40]
    del records[3]["output"]
    records[10]["output"] = "SELECT nope FROM patients"
    records[20]["id"] = records[19]["id"]
    path = write(tmp_path, records)
    assert cli_main(["data", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL: 3 problem(s) in 3 of 40 records")
    assert f"record 3 (id '{records[3]['id']}') field 'output': missing" in out
    assert f"record 10 (id '{records[10]['id']}') field 'output': the gold SQL fails" in out
    assert f"record 20 (id '{records[19]['id']}') field 'id': duplicate id" in out


def test_an_unreadable_file_fails_without_a_traceback(tmp_path, capsys):
    assert cli_main(["data", "validate", str(tmp_path / "missing.json")]) == 1
    assert "no such file" in capsys.readouterr().out
