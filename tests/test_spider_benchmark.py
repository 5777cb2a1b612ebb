"""`benchmark spider`: Spider dev converted on its database files, both models compared, by hardness."""

import json

import pandas as pd
import pytest

from llama_sql.cli import main
from llama_sql.records import DataError
from llama_sql.reports import MODELS
from llama_sql.spider_benchmark import spider_records
from tests.conftest import SHARED_SAMPLES

SPIDER_SAMPLE = SHARED_SAMPLES / "spider_dev_subset"
needs_spider = pytest.mark.skipif(
    not (SPIDER_SAMPLE / "dev.json").exists(), reason="the Spider sample in ../shared/samples is absent"
)


def test_spider_needs_its_databases(tmp_path):
    with pytest.raises(DataError, match=r"yale-lily\.github\.io/spider"):
        spider_records(tmp_path)


@needs_spider
def test_spider_dev_converts_with_a_level_per_question_on_its_database_file():
    records = spider_records(SPIDER_SAMPLE)
    assert len(records) == len(json.loads((SPIDER_SAMPLE / "dev.json").read_text()))
    assert {r["hardness"] for r in records} == {"easy", "medium", "hard", "extra"}
    assert all(r["db_path"].endswith(".sqlite") and r["executable"] for r in records)


@pytest.mark.slow
@needs_spider
def test_spider_benchmark_writes_the_comparison_and_a_hardness_table(short_adapter, tmp_path):
    output = tmp_path / "spider"
    args = ["--spider_dir", str(SPIDER_SAMPLE), "--adapter", str(short_adapter), "--output_dir", str(output)]
    args += ["--profile", "tiny", "--limit", "8", "--max_new_tokens", "32", "--candidates", "2"]
    assert main(["benchmark", "spider", *args, "--test_suite_k", "1"]) == 0
    files = {p.name for p in output.iterdir()}
    assert {"comparison.csv", "comparison.html", "metrics.json", "spider_dev.json"} <= files
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["n"] == 8 and list(metrics["hardness"]) == ["easy", "medium", "all"]
    assert sum(metrics["hardness"][level]["n"] for level in ("easy", "medium")) == 8
    for which in MODELS:
        assert metrics[which]["test_suite_k"] == 1  # the flag reaches the evaluation
        level = metrics["hardness"]["all"][which]
        assert level["execution_accuracy"] == round(metrics[which]["execution_accuracy"], 4)
        assert {"test_suite_accuracy", "voted_execution_accuracy"} <= set(level)
    assert "By Spider hardness" in (output / "comparison.html").read_text()
    assert set(pd.read_csv(output / "comparison.csv")["hardness"]) == {"easy", "medium"}
