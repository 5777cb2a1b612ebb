"""When a predicted query counts as right: execution match and exact match.

Execution match follows the harnesses the field trusts (test-suite-sql-eval, Spider, BIRD):

- results are compared as multisets of rows: duplicates count ([1, 1, 2] != [1, 2, 2]);
- row order matters only when the gold query has a top-level ORDER BY (an ORDER BY inside a subquery
  or CTE does not count), found with sqlglot;
- columns may come in any order, but there must be as many as the gold's: some mapping of the
  predicted columns onto the gold's must make the rows agree (column names never matter); two
  empty results agree whatever their columns, as test-suite-sql-eval and BIRD decide it;
- numbers compare by value with a small tolerance (relative 1e-6, absolute 1e-9), so 3 == 3.0;
  text never equals a number ('3' != 3), and NULL equals NULL;
- a data-changing gold (UPDATE/DELETE/INSERT...) is matched by the tables it leaves behind: the same
  tables, each with the same multiset of rows. A read where a write is expected, or the reverse, is wrong.

Exact match compares the two queries after sqlglot (dialect sqlite) has parsed and re-printed them:
keywords upper case, identifiers lower case and unquoted (SQLite identifiers ignore case), canonical
whitespace, operators (`!=` is `<>`) and optional `AS`, trailing semicolons dropped. String literals,
aliases and the order of columns, tables and conditions still matter. A prediction that does not
parse as exactly one statement never matches.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import sqlglot
from sqlglot import exp

from llama_sql.sandbox import Execution

MAX_PARSED_CHARS = 50_000  # longer SQL is compared verbatim: sqlglot needs seconds per megabyte
REL_TOL = 1e-6
ABS_TOL = 1e-9
MAX_CELLS_COMPARED = 20_000_000  # work bound on the column-mapping search (only degenerate results need it)


def _parse_one(sql: str) -> exp.Expression | None:
    if len(sql) > MAX_PARSED_CHARS:
        return None
    try:
        statements = [s for s in sqlglot.parse(sql, read="sqlite") if s is not None]
    except (sqlglot.errors.SqlglotError, RecursionError, ValueError):
        return None
    return statements[0] if len(statements) == 1 else None


@functools.lru_cache(
    maxsize=4096
)  # gold queries are asked about again and again (base, fine-tuned, K databases)
def has_top_level_order_by(sql: str) -> bool:
    """True when the statement itself (not a subquery or CTE) ends with ORDER BY."""
    tree = _parse_one(sql)
    while isinstance(tree, (exp.Subquery, exp.Paren)):
        tree = tree.this
    return tree is not None and bool(tree.args.get("order"))


@functools.lru_cache(maxsize=4096)
def normalize_sql(sql: str) -> str | None:
    """The canonical text exact match compares, or None when `sql` is not one parsable statement."""
    tree = _parse_one(sql) if isinstance(sql, str) and sql.strip() else None
    if tree is None:
        return None
    for identifier in tree.find_all(exp.Identifier):
        identifier.set("this", identifier.name.lower())
        identifier.set("quoted", False)
    try:
        return tree.sql(dialect="sqlite")
    except (sqlglot.errors.SqlglotError, RecursionError, ValueError):
        return None


def exact_match(gold_sql: str, predicted_sql: str | None) -> bool:
    if not isinstance(predicted_sql, str):
        return False
    if predicted_sql.strip() == gold_sql.strip():
        return True
    gold = normalize_sql(gold_sql)
    if gold is None:  # an unparsable gold can only be matched verbatim, up to whitespace and case
        return " ".join(gold_sql.lower().split()) == " ".join(predicted_sql.lower().split())
    return normalize_sql(predicted_sql) == gold


def _value_key(value: object) -> tuple:
    """A sort key that puts equal-within-tolerance values side by side; the type tag keeps '3' != 3."""
    if value is None:
        return (0, 0)
    if isinstance(value, (bool, int, float)):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return (1, number if not math.isnan(number) else math.inf)
        return (1, float(f"{number:.9g}"))
    if isinstance(value, str):
        return (2, value)
    return (3, bytes(value))


def values_equal(a: object, b: object) -> bool:
    a_number = isinstance(a, (int, float)) and not isinstance(a, bool)
    b_number = isinstance(b, (int, float)) and not isinstance(b, bool)
    if a_number and b_number:
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL) or (a != a and b != b)
    if a_number or b_number:
        return False
    return a == b


def _rows_equal(gold: Sequence[tuple], pred: Sequence[tuple]) -> bool:
    return len(gold) == len(pred) and all(
        len(g) == len(p) and all(values_equal(x, y) for x, y in zip(g, p, strict=True))
        for g, p in zip(gold, pred, strict=True)
    )


def _canonical(rows: Sequence[tuple], ordered: bool) -> list[tuple]:
    return list(rows) if ordered else sorted(rows, key=lambda row: tuple(_value_key(v) for v in row))


def _column_equal(gold: tuple, pred: tuple, ordered: bool) -> bool:
    gold_cells, pred_cells = [(v,) for v in gold], [(v,) for v in pred]
    return _rows_equal(_canonical(gold_cells, ordered), _canonical(pred_cells, ordered))


def rows_match(
    gold: Sequence[tuple],
    pred: Sequence[tuple],
    ordered: bool = False,
    width: int | None = None,
    pred_width: int | None = None,
) -> bool:
    """Do two results agree as multisets (or sequences when `ordered`), up to a column permutation?"""
    if len(gold) != len(pred):
        return False
    if not gold:  # two empty results agree, whatever their columns (as in test-suite-sql-eval and BIRD)
        return True
    width = width if width is not None else len(gold[0])
    pred_width = pred_width if pred_width is not None else len(pred[0])
    if width != pred_width:
        return False
    gold_columns = list(zip(*gold, strict=True))
    # Identical predicted columns are interchangeable: search over groups of them, not over each
    # one, so a result with many equal columns (all NULL, say) does not explode into n! mappings.
    groups: dict[tuple, list[int]] = {}
    for j, column in enumerate(zip(*pred, strict=True)):
        groups.setdefault(column, []).append(j)
    members = list(groups.values())
    # A gold column can only map to a group holding the same values (as a multiset, or in order).
    candidates = [
        [g for g, column in enumerate(groups) if _column_equal(gold_column, column, ordered)]
        for gold_column in gold_columns
    ]
    if any(not options for options in candidates):
        return False
    gold_rows = _canonical(gold, ordered)
    budget = [max(20, MAX_CELLS_COMPARED // (len(gold) * width))]

    def search(mapping: list[int], used: list[int]) -> bool:
        if len(mapping) == width:
            budget[0] -= 1
            permuted = [tuple(row[j] for j in mapping) for row in pred]
            return _rows_equal(gold_rows, _canonical(permuted, ordered))
        for group in candidates[len(mapping)]:
            if used[group] < len(members[group]) and budget[0] > 0:
                used[group] += 1
                if search([*mapping, members[group][used[group] - 1]], used):
                    return True
                used[group] -= 1
        return False

    return search([], [0] * len(members))


def tables_match(gold: dict[str, list[tuple]], pred: dict[str, list[tuple]]) -> bool:
    """Data-changing statements: the same tables, each holding the same multiset of rows."""
    if {name.lower() for name in gold} != {name.lower() for name in pred}:
        return False
    pred_by_name = {name.lower(): rows for name, rows in pred.items()}
    return all(rows_match(rows, pred_by_name[name.lower()]) for name, rows in gold.items())


def execution_match(gold: Execution, pred: Execution, ordered: bool) -> bool:
    """Does the prediction's execution agree with the gold's (both must have run)?"""
    if not (gold.ok and pred.ok):
        return False
    if gold.tables is not None or pred.tables is not None:
        return gold.tables is not None and pred.tables is not None and tables_match(gold.tables, pred.tables)
    return rows_match(gold.rows, pred.rows, ordered, width=len(gold.columns), pred_width=len(pred.columns))
