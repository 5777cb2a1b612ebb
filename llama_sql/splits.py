"""A deterministic train/val/test split that never lets a test question leak into training, and a
second held-out split, test_unseen, of whole databases and whole phrasings training never sees.

    python -m llama_sql data split data/alpaca_sql_dataset.json --output_dir runs/data [--seed 0]

Records are grouped before they are split: two records land in the same split when they ask the
same gold query of the same database (paraphrases of one query), or ask the same question (after
normalising case, spaces and punctuation). So no question and no (database, query) pair is in two
splits. Databases ARE shared: the test set asks new questions, with new values and phrasings, of
the databases the model trained on (see data/README.md for why).

Groups are ordered by stratum (database, then category), shuffled within it by the seed, and
assigned by systematic sampling, so every database and category gets its share of val and test.

`test_unseen` is taken out first. It holds every record of UNSEEN_DATABASES whole databases (when the data
has at least MIN_DATABASES of them), and every record asked with a held-out phrasing: records name
theirs in `template` ("filter_equals/3": the intent, then which of its phrasings), and about
UNSEEN_INTENT_FRACTION of the intents with at least MIN_PHRASINGS phrasings lose one phrasing to it, so
each of those intents is still taught in its other words. `test` measures new questions on the databases
and phrasings training saw; `test_unseen` measures new databases (`unseen` = "database") and new
wordings (`unseen` = "phrasing"; "database+phrasing" when both).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import math
import random
import re
from collections import defaultdict
from pathlib import Path

import sqlglot

from llama_sql.records import atomic_path, load_records, write_json

SPLITS = ("train", "val", "test", "test_unseen")
VAL_FRACTION = 0.05
TEST_FRACTION = 0.15
UNSEEN_DATABASES = 2  # whole databases held out of training for test_unseen
MIN_DATABASES = 8  # below this many databases none is held out (each one teaches too much to spare)
UNSEEN_INTENT_FRACTION = 0.25  # of the intents with enough phrasings, the share that lose one to test_unseen
MIN_PHRASINGS = 3  # an intent keeps at least two phrasings in training


@functools.lru_cache(maxsize=65536)  # split_records may run several times on one dataset
def normalized_sql(sql: str) -> str:
    """One spelling per query: sqlglot's canonical SQLite text, or lower-cased words if it cannot parse."""
    try:
        return sqlglot.parse_one(sql, read="sqlite").sql(dialect="sqlite", normalize=True)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError, ValueError):
        return " ".join(sql.lower().split())


def normalized_question(text: str) -> str:
    text = re.sub(r"^\s*sql prompt:\s*", "", text.lower())
    return " ".join(re.sub(r"[^\w\s']", " ", text).split())


def database_key(record: dict) -> str:
    """`db_id` when the record has one, else its db_path, else a digest of its instruction."""
    if record.get("db_id"):
        return str(record["db_id"])
    if record.get("db_path"):
        return str(record["db_path"])
    return hashlib.sha1(str(record.get("instruction", "")).encode("utf-8")).hexdigest()[:12]


def _groups(records: list[dict]) -> list[list[int]]:
    """Indices of records that must share a split (union-find over query and question keys)."""
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple, int] = {}
    for index, record in enumerate(records):
        keys = (
            ("sql", database_key(record), normalized_sql(str(record.get("output", "")))),
            ("question", normalized_question(str(record.get("input", "")))),
        )
        for key in keys:
            if key in owner:
                parent[find(index)] = find(owner[key])
            else:
                owner[key] = index
    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(records)):
        members[find(index)].append(index)
    return sorted(members.values())


def _stratum(record: dict) -> tuple[str, str]:
    return database_key(record), str(record.get("category") or "")


def split_records(
    records: list[dict],
    seed: int = 0,
    val_fraction: float = VAL_FRACTION,
    test_fraction: float = TEST_FRACTION,
) -> dict[str, list[dict]]:
    """{"train", "val", "test", "test_unseen"}: copies of the records with a `split` field (and, in
    test_unseen, an `unseen` field saying what is new), each in file order."""
    rng = random.Random(seed)
    groups = _groups(records)
    unseen = _unseen(records, groups, seed)
    groups = [g for g in groups if g[0] not in unseen]
    rng.shuffle(groups)
    groups.sort(key=lambda g: _stratum(records[g[0]]))  # stable: shuffled order survives inside a stratum
    assigned: dict[int, str] = dict.fromkeys(unseen, "test_unseen")
    rest = _sample(groups, test_fraction, "test", assigned)
    _sample(rest, val_fraction / max(1e-9, 1 - test_fraction), "val", assigned)
    _cover_every_stratum(records, groups, assigned)
    splits: dict[str, list[dict]] = {name: [] for name in SPLITS}
    for index, record in enumerate(records):
        name = assigned.get(index, "train")
        extra = {"unseen": unseen[index]} if index in unseen else {}
        splits[name].append({**record, "split": name, **extra})
    return splits


