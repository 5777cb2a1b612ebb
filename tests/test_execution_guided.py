"""Execution-guided answers through compare and ask: scripted candidates, then the tiny model."""

import json

import pandas as pd
import pytest

from llama_sql.asking import ask_database
from llama_sql.cli import main
from llama_sql.generation import Generation
from llama_sql.records import DataError
from llama_sql.reports import MODELS


class ScriptedCandidates:
    """Stands in for a Comparer: its K answers are the given texts, the first the most likely."""

    def __init__(self, texts):
        self.texts = texts

    def candidates(self, records, which, k, temperature, seed, progress=True):
        answers = [Generation(t, 5, True, log_prob=-float(i)) for i, t in enumerate(self.texts[:k])]
        return [answers for _ in records]


@pytest.fixture
def shop(tmp_path):
    import sqlite3

    path = tmp_path / "shop.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, amount REAL);"
            "INSERT INTO orders VALUES (1, 'Ana', 12.5), (2, 'Ben', 7.0);"
        )
    conn.close()
    return path


def test_ask_answers_with_the_vote_and_says_how_many_agreed(shop):
    texts = [
        "SELECT customer FROM orders WHERE amount > 100",  # the greedy answer: runs, but alone
        "SELECT customer FROM orders WHERE amount > 10",
        "SELECT nonsense",
        "SELECT customer FROM orders WHERE amount >= 12",
    ]
    answer = ask_database(ScriptedCandidates(texts), shop, "Who spent over 10?", candidates=4)
    assert (answer.sql, answer.rows, answer.error) == (texts[1], [["Ana"]], None)
    assert answer.to_json() == {
        "sql": texts[1],
        "columns": ["customer"],
        "rows": [["Ana"]],
        "error": None,
        "candidates": 4,
        "ran": 3,
        "agreed": 2,
    }


def test_ask_refuses_a_sampling_setting_that_cannot_draw(shop):
    with pytest.raises(DataError, match="--candidates"):
        ask_database(ScriptedCandidates(["SELECT 1"]), shop, "?", candidates=0)
    with pytest.raises(DataError, match="--temperature"):
        ask_database(ScriptedCandidates(["SELECT 1"]), shop, "?", candidates=2, temperature=0)


class ScriptedComparer:
    """Stands in for load_comparer's Comparer in compare: per question, the base says nothing and the
    fine-tuned model's greedy answer is wrong while two of its three candidates agree on the right rows."""

    base_model, compute_dtype, max_new_tokens = "scripted", "float32", 64

    def candidates(self, records, which, k, temperature, seed, progress=True):
        texts = ["I do not know."] * k if which == "base" else [WRONG, RIGHT, RIGHT_TOO][:k]
        return [[Generation(t, 5, True, log_prob=-float(i)) for i, t in enumerate(texts)] for _ in records]


WRONG = "SELECT customer FROM orders"
RIGHT = "SELECT customer FROM orders WHERE amount > 10"
RIGHT_TOO = "SELECT customer FROM orders WHERE amount >= 12"
RECORD = {
    "id": "q1",
    "instruction": "Shop database: CREATE TABLE orders (customer TEXT, amount REAL); "
    "INSERT INTO orders VALUES ('Ana', 12.5), ('Ben', 7.0);",
    "input": "SQL Prompt: Who spent over 10?",
    "output": "SELECT customer FROM orders WHERE amount > 10",
}


