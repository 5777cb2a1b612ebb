"""Check a records file before anyone trains or evaluates on it.

    python -m llama_sql data validate data/alpaca_sql_dataset.json     # exit 0: all pass, 1: problems

For every record: the required fields (`instruction`, `input`, `output`) are non-empty strings, the
project's own records (`source == "llama-sql"`) carry an `explanation`, optional fields are strings
when present, ids are unique, the record's database builds (from `instruction`, or `db_path`
relative to the file's folder) and the gold SQL runs on it in the sandbox. A gold query that runs
but returns no rows is a warning, not a failure: it proves little about a model that matches it.
A converted record the converter already flagged (`executable: false`: its SQL would not run on
SQLite even after dialect translation) is listed as flagged, not failed: evaluation leaves it out of
the accuracy and counts it, as it does any gold query that cannot run.
Every problem names the file, the record (index and id) and the field.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from llama_sql.eval.sandbox import Database, DatabaseBuildError, database_for_record
from llama_sql.records import OPTIONAL_TEXT_FIELDS, REQUIRED_FIELDS, DataError, load_records

OWN_SOURCE = "llama-sql"
TEXT_FIELDS = (*OPTIONAL_TEXT_FIELDS, "db_id")  # optional, but strings when present


@dataclass(frozen=True)
class Problem:
    path: str
    index: int | None  # None: the file itself (unreadable, bad JSON line)
    record_id: str | None
    field: str | None
    message: str
    severity: str = "error"  # "error" fails validation; "warning" and "flagged" do not

    def __str__(self) -> str:
        where = self.path
        if self.index is not None:
            where += f": record {self.index}" + (
                f" (id {self.record_id!r})" if self.record_id is not None else ""
            )
        if self.field is not None:
            where += f" field {self.field!r}"
        return f"{where}: {self.message}"


@dataclass
class ValidationReport:
    path: str
    n_records: int
    problems: list[Problem] = field(default_factory=list)  # errors
    warnings: list[Problem] = field(default_factory=list)
    flagged: list[Problem] = field(default_factory=list)  # records marked executable: false by a converter
    n_databases: int = 0  # distinct databases built or opened

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def broken_records(self) -> list[int]:
        return sorted({p.index for p in self.problems if p.index is not None})

    def summary(self) -> str:
        if any(p.index is None for p in self.problems):
            return f"FAIL: {self.path} cannot be read as records"
        if self.ok:
            head = f"PASS: {self.n_records} records in {self.path}, all valid"
        else:
            head = (
                f"FAIL: {len(self.problems)} problem(s) in {len(self.broken_records)} of {self.n_records} "
                f"records in {self.path}"
            )
        flagged = f"; {len(self.flagged)} flagged not executable" if self.flagged else ""
        return f"{head}; {self.n_databases} database(s); {len(self.warnings)} warning(s){flagged}"

    def render(self, limit: int = 50) -> str:
        """The summary, then every problem and warning (the first `limit` of each), one per line."""
        lines = [self.summary()]
        for title, items in (
            ("problems", self.problems),
            ("warnings", self.warnings),
            ("flagged", self.flagged),
        ):
            if not items:
                continue
            kinds = Counter(p.field or "file" for p in items)
            lines.append(f"{title} by field: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
            lines += [f"  {p}" for p in items[:limit]]
            if len(items) > limit:
                lines.append(f"  ... and {len(items) - limit} more {title}")
        return "\n".join(lines)


def validate_records(records: list, path: str | Path, base_dir: str | Path | None = None) -> list[Problem]:
    """Every problem (errors and warnings) of a list of records, in record order."""
    path = str(path)
    problems: list[Problem] = []
    first_index: dict[str, int] = {}
    with _Databases(base_dir) as databases:
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                problems.append(Problem(path, index, None, None, f"is {_kind(record)}, not a JSON object"))
                continue
            found = _field_problems(record)
            rid = record.get("id")
            if isinstance(rid, str):
                if rid in first_index:
                    found.append(("id", f"duplicate id: record {first_index[rid]} has the same id", "error"))
                else:
                    first_index[rid] = index
            if not any(f in ("instruction", "output", "db_path") for f, _, _ in found):
                found += _execution_problems(record, databases)
            label = rid if isinstance(rid, str) else None
            problems += [Problem(path, index, label, f, msg, sev) for f, msg, sev in found]
    return problems


def _field_problems(record: dict) -> list[tuple[str, str, str]]:
    found = []
    own = record.get("source") == OWN_SOURCE
    for name in (*REQUIRED_FIELDS, *(("explanation",) if own else ())):
        value = record.get(name)
        if name not in record or value is None:
            why = (
                " (required for the project's own records, source 'llama-sql')"
                if name == "explanation"
                else ""
            )
            found.append((name, f"missing{why}", "error"))
        elif not isinstance(value, str):
            found.append((name, f"is {_kind(value)}, expected a string", "error"))
        elif not value.strip():
            found.append((name, "is empty", "error"))
    for name in TEXT_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str) and name not in {f for f, _, _ in found}:
            found.append((name, f"is {_kind(value)}, expected a string", "error"))
    return found


def _kind(value) -> str:
    name = {bool: "boolean", int: "number", float: "number", str: "string", list: "list", dict: "object"}.get(
        type(value)
    )
    return f"a {name}" if name else f"a {type(value).__name__}"


def _execution_problems(record: dict, databases: _Databases) -> list[tuple[str, str, str]]:
    where = "db_path" if record.get("db_path") else "instruction"
    # a converter's flag: known not to run, kept and counted rather than failed
    severity, note = (
        ("flagged", " (flagged executable: false by the converter)")
        if record.get("executable") is False
        else ("error", "")
    )
    database = databases.get(record)
    if isinstance(database, str):
        return [(where, f"the database does not build: {database}{note}", severity)]
    result = database.run(record["output"])
    if not result.ok:
        return [("output", f"the gold SQL fails ({result.error_kind}): {result.error}{note}", severity)]
    if result.tables is None and not result.rows:
        return [("output", "the gold SQL runs but returns no rows", "warning")]
    return []


class _Databases:
    """One sandboxed database per distinct instruction or db_path, shared by the records that use it
    (the project's 1,400 records need only 18). Queries cannot change it: the sandbox runs writes on a
    throwaway copy."""

    def __init__(self, base_dir: str | Path | None):
        self.base_dir = base_dir
        self.opened: dict[tuple, Database | str] = {}

    def get(self, record: dict) -> Database | str:
        """The record's database, or the reason it could not be built."""
        key = (record.get("db_path"), None if record.get("db_path") else record.get("instruction"))
        if key not in self.opened:
            try:
                self.opened[key] = database_for_record(record, self.base_dir)
            except DatabaseBuildError as err:
                self.opened[key] = str(err)
        return self.opened[key]

    def __enter__(self) -> _Databases:
        return self

    def __exit__(self, *exc) -> None:
        for database in self.opened.values():
            if isinstance(database, Database):
                database.close()


def validate_file(path: str | Path) -> ValidationReport:
    """Load a JSON or JSONL records file and check every record; an unreadable file is one problem."""
    path = Path(path)
    try:
        records = load_records(path)
    except DataError as err:
        return ValidationReport(
            str(path), 0, [Problem(str(path), None, None, None, str(err).removeprefix(f"{path}: "))]
        )
    found = validate_records(records, path, base_dir=path.parent)
    report = ValidationReport(str(path), len(records))
    report.problems = [p for p in found if p.severity == "error"]
    report.warnings = [p for p in found if p.severity == "warning"]
    report.flagged = [p for p in found if p.severity == "flagged"]
    report.n_databases = len(
        {(r.get("db_path"), r.get("instruction")) for r in records if isinstance(r, dict)}
    )
    return report


def add_cli(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="a JSON list or JSONL file of records")
    parser.add_argument(
        "--show", type=int, default=50, help="how many problems and warnings to list (default 50)"
    )


def run_cli(args: argparse.Namespace) -> int:
    report = validate_file(args.path)
    print(report.render(limit=args.show))
    return 0 if report.ok else 1


__all__ = ["Problem", "ValidationReport", "validate_file", "validate_records"]
