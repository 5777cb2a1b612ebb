"""The tiny base's pretraining corpus: SQL as a base model meets it, over thousands of invented databases.

    python -m llama_sql tiny corpus           # build (or find) the cached corpus and print its summary

Each generated database (databases.py: invented and English names, mixed naming styles) is asked every
intent of the project's dataset (builder.compose.schema_records, so every gold query ran). Its pairs are
written in layouts other than the project's Alpaca prompt: SQL files with the question as a comment
before each query, Q/A threads, a schema followed by worked examples, markdown with code fences,
queries with their explanations, queries alone. A document shows 0-3 sample rows of each table, while
questions draw values from every row, so the only way to predict a query is to copy table and column
names from the schema and values from the question.

The project's own database definitions appear too (the tokenizer and the base should know them), with
no question and no query of data/alpaca_sql_dataset.json: a pair that happens to equal one is dropped,
and tests/test_tiny_corpus.py regenerates the corpus and checks it.

The corpus is deterministic from its recipe and the code, and cached as JSONL under $LLAMA_SQL_CACHE,
keyed by a hash of the recipe (whose version changes with the code). The shipped base was trained on
version 1, which the code of its manifest's commit regenerates byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path

from llama_sql.builder import SCHEMAS, project_dataset
from llama_sql.builder.compose import BuildError, schema_records
from llama_sql.builder.schema import sql_literal
from llama_sql.eval.sandbox import DatabaseBuildError
from llama_sql.prompts import ALPACA_TEMPLATE, database_for_prompt
from llama_sql.records import atomic_path, load_records
from llama_sql.tiny import cache_root
from llama_sql.tiny.databases import random_schema

# Bump when the code below, or the builder templates it asks, changes what a recipe generates. 1: the
# shipped base's corpus (made at the commit its manifest names); 2: the builder's sound golds (issue 17).
CORPUS_VERSION = 2
RECIPE = dict(
    version=CORPUS_VERSION,
    seed=20261203,
    databases=2000,  # generated databases, about 65 verified question/SQL pairs each
    project_repeats=20,  # how often each project database definition appears (no questions, no SQL)
    max_pairs_per_document=10,
    max_sample_rows=3,
)
QUESTION_PREFIX = "SQL Prompt: "


def recipe_key(recipe: dict) -> str:
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:12]


def corpus_folder(recipe: dict = RECIPE) -> Path:
    return cache_root() / f"tiny-corpus-{recipe_key(recipe)}"


def ensure_corpus(recipe: dict = RECIPE, processes: int = 2, log=print) -> Path:
    """The cached corpus folder (corpus.jsonl and meta.json), generating it first when missing."""
    folder = corpus_folder(recipe)
    if (folder / "meta.json").exists():
        return folder

    log(f"generating the pretraining corpus into {folder} ({recipe['databases']} databases)")
    digest = hashlib.sha256()
    documents = pairs = dropped = chars = 0
    with atomic_path(folder) as tmp:
        tmp.mkdir(parents=True, exist_ok=True)
        with open(tmp / "corpus.jsonl", "w") as out:
            for docs, kept, leaked in generate(recipe, processes):
                for text in docs:
                    out.write(json.dumps({"text": text}) + "\n")
                    digest.update(text.encode() + b"\0")
                    chars += len(text)
                documents += len(docs)
                pairs += kept
                dropped += leaked
        meta = dict(
            recipe=recipe,
            documents=documents,
            databases=recipe["databases"],
            pairs=pairs,
            pairs_dropped_as_dataset_matches=dropped,
            characters=chars,
            sha256=digest.hexdigest(),
        )
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
    log(f"corpus: {documents} documents, {pairs} pairs, {chars / 1e6:.1f} M characters")
    return folder


def read_corpus(folder: Path) -> Iterator[str]:
    with open(Path(folder) / "corpus.jsonl") as lines:
        for line in lines:
            yield json.loads(line)["text"]


def generate(recipe: dict = RECIPE, processes: int = 1) -> Iterator[tuple[list[str], int, int]]:
    """(documents, pairs kept, pairs dropped) per generated database in order, then the project's definitions."""
    jobs = [(recipe, index) for index in range(recipe["databases"])]
    if processes > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield from pool.imap(_database_job, jobs, chunksize=16)
    else:
        yield from map(_database_job, jobs)
    yield project_documents(recipe), 0, 0


def _database_job(job: tuple[dict, int]) -> tuple[list[str], int, int]:
    return database_documents(*job)


def database_documents(recipe: dict, index: int) -> tuple[list[str], int, int]:
    """One generated database's pairs, minus any that equals a dataset question or query, as documents."""
    for attempt in range(10):  # a rare draw gives a database SQLite refuses: draw again
        rng = random.Random(f"{recipe['seed']}:db:{index}:{attempt}")
        schema = random_schema(rng, f"gen{recipe['seed']}x{index}")
        try:
            records = schema_records(schema)
            break
        except (BuildError, DatabaseBuildError):
            continue
    else:
        return [], 0, 0
    needles = dataset_needles()
    pairs, dropped = [], 0
    for record in records:
        question = record["input"].removeprefix(QUESTION_PREFIX)
        if question in needles or record["output"] in needles:
            dropped += 1
            continue
        pairs.append((question, record["output"], record["explanation"]))
    rng.shuffle(pairs)
    kept = len(pairs)
    docs = []
    while pairs:
        take = rng.randint(1, recipe["max_pairs_per_document"])
        chunk, pairs = pairs[:take], pairs[take:]
        rows = rng.choice((0, 1, 1, 1, 2, 3))
        schema_text = render_schema(rng, schema, min(rows, recipe["max_sample_rows"]))
        docs.append(rng.choice(LAYOUTS)(rng, schema_text, chunk))
    return docs, kept, dropped


