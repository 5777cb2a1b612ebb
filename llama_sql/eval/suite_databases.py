"""Generated databases for schema-only records: make execution match mean something without rows.

Many public datasets (sql-create-context, much of WikiSQL) give only CREATE TABLE statements. On
empty tables almost every query returns nothing, so "same result as the gold" proves nothing. Like
the distilled test suites of Zhong et al. (2020), we fill the schema K times (default 3) with small
seeded random data and require the prediction to match the gold on every one.

The data is built to split the gold's filters: each column draws from a pool seeded with the gold's
literals compared against it (sqlglot finds `col = 'x'`, `col > 5`, `col LIKE '%a%'`, BETWEEN, IN)
and their neighbours (x-1 and x+1, the day before and after, another string, a string the LIKE
pattern matches), plus a few typed values of its own (by declared type: int, real, text, date) and
the odd NULL. Columns that the gold joins on share one pool so joins find partners. Values repeat so
GROUP BY and COUNT have something to count. Rows that break a constraint are skipped (INSERT OR IGNORE).
"""

from __future__ import annotations

import datetime
import random

import sqlglot
from sqlglot import exp

from llama_sql.eval.execution_match import execution_match, has_top_level_order_by
from llama_sql.eval.mutants import mutants as single_edits
from llama_sql.eval.sandbox import Database, DatabaseBuildError, SandboxLimits, open_database, schema_sql

