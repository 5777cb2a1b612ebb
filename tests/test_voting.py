"""Execution-guided answers: hand-made candidate sets voted on by their results, never changing the database."""

import sqlite3

import pytest

from llama_sql.eval.sandbox import open_database
from llama_sql.eval.voting import score_candidates, vote_on, vote_records

SHOP = (
    "Shop database: CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, amount REAL); "
    "INSERT INTO orders VALUES (1, 'Ana', 12.5), (2, 'Ben', 7.0), (3, 'Cy', 30.0);"
)
BIG = "SELECT customer FROM orders WHERE amount > 10"  # Ana, Cy
BIG_TOO = "SELECT customer FROM orders WHERE amount >= 12"  # the same rows, other SQL
EVERYONE = "SELECT customer FROM orders"  # Ana, Ben, Cy
BROKEN = ["SELECT nope FROM orders", "SELEC customer FROM orders", "SELECT customer FROM missing"]


@pytest.fixture
def shop():
    with open_database(instruction=SHOP) as db:
        yield db


def test_a_failing_majority_is_dropped_and_the_runners_decide(shop):
    candidates = [*BROKEN, EVERYONE, BIG, BIG_TOO]
    vote = vote_on(shop, candidates, [-1.0, -1.5, -2.0, -2.5, -3.0, -3.5])
    assert (vote.ran, vote.agreed) == (3, 2)  # three failed; of the three that ran, two share a result
    assert vote.index == 4 and vote.sql == BIG  # the more likely of the two that agree
    assert vote.groups == [[4, 5], [3]]


def test_a_tie_goes_to_the_group_with_the_most_likely_member(shop):
    candidates = [EVERYONE, BIG, "SELECT customer FROM orders ORDER BY id", BIG_TOO]
    # two groups of two: {EVERYONE, ...ORDER BY id} and {BIG, BIG_TOO}
    vote = vote_on(shop, candidates, [-4.0, -2.0, -3.0, -1.0])
    assert (vote.agreed, vote.index, vote.sql) == (2, 3, BIG_TOO)  # BIG_TOO (-1.0) is the most likely
    vote = vote_on(shop, candidates, [-1.0, -2.0, -3.0, -4.0])
    assert (vote.agreed, vote.index, vote.sql) == (2, 0, EVERYONE)
    vote = vote_on(shop, candidates)  # no log-probabilities: the list's order decides
    assert vote.index == 0


def test_all_failing_answers_with_the_most_likely_sql_and_none_ran(shop):
    vote = vote_on(shop, [None, *BROKEN, ""], [0.0, -3.0, -1.0, -2.0, 0.0])
    assert (vote.ran, vote.agreed, vote.groups) == (0, 0, [])
    assert vote.index == 2 and vote.sql == BROKEN[1]  # the most likely candidate that holds SQL
    nothing = vote_on(shop, [None, "  "])
    assert (nothing.index, nothing.sql, nothing.ran) == (None, "", 0)


def test_a_data_changing_candidate_runs_on_a_copy_and_never_touches_the_file(tmp_path):
    path = tmp_path / "shop.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(SHOP.split(": ", 1)[1])
    conn.close()
    before = (path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in tmp_path.iterdir()))
    count = "SELECT count(*) FROM orders"
    candidates = ["DELETE FROM orders", count, "DROP TABLE orders", "SELECT COUNT(*) FROM orders", count]
    with open_database(db_path=path) as db:
        vote = vote_on(db, candidates, [-1.0, -2.0, -0.5, -3.0, -4.0])
        assert db.run(count).rows == [(3,)]
    # the writes ran first (most likely) on throwaway copies: the counts after them still see three rows
    assert (vote.ran, vote.agreed, vote.sql) == (5, 3, count)
    assert (path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in tmp_path.iterdir())) == before


def test_data_changing_candidates_that_leave_the_same_tables_agree(shop):
    vote = vote_on(shop, ["DELETE FROM orders", "DELETE FROM orders WHERE 1", EVERYONE])
    assert (vote.agreed, vote.sql) == (2, "DELETE FROM orders")
    assert shop.run("SELECT count(*) FROM orders").rows == [(3,)]


def test_row_order_separates_candidates_only_when_both_fix_an_order(shop):
    ascending = "SELECT customer FROM orders ORDER BY amount"
    descending = "SELECT customer FROM orders ORDER BY amount DESC"
    assert vote_on(shop, [ascending, descending]).agreed == 1
    assert vote_on(shop, [ascending, EVERYONE]).agreed == 2


def test_each_record_votes_on_its_own_database_and_the_oracle_counts_any_right_candidate(tmp_path):
    other = SHOP.replace("30.0", "3.0")  # Cy spent little here: BIG returns only Ana
    records = [
        {"instruction": SHOP, "input": "SQL Prompt: Who spent over 10?", "output": BIG},
        {"instruction": other, "input": "SQL Prompt: Who spent over 10?", "output": BIG},
        {"instruction": SHOP, "input": "SQL Prompt: Who is a customer?", "output": EVERYONE},
    ]
    candidates = [
        [EVERYONE, BIG, BIG_TOO],  # the vote is right, the greedy (first) answer is not
        [BROKEN[0], EVERYONE, "SELECT 'Ana'"],  # the vote is wrong, one candidate is right
        [BROKEN[1], BROKEN[2]],  # nothing runs
    ]
    votes = vote_records(records, candidates)
    assert [(v.sql, v.ran, v.agreed) for v in votes] == [(BIG, 3, 2), (EVERYONE, 2, 1), (BROKEN[1], 0, 0)]
    scores = score_candidates(records, candidates)
    assert [v["correct"] for v in scores.voted] == [True, False, False]
    assert scores.oracle == [True, True, False]
    assert scores.metrics["voted_execution_accuracy"] == pytest.approx(1 / 3)
    assert scores.metrics["oracle_execution_accuracy"] == pytest.approx(2 / 3)
    assert scores.metrics["candidates"] == 3


def test_a_record_whose_database_does_not_build_runs_nothing():
    record = {"instruction": "Broken database: CREATE TABLE (", "input": "?", "output": "SELECT 1"}
    (vote,) = vote_records([record], [["SELECT 1", "SELECT 2"]])
    assert (vote.ran, vote.index) == (0, 0)


def test_repeated_candidates_run_once(shop):
    """Samples often repeat each other; a slow query repeated K times must not cost K timeouts."""
    ran = []

    class Counting:
        def run(self, sql):
            ran.append(sql)
            return shop.run(sql)

    vote = vote_on(Counting(), [BIG] * 5 + [EVERYONE, BROKEN[0], BROKEN[0]])
    assert (vote.ran, vote.agreed, vote.sql) == (6, 5, BIG)
    assert ran == [BIG, EVERYONE, BROKEN[0]]
