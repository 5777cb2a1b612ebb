"""`data split`: deterministic, no question or (database, query) pair in two splits, a test set of at
least 150 that covers every seen database and category, a test_unseen split of whole databases and
whole phrasings that no other split holds, written as four files."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import pytest

from llama_sql.builder import DEFAULT_OUTPUT
from llama_sql.cli import main as cli_main
from llama_sql.records import load_records
from llama_sql.splits import (
    MIN_DATABASES,
    SPLITS,
    UNSEEN_DATABASES,
    load_split,
    normalized_question,
    normalized_sql,
    split_records,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return load_records(ROOT / DEFAULT_OUTPUT)


@pytest.fixture(scope="module")
def splits(records) -> dict[str, list[dict]]:
    return split_records(records)


def test_the_same_seed_gives_the_same_split_and_another_seed_a_different_one(records, splits):
    assert split_records(records) == splits
    assert split_records(records, seed=1)["test"] != splits["test"]


def test_sizes_are_about_80_5_15_of_the_seen_records_with_a_test_set_of_at_least_150(records, splits):
    sizes = {name: len(rows) for name, rows in splits.items()}
    assert sum(sizes.values()) == len(records)
    seen = len(records) - sizes["test_unseen"]
    assert sizes["test"] >= 150 and sizes["test_unseen"] >= 150
    assert abs(sizes["test"] / seen - 0.15) < 0.02 and abs(sizes["val"] / seen - 0.05) < 0.02
    assert all(r["split"] == name for name, rows in splits.items() for r in rows)


def test_no_question_and_no_query_of_a_database_is_in_two_splits(splits):
    questions = {name: {normalized_question(r["input"]) for r in rows} for name, rows in splits.items()}
    queries = {
        name: {(r["db_id"], normalized_sql(r["output"])) for r in rows} for name, rows in splits.items()
    }
    for a, b in itertools.combinations(SPLITS, 2):
        assert not questions[a] & questions[b], (a, b)
        assert not queries[a] & queries[b], (a, b)


def test_every_seen_database_and_every_category_is_in_the_test_set(records, splits):
    unseen_databases = {r["db_id"] for r in splits["test_unseen"] if "database" in r["unseen"]}
    assert {r["db_id"] for r in splits["test"]} == {r["db_id"] for r in records} - unseen_databases
    assert {r["category"] for r in splits["test"]} == {r["category"] for r in records}
    per_db = Counter(r["db_id"] for r in splits["test"])
    assert min(per_db.values()) >= 5


def test_test_unseen_holds_whole_databases_and_whole_phrasings_out_of_training(records, splits):
    unseen = splits["test_unseen"]
    databases = {r["db_id"] for r in unseen if "database" in r["unseen"]}
    phrasings = {r["template"] for r in unseen if "phrasing" in r["unseen"]}
    assert len(databases) == UNSEEN_DATABASES
    assert {r["db_id"] for r in records if r["db_id"] in databases} == databases
    assert sum(r["db_id"] in databases for r in records) == sum(r["db_id"] in databases for r in unseen)
    others = [r for name in ("train", "val", "test") for r in splits[name]]
    assert not any(r["db_id"] in databases or r["template"] in phrasings for r in others)
    assert Counter(r["unseen"] for r in unseen).keys() <= {"database", "phrasing", "database+phrasing"}
    assert sum(r["unseen"] == "phrasing" for r in unseen) >= 50  # new wordings on seen databases
    # an intent that lost a phrasing is still taught in at least two others
    taught = {r["template"] for r in splits["train"]}
    for phrasing in phrasings:
        intent = phrasing.split("/")[0]
        assert len({t for t in taught if t.split("/")[0] == intent}) >= 2, phrasing


def test_few_databases_or_no_templates_hold_out_only_what_makes_sense():
    def record(db: int, i: int, template=None) -> dict:
        return {
            "db_id": f"db{db}",
            "instruction": f"CREATE TABLE t{db} (a INT);",
            "input": f"SQL Prompt: question {db} {i}",
            "output": f"SELECT a FROM t{db} WHERE a = {i}",
            "category": "filter",
            **({"template": template} if template else {}),
        }

    few = [record(db, i) for db in range(MIN_DATABASES - 1) for i in range(20)]
    assert split_records(few)["test_unseen"] == []  # each database teaches too much to spare
    many = [record(db, i) for db in range(MIN_DATABASES) for i in range(20)]
    unseen = split_records(many)["test_unseen"]
    assert {r["unseen"] for r in unseen} == {"database"}
    assert len({r["db_id"] for r in unseen}) == UNSEEN_DATABASES


def test_paraphrases_of_one_query_stay_together():
    base = {"instruction": "Shop database: CREATE TABLE t (a INT);", "category": "filter", "db_id": "shop"}
    records = [
        {**base, "input": f"SQL Prompt: question {i}", "output": f"SELECT a FROM t WHERE a = {i // 2}"}
        for i in range(40)
    ]
    records.append(
        {**base, "input": "SQL Prompt: QUESTION 0!", "output": "SELECT 99"}
    )  # same question, new SQL
    placed = {r["input"]: name for name, rows in split_records(records, seed=3).items() for r in rows}
    for i in range(0, 40, 2):
        assert placed[f"SQL Prompt: question {i}"] == placed[f"SQL Prompt: question {i + 1}"]
    assert placed["SQL Prompt: QUESTION 0!"] == placed["SQL Prompt: question 0"]


def test_equivalent_sql_spellings_count_as_one_query():
    assert normalized_sql("select name from t where a=1") == normalized_sql("SELECT name  FROM t WHERE a = 1")
    assert normalized_sql("SELEC broken (") == "selec broken ("


def test_cli_writes_three_files_that_load_split_reproduces(tmp_path, splits):
    out = tmp_path / "runs" / "data"
    assert cli_main(["data", "split", str(ROOT / DEFAULT_OUTPUT), "--output_dir", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "test.json",
        "test_unseen.json",
        "train.json",
        "val.json",
    ]
    for name in SPLITS:
        assert json.loads((out / f"{name}.json").read_text(encoding="utf-8")) == splits[name]
    assert load_split(ROOT / DEFAULT_OUTPUT, "train") == splits["train"]