DEFAULT_K = 3
CANDIDATES_PER_DATABASE = 4  # candidates generated per kept database, to find ones the gold says something on
MAX_MUTANTS = 8  # near-misses of the gold used to pick the test databases
NULL_SHARE = 0.08  # share of generated cells left NULL (IS NULL and NULL-aware filters need some)
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike, exp.In, exp.Between)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def is_schema_only(db: Database) -> bool:
    """True when the database has tables and every one of them is empty."""
    tables = db.run("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    if not tables.ok or not tables.rows:
        return False
    for (name,) in tables.rows:
        probe = db.run(f"SELECT 1 FROM {quote_identifier(name)} LIMIT 1")
        if not probe.ok or probe.rows:
            return False
    return True


def _table_columns(db: Database) -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, declared type)]}, read through the sandbox's allowed PRAGMA table_info."""
    tables = db.run("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    schema = {}
    for (name,) in tables.rows if tables.ok else []:
        info = db.run(f"PRAGMA table_info({quote_identifier(name)})")
        schema[name] = [(row[1], (row[2] or "").upper()) for row in info.rows] if info.ok else []
    return schema


def _literal_value(literal: exp.Literal) -> object:
    if literal.is_string:
        return literal.this
    text = literal.this
    try:
        value = float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text
    return -value if isinstance(literal.parent, exp.Neg) else value


def _is_string_in_disguise(column: exp.Column, known_columns: set[str] | None) -> bool:
    """SQLite reads "USA" as a string when no column has that name (Spider's golds rely on it)."""
    return (
        known_columns is not None
        and not column.table
        and column.this.args.get("quoted", False)
        and column.name.lower() not in known_columns
    )


def gold_literals(
    gold_sql: str, known_columns: set[str] | None = None
) -> tuple[dict[str, list], list[set[str]]]:
    """The gold's literals by the (lower-cased) column they are compared to, and the joined column groups."""
    try:
        tree = sqlglot.parse_one(gold_sql, read="sqlite")
    except (sqlglot.errors.SqlglotError, RecursionError, ValueError):
        return {}, []
    by_column: dict[str, list] = {}
    joins: list[set[str]] = []
    for node in tree.find_all(*_COMPARISONS):
        if node.find(exp.Select) is not None:
            continue  # `x IN (SELECT ...)`: the subquery's own comparisons are visited separately
        literals = [_literal_value(literal) for literal in node.find_all(exp.Literal)]
        columns = []
        for column in node.find_all(exp.Column):
            if _is_string_in_disguise(column, known_columns):
                literals.append(column.name)
            else:
                columns.append(column.name.lower())
        if len(columns) >= 2 and not literals:
            joins.append(set(columns))
        for column in columns:
            by_column.setdefault(column, []).extend(literals)
    return by_column, joins


def _neighbours(value: object, rng: random.Random) -> list:
    """The literal and values on either side of it, so a filter on it keeps some rows and drops others."""
    if isinstance(value, bool) or value is None:
        return [value]
    if isinstance(value, int):
        return [value - 1, value, value, value + 1, value + rng.randint(2, 9)]
    if isinstance(value, float):
        return [value - 0.5, value, value, value + 0.5]
    text = str(value)
    try:
        day = datetime.date.fromisoformat(text[:10])
        return [text, text, str(day - datetime.timedelta(days=1)), str(day + datetime.timedelta(days=1))]
    except ValueError:
        pass
    if "%" in text or "_" in text:  # a LIKE pattern: strings it matches and one it does not
        plain = text.replace("%", "").replace("_", "a")
        return [plain, text.replace("%", "xy").replace("_", "b"), plain[:-1] or "z", "other"]
    return [text, text, text + " 2", text.lower() if text.lower() != text else text.upper(), "other"]


def _kind(declared: str, literals: list) -> str:
    """int | real | text | date, from the declared type (SQLite's affinity rules) and the gold's literals."""
    numbers = [v for v in literals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if numbers:
        return "real" if any(isinstance(v, float) for v in numbers) else "int"
    if "DATE" in declared or "TIME" in declared:
        return "date"
    if "INT" in declared or "BOOL" in declared:
        return "int"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB", "DEC", "NUM")):
        return "real"
    return "text"


def _own_values(column: str, kind: str, rng: random.Random) -> list:
    if kind == "int":
        return [rng.randint(1, 6) for _ in range(4)] + [rng.randint(0, 100)]
    if kind == "real":
        return [round(rng.uniform(0, 100), 2) for _ in range(4)]
    if kind == "date":
        start = datetime.date(2020, 1, 1)
        return [str(start + datetime.timedelta(days=rng.randint(0, 1500))) for _ in range(4)]
    return [f"{column}_{rng.randint(1, 4)}" for _ in range(4)]


def value_pools(schema, literals, joins, rng: random.Random) -> dict[str, list]:
    """One pool of candidate values per column name; joined columns end up sharing one pool."""
    pools: dict[str, list] = {}
    for columns in schema.values():
        for column, declared in columns:
            key = column.lower()
            seeded = literals.get(key, [])
            values = [v for literal in seeded for v in _neighbours(literal, rng)]
            pools.setdefault(key, []).extend(values + _own_values(key, _kind(declared, seeded), rng))
    for group in joins:
        # sorted: a set's order follows string hashing, which changes from one process to the next
        merged = [v for name in sorted(group) for v in pools.get(name, [])] + list(range(1, 7))
        for name in group:
            if name in pools:
                pools[name] = merged
    return pools


def sql_value(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return "X'" + value.hex() + "'"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _inserts(schema, pools, rng: random.Random) -> list[str]:
    statements = []
    for table, columns in schema.items():
        if not columns:
            continue
        names = ", ".join(quote_identifier(column) for column, _ in columns)
        for _ in range(rng.randint(8, 14)):
            cells = [
                None if rng.random() < NULL_SHARE else rng.choice(pools[column.lower()])
                for column, _ in columns
            ]
            values = ", ".join(sql_value(cell) for cell in cells)
            statements.append(f"INSERT OR IGNORE INTO {quote_identifier(table)} ({names}) VALUES ({values});")
    return statements


def gold_mutants(gold_sql: str, limit: int = MAX_MUTANTS) -> list[str]:
    """Near-misses of the gold (one comparison flipped: = and <>, > and >=, < and <=).

    A good test database tells the gold from its near-misses; we keep the ones that do.
    """
    return [m.sql for m in single_edits(gold_sql, kinds=("comparison", "equality"))][:limit]


def _probe(db: Database, gold_sql: str, mutants: list[str], ordered: bool) -> tuple[bool, set[int]]:
    """(does the gold return something informative here, which mutants does this database expose)."""
    gold = db.run(gold_sql)
    if not gold.ok:
        return False, set()
    informative = gold.tables is not None or any(v not in (None, 0) for row in gold.rows for v in row)
    killed = {i for i, mutant in enumerate(mutants) if not execution_match(gold, db.run(mutant), ordered)}
    return informative, killed


def choose_databases(
    candidates: list[tuple[Database, bool, set[int]]], k: int, exposed: set[int] | None = None
) -> tuple[list[int], set[int]]:
    """Greedily pick k candidates exposing the most mutants (then informative ones); (picked, exposed).

    `exposed`: mutants already told apart elsewhere (on the record's own database), worth nothing here.
    """
    exposed = set(exposed or ())
    picked: list[int] = []
    for _ in range(min(k, len(candidates))):
        best = max(
            (i for i in range(len(candidates)) if i not in picked),
            key=lambda i: (len(candidates[i][2] - exposed), candidates[i][1], -i),
        )
        picked.append(best)
        exposed |= candidates[best][2]
    return picked, exposed


def generated_databases(
    base: Database,
    instruction: str,
    gold_sql: str,
    k: int = DEFAULT_K,
    seed: int = 0,
    limits: SandboxLimits | None = None,
) -> list[Database]:
    """K databases with the record's schema and seeded rows; [] when they cannot be built.

    Up to CANDIDATES_PER_DATABASE * K candidates are generated; the K kept are those that best tell
    the gold from its near-misses and on which the gold returns something (a distilled test suite).
    """
    schema = _table_columns(base)
    literals, joins = gold_literals(gold_sql, {c.lower() for cols in schema.values() for c, _ in cols})
    mutants = gold_mutants(gold_sql)
    ordered = has_top_level_order_by(gold_sql)
    candidates: list[tuple[Database, bool, set[int]]] = []
    picked: list[int] = []
    for index in range(k * CANDIDATES_PER_DATABASE):
        rng = random.Random(f"{seed}:{index}:{gold_sql}")
        inserts = _inserts(schema, value_pools(schema, literals, joins, rng), rng)
        try:
            db = open_database(
                instruction=schema_sql(instruction) + "\n;\n" + "\n".join(inserts), limits=limits
            )
        except DatabaseBuildError:
            break
        candidates.append((db, *_probe(db, gold_sql, mutants, ordered)))
        if len(candidates) >= k:
            picked, exposed = choose_databases(candidates, k)
            if all(candidates[i][1] for i in picked) and len(exposed) == len(mutants):
                break  # every near-miss is exposed and the gold says something on every pick
    for index, (db, _, _) in enumerate(candidates):
        if index not in picked or len(picked) < k:
            db.close()
    return [candidates[i][0] for i in picked] if len(picked) == k else []
