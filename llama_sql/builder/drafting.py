"""What an intent template works with: a `Scope` (one schema, its live database and a seeded RNG)
and the `Draft` it returns (category, question, gold SQL, explanation).

Templates draw every value from the database's own rows (`Scope.values`), so a question names
things that exist, and they pick thresholds with `Scope.cut`, which rounds a value from the data
to a number a person would say ("older than 40", "priced above 120") while keeping the answer
non-empty. Numbers are spelled the same in the question and the SQL (`number_text`).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from llama_sql.builder.schema import Schema, Table, number_text, sql_literal
from llama_sql.eval.sandbox import Database


@dataclass(frozen=True)
class Draft:
    category: str
    question: str
    sql: str
    explanation: str
    # ORDER BY ... LIMIT k is only a fair question when row k and row k+1 differ in the sort key:
    # `ranking` selects the sort key in order (no LIMIT) so the builder can check that.
    ranking: str | None = None
    limit: int = 0
    # which phrasing asked it: "<intent>/<index of each phrasing `Scope.say` picked>" (compose fills it);
    # `data split` holds whole phrasings out of training for the test_unseen split
    template: str = ""


class Scope:
    """One schema's database and random choices, handed to every intent template."""

    def __init__(self, schema: Schema, database: Database, rng: random.Random):
        self.schema = schema
        self.db = database
        self.rng = rng
        self.said: list[int] = []  # the index of each phrasing `say` picked for the current draft

    def rows(self, sql: str) -> list[tuple]:
        result = self.db.run(sql)
        if not result.ok:
            raise RuntimeError(f"{self.schema.db_id}: {sql!r} failed: {result.error}")
        return result.rows

    def values(self, table: Table, col: str) -> list:
        """The distinct non-NULL values of a column, sorted (so choices are reproducible)."""
        sql = f"SELECT DISTINCT {col} FROM {table.name} WHERE {col} IS NOT NULL ORDER BY {col}"
        return [row[0] for row in self.rows(sql)]

    def pick(self, items):
        items = list(items)
        return self.rng.choice(items) if items else None

    def tables(self, *roles: str) -> list[Table]:
        """Tables that have every role named (`"cats"`, `"nums"`, `"dates"`, `"gaps"`, `"spans"`, `"text"`)."""
        return [t for t in self.schema.tables if all(getattr(t, role) for role in roles)]

    def say(self, phrasings: list[str], **slots) -> str:
        index = self.rng.randrange(len(phrasings))  # the draw `pick` makes, so builds stay byte-identical
        self.said.append(index)
        return phrasings[index].format(**slots)

    def cut(self, table: Table, col: str, above: bool, expr: str | None = None) -> int | float | None:
        """A round threshold that leaves some rows above (or below) it, from the column's values.

        `expr` replaces the column by an aggregate query's results (per-group averages, say).
        """
        values = sorted(self.values(table, col)) if expr is None else sorted(v for (v,) in self.rows(expr))
        values = [v for v in values if v is not None]
        if len(values) < 2:
            return None
        if above:
            return round_down(self.pick(values[:-1]))
        return round_up(self.pick(values[1:]))


def round_down(value) -> int | float:
    """A whole number, and three significant digits from 1000 on: 58250 -> 58200, 2016 -> 2010, 4.7 -> 4."""
    return _round(value, math.floor)


def round_up(value) -> int | float:
    return _round(value, math.ceil)


def _round(value, direction) -> int:
    if abs(value) < 1000:
        return int(direction(value))
    step = 10 ** (len(str(int(abs(value)))) - 3)
    return int(direction(value / step) * step)


def lit(value) -> str:
    return sql_literal(value)


def num(value) -> str:
    return number_text(value)


def plural_for(count: int, table: Table) -> str:
    return table.singular if count == 1 else table.plural


def article(noun: str, capital: bool = False) -> str:
    """ "a city", "an account" ("An account" with `capital`, to start a sentence)."""
    word = "an" if noun[:1].lower() in "aeiou" else "a"
    return f"{word.capitalize() if capital else word} {noun}"


def plural(noun: str) -> str:
    """ "city" -> "cities", "address" -> "addresses", "name" -> "names"."""
    if noun.endswith("y") and noun[-2:-1] not in tuple("aeiou"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


@dataclass(frozen=True)
class Condition:
    sql: str  # "city = 'Boston'" (or "patients.city = 'Boston'" when qualified)
    phrase: str  # "from Boston"


def condition(s: Scope, table: Table, qualify: bool = False, kinds=("cat", "num")) -> Condition | None:
    """A WHERE condition on one of the table's columns, drawn from its data, and how to say it."""
    prefix = f"{table.name}." if qualify else ""
    choices = [("cat", c) for c in table.cats] if "cat" in kinds else []
    choices += [("num", n) for n in table.nums] if "num" in kinds else []
    if not choices:
        return None
    kind, role = s.pick(choices)
    if kind == "cat":
        value = s.pick(s.values(table, role.col))
        return Condition(f"{prefix}{role.col} = {lit(value)}", role.about(value))
    above = s.rng.random() < 0.6
    value = s.cut(table, role.col, above)
    if value is None:
        return None
    op, phrase = (">", role.more(num(value))) if above else ("<", role.less(num(value)))
    if plural_after_one(phrase):
        return None
    return Condition(f"{prefix}{role.col} {op} {num(value)}", phrase)


AGG_WORDS = {
    "AVG": ("average", "mean"),
    "MAX": ("highest", "maximum"),
    "MIN": ("lowest", "minimum"),
    "SUM": ("total", "combined"),
}
_AGG_MEANING = {
    "AVG": "averages the {}",
    "MAX": "takes the largest {}",
    "MIN": "takes the smallest {}",
    "SUM": "adds up the {}",
}


def agg_meaning(fn: str, what: str) -> str:
    """What an aggregate does to a noun: ("MAX", "salary") -> "takes the largest salary"."""
    return _AGG_MEANING[fn].format(what)


def pick_aggregate(s: Scope, role) -> tuple[str, str]:
    """An aggregate that makes sense for the column (no total of ages) and a word for it that the
    noun does not already hold (no "total total")."""
    functions = ["AVG", "MAX", "MIN"] + (["SUM"] if role.summable else [])
    fn = s.pick(functions)
    words = [w for w in AGG_WORDS[fn] if w not in role.noun.split()] or list(AGG_WORDS[fn])
    return fn, s.pick(words)


def whose(table: Table) -> str:
    """The label's noun with its table's when the label alone would not say whose: "booking id"."""
    return f"{table.singular} {table.label_noun}" if table.label_noun == "id" else table.label_noun


def plural_after_one(phrase: str) -> bool:
    """True for "for more than 1 portions": a plural noun after the number 1, which reads wrong."""
    return re.search(r"\b1 [a-z]*[^siu]s\b", phrase) is not None  # not "1 class", "1 diagnosis"
