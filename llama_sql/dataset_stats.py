"""What a dataset holds, as tables and plots for notebook 01 and as the dataset card data/README.md.

    python -m llama_sql data stats --card                          # rewrite data/README.md
    python -m llama_sql data stats --card --tokenizer PATH_OR_ID   # token columns from a real tokenizer

Token lengths use a Hugging Face tokenizer when one is given. Without one they are an approximation:
the number of pieces Llama 3's pre-tokenizer would cut the text into (runs of letters with at most one
leading symbol, groups of up to three digits, runs of punctuation). A byte-level BPE never merges
across pieces and splits rare words further, so the approximation is a lower bound: close for a
large vocabulary like Llama 3's, while the project's tiny 2k-vocabulary tokenizer needs about 1.5 times
as many tokens on this SQL-heavy text.
"""

from __future__ import annotations

import functools
import html
import random
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import sqlglot
from sqlglot import exp

from llama_sql.eval.hardness import LEVELS, hardness
from llama_sql.eval.sandbox import schema_sql
from llama_sql.prompts import completion_text, render_prompt
from llama_sql.records import load_records
from llama_sql.splits import held_out, split_records

APPROXIMATION = "approximate (Llama 3 pre-tokenizer pieces, a lower bound)"
_PIECES = re.compile(r"[^\s\d]?[^\W\d_]+|\d{1,3}|[^\s\w]+|_")


def count_tokens(texts: list[str], tokenizer=None) -> list[int]:
    """Tokens per text: the tokenizer's count (no special tokens), or the documented approximation."""
    if tokenizer is None:
        return [len(_PIECES.findall(text)) for text in texts]
    return [len(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]]


def counting_tokenizer(name_or_path: str | None):
    """A Hugging Face tokenizer from a local folder or hub id; None stays None (the approximation)."""
    if not name_or_path:
        return None
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(name_or_path)


@functools.lru_cache(maxsize=1024)
def table_names(instruction: str) -> tuple[str, ...]:
    """The tables an instruction creates, read with sqlglot."""
    try:
        statements = sqlglot.parse(schema_sql(instruction), read="sqlite")
    except sqlglot.errors.SqlglotError:
        return ()
    return tuple(
        s.this.this.name for s in statements if isinstance(s, exp.Create) and isinstance(s.this, exp.Schema)
    )


@functools.lru_cache(maxsize=65536)  # notebooks and the card ask for the same shapes repeatedly
def sql_shape(sql: str) -> str:
    """The query with every literal replaced by ?, so shapes count structure rather than values."""
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.SqlglotError:
        return sql
    for literal in list(tree.find_all(exp.Literal)):
        literal.replace(exp.Placeholder())
    return tree.sql(dialect="sqlite")


# Spider dev's shares of each feature (the issue #17 audit of its 1,034 gold queries); CTEs, window
# functions and INSERT/UPDATE/DELETE are outside Spider's SQL, so its share is 0.
SPIDER_DEV_FEATURES = {
    "ORDER BY": 0.23,
    "ORDER BY with LIMIT": 0.18,
    "two or more JOINs": 0.085,
    "top group (GROUP BY, ORDER BY, LIMIT)": 0.10,
    "JOIN with GROUP BY and HAVING or ORDER BY": 0.12,
    "NOT IN or EXCEPT": 0.074,
    "OR": 0.033,
    "three or more selected columns": 0.068,
    "CTE (WITH)": 0.0,
    "window function": 0.0,
    "INSERT, UPDATE or DELETE": 0.0,
}
SPIDER_DEV_HARDNESS = {"easy": 248, "medium": 446, "hard": 174, "extra": 166}  # 1,034 dev questions


@functools.lru_cache(maxsize=65536)
def sql_features(sql: str) -> frozenset[str]:
    """The features of SPIDER_DEV_FEATURES a query has, read from sqlglot's tree (anywhere in it)."""
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.SqlglotError:
        return frozenset()
    has = lambda *kinds: any(True for _ in tree.find_all(*kinds))  # noqa: E731
    order, limit, group, join = has(exp.Order), has(exp.Limit), has(exp.Group), has(exp.Join)
    first = tree
    while isinstance(first, (exp.Union, exp.Intersect, exp.Except)):
        first = first.this
    checks = {
        "ORDER BY": order,
        "ORDER BY with LIMIT": order and limit,
        "two or more JOINs": len(list(tree.find_all(exp.Join))) >= 2,
        "top group (GROUP BY, ORDER BY, LIMIT)": group and order and limit,
        "JOIN with GROUP BY and HAVING or ORDER BY": join and group and (has(exp.Having) or order),
        "NOT IN or EXCEPT": has(exp.Except)
        or any(isinstance(n.this, exp.In) for n in tree.find_all(exp.Not)),
        "OR": has(exp.Or),
        "three or more selected columns": isinstance(first, exp.Select) and len(first.expressions) >= 3,
        "CTE (WITH)": has(exp.With),
        "window function": has(exp.Window),
        "INSERT, UPDATE or DELETE": has(exp.Insert, exp.Update, exp.Delete),
    }
    return frozenset(name for name, present in checks.items() if present)


