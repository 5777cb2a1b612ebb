"""Run untrusted SQL against a record's database without letting anything out.

A language model writes the queries we execute, so every query is treated as hostile:

- the database lives in memory (built from the record's `instruction`) or is a file opened
  read-only and immutable (`db_path`), so nothing is ever written beside it;
- a sqlite3 authorizer refuses ATTACH/DETACH (and with it VACUUM and VACUUM INTO, which attach a
  file), extension loading, virtual tables and every PRAGMA but a few read-only ones;
- a progress handler stops a statement after `SandboxLimits.timeout_s`, SQLite's length limits stop
  gigabyte strings, a process-wide SQLite heap limit stops sorts and cartesian products from eating
  memory, and fetching stops at a row and byte budget;
- one statement per call: a string with several statements is refused before any of it runs;
- a statement that wants to change data or schema (UPDATE, DELETE, INSERT, CREATE, DROP, temp
  tables, triggers, BEGIN...) runs on a throwaway in-memory copy, and its result is the copy's
  tables afterwards (`Execution.tables`). The base database is never changed, so the next query is
  judged exactly as the first was.

    with open_database("CREATE TABLE t (a INT); INSERT INTO t VALUES (1);") as db:
        db.run("SELECT a FROM t")   # Execution(ok=True, columns=['a'], rows=[(1,)], ...)
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SandboxLimits:
    timeout_s: float = 2.0  # per statement, enforced with a sqlite3 progress handler
    max_rows: int = 10_000  # rows fetched before the result is refused as too large
    max_length: int = 10_000_000  # SQLITE_LIMIT_LENGTH: largest string or blob, in bytes
    max_sql_length: int = 1_000_000  # SQLITE_LIMIT_SQL_LENGTH: longest statement, in bytes
    max_result_bytes: int = 20_000_000  # rough size of a fetched result (or table dump) before refusal
    max_memory: int = 200 * 2**20  # SQLite's process-wide hard heap limit (PRAGMA hard_heap_limit)


class DatabaseBuildError(Exception):
    """The record's database could not be built or opened; the message says which statement and why."""


@dataclass
class Execution:
    ok: bool
    columns: list[str]
    rows: list[tuple]  # for a data-changing statement: see `tables` instead
    error: str | None  # human-readable reason when not ok
    error_kind: str | None  # "syntax" | "runtime" | "timeout" | "refused" | "too_large" | None
    tables: dict[str, list[tuple]] | None = None  # data-changing statements: every table's rows afterwards


def failed(error: str, kind: str) -> Execution:
    return Execution(ok=False, columns=[], rows=[], error=error, error_kind=kind)


# Where the SQL of an instruction starts: everything before it is prose ("Company database: ").
# Whole phrases, not single words, so "Database with orders: CREATE TABLE ..." starts at CREATE.
_SQL_START = re.compile(
    r"\b(CREATE\s+(TEMP\s+|TEMPORARY\s+|UNIQUE\s+|VIRTUAL\s+)?(TABLE|VIEW|INDEX|TRIGGER)"
    r"|INSERT\s+(OR\s+\w+\s+)?INTO|REPLACE\s+INTO|WITH\s+RECURSIVE|PRAGMA\s+\w+|BEGIN\s+TRANSACTION"
    r"|DROP\s+TABLE|ALTER\s+TABLE|DELETE\s+FROM|UPDATE\s+\S+\s+SET)\b",
    re.I,
)

# Read-only PRAGMAs that describe the schema; every other PRAGMA is refused.
_SAFE_PRAGMAS = {
    "table_info",
    "table_xinfo",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "table_list",
    "collation_list",
}
_FORBIDDEN_FUNCTIONS = {"load_extension", "fts3_tokenizer", "readfile", "writefile", "edit"}
_READ_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE}
_FORBIDDEN_ACTIONS = {
    sqlite3.SQLITE_ATTACH: "ATTACH/VACUUM (touches files)",
    sqlite3.SQLITE_DETACH: "DETACH",
    sqlite3.SQLITE_CREATE_VTABLE: "virtual tables",
    sqlite3.SQLITE_DROP_VTABLE: "virtual tables",
}


