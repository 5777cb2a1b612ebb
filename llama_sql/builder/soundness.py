"""Checks that a gold query asks what its question means, run on the draft's own database.

A query can run and return rows and still be a poor gold: an "average" over a group of one row is
that row's value, and a set operation whose result equals one of its sides (A UNION B where B lies
inside A) says no more than that side. compose.py rejects such drafts; tests/test_builder_defects.py
checks the shipped dataset with the same functions and with independent ones.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

_SET_OPERATIONS = (exp.Union, exp.Intersect, exp.Except)


def averages_one_row(run, sql: str) -> bool:
    """True when some AVG of the query averages exactly one value (in some group, or overall).

    `run(sql)` returns the rows of a query. Each AVG's own SELECT is rerun with COUNT of the same
    argument in its place (same FROM, WHERE and GROUP BY): the number of values each average saw.
    """
    tree = sqlglot.parse_one(sql, read="sqlite")
    for average in tree.find_all(exp.Avg):
        select = average.find_ancestor(exp.Select)
        if _correlated(select):
            continue  # its groups depend on the outer row; it cannot run alone
        probe = select.copy()
        for clause in ("having", "order", "limit", "distinct"):
            probe.set(clause, None)
        probe.set("expressions", [exp.Count(this=average.this.copy())])
        if any(row[0] == 1 for row in run(probe.sql(dialect="sqlite"))):
            return True
    return False


def _correlated(select: exp.Select) -> bool:
    own = {t.alias_or_name for t in select.find_all(exp.Table) if t.find_ancestor(exp.Select) is select}
    return any(c.table and c.table not in own for c in select.find_all(exp.Column))


def set_operation_equals_a_side(run, sql: str) -> bool:
    """True when the query is a UNION, INTERSECT or EXCEPT whose rows are those of one of its sides."""
    tree = sqlglot.parse_one(sql, read="sqlite")
    if not isinstance(tree, _SET_OPERATIONS):
        return False
    whole = set(run(sql))
    sides = (tree.this, tree.expression)
    return any(whole == set(run(side.sql(dialect="sqlite"))) for side in sides)
