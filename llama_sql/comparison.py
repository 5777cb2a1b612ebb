"""Base vs fine-tuned, side by side, every generated query executed and scored.

    python -m llama_sql compare --adapter runs/adapter --dataset_path runs/data/test.json \
        --unseen_path runs/data/test_unseen.json \
        --output_dir runs/compare --limit 150 [--candidates 8 --temperature 0.7 --seed 0]

The base model is the one the adapter was trained on (recorded beside it; llama_sql/adapters.py)
unless --base_model names another, which is checked against the adapter's record.

One 4-bit copy of the base weights serves both models: the LoRA adapter is switched off for the
base and on for the fine-tuned model, so both fit a T4 and see the same prompts and greedy decoding.
Writes comparison.csv, comparison.html, metrics.json, predictions_base.jsonl, predictions_finetuned.jsonl.

With `--unseen_path` (the test_unseen split: whole databases and whole phrasings training never saw) the
same comparison also runs on those records: its files go to `test_unseen/` inside the output folder, and
metrics.json gains `test_unseen` (both models' accuracy there, overall and per kind of novelty), so
the report shows what fine-tuning taught beside what it transfers.

With `--candidates K` (K > 1) each model also samples K-1 more answers per question, and the K candidates
(the greedy one among them) vote by execution (llama_sql/eval/voting.py). The predictions and
`execution_accuracy` stay the greedy ones; each model's metrics add `voted_execution_accuracy` (the
voted answers) and `oracle_execution_accuracy` (any candidate right), and every question records how
many candidates ran and how many agreed with the vote.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from llama_sql.adapters import load_with_adapter
from llama_sql.builder import project_dataset
from llama_sql.config import PROFILES, InferenceConfig, add_sampling_arguments, check_sampling
from llama_sql.eval.evaluation import evaluate_records, summarize
from llama_sql.eval.suite_databases import DEFAULT_K
from llama_sql.eval.voting import score_candidates
from llama_sql.generation import BATCH_SIZE, generate, sample
from llama_sql.gpu_memory import peak_memory, reset_peak_memory
from llama_sql.prompts import extract_sql, render_prompt
from llama_sql.records import DataError, atomic_path, load_records, require_fields, write_json, write_jsonl
from llama_sql.reports import MODELS, answers_frame, side_by_side_frame, write_html_report


@dataclass
class Comparer:
    """A 4-bit base with its adapter attached; `base` answers with the adapter off, `finetuned` with it on."""

    model: object
    tokenizer: object
    prompt_style: str
    max_new_tokens: int = 128
    batch_size: int = BATCH_SIZE
    base_model: str | None = None  # the base that was loaded (recorded in metrics.json)
    compute_dtype: str | None = None  # the 4-bit matmuls' dtype on this device (recorded in metrics.json)

    def generate(
        self, records: list[dict], which: str, progress: bool = True, log_probs: bool = False
    ) -> list:
        """One greedy answer per record (`log_probs`: with its sequence log-probability)."""
        prompts = [render_prompt(r, self.prompt_style, self.tokenizer) for r in records]
        with self._adapter(which):
            return generate(
                self.model,
                self.tokenizer,
                prompts,
                self.batch_size,
                self.max_new_tokens,
                progress=progress,
                desc=which,
                log_probs=log_probs,
            )

    def sample(
        self, records: list[dict], which: str, n: int, temperature: float, seed: int, progress: bool = True
    ) -> list[list]:
        """`n` sampled answers per record, each with its sequence log-probability."""
        prompts = [render_prompt(r, self.prompt_style, self.tokenizer) for r in records]
        with self._adapter(which):
            return sample(
                self.model,
                self.tokenizer,
                prompts,
                n,
                temperature,
                seed,
                self.batch_size,
                self.max_new_tokens,
                progress=progress,
                desc=f"{which}, {n} samples each",
            )

    def candidates(
        self,
        records: list[dict],
        which: str,
        k: int,
        temperature: float = InferenceConfig.temperature,
        seed: int = InferenceConfig.seed,
        progress: bool = True,
    ) -> list[list]:
        """K answers per record: the greedy one first, then K-1 sampled ones."""
        greedy = self.generate(records, which, progress, log_probs=k > 1)
        drawn = (
            self.sample(records, which, k - 1, temperature, seed, progress) if k > 1 else [[]] * len(records)
        )
        return [[first, *rest] for first, rest in zip(greedy, drawn, strict=True)]

    def _adapter(self, which: str):
        return self.model.disable_adapter() if which == "base" else contextlib.nullcontext()

    def ask(self, instruction: str, question: str):
        """Both models answer one question about one database; each answer is run. Returns a DataFrame."""
        record = {"instruction": instruction, "input": _as_prompt(question), "output": ""}
        answers = {which: self.generate([record], which, progress=False)[0] for which in MODELS}
        return answers_frame(record, answers)


def _as_prompt(question: str) -> str:
    return question if question.startswith("SQL Prompt:") else f"SQL Prompt: {question}"


def load_comparer(
    base_model: str | None,
    adapter: str | Path,
    profile: str = "auto",
    max_new_tokens: int = 128,
    batch_size: int = BATCH_SIZE,
) -> Comparer:
    """Load the base in 4-bit (None: the one the adapter was trained on) and attach the adapter.

    A base given explicitly is checked against the adapter's record and refused if it differs. The
    compute dtype is this device's profile's, so a bf16-trained adapter still runs on a T4 (in fp16).
    """
    loaded = load_with_adapter(adapter, base_model, profile)
    return Comparer(
        loaded.model,
        loaded.tokenizer,
        loaded.prompt_style,
        max_new_tokens,
        batch_size,
        base_model=loaded.base_model,
        compute_dtype=loaded.compute_dtype,
    )


@dataclass
class ComparisonResult:
    records: list[dict]
    predictions: dict[str, list[dict]]  # per model: id, prediction, response, stopped, new_tokens
    results: dict[str, list[dict]]  # per model: the evaluation verdicts, in record order
    metrics: dict = field(default_factory=dict)
    unseen: ComparisonResult | None = None  # the same comparison on test_unseen, when asked for


def run_comparison(
    comparer: Comparer,
    dataset_path: str | Path,
    output_dir: str | Path,
    limit: int | None = None,
    progress: bool = True,
    candidates: int = InferenceConfig.candidates,
    temperature: float = InferenceConfig.temperature,
    seed: int = InferenceConfig.seed,
    test_suite_k: int = DEFAULT_K,
    unseen_path: str | Path | None = None,
) -> ComparisonResult:
    """Generate with both models, evaluate both by execution, write every output file atomically.
    With `unseen_path`, the first `limit` records of test_unseen are compared too."""
    how = dict(
        progress=progress,
        candidates=candidates,
        temperature=temperature,
        seed=seed,
        test_suite_k=test_suite_k,
    )
    test, unseen = comparison_records(dataset_path, unseen_path)  # a bad file fails before generating
    result = _compare(comparer, test, dataset_path, limit, how)
    if unseen is not None:
        result.unseen = _compare(comparer, unseen, unseen_path, limit, how)
        result.metrics["test_unseen"] = unseen_summary(result.unseen)
    write_comparison(result, output_dir)
    return result


def comparison_records(dataset_path, unseen_path=None) -> tuple[list[dict], list[dict] | None]:
    """The records of `dataset_path` (and of `unseen_path` when given), each checked for the fields
    compare needs."""
    return _checked(dataset_path), None if unseen_path is None else _checked(unseen_path)


def _checked(path) -> list[dict]:
    records = load_records(path)
    require_fields(records, path)
    return records


def _compare(comparer: Comparer, records: list[dict], path, limit: int | None, how: dict) -> ComparisonResult:
    records = records[:limit] if limit else records
    return compare_records(comparer, records, Path(path).resolve().parent, str(path), **how)


SCORE_KEYS = ("execution_accuracy", "test_suite_accuracy")
SUMMARY_KEYS = (*SCORE_KEYS, "valid_sql_rate", "exact_match")


def unseen_summary(unseen: ComparisonResult) -> dict:
    """Both models' headline accuracy on test_unseen, overall and per kind of novelty (the records'
    `unseen` field: a new database, a new phrasing, or both)."""
    summary = {"n": unseen.metrics["n"], "dataset": unseen.metrics["dataset"]}
    summary.update({which: {k: unseen.metrics[which][k] for k in SUMMARY_KEYS} for which in MODELS})
    kinds: dict[str, list[int]] = {}
    for index, record in enumerate(unseen.records):
        kinds.setdefault(str(record.get("unseen", "unknown")), []).append(index)
    summary["by_kind"] = {
        kind: {"n": len(rows)}
        | {
            which: {k: summarize([unseen.results[which][i] for i in rows])[k] for k in SCORE_KEYS}
            for which in MODELS
        }
        for kind, rows in sorted(kinds.items())
    }
    return summary


def compare_records(
    comparer: Comparer,
    records: list[dict],
    base_dir: str | Path | None,
    dataset: str,
    progress: bool = True,
    candidates: int = InferenceConfig.candidates,
    temperature: float = InferenceConfig.temperature,
    seed: int = InferenceConfig.seed,
    test_suite_k: int = DEFAULT_K,
) -> ComparisonResult:
    """Both models on `records` (their db_path resolved against `base_dir`), evaluated; nothing written."""
    check_sampling(candidates, temperature)
    predictions, results, metrics = {}, {}, {"n": len(records), "dataset": dataset}
    metrics.update(base_model=comparer.base_model, compute_dtype=comparer.compute_dtype)
    if candidates > 1:
        metrics["sampling"] = {"candidates": candidates, "temperature": temperature, "seed": seed}
    reset_peak_memory()
    for which in MODELS:
        answers = comparer.candidates(records, which, candidates, temperature, seed, progress)
        outputs = [drawn[0] for drawn in answers]
        predictions[which] = [
            _prediction(r.get("id", i), o) for i, (r, o) in enumerate(zip(records, outputs, strict=True))
        ]
        results[which], metrics[which] = evaluate_records(
            records,
            [p["prediction"] for p in predictions[which]],
            base_dir=base_dir,
            test_suite_k=test_suite_k,
        )
        metrics[which]["eos_stop_rate"] = sum(o.stopped for o in outputs) / max(1, len(outputs))
        metrics[which].update(
            candidates=1,
            voted_execution_accuracy=metrics[which]["execution_accuracy"],
            oracle_execution_accuracy=metrics[which]["execution_accuracy"],
        )
        if candidates > 1:
            _add_votes(records, answers, base_dir, predictions[which], results[which], metrics[which])
    metrics["max_new_tokens"] = comparer.max_new_tokens
    metrics["peak_gpu_memory"] = peak_memory()
    return ComparisonResult(records, predictions, results, metrics)


def _prediction(record_id, output) -> dict:
    return {
        "id": record_id,
        "prediction": extract_sql(output.text) or "",
        "response": output.text,
        "stopped": output.stopped,
        "new_tokens": output.new_tokens,
    }


def _add_votes(records, answers, base_dir, predictions, results, metrics) -> None:
    """Vote on every record's candidates; record the vote beside the greedy prediction and verdict."""
    sqls = [[extract_sql(o.text) or "" for o in drawn] for drawn in answers]
    scores = score_candidates(records, sqls, [[o.log_prob for o in drawn] for drawn in answers], base_dir)
    metrics.update(scores.metrics, candidates=len(answers[0]) if answers else 0)
    for i, vote in enumerate(scores.votes):
        predictions[i].update(
            log_prob=answers[i][0].log_prob,
            candidates=sqls[i],
            candidate_log_probs=[o.log_prob for o in answers[i]],
            **vote.to_json(),
        )
        results[i].update(
            candidates=len(sqls[i]),
            ran=vote.ran,
            agreed=vote.agreed,
            voted_correct=bool(scores.voted[i]["correct"]),
            oracle_correct=scores.oracle[i],
        )