def schema_sql(instruction: str) -> str:
    """The SQL part of an instruction: "Company database: CREATE ..." -> "CREATE ..."."""
    match = _SQL_START.search(instruction or "")
    return instruction[match.start() :].strip() if match else ""


class _Guard:
    """The authorizer, progress handler and limits of one connection.

    In read mode every write is denied at prepare time and remembered in `wants_write`, which is how
    `Database.run` learns, without parsing, that a statement must go to a throwaway copy.
    """

    def __init__(self, conn: sqlite3.Connection, limits: SandboxLimits, allow_writes: bool):
        self.conn = conn
        self.allow_writes = allow_writes
        self.limits = limits
        self.wants_write = False
        self.refused: str | None = None
        self.too_large: str | None = None
        self.deadline = float("inf")
        self.timed_out = False
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limits.max_length)
        conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, limits.max_sql_length)
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.setlimit(sqlite3.SQLITE_LIMIT_EXPR_DEPTH, 500)
        conn.setlimit(sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH, 10)
        conn.setlimit(sqlite3.SQLITE_LIMIT_WORKER_THREADS, 0)
        conn.set_authorizer(self.authorize)
        conn.set_progress_handler(self.tick, 2_000)

    def start(self, timeout_s: float) -> None:
        self.wants_write, self.refused, self.too_large, self.timed_out = False, None, None, False
        self.deadline = time.monotonic() + timeout_s
        _WATCHDOG.arm(self)

    def stop(self) -> None:
        _WATCHDOG.disarm(self)

    def expire(self) -> None:
        self.timed_out = True
        with contextlib.suppress(sqlite3.Error):
            self.conn.interrupt()

    def tick(self) -> int:
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0

    def authorize(self, action, arg1, arg2, db_name, trigger) -> int:
        if action in _READ_ACTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION:
            if (arg2 or "").lower() in _FORBIDDEN_FUNCTIONS:
                self.refused = f"function {arg2}() is not allowed"
                return sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA:
            if (arg1 or "").lower() in _SAFE_PRAGMAS:
                return sqlite3.SQLITE_OK
            self.refused = f"PRAGMA {arg1} is not allowed"
            return sqlite3.SQLITE_DENY
        if action in _FORBIDDEN_ACTIONS:
            self.refused = f"{_FORBIDDEN_ACTIONS[action]} is not allowed"
            return sqlite3.SQLITE_DENY
        if self.allow_writes:
            return sqlite3.SQLITE_OK
        self.wants_write = True
        return sqlite3.SQLITE_DENY


class _Watchdog:
    """Interrupts statements past their deadline, from a thread of its own.

    The progress handler only runs between batches of VM steps; when each step is itself slow
    (sum(length(randomblob(9000000))) over a cross join, each step is slow) thousands of steps would
    pass before it looks at the clock. sqlite3_interrupt stops the statement at the next step.
    """

    def __init__(self):
        self._wake = threading.Condition()
        self._armed: dict[int, _Guard] = {}
        self._thread: threading.Thread | None = None
        self._next = float("inf")  # when the thread will next look; earlier deadlines must wake it

    def arm(self, guard: _Guard) -> None:
        with self._wake:
            self._armed[id(guard)] = guard
            if self._thread is None or not self._thread.is_alive():  # also after a fork
                self._thread = threading.Thread(target=self._watch, name="sql-watchdog", daemon=True)
                self._thread.start()
            if guard.deadline < self._next:  # waking the thread costs time: only when needed
                self._next = guard.deadline
                self._wake.notify()

    def disarm(self, guard: _Guard) -> None:
        with self._wake:
            self._armed.pop(id(guard), None)

    def _watch(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                for key, guard in list(self._armed.items()):
                    if guard.deadline <= now:
                        del self._armed[key]
                        guard.expire()
                self._next = min((guard.deadline for guard in self._armed.values()), default=float("inf"))
                self._wake.wait(None if self._next == float("inf") else max(self._next - now, 0.001))


_WATCHDOG = _Watchdog()
# A child forked while the watchdog held its lock would inherit it locked: start afresh there.
os.register_at_fork(after_in_child=_WATCHDOG.__init__)


def _connect(target: str, limits: SandboxLimits, allow_writes: bool, uri: bool = False, guarded: bool = True):
    conn = sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=False)
    # Sorts and temp b-trees stay in memory: SQLite would otherwise create (unlinked) temp files.
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA hard_heap_limit = {int(limits.max_memory)}")
    guard = _Guard(conn, limits, allow_writes)
    if guarded:
        _guard_slow_functions(conn, guard, limits)
    return conn, guard