def feature_table(records: list[dict]) -> pd.DataFrame:
    """Per SQL feature: how many gold queries have it, their share, and Spider dev's share."""
    found = Counter(name for r in records for name in sql_features(r["output"]))
    return pd.DataFrame(
        [
            {
                "feature": name,
                "examples": found[name],
                "share": round(found[name] / len(records), 3),
                "Spider dev share": spider,
            }
            for name, spider in SPIDER_DEV_FEATURES.items()
        ]
    )


def hardness_table(records: list[dict]) -> pd.DataFrame:
    """Spider's hardness levels of the gold queries (llama_sql/eval/hardness.py) beside Spider dev's."""
    levels = Counter(hardness(r["output"]) for r in records)
    spider_total = sum(SPIDER_DEV_HARDNESS.values())
    rows = [
        {
            "level": level,
            "examples": levels[level],
            "share": round(levels[level] / len(records), 3),
            "Spider dev": SPIDER_DEV_HARDNESS[level],
            "Spider dev share": round(SPIDER_DEV_HARDNESS[level] / spider_total, 3),
        }
        for level in LEVELS
    ]
    unparsed = len(records) - sum(levels[level] for level in LEVELS)
    if unparsed:
        rows.append({"level": "unparsed", "examples": unparsed, "share": round(unparsed / len(records), 3)})
    return pd.DataFrame(rows)


def question(record: dict) -> str:
    return re.sub(r"^\s*SQL Prompt:\s*", "", record.get("input", ""))


def overview(records: list[dict]) -> pd.DataFrame:
    """Headline figures: size, databases, coverage and diversity."""
    instructions = pd.Series([len(r["instruction"]) for r in records])
    figures = {
        "examples": len(records),
        "databases": len({r.get("db_id") or r["instruction"] for r in records}),
        "categories": len({r.get("category") for r in records}),
        "share of queries with a JOIN": round(
            sum(" JOIN " in r["output"].upper() for r in records) / len(records), 3
        ),
        "distinct questions": len({question(r) for r in records}),
        "distinct question openings (first two words)": len(
            {" ".join(question(r).split()[:2]) for r in records}
        ),
        "distinct SQL shapes (literals replaced)": len({sql_shape(r["output"]) for r in records}),
        "instruction characters, mean": round(float(instructions.mean()), 1),
        "instruction characters, max": int(instructions.max()),
    }
    return pd.DataFrame({"figure": list(figures), "value": pd.Series(list(figures.values()), dtype=object)})


def category_table(records: list[dict]) -> pd.DataFrame:
    counts = Counter(r.get("category") or "(none)" for r in records)
    table = pd.DataFrame(
        sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), columns=["category", "examples"]
    )
    table["share"] = (table["examples"] / len(records)).round(3)
    return table


def schema_table(records: list[dict]) -> pd.DataFrame:
    """One row per database: its domain, tables and number of examples."""
    rows: dict[str, dict] = {}
    for r in records:
        key = r.get("db_id") or r["instruction"][:40]
        if key not in rows:
            domain = r["instruction"].split(" database:")[0] if " database:" in r["instruction"] else ""
            rows[key] = {
                "database": key,
                "domain": domain,
                "tables": ", ".join(table_names(r["instruction"])),
                "examples": 0,
            }
        rows[key]["examples"] += 1
    return pd.DataFrame(list(rows.values()))


def length_table(records: list[dict], tokenizer=None) -> pd.DataFrame:
    """Per record: prompt tokens (the Alpaca prompt the model reads), answer tokens (the SQL), total."""
    prompts = count_tokens([render_prompt(r) for r in records], tokenizer)
    answers = count_tokens([completion_text(r) for r in records], tokenizer)
    table = pd.DataFrame(
        {
            "id": [r.get("id") for r in records],
            "category": [r.get("category") for r in records],
            "prompt_tokens": prompts,
            "answer_tokens": answers,
        }
    )
    table["total_tokens"] = table["prompt_tokens"] + table["answer_tokens"]
    return table


def length_summary(lengths: pd.DataFrame) -> pd.DataFrame:
    columns = ["prompt_tokens", "answer_tokens", "total_tokens"]
    summary = lengths[columns].describe(percentiles=[0.5, 0.95]).loc[["mean", "min", "50%", "95%", "max"]]
    return summary.round(1).rename(index={"50%": "median", "95%": "p95"})


