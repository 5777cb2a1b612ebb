"""`python -m llama_sql evaluate`: the files it writes, the metrics in them, and broken inputs."""

import json
import re
import sqlite3
from pathlib import Path

import pytest

from llama_sql.cli import main
from llama_sql.eval.evaluation import evaluate_records

FIXTURES = Path(__file__).parent / "fixtures" / "evaluation"
DATASET = FIXTURES / "company_shop.json"
PREDICTIONS = FIXTURES / "predictions.jsonl"


def evaluate(tmp_path, dataset=DATASET, predictions=PREDICTIONS, *extra):
    out = tmp_path / "eval"
    code = main(
        [
            "evaluate",
            "--dataset_path",
            str(dataset),
            "--predictions",
            str(predictions),
            "--output_dir",
            str(out),
            *extra,
        ]
    )
    return code, out


def write_predictions(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def gold_predictions(dataset=DATASET):
    return [{"id": r["id"], "prediction": r["output"]} for r in json.loads(dataset.read_text())]


def test_evaluate_writes_metrics_and_one_verdict_per_record(tmp_path, capsys):
    code, out = evaluate(tmp_path)
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in results] == [r["id"] for r in json.loads(DATASET.read_text())]
    assert [r["outcome"] for r in results] == [
        "correct",
        "correct",
        "wrong_result",
        "syntax_error",
        "runtime_error",
        "correct",
        "gold_failed",
        "no_sql",
    ]
    assert metrics["n"] == 8 and metrics["gold_unexecutable"] == 1
    assert metrics["execution_accuracy"] == pytest.approx(3 / 7)
    assert metrics["exact_match"] == pytest.approx(1 / 8)
    assert metrics["valid_sql_rate"] == pytest.approx(5 / 8)
    # shop-03 deletes the orders of 5 or less where the gold deletes those under 10: right on the
    # record's own rows, wrong on a neighbour database holding an order of 7
    assert metrics["test_suite_accuracy"] == pytest.approx(2 / 7) and metrics["test_suite_k"] == 3
    assert [r["id"] for r in results if r["correct"] and not r["test_suite_correct"]] == ["shop-03"]
    assert metrics["per_category"]["join"] == {"n": 2, "execution_accuracy": 0.0, "test_suite_accuracy": 0.0}
    assert metrics["per_category"]["filter"] == {
        "n": 3,
        "execution_accuracy": 0.5,
        "test_suite_accuracy": 0.5,
    }
    assert metrics["outcomes"] == {
        "correct": 3,
        "wrong_result": 1,
        "runtime_error": 1,
        "syntax_error": 1,
        "no_sql": 1,
        "gold_failed": 1,
    }
    for result in results:
        assert set(result) >= {
            "id",
            "correct",
            "exact_match",
            "valid",
            "gold_ok",
            "error",
            "test_suite_correct",
        }
        assert (result["error"] is None) == (result["outcome"] == "correct")
    printed = capsys.readouterr().out
    assert "execution accuracy 0.429" in printed and "test-suite accuracy 0.286" in printed


def test_the_gold_as_prediction_scores_one_on_every_executable_record(tmp_path):
    code, out = evaluate(tmp_path, DATASET, write_predictions(tmp_path / "gold.jsonl", gold_predictions()))
    metrics = json.loads((out / "metrics.json").read_text())
    assert code == 0 and metrics["execution_accuracy"] == 1.0 and metrics["exact_match"] == 1.0
    assert metrics["gold_unexecutable"] == 1


def test_files_saved_with_a_byte_order_mark_and_crlf_are_read(tmp_path):
    # as Windows editors save them: a UTF-8 byte-order mark first and CRLF line ends
    dataset = tmp_path / "dataset.json"
    dataset.write_bytes(b"\xef\xbb\xbf" + DATASET.read_bytes())
    lines = "".join(json.dumps(row) + "\r\n" for row in gold_predictions())
    predictions = tmp_path / "gold.jsonl"
    predictions.write_bytes(b"\xef\xbb\xbf" + lines.encode("utf-8"))
    code, out = evaluate(tmp_path, dataset, predictions)
    assert code == 0 and json.loads((out / "metrics.json").read_text())["execution_accuracy"] == 1.0


def test_rerunning_into_an_existing_folder_replaces_the_files_and_keeps_the_rest(tmp_path):
    out = tmp_path / "eval"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    evaluate(tmp_path)
    assert sorted(p.name for p in out.iterdir()) == ["metrics.json", "notes.txt", "results.jsonl"]


