"""compare --unseen_path: test_unseen compared beside test, reported overall and per kind of novelty."""

import json

from llama_sql.comparison import run_comparison
from llama_sql.generation import Generation
from llama_sql.records import write_json
from llama_sql.reports import splits_frame

SHOP = (
    "Shop database: CREATE TABLE orders (customer TEXT, amount REAL); "
    "INSERT INTO orders VALUES ('Ana', 12.5), ('Ben', 7.0);"
)
RIGHT = "SELECT customer FROM orders WHERE amount > 10"


class ScriptedComparer:
    """The base answers nothing; the fine-tuned model answers RIGHT to every question."""

    base_model, compute_dtype, max_new_tokens = "scripted", "float32", 64

    def candidates(self, records, which, k, temperature, seed, progress=True):
        text = "I do not know." if which == "base" else RIGHT
        return [[Generation(text, 5, True)] for _ in records]


def record(i: int, gold: str, **extra) -> dict:
    return {"id": f"q{i}", "instruction": SHOP, "input": f"SQL Prompt: q {i}", "output": gold, **extra}


def test_compare_reports_test_unseen_beside_test_per_kind(tmp_path):
    other = "SELECT customer FROM orders WHERE amount < 10"
    write_json(tmp_path / "test.json", [record(1, RIGHT), record(2, RIGHT)])
    unseen = [
        record(3, RIGHT, unseen="database"),
        record(4, other, unseen="database"),
        record(5, RIGHT, unseen="phrasing"),
        record(6, other, unseen="phrasing"),  # past the limit: not compared
    ]
    write_json(tmp_path / "test_unseen.json", unseen)
    out = tmp_path / "compare"
    result = run_comparison(
        ScriptedComparer(),
        tmp_path / "test.json",
        out,
        limit=3,
        progress=False,
        unseen_path=tmp_path / "test_unseen.json",
    )
    summary = result.metrics["test_unseen"]
    assert summary["n"] == 3 and result.metrics["n"] == 2
    assert summary["finetuned"]["execution_accuracy"] == 2 / 3 and summary["base"]["execution_accuracy"] == 0
    assert summary["by_kind"]["database"]["n"] == 2
    assert summary["by_kind"]["database"]["finetuned"] == {
        "execution_accuracy": 0.5,
        "test_suite_accuracy": 0.5,
    }
    assert summary["by_kind"]["phrasing"]["finetuned"]["execution_accuracy"] == 1.0

    written = json.loads((out / "metrics.json").read_text())
    assert written["test_unseen"] == summary
    assert len((out / "test_unseen" / "predictions_finetuned.jsonl").read_text().splitlines()) == 3
    assert json.loads((out / "test_unseen" / "metrics.json").read_text())["n"] == 3
    assert "Seen and unseen" in (out / "comparison.html").read_text()

    table = splits_frame(result.metrics)
    assert list(table.index) == [
        "test: seen databases and phrasings",
        "test_unseen",
        "test_unseen: new database",
        "test_unseen: new phrasing",
    ]
    assert table.loc["test: seen databases and phrasings", "finetuned execution"] == 1.0


def test_without_unseen_path_the_comparison_is_test_alone(tmp_path):
    write_json(tmp_path / "test.json", [record(1, RIGHT)])
    result = run_comparison(ScriptedComparer(), tmp_path / "test.json", tmp_path / "out", progress=False)
    assert "test_unseen" not in result.metrics and splits_frame(result.metrics).empty
    assert not (tmp_path / "out" / "test_unseen").exists()


def test_a_bad_unseen_file_fails_before_any_model_loads(tmp_path, capsys):
    from llama_sql.cli import main

    write_json(tmp_path / "test.json", [record(1, RIGHT)])
    write_json(tmp_path / "test_unseen.json", [{"id": "x", "input": "SQL Prompt: ?", "output": RIGHT}])
    args = [
        "compare",
        "--adapter",
        str(tmp_path / "no-adapter"),
        "--dataset_path",
        str(tmp_path / "test.json"),
    ]
    assert main([*args, "--unseen_path", str(tmp_path / "test_unseen.json")]) != 0
    err = capsys.readouterr().err
    assert "test_unseen.json" in err and "instruction" in err  # the file and the missing field
