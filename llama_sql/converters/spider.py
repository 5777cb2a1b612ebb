"""A Spider folder (dev.json, tables.json, database/<db_id>/<db_id>.sqlite) -> records on the real databases.

    python -m llama_sql data convert --from spider --input spider/ --output data/spider_dev.json
    python -m llama_sql data convert --from spider --input spider/ --split train_spider.json --output ...

    instruction = "<db_id> database: " + the database's CREATE TABLE statements (from the file itself)
    input = "SQL Prompt: " + question     output = query     db_path = the .sqlite file
    db_id, id = "spider-<split>-<row>", source = "spider", category read from the query

`db_path` is relative to the output file's folder (the contract resolves it against the dataset
file's folder), or absolute when there is no output file. Evaluation opens it read-only. A database
missing from `database/` (or `test_database/`, for Spider's test split) is described from tables.json
instead, with no db_path, and is then scored like any schema-only context.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

from llama_sql.converters.categories import sql_category
from llama_sql.converters.execution_check import gold_error, make_runnable, with_execution
from llama_sql.converters.summary import ConversionSummary
from llama_sql.eval.sandbox import Database, DatabaseBuildError, open_database, schema_sql
from llama_sql.records import DataError

_DB_ID = re.compile(r"[A-Za-z0-9_][\w.-]*")  # a folder name, never a path
_TABLES_SQL = (
    "SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL "
    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
)


def convert_folder(
    input_path: str | Path,
    split: str | None,
    limit: int | None,
    output_dir: Path | None,
    summary: ConversionSummary,
) -> list[dict]:
    """Records for the questions of one Spider split, each pointing at its database file."""
    folder, questions_file = _locate(Path(input_path), split)
    summary.input = str(questions_file)
    questions = _read_json(questions_file, "a list of questions")
    if not isinstance(questions, list):
        raise DataError(
            f"{questions_file}: expected a JSON list of Spider questions (db_id, question, query)."
        )
    questions = questions[:limit] if limit is not None else questions
    summary.read = len(questions)
    stem = questions_file.stem
    records = []
    with _Databases(folder) as databases:
        for index, row in enumerate(questions):
            record = _record(index, row, stem, databases, output_dir, summary)
            if record is not None:
                records.append(record)
    return records


def _record(index, row, stem, databases, output_dir, summary) -> dict | None:
    label = f"row {index}"
    if not isinstance(row, dict):
        summary.skip(label, f"a {type(row).__name__}, not a JSON object")
        return None
    db_id, question, query = (str(row.get(key) or "").strip() for key in ("db_id", "question", "query"))
    missing = [
        key for key, value in (("db_id", db_id), ("question", question), ("query", query)) if not value
    ]
    if missing:
        summary.skip(label, f"no {missing[0]}")
        return None
    try:
        db_file, ddl, database = databases.get(db_id)
    except LookupError as err:
        summary.skip(label, str(err))
        return None
    prefix = _prefix(db_id, ddl)
    record = {
        "id": f"spider-{stem}-{index}",
        "instruction": prefix + ddl,
        "input": f"SQL Prompt: {question}",
        "output": query,
        "category": sql_category(query),
        "source": "spider",
        "db_id": db_id,
    }
    if database is None:  # no file: schema-only, checked like any built-from-text database
        return with_execution(record, make_runnable(ddl, query, prefix), ddl, query, prefix)
    record["db_path"] = _db_path(db_file, output_dir)
    error = gold_error(database, query)
    record["executable"] = error is None
    if error:
        record["conversion_error"] = error
    return record


def _locate(path: Path, split: str | None) -> tuple[Path, Path]:
    """(the Spider folder, the questions file): `--input` may be the folder or the questions file itself."""
    if path.is_file():
        return path.parent, path
    if not path.is_dir():
        raise DataError(
            f"{path}: no such folder. Pass the Spider folder (with dev.json, tables.json and "
            "database/) to --input."
        )
    name = split or "dev.json"
    candidates = [Path(name), path / name, path / f"{name}.json"]
    for candidate in candidates if split else candidates[1:2]:
        if candidate.is_file():
            return path, candidate
    raise DataError(
        f"{path}: no questions file {name!r} (looked for {', '.join(map(str, candidates))}). "
        "Pass one with --split, e.g. --split train_spider.json."
    )


def _read_json(path: Path, what: str):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: not valid JSON ({err}); expected {what}.") from None


def _prefix(db_id: str, ddl: str) -> str:
    prefix = f"{db_id} database: "
    # The sandbox takes the SQL to start at the first SQL keyword: a db_id that is one ("update") must go.
    return prefix if schema_sql(prefix + ddl) == ddl.strip() else "Database: "


def _db_path(db_file: Path, output_dir: Path | None) -> str:
    """Relative to the output's folder when they share a folder below the root, else absolute."""
    db_file = db_file.resolve()
    if output_dir is None:
        return str(db_file)
    output_dir = output_dir.resolve()
    try:
        shared = Path(os.path.commonpath([db_file, output_dir]))
    except ValueError:  # another drive on Windows: no relative path exists
        return str(db_file)
    if shared == Path(shared.anchor):  # "../../../work/..." would be an absolute path in disguise
        return str(db_file)
    return Path(os.path.relpath(db_file, output_dir)).as_posix()