def test_a_relative_db_path_resolves_against_the_dataset_folder(tmp_path):
    (tmp_path / "dbs").mkdir()
    conn = sqlite3.connect(tmp_path / "dbs" / "tiny.sqlite")
    conn.executescript("CREATE TABLE t (a INT); INSERT INTO t VALUES (1), (2);")
    conn.close()
    dataset = tmp_path / "data.jsonl"
    dataset.write_text(
        json.dumps(
            {
                "id": "x",
                "instruction": "CREATE TABLE t (a INT)",
                "input": "?",
                "output": "SELECT sum(a) FROM t",
                "db_path": "dbs/tiny.sqlite",
            }
        )
        + "\n"
    )
    predictions = write_predictions(tmp_path / "p.jsonl", [{"id": "x", "prediction": "SELECT 3"}])
    code, out = evaluate(tmp_path / "elsewhere", dataset, predictions)
    assert code == 0 and json.loads((out / "metrics.json").read_text())["execution_accuracy"] == 1.0


def broken(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make_predictions", "message"),
    [
        (lambda tmp: tmp / "missing.jsonl", "no such predictions file"),
        (lambda tmp: broken(tmp, "empty.jsonl", "\n\n"), "empty"),
        (
            lambda tmp: broken(
                tmp,
                "bad.jsonl",
                "".join(json.dumps(p) + "\n" for p in gold_predictions()[:2]) + "{not json\n",
            ),
            "line 3 .*not valid JSON",
        ),
        (
            lambda tmp: write_predictions(tmp / "short.jsonl", gold_predictions()[:5]),
            "5 predictions but .* has 8 records .*shorter",
        ),
        (
            lambda tmp: write_predictions(tmp / "long.jsonl", gold_predictions() + gold_predictions()[:1]),
            "9 predictions .*longer",
        ),
        (
            lambda tmp: write_predictions(
                tmp / "ids.jsonl", gold_predictions()[1:2] + gold_predictions()[1:]
            ),
            "line 1 .*id 'company-02'.*record there has id 'company-01'",
        ),
        (
            lambda tmp: write_predictions(tmp / "noid.jsonl", [{"prediction": "SELECT 1"}] * 8),
            "line 1 .*no field 'id'",
        ),
        (
            lambda tmp: write_predictions(
                tmp / "field.jsonl", [{"id": p["id"], "sql": p["prediction"]} for p in gold_predictions()]
            ),
            "line 1 .*no field 'prediction'",
        ),
        (
            lambda tmp: write_predictions(
                tmp / "type.jsonl", [{**p, "prediction": None} for p in gold_predictions()]
            ),
            "line 1 .*'prediction' is null, expected a string",
        ),
        (lambda tmp: broken(tmp, "list.jsonl", "[1, 2]\n" * 8), "line 1 .*is an array"),
    ],
)
def test_broken_predictions_get_one_clear_message_and_no_output(tmp_path, capsys, make_predictions, message):
    code, out = evaluate(tmp_path, DATASET, make_predictions(tmp_path))
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.startswith("error: ") and re.search(message, err), err
    assert not out.exists()


@pytest.mark.parametrize(
    ("dataset_text", "message"),
    [
        (None, "no such file"),
        ("", "empty"),
        (
            '[{"id": "a", "input": "q", "output": "SELECT 1"}]',
            "record 0 \\(id 'a'\\) has no field 'instruction'",
        ),
    ],
)
def test_broken_datasets_get_one_clear_message(tmp_path, capsys, dataset_text, message):
    dataset = tmp_path / "data.json"
    if dataset_text is not None:
        dataset.write_text(dataset_text)
    code, out = evaluate(tmp_path, dataset, PREDICTIONS)
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and re.search(message, err), err
    assert not out.exists()


def test_bad_flags_are_refused(tmp_path, capsys):
    code, _ = evaluate(tmp_path, DATASET, PREDICTIONS, "--timeout_s", "0")
    assert code == 2 and "--timeout_s" in capsys.readouterr().err


def test_evaluate_records_reuses_one_database_per_instruction(monkeypatch):
    from llama_sql.eval import evaluation

    built = []
    real = evaluation.database_for_record
    monkeypatch.setattr(evaluation, "database_for_record", lambda *a, **k: built.append(1) or real(*a, **k))
    records = json.loads(DATASET.read_text())
    results, metrics = evaluate_records(records, [r["output"] for r in records])
    assert len(built) == 2  # two distinct instructions among eight records
    assert metrics["execution_accuracy"] == 1.0


def test_judging_twice_gives_the_same_verdicts():
    records = json.loads(DATASET.read_text())
    predictions = [p["prediction"] for p in map(json.loads, PREDICTIONS.read_text().splitlines())]
    assert evaluate_records(records, predictions) == evaluate_records(records, predictions)
