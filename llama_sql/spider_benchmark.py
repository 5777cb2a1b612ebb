"""Spider dev, base vs fine-tuned, scored by execution and broken down by Spider's hardness levels.

    python -m llama_sql benchmark spider --spider_dir spider/ --adapter runs/adapter --output_dir runs/spider
    python -m llama_sql benchmark spider --spider_dir spider/ --adapter runs/adapter --output_dir runs/spider \
        --limit 200 --candidates 8

Spider (Yu et al., 2018) comes from its official site, https://yale-lily.github.io/spider: the download
holds dev.json, tables.json and database/<db_id>/<db_id>.sqlite. Its dev questions are converted with the
project's converter (`data convert --from spider`, llama_sql/converters/spider.py), each record pointing at
its real database file, and both models answer them through the same code as `compare`
(llama_sql/comparison.py), so the folder holds the same files: comparison.csv, comparison.html,
metrics.json and the predictions. Each record also gets its Spider hardness level, read from the gold
SQL by Spider's rules (llama_sql/eval/hardness.py), and metrics.json gains `hardness`: per level, the
number of questions and each model's execution and test-suite accuracy. The converted records are kept
as spider_dev.json beside them, so `evaluate` can rescore any predictions file.
"""

from __future__ import annotations

from pathlib import Path

from llama_sql.comparison import (
    add_comparison_arguments,
    check_comparison_arguments,
    compare_records,
    comparer_from_arguments,
    print_summary,
    write_comparison,
)
from llama_sql.config import InferenceConfig, check_sampling
from llama_sql.converters import convert_records
from llama_sql.eval.hardness import accuracy_by_hardness, hardness
from llama_sql.eval.suite_databases import DEFAULT_K
from llama_sql.records import DataError
from llama_sql.reports import hardness_frame

SPIDER_SITE = "https://yale-lily.github.io/spider"
RECORDS_FILE = "spider_dev.json"  # the converted questions, written beside the comparison files


def spider_records(spider_dir: str | Path, split: str = "dev.json", limit: int | None = None) -> list[dict]:
    """Spider's questions as records on their database files (absolute paths), each with its hardness."""
    folder = Path(spider_dir)
    if not (folder / "database").is_dir():
        raise DataError(
            f"{folder}: no database/ folder. Download Spider from {SPIDER_SITE} and pass the unpacked folder "
            "(the one holding dev.json, tables.json and database/) as --spider_dir."
        )
    records, _ = convert_records("spider", folder, split=split, limit=limit)
    for record in records:
        record["hardness"] = hardness(record["output"])
    return records


def run_spider_benchmark(
    comparer,
    spider_dir: str | Path,
    output_dir: str | Path,
    limit: int | None = None,
    split: str = "dev.json",
    progress: bool = True,
    candidates: int = InferenceConfig.candidates,
    temperature: float = InferenceConfig.temperature,
    seed: int = InferenceConfig.seed,
    test_suite_k: int = DEFAULT_K,
):
    """Convert, compare both models, add the hardness table; writes `compare`'s files and spider_dev.json."""
    check_sampling(candidates, temperature)
    records = spider_records(spider_dir, split, limit)
    result = compare_records(
        comparer,
        records,
        None,
        f"Spider {split} ({spider_dir})",
        progress,
        candidates,
        temperature,
        seed,
        test_suite_k,
    )
    result.metrics["hardness"] = accuracy_by_hardness(records, result.results)
    write_comparison(result, output_dir, extra={RECORDS_FILE: records})
    return result


def add_cli(parser) -> None:
    parser.add_argument(
        "--spider_dir",
        required=True,
        help=f"Spider's folder: dev.json, tables.json, database/ ({SPIDER_SITE})",
    )
    parser.add_argument("--adapter", required=True, help="folder written by `train`")
    parser.add_argument("--output_dir", default="runs/spider")
    parser.add_argument("--base_model", help="default: the base the adapter was trained on")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--split", default="dev.json", help="the questions file in --spider_dir")
    add_comparison_arguments(parser)


def run_cli(args) -> int:
    check_comparison_arguments(args)
    if args.limit is not None and args.limit < 1:
        raise DataError(f"--limit must be a positive number of questions, got {args.limit}.")
    spider_records(args.spider_dir, args.split, 1)  # a wrong folder fails before minutes of model loading
    comparer = comparer_from_arguments(args)
    result = run_spider_benchmark(
        comparer,
        args.spider_dir,
        args.output_dir,
        args.limit,
        args.split,
        candidates=args.candidates,
        temperature=args.temperature,
        seed=args.seed,
        test_suite_k=args.test_suite_k,
    )
    print_summary(result.metrics)
    print(hardness_frame(result.metrics).to_string(float_format=lambda v: f"{v:.3f}", na_rep="-"))
    print(f"wrote {args.output_dir}/comparison.csv, comparison.html, metrics.json, {RECORDS_FILE}")
    return 0
