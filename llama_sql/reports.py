"""Tables and plots for people: the side-by-side comparison, metrics, per-category accuracy, loss curves.

Everything here turns data the other modules computed into pandas DataFrames or matplotlib figures
(shown inline in the notebooks) and a self-contained comparison.html.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pandas as pd

from llama_sql.bench.memory_estimate import ModelShape, estimate_peak_memory
from llama_sql.eval.sandbox import DatabaseBuildError, open_database
from llama_sql.prompts import extract_sql

MODELS = ("base", "finetuned")
HEADLINE = ("execution_accuracy", "test_suite_accuracy", "exact_match", "valid_sql_rate", "eos_stop_rate")
VOTING = ("voted_execution_accuracy", "oracle_execution_accuracy")  # shown when K > 1 candidates were drawn
OUTCOME_NAMES = {
    "correct": "correct",
    "wrong_result": "wrong result",
    "runtime_error": "runtime error",
    "syntax_error": "syntax error",
    "no_sql": "no SQL found",
    "gold_failed": "gold failed",
}


def _mark(verdict: dict, field: str = "correct") -> str:
    return "✓" if verdict.get(field) else "✗"


def _question(record: dict) -> str:
    return record["input"].removeprefix("SQL Prompt:").strip()


def side_by_side_frame(result) -> pd.DataFrame:
    """One row per record: question, gold, each model's SQL, a ✓/✗ from execution on the record's
    database (`_ok`) and one from the test suite (`_test_suite`: its neighbour databases too).

    With several candidates per question, each model also has its voted SQL with its ✓/✗, and how many
    of its candidates ran and how many of those agreed with the vote; Spider records add their hardness.
    """
    rows = []
    for i, record in enumerate(result.records):
        row = {"id": record.get("id", i), "category": record.get("category", "")}
        if "hardness" in record:
            row["hardness"] = record["hardness"]
        row.update(question=_question(record), gold=record["output"])
        for which in MODELS:
            verdict, prediction = result.results[which][i], result.predictions[which][i]
            row[which] = prediction["prediction"]
            row[f"{which}_ok"] = _mark(verdict)
            row[f"{which}_test_suite"] = _mark(verdict, "test_suite_correct")
            row[f"{which}_outcome"] = verdict.get("outcome", "")
            if "voted" in prediction:
                row[f"{which}_voted"] = prediction["voted"]
                row[f"{which}_voted_ok"] = "✓" if verdict.get("voted_correct") else "✗"
                row[f"{which}_ran"] = prediction["ran"]
                row[f"{which}_agreed"] = prediction["agreed"]
        rows.append(row)
    return pd.DataFrame(rows)


def side_by_side_table(result, n: int = 12):
    """The first `n` rows of the side-by-side frame for a notebook: question, gold and each model's SQL
    shown whole and wrapped (pandas would cut each after 50 characters), with the ✓/✗ marks of
    execution (`_ok`) and of the test suite (`_test_suite`)."""
    columns = [
        "question",
        "gold",
        "base",
        "base_ok",
        "base_test_suite",
        "finetuned",
        "finetuned_ok",
        "finetuned_test_suite",
    ]
    frame = side_by_side_frame(result)[columns].head(n)
    return frame.style.set_properties(
        subset=["question", "gold", "base", "finetuned"],
        **{"white-space": "pre-wrap", "text-align": "left", "max-width": "28em", "font-family": "monospace"},
    )


def voting_table(result, which: str = "finetuned", n: int = 12):
    """One model's greedy and voted SQL side by side for the first `n` questions, with their ✓/✗ and how
    many candidates ran and agreed with the vote (a run with K > 1 candidates; empty otherwise)."""
    frame = side_by_side_frame(result)
    if f"{which}_voted" not in frame:
        return pd.DataFrame().style
    columns = ["question", "gold", which, f"{which}_ok", f"{which}_voted", f"{which}_voted_ok"]
    frame = frame[[*columns, f"{which}_ran", f"{which}_agreed"]].head(n)
    return frame.style.set_properties(
        subset=["question", "gold", which, f"{which}_voted"],
        **{"white-space": "pre-wrap", "text-align": "left", "max-width": "24em", "font-family": "monospace"},
    )


def metrics_frame(metrics: dict) -> pd.DataFrame:
    """Headline metrics, one column per model (with the voted and oracle accuracy when K > 1)."""
    keys = HEADLINE + (VOTING if _candidates(metrics) > 1 else ())
    return pd.DataFrame({which: {k: metrics[which].get(k) for k in keys} for which in MODELS})


def _candidates(metrics: dict) -> int:
    return max(metrics[which].get("candidates", 1) for which in MODELS)


def hardness_frame(metrics: dict) -> pd.DataFrame:
    """Spider's hardness levels: questions per level and each model's accuracy there (empty without them)."""
    table = metrics.get("hardness") or {}
    rows = []
    for level, entry in table.items():
        row = {"level": level, "n": entry["n"]}
        for which in MODELS:
            for key, value in entry[which].items():
                row[f"{which} {key.replace('_', ' ')}"] = value
        rows.append(row)
    return pd.DataFrame(rows).set_index("level") if rows else pd.DataFrame()


def per_category_frame(metrics: dict) -> pd.DataFrame:
    """Execution and test-suite accuracy per category for both models, with the number of records."""
    categories = sorted(
        set(metrics["base"].get("per_category", {})) | set(metrics["finetuned"].get("per_category", {}))
    )
    rows = []
    for category in categories:
        base = metrics["base"]["per_category"].get(category, {})
        tuned = metrics["finetuned"]["per_category"].get(category, {})
        rows.append(
            {
                "category": category,
                "n": base.get("n", tuned.get("n")),
                "base": base.get("execution_accuracy"),
                "finetuned": tuned.get("execution_accuracy"),
                "base_test_suite": base.get("test_suite_accuracy"),
                "finetuned_test_suite": tuned.get("test_suite_accuracy"),
            }
        )
    return pd.DataFrame(rows).set_index("category") if rows else pd.DataFrame()


UNSEEN_KINDS = {"database": "new database", "phrasing": "new phrasing", "database+phrasing": "both new"}


def splits_frame(metrics: dict) -> pd.DataFrame:
    """Both models on the held-out questions of seen databases and phrasings (test) beside test_unseen
    (databases and phrasings training never saw), overall and per kind; empty without test_unseen."""
    unseen = metrics.get("test_unseen")
    if not unseen:
        return pd.DataFrame()
    blocks = [("test: seen databases and phrasings", metrics), ("test_unseen", unseen)]
    blocks += [(f"test_unseen: {UNSEEN_KINDS.get(k, k)}", v) for k, v in unseen["by_kind"].items()]
    rows = []
    for split, block in blocks:
        row = {"split": split, "n": block["n"]}
        for which in MODELS:
            row[f"{which} execution"] = block[which]["execution_accuracy"]
            row[f"{which} test-suite"] = block[which]["test_suite_accuracy"]
        rows.append(row)
    return pd.DataFrame(rows).set_index("split")


def outcomes_frame(metrics: dict) -> pd.DataFrame:
    """The error taxonomy: how many answers were correct, wrong, failed to run or had no SQL."""
    return pd.DataFrame(
        {
            which: {OUTCOME_NAMES.get(k, k): v for k, v in metrics[which].get("outcomes", {}).items()}
            for which in MODELS
        }
    )


def plot_metrics(metrics: dict):
    """A grouped bar chart of the headline metrics, base vs fine-tuned."""
    import matplotlib.pyplot as plt

    frame = metrics_frame(metrics)
    ax = frame.plot.bar(rot=0, figsize=(8, 3.6), color=["#9aa5b1", "#2f80ed"], ylim=(0, 1.05))
    ax.set_title(f"Base vs fine-tuned on {metrics['n']} examples")
    ax.set_ylabel("share of examples")
    for container in ax.containers:
        ax.bar_label(container, fmt="%.2f", fontsize=8)
    plt.tight_layout()
    return ax.figure


def plot_loss(train_metrics: dict):
    """The training loss curve from train_metrics.json (continuous across a resume)."""
    import matplotlib.pyplot as plt

    history = pd.DataFrame(train_metrics["loss_history"])
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.plot(history["step"], history["loss"], marker=".", color="#2f80ed")
    if train_metrics.get("resumed_from_step"):
        ax.axvline(train_metrics["resumed_from_step"], color="grey", linestyle="--", label="resumed")
        ax.legend()
    ax.set(xlabel="optimizer step", ylabel="loss (answer tokens)", title="QLoRA training loss")
    plt.tight_layout()
    return fig


def answers_frame(record: dict, answers: dict):
    """Each model's SQL for one question, and what running it on the record's database returned."""
    rows = []
    try:
        database = open_database(instruction=record["instruction"])
    except DatabaseBuildError as err:
        database, problem = None, f"the database does not build: {err}"
    for which in MODELS:
        sql = extract_sql(answers[which].text) or ""
        if database is None:
            outcome = problem
        elif not sql:
            outcome = "no SQL found"
        else:
            run = database.run(sql)
            outcome = _preview(run.columns, run.rows) if run.ok else f"error: {run.error}"
        rows.append({"model": which, "sql": sql, "result": outcome})
    if database is not None:
        database.close()
    return pd.DataFrame(rows).set_index("model")


def _preview(columns: list[str], rows: list[tuple], limit: int = 5) -> str:
    shown = "; ".join(", ".join(map(str, row)) for row in rows[:limit])
    more = f" … ({len(rows)} rows)" if len(rows) > limit else ""
    return f"[{', '.join(columns)}] {shown}{more}" if rows else f"[{', '.join(columns)}] (no rows)"


def _figure_tag(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return f'<img alt="metrics" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def write_html_report(result, frame: pd.DataFrame, path: str | Path) -> None:
    """A self-contained page: metrics, chart, per-category accuracy, error taxonomy, every example."""
    import matplotlib.pyplot as plt

    fig = plot_metrics(result.metrics)
    chart = _figure_tag(fig)
    plt.close(fig)
    parts = [
        "<!doctype html><meta charset='utf-8'><title>llama-sql: base vs fine-tuned</title>",
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:3px 8px;vertical-align:top}"
        "table{border-collapse:collapse}tr:nth-child(even){background:#f4f6f8}code{white-space:pre-wrap}</style>",
        f"<h1>Base vs fine-tuned</h1><p>{html.escape(str(result.metrics.get('dataset', '')))}, "
        f"{result.metrics['n']} examples, every query executed. Execution accuracy: the same rows as the "
        "gold on the record's database; test-suite accuracy: also on its neighbour databases.</p>",
        _sampling_note(result.metrics),
        metrics_frame(result.metrics).to_html(float_format="%.3f"),
        chart,
        *_unseen_section(result.metrics),
        *_hardness_section(result.metrics),
        "<h2>Per category</h2>",
        per_category_frame(result.metrics).to_html(float_format="%.3f"),
        "<h2>Outcomes</h2>",
        outcomes_frame(result.metrics).to_html(),
        "<h2>Examples</h2>",
        frame.to_html(index=False, escape=True),
    ]
    Path(path).write_text("\n".join(parts), encoding="utf-8")


def _sampling_note(metrics: dict) -> str:
    sampling = metrics.get("sampling")
    if not sampling:
        return "<p>Greedy decoding, one answer per question.</p>"
    return (
        f"<p>Execution-guided answers: {sampling['candidates']} candidates per question (the greedy answer "
        f"and {sampling['candidates'] - 1} sampled at temperature {sampling['temperature']}, seed "
        f"{sampling['seed']}), each run on the question's database; the answer is the result most candidates "
        "share, ties going to the most likely candidate. Execution accuracy is the greedy answer's; voted is "
        "the vote's; oracle counts a question when any candidate is right. Per question, <i>ran</i> counts "
        "the candidates that ran and <i>agreed</i> those sharing the voted result.</p>"
    )


def _unseen_section(metrics: dict) -> list[str]:
    if not metrics.get("test_unseen"):
        return []
    return [
        "<h2>Seen and unseen</h2><p>test asks new questions of the databases and in the phrasings "
        "training saw; test_unseen asks of databases, or in phrasings, that training never saw "
        "(its examples are in test_unseen/comparison.html).</p>",
        splits_frame(metrics).to_html(float_format="%.3f"),
    ]


def _hardness_section(metrics: dict) -> list[str]:
    if not metrics.get("hardness"):
        return []
    return [
        "<h2>By Spider hardness</h2><p>Levels from the gold SQL by Spider's rules (evaluation.py, "
        "<code>Evaluator.eval_hardness</code>). Test-suite accuracy is empty where the evaluation gave no "
        "test-suite verdicts.</p>",
        hardness_frame(metrics).to_html(float_format="%.3f", na_rep="—"),
    ]


def memory_frame(metrics: dict, cfg, model_config) -> pd.DataFrame:
    """Peak GPU memory of the training run as measured (allocated and reserved) beside the on-paper
    estimate for this model's shape and configuration (llama_sql.bench.memory_estimate), in GB."""
    estimate = estimate_peak_memory(cfg, ModelShape.from_config(model_config, cfg.base_model))
    peak = metrics.get("peak_gpu_memory")
    measured = (
        {
            "measured: allocated at the peak": peak["max_memory_allocated_gb"],
            "measured: reserved by PyTorch": peak["max_memory_reserved_gb"],
        }
        if peak
        else {"measured": "no GPU here: not measured"}
    )
    rows = {"estimate (weights, adapters, activations, CUDA)": round(estimate.total_gb, 2), **measured}
    device = peak["device"] if peak else "CPU"
    return pd.Series(rows, name=f"GB on {device}").to_frame()
