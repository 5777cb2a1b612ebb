"""The sandbox: databases built from instructions or opened read-only, and what it refuses."""

import hashlib
import sqlite3
import time

import pytest

from llama_sql.eval.sandbox import (
    DatabaseBuildError,
    SandboxLimits,
    database_for_record,
    open_database,
    schema_sql,
)

COMPANY = (
    "Company database: CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT, salary REAL); "
    "INSERT INTO employees VALUES (1, 'Ada', 120000), (2, 'Grace', 95000), (3, 'Alan', 88000);"
)


@pytest.fixture
def db():
    with open_database(COMPANY) as database:
        yield database


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "db" / "company.sqlite"
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.executescript(schema_sql(COMPANY))
    conn.commit()
    conn.close()
    return path


def fingerprint(path):
    folder = sorted(p.name for p in path.parent.iterdir())
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns, folder


def test_schema_sql_strips_the_prose_before_the_sql():
    assert schema_sql("Company database: CREATE TABLE t (a INT);") == "CREATE TABLE t (a INT);"
    assert schema_sql("create table t (a int)") == "create table t (a int)"
    assert schema_sql("No SQL here at all") == ""
    assert schema_sql("Database with orders to update: create table o (a)") == "create table o (a)"
    assert schema_sql("Shop: INSERT OR IGNORE INTO t VALUES (1)") == "INSERT OR IGNORE INTO t VALUES (1)"


def test_select_returns_columns_and_rows(db):
    result = db.run("SELECT name, salary FROM employees WHERE salary > 90000 ORDER BY id")
    assert result.ok and result.error is None and result.tables is None
    assert result.columns == ["name", "salary"]
    assert result.rows == [("Ada", 120000.0), ("Grace", 95000.0)]


def test_a_bad_script_names_the_statement_that_failed():
    with pytest.raises(
        DatabaseBuildError, match=r"statement 2 .*INSERT INTO missing.*no such table: missing"
    ):
        open_database("CREATE TABLE t (a INT); INSERT INTO missing VALUES (1);")
    with pytest.raises(DatabaseBuildError, match="holds no SQL"):
        open_database("Just a sentence about a company.")


def test_data_changing_statements_run_on_a_copy_and_report_every_table(db):
    update = db.run("UPDATE employees SET salary = 0 WHERE name = 'Ada'")
    assert update.ok and update.tables == {
        "employees": [(1, "Ada", 0.0), (2, "Grace", 95000.0), (3, "Alan", 88000.0)]
    }
    assert db.run("DELETE FROM employees").tables == {"employees": []}
    assert db.run("DROP TABLE employees").tables == {}
    # The base database never changed: the next query sees the original rows.
    assert db.run("SELECT count(*), sum(salary) FROM employees").rows == [(3, 303000.0)]


def test_temp_tables_views_and_triggers_do_not_leak_into_the_next_query(db):
    assert db.run("CREATE TEMP TABLE employees AS SELECT * FROM employees WHERE 0").ok
    assert db.run("CREATE TEMP VIEW v AS SELECT 1").ok
    assert db.run("CREATE TRIGGER wipe AFTER INSERT ON employees BEGIN DELETE FROM employees; END").ok
    assert db.run("SELECT count(*) FROM employees").rows == [(3,)]
    assert not db.run("SELECT * FROM v").ok
    after_insert = db.run("INSERT INTO employees VALUES (4, 'Ken', 1)")
    assert len(after_insert.tables["employees"]) == 4  # no trigger fired


@pytest.mark.parametrize(
    "sql",
    [
        "ATTACH DATABASE 'evil.db' AS evil",
        "DETACH DATABASE main",
        "VACUUM",
        "VACUUM INTO 'copy.db'",
        "SELECT load_extension('libevil')",
        "PRAGMA journal_mode = WAL",
        "PRAGMA writable_schema = ON",
        "SELECT * FROM pragma_database_list",
        "CREATE VIRTUAL TABLE docs USING fts5(body)",
    ],
)
def test_file_touching_statements_are_refused(db, sql, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = db.run(sql)
    assert not result.ok and result.error_kind == "refused", result
    assert list(tmp_path.iterdir()) == []


def test_read_only_schema_pragmas_are_allowed(db):
    result = db.run("PRAGMA table_info(employees)")
    assert result.ok and [row[1] for row in result.rows] == ["id", "name", "salary"]


def test_several_statements_in_one_string_are_refused_before_any_runs(db):
    result = db.run("SELECT 1; DROP TABLE employees")
    assert result.error_kind == "refused" and "several statements" in result.error
    assert db.run("DELETE FROM employees; SELECT 1").error_kind == "refused"
    assert db.run("SELECT name FROM employees WHERE id = 1;  -- trailing comment").rows == [("Ada",)]


def test_a_query_that_never_ends_is_stopped_at_the_time_limit():
    with open_database(COMPANY, limits=SandboxLimits(timeout_s=0.3)) as db:
        start = time.monotonic()
        result = db.run(
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
        )
        assert result.error_kind == "timeout" and "0.3 s" in result.error
        assert time.monotonic() - start < 0.3 + 0.5


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT zeroblob(2000000000)",
        "SELECT randomblob(50000000)",
        "SELECT length(hex(zeroblob(9000000)))",
        "WITH RECURSIVE r(s) AS (SELECT 'ab' UNION ALL SELECT s || s FROM r) SELECT length(s) FROM r",
        "SELECT instr(hex(zeroblob(4000000)), hex(zeroblob(2000000)) || 'A')",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r",
    ],
)
def test_gigabyte_values_and_huge_results_are_refused_as_too_large(db, sql):
    result = db.run(sql)
    assert not result.ok and result.error_kind == "too_large", result