def test_compare_keeps_the_greedy_answers_and_adds_the_vote(tmp_path):
    from llama_sql.comparison import compare_records, write_comparison
    from llama_sql.reports import metrics_frame, voting_table

    greedy = compare_records(ScriptedComparer(), [RECORD], None, "scripted", progress=False)
    voted = compare_records(ScriptedComparer(), [RECORD], None, "scripted", False, 3, 0.7, 0)
    assert greedy.metrics["finetuned"]["candidates"] == 1
    assert greedy.metrics["finetuned"]["voted_execution_accuracy"] == 0.0 == voting_table(greedy).data.size
    tuned = voted.metrics["finetuned"]
    assert (tuned["candidates"], tuned["execution_accuracy"]) == (3, 0.0)  # the greedy answer, still wrong
    assert (tuned["voted_execution_accuracy"], tuned["oracle_execution_accuracy"]) == (1.0, 1.0)
    assert voted.metrics["base"]["oracle_execution_accuracy"] == 0.0
    assert voted.metrics["sampling"] == {"candidates": 3, "temperature": 0.7, "seed": 0}
    line = voted.predictions["finetuned"][0]
    assert (line["prediction"], line["voted"], line["ran"], line["agreed"]) == (WRONG, RIGHT, 3, 2)
    assert line["candidates"] == [WRONG, RIGHT, RIGHT_TOO] and line["candidate_log_probs"] == [
        0.0,
        -1.0,
        -2.0,
    ]
    assert voted.results["finetuned"][0]["voted_correct"] and not voted.results["finetuned"][0]["correct"]
    assert list(metrics_frame(voted.metrics).index[-2:]) == [
        "voted_execution_accuracy",
        "oracle_execution_accuracy",
    ]
    shown = voting_table(voted).data
    assert shown.loc[
        0, ["finetuned_ok", "finetuned_voted_ok", "finetuned_ran", "finetuned_agreed"]
    ].tolist() == [
        "✗",
        "✓",
        3,
        2,
    ]
    folder = write_comparison(voted, tmp_path / "out", extra={"records.json": [RECORD]})
    assert json.loads((folder / "records.json").read_text()) == [RECORD]
    assert "3 candidates per question" in (folder / "comparison.html").read_text()


@pytest.mark.slow
def test_eight_candidates_run_end_to_end_through_compare(short_adapter, project_splits, tmp_path, capsys):
    from llama_sql.comparison import load_comparer, run_comparison

    test_split, limit = project_splits / "test.json", 5
    comparer = load_comparer("tiny", short_adapter, profile="tiny", max_new_tokens=48)
    greedy = run_comparison(comparer, test_split, tmp_path / "greedy", limit=limit, progress=False)
    args = ["--adapter", str(short_adapter), "--dataset_path", str(test_split), "--profile", "tiny"]
    args += ["--output_dir", str(tmp_path / "voted"), "--limit", str(limit), "--max_new_tokens", "48"]
    assert main(["compare", *args, "--candidates", "8", "--temperature", "0.7", "--seed", "0"]) == 0
    assert "8 candidates: voted" in capsys.readouterr().out
    metrics = json.loads((tmp_path / "voted" / "metrics.json").read_text())
    frame = pd.read_csv(tmp_path / "voted" / "comparison.csv")
    for which in MODELS:
        m, plain = metrics[which], greedy.metrics[which]
        assert m["candidates"] == 8 and plain["candidates"] == 1
        assert m["execution_accuracy"] == plain["execution_accuracy"]  # the greedy figure, unchanged
        assert m["oracle_execution_accuracy"] >= m["execution_accuracy"]
        assert m["oracle_execution_accuracy"] >= m["voted_execution_accuracy"]
        lines = (tmp_path / "voted" / f"predictions_{which}.jsonl").read_text().splitlines()
        predictions = [json.loads(line) for line in lines]
        assert [p["prediction"] for p in predictions] == [p["prediction"] for p in greedy.predictions[which]]
        for p in predictions:
            assert len(p["candidates"]) == 8 and p["candidates"][0] == p["prediction"]
            assert 0 <= p["agreed"] <= p["ran"] <= 8 and p["voted"] in p["candidates"]
        assert frame[f"{which}_ran"].between(0, 8).all() and f"{which}_voted_ok" in frame
    assert "8 candidates per question" in (tmp_path / "voted" / "comparison.html").read_text()
    assert "base_voted" not in pd.read_csv(tmp_path / "greedy" / "comparison.csv")  # K = 1: as before


@pytest.mark.slow
def test_ask_with_candidates_on_the_tiny_model_prints_one_object(short_adapter, shop, capsys):
    code = main(["ask", "--adapter", str(short_adapter), "--db", str(shop), "--profile", "tiny", "--json"]
                + ["--candidates", "4", "How many orders are there?"])  # fmt: skip
    answer = json.loads(capsys.readouterr().out)
    assert set(answer) == {"sql", "columns", "rows", "error", "candidates", "ran", "agreed"}
    assert answer["candidates"] == 4 and code in (0, 1)
