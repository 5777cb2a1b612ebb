"""Spider's hardness levels, read from sqlglot's tree by Spider's published rules (evaluation.py)."""

import json

import pytest

from llama_sql.eval.hardness import accuracy_by_hardness, hardness, spider_counts
from tests.conftest import SHARED_SAMPLES

SPIDER_DEV = SHARED_SAMPLES / "spider_dev_subset" / "dev.json"

# Worked by hand from Spider's evaluation.py: count_component1 (c1), count_component2 (c2), count_others
# (others), then Evaluator.eval_hardness's thresholds: easy c1 <= 1, others 0, c2 0; medium others <= 2 and
# c1 <= 1, or c1 <= 2 and others < 2 (c2 0); hard others > 2 and c1 <= 2, or 2 < c1 <= 3 and others <= 2
# (c2 0), or c1 <= 1, others 0, c2 <= 1; extra otherwise.
HAND_CHECKED = [
    # nothing counts
    ("SELECT count(*) FROM singer", (0, 0, 0), "easy"),
    # WHERE 1 + OR 1 + LIKE 1; others: two WHERE conditions
    ("SELECT name FROM t WHERE a = 1 OR b LIKE '%x%'", (3, 0, 1), "hard"),
    # HAVING: Spider's aggregate count skips its aggregates but counts its one AND: 1 aggregate, not > 1
    ("SELECT a FROM t GROUP BY a HAVING count(*) > 1 AND sum(b) > 2", (1, 0, 0), "easy"),
    # two ANDs in HAVING count 2: more than one aggregate
    ("SELECT a FROM t GROUP BY a HAVING count(*) > 1 AND sum(b) > 2 AND max(c) > 3", (1, 0, 1), "medium"),
    # WHERE's aggregate count is the NOT flag: avg plus NOT IN make two aggregates; the subquery is nested
    ("SELECT avg(age) FROM student WHERE stuid NOT IN (SELECT stuid FROM has_pet)", (1, 1, 1), "extra"),
    ("SELECT avg(age) FROM student WHERE stuid IN (SELECT stuid FROM has_pet)", (1, 1, 0), "hard"),
    # ORDER BY and LIMIT after a UNION belong to its last SELECT: the top one has only the set operation
    ("SELECT a FROM t UNION SELECT b FROM u ORDER BY a LIMIT 3", (0, 1, 0), "hard"),
    # a subquery in FROM is one table, not a nested query
    ("SELECT count(*) FROM (SELECT a FROM t GROUP BY a)", (0, 0, 0), "easy"),
    # GROUP BY, ORDER BY, LIMIT; the ORDER BY term subtracts two aggregates
    ("SELECT a FROM t GROUP BY a ORDER BY max(b) - min(b) DESC LIMIT 1", (3, 0, 1), "hard"),
    # two joined tables 2 + WHERE + GROUP BY + ORDER BY + LIMIT; two columns, count(*) in SELECT and ORDER BY
    (
        "SELECT T1.a, count(*) FROM t AS T1 JOIN u AS T2 ON T1.id = T2.id JOIN v ON v.id = T2.id "
        "WHERE T1.x > 1 GROUP BY T1.a ORDER BY count(*) DESC LIMIT 1",
        (6, 0, 2),
        "extra",
    ),
    # parentheses dropped, as in Spider's flat condition list; NOT LIKE is a LIKE (and a NOT)
    ("SELECT a FROM t WHERE (a = 1 OR a = 2) AND b NOT LIKE 'x%'", (3, 0, 1), "hard"),
]


@pytest.mark.parametrize(("sql", "counts", "level"), HAND_CHECKED)
def test_hand_checked_queries(sql, counts, level):
    found = spider_counts(sql)
    assert (found.component1, found.component2, found.others) == counts
    assert found.level == hardness(sql) == level


def test_sql_that_does_not_parse_has_no_level():
    assert hardness("SELECT FROM WHERE (") == "unparsed"
    assert hardness("SELECT 1; SELECT 2") == "unparsed"


def spiders_own_counts(sql: dict) -> tuple[int, int, int]:
    """The three counts read from Spider's own parse of a query (the `sql` field of its dev.json), as
    evaluation.py's count_component1, count_component2 and count_others read it.

    A condition is [not, op, value unit, value1, value2]; a condition list alternates conditions and
    "and"/"or"; a column unit and a select item start with their aggregate's number (0: none).
    """
    like = 9  # WHERE_OPS.index("like")
    joined, where, having = sql["from"]["conds"], sql["where"], sql["having"]
    conditions = joined[::2] + where[::2] + having[::2]
    c1 = bool(where) + bool(sql["groupBy"]) + bool(sql["orderBy"]) + (sql["limit"] is not None)
    c1 += max(0, len(sql["from"]["table_units"]) - 1)
    c1 += (joined[1::2] + where[1::2] + having[1::2]).count("or")
    c1 += sum(c[1] == like for c in conditions)
    c2 = sum(isinstance(c[3], dict) + isinstance(c[4], dict) for c in conditions)
    c2 += sum(sql[key] is not None for key in ("intersect", "except", "union"))
    ordered = [unit for v in (sql["orderBy"][1] if sql["orderBy"] else []) for unit in v[1:] if unit]
    aggregates = (
        sum(item[0] != 0 for item in sql["select"][1])
        + sum(bool(c[0]) for c in where[::2])  # the NOT flag, as evaluation.py reads it
        + sum(unit[0] != 0 for unit in sql["groupBy"])
        + sum(unit[0] != 0 for unit in ordered)
        + sum(isinstance(item, str) or bool(item[0]) for item in having)  # AND/OR words count too
    )
    others = (aggregates > 1) + (len(sql["select"][1]) > 1) + (len(where) > 1) + (len(sql["groupBy"]) > 1)
    return c1, c2, others


@pytest.mark.skipif(not SPIDER_DEV.exists(), reason="the Spider sample in ../shared/samples is absent")
def test_spider_samples_get_the_counts_of_spiders_own_parse():
    questions = json.loads(SPIDER_DEV.read_text())
    assert questions
    for question in questions:
        found = spider_counts(question["query"])
        assert found is not None, question["query"]
        assert (found.component1, found.component2, found.others) == spiders_own_counts(question["sql"]), (
            question["query"]
        )
    levels = {hardness(q["query"]) for q in questions}
    assert levels == {"easy", "medium", "hard", "extra"}


def test_accuracy_by_level_counts_only_records_whose_gold_ran():
    records = [
        {"output": "SELECT count(*) FROM t"},  # easy
        {"output": "SELECT count(*) FROM t", "hardness": "easy"},
        {"output": "SELECT a FROM t WHERE a IN (SELECT b FROM u)"},  # hard
    ]
    verdicts = [
        {"gold_ok": True, "correct": True, "test_suite_correct": True},
        {"gold_ok": True, "correct": False, "test_suite_correct": False},
        {"gold_ok": False, "correct": False, "test_suite_correct": False},
    ]
    table = accuracy_by_hardness(records, {"base": verdicts})
    assert list(table) == ["easy", "hard", "all"]
    assert table["easy"]["n"] == 2 and table["easy"]["base"]["execution_accuracy"] == 0.5
    assert table["hard"]["base"] == {"scored": 0, "execution_accuracy": 0.0, "test_suite_accuracy": None}
    assert table["all"]["base"]["test_suite_accuracy"] == 0.5
    no_suite = accuracy_by_hardness(records[:1], {"base": [{"gold_ok": True, "correct": True}]})
    assert no_suite["easy"]["base"]["test_suite_accuracy"] is None
