"""Score predicted SQL by running it: execution accuracy, exact match, validity, an error taxonomy.

    python -m llama_sql evaluate --dataset_path runs/data/test.json \\
        --predictions runs/predictions.jsonl --output_dir runs/eval

The predictions file is JSONL, one object per record in dataset order, with a `prediction` string
(use "" when the model produced no SQL) and the record's `id` when the records have ids. Writes
`metrics.json` and `results.jsonl` (one verdict per record) into the output folder.

Each record's gold and predicted SQL run in the sandbox (llama_sql/eval/sandbox.py) on the record's
database; llama_sql/eval/execution_match.py decides whether the results agree. Records whose database
has tables but no rows are judged on generated databases instead (llama_sql/eval/suite_databases.py).
That is `correct` and `execution_accuracy`. A prediction judged correct there is then run on K
neighbour databases (llama_sql/eval/neighbour_databases.py: the same schema, the record's rows
perturbed and rows added that split the gold's edges); it is `test_suite_correct` only when it matches
the gold on every one of them too, so `test_suite_accuracy` is never above `execution_accuracy`.
A gold query that cannot run leaves its record out of both accuracies and is counted in
`gold_unexecutable`.
"""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from pathlib import Path

from llama_sql.eval import neighbour_databases, suite_databases
from llama_sql.eval.execution_match import exact_match, execution_match, has_top_level_order_by
from llama_sql.eval.sandbox import Database, DatabaseBuildError, SandboxLimits, database_for_record
from llama_sql.records import DataError, atomic_path, load_records, record_label, require_fields

OUTCOMES = ("correct", "wrong_result", "runtime_error", "syntax_error", "no_sql", "gold_failed")
CACHED_DATABASES = 32  # open databases kept for reuse; records sharing a schema are often adjacent


class _Databases:
    """Each distinct database built once and reused (an LRU), with whether it is schema-only."""

    def __init__(self, base_dir, limits: SandboxLimits):
        self.base_dir, self.limits = base_dir, limits
        self._open: OrderedDict[tuple, tuple] = OrderedDict()

    def get(self, record: dict) -> tuple[Database | DatabaseBuildError, bool]:
        path = record.get("db_path")
        key = (
            ("path", str(Path(self.base_dir or ".", path).resolve()))
            if path
            else ("sql", record.get("instruction"))
        )
        if key in self._open:
            self._open.move_to_end(key)
            return self._open[key]
        try:
            db = database_for_record(record, self.base_dir, self.limits)
            entry = (db, not path and suite_databases.is_schema_only(db))
        except DatabaseBuildError as err:
            entry = (err, False)
        self._open[key] = entry
        if len(self._open) > CACHED_DATABASES:
            self.close_one(self._open.popitem(last=False)[1])
        return entry

    @staticmethod
    def close_one(entry) -> None:
        if isinstance(entry[0], Database):
            entry[0].close()

    def close(self) -> None:
        while self._open:
            self.close_one(self._open.popitem()[1])


def _outcome_of_failure(kind: str | None) -> str:
    return "syntax_error" if kind == "syntax" else "runtime_error"


def _judge_on(record: dict, prediction, db, schema_only: bool, limits: SandboxLimits, k: int) -> dict:
    gold = record.get("output") if isinstance(record.get("output"), str) else ""
    text = prediction if isinstance(prediction, str) and prediction.strip() else None
    result = {
        "id": record.get("id"),
        "correct": False,
        "exact_match": exact_match(gold, text) if text else False,
        "valid": False,
        "gold_ok": False,
        "error": None,
        "outcome": "gold_failed",
        "test_suite": False,
        "test_suite_correct": False,
        "test_suite_error": None,
        "category": record.get("category"),
    }
    if isinstance(db, DatabaseBuildError):
        result["error"] = f"the record's database could not be built: {db}"
        return result
    databases = [db]
    gold_runs = [db.run(gold)]
    if gold_runs[0].ok and schema_only and k > 0:
        generated = suite_databases.generated_databases(db, record["instruction"], gold, k, limits=limits)
        generated_runs = [g.run(gold) for g in generated]
        if generated and all(run.ok for run in generated_runs):
            databases, gold_runs, result["test_suite"] = generated, generated_runs, True
        else:
            _close(generated)
    try:
        _verdict(result, gold, gold_runs, text, databases)
        result["test_suite_correct"] = result["correct"]
        if result["correct"] and k > 0:
            _judge_on_neighbours(result, gold, text, db, databases, k, limits)
        return result
    finally:
        if result["test_suite"]:
            _close(databases)


