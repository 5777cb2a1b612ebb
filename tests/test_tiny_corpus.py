"""The tiny base's pretraining corpus is deterministic, forces copying, and holds no question or query of
the project's dataset in any layout (the full corpus is regenerated and searched in the slow test)."""

import random
import re

import pytest

from llama_sql.tiny import corpus as C
from llama_sql.tiny.databases import clashes, random_schema

SMALL = dict(C.RECIPE, databases=40)


def _leaks(documents: list[str]) -> list[str]:
    """Dataset questions or queries that equal a corpus line or appear inside a corpus document."""
    needles = C.dataset_needles()
    lines = {line.strip().rstrip(";") for doc in documents for line in doc.splitlines()}
    found = sorted(n for n in needles if n in lines)
    text = "\0".join(documents)
    return found + sorted(n for n in needles if n not in found and n in text)


def _documents(recipe: dict) -> list[str]:
    return [doc for docs, _, _ in C.generate(recipe) for doc in docs]


def test_the_corpus_is_the_same_for_a_seed_and_differs_for_another():
    assert C.database_documents(C.RECIPE, 7) == C.database_documents(C.RECIPE, 7)
    assert C.database_documents(C.RECIPE, 7) != C.database_documents(dict(C.RECIPE, seed=1), 7)
    assert C.recipe_key(C.RECIPE) != C.recipe_key(SMALL)


def test_generated_tables_never_share_a_name_with_the_projects():
    from llama_sql.builder import SCHEMAS

    project = {t.name.lower() for s in SCHEMAS for t in s.tables}
    for index in range(200):
        schema = random_schema(random.Random(f"names:{index}"), f"t{index}")
        for table in schema.tables:
            assert table.name.lower() not in project and not clashes(table.name)
    assert clashes("patients") and clashes("Patient_Records") and not clashes("zorvels")


def test_most_queried_values_are_not_in_the_shown_rows():
    """A document shows at most 3 rows of each table, so a value a query filters on must mostly be
    copied from the question: the schema text above the pairs does not hold it."""
    docs = [doc for index in range(10) for doc in C.database_documents(C.RECIPE, index)[0]]
    literals = hidden = 0
    for doc in docs:
        schema, _, pairs = doc.partition("\n\n")
        for value in re.findall(r"= '([^']+)'", pairs):
            literals += 1
            hidden += value not in schema
    assert literals > 100 and hidden / literals > 0.5


def test_layouts_are_never_the_projects_alpaca_prompt():
    docs = _documents(SMALL)
    paired = [d for d in docs if "SELECT" in d]
    assert paired and not any("### Input:" in d or "### Response:" in d for d in docs)
    # the project's database definitions do appear, alone
    assert any(d.startswith("Below is an instruction") for d in docs)
    assert not any("SELECT" in d for d in docs if "Hospital database:" in d)


def test_a_small_corpus_holds_no_dataset_question_or_query():
    assert _leaks(_documents(SMALL)) == []


@pytest.mark.slow
def test_the_full_corpus_holds_no_dataset_question_or_query():
    """Regenerated from the recipe: no leak, and it is the very corpus the shipped base was trained on."""
    import hashlib
    import json

    from llama_sql.tiny import shipped_base

    documents = _documents(C.RECIPE)
    assert len(documents) > 20_000
    assert _leaks(documents) == []
    digest = hashlib.sha256()
    for text in documents:
        digest.update(text.encode() + b"\0")
    manifest = json.loads((shipped_base() / "manifest.json").read_text())
    assert manifest["corpus"]["sha256"] == digest.hexdigest()