def _compact(statement: str) -> str:
    """A CREATE TABLE statement on one line (kept on several when it holds a -- comment)."""
    lines = [re.sub(r"\s+", " ", line).strip() for line in statement.strip().splitlines()]
    if "--" in statement:
        return "\n".join(line for line in lines if line).rstrip(";") + ";"
    text = ""
    for line in filter(None, lines):
        # the lines "CREATE TABLE t (", "a int", ")" join as "CREATE TABLE t (a int)", not "( a int )"
        text += line if not text or text.endswith("(") or line.startswith(")") else " " + line
    return text.rstrip(";") + ";"


class _Databases:
    """Each db_id's file, CREATE TABLE text and open sandboxed database, looked up once."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._cache: dict[str, tuple[Path | None, str, Database | None] | LookupError] = {}
        self._tables: dict[str, dict] | None = None
        self._stack = contextlib.ExitStack()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._stack.close()

    def get(self, db_id: str) -> tuple[Path | None, str, Database | None]:
        if db_id not in self._cache:
            try:
                self._cache[db_id] = self._load(db_id)
            except LookupError as err:
                self._cache[db_id] = err
        found = self._cache[db_id]
        if isinstance(found, LookupError):
            raise found
        return found

    def _load(self, db_id: str) -> tuple[Path | None, str, Database | None]:
        if not _DB_ID.fullmatch(db_id):
            raise LookupError(f"db_id {db_id!r} is not a database name")
        # Spider's test split keeps its databases in test_database/ instead of database/.
        candidates = [
            self.folder / name / db_id / f"{db_id}.sqlite" for name in ("database", "test_database")
        ]
        db_file = next((path for path in candidates if path.is_file()), candidates[0])
        if db_file.is_file():
            try:
                database = self._stack.enter_context(open_database(db_path=db_file))
            except DatabaseBuildError as err:
                raise LookupError(str(err)) from None
            result = database.run(_TABLES_SQL)
            if result.ok and result.rows:
                return db_file, " ".join(_compact(row[0]) for row in result.rows), database
        ddl = _ddl_from_tables_json(self._tables_json().get(db_id))
        if not ddl:
            raise LookupError(
                f"no database for db_id {db_id!r}: neither {db_file} nor an entry in tables.json"
            )
        return None, ddl, None

    def _tables_json(self) -> dict[str, dict]:
        if self._tables is None:
            path = self.folder / "tables.json"
            entries = _read_json(path, "Spider's tables.json") if path.is_file() else []
            self._tables = {e["db_id"]: e for e in entries if isinstance(e, dict) and "db_id" in e}
        return self._tables


def _ddl_from_tables_json(entry: dict | None) -> str:
    """CREATE TABLE statements from a tables.json entry: names, types, primary and foreign keys."""
    if not entry:
        return ""
    quote = lambda name: '"' + str(name).replace('"', '""') + '"'  # noqa: E731
    tables = entry.get("table_names_original") or []
    columns = entry.get("column_names_original") or []
    types = entry.get("column_types") or []
    primary = {
        key
        for keys in entry.get("primary_keys") or []
        for key in (keys if isinstance(keys, list) else [keys])
    }
    statements = []
    for t_index, table in enumerate(tables):
        own = [(c_index, name) for c_index, (t, name) in enumerate(columns) if t == t_index]
        parts = [f"{quote(name)} {types[c] if c < len(types) else 'text'}" for c, name in own]
        keys = [quote(name) for c, name in own if c in primary]
        if keys:
            parts.append(f"PRIMARY KEY ({', '.join(keys)})")
        for source, target in entry.get("foreign_keys") or []:
            if columns[source][0] == t_index:
                target_table = tables[columns[target][0]]
                parts.append(
                    f"FOREIGN KEY ({quote(columns[source][1])}) REFERENCES "
                    f"{quote(target_table)}({quote(columns[target][1])})"
                )
        statements.append(f"CREATE TABLE {quote(table)} ({', '.join(parts)});")
    return " ".join(statements)