def write_comparison(result: ComparisonResult, output_dir: str | Path, extra: dict | None = None) -> Path:
    """Every output file into `output_dir`, replaced whole; `extra` maps more file names to JSON data.
    test_unseen's comparison, when there is one, goes whole into `test_unseen/` inside it."""
    with atomic_path(output_dir) as tmp:
        _write_files(result, tmp)
        if result.unseen is not None:
            _write_files(result.unseen, tmp / "test_unseen")
        for name, data in (extra or {}).items():
            write_json(tmp / name, data)
    return Path(output_dir)


def _write_files(result: ComparisonResult, folder: Path) -> None:
    folder.mkdir()
    for which in MODELS:
        write_jsonl(folder / f"predictions_{which}.jsonl", result.predictions[which])
    frame = side_by_side_frame(result)
    frame.to_csv(folder / "comparison.csv", index=False)
    write_html_report(result, frame, folder / "comparison.html")
    write_json(folder / "metrics.json", result.metrics)


# The original brief's three showcase prompts, each asked against one of the project's databases.
SHOWCASE = [
    ("hospital", "How many patients are there for each diagnosis?"),
    ("shop", "What is the total amount each customer has spent on their orders?"),
    ("bank", "Which accounts have the most transactions, and what do those transactions add up to?"),
]