_NEEDLES: set[str] | None = None


def dataset_needles() -> set[str]:
    """Every question (with and without its prefix) and every query of the project's dataset."""
    global _NEEDLES
    if _NEEDLES is None:
        records = load_records(project_dataset())
        _NEEDLES = set()
        for r in records:
            _NEEDLES.update({r["input"], r["input"].removeprefix(QUESTION_PREFIX), r["output"]})
    return _NEEDLES


# --- how a database is shown -------------------------------------------------------------------------


def render_schema(rng: random.Random, schema, rows: int) -> str:
    """The database as SQL text in one of several styles, with the first `rows` rows of each table."""
    style = rng.choice(("project", "project", "multiline", "lines", "compact"))
    inserts = [_insert(t, rows) for t in schema.tables if rows]
    if style == "project":  # as the project's records write it: "Title database: CREATE ...; INSERT ...;"
        creates = " ".join(t.create_sql() for t in schema.tables)
        return f"{schema.title} database: {creates}" + "".join(" " + i for i in inserts)
    if style == "multiline":
        creates = [
            f"CREATE TABLE {t.name} (\n" + ",\n".join("  " + c.strip() for c in t.columns.split(",")) + "\n);"
            for t in schema.tables
        ]
        return "\n".join(creates + inserts)
    if style == "lines":
        return "\n".join([t.create_sql() for t in schema.tables] + inserts)
    header = f"-- Database: {schema.title}\n" if rng.random() < 0.5 else ""
    tables = "\n".join(
        f"-- {t.name}({', '.join(c.split()[0] for c in t.columns.split(','))})" for t in schema.tables
    )
    return header + tables + "".join("\n-- " + i for i in inserts)


def _insert(table, rows: int) -> str:
    shown = table.rows[:rows]
    values = ", ".join("(" + ", ".join(sql_literal(v) for v in row) + ")" for row in shown)
    return f"INSERT INTO {table.name} VALUES {values};"


# --- layouts: never the project's Alpaca prompt -----------------------------------------------------------


def comments_layout(rng, schema_text: str, pairs: list) -> str:
    """A SQL file: the schema, then each question as a comment before its query."""
    prefix = rng.choice(("-- ", "-- Question: ", "-- Q: ", "-- " + QUESTION_PREFIX, "-- Task: "))
    return schema_text + "\n\n" + "\n\n".join(f"{prefix}{q}\n{sql};" for q, sql, _ in pairs)


def thread_layout(rng, schema_text: str, pairs: list) -> str:
    """A Q/A thread under the schema."""
    ask, answer = rng.choice(
        (("Q:", "A:"), ("Question:", "Answer:"), ("Question:", "SQL:"), ("User:", "Query:"))
    )
    head = rng.choice(("", "Schema:\n", "Tables:\n", "Given the database below.\n"))
    return head + schema_text + "\n\n" + "\n\n".join(f"{ask} {q}\n{answer} {sql}" for q, sql, _ in pairs)


def worked_layout(rng, schema_text: str, pairs: list) -> str:
    """A schema followed by numbered worked examples, some with the reasoning."""
    why = rng.random() < 0.4
    parts = [rng.choice(("Database", "Schema", "Worked examples for this database")) + ":\n" + schema_text]
    for n, (q, sql, explanation) in enumerate(pairs, start=1):
        text = f"Example {n}. {q}\nSQL: {sql}"
        parts.append(text + (f"\nWhy: {explanation}" if why else ""))
    return "\n\n".join(parts)


def markdown_layout(rng, schema_text: str, pairs: list) -> str:
    """Markdown with SQL code fences, as in a tutorial or a forum answer."""
    parts = [f"```sql\n{schema_text}\n```"]
    for q, sql, explanation in pairs:
        note = f"\n\n{explanation}" if rng.random() < 0.3 else ""
        parts.append(f"**{q}**\n\n```sql\n{sql};\n```{note}")
    return "\n\n".join(parts)


def explained_layout(rng, schema_text: str, pairs: list) -> str:
    """Queries with their explanations as comments, and no question."""
    return schema_text + "\n\n" + "\n\n".join(f"-- {explanation}\n{sql};" for _, sql, explanation in pairs)


def queries_layout(rng, schema_text: str, pairs: list) -> str:
    """Plain SQL: the schema and queries over it."""
    return schema_text + "\n\n" + "\n".join(f"{sql};" for _, sql, _ in pairs)


LAYOUTS = (
    comments_layout,
    comments_layout,
    thread_layout,
    thread_layout,
    worked_layout,
    markdown_layout,
    explained_layout,
    queries_layout,
)


def project_documents(recipe: dict) -> list[str]:
    """The project's database definitions alone: as a prompt opens, as records write them, and as SQL."""
    preamble = ALPACA_TEMPLATE.split("{instruction}")[0]
    rng = random.Random(f"{recipe['seed']}:project")
    docs = []
    for schema in SCHEMAS:
        for repeat in range(recipe["project_repeats"]):
            kind = repeat % 3
            if kind == 0:
                docs.append(preamble + database_for_prompt(schema.instruction))
            elif kind == 1:
                docs.append(schema.instruction)
            else:
                docs.append(render_schema(rng, schema, rng.choice((0, 1, 2, 3))))
    return docs


def add_cli(parser) -> None:
    """No flags: the corpus is the recipe's."""


def run_cli(args) -> int:
    folder = ensure_corpus()
    print(folder)
    print((folder / "meta.json").read_text())
    return 0