def plot_counts(records: list[dict]):
    """Two bar charts side by side: examples per category and per database."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    categories = category_table(records).iloc[::-1]
    left.barh(categories["category"], categories["examples"], color="#4c72b0")
    left.set(title="Examples per category", xlabel="examples")
    schemas = schema_table(records).iloc[::-1]
    right.barh(schemas["database"], schemas["examples"], color="#55a868")
    right.set(title="Examples per database", xlabel="examples")
    fig.tight_layout()
    return fig


def plot_lengths(lengths: pd.DataFrame, tokenizer_name: str = APPROXIMATION):
    """Histograms of prompt and answer token lengths."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for ax, column, color in zip(
        axes, ("prompt_tokens", "answer_tokens"), ("#4c72b0", "#dd8452"), strict=True
    ):
        ax.hist(lengths[column], bins=30, color=color)
        ax.set(title=f"{column.replace('_', ' ')} ({tokenizer_name})", xlabel="tokens", ylabel="examples")
    fig.tight_layout()
    return fig


class HtmlText(str):
    """A string that notebooks display as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


def render_examples(records: list[dict], n: int = 3, seed: int = 0, max_instruction: int = 400) -> HtmlText:
    """A few records, chosen reproducibly from different categories, as readable HTML cards."""
    rng = random.Random(seed)
    by_category: dict[str, list[dict]] = {}
    for r in records:
        by_category.setdefault(r.get("category") or "", []).append(r)
    categories = rng.sample(sorted(by_category), min(n, len(by_category)))
    cards = []
    for category in categories:
        r = rng.choice(by_category[category])
        instruction = r["instruction"]
        if len(instruction) > max_instruction:
            instruction = instruction[:max_instruction] + " ..."
        fields = [
            ("id", r.get("id", "")),
            ("category", category),
            ("database", instruction),
            ("question", question(r)),
            ("gold SQL", r["output"]),
            ("explanation", r.get("explanation", "")),
        ]
        rows = "".join(
            f"<tr><th style='text-align:left;vertical-align:top'>{k}</th>"
            f"<td style='text-align:left'><code>{html.escape(str(v))}</code></td></tr>"
            for k, v in fields
        )
        cards.append(f"<table style='margin-bottom:1em'>{rows}</table>")
    return HtmlText("".join(cards))


def markdown_table(frame: pd.DataFrame) -> str:
    """A pandas table as GitHub markdown, without the optional `tabulate` dependency."""
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def write_card(
    dataset: str | Path, output: str | Path, tokenizer=None, tokenizer_name: str = APPROXIMATION
) -> Path:
    """Render the dataset card from the dataset file itself, so its figures cannot drift."""
    records = load_records(dataset)
    splits = {name: len(rows) for name, rows in split_records(records).items()}
    unseen_databases, unseen_phrasings = held_out(records)
    lengths = length_summary(length_table(records, tokenizer)).reset_index(names="statistic")
    tables = {
        name: markdown_table(frame)
        for name, frame in (
            ("overview", overview(records)),
            ("categories", category_table(records)),
            ("database_table", schema_table(records)),
            ("features", feature_table(records)),
            ("hardness_levels", hardness_table(records)),
            ("lengths", lengths),
        )
    }
    text = CARD.format(
        n=len(records),
        databases=len(schema_table(records)),
        splits=splits,
        unseen_databases=len(unseen_databases),
        unseen_names=", ".join(sorted(unseen_databases)),
        unseen_phrasings=len(unseen_phrasings),
        tokenizer=tokenizer_name,
        **tables,
    )
    output = Path(output)
    output.write_text(text, encoding="utf-8")
    return output


CARD = """# The llama-sql dataset

`alpaca_sql_dataset.json` holds {n} English questions about {databases} small SQLite databases from
distinct domains, each with the SQL query that answers it and an explanation of why that query is
right. It is the project's own data, in the original brief's Alpaca format, built from code and checked by
running every query. This card is generated: `python -m llama_sql data stats --card`.

## Fields

| field | meaning |
|---|---|
| `id` | stable identifier, `<db_id>-<nnnn>` |
| `db_id` | the database the question is about |
| `instruction` | the database as SQL text: `"<Domain> database: CREATE TABLE ...; INSERT INTO ... VALUES ...;"` |
| `input` | the question, `"SQL Prompt: <question>"` |
| `output` | the gold SQLite query |
| `explanation` | why the query answers the question: its tables, columns, values and the reason for each clause |
| `category` | the SQL skill the example exercises (table below) |
| `template` | the phrasing that asked it: `"<intent>/<index>"` (`special:...` for a hand-written one) |
| `source` | `"llama-sql"` |

## How it is built

```bash
python -m llama_sql data build                                    # writes this folder's JSON file
python -m llama_sql data validate data/alpaca_sql_dataset.json    # fields, ids, databases, gold SQL
python -m llama_sql data split data/alpaca_sql_dataset.json --output_dir runs/data
```

