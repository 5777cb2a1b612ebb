"""The shipped dataset is free of the generator defects an audit found (issue #17): each test checks one
property over every record, so a template that brings a defect back fails here."""

from __future__ import annotations

import functools
import json
import re
from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from llama_sql.builder import DEFAULT_OUTPUT, SCHEMAS
from llama_sql.builder.soundness import averages_one_row, set_operation_equals_a_side
from llama_sql.eval.sandbox import open_database

ROOT = Path(__file__).resolve().parents[1]
TABLES = {(schema.db_id, table.name): table for schema in SCHEMAS for table in schema.tables}


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return json.loads((ROOT / DEFAULT_OUTPUT).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(records):
    """(record, run) pairs, run(sql) giving the rows of a query on the record's own database."""
    with ExitStack() as stack:
        databases = {}
        for r in records:
            if r["instruction"] not in databases:
                databases[r["instruction"]] = stack.enter_context(open_database(r["instruction"]))
        yield [(r, functools.partial(_rows, databases[r["instruction"]])) for r in records]


def _rows(db, sql: str) -> list[tuple]:
    result = db.run(sql)
    assert result.ok, f"{sql}: {result.error}"
    return result.rows


def _tree(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read="sqlite")


def _parent_count_query(gold: str) -> str | None:
    """For a JOIN ... GROUP BY on columns of the FROM table (no WHERE, HAVING or LIMIT): how many
    groups that table alone has. A question about each parent (or parent group) must list them all."""
    tree = _tree(gold)
    if not isinstance(tree, exp.Select) or not tree.args.get("joins") or not tree.args.get("group"):
        return None
    if any(tree.args.get(clause) for clause in ("where", "having", "limit")):
        return None
    parent = tree.args["from"].this.name if "from" in tree.args else tree.args["from_"].this.name
    columns = tree.args["group"].expressions
    if not all(isinstance(c, exp.Column) and c.table == parent for c in columns):
        return None
    listed = ", ".join(c.sql(dialect="sqlite") for c in columns)
    return f"SELECT COUNT(*) FROM (SELECT DISTINCT {listed} FROM {parent})"


def _question(record: dict) -> str:
    return record["input"].removeprefix("SQL Prompt: ")


def test_questions_about_each_parent_keep_parents_without_children(runs):
    dropped, asked = [], 0
    for record, run in runs:
        parents = _parent_count_query(record["output"])
        if parents is None or not re.search(r"\b(each|every|per)\b", _question(record), re.I):
            continue
        asked += 1
        if len(run(record["output"])) != run(parents)[0][0]:
            dropped.append(record["id"])
    assert asked >= 50
    assert dropped == [], f"{len(dropped)} of {asked} per-parent aggregates drop parents: {dropped[:10]}"


def test_no_set_operation_equals_one_of_its_sides(runs):
    trivial = [r["id"] for r, run in runs if set_operation_equals_a_side(run, r["output"])]
    operations = sum(isinstance(_tree(r["output"]), (exp.Union, exp.Intersect, exp.Except)) for r, _ in runs)
    assert operations >= 40
    assert trivial == [], f"{len(trivial)} of {operations} set operations equal a side: {trivial[:10]}"


def test_no_average_over_a_single_row(runs):
    single = [r["id"] for r, run in runs if averages_one_row(run, r["output"])]
    assert single == [], f"{len(single)} averages of one row: {single}"


def test_groups_are_keyed_by_the_key_and_not_by_a_name(records):
    by_name = []
    for r in records:
        tree = _tree(r["output"])
        for group in tree.find_all(exp.Group):
            select = group.parent
            tables = [t.name for t in select.find_all(exp.Table) if t.find_ancestor(exp.Select) is select]
            for column in group.expressions:
                if not isinstance(column, exp.Column):
                    continue
                table = TABLES[(r["db_id"], column.table or tables[0])]
                if column.name == table.label and table.label != table.key:
                    by_name.append(r["id"])
    assert by_name == [], f"{len(by_name)} queries group by a name: {by_name[:10]}"


def test_questions_say_whose_id(records):
    # "the id of the sale" and "the id and buyer of every sale" say whose; "Give the id and the name" does not
    vague = re.compile(r"\b(the|each) ids?\b(?! of| and \w+ of)")
    unclear = [r["id"] for r in records if vague.search(_question(r))]
    assert unclear == [], f"{len(unclear)} questions ask for an id without saying whose: {unclear[:10]}"


SLIPS = {
    "an article after largest or smallest": r"\b(largest|smallest) the\b",
    "a before a vowel": r"\b[Aa] (?!(one|uni|use|usu|eu))[aeiou]",
    "an before a consonant": r"\b[Aa]n (?!(hour|honest))[b-df-hj-np-tv-z]",
    "a word written twice": r"\b(\w+) \1\b",
    "a plural after 1": r"(?<![<>=] )(?<!LIMIT )\b1 [a-z]*[^siu]s\b",
}


@pytest.mark.parametrize("field", ["explanation", "input"])
def test_text_reads_as_written_by_a_person(records, field):
    found = {
        slip: [(r["id"], m.group(0)) for r in records for m in re.finditer(pattern, r[field])]
        for slip, pattern in SLIPS.items()
    }
    assert {slip: hits[:5] for slip, hits in found.items() if hits} == {}
