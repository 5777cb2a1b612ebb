"""When a prediction counts as right, case by case, judged by really running both queries."""

import time

import pytest

from llama_sql.eval.evaluation import judge
from llama_sql.eval.execution_match import exact_match, has_top_level_order_by, normalize_sql, rows_match

SCHOOL = (
    "School database: CREATE TABLE students (id INTEGER, name TEXT, grade INTEGER, score REAL, club TEXT); "
    "INSERT INTO students VALUES (1, 'Ana', 9, 81.5, 'chess'), (2, 'Ben', 10, 92.0, NULL), "
    "(3, 'Cy', 9, 67.25, 'chess'), (4, 'Di', 11, 92.0, 'band'), (5, 'Ed', 10, 74.0, NULL);"
)


def verdict(gold: str, prediction: str) -> dict:
    return judge({"id": "t", "instruction": SCHOOL, "input": "?", "output": gold}, prediction)


def correct(gold: str, prediction: str) -> bool:
    result = verdict(gold, prediction)
    assert result["gold_ok"], result
    return result["correct"]


def test_row_order_is_ignored_without_a_top_level_order_by():
    assert correct("SELECT name FROM students", "SELECT name FROM students ORDER BY name DESC")


def test_row_order_matters_when_the_gold_has_a_top_level_order_by():
    gold = "SELECT name FROM students ORDER BY score DESC, name"
    assert correct(gold, "SELECT name FROM students ORDER BY score DESC, name")
    assert not correct(gold, "SELECT name FROM students ORDER BY score ASC, name")
    assert not correct(gold, "SELECT name FROM students")


def test_an_order_by_inside_a_subquery_does_not_make_order_matter():
    gold = "SELECT name FROM (SELECT name, score FROM students ORDER BY score) WHERE score > 70"
    assert not has_top_level_order_by(gold)
    assert correct(gold, "SELECT name FROM students WHERE score > 70 ORDER BY name DESC")


def test_union_with_order_by_and_cte_with_order_by_are_top_level():
    assert has_top_level_order_by("SELECT a FROM t UNION SELECT b FROM u ORDER BY 1")
    assert has_top_level_order_by("WITH c AS (SELECT 1 AS a) SELECT a FROM c ORDER BY a")
    assert not has_top_level_order_by("WITH c AS (SELECT a FROM t ORDER BY a) SELECT a FROM c")


def test_results_are_multisets_not_sets():
    assert rows_match([(1,), (1,), (2,)], [(2,), (1,), (1,)])
    assert not rows_match([(1,), (1,), (2,)], [(1,), (2,), (2,)])
    assert not correct("SELECT grade FROM students", "SELECT DISTINCT grade FROM students")


def test_columns_may_come_in_any_order_but_not_in_any_number():
    assert correct("SELECT name, grade FROM students", "SELECT grade, name FROM students")
    assert not correct("SELECT name, grade FROM students", "SELECT name, grade, score FROM students")
    assert not correct("SELECT name, grade FROM students", "SELECT name FROM students")
    # A permutation must hold for whole rows, not column by column.
    assert not rows_match([(1, "a"), (2, "b")], [("b", 1), ("a", 2)])


def test_duplicate_columns_are_matched_as_a_permutation():
    gold = "SELECT name, grade, name FROM students"
    assert correct(gold, "SELECT grade, name, name FROM students")
    assert not correct(gold, "SELECT grade, name, grade FROM students")


def test_many_identical_columns_do_not_explode_the_search():
    rows = [tuple([None] * 12 + [i]) for i in range(300)]
    shuffled = [tuple([i] + [None] * 12) for i in reversed(range(300))]
    start = time.monotonic()
    assert rows_match(rows, shuffled)
    assert not rows_match(rows, [(*row[:-1], 0) for row in shuffled])
    assert time.monotonic() - start < 1.0


def test_floats_compare_with_a_small_tolerance_and_ints_equal_whole_floats():
    assert correct("SELECT AVG(score) FROM students", "SELECT SUM(score) / COUNT(*) FROM students")
    assert correct("SELECT COUNT(*) FROM students", "SELECT COUNT(*) * 1.0 FROM students")
    assert correct("SELECT 0.1 + 0.2", "SELECT 0.3")
    assert not correct("SELECT AVG(score) FROM students", "SELECT ROUND(AVG(score), 1) FROM students")
    assert not correct("SELECT MAX(grade) FROM students", "SELECT MAX(grade) + 0.001 FROM students")


