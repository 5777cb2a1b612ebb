"""Hostile predictions run through `evaluate`: each is judged wrong, in time, and nothing gets out.

Every query below is what a model (or someone steering one) could write where a SELECT is expected.
Each must end as a wrong prediction with its error, within the time limit plus a small overhead;
no file may appear anywhere (the working folder, the temp folder, the database's folder); the
file-backed database keeps its bytes and mtime; the clean record after each hostile one is judged
exactly as it is on its own; and the evaluating process's memory stays bounded.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from llama_sql.eval.evaluation import evaluate_records
from llama_sql.eval.sandbox import SandboxLimits, schema_sql

TIMEOUT_S = 0.5
OVERHEAD_S = 1.0  # building the database, running the gold, judging: generous for a loaded CI machine
MEMORY_GROWTH_LIMIT = 300 * 2**20
REPO = Path(__file__).resolve().parents[1]

INSTRUCTION = (
    "Company database: CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT, salary REAL); "
    "INSERT INTO employees VALUES (1, 'Ada', 120000), (2, 'Grace', 95000), (3, 'Alan', 88000), "
    "(4, 'Edsger', 61000), (5, 'Barbara', 45000), (6, 'Ken', 99000);"
)
GOLD = "SELECT name FROM employees WHERE salary > 90000"
CTE = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
THOUSAND = "(WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000) SELECT n FROM r)"
CROSS = ", ".join(f"employees e{i}" for i in range(10))

# {tmp}: a scratch folder that must stay empty; {db}: the folder of the file-backed database.
HOSTILE = {
    "attach_relative": "ATTACH DATABASE 'evil.db' AS evil",
    "attach_tmp": "ATTACH DATABASE '{tmp}/evil.db' AS evil",
    "attach_db_folder": "ATTACH DATABASE '{db}/company.sqlite' AS twin",
    "attach_uri": "ATTACH DATABASE 'file:{tmp}/uri.db?mode=rwc' AS u",
    "attach_memory": "ATTACH DATABASE ':memory:' AS scratch",
    "detach": "DETACH DATABASE main",
    "vacuum": "VACUUM",
    "vacuum_into_relative": "VACUUM INTO 'stolen.db'",
    "vacuum_into_tmp": "VACUUM INTO '{tmp}/stolen.db'",
    "vacuum_into_db_folder": "VACUUM INTO '{db}/company-copy.sqlite'",
    "load_extension": "SELECT load_extension('{tmp}/evil.so')",
    "load_extension_entry": "SELECT load_extension('libc.so.6', 'system')",
    "fts3_tokenizer": "SELECT fts3_tokenizer('simple')",
    "pragma_journal_wal": "PRAGMA journal_mode = WAL",
    "pragma_writable_schema": "PRAGMA writable_schema = ON",
    "pragma_temp_store_directory": "PRAGMA temp_store_directory = '{tmp}'",
    "pragma_page_size": "PRAGMA page_size = 512",
    "pragma_user_version": "PRAGMA user_version = 42",
    "pragma_wal_checkpoint": "PRAGMA wal_checkpoint(TRUNCATE)",
    "pragma_locking_mode": "PRAGMA locking_mode = EXCLUSIVE",
    "pragma_table_function": "SELECT * FROM pragma_database_list",
    "endless_cte_count": f"{CTE} SELECT count(*) FROM r",
    "endless_cte_rows": f"{CTE} SELECT n FROM r",
    "endless_cte_sorted": f"{CTE} SELECT n FROM r ORDER BY n DESC LIMIT 1",
    "cartesian_count": f"SELECT count(*) FROM {CROSS}",
    "cartesian_rows": "SELECT * FROM employees a, employees b, employees c, employees d, employees e, employees f",
    "cartesian_sorted_blobs": "SELECT randomblob(1000000) AS x FROM employees a, employees b, employees c ORDER BY x",
    "slow_steps_aggregate": "SELECT sum(length(randomblob(9000000))) FROM employees a, employees b, employees c",
    "randomblob_gigabytes": "SELECT randomblob(2000000000)",
    "zeroblob_gigabyte": "SELECT zeroblob(1073741824)",
    "printf_precision": "SELECT printf('%.*c', 1000000000, 'x')",
    "printf_width": "SELECT length(printf('%1000000000d', 7))",
    "doubling_text_cte": "WITH RECURSIVE r(s) AS (SELECT 'ab' UNION ALL SELECT s || s FROM r) SELECT max(length(s)) FROM r",
    "doubling_blob_cte": "WITH RECURSIVE r(b) AS (SELECT zeroblob(1024) UNION ALL SELECT b || b FROM r) SELECT length(b) FROM r",
    "group_concat_huge": f"SELECT length(group_concat(hex(zeroblob(1000000)))) FROM {THOUSAND}",
    "json_array_huge": f"SELECT length(json_group_array(hex(randomblob(100000)))) FROM {THOUSAND}",
    "replace_blowup": "SELECT length(replace(hex(zeroblob(4000000)), '0', '00000'))",
    "instr_quadratic": "SELECT instr(hex(zeroblob(4000000)), hex(zeroblob(2000000)) || 'A')",
    "like_quadratic": "SELECT hex(zeroblob(4000000)) LIKE '%' || hex(zeroblob(20000)) || 'A%'",
    "two_selects": f"{GOLD}; SELECT 1",
    "select_then_drop": f"{GOLD}; DROP TABLE employees",
    "drop_table": "DROP TABLE employees",
    "delete_all": "DELETE FROM employees",
    "delete_returning_the_answer": "DELETE FROM employees WHERE salary > 90000 RETURNING name",
    "update_all": "UPDATE employees SET salary = 1000000",
    "insert_row": "INSERT INTO employees (id, name, salary) VALUES (99, 'Mallory', 999999)",
    "update_sqlite_master": "UPDATE sqlite_master SET sql = ''",
    "create_trigger": "CREATE TRIGGER wipe AFTER INSERT ON employees BEGIN DELETE FROM employees; END",
    "create_temp_trigger": "CREATE TEMP TRIGGER no_reads BEFORE UPDATE ON employees BEGIN SELECT RAISE(ABORT, 'x'); END",
    "temp_table_shadow": "CREATE TEMP TABLE employees AS SELECT * FROM employees WHERE 0",
    "temp_view": "CREATE TEMP VIEW high AS SELECT name FROM employees",
    "alter_table": "ALTER TABLE employees RENAME TO staff",
    "begin_exclusive": "BEGIN EXCLUSIVE",
    "savepoint": "SAVEPOINT s1",
    "analyze": "ANALYZE",
    "virtual_table": "CREATE VIRTUAL TABLE docs USING fts5(body)",
    "nul_byte": f"{GOLD}\x00; DROP TABLE employees",
    "lone_surrogate": "SELECT name FROM employees WHERE name = '\ud800'",
    "megabytes_of_sql": "SELECT " + "1 + " * 500_000 + "1",
    "megabytes_of_comment": "SELECT 1 -- " + "x" * 3_000_000,
    "huge_in_list": "SELECT name FROM employees WHERE id IN (" + ",".join(map(str, range(300_000))) + ")",
    "deep_parentheses": "SELECT " + "(" * 100_000 + "1" + ")" * 100_000,
    "empty": "",
    "whitespace": "  \n\t ",
    "comment_only": "/* nothing to see */",
}


def fingerprint(path: Path) -> tuple:
    listing = sorted(p.name for p in path.parent.iterdir())
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns, listing


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    for folder in ("db", "tmp", "cwd"):
        (root / folder).mkdir()
    conn = sqlite3.connect(root / "db" / "company.sqlite")
    conn.executescript(schema_sql(INSTRUCTION))
    conn.commit()
    conn.close()
    return root


def records(workspace: Path, name: str) -> list[dict]:
    """A hostile record then a clean one, for the in-memory database and for the file-backed one."""
    in_memory = {
        "instruction": INSTRUCTION,
        "input": "SQL Prompt: Who earns more than 90000?",
        "output": GOLD,
    }
    on_file = {**in_memory, "db_path": "db/company.sqlite"}
    return [
        {**in_memory, "id": f"{name}-memory"},
        {**in_memory, "id": f"{name}-memory-clean"},
        {**on_file, "id": f"{name}-file"},
        {**on_file, "id": f"{name}-file-clean"},
    ]


def hostile_sql(workspace: Path, name: str) -> str:
    sql = HOSTILE[name]
    return sql.replace("{tmp}", str(workspace / "tmp")).replace("{db}", str(workspace / "db"))


def predictions(workspace: Path, name: str) -> list[str]:
    sql = hostile_sql(workspace, name)
    return [sql, GOLD, sql, GOLD]


def without_id(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "id"}


def test_there_are_at_least_forty_hostile_queries():
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_query_is_wrong_in_time_and_leaves_no_trace(workspace, name, monkeypatch):
    monkeypatch.chdir(workspace / "cwd")
    database = workspace / "db" / "company.sqlite"
    before = fingerprint(database)
    clean_alone, _ = evaluate_records(records(workspace, name)[1:2], [GOLD], base_dir=workspace)
    start = time.monotonic()
    results, _ = evaluate_records(
        records(workspace, name),
        predictions(workspace, name),
        base_dir=workspace,
        limits=SandboxLimits(timeout_s=TIMEOUT_S),
    )
    elapsed = time.monotonic() - start
    for hostile in (results[0], results[2]):
        assert hostile["correct"] is False and hostile["error"], hostile
        assert hostile["gold_ok"] is True
    for clean in (results[1], results[3]):
        assert without_id(clean) == without_id(clean_alone[0])
    assert elapsed < 2 * (TIMEOUT_S + OVERHEAD_S), f"{name} took {elapsed:.2f} s"
    assert fingerprint(database) == before
    assert list((workspace / "cwd").iterdir()) == [] and list((workspace / "tmp").iterdir()) == []


# `python -m llama_sql evaluate ...`, then the process's own peak RSS (VmHWM: unlike ru_maxrss it is not
# inherited from the forking pytest process).
CHILD = """import sys
from llama_sql.cli import main
code = main(sys.argv[1:])
status = open("/proc/self/status").read() if sys.platform == "linux" else ""
peak = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")]
print(int(peak[0]) * 1024 if peak else -1)
sys.exit(code)
"""


def _run_evaluate(
    workspace: Path, dataset: Path, predictions_file: Path, output: Path
) -> tuple[int, float, int]:
    """Run the CLI in a child process with its own TMPDIR; (exit code, seconds, its peak RSS in bytes or -1)."""
    env = {**os.environ, "TMPDIR": str(workspace / "tmp"), "PYTHONPATH": str(REPO)}
    command = [
        sys.executable,
        "-c",
        CHILD,
        "evaluate",
        "--dataset_path",
        str(dataset),
        "--predictions",
        str(predictions_file),
        "--output_dir",
        str(output),
        "--timeout_s",
        str(TIMEOUT_S),
    ]
    start = time.monotonic()
    child = subprocess.run(command, cwd=workspace / "cwd", env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    return child.returncode, elapsed, int(child.stdout.split()[-1])


def test_the_whole_suite_through_the_command_line(workspace):
    names = sorted(HOSTILE)
    all_records = [record for name in names for record in records(workspace, name)]
    all_predictions = [p for name in names for p in predictions(workspace, name)]
    dataset = workspace / "hostile.jsonl"
    dataset.write_text("".join(json.dumps(r) + "\n" for r in all_records))
    predictions_file = workspace / "predictions.jsonl"
    predictions_file.write_text(
        "".join(
            json.dumps({"id": r["id"], "prediction": p}) + "\n"
            for r, p in zip(all_records, all_predictions, strict=True)
        )
    )
    clean = workspace / "clean.jsonl"
    clean.write_text("".join(json.dumps(r) + "\n" for r in all_records[1:2]))
    clean_predictions = workspace / "clean-predictions.jsonl"
    clean_predictions.write_text(json.dumps({"id": all_records[1]["id"], "prediction": GOLD}) + "\n")
    database = workspace / "db" / "company.sqlite"
    before = fingerprint(database)
    listing = sorted(p.name for p in workspace.iterdir())

    code_clean, _, baseline_rss = _run_evaluate(workspace, clean, clean_predictions, workspace / "out-clean")
    code, elapsed, peak_rss = _run_evaluate(workspace, dataset, predictions_file, workspace / "out")
    assert code_clean == 0 and code == 0

    results = [json.loads(line) for line in (workspace / "out" / "results.jsonl").read_text().splitlines()]
    metrics = json.loads((workspace / "out" / "metrics.json").read_text())
    assert len(results) == len(all_records)
    for result in results:
        if result["id"].endswith("-clean"):
            assert result["correct"] is True, result
        else:
            assert result["correct"] is False and result["error"], result
    assert metrics["execution_accuracy"] == pytest.approx(0.5)
    assert elapsed < 60, f"the hostile suite took {elapsed:.1f} s"
    if peak_rss > 0:  # Linux
        assert peak_rss - baseline_rss < MEMORY_GROWTH_LIMIT, (baseline_rss, peak_rss)
    assert fingerprint(database) == before
    assert list((workspace / "cwd").iterdir()) == [] and list((workspace / "tmp").iterdir()) == []
    assert sorted(p.name for p in workspace.iterdir()) == sorted([*listing, "out", "out-clean"])
    print(
        f"hostile suite: {len(results)} records in {elapsed:.1f} s, peak RSS {peak_rss / 2**20:.0f} MB "
        f"(baseline {baseline_rss / 2**20:.0f} MB)"
    )
