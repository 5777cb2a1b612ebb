"""Notebook 01's tables, plots and example cards, and the dataset card that must match the data."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from llama_sql import dataset_stats as stats
from llama_sql.builder import DEFAULT_OUTPUT, SCHEMAS
from llama_sql.prompts import render_prompt
from llama_sql.records import load_records

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return load_records(ROOT / DEFAULT_OUTPUT)


class WordTokenizer:
    """A stand-in Hugging Face tokenizer: one token per whitespace-separated word."""

    def __call__(self, texts, add_special_tokens=True):
        return {"input_ids": [text.split() for text in texts]}


def test_approximate_tokens_count_words_digit_groups_and_punctuation():
    assert stats.count_tokens(["SELECT name FROM t", "12345", "a, b;", "patient_id"]) == [4, 2, 4, 2]


def test_a_tokenizer_replaces_the_approximation():
    assert stats.count_tokens(["SELECT name FROM t WHERE a = 1"], WordTokenizer()) == [8]


def test_tables_count_every_record_once(records):
    categories = stats.category_table(records)
    assert categories["examples"].sum() == len(records) and len(categories) == 13
    schemas = stats.schema_table(records)
    assert schemas["examples"].sum() == len(records) and len(schemas) == len(SCHEMAS)
    hospital = schemas.set_index("database").loc["hospital"]
    assert hospital["domain"] == "Hospital" and hospital["tables"] == "patients, doctors, diagnoses"
    overview = stats.overview(records)
    figures = dict(zip(overview["figure"], overview["value"], strict=True))
    assert figures["examples"] == len(records) and figures["databases"] == len(SCHEMAS)


def test_length_table_measures_prompt_and_answer(records):
    lengths = stats.length_table(records[:20], WordTokenizer())
    first = records[0]
    assert lengths.loc[0, "answer_tokens"] == len(first["output"].split())
    assert lengths.loc[0, "prompt_tokens"] == len(render_prompt(first).split())  # the prompt the model reads
    assert (lengths["total_tokens"] == lengths["prompt_tokens"] + lengths["answer_tokens"]).all()
    summary = stats.length_summary(lengths)
    assert list(summary.index) == ["mean", "min", "median", "p95", "max"]


def test_plots_draw_counts_and_lengths(records):
    fig = stats.plot_counts(records)
    assert [ax.get_title() for ax in fig.axes] == ["Examples per category", "Examples per database"]
    assert len(fig.axes[1].patches) == len(SCHEMAS)
    fig = stats.plot_lengths(stats.length_table(records[:50]))
    assert len(fig.axes) == 2 and sum(p.get_height() for p in fig.axes[0].patches) == 50


def test_examples_render_as_escaped_html_from_different_categories(records):
    html = stats.render_examples(records, n=3, seed=1)
    assert html._repr_html_().count("<table") == 3
    assert "SELECT" in html and "&#x27;" in html  # quotes in the SQL are escaped, not raw HTML
    assert stats.render_examples(records, n=3, seed=1) == html


def test_the_shipped_card_matches_the_dataset(tmp_path):
    card = stats.write_card(ROOT / DEFAULT_OUTPUT, tmp_path / "README.md")
    assert card.read_text(encoding="utf-8") == (ROOT / "data" / "README.md").read_text(encoding="utf-8"), (
        "data/README.md is stale: run `python -m llama_sql data stats --card`"
    )


def test_the_card_names_the_tokenizer_it_counted_with(tmp_path):
    text = stats.write_card(ROOT / DEFAULT_OUTPUT, tmp_path / "card.md", WordTokenizer(), "words").read_text()
    assert "Tokenizer: words." in text and "| hospital | Hospital | patients, doctors, diagnoses |" in text
    assert "Apache-2.0" in text and "**test_unseen** holds out of training" in text


def test_sql_features_are_read_from_the_tree():
    features = stats.sql_features
    assert features("SELECT a FROM t ORDER BY a LIMIT 3") == {"ORDER BY", "ORDER BY with LIMIT"}
    assert features(
        "SELECT t.a FROM t JOIN u ON t.k = u.k JOIN v ON u.j = v.j GROUP BY t.k ORDER BY COUNT(*) DESC LIMIT 1"
    ) >= {
        "two or more JOINs",
        "top group (GROUP BY, ORDER BY, LIMIT)",
        "JOIN with GROUP BY and HAVING or ORDER BY",
    }
    assert features("SELECT a FROM t WHERE k NOT IN (SELECT k FROM u)") == {"NOT IN or EXCEPT"}
    assert features("SELECT a FROM t EXCEPT SELECT a FROM u") == {"NOT IN or EXCEPT"}
    assert features("SELECT a, b, c FROM t WHERE a = 1 OR b = 2") == {"OR", "three or more selected columns"}
    assert features("WITH x AS (SELECT a FROM t) SELECT a, RANK() OVER (ORDER BY a) FROM x") >= {
        "CTE (WITH)",
        "window function",
    }
    assert features("DELETE FROM t WHERE a = 1") == {"INSERT, UPDATE or DELETE"}
    assert features("SELECT a FROM t WHERE b LIKE 'x%'") == set()


def test_feature_and_hardness_tables_sit_beside_spider_dev(records):
    features = stats.feature_table(records).set_index("feature")
    assert list(features.index) == list(stats.SPIDER_DEV_FEATURES)
    assert features.loc["ORDER BY", "Spider dev share"] == 0.23
    assert (features["examples"] <= len(records)).all()
    levels = stats.hardness_table(records).set_index("level")
    assert levels["examples"].sum() == len(records)
    assert levels.loc["medium", "Spider dev"] == 446 and levels["Spider dev"].sum() == 1034