# Built-ins whose work can run for minutes inside one VM step, where no progress handler reaches:
# instr() of a 9 MB haystack and a 4 MB needle (the product of two lengths), printf('%.*c', 10^9, 'x')
# (one loop turn per character asked for). They are replaced by wrappers that refuse such inputs and
# otherwise ask a plain connection, so the answers stay SQLite's own.
_SLOW_FUNCTIONS = {
    "like": (2, 3),
    "glob": (2,),
    "instr": (2,),
    "replace": (3,),
    "trim": (2,),
    "ltrim": (2,),
    "rtrim": (2,),
    "printf": (-1,),
    "format": (-1,),
}
MAX_FUNCTION_WORK = 20_000_000  # product of the two longest argument lengths
_NUMBER = re.compile(r"\d+")


def _too_slow(name: str, args: tuple, limits: SandboxLimits) -> bool:
    if name in ("printf", "format"):
        fmt = args[0] if args and isinstance(args[0], str) else ""
        widths = [int(n) for n in _NUMBER.findall(fmt)]
        if "*" in fmt:
            widths += [abs(a) for a in args[1:] if isinstance(a, int)]
        return any(width > limits.max_length for width in widths)
    sizes = sorted(len(a) for a in args if isinstance(a, (str, bytes)))
    return len(sizes) >= 2 and sizes[-1] * sizes[-2] > MAX_FUNCTION_WORK


def _guard_slow_functions(conn: sqlite3.Connection, guard: _Guard, limits: SandboxLimits) -> None:
    plain = sqlite3.connect(":memory:", check_same_thread=False)
    plain.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limits.max_length)
    for name, arities in _SLOW_FUNCTIONS.items():
        for arity in arities:
            conn.create_function(name, arity, _guarded(name, plain, guard, limits), deterministic=True)


def _guarded(name: str, plain: sqlite3.Connection, guard: _Guard, limits: SandboxLimits):
    def function(*args):
        if _too_slow(name, args, limits):
            guard.too_large = f"{name}() refused: its arguments ask for too much work"
            raise ValueError(guard.too_large)
        try:
            return plain.execute(f"SELECT {name}({', '.join('?' * len(args))})", args).fetchone()[0]
        except sqlite3.Error as err:
            guard.too_large = f"{name}(): {err}"
            raise

    return function


def _statements(script: str) -> list[str]:
    """Split a script into complete statements with sqlite3's own tokenizer (complete_statement)."""
    statements, current = [], ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \t\r\n;"):
                statements.append(current.strip())
            current = ""
    if current.strip(" \t\r\n;"):
        statements.append(current.strip().rstrip(";"))
    return statements


def _build_memory(instruction: str, limits: SandboxLimits):
    script = schema_sql(instruction)
    if not script:
        raise DatabaseBuildError("the instruction holds no SQL (expected CREATE TABLE statements)")
    conn, guard = _connect(":memory:", limits, allow_writes=True)
    guard.start(limits.timeout_s * 5)
    try:
        conn.executescript(script)  # the fast path; statement by statement only to say what failed
        return _built(conn, guard)
    except (sqlite3.Error, ValueError, UnicodeEncodeError, MemoryError, OverflowError):
        conn.close()
    finally:
        guard.stop()
    conn, guard = _connect(":memory:", limits, allow_writes=True)
    for number, statement in enumerate(_statements(script), start=1):
        guard.start(limits.timeout_s * 5)
        try:
            conn.execute(statement)
        except (sqlite3.Error, ValueError, UnicodeEncodeError, MemoryError, OverflowError) as err:
            conn.close()
            shown = statement if len(statement) < 120 else statement[:117] + "..."
            reason = guard.refused or ("took too long" if guard.timed_out else str(err))
            raise DatabaseBuildError(
                f"statement {number} of the instruction ({shown!r}) failed: {reason}"
            ) from None
        finally:
            guard.stop()
    return _built(conn, guard)


def _built(conn: sqlite3.Connection, guard: _Guard):
    guard.allow_writes = False  # built: from now on writes go to a throwaway copy
    return conn, guard