def test_rows_within_the_tolerance_are_paired_whatever_order_they_sort_in():
    # one ulp moves 1.000000005 across a 9-digit rounding boundary; sorting then mispaired 'a' and 'b'
    assert correct(
        "SELECT 1.000000005, 'a' UNION ALL SELECT 1.000000004, 'b'",
        "SELECT 1.000000005 + 2.3e-16, 'a' UNION ALL SELECT 1.000000004, 'b'",
    )
    # every number within 1e-6 of its partner, but the predicted rows sort the other way round
    gold = [(1.0, "a"), (1.0000004, "b")]
    assert rows_match(gold, [(1.0000008, "a"), (0.9999999, "b")])
    assert not rows_match(gold, [(1.0000008, "b"), (0.9999999, "b")])
    # tolerance is not transitive: 2 and 2.0000015 (2e-6 apart at most) can both pair only with 2.0000008
    assert not rows_match([(2.0,), (2.0000015,)], [(2.0000008,), (2.0000040,)])
    assert rows_match([(2.0,), (2.0000015,), (2.0000008,)], [(2.0000008,), (2.0000016,), (2.0000001,)])


def test_text_never_equals_a_number():
    assert not correct("SELECT grade FROM students WHERE id = 1", "SELECT '9'")


def test_nulls_are_values():
    assert correct("SELECT club FROM students WHERE grade = 10", "SELECT NULL UNION ALL SELECT NULL")
    assert not correct("SELECT club FROM students WHERE grade = 10", "SELECT '' UNION ALL SELECT ''")
    assert not correct("SELECT club FROM students WHERE id = 2", "SELECT 0")


def test_empty_results_match_only_empty_results():
    assert correct(
        "SELECT name FROM students WHERE grade > 12", "SELECT name FROM students WHERE score > 100"
    )
    assert not correct(
        "SELECT name FROM students WHERE grade > 12", "SELECT name FROM students WHERE grade = 9"
    )
    assert not correct(
        "SELECT name FROM students WHERE grade = 9", "SELECT name FROM students WHERE grade > 12"
    )
    # Like test-suite-sql-eval and BIRD: nothing equals nothing, whatever the columns would have been.
    assert correct("SELECT name FROM students WHERE grade > 12", "SELECT name, id FROM students WHERE 0")


def test_update_is_judged_by_the_table_it_leaves():
    gold = "UPDATE students SET club = 'band' WHERE club IS NULL"
    assert correct(gold, "UPDATE students SET club = 'band' WHERE id IN (2, 5)")
    assert not correct(gold, "UPDATE students SET club = 'band' WHERE grade = 10 AND score > 80")
    assert not correct(gold, "SELECT * FROM students WHERE club IS NULL")


def test_delete_and_insert_are_judged_by_the_table_they_leave():
    assert correct("DELETE FROM students WHERE score < 70", "DELETE FROM students WHERE name = 'Cy'")
    assert not correct("DELETE FROM students WHERE score < 70", "DELETE FROM students WHERE score < 75")
    gold = "INSERT INTO students VALUES (6, 'Flo', 12, 88.0, NULL)"
    assert correct(gold, "INSERT INTO students (name, id, grade, score) VALUES ('Flo', 6, 12, 88)")
    assert not correct(gold, "INSERT INTO students VALUES (6, 'Flo', 12, 88.0, 'band')")


def test_a_write_where_a_read_is_expected_is_wrong_and_changes_nothing():
    result = verdict("SELECT COUNT(*) FROM students", "DELETE FROM students")
    assert result["outcome"] == "wrong_result" and "the prediction is not a query" in result["error"]
    assert correct("SELECT COUNT(*) FROM students", "SELECT 5")


def test_a_failing_gold_is_left_out_and_says_why():
    result = verdict("SELECT email FROM students", "SELECT name FROM students")
    assert result["gold_ok"] is False and result["correct"] is False
    assert result["outcome"] == "gold_failed" and "no such column: email" in result["error"]
    assert result["valid"] is True


@pytest.mark.parametrize(
    ("prediction", "outcome"),
    [
        ("SELECT name FROM students WHERE", "syntax_error"),
        ("SELECT nickname FROM students", "runtime_error"),
        ("", "no_sql"),
        (None, "no_sql"),
        ("SELECT name FROM students WHERE grade = 9", "wrong_result"),
        ("SELECT name FROM students", "correct"),
    ],
)
def test_every_prediction_gets_one_outcome(prediction, outcome):
    result = verdict("SELECT name FROM students", prediction)
    assert result["outcome"] == outcome
    assert result["valid"] is (outcome in {"wrong_result", "correct"})
    assert (result["error"] is None) is (outcome == "correct")


def test_exact_match_ignores_case_whitespace_quotes_and_semicolons_but_not_meaning():
    gold = "SELECT name, COUNT(*) FROM students WHERE club != 'chess' GROUP BY name"
    assert exact_match(gold, "select  \"Name\", count(*)\nfrom STUDENTS where club <> 'chess' group by name;")
    assert not exact_match(gold, "SELECT name, COUNT(*) FROM students WHERE club != 'Chess' GROUP BY name")
    assert not exact_match(gold, "SELECT COUNT(*), name FROM students WHERE club != 'chess' GROUP BY name")
    assert not exact_match(gold, "SELECT name FROM students; SELECT 1")
    assert not exact_match(gold, "")
    assert normalize_sql("select a as x from t") == normalize_sql("SELECT a x FROM t")
