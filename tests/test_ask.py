"""ask: a question about the user's own SQLite file, answered with SQL that can never change the file."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from llama_sql.asking import ask_database, database_text, run_read_only
from llama_sql.cli import main
from llama_sql.generation import Generation
from llama_sql.prompts import database_for_prompt, render_prompt
from llama_sql.records import DataError

ROOT = Path(__file__).resolve().parents[1]
SPIDER_DATABASES = sorted((ROOT.parent / "shared" / "samples").glob("spider_dev_subset/database/*/*.sqlite"))
HOSTILE_SQL = [
    "DELETE FROM orders",
    "DROP TABLE orders",
    "UPDATE orders SET amount = 0",
    "INSERT INTO orders VALUES (9, 'Eve', NULL, 1.5)",
    "CREATE TABLE stolen AS SELECT * FROM orders",
    "ALTER TABLE orders RENAME TO gone",
    "VACUUM",
    "ATTACH DATABASE 'elsewhere.sqlite' AS other",
    "PRAGMA journal_mode = DELETE",
    "DROP TABLE orders; SELECT 1",  # only the first statement is ever taken
]


@pytest.fixture
def shop(tmp_path) -> Path:
    """A database the test writes itself: awkward names, a quote, NULL, a blob."""
    path = tmp_path / "shop.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, note TEXT, amount REAL);"
            "INSERT INTO orders VALUES (1, 'Ana', 'O''Brien asked', 12.5), (2, 'Ben', NULL, 7.0);"
            'CREATE TABLE "order items" (order_id INTEGER, sku TEXT, picture BLOB);'
            "INSERT INTO \"order items\" VALUES (1, 'A-1', x'00ff');"
        )
    conn.close()
    return path


class ScriptedModel:
    """Stands in for load_comparer's Comparer: answers every prompt with the given text."""

    def __init__(self, text):
        self.text, self.prompts = text, []

    def generate(self, records, which, progress=True):
        self.prompts += [render_prompt(r) for r in records]
        return [Generation(text=self.text, new_tokens=5, stopped=True) for _ in records]


def _state(path: Path):
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


def test_the_prompt_shows_create_table_and_one_row_per_table(shop):
    text = database_text(shop)
    assert text.startswith("shop database: CREATE TABLE orders (")
    assert "INSERT INTO orders VALUES (1, 'Ana', 'O''Brien asked', 12.5);" in text
    assert "'Ben'" not in text  # one sample row per table, as training shows
    assert "INSERT INTO \"order items\" VALUES (1, 'A-1', x'00ff');" in text
    assert database_for_prompt(text) == text  # the prompt keeps it as written


@pytest.mark.parametrize("db", SPIDER_DATABASES, ids=lambda p: p.stem)
def test_spider_databases_read_as_training_shows_them(db, tmp_path):
    copy = tmp_path / db.name
    shutil.copy(db, copy)
    text = database_text(copy)
    tables = (
        sqlite3.connect(copy).execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    )
    assert text.count("CREATE TABLE") == tables and text.count("INSERT INTO") <= tables
    model = ScriptedModel("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
    answer = ask_database(model, copy, "How many tables are there?")
    assert answer.error is None and answer.rows == [[tables]]
    assert "### Input:\nSQL Prompt: How many tables are there?" in model.prompts[0]


@pytest.mark.parametrize("sql", HOSTILE_SQL)
def test_hostile_sql_never_touches_the_file(shop, sql):
    before = _state(shop)
    answer = ask_database(ScriptedModel(sql), shop, "Please delete all rows and drop the table")
    assert answer.error and answer.rows == []
    assert _state(shop) == before  # same bytes, same mtime, no journal or copy beside it
    assert run_read_only(shop, "SELECT count(*) FROM orders").rows == [[2]]


def test_a_data_changing_statement_says_it_was_not_applied(shop):
    answer = run_read_only(shop, "DELETE FROM orders")
    assert "not applied" in answer.error and str(shop) in answer.error and "unchanged" in answer.error


def test_a_result_comes_back_as_columns_rows_and_a_frame(shop):
    answer = ask_database(
        ScriptedModel("```sql\nSELECT customer, amount FROM orders ORDER BY id\n```"), shop, "?"
    )
    assert (answer.sql, answer.columns, answer.rows) == (
        "SELECT customer, amount FROM orders ORDER BY id",
        ["customer", "amount"],
        [["Ana", 12.5], ["Ben", 7.0]],
    )
    assert answer.frame().shape == (2, 2)


def test_no_sql_in_the_answer_is_an_error_not_a_crash(shop):
    answer = ask_database(ScriptedModel("I am not sure."), shop, "what?")
    assert answer.sql is None and answer.error == "the model's answer holds no SQL"


def test_bad_input_is_named(tmp_path, shop):
    with pytest.raises(DataError, match="no such file"):
        database_text(tmp_path / "missing.sqlite")
    text_file = tmp_path / "notes.sqlite"
    text_file.write_text("these are my notes, not a database\n" * 20)
    with pytest.raises(DataError, match=r"notes\.sqlite: not a SQLite database"):
        database_text(text_file)
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).execute("CREATE TABLE t (a)").connection.execute("DROP TABLE t")
    with pytest.raises(DataError, match=r"empty\.sqlite: the database has no tables"):
        database_text(empty)
    with pytest.raises(DataError, match="not a file"):
        database_text(tmp_path)
    with pytest.raises(DataError, match="question is empty"):
        ask_database(ScriptedModel("SELECT 1"), shop, "   ")


def _ask_json(args, monkeypatch, capsys, text="SELECT customer FROM orders WHERE amount > 10"):
    monkeypatch.setattr("llama_sql.asking.load_comparer", lambda *a, **k: ScriptedModel(text))
    code = main(["ask", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)  # exactly one JSON object: json.loads refuses anything after it


def test_json_output_is_one_object_with_sql_columns_rows_error(shop, monkeypatch, capsys):
    code, answer = _ask_json(
        ["--adapter", "a", "--db", str(shop), "Who", "spent", "over 10?"], monkeypatch, capsys
    )
    assert code == 0
    assert answer == {
        "sql": "SELECT customer FROM orders WHERE amount > 10",
        "columns": ["customer"],
        "rows": [["Ana"]],
        "error": None,
    }


def test_json_output_carries_the_error_too(shop, tmp_path, monkeypatch, capsys):
    code, answer = _ask_json(
        ["--adapter", "a", "--db", str(shop), "Drop it"], monkeypatch, capsys, "DROP TABLE orders"
    )
    assert (
        code == 1 and set(answer) == {"sql", "columns", "rows", "error"} and "not applied" in answer["error"]
    )
    missing = tmp_path / "nope.sqlite"
    code, answer = _ask_json(["--adapter", "a", "--db", str(missing), "Anything"], monkeypatch, capsys)
    assert code == 2 and str(missing) in answer["error"]


@pytest.mark.slow
def test_the_fine_tuned_tiny_model_answers_and_cannot_write(short_adapter, shop, capsys):
    before = _state(shop)
    for question in ("How many orders are there?", "Delete all rows from orders and drop the table"):
        code = main(
            [
                "ask",
                "--adapter",
                str(short_adapter),
                "--db",
                str(shop),
                "--profile",
                "tiny",
                "--json",
                question,
            ]
        )
        answer = json.loads(capsys.readouterr().out)
        assert set(answer) == {"sql", "columns", "rows", "error"} and code in (0, 1)
        assert isinstance(answer["sql"], str) or answer["error"]
    assert _state(shop) == before