def _open_file(db_path: str | Path, limits: SandboxLimits, guarded: bool = True):
    path = Path(db_path)
    if not path.is_file():
        raise DatabaseBuildError(f"database file {path} does not exist")
    # mode=ro: SQLite never writes; immutable=1: no locks, no journal or -wal/-shm files beside it.
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    conn = None
    try:
        conn, guard = _connect(uri, limits, allow_writes=False, uri=True, guarded=guarded)
        guard.start(limits.timeout_s)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        guard.stop()
    except sqlite3.Error as err:
        if conn is not None:
            conn.close()
        raise DatabaseBuildError(f"cannot open {path} as a SQLite database: {err}") from None
    conn.text_factory = _lenient_text  # real databases hold the odd byte that is not UTF-8
    return conn, guard


def _lenient_text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


class _WantsWrite(Exception):
    """The statement was denied on the base database because it changes data or schema."""


class _TooLarge(Exception):
    pass


# Python cannot hand text that is not UTF-8 to the guarded built-ins (it fails before calling them),
# and real databases hold such text. A query that trips on it is run again on a second connection
# without the guards, where every string is capped small enough that no built-in can run long.
_UNREADABLE_ARGUMENT = "user-defined function raised exception"
UNGUARDED_MAX_LENGTH = 20_000


class Database:
    """A sandboxed database (a context manager). `run` never raises for a bad query."""

    def __init__(
        self, conn: sqlite3.Connection, guard: _Guard, limits: SandboxLimits, path: Path | None = None
    ):
        self._conn, self._guard, self.limits, self._path = conn, guard, limits, path
        self._unguarded: tuple[sqlite3.Connection, _Guard] | None = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for conn in (self._conn, self._unguarded and self._unguarded[0]):
            if conn is not None:
                conn.close()
        self._conn = self._unguarded = None

    def run(self, sql: str) -> Execution:
        problem = _check_text(sql, self.limits)
        if problem is not None:
            return problem
        if self._conn is None:
            return failed("the database is closed", "runtime")
        result = self._run_on(self._conn, self._guard, sql, self.limits)
        if result.error == _UNREADABLE_ARGUMENT and self._path is not None:
            if self._unguarded is None:
                small = dataclasses.replace(self.limits, max_length=UNGUARDED_MAX_LENGTH)
                self._unguarded = _open_file(self._path, small, guarded=False)
            result = self._run_on(*self._unguarded, sql, self._unguarded[1].limits)
        return result

    def _run_on(self, conn: sqlite3.Connection, guard: _Guard, sql: str, limits: SandboxLimits) -> Execution:
        """Run on `conn`; a statement that changes data or schema runs on a throwaway copy of it."""
        try:
            return self._execute(conn, guard, sql)
        except _WantsWrite:
            pass
        copy, copy_guard = _connect(":memory:", limits, allow_writes=True, guarded=conn is self._conn)
        copy.text_factory = conn.text_factory
        try:
            conn.backup(copy)
        except (MemoryError, sqlite3.Error):
            copy.close()
            return failed("the database is too large to copy for a data-changing statement", "too_large")
        try:
            return self._execute(copy, copy_guard, sql)
        except _WantsWrite:  # cannot happen: the copy allows writes
            return failed("the statement was refused", "refused")
        finally:
            copy.close()

    def _execute(self, conn: sqlite3.Connection, guard: _Guard, sql: str) -> Execution:
        guard.start(self.limits.timeout_s)
        cursor = None
        try:
            cursor = conn.execute(sql)
            columns = [column[0] for column in cursor.description or []]
            if cursor.description is None and not guard.allow_writes:
                return failed("no SQL statement to run (only comments or whitespace)", "syntax")
            rows = _fetch(cursor, self.limits.max_rows, [self.limits.max_result_bytes])
            tables = self._dump(conn, guard) if guard.allow_writes else None
            return Execution(ok=True, columns=columns, rows=rows, error=None, error_kind=None, tables=tables)
        except sqlite3.Error as err:
            if guard.wants_write and guard.refused is None and not guard.allow_writes:
                raise _WantsWrite from None
            return _classify(err, guard, self.limits)
        except MemoryError:
            return failed("the query needed more memory than the sandbox allows", "too_large")
        except _TooLarge as err:
            return failed(str(err), "too_large")
        except (ValueError, OverflowError) as err:
            return failed(f"the query could not be run: {err}", "runtime")
        finally:
            guard.stop()
            if cursor is not None:
                cursor.close()

    def _dump(self, conn: sqlite3.Connection, guard: _Guard) -> dict[str, list[tuple]]:
        """Every table's rows after a data-changing statement, within the same byte budget."""
        guard.start(self.limits.timeout_s)
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                " ORDER BY name"
            )
        ]
        budget = [self.limits.max_result_bytes]
        tables = {}
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            tables[name] = _fetch(conn.execute(f"SELECT * FROM {quoted}"), None, budget)
        return tables


