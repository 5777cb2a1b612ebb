"""Make a converted record's gold SQL run on SQLite, or say exactly why it cannot.

Each context and query is first run as written in the sandbox (llama_sql/eval/sandbox.py). Only when that
fails are sqlglot translations tried (dialect.py, MySQL first, then PostgreSQL and T-SQL), and the
first pair that builds the database and runs the query is kept. A record that still does not run is
kept too, flagged with the reason, so a converted file never loses examples silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from llama_sql.converters.dialect import READ_DIALECTS, TranslationError, to_sqlite, to_sqlite_statements
from llama_sql.eval.sandbox import Database, DatabaseBuildError, open_database


@dataclass
class Runnable:
    context: str  # the database's SQL, as written or translated
    sql: str  # the gold query, as written or translated
    dialect: str | None  # the dialect read to translate either of them; None when both run as written
    error: str | None  # why neither the original nor any translation runs (the record is flagged)
    dropped: list[str] = field(default_factory=list)  # context statements SQLite cannot run, left out


def make_runnable(context: str, sql: str, prefix: str) -> Runnable:
    """The first (context, sql) pair, original before translated, whose database builds and query runs.

    `prefix` is the instruction's prose before the SQL ("Company database: "), so the database is
    built exactly as evaluation will build it from the record's instruction.
    """
    build_error = sql_error = built = None
    sql_versions = _Versions(sql)
    for context_dialect, context_text in _Versions(context):
        try:
            database = open_database(instruction=prefix + context_text)
        except DatabaseBuildError as err:
            build_error = build_error or f"the database does not build: {err}"
            continue
        built = built or (context_dialect, context_text)
        with database:
            for sql_dialect, sql_text in sql_versions:
                result = database.run(sql_text)
                if result.ok:
                    return Runnable(context_text, sql_text, sql_dialect or context_dialect, None)
                sql_error = sql_error or f"the gold SQL does not run: {result.error}"
    dropped: list[str] = []
    if built is None:  # no version builds: try without the statements SQLite rejects (procedures...)
        reduced = _buildable_part(context, prefix)
        if reduced is not None:
            with open_database(instruction=prefix + reduced.context) as database:
                for _dialect, sql_text in sql_versions:
                    result = database.run(sql_text)
                    if result.ok:
                        return Runnable(reduced.context, sql_text, "mysql", None, reduced.dropped)
                    sql_error = sql_error or f"the gold SQL does not run: {result.error}"
            built, dropped = ("mysql", reduced.context), reduced.dropped
    # Flagged: keep the first context that builds, so the record's database at least exists.
    dialect, context = built or (None, context)
    return Runnable(context, sql, dialect, sql_error or build_error, dropped)


def _buildable_part(context: str, prefix: str) -> Runnable | None:
    """The MySQL translation of `context` without the statements that fail on SQLite, when any remain.

    A context holding a MySQL procedure or trigger body never builds as a whole; the tables and rows
    around it usually do, and they are what the question is about.
    """
    try:
        statements = to_sqlite_statements(context, read="mysql", keep_unreadable=True)
    except TranslationError:
        return None
    kept: list[str] = []
    dropped: list[str] = []
    for statement in statements:
        try:
            open_database(instruction=prefix + "; ".join([*kept, statement]) + ";").close()
            kept.append(statement)
        except DatabaseBuildError:
            dropped.append(statement)
    if not kept or not dropped:
        return None
    return Runnable("; ".join(kept) + ";", "", "mysql", None, dropped)


def gold_error(database: Database, sql: str) -> str | None:
    """Why `sql` does not run on an open database (a real Spider file), or None when it runs."""
    result = database.run(sql)
    return None if result.ok else f"the gold SQL does not run: {result.error}"


def reason_group(error: str) -> str:
    """A flagging reason without the names that make every message unique, for the summary's counts.

    "the database does not build: statement 2 of the instruction ('CREATE PROCEDURE p ...') failed:
    near "PROCEDURE": syntax error" -> "the database does not build: near "PROCEDURE": syntax error";
    "no such column: t.x" -> "no such column".
    """
    error = re.sub(r"statement \d+ of the instruction \(.*\) failed: ", "", error, flags=re.S)
    error = re.sub(r"(no such (?:column|table)|ambiguous column name|has no column named): .*", r"\1", error)
    return error.splitlines()[0][:160] if error else "unknown"


class _Versions:
    """A text as written, then each distinct SQLite translation of it: translated only when a caller
    gets that far (most records run as written), and remembered for the next pass."""

    def __init__(self, text: str):
        self._pending = self._translations(text)
        self._known: list[tuple[str | None, str]] = [(None, text)]

    def __iter__(self) -> Iterator[tuple[str | None, str]]:
        index = 0
        while True:
            if index == len(self._known):
                version = next(self._pending, None)
                if version is None:
                    return
                self._known.append(version)
            yield self._known[index]
            index += 1

    @staticmethod
    def _translations(text: str) -> Iterator[tuple[str, str]]:
        seen = {text}
        for dialect in READ_DIALECTS:
            try:
                translated = to_sqlite(text, read=dialect)
            except TranslationError:
                continue
            if translated and translated not in seen:
                seen.add(translated)
                yield dialect, translated


def with_execution(record: dict, runnable: Runnable, context: str, sql: str, prefix: str) -> dict:
    """`record` with the runnable SQL in place, the original text kept when it changed, and the verdict."""
    record["instruction"] = prefix + runnable.context
    record["output"] = runnable.sql
    if runnable.context != context:
        record["original_instruction"] = prefix + context
    if runnable.sql != sql:
        record["original_output"] = sql
    if runnable.dialect:
        record["translated_from"] = runnable.dialect
    if runnable.dropped:
        record["dropped_statements"] = runnable.dropped
    record["executable"] = runnable.error is None
    if runnable.error:
        record["conversion_error"] = runnable.error
    return record