The code is in `llama_sql/builder/`. Each database is described once with the roles its columns play
(what people filter by, compare, count, date; which column may be NULL; how tables link), 2-3 related
tables with 4 to 7 rows each inserted in the `instruction`. Intent templates that read those roles ask
questions of every database, several phrasings each, with values drawn from the inserted rows and
spelled in the question exactly as in the SQL; a few hand-written questions per domain add what only
that domain can ask. A draft is kept only if its gold SQL runs in the project's sandbox, returns a
real answer (not empty, not all NULL, not a bare 0), has no tie at its `LIMIT`, averages no group of
a single row, is not a set operation equal to one of its sides, and its question and query are new
for that database. A question about each parent (customer, department) keeps the parents without
children: `LEFT JOIN`, and `COUNT` of the child's key so they count 0; per-parent groups use the
parent's key and show its name. The build is deterministic (RNG seeded per database, no clock): two
builds give the same bytes. One SQL style throughout: one line, upper-case keywords, `COUNT(*)`,
`FROM a JOIN b ON a.x = b.y`, columns qualified with full table names in joins, no aliases.

## Figures

{overview}

## Categories

{categories}

## Databases

{database_table}

## SQL features, beside Spider dev

Shares of gold queries with each feature, read with sqlglot (`dataset_stats.sql_features`), next to
the same shares over Spider's dev set (1,034 questions). Spider has no CTE, window function or
INSERT/UPDATE/DELETE; this dataset has none either, so a model trained on it has not seen them.

{features}

Spider's hardness levels (easy, medium, hard, extra) by Spider's own rules (`llama_sql/eval/hardness.py`):

{hardness_levels}

## Token lengths

Prompt: the Alpaca prompt the model reads (template, the `instruction` with its first row per table, `input`); answer: the gold SQL.
Tokenizer: {tokenizer}. Regenerate with the model's own tokenizer:
`python -m llama_sql data stats --card --tokenizer <folder or hub id>`.

{lengths}

## Splits

`data split` (default seed 0) gives train {splits[train]}, val {splits[val]}, test {splits[test]} and
test_unseen {splits[test_unseen]}. Records are grouped before splitting: paraphrases of one gold query
on one database, and repeated questions, always share a split, so no question and no (database, query)
pair appears in two splits. Each record names the phrasing that asked it (`template`: the intent, then
which of its phrasings).

The two test splits measure different things:

- **test** asks new questions, with new values, of the databases and in the phrasings the model was
  trained on: whether fine-tuning taught the model to turn a question into the right SQL for a schema
  it knows, which is what a team fine-tuning on its own warehouse wants. It is about 15% of the records
  not in test_unseen, assigned by stratified systematic sampling over (database, category), so every
  trained database and every category is in it.
- **test_unseen** holds out of training, whole, {unseen_databases} databases ({unseen_names}: every
  question about them; `unseen` = "database") and one phrasing of about a quarter of the intents that
  have three or more ({unseen_phrasings} phrasings; `unseen` = "phrasing", or "database+phrasing"),
  each such intent still taught in its other phrasings. It measures what transfers: to a schema the
  model has never read, and to wordings it has never seen. `compare --unseen_path` and notebook 03
  report it beside test.

Generalising to other people's databases is measured best on converted public data such as Spider
(`python -m llama_sql data convert --from spider`), whose dev databases are disjoint from its training
databases.

## Limitations

The databases are small and synthetic, the questions are English and come from templates (varied, but
narrower than real users), and one SQL style is used throughout, so exact-match scores favour models
trained on it; execution accuracy is the fairer measure.

## Licence

The project's own data, written for this repository, with no third-party content: Apache-2.0, like
the code.
"""


def add_cli(parser) -> None:
    parser.add_argument("--dataset", default="data/alpaca_sql_dataset.json", help="the records file")
    parser.add_argument("--card", action="store_true", help="write the dataset card (else print the tables)")
    parser.add_argument(
        "--output", default="data/README.md", help="where --card writes (default data/README.md)"
    )
    parser.add_argument(
        "--tokenizer", default=None, help="a Hugging Face tokenizer folder or id for token counts"
    )


def run_cli(args) -> int:
    tokenizer = counting_tokenizer(args.tokenizer)
    if args.card:
        print(f"wrote {write_card(args.dataset, args.output, tokenizer, args.tokenizer or APPROXIMATION)}")
        return 0
    records = load_records(args.dataset)
    for frame in (
        overview(records),
        category_table(records),
        schema_table(records),
        feature_table(records),
        hardness_table(records),
        length_summary(length_table(records, tokenizer)),
    ):
        print(frame.to_string(), end="\n\n")
    return 0