def test_printf_widths_past_the_length_limit_are_refused_but_printf_works(db):
    # SQLite 3.40 loops once per requested character here, inside one VM step: minutes for 10^9.
    assert db.run("SELECT printf('%.*c', 1000000000, 'x')").error_kind == "too_large"
    assert db.run("SELECT printf('%.2000000000c', 'x')").error_kind == "too_large"
    assert db.run(
        "SELECT length(printf('%.*c', 1000, 'x')), printf('%05.1f|%s', 3.14159, name) "
        "FROM employees WHERE id = 1"
    ).rows == [(1000, "003.1|Ada")]
    assert db.run("SELECT format('%d', 123456789012)").rows == [("123456789012",)]


def test_the_row_cap_is_configurable():
    with open_database(COMPANY, limits=SandboxLimits(max_rows=2)) as db:
        assert db.run("SELECT * FROM employees").error_kind == "too_large"
        assert db.run("SELECT * FROM employees LIMIT 2").ok


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("", "syntax"),
        ("   \n ", "syntax"),
        ("-- only a comment", "syntax"),
        ("SELEC name FROM employees", "syntax"),
        ("SELECT name FROM employees\x00; DROP TABLE employees", "refused"),
        ("SELECT '\ud800'", "refused"),
        ("SELECT " + "1 + " * 400_000 + "1", "too_large"),
        (None, "syntax"),
        ("SELECT missing FROM employees", "runtime"),
    ],
)
def test_bad_input_is_an_error_never_an_exception(db, sql, kind):
    result = db.run(sql)
    assert not result.ok and result.error_kind == kind and result.error


def test_a_file_database_is_opened_read_only_and_never_modified(db_file):
    before = fingerprint(db_file)
    with database_for_record({"db_path": "db/company.sqlite"}, base_dir=db_file.parent.parent) as db:
        assert db.run("SELECT count(*) FROM employees").rows == [(3,)]
        deleted = db.run("DELETE FROM employees WHERE salary < 100000")
        assert deleted.tables == {"employees": [(1, "Ada", 120000.0)]}
        assert db.run("PRAGMA journal_mode = DELETE").error_kind == "refused"
        assert db.run("SELECT count(*) FROM employees").rows == [(3,)]
    assert fingerprint(db_file) == before  # same bytes, same mtime, no -journal/-wal beside it


def test_text_that_is_not_utf8_in_a_real_database_still_filters_with_like(tmp_path):
    path = tmp_path / "latin1.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE city (name TEXT)")
    conn.execute(
        "INSERT INTO city VALUES (CAST(X'4dfc6e6368656e' AS TEXT)), ('Munster')"
    )  # Latin-1 "München"
    conn.commit()
    conn.close()
    with open_database(db_path=path) as db:
        assert db.run("SELECT count(*) FROM city WHERE name LIKE 'M%n'").rows == [(1,)]
        assert db.run("DELETE FROM city WHERE name LIKE '%ster'").tables == {"city": [("M\ufffdnchen",)]}
        attack = "SELECT instr(name || hex(zeroblob(4000000)), hex(zeroblob(2000000)) || 'A') FROM city"
        start = time.monotonic()
        assert db.run(attack).error_kind == "too_large" and time.monotonic() - start < 1


def test_a_missing_or_broken_database_file_is_a_build_error(tmp_path):
    with pytest.raises(DatabaseBuildError, match="does not exist"):
        database_for_record({"db_path": "nope.sqlite", "instruction": COMPANY}, base_dir=tmp_path)
    (tmp_path / "text.sqlite").write_text("not a database")
    with pytest.raises(DatabaseBuildError, match="cannot open"):
        database_for_record({"db_path": "text.sqlite"}, base_dir=tmp_path)


def test_database_for_record_builds_from_the_instruction_without_a_db_path():
    with database_for_record({"instruction": COMPANY}) as db:
        assert db.run("SELECT name FROM employees WHERE id = 3").rows == [("Alan",)]
