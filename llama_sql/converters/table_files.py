"""Read the rows of a public dataset file: CSV, JSON (a list, or columns), JSONL or parquet.

Every row comes back as a plain dict with lower-case column names and `None` for a missing value
(NaN, NA, NaT, an empty CSV cell), whatever the file format, so the converters see one shape.
Problems with the file itself (missing, unreadable, not the format its name says) are `DataError`s.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from llama_sql.records import DataError

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def read_rows(path: str | Path, limit: int | None = None) -> list[dict]:
    """The rows of `path` (at most `limit` of them) as dicts; the format comes from the file name."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file. Pass a CSV, JSON, JSONL or parquet file to --input.")
    suffixes = [s for s in path.suffixes if s not in {".gz", ".bz2", ".zip", ".xz", ".snappy"}]
    kind = FORMATS.get(suffixes[-1].lower() if suffixes else "") or _sniff(path)
    if kind in {"csv", "tsv"}:
        rows = _read_csv(path, limit, sep="\t" if kind == "tsv" else ",")
    elif kind == "parquet":
        rows = _read_parquet(path, limit)
    else:
        rows = _read_json(path, limit)
    return [_clean(row) for row in rows]


def require_columns(rows: list[dict], path: str | Path, columns: tuple[str, ...], what: str) -> None:
    """Raise `DataError` when no row of the file has one of `columns` (a wrong file, not a bad row)."""
    present = set().union(*(row.keys() for row in rows)) if rows else set()
    missing = [column for column in columns if column not in present]
    if rows and missing:
        shown = ", ".join(sorted(present)[:15]) or "none"
        raise DataError(
            f"{path}: no column {missing[0]!r} in any row (columns found: {shown}). "
            f"A {what} file needs the columns {', '.join(columns)}; check --from and --input."
        )


def text_value(row: dict, column: str) -> str:
    """The cell as stripped text ('' when missing); numbers are written as they read (5097, not 5097.0)."""
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _sniff(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip()
    if head.startswith(b"PAR1"):
        return "parquet"
    # JSON or JSONL: _read_json tells them apart by whether the text is one JSON document.
    return "json" if head.startswith((b"[", b"{")) else "csv"


def _read_csv(path: Path, limit: int | None, sep: str) -> list[dict]:
    import pandas as pd

    try:
        # dtype=str and no NA guessing: a prompt that says "NULL" or "NA" stays text.
        frame = pd.read_csv(
            path, sep=sep, dtype=str, keep_default_na=False, nrows=limit, encoding="utf-8-sig"
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as err:
        raise DataError(
            f"{path}: cannot read it as CSV ({_short(err)}). Check the file is CSV with a "
            "header row, saved as UTF-8."
        ) from None
    return frame.to_dict("records")


def _read_parquet(path: Path, limit: int | None) -> list[dict]:
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises ArrowInvalid, OSError... for a file that is not parquet
        raise DataError(
            f"{path}: cannot read it as parquet ({_short(err)}). Check the file, or convert "
            "it to CSV or JSONL."
        ) from None
    if limit is not None:
        frame = frame.head(limit)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _read_json(path: Path, limit: int | None) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise DataError(
            f"{path}: not UTF-8 text ({err.reason} at byte {err.start}). Save it as UTF-8."
        ) from None
    if not text.strip():
        raise DataError(f"{path}: the file is empty.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None  # not one JSON document: read it as JSONL below
    if data is None:
        rows = _read_jsonl(path, text, limit)
    elif isinstance(data, list):
        rows = data[:limit] if limit is not None else data
    elif isinstance(data, dict):
        rows = _rows_of_object(path, data)[:limit]
    else:
        raise DataError(
            f"{path}: expected a JSON list of rows or one JSON object per line, "
            f"found a {type(data).__name__}."
        )
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise DataError(f"{path}: row {index} is a {type(row).__name__}, not a JSON object of columns.")
    return rows


def _read_jsonl(path: Path, text: str, limit: int | None) -> list[dict]:
    rows = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if limit is not None and len(rows) >= limit:
            break
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as err:
            raise DataError(
                f"{path}: line {lineno} is not valid JSON ({err.msg}, column {err.colno}). "
                "Each line of a JSONL file must be one JSON object."
            ) from None
    return rows


def _rows_of_object(path: Path, data: dict) -> list:
    """A JSON object holding the rows: {"data": [...]} or pandas' column layout {"col": {"0": v}}."""
    lists = [value for value in data.values() if isinstance(value, list)]
    if len(lists) == 1 and all(isinstance(item, dict) for item in lists[0]):
        return lists[0]
    if data and all(isinstance(value, (dict, list)) for value in data.values()):
        import pandas as pd

        try:
            frame = pd.DataFrame(data)
        except ValueError as err:
            raise DataError(
                f"{path}: a JSON object that is neither rows nor columns ({_short(err)})."
            ) from None
        return frame.astype(object).where(frame.notna(), None).to_dict("records")
    # A single JSON object on one line is a one-row JSONL file.
    return [data]


def _clean(row: dict) -> dict:
    cleaned = {}
    for key, value in row.items():
        if (isinstance(value, float) and math.isnan(value)) or type(value).__name__ in {"NAType", "NaTType"}:
            value = None
        elif hasattr(value, "item") and not isinstance(value, (str, bytes)):
            value = value.item() if getattr(value, "ndim", 0) == 0 else value  # numpy scalars
        cleaned[str(key).strip().lstrip("\ufeff").lower()] = value
    return cleaned


def _short(err: Exception) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
