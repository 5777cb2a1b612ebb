"""The rows of a neighbour database: the record's own rows perturbed, plus rows that split the gold's edges.

`candidate_script(plan, seed, shape)` is the schema's statements followed by one INSERT OR IGNORE per
row (a row a constraint refuses is skipped). Each column draws from a pool of the record's own values,
the gold's literals and the values on either side of them (suite_databases: x-1, x, x+1, the day before
and after, strings a LIKE pattern matches and does not), the first and last days of the periods a
`strftime('%Y', d) = '2024'` names and the days outside them, and typed values of its own. Own rows are
kept or dropped and some of their cells changed (one up or down, the day before or after, another
pool value, NULL); added rows are fresh (new keys that no row refers to: parents without children) or
copies of a row under a new key with one cell changed (so COUNT and COUNT(DISTINCT), UNION and UNION ALL
differ; often the cell the gold compares, or the foreign key made NULL). Foreign keys only take values
the parent holds. Every candidate follows one of SHAPES.
"""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass

from sqlglot import exp

from llama_sql.eval import suite_databases
from llama_sql.eval.database_snapshot import Snapshot, Table, parents_first, references
from llama_sql.eval.mutants import parse
from llama_sql.eval.suite_databases import quote_identifier as _quote

DUPLICATE_SHARE = 0.3  # share of added rows that copy an existing row under a new key
NULL_SHARE = suite_databases.NULL_SHARE


@dataclass(frozen=True)
class Shape:
    keep: float  # share of the record's own rows kept
    change: float  # chance that a kept cell (not a key) is changed
    added: tuple[int, int]  # rows added to each table (more when the table has no rows of its own)
    flat: float  # chance that a column holds one value in every row
    exact: float  # chance that a new cell of a column the gold compares to literals holds one of them
    null: float  # chance that a new cell of a nullable column (foreign keys too) is NULL
    empty: float  # chance that a table is left empty
    childless: bool = False  # tables that refer to others and that none refers to left empty


SHAPES = (
    # near the record's data: every own row kept, a few cells changed, a few rows added
    Shape(keep=1.0, change=0.15, added=(2, 5), flat=0.0, exact=0.15, null=NULL_SHARE, empty=0.0),
    # sparse: one or two rows a table (AVG = MIN = MAX there), some tables empty
    Shape(keep=0.2, change=0.2, added=(0, 2), flat=0.3, exact=0.5, null=0.15, empty=0.3),
    # reshuffled: many own rows dropped or changed, many added
    Shape(keep=0.6, change=0.35, added=(3, 8), flat=0.0, exact=0.25, null=0.15, empty=0.0),
    # flat: columns holding one value, so `x > (SELECT AVG(x) ...)` meets its boundary
    Shape(keep=0.5, change=0.2, added=(2, 6), flat=0.5, exact=0.3, null=NULL_SHARE, empty=0.0),
    # childless: the tables at the end of the foreign keys empty, so outer joins find no partner
    Shape(
        keep=0.6, change=0.2, added=(1, 3), flat=0.0, exact=0.3, null=NULL_SHARE, empty=0.0, childless=True
    ),
)


_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def period_edges(gold_sql: str) -> dict[str, list[str]]:
    """`strftime('%Y', d) = '2024'` and `'%Y-%m'`: the first and last days of the period and outside it."""
    tree = parse(gold_sql)
    edges: dict[str, list[str]] = {}
    for node in tree.find_all(exp.TimeToStr) if tree is not None else []:
        column, parent = node.find(exp.Column), node.parent
        if not isinstance(parent, exp.Binary):
            continue
        other = parent.expression if parent.this is node else parent.this
        match = _PERIOD.match(other.this) if isinstance(other, exp.Literal) and other.is_string else None
        if column is None or match is None:
            continue
        year, month = int(match[1]), int(match[2] or 0)
        if not 1 <= year <= 9998 or month > 12:
            continue
        first = datetime.date(year, month or 1, 1)
        following = datetime.date(year + (month in (0, 12)), (month % 12) + 1 if month else 1, 1)
        days = [first - datetime.timedelta(days=1), first, following - datetime.timedelta(days=1), following]
        edges.setdefault(column.name.lower(), []).extend(str(day) for day in days)
    return edges


@dataclass
class Plan:
    """What the candidates of one gold on one database are built from, worked out once."""

    snapshot: Snapshot
    tables: list[Table]  # parents before children
    references: list[tuple[str, int, str, int]]  # (child, column, parent, column), kept by the data
    literals: dict[str, list]  # the gold's literals (and period edges) by column name
    joins: list[set[str]]  # column names the gold joins


def plan_for(snapshot: Snapshot, gold_sql: str) -> Plan:
    known = {c.lower() for table in snapshot.tables.values() for c in table.columns}
    literals, joins = suite_databases.gold_literals(gold_sql, known)
    for column, days in period_edges(gold_sql).items():
        literals[column] = [v for v in literals.get(column, []) if "%" not in str(v)] + days
    tables, kept = parents_first(snapshot, references(snapshot, joins))
    return Plan(snapshot, tables, kept, literals, joins)


