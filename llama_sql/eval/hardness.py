"""Spider's hardness levels (easy, medium, hard, extra) of a gold query, by Spider's published rules.

    hardness("SELECT count(*) FROM singer")                                   # "easy"
    spider_counts("SELECT a FROM t WHERE b = 1 OR c LIKE 'x%'")               # SpiderCounts(3, 0, 0)

Spider's evaluation.py (Yu et al., 2018; `Evaluator.eval_hardness` with `count_component1`,
`count_component2` and `count_others`) sorts a query by three counts taken from its top-level SELECT
(a subquery's own clauses are not counted):

- component1: one each for WHERE, GROUP BY, ORDER BY and LIMIT, one per table joined beyond the first
  (a subquery in FROM counts as a table), and one per OR and per LIKE among the join, WHERE and HAVING
  conditions;
- component2: one per join, WHERE or HAVING condition compared with a subquery, and one for a
  UNION, INTERSECT or EXCEPT;
- others: one each for more than one aggregate, more than one selected column, more than one WHERE
  condition and more than one GROUP BY column.

Spider counts on its own parse (process_sql.py), which reads conditions as one flat list joined by
AND/OR (parentheses are not kept), a condition's NOT as a flag on it (NOT IN, NOT LIKE, NOT BETWEEN),
and a set operation as the first SELECT with the rest nested in it, ORDER BY and LIMIT after the last
SELECT going to that nested query. Here the same counts are read from sqlglot's tree in that way.
Spider's aggregate count reads two of its lists by position, and the labels it publishes come from that:

- over WHERE it tests each condition's first field, which is the NOT flag, so it counts negated
  conditions (`x NOT IN (...)`), not aggregates;
- over HAVING it also walks the AND/OR words between conditions, each of which counts (the test
  compares their first letter with 0), besides the negated conditions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

LEVELS = ("easy", "medium", "hard", "extra")
UNPARSED = "unparsed"  # sqlglot could not read the gold SQL as one statement
_AGGREGATES = (exp.Max, exp.Min, exp.Count, exp.Sum, exp.Avg)  # Spider's AGG_OPS
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div)  # Spider's UNIT_OPS: one operator between two columns
_SET_OPERATIONS = (exp.Union, exp.Intersect, exp.Except)
_QUERIES = (exp.Select, exp.Subquery, *_SET_OPERATIONS)


@dataclass(frozen=True)
class SpiderCounts:
    component1: int
    component2: int
    others: int

    @property
    def level(self) -> str:
        """Spider's `eval_hardness` thresholds, in its order."""
        c1, c2, others = self.component1, self.component2, self.others
        if c1 <= 1 and others == 0 and c2 == 0:
            return "easy"
        if (others <= 2 and c1 <= 1 and c2 == 0) or (c1 <= 2 and others < 2 and c2 == 0):
            return "medium"
        if (
            (others > 2 and c1 <= 2 and c2 == 0)
            or (2 < c1 <= 3 and others <= 2 and c2 == 0)
            or (c1 <= 1 and others == 0 and c2 <= 1)
        ):
            return "hard"
        return "extra"


def hardness(sql: str) -> str:
    """The query's Spider hardness level, or "unparsed" when sqlglot cannot read it."""
    counts = spider_counts(sql)
    return counts.level if counts is not None else UNPARSED


