"""Remove training records that repeat an evaluation record, by normalized question or normalized SQL.

    python -m llama_sql data dedupe --train data/sqlcc.json --eval data/spider_dev.json --output data/train.json

    kept, report = deduplicate(train_records, eval_records)      # in a notebook
    report = dedupe_file("train.json", ["val.json", "test.json"], "train_dedup.json")

Public datasets leak into each other: b-mc2/sql-create-context is built from Spider's questions, and
gretel's first rows circulate in many derived sets. A model trained on an evaluation question scores
what it memorised, so before training, every training record whose question or gold SQL matches an
evaluation record's (after normalization) is dropped, and the report says how many and which.

- question: the "SQL Prompt: " prefix dropped, Unicode-normalized, lower case, punctuation and
  runs of spaces collapsed ("How many heads ... 56 ?" == "how many heads ... 56?");
- SQL: sqlglot's tokens in lower case, without quotes, `AS` and semicolons, so
  `SELECT name ,  age FROM "singer" AS T1;` == `select name, age from singer t1`.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from dataclasses import dataclass, field

from sqlglot.dialects.sqlite import SQLite
from sqlglot.tokens import TokenType

from llama_sql.converters import write_records
from llama_sql.records import DataError, load_records, write_json

KEYS = ("question", "sql")
_SQLITE = SQLite()
_IGNORED_TOKENS = {TokenType.SEMICOLON, TokenType.ALIAS}
_PROMPT_PREFIX = re.compile(r"^\s*sql prompt\s*:\s*", re.I)


def normalize_question(text: str) -> str:
    """`SQL Prompt: How many heads are older than 56 ?` -> `how many heads are older than 56`."""
    text = unicodedata.normalize("NFKC", _PROMPT_PREFIX.sub("", text or "")).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def normalize_sql(sql: str) -> str:
    """One spelling per query: sqlglot's tokens, lower case, without quotes, `AS` or semicolons."""
    try:
        tokens = _SQLITE.tokenize(sql or "")
    except Exception:  # an unterminated string: compare the text itself
        return " ".join((sql or "").casefold().replace(";", " ").split())
    # Tokens, not a full parse: five times faster on 100k gretel rows, and spacing, quoting and
    # keyword case are what differ between copies of the same query.
    return " ".join(t.text.casefold() for t in tokens if t.token_type not in _IGNORED_TOKENS)


@dataclass
class DedupeReport:
    train: int  # training records read
    evaluation: int  # evaluation records compared against
    kept: int  # training records kept
    removed: int  # training records removed (matched on any key)
    by_key: dict[str, int] = field(default_factory=dict)  # key -> removed records matching on it
    removed_records: list[dict] = field(default_factory=list)  # {index, id, key, eval_id} per removal

    def to_dict(self) -> dict:
        return {
            "train": self.train,
            "evaluation": self.evaluation,
            "kept": self.kept,
            "removed": self.removed,
            "by_key": self.by_key,
            "removed_records": self.removed_records,
        }

    def report(self) -> str:
        keys = ", ".join(f"{number} by {key}" for key, number in self.by_key.items())
        return (
            f"removed {self.removed} of {self.train} training records that repeat one of {self.evaluation} "
            f"evaluation records ({keys or 'none'}); kept {self.kept}"
        )


def deduplicate(
    train: list[dict], evaluation: list[dict], keys: tuple[str, ...] = KEYS
) -> tuple[list[dict], DedupeReport]:
    """Training records matching no evaluation record on any of `keys` ("question", "sql"), and the report.

    The question is a record's `input`, the SQL its `output`; the first key that matches is the one
    reported. Empty normalized values never match.
    """
    unknown = [key for key in keys if key not in KEYS]
    if unknown or not keys:
        raise DataError(
            f"unknown dedupe key {unknown[0] if unknown else '(none)'}: use question, sql or both."
        )
    seen = {key: {} for key in keys}
    for record in evaluation:
        for key in keys:
            value = _normalized(record, key)
            if value:
                seen[key].setdefault(value, record.get("id"))
    kept, removed = [], []
    by_key = {key: 0 for key in keys}
    for index, record in enumerate(train):
        match = next(
            (
                (key, seen[key][value])
                for key in keys
                if (value := _normalized(record, key)) and value in seen[key]
            ),
            None,
        )
        if match is None:
            kept.append(record)
            continue
        by_key[match[0]] += 1
        removed.append({"index": index, "id": record.get("id"), "key": match[0], "eval_id": match[1]})
    report = DedupeReport(
        train=len(train),
        evaluation=len(evaluation),
        kept=len(kept),
        removed=len(removed),
        by_key=by_key,
        removed_records=removed,
    )
    return kept, report


def _normalized(record: dict, key: str) -> str:
    value = record.get("input" if key == "question" else "output")
    if not isinstance(value, str):
        return ""
    return normalize_question(value) if key == "question" else normalize_sql(value)


def add_cli(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--train", required=True, help="the training records (JSON or JSONL)")
    parser.add_argument("--eval", required=True, nargs="+", help="one or more evaluation record files")
    parser.add_argument("--output", required=True, help="where to write the kept training records")
    parser.add_argument(
        "--by",
        nargs="+",
        choices=KEYS,
        default=list(KEYS),
        help="match on the question, the SQL, or both (default: both)",
    )
    parser.add_argument("--report", help="also write the report (with every removed record) as JSON here")


def dedupe_file(
    train_path, eval_paths, output, keys: tuple[str, ...] = KEYS, report_path=None
) -> DedupeReport:
    """`deduplicate` on files: write the kept training records to `output` (and the report as JSON)."""
    train = load_records(train_path)
    evaluation = [record for path in eval_paths for record in load_records(path)]
    kept, report = deduplicate(train, evaluation, keys=tuple(keys))
    write_records(output, kept)
    if report_path:
        write_json(report_path, report.to_dict())
    return report


def run_cli(args: argparse.Namespace) -> int:
    report = dedupe_file(args.train, args.eval, args.output, keys=tuple(args.by), report_path=args.report)
    print(report.report())
    for row in report.removed_records[:10]:
        print(f"  train record {row['index']} ({row['id']}) repeats eval {row['eval_id']} by {row['key']}")
    return 0