def _verdict(result: dict, gold: str, gold_runs, text, databases) -> dict:
    pred_runs = []
    for database in databases if text else []:
        pred_runs.append(database.run(text))
        if not pred_runs[-1].ok:
            break
    result["valid"] = bool(pred_runs) and all(run.ok for run in pred_runs)
    failed_gold = next((run for run in gold_runs if not run.ok), None)
    if failed_gold is not None:
        result["error"] = f"the gold SQL failed: {failed_gold.error}"
        return result
    result["gold_ok"] = True
    if text is None:
        result.update(outcome="no_sql", error="no SQL in the prediction")
    elif not result["valid"]:
        result.update(outcome=_outcome_of_failure(pred_runs[-1].error_kind), error=pred_runs[-1].error)
    else:
        ordered = has_top_level_order_by(gold)
        agree = [execution_match(g, p, ordered) for g, p in zip(gold_runs, pred_runs, strict=True)]
        result["correct"] = all(agree)
        result["outcome"] = "correct" if result["correct"] else "wrong_result"
        if not result["correct"]:
            result["error"] = _difference(
                gold_runs[agree.index(False)], pred_runs[agree.index(False)], ordered
            )
    return result


def _judge_on_neighbours(result: dict, gold: str, text: str, db, databases, k: int, limits) -> None:
    """Test-suite verdict: the prediction must also match the gold on every neighbour of `db`."""
    neighbours = neighbour_databases.neighbour_databases(db, gold, k, limits=limits, judged_on=databases)
    ordered = has_top_level_order_by(gold)
    try:
        for number, (neighbour, gold_run) in enumerate(neighbours, start=1):
            pred_run = neighbour.run(text)
            if not execution_match(gold_run, pred_run, ordered):
                why = pred_run.error if not pred_run.ok else _difference(gold_run, pred_run, ordered)
                result["test_suite_correct"] = False
                result["test_suite_error"] = f"on neighbour database {number} of {len(neighbours)}: {why}"
                return
    finally:
        _close(database for database, _ in neighbours)


def _difference(gold, pred, ordered: bool) -> str:
    if (gold.tables is None) != (pred.tables is None):
        if pred.tables is not None:
            return "the prediction is not a query (it is judged by the tables it leaves) where the gold SQL is one"
        return "the prediction is a query where the gold SQL changes data"
    if gold.tables is not None:
        return "the tables after the prediction differ from those after the gold SQL"
    if len(gold.columns) != len(pred.columns):
        return f"the result has {len(pred.columns)} columns, the gold's has {len(gold.columns)}"
    if len(gold.rows) != len(pred.rows):
        return f"the result has {len(pred.rows)} rows, the gold's has {len(gold.rows)}"
    return "the rows differ from the gold's" + (
        " (or their order, which the gold's ORDER BY fixes)" if ordered else ""
    )


def _close(databases) -> None:
    for database in databases:
        database.close()


def judge(record: dict, prediction: str | None, base_dir=None, limits=None, test_suite_k: int = 3) -> dict:
    """The verdict on one prediction: {"id", "correct", "exact_match", "valid", "gold_ok", "error", "outcome", ...}."""
    results, _ = evaluate_records([record], [prediction], base_dir, limits, test_suite_k)
    return results[0]


