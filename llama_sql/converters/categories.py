"""The kind of SQL task a query is, in gretel's vocabulary, for datasets that do not label it.

gretelai/synthetic_text_to_sql labels every row's `sql_complexity` ("basic SQL", "aggregation",
"single join", "multiple_joins", "subqueries", "set operations", "window functions", "CTEs").
Spider and sql-create-context do not, so their queries are labelled here from sqlglot's parse tree
with the same words, and per-category accuracy reads the same across sources.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp


def sql_category(sql: str) -> str:
    """The most telling feature of a query: CTE > window > set operation > subquery > joins > aggregate."""
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except Exception:  # an unparsable query still converts; its category just says so
        return "unparsed"
    if tree is None:
        return "unparsed"
    if not isinstance(tree, (exp.Query, exp.Subquery)):
        return "data manipulation" if isinstance(tree, exp.DML) else "data definition"
    if tree.find(exp.With):
        return "CTEs"
    if tree.find(exp.Window):
        return "window functions"
    if tree.find(exp.SetOperation):
        return "set operations"
    if any(select is not tree for select in tree.find_all(exp.Select)):
        return "subqueries"
    joins = len(list(tree.find_all(exp.Join)))
    if joins:
        return "single join" if joins == 1 else "multiple_joins"
    if tree.find(exp.AggFunc) or tree.args.get("group"):
        return "aggregation"
    return "basic SQL"