def database_text(db_id: str, dataset: str | Path | None = None) -> str:
    """The `instruction` (CREATE TABLE and INSERT statements) of one of the project's databases, by name."""
    dataset = dataset or project_dataset()
    for record in load_records(dataset):
        if record.get("db_id") == db_id:
            return record["instruction"]
    names = sorted({r.get("db_id") for r in load_records(dataset) if r.get("db_id")})
    raise DataError(f"{dataset}: no database named {db_id!r}; the dataset has {', '.join(names)}.")


def showcase(comparer: Comparer):
    """Both models on the original brief's showcase prompts: their SQL and what running it returned."""
    import pandas as pd

    frames = [
        comparer.ask(database_text(db_id), question).assign(question=question) for db_id, question in SHOWCASE
    ]
    return pd.concat(frames).reset_index().set_index(["question", "model"])


def add_cli(parser) -> None:
    parser.add_argument(
        "--base_model", help="default: the base the adapter was trained on (an explicit one is checked)"
    )
    parser.add_argument("--adapter", required=True, help="folder written by `train`")
    parser.add_argument(
        "--dataset_path", required=True, help="records to compare on (e.g. runs/data/test.json)"
    )
    parser.add_argument(
        "--unseen_path",
        help="the test_unseen split too (e.g. runs/data/test_unseen.json): databases and phrasings "
        "training never saw; reported beside --dataset_path's",
    )
    parser.add_argument("--output_dir", default="runs/compare")
    parser.add_argument("--limit", type=int, help="only the first N records (of each file)")
    add_comparison_arguments(parser)


