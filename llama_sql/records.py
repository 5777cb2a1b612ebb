"""Reading and writing example records (JSON list or JSONL) without ever leaving half a file.

A record is one Alpaca-style text-to-SQL example: `instruction` (the database as SQL text),
`input` (the question), `output` (the gold SQL), `explanation`, and optional `id`, `db_path`,
`category`, `source`, `split`. docs/contract.md has the full list.

Every problem a user can cause (a missing file, bad JSON, a wrong field) is raised as `DataError`,
whose message names the file, the record and the field, and says what to do. The CLI prints it as
one paragraph and exits non-zero, with no traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

REQUIRED_FIELDS = ("instruction", "input", "output")
OPTIONAL_TEXT_FIELDS = ("explanation", "id", "db_path", "category", "source", "split")


class DataError(Exception):
    """A problem with the user's input that they can fix; the message says what, where and how."""


def record_label(index: int, record: object) -> str:
    """`record 12 (id 'patients-0012')`: how every message names a record."""
    rid = record.get("id") if isinstance(record, dict) else None
    return f"record {index}" + (f" (id {rid!r})" if rid is not None else "")


def load_records(path: str | os.PathLike) -> list[dict]:
    """Read a JSON list or a JSONL file of records; raise `DataError` naming the file and line."""
    path = Path(path)
    if not path.exists():
        raise DataError(
            f"{path}: no such file. Check the path, or build the project's dataset with "
            "`python -m llama_sql data build`."
        )
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a JSON or JSONL file of records.")
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows editors) is allowed
    except UnicodeDecodeError as err:
        raise DataError(
            f"{path}: not UTF-8 text ({err.reason} at byte {err.start}). "
            "Save the file as UTF-8 JSON or JSONL."
        ) from None
    if not text.strip():
        raise DataError(
            f"{path}: the file is empty. Expected a JSON list of records or one JSON object per line (JSONL)."
        )
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as err:
            raise DataError(
                f"{path}: invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}. "
                "Fix the file or re-export it."
            ) from None
    else:
        records = list(_read_jsonl(path, text))
    if not isinstance(records, list):
        raise DataError(f"{path}: expected a list of records, found {type(records).__name__}.")
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise DataError(
                f"{path}: record {index} is a {type(record).__name__}, not a JSON object "
                "with fields instruction, input, output."
            )
    return records


def _read_jsonl(path: Path, text: str) -> Iterator[object]:
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as err:
            raise DataError(
                f"{path}: line {lineno} is not valid JSON ({err.msg}, column {err.colno}). "
                "Each line of a JSONL file must be one JSON object."
            ) from None


def require_fields(records: list[dict], path: str | os.PathLike, fields=REQUIRED_FIELDS) -> None:
    """Raise `DataError` at the first record missing a field or holding a non-string in it."""
    for index, record in enumerate(records):
        for field in fields:
            if field not in record:
                raise DataError(
                    f"{path}: {record_label(index, record)} has no field {field!r}. "
                    "Every record needs instruction, input and output."
                )
            if not isinstance(record[field], str):
                raise DataError(
                    f"{path}: {record_label(index, record)} field {field!r} is a "
                    f"{type(record[field]).__name__}, expected a string."
                )


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds.

    Works for files and folders alike: whatever the block writes at the yielded path replaces
    `path` in one rename, so a crash or an error never leaves a half-written output behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    target = tmp / path.name
    try:
        yield target
        if path.is_dir() and not path.is_symlink():
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            os.replace(path, old)
            os.replace(target, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(target, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_json(path: str | os.PathLike, obj: object) -> Path:
    """Write `obj` as pretty UTF-8 JSON, atomically. Returns the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return Path(path)


def write_jsonl(path: str | os.PathLike, rows: Iterable[dict]) -> Path:
    """Write one JSON object per line, atomically. Returns the path."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return Path(path)