def evaluate_records(
    records: list[dict], predictions: list[str | None], base_dir=None, limits=None, test_suite_k: int = 3
) -> tuple[list[dict], dict]:
    """Judge every prediction against its record; returns (results in record order, metrics)."""
    if len(records) != len(predictions):
        raise ValueError(f"{len(records)} records but {len(predictions)} predictions")
    limits = limits or SandboxLimits()
    databases = _Databases(base_dir, limits)
    try:
        results = []
        for record, prediction in zip(records, predictions, strict=True):
            db, schema_only = databases.get(record)
            results.append(_judge_on(record, prediction, db, schema_only, limits, test_suite_k))
    finally:
        databases.close()
    return results, {**summarize(results), "test_suite_k": test_suite_k}


def summarize(results: list[dict]) -> dict:
    """Metrics over judged records: accuracy counts only records whose gold SQL ran."""
    n = len(results)
    scored = [r for r in results if r["gold_ok"]]
    per_category: dict[str, dict] = {}
    for category in sorted({_category(r) for r in results}):
        members = [r for r in results if _category(r) == category]
        members_scored = [r for r in members if r["gold_ok"]]
        per_category[category] = {
            "n": len(members),
            "execution_accuracy": _share(members_scored, "correct"),
            "test_suite_accuracy": _share(members_scored, "test_suite_correct"),
        }
    outcomes = Counter(r["outcome"] for r in results)
    return {
        "n": n,
        "execution_accuracy": _share(scored, "correct"),
        "test_suite_accuracy": _share(scored, "test_suite_correct"),
        "exact_match": _share(results, "exact_match"),
        "valid_sql_rate": _share(results, "valid"),
        "gold_unexecutable": n - len(scored),
        "scored": len(scored),
        "correct": sum(r["correct"] for r in scored),
        "test_suite_correct": sum(bool(r.get("test_suite_correct")) for r in scored),
        "test_suite_scored": sum(bool(r.get("test_suite")) for r in scored),
        "per_category": per_category,
        "outcomes": {outcome: outcomes.get(outcome, 0) for outcome in OUTCOMES},
    }


def _category(result: dict) -> str:
    return str(result.get("category") or "uncategorized")


def _share(rows: list[dict], field: str) -> float:
    return sum(bool(r[field]) for r in rows) / len(rows) if rows else 0.0