def _pools(plan: Plan, rng: random.Random) -> dict[str, list]:
    """Candidate values per column name: suite_databases' pools plus the record's own values."""
    schema = {t.name: list(zip(t.columns, t.declared, strict=True)) for t in plan.tables}
    pools = suite_databases.value_pools(schema, plan.literals, plan.joins, rng)
    for table in plan.tables:
        for i, column in enumerate(table.columns):
            pools[column.lower()].extend(row[i] for row in table.rows if row[i] is not None)
    return pools


def _nudge(value: object, pool: list, rng: random.Random) -> object:
    """A value near `value` (one up or down, the day before or after) or another from the column's pool."""
    if rng.random() < 0.5 or value is None:
        return rng.choice(pool) if pool else value
    if isinstance(value, int) and not isinstance(value, bool):
        return value + rng.choice((-1, 1))
    if isinstance(value, float):
        return value + rng.choice((-0.5, 0.5))
    try:
        day = datetime.date.fromisoformat(str(value)[:10])
        return str(day + datetime.timedelta(days=rng.choice((-1, 1)))) + str(value)[10:]
    except ValueError:
        return rng.choice(pool) if pool else value


def _fresh_key(table: Table, rows: list[list], pool: list, rng: random.Random) -> object:
    column = table.key[0]
    taken = {row[column] for row in rows}
    numbers = [v for v in taken if isinstance(v, int) and not isinstance(v, bool)]
    if numbers or "INT" in table.declared[column] or not pool:
        return max(numbers, default=0) + rng.randint(1, 2)
    value = rng.choice(pool)
    return value if value not in taken else f"{value}_{len(rows)}"


def _rows(
    table: Table, pools, literals, parents: dict[int, list], shape: Shape, rng: random.Random
) -> list[list]:
    """The candidate's rows of one table: own rows kept or changed, then added fresh rows and copies."""
    if rng.random() < shape.empty:
        return []
    pool = [pools[c.lower()] for c in table.columns]
    exact = [[v for v in literals.get(c.lower(), []) if "%" not in str(v)] for c in table.columns]
    free = [i for i in range(len(table.columns)) if i not in table.key and i not in parents]

    def new_value(i: int, old: object) -> object:
        if table.nullable[i] and rng.random() < shape.null:
            return None
        if exact[i] and rng.random() < shape.exact:
            return rng.choice(exact[i])
        return _nudge(old, pool[i], rng)

    rows = []
    for own in table.rows:
        if rng.random() < shape.keep:
            row = list(own)
            for i in free:
                if rng.random() < shape.change:
                    row[i] = new_value(i, row[i])
            rows.append(row)
    low, high = shape.added
    count = rng.randint(low, high) + (0 if table.rows or high <= 2 else rng.randint(5, 9))
    for _ in range(max(count, 0 if rows else 1)):
        if rows and rng.random() < DUPLICATE_SHARE:
            row = _copy(rng.choice(rows), free, exact, parents, new_value, rng)
        else:
            row = [new_value(i, None) for i in range(len(table.columns))]
            for i, values in parents.items():
                null = not values or (table.nullable[i] and rng.random() < 2 * shape.null)
                row[i] = None if null else rng.choice(values)
        if len(table.key) == 1:
            row[table.key[0]] = _fresh_key(table, rows, pool[table.key[0]], rng)
        rows.append(row)
    for i in free:
        if pool[i] and rng.random() < shape.flat:
            value = rng.choice(pool[i])
            for row in rows:
                row[i] = value
    for i, values in parents.items():  # own rows whose parent row was dropped get another parent
        allowed = set(values)
        for row in rows:
            if row[i] is not None and row[i] not in allowed:
                row[i] = rng.choice(values) if values else None
    return rows


def _copy(row, free: list[int], exact, parents: dict[int, list], new_value, rng: random.Random) -> list:
    """A copy of a row (its key is replaced by the caller) with one cell changed, often one the gold
    compares to a literal, and sometimes its foreign key NULL or pointing at another parent."""
    row = list(row)
    compared = [i for i in free if exact[i]]
    choices = compared if compared and rng.random() < 0.5 else free
    if choices and rng.random() < 0.7:
        i = rng.choice(choices)
        row[i] = new_value(i, row[i])
    for i, values in parents.items():
        if rng.random() < 0.5:
            row[i] = None if rng.random() < 0.6 else rng.choice(values or [None])  # NOT NULL: row refused
    return row


def candidate_script(plan: Plan, seed: str, shape: Shape) -> str:
    """The schema's statements, then INSERT OR IGNORE for every generated row (skipping ones a constraint refuses)."""
    rng = random.Random(seed)
    pools, literals = _pools(plan, rng), plan.literals
    generated: dict[str, list[list]] = {}
    statements = [plan.snapshot.ddl, ""]
    for table in plan.tables:
        parents = {
            i: [row[j] for row in generated[parent] if row[j] is not None]
            for child, i, parent, j in plan.references
            if child == table.name
        }
        leaf = parents and not any(parent == table.name for _, _, parent, _ in plan.references)
        empty = shape.childless and leaf  # parents without any child: inner and outer joins part
        generated[table.name] = [] if empty else _rows(table, pools, literals, parents, shape, rng)
        names = ", ".join(map(_quote, table.columns))
        statements += [
            f"INSERT OR IGNORE INTO {_quote(table.name)} ({names}) VALUES ({', '.join(map(suite_databases.sql_value, row))})"
            for row in generated[table.name]
        ]
    return ";\n".join(statements) + ";"