def spider_counts(sql: str) -> SpiderCounts | None:
    """component1, component2 and others of the query's top-level SELECT (None: not one parsable query)."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="sqlite") if s is not None]
    except (sqlglot.errors.SqlglotError, RecursionError, ValueError):
        return None
    if len(statements) != 1:
        return None
    tree = _unwrap(statements[0])
    select, set_operations = tree, 0
    while isinstance(select, _SET_OPERATIONS):  # the first SELECT; the rest is nested in it (one, for Spider)
        select, set_operations = _unwrap(select.this), 1
    if not isinstance(select, exp.Select):
        return None
    joins = select.args.get("joins") or []
    source = select.args.get("from_") or select.args.get("from")
    tables = (1 if source is not None else 0) + len(joins)
    from_conditions, from_words = _flat([join.args.get("on") for join in joins])
    where, where_words = _flat([_clause(select, "where")])
    having, having_words = _flat([_clause(select, "having")])
    group = list(select.args["group"].expressions) if select.args.get("group") else []
    order = [o.this for o in select.args["order"].expressions] if select.args.get("order") else []
    conditions = from_conditions + where + having
    component1 = (
        bool(where) + bool(group) + bool(order) + (select.args.get("limit") is not None) + max(0, tables - 1)
    )
    component1 += (from_words + where_words + having_words).count("or")
    component1 += sum(_is_like(c) for c in conditions)
    component2 = sum(_subqueries(c) for c in conditions) + set_operations
    aggregates = (
        sum(_is_aggregate(e) for e in select.expressions)
        + sum(_negated(c) for c in where)  # Spider's count reads the NOT flag here (see above)
        + sum(_is_aggregate(e) for e in group)
        + sum(_order_aggregates(e) for e in order)
        + sum(_negated(c) for c in having)
        + len(having_words)  # and every AND/OR between HAVING conditions
    )
    others = (aggregates > 1) + (len(select.expressions) > 1) + (len(where) > 1) + (len(group) > 1)
    return SpiderCounts(component1, component2, others)


def _unwrap(node):
    while isinstance(node, (exp.Paren, exp.Subquery)) and isinstance(node.this, _QUERIES):
        node = node.this
    return node


def _clause(select: exp.Select, name: str):
    clause = select.args.get(name)
    return clause.this if clause is not None else None


def _flat(roots: list) -> tuple[list, list[str]]:
    """Conditions and the AND/OR words between them, as Spider's flat list reads them (parentheses dropped)."""
    conditions: list = []
    words: list[str] = []

    def walk(node) -> None:
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, exp.Connector):  # And, Or
            walk(node.this)
            words.append("or" if isinstance(node, exp.Or) else "and")
            walk(node.expression)
        else:
            conditions.append(node)

    for root in roots:
        if root is not None:
            if conditions:
                words.append("and")  # Spider joins the ON conditions of successive joins with AND
            walk(root)
    return conditions, words


def _negated(condition) -> bool:
    return isinstance(condition, exp.Not) or bool(condition.args.get("negate"))


def _positive(condition):
    return condition.this if isinstance(condition, exp.Not) else condition


def _is_like(condition) -> bool:
    return isinstance(_positive(condition), (exp.Like, exp.ILike))


def _subqueries(condition) -> int:
    """Operands of the condition that are queries (Spider's val1 and val2 when they are SQL)."""
    node = _positive(condition)
    if isinstance(node, exp.Exists):
        return 1
    operands = [
        value for key, value in node.args.items() if key != "this" and isinstance(value, exp.Expression)
    ]
    return sum(isinstance(_strip(value), (exp.Select, *_SET_OPERATIONS)) for value in operands)


def _strip(node):
    while isinstance(node, (exp.Paren, exp.Subquery)):
        node = node.this
    return node


def _is_aggregate(expression) -> bool:
    node = expression.this if isinstance(expression, exp.Alias) else expression
    return isinstance(_strip_paren(node), _AGGREGATES)


def _strip_paren(node):
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _order_aggregates(expression) -> int:
    """Aggregated columns of one ORDER BY term: a column, or two joined by one arithmetic operator."""
    node = _strip_paren(expression)
    if isinstance(node, _ARITHMETIC):
        return _is_aggregate(node.this) + _is_aggregate(node.expression)
    return int(_is_aggregate(node))


def accuracy_by_hardness(records: list[dict], results: dict[str, list[dict]]) -> dict:
    """Per level (and "all"): questions, and per model execution, test-suite and voted accuracy.

    Each record's level is its `hardness` field, else read from its gold SQL. Accuracies count records
    whose gold SQL ran, as `execution_accuracy` does. Test-suite accuracy needs the evaluation's
    `test_suite_correct` verdicts and is None without them; voted accuracy appears when candidates voted.
    """
    levels = [r.get("hardness") or hardness(r["output"]) for r in records]
    counts = Counter(levels)
    order = [level for level in (*LEVELS, UNPARSED) if counts[level]]
    table = {}
    for level in [*order, "all"]:
        members = [i for i, own in enumerate(levels) if level in ("all", own)]
        table[level] = {"n": len(members)}
        for which, verdicts in results.items():
            scored = [verdicts[i] for i in members if verdicts[i].get("gold_ok")]
            entry = {"scored": len(scored), "execution_accuracy": _share(scored, "correct")}
            suite = [v.get("test_suite_correct") for v in scored]
            entry["test_suite_accuracy"] = (
                _share(scored, "test_suite_correct") if scored and None not in suite else None
            )
            if scored and all("voted_correct" in v for v in scored):
                entry["voted_execution_accuracy"] = _share(scored, "voted_correct")
            table[level][which] = entry
    return table


def _share(rows: list[dict], key: str) -> float:
    return round(sum(bool(r.get(key)) for r in rows) / len(rows), 4) if rows else 0.0