def load_predictions(path: str | Path, records: list[dict], dataset_path: str | Path) -> list[str]:
    """The `prediction` of each line of a JSONL file, checked against the records (count, ids, types)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"{path}: no such predictions file. Write one JSON object per record, in dataset "
            'order, e.g. {"id": "...", "prediction": "SELECT ..."}.'
        )
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()  # a leading byte-order mark is allowed
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start}).") from None
    entries = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                entries.append((number, json.loads(line)))
            except json.JSONDecodeError as err:
                raise DataError(
                    f"{path}: line {number} is not valid JSON ({err.msg}, column {err.colno}). "
                    "Each line must be one JSON object."
                ) from None
    if not entries:
        raise DataError(f"{path}: the predictions file is empty; expected one JSON object per record.")
    if len(entries) != len(records):
        which = "shorter" if len(entries) < len(records) else "longer"
        raise DataError(
            f"{path}: {len(entries)} predictions but {dataset_path} has {len(records)} records "
            f"(the predictions file is {which}). Write exactly one line per record, in dataset order."
        )
    predictions = []
    for index, ((number, entry), record) in enumerate(zip(entries, records, strict=True)):
        where = f"{path}: line {number} (for {record_label(index, record)})"
        if not isinstance(entry, dict):
            raise DataError(f"{where} is {_json_type(entry)}, expected a JSON object with a prediction.")
        if "prediction" not in entry:
            raise DataError(f"{where} has no field 'prediction'. Add it (\"\" when there is no SQL).")
        if not isinstance(entry["prediction"], str):
            raise DataError(
                f"{where} field 'prediction' is {_json_type(entry['prediction'])}, expected a "
                'string (use "" when the model produced no SQL).'
            )
        if record.get("id") is not None and str(entry.get("id")) != str(record["id"]):
            found = "no field 'id'" if "id" not in entry else f"id {entry['id']!r}"
            raise DataError(
                f"{where} has {found}, but the dataset's record there has id {record['id']!r}. "
                "Predictions must follow the dataset's order, one per record."
            )
        predictions.append(entry["prediction"])
    return predictions


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def evaluate_file(dataset_path, predictions_path, output_dir, limits=None, test_suite_k: int = 3) -> dict:
    """Evaluate a predictions file against a dataset; writes metrics.json and results.jsonl; returns metrics."""
    records = load_records(dataset_path)
    require_fields(records, dataset_path)
    predictions = load_predictions(predictions_path, records, dataset_path)
    results, metrics = evaluate_records(
        records, predictions, Path(dataset_path).resolve().parent, limits, test_suite_k
    )
    _write_outputs(Path(output_dir), results, metrics)
    return metrics


def _write_outputs(output_dir: Path, results: list[dict], metrics: dict) -> None:
    """A new folder appears whole (renamed into place); in an existing one each file is replaced whole."""
    files = {
        "results.jsonl": "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results),
        "metrics.json": json.dumps(metrics, indent=2, ensure_ascii=False) + "\n",
    }
    if output_dir.is_file():
        raise DataError(f"{output_dir}: is a file; --output_dir must be a folder (it is created if missing).")
    if output_dir.exists():
        for name, text in files.items():
            with atomic_path(output_dir / name) as tmp:
                tmp.write_text(text, encoding="utf-8")
        return
    with atomic_path(output_dir) as tmp:
        tmp.mkdir()
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")


def add_cli(parser) -> None:
    parser.add_argument("--dataset_path", required=True, help="records (JSON or JSONL) with the gold SQL")
    parser.add_argument(
        "--predictions", required=True, help="JSONL: one {id, prediction} per record, in order"
    )
    parser.add_argument("--output_dir", required=True, help="where metrics.json and results.jsonl go")
    parser.add_argument(
        "--timeout_s",
        type=float,
        default=SandboxLimits.timeout_s,
        help="time limit per SQL statement, in seconds (default %(default)s)",
    )
    parser.add_argument(
        "--test_suite_k",
        type=int,
        default=suite_databases.DEFAULT_K,
        help="neighbour databases per record for test-suite accuracy, and generated databases per "
        "schema-only record (default %(default)s); 0 turns both off",
    )


def run_cli(args) -> int:
    if not args.timeout_s > 0:
        raise DataError(f"--timeout_s must be a positive number of seconds, got {args.timeout_s}.")
    if args.test_suite_k < 0:
        raise DataError(f"--test_suite_k must be 0 or more, got {args.test_suite_k}.")
    metrics = evaluate_file(
        args.dataset_path,
        args.predictions,
        args.output_dir,
        SandboxLimits(timeout_s=args.timeout_s),
        args.test_suite_k,
    )
    print(
        f"{metrics['n']} records: execution accuracy {metrics['execution_accuracy']:.3f} "
        f"({metrics['correct']}/{metrics['scored']}), "
        f"test-suite accuracy {metrics['test_suite_accuracy']:.3f} ({metrics['test_suite_correct']}/"
        f"{metrics['scored']}, {args.test_suite_k} neighbour databases), exact match {metrics['exact_match']:.3f}, "
        f"valid SQL {metrics['valid_sql_rate']:.3f}, gold unexecutable {metrics['gold_unexecutable']}, "
        f"judged on generated databases {metrics['test_suite_scored']}"
    )
    print(f"outcomes: {metrics['outcomes']}")
    print(f"wrote {Path(args.output_dir) / 'metrics.json'} and {Path(args.output_dir) / 'results.jsonl'}")
    return 0
