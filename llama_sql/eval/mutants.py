"""Near-misses of a gold query: one small edit that changes what it means.

Test-suite databases are chosen to tell the gold from its near-misses (llama_sql/eval/suite_databases.py
and neighbour_databases.py), and tests/test_suite_all_records.py checks that test-suite accuracy rejects
them. Each mutant is one edit at one place, made on sqlglot's tree and printed back as SQLite:

- `comparison`: `>` and `>=` swapped, `<` and `<=`; `equality`: `=` and `<>` (not UPDATE's `SET col = value`);
- `min_max`: MIN and MAX swapped; `avg_sum`: AVG becomes SUM;
- `count_distinct`: COUNT(DISTINCT x) becomes COUNT(x);
- `set_operand`: one side of a UNION, INTERSECT or EXCEPT dropped (its ORDER BY and LIMIT kept);
- `join_kind`: an inner JOIN ... ON becomes a LEFT JOIN, and a LEFT JOIN an inner one;
- `order_direction`: ASC and DESC swapped in an ORDER BY that has a LIMIT;
- `drop_conjunct`: one condition of a WHERE's AND dropped.

Whether a mutant really differs from the gold is not decided here: a human reads the ones no database
tells apart (MIN and MAX of a one-row subquery are equal), and the test lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

KINDS = (
    "comparison",
    "equality",
    "min_max",
    "avg_sum",
    "count_distinct",
    "set_operand",
    "join_kind",
    "order_direction",
    "drop_conjunct",
)
_FLIPS = {
    exp.EQ: exp.NEQ,
    exp.NEQ: exp.EQ,
    exp.GT: exp.GTE,
    exp.GTE: exp.GT,
    exp.LT: exp.LTE,
    exp.LTE: exp.LT,
}
_SET_OPERATIONS = (exp.Union, exp.Intersect, exp.Except)


Edit = Callable[
    [exp.Expression], exp.Expression | None
]  # changes a node in place, or returns its replacement


@dataclass(frozen=True)
class Mutant:
    kind: str  # one of KINDS
    sql: str  # the mutated query, printed by sqlglot as SQLite


def parse(sql: str) -> exp.Expression | None:
    try:
        return sqlglot.parse_one(sql, read="sqlite")
    except (sqlglot.errors.SqlglotError, RecursionError, ValueError):
        return None


def comparisons(tree: exp.Expression) -> list[exp.Expression]:
    """The flippable comparisons, leaving out UPDATE's `SET col = value` (an assignment, not a test)."""
    return [node for node in tree.find_all(*_FLIPS) if not isinstance(node.parent, exp.Update)]


def _flip(node: exp.Expression) -> None:
    node.replace(_FLIPS[type(node)](this=node.this.copy(), expression=node.expression.copy()))


def _swap_min_max(node: exp.Expression) -> None:
    node.replace((exp.Max if isinstance(node, exp.Min) else exp.Min)(**node.args))


def _avg_to_sum(node: exp.Expression) -> None:
    node.replace(exp.Sum(this=node.this.copy()))


def _count_all(node: exp.Expression) -> None:
    node.set("this", node.this.expressions[0].copy())


def _one_side(keep: str) -> Edit:
    def edit(node: exp.Expression) -> exp.Expression:
        side = node.args[keep].copy()
        for tail in ("order", "limit", "offset"):
            if node.args.get(tail) is not None:
                side.set(tail, node.args[tail].copy())
        return node.replace(side)

    return edit


def _swap_join(node: exp.Expression) -> None:
    node.set("side", None if node.side == "LEFT" else "LEFT")
    node.set("kind", None)  # LEFT OUTER JOIN becomes a plain (inner) JOIN


def _swap_direction(node: exp.Expression) -> None:
    descending = not node.args.get("desc")
    node.set("desc", descending)
    node.set("nulls_first", not descending)  # SQLite's default for the new direction: printed as nothing


def conjuncts(condition: exp.Expression) -> list[exp.Expression]:
    """The AND-ed conditions, parentheses around an AND opened."""
    found = []
    for part in condition.flatten() if isinstance(condition, exp.And) else [condition]:
        inner = part.unnest()
        found.extend(conjuncts(inner) if isinstance(inner, exp.And) else [part])
    return found


def _drop_conjunct(position: int) -> Edit:
    def edit(where: exp.Expression) -> None:
        rest = [c.copy() for i, c in enumerate(conjuncts(where.this)) if i != position]
        where.set("this", exp.and_(*rest, copy=False))

    return edit


def _has_limit(ordered: exp.Expression) -> bool:
    order = ordered.parent
    return isinstance(order, exp.Order) and order.parent is not None and bool(order.parent.args.get("limit"))


def _sites(tree: exp.Expression) -> Iterator[tuple[str, exp.Expression, Edit]]:
    """(kind, node, edit) for every place of the tree that one mutation can change, in a fixed order."""
    for node in comparisons(tree):
        yield ("equality" if isinstance(node, (exp.EQ, exp.NEQ)) else "comparison"), node, _flip
    for node in tree.find_all(exp.Min, exp.Max):
        yield "min_max", node, _swap_min_max
    for node in tree.find_all(exp.Avg):
        yield "avg_sum", node, _avg_to_sum
    for node in tree.find_all(exp.Count):
        if isinstance(node.this, exp.Distinct) and len(node.this.expressions) == 1:
            yield "count_distinct", node, _count_all
    for node in tree.find_all(*_SET_OPERATIONS):
        yield "set_operand", node, _one_side("this")
        yield "set_operand", node, _one_side("expression")
    for node in tree.find_all(exp.Join):
        if (
            node.args.get("on") is not None
            and node.side in ("", "LEFT")
            and node.kind in ("", "INNER", "OUTER")
        ):
            yield "join_kind", node, _swap_join
    for node in tree.find_all(exp.Ordered):
        if _has_limit(node):
            yield "order_direction", node, _swap_direction
    for node in tree.find_all(exp.Where):
        count = len(conjuncts(node.this))
        for position in range(count if count > 1 else 0):
            yield "drop_conjunct", node, _drop_conjunct(position)


def mutants(sql: str, kinds: tuple[str, ...] = KINDS) -> list[Mutant]:
    """Every single-edit mutant of `sql` of the given kinds, each text once, none equal to the gold."""
    tree = parse(sql)
    if tree is None:
        return []
    original = tree.sql(dialect="sqlite")
    found: dict[str, Mutant] = {}
    for position, (kind, _, _) in enumerate(_sites(tree)):
        if kind not in kinds:
            continue
        copy = tree.copy()
        _, node, edit = list(_sites(copy))[position]
        replaced = edit(node)
        mutated = replaced if node is copy and replaced is not None else copy  # the root itself replaced
        try:
            text = mutated.sql(dialect="sqlite")
        except (sqlglot.errors.SqlglotError, RecursionError, ValueError):
            continue
        if text != original and text not in found:
            found[text] = Mutant(kind, text)
    return list(found.values())


def spread(found: list[Mutant], limit: int) -> list[Mutant]:
    """At most `limit` mutants, taken in turn from each kind so that no kind crowds the others out."""
    by_kind: dict[str, list[Mutant]] = {}
    for mutant in found:
        by_kind.setdefault(mutant.kind, []).append(mutant)
    picked: list[Mutant] = []
    while len(picked) < limit and any(by_kind.values()):
        for queue in by_kind.values():
            if queue and len(picked) < limit:
                picked.append(queue.pop(0))
    return picked
