"""The project's own Alpaca-style text-to-SQL dataset, built from code and verified by execution.

    python -m llama_sql data build                   # writes data/alpaca_sql_dataset.json
    python -m llama_sql data build --output out.json

Eighteen small databases from distinct domains (domains_*.py) are asked questions by intent
templates (filters, grouping, conditions, dates, joins, paths, nesting) that read each schema's
column roles, so every template speaks every domain; compose.py keeps only drafts whose gold SQL
runs in the sandbox and returns a real answer. The build is deterministic: the same code gives
the same bytes.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from llama_sql.builder import (
    domains_community,
    domains_culture,
    domains_seed,
    domains_trade,
    domains_travel,
    domains_workplace,
)
from llama_sql.builder.compose import SOURCE, schema_records
from llama_sql.records import write_json

DEFAULT_OUTPUT = Path("data/alpaca_sql_dataset.json")  # where `data build` writes, from the project's root
# The dataset inside the package: a link to data/ in the repository, the file itself in a wheel
# (pyproject.toml's package-data), so an installed project has it wherever it runs.
PACKAGED_DATASET = Path(__file__).resolve().parents[1] / "data" / DEFAULT_OUTPUT.name
SCHEMAS = tuple(
    schema
    for module in (
        domains_seed,
        domains_workplace,
        domains_culture,
        domains_travel,
        domains_trade,
        domains_community,
    )
    for schema in module.SCHEMAS
)

__all__ = [
    "DEFAULT_OUTPUT",
    "PACKAGED_DATASET",
    "SCHEMAS",
    "SOURCE",
    "add_cli",
    "build_dataset",
    "project_dataset",
    "run_cli",
]


def project_dataset() -> Path:
    """The project's dataset, found through the package whatever the working folder: data/ beside the
    package in a checkout of the repository, the copy inside the package when installed from a wheel."""
    root = Path(__file__).resolve().parents[2]
    checkout = root / DEFAULT_OUTPUT
    if (root / "pyproject.toml").is_file() and checkout.is_file():
        return checkout
    return PACKAGED_DATASET


def build_dataset(output: str | Path | None = None) -> list[dict]:
    """All records of every schema, in schema order; written atomically to `output` when given."""
    records = [record for schema in SCHEMAS for record in schema_records(schema)]
    if output is not None:
        write_json(output, records)
    return records


def add_cli(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help=f"where to write the dataset (default: {DEFAULT_OUTPUT})",
    )


def run_cli(args: argparse.Namespace) -> int:
    records = build_dataset(args.output)
    categories = Counter(r["category"] for r in records)
    print(f"wrote {len(records)} examples over {len(SCHEMAS)} databases to {args.output}")
    print("categories: " + ", ".join(f"{name} {count}" for name, count in sorted(categories.items())))
    return 0
