"""The command line: `python -m llama_sql <command>` (docs/contract.md lists every command and file).

    python -m llama_sql data build
    python -m llama_sql data validate data/alpaca_sql_dataset.json
    python -m llama_sql train --base_model tiny --dataset_path runs/data/train.json --output_dir runs/adapter
    python -m llama_sql compare --adapter runs/adapter --dataset_path runs/data/test.json
    python -m llama_sql export --adapter runs/adapter --output_dir runs/merged
    python -m llama_sql ask --adapter runs/adapter --db my.sqlite "How many orders are there?"
    python -m llama_sql benchmark spider --spider_dir spider/ --adapter runs/adapter --output_dir runs/spider

Each command lives in the module that does its work; that module exposes `add_cli(parser)` to declare
its flags and `run_cli(args) -> int` to run. The package's own modules are imported at the top of each
module; only heavy third-party libraries (torch, transformers, PEFT, TRL, datasets) are imported inside
the functions that use them, so `--help` and the data commands start in a fraction of a second. A `DataError` (bad input the user can fix) is printed as
one paragraph with a non-zero exit and no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from llama_sql.records import DataError

# (command words, module, one-line help)
COMMANDS = [
    (("data", "build"), "llama_sql.builder", "regenerate the project's dataset deterministically"),
    (("data", "validate"), "llama_sql.validation", "check every record: fields, ids, database, gold SQL"),
    (("data", "convert"), "llama_sql.converters", "turn a public text-to-SQL dataset into records"),
    (("data", "split"), "llama_sql.splits", "deterministic train/val/test split"),
    (("data", "dedupe"), "llama_sql.dedupe", "drop training records repeating an evaluation record"),
    (("data", "stats"), "llama_sql.dataset_stats", "the dataset's tables, or its card with --card"),
    (("train",), "llama_sql.training", "QLoRA fine-tuning with TRL's SFTTrainer"),
    (("compare",), "llama_sql.comparison", "base vs fine-tuned on the same examples, every query run"),
    (("evaluate",), "llama_sql.eval.evaluation", "score a predictions file by executing it"),
    (("bench",), "llama_sql.bench.benchmark", "the performance benchmark on this machine"),
    (
        ("memory",),
        "llama_sql.bench.memory_estimate",
        "peak GPU memory of QLoRA on a T4 and an A100, on paper",
    ),
    (("export",), "llama_sql.export", "merge the adapter into a 16-bit copy of its base"),
    (("ask",), "llama_sql.asking", "answer a question about your own SQLite file"),
    (
        ("benchmark", "spider"),
        "llama_sql.spider_benchmark",
        "Spider dev, base vs fine-tuned, by Spider's hardness levels",
    ),
    (("tiny", "pretrain"), "llama_sql.tiny.pretrain", "rebuild the pretrained tiny base from its recipe"),
    (("tiny", "corpus"), "llama_sql.tiny.corpus", "build (or find) the tiny base's pretraining corpus"),
    (
        ("tiny", "probe"),
        "llama_sql.tiny.probe",
        "score a pretrained base in its own layout, before fine-tuning",
    ),
]


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """All commands are listed; only the chosen one's module is imported to declare its flags."""
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m llama_sql", description=__doc__.splitlines()[0])
    top = parser.add_subparsers(dest="command", required=True, metavar="command")
    groups: dict[str, argparse._SubParsersAction] = {}
    for words, module_name, help_text in COMMANDS:
        if len(words) == 1:
            sub = top.add_parser(words[0], help=help_text, description=help_text)
        else:
            if words[0] not in groups:
                group = top.add_parser(words[0], help=f"{words[0]} commands")
                groups[words[0]] = group.add_subparsers(
                    dest="subcommand", required=True, metavar="subcommand"
                )
            sub = groups[words[0]].add_parser(words[1], help=help_text, description=help_text)
        if list(argv[: len(words)]) == list(words):
            module = importlib.import_module(module_name)
            module.add_cli(sub)
            sub.set_defaults(_run=module.run_cli)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
