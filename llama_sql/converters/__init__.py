"""Turn a public text-to-SQL dataset into this project's records, checked by running every gold query.

    python -m llama_sql data convert --from gretel --input gretel_train.parquet --output data/gretel.json
    python -m llama_sql data convert --from gretel --input gretelai/synthetic_text_to_sql --split test ...
    python -m llama_sql data convert --from sql-create-context --input sample.jsonl --output data/sqlcc.json
    python -m llama_sql data convert --from spider --input spider/ [--split dev.json] --output data/spider.json

    records, summary = convert_records("gretel", "gretel_train.parquet", limit=1000)
    summary = convert("spider", "spider/", "data/spider_dev.json")

One module per source (gretel.py, sql_create_context.py, spider.py) maps its fields; dialect.py and
execution_check.py make the SQL run on SQLite; summary.py counts what happened. The output is a JSON
list (or JSONL when the name ends in .jsonl), written atomically.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from llama_sql.converters import gretel, spider, sql_create_context
from llama_sql.converters.hub import load_hub_rows, looks_like_hub_id
from llama_sql.converters.summary import ConversionSummary
from llama_sql.converters.table_files import read_rows
from llama_sql.records import DataError, write_json, write_jsonl

# Sources read as rows from a file or the hub, with the module that maps their fields.
ROW_SOURCES = {"gretel": gretel, "sql-create-context": sql_create_context}
SOURCES = (*ROW_SOURCES, "spider")

__all__ = ["SOURCES", "ConversionSummary", "convert", "convert_records", "write_records"]


def convert_records(
    source: str,
    input: str | Path,
    split: str | None = None,
    limit: int | None = None,
    output_dir: str | Path | None = None,
) -> tuple[list[dict], ConversionSummary]:
    """Records converted from `input` (file, folder or hub id) and the summary of what happened.

    `split`: the questions file for spider (default dev.json), the split name for a hub id
    (default train). `output_dir`: where the records will be written (Spider's db_path is made
    relative to it). Raises `DataError` when the input cannot be read or yields no record at all.
    """
    if source not in SOURCES:
        raise DataError(f"unknown source {source!r}: choose one of {', '.join(SOURCES)}.")
    if limit is not None and limit < 1:
        raise DataError(f"--limit must be a positive number of rows, got {limit}.")
    summary = ConversionSummary(source=source, input=str(input))
    if source == "spider":
        out = Path(output_dir) if output_dir is not None else None
        records = spider.convert_folder(input, split, limit, out, summary)
    else:
        rows = _read_source_rows(str(input), split, limit)
        summary.read = len(rows)
        records = ROW_SOURCES[source].convert_rows(rows, str(input), summary)
    if not records:
        reasons = "; ".join(summary.skipped_rows[:3]) or "the input has no rows"
        raise DataError(
            f"{summary.input}: no record could be converted from {summary.read} rows ({reasons}). "
            f"Check that --from {source} matches the file."
        )
    _make_ids_unique(records)
    for record in records:
        summary.count(record)
    return records, summary


def convert(
    source: str, input: str | Path, output: str | Path, split: str | None = None, limit: int | None = None
) -> ConversionSummary:
    """Convert `input` and write the records to `output` atomically; return the summary."""
    output = Path(output)
    records, summary = convert_records(source, input, split=split, limit=limit, output_dir=output.parent)
    write_records(output, records)
    summary.output = str(output)
    return summary


def write_records(path: str | Path, records: list[dict]) -> Path:
    """A JSON list, or JSONL when the file name ends in .jsonl; atomically either way."""
    path = Path(path)
    return write_jsonl(path, records) if path.suffix.lower() == ".jsonl" else write_json(path, records)


def _read_source_rows(input: str, split: str | None, limit: int | None) -> list[dict]:
    if Path(input).exists():
        if split is not None:
            raise DataError(
                f"--split {split!r} applies to spider folders and hub ids, not to the file {input}."
            )
        rows = read_rows(input, limit)
    elif looks_like_hub_id(input):
        rows = load_hub_rows(input, split or "train", limit)
    else:
        raise DataError(
            f"{input}: no such file, and not a hub id like gretelai/synthetic_text_to_sql. "
            "Pass a CSV, JSON, JSONL or parquet file to --input."
        )
    if not rows:
        raise DataError(f"{input}: no rows to convert.")
    return rows


def _make_ids_unique(records: list[dict]) -> None:
    """A repeated id (the same gretel row twice, train and test files joined) gets -2, -3... appended."""
    seen: dict[str, int] = {}
    for record in records:
        base = record["id"]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            record["id"] = f"{base}-{seen[base]}"
            while record["id"] in seen:
                seen[base] += 1
                record["id"] = f"{base}-{seen[base]}"
            seen[record["id"]] = 1


def add_cli(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="source", required=True, choices=SOURCES, help="the dataset's format")
    parser.add_argument(
        "--input",
        required=True,
        help="a file (CSV, JSON, JSONL, parquet), a Spider folder, or a hub id (owner/name)",
    )
    parser.add_argument("--output", required=True, help="the records file to write (.json, or .jsonl)")
    parser.add_argument(
        "--split", help="spider: the questions file (default dev.json); hub id: the split (default train)"
    )
    parser.add_argument("--limit", type=int, help="convert only the first N rows")
    parser.add_argument("--summary", help="also write the summary as JSON to this path")


def run_cli(args: argparse.Namespace) -> int:
    summary = convert(args.source, args.input, args.output, split=args.split, limit=args.limit)
    print(summary.report())
    if args.summary:
        write_json(args.summary, summary.to_dict())
    return 0