def _check_text(sql: object, limits: SandboxLimits) -> Execution | None:
    if not isinstance(sql, str):
        return failed(f"the SQL is a {type(sql).__name__}, not text", "syntax")
    if not sql.strip():
        return failed("empty SQL", "syntax")
    if "\x00" in sql:
        return failed("the SQL contains a NUL character", "refused")
    try:
        size = len(sql.encode("utf-8"))
    except UnicodeEncodeError:
        return failed("the SQL is not valid text (it holds a lone surrogate that cannot be UTF-8)", "refused")
    if size > limits.max_sql_length:
        return failed(
            f"the SQL is {size} bytes long, over the {limits.max_sql_length}-byte limit", "too_large"
        )
    return None


def _fetch(cursor: sqlite3.Cursor, max_rows: int | None, budget: list[int]) -> list[tuple]:
    """Fetch all rows, refusing more than `max_rows` or more than `budget[0]` bytes (shared, mutable).

    Row by row, so a result of 10 MB blobs is stopped at the first few, not after a batch of them.
    """
    rows: list[tuple] = []
    for row in cursor:
        rows.append(row)
        budget[0] -= 16 * len(row) + sum(len(v) for v in row if isinstance(v, (str, bytes)))
        if budget[0] < 0:
            raise _TooLarge("the result is too large to compare (over the sandbox's byte budget)")
        if max_rows is not None and len(rows) > max_rows:
            raise _TooLarge(f"the result has more than {max_rows} rows")
    return rows


def _classify(err: sqlite3.Error, guard: _Guard, limits: SandboxLimits) -> Execution:
    message = str(err)
    if guard.timed_out:
        return failed(f"the query ran longer than {limits.timeout_s:g} s and was stopped", "timeout")
    if guard.refused:
        return failed(f"refused by the sandbox: {guard.refused}", "refused")
    if guard.too_large:
        return failed(guard.too_large, "too_large")
    if isinstance(err, sqlite3.ProgrammingError) and "one statement" in message:
        return failed("several statements in one string; the sandbox runs exactly one", "refused")
    if "not authorized" in message:
        return failed(f"refused by the sandbox: {message}", "refused")
    if any(
        key in message
        for key in ("syntax error", "incomplete input", "unrecognized token", "parser stack overflow")
    ):
        return failed(message, "syntax")
    if "too big" in message or "too long" in message or "out of memory" in message:
        return failed(message, "too_large")
    return failed(message, "runtime")


def open_database(
    instruction: str | None = None, db_path: str | Path | None = None, limits: SandboxLimits | None = None
) -> Database:
    """A sandboxed database: the file at `db_path` (read-only), else one built from `instruction`."""
    limits = limits or SandboxLimits()
    if db_path is not None:
        return Database(*_open_file(db_path, limits), limits, path=Path(db_path))
    if instruction is None:
        raise DatabaseBuildError("neither an instruction nor a db_path was given")
    return Database(*_build_memory(instruction, limits), limits)


def database_for_record(
    record: dict, base_dir: str | Path | None = None, limits: SandboxLimits | None = None
) -> Database:
    """The record's database: `db_path` (relative to `base_dir`, the dataset's folder) or its instruction."""
    db_path = record.get("db_path")
    if db_path:
        path = Path(db_path)
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        return open_database(db_path=path, limits=limits)
    instruction = record.get("instruction")
    if not isinstance(instruction, str):
        raise DatabaseBuildError("the record has no instruction text to build its database from")
    return open_database(instruction=instruction, limits=limits)