def held_out_databases(records: list[dict], rng: random.Random) -> set[str]:
    databases = sorted({database_key(r) for r in records})
    return set(rng.sample(databases, UNSEEN_DATABASES)) if len(databases) >= MIN_DATABASES else set()


def held_out_phrasings(records: list[dict], rng: random.Random) -> set[str]:
    """One phrasing ("intent/index") of about UNSEEN_INTENT_FRACTION of the intents that have
    MIN_PHRASINGS or more; records without a `template` hold none out."""
    phrasings: dict[str, set[str]] = defaultdict(set)
    for record in records:
        template = str(record.get("template") or "")
        if "/" in template:
            phrasings[template.split("/")[0]].add(template)
    held = set()
    for intent in sorted(phrasings):
        choices = sorted(phrasings[intent])
        if len(choices) >= MIN_PHRASINGS and rng.random() < UNSEEN_INTENT_FRACTION:
            held.add(rng.choice(choices))
    return held


def held_out(records: list[dict], seed: int = 0) -> tuple[set[str], set[str]]:
    """The databases and the phrasings ("intent/index") that `split_records(records, seed)` keeps for
    test_unseen."""
    rng = random.Random(f"unseen:{seed}")
    return held_out_databases(records, rng), held_out_phrasings(records, rng)


def _unseen(records: list[dict], groups: list[list[int]], seed: int) -> dict[int, str]:
    """Index -> what is new to training ("database", "phrasing", "database+phrasing") for test_unseen.
    A group goes whole, so a paraphrase of a held-out record is never trained on either."""
    databases, phrasings = held_out(records, seed)
    unseen: dict[int, str] = {}
    for group in groups:
        kinds = set()
        for i in group:
            kinds |= {"database"} if database_key(records[i]) in databases else set()
            kinds |= {"phrasing"} if records[i].get("template") in phrasings else set()
        if kinds:
            unseen.update(dict.fromkeys(group, "+".join(sorted(kinds))))
    return unseen


def _sample(groups: list[list[int]], fraction: float, name: str, assigned: dict[int, str]) -> list[list[int]]:
    """Systematic sampling: a group is taken when its records cross the next multiple of 1/fraction."""
    left, seen = [], 0
    for group in groups:
        before, seen = seen, seen + len(group)
        if math.floor(seen * fraction + 0.5) > math.floor(before * fraction + 0.5):
            assigned.update(dict.fromkeys(group, name))
        else:
            left.append(group)
    return left


def _cover_every_stratum(records: list[dict], groups: list[list[int]], assigned: dict[int, str]) -> None:
    """Move one training group into test for any database or category that test lacks."""
    in_test = {value for i, split in assigned.items() if split == "test" for value in _stratum(records[i])}
    for group in groups:
        values = set(_stratum(records[group[0]]))
        if (
            not values <= in_test
            and all(i not in assigned for i in group)
            and len(group) < len(records) // 10
        ):
            assigned.update(dict.fromkeys(group, "test"))
            in_test |= values


def split_file(path: str | Path, output_dir: str | Path, seed: int = 0) -> dict[str, list[dict]]:
    """Split a records file and write train.json, val.json, test.json and test_unseen.json; all or none."""
    splits = split_records(load_records(path), seed=seed)
    output_dir = Path(output_dir)
    with contextlib.ExitStack() as stack:
        targets = {name: stack.enter_context(atomic_path(output_dir / f"{name}.json")) for name in SPLITS}
        for name, target in targets.items():
            write_json(target, splits[name])
    return splits


def load_split(path: str | Path, name: str, seed: int = 0) -> list[dict]:
    """One split of a records file, recomputed in memory: `load_split(dataset, "train")`."""
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}; choose one of {', '.join(SPLITS)}")
    return split_records(load_records(path), seed=seed)[name]


def add_cli(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="a JSON list or JSONL file of records")
    parser.add_argument(
        "--output_dir", required=True, help="folder for train.json, val.json, test.json and test_unseen.json"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="shuffles records within each stratum (default 0)"
    )


def run_cli(args: argparse.Namespace) -> int:
    splits = split_file(args.path, args.output_dir, seed=args.seed)
    sizes = ", ".join(f"{name} {len(rows)}" for name, rows in splits.items())
    print(f"wrote {sizes} to {args.output_dir} (seed {args.seed})")
    return 0