def add_comparison_arguments(parser) -> None:
    """How both models answer and are scored: shared by `compare` and `benchmark spider`."""
    parser.add_argument("--profile", default="auto", choices=["auto", *PROFILES])
    parser.add_argument(
        "--batch_size", type=int, default=BATCH_SIZE, help=f"prompts generated at once (default {BATCH_SIZE})"
    )
    parser.add_argument("--max_new_tokens", type=int, default=128)
    add_sampling_arguments(parser)
    parser.add_argument(
        "--test_suite_k",
        type=int,
        default=DEFAULT_K,
        help="neighbour databases per record for test-suite accuracy (default %(default)s); 0 turns them off",
    )


def check_comparison_arguments(args) -> None:
    """The checks of `add_comparison_arguments`' flags, run before minutes of model loading."""
    check_sampling(args.candidates, args.temperature)
    if args.test_suite_k < 0:
        raise DataError(f"--test_suite_k must be 0 or more, got {args.test_suite_k}.")


def comparer_from_arguments(args) -> Comparer:
    """The base and the adapter loaded as the command line says, announced."""
    comparer = load_comparer(
        args.base_model, args.adapter, args.profile, args.max_new_tokens, args.batch_size
    )
    print(f"base model {comparer.base_model}, compute dtype {comparer.compute_dtype}")
    return comparer


def run_cli(args) -> int:
    check_comparison_arguments(args)
    comparison_records(
        args.dataset_path, args.unseen_path
    )  # a bad file fails before minutes of model loading
    comparer = comparer_from_arguments(args)
    result = run_comparison(
        comparer,
        args.dataset_path,
        args.output_dir,
        args.limit,
        candidates=args.candidates,
        temperature=args.temperature,
        seed=args.seed,
        test_suite_k=args.test_suite_k,
        unseen_path=args.unseen_path,
    )
    print_summary(result.metrics)
    print(f"wrote {args.output_dir}/comparison.csv, comparison.html, metrics.json")
    return 0


def print_summary(metrics: dict) -> None:
    unseen = metrics.get("test_unseen")
    for which in MODELS:
        m = metrics[which]
        print(
            f"{which:>9}: execution accuracy {m['execution_accuracy']:.3f}, "
            f"test-suite accuracy {m['test_suite_accuracy']:.3f}, exact match {m['exact_match']:.3f}, "
            f"valid SQL {m['valid_sql_rate']:.3f}, stopped at EOS {m['eos_stop_rate']:.3f}"
        )
        if m.get("candidates", 1) > 1:
            print(
                f"{'':>9}  {m['candidates']} candidates: voted {m['voted_execution_accuracy']:.3f}, "
                f"oracle {m['oracle_execution_accuracy']:.3f}; on average {m['mean_ran']:.1f} ran, "
                f"{m['mean_agreed']:.1f} agreed with the vote"
            )
        if unseen:
            u = unseen[which]
            print(
                f"{'':>9}  test_unseen ({unseen['n']}): execution accuracy {u['execution_accuracy']:.3f}, "
                f"test-suite accuracy {u['test_suite_accuracy']:.3f}, valid SQL {u['valid_sql_rate']:.3f}"
            )
