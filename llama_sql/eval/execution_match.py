"""When a predicted query counts as right: execution match and exact match.

Execution match follows the harnesses the field trusts (test-suite-sql-eval, Spider, BIRD):

- results are compared as multisets of rows: duplicates count ([1, 1, 2] != [1, 2, 2]);
- row order matters only when the gold query has a top-level ORDER BY (an ORDER BY inside a subquery
  or CTE does not count), found with sqlglot;
- columns may come in any order, but there must be as many as the gold's: some mapping of the
  predicted columns onto the gold's must make the rows agree (column names never matter); two
  empty results agree whatever their columns, as test-suite-sql-eval and BIRD decide it;
- numbers compare by value with a small tolerance (relative 1e-6, absolute 1e-9), so 3 == 3.0, and
  rows are paired by a matching, so rows within the tolerance pair up whatever order they sort in;
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

import bisect
import functools
import math
from collections.abc import Sequence

import sqlglot
from sqlglot import exp

from llama_sql.eval.sandbox import Execution

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


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def values_equal(a: object, b: object) -> bool:
    a_number, b_number = _is_number(a), _is_number(b)
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


def _same_rows(gold: Sequence[tuple], pred: Sequence[tuple], ordered: bool) -> bool:
    """Equal as sequences when `ordered`, else as multisets, numbers within the tolerance."""
    if ordered:
        return _rows_equal(gold, pred)
    if len(gold) != len(pred):
        return False
    if _rows_equal(_canonical(gold, False), _canonical(pred, False)):
        return True
    if not any(isinstance(v, float) for rows in (gold, pred) for row in rows for v in row):
        return False  # without floats equality is exact, and sorting pairs equal rows
    return _tolerant_multiset_equal(gold, pred)


def _tolerant_multiset_equal(gold: Sequence[tuple], pred: Sequence[tuple]) -> bool:
    """Can every gold row be paired with its own predicted row that equals it within the tolerance?

    Equality within a tolerance is not transitive, so sorting (on rounded values) can line up the wrong
    partners: 1.000000005 and 1.0000000050000002 round apart at 9 digits, and two rows whose numbers
    differ by less than the tolerance may sort in either order. Rows are therefore paired by a
    bipartite matching: only rows with the same non-numeric cells can pair, candidates are found by the
    first numeric cell, and augmenting paths (Kuhn's algorithm) decide whether all rows can be paired.
    """
    groups: dict[tuple, tuple[list[tuple], list[tuple]]] = {}
    for side, rows in enumerate((gold, pred)):
        for row in rows:
            key = tuple(None if _is_number(v) else _value_key(v) for v in row)
            groups.setdefault(key, ([], []))[side].append(row)
    return all(_perfect_matching(g, p) for g, p in groups.values())


def _perfect_matching(gold: list[tuple], pred: list[tuple]) -> bool:
    if len(gold) != len(pred):
        return False
    column = next((j for j, v in enumerate(gold[0]) if _is_number(v)), None)
    if column is None:  # no numeric cell: the non-numeric ones made the group, so all rows are equal
        return True
    pred = sorted(pred, key=lambda row: float(row[column]))  # type: ignore[arg-type]
    firsts = [float(row[column]) for row in pred]  # type: ignore[arg-type]

    def candidates(row: tuple) -> list[int]:
        x = float(row[column])  # type: ignore[arg-type]
        if not math.isfinite(x):
            found = range(len(pred))
        else:  # math.isclose's relative tolerance scales with the larger of the two: widen the window for it
            reach = max(ABS_TOL, REL_TOL * abs(x) / (1 - REL_TOL)) * (1 + 1e-9)
            found = range(bisect.bisect_left(firsts, x - reach), bisect.bisect_right(firsts, x + reach))
        return [j for j in found if _rows_equal([row], [pred[j]])]

    options = [candidates(row) for row in gold]
    partner = [-1] * len(pred)  # the gold row each predicted row is paired with
    for start in range(len(gold)):
        # iterative augmenting-path search from gold row `start`
        seen: set[int] = set()
        stack = [(start, iter(options[start]))]
        path: list[int] = []  # predicted rows along the current path
        while stack:
            _, remaining = stack[-1]
            j = next((j for j in remaining if j not in seen), None)
            if j is None:
                stack.pop()
                if path:
                    path.pop()
                continue
            seen.add(j)
            path.append(j)
            if partner[j] < 0:
                for (g, _), p in zip(stack, path, strict=True):
                    partner[p] = g
                break
            stack.append((partner[j], iter(options[partner[j]])))
        else:
            return False  # gold row `start` cannot be paired
    return True


def _column_equal(gold: tuple, pred: tuple, ordered: bool) -> bool:
    return _same_rows([(v,) for v in gold], [(v,) for v in pred], ordered)


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
    gold_rows = _canonical(gold, ordered)  # sorted once: re-sorting it per mapping is then linear
    budget = [max(20, MAX_CELLS_COMPARED // (len(gold) * width))]

    def search(mapping: list[int], used: list[int]) -> bool:
        if len(mapping) == width:
            budget[0] -= 1
            permuted = [tuple(row[j] for j in mapping) for row in pred]
            return _same_rows(gold_rows, permuted, ordered)
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
