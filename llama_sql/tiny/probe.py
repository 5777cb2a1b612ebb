"""How well a pretrained tiny base writes SQL in its own layout, before any fine-tuning.

    python -m llama_sql tiny probe MODEL_DIR [--tokenizer DIR] [--limit 150]

The prompt is the corpus's SQL-comment layout: the database as the project's records write it (one
sample row a table, as prompts show it), then `-- Question: ...` on its own line; the base continues
with a query. Two sets are scored by execution: the first test records of the project's split (the
project's databases, never seen with a question in pretraining) and the same number of pairs over
newly generated databases (a seed the corpus never used). The base should copy names and values from
the prompt; a score near zero on the project's databases says it recalls the corpus's words instead.
"""

from __future__ import annotations

import json
import random

from llama_sql.builder import project_dataset
from llama_sql.builder.compose import schema_records
from llama_sql.eval.evaluation import evaluate_records
from llama_sql.generation import generate
from llama_sql.prompts import database_for_prompt, extract_sql
from llama_sql.records import load_records
from llama_sql.splits import split_records
from llama_sql.tiny.databases import random_schema

UNSEEN_SEED = 977  # generated databases of this seed appear in no corpus recipe


def own_layout_prompt(record: dict) -> str:
    question = record["input"].removeprefix("SQL Prompt: ")
    return f"{database_for_prompt(record['instruction'])}\n\n-- Question: {question}\n"


def project_test_records(limit: int) -> list[dict]:
    records = load_records(project_dataset())
    return split_records(records)["test"][:limit]


def unseen_generated_records(limit: int) -> list[dict]:
    records: list[dict] = []
    index = 0
    while len(records) < limit:
        rng = random.Random(f"{UNSEEN_SEED}:{index}")
        schema = random_schema(rng, f"unseen{index}")
        try:
            drafts = schema_records(schema)
        except Exception:  # a database SQLite refuses: the corpus skips those too
            drafts = []
        records += random.Random(index).sample(drafts, min(8, len(drafts)))
        index += 1
    return records[:limit]


def own_layout_accuracy(model, tokenizer, records: list[dict]) -> dict:
    outputs = generate(
        model, tokenizer, [own_layout_prompt(r) for r in records], max_new_tokens=96, progress=False
    )
    predictions = [extract_sql(o.text) for o in outputs]
    results, metrics = evaluate_records(records, predictions, test_suite_k=0)
    return {k: metrics[k] for k in ("n", "execution_accuracy", "valid_sql_rate")} | {
        "examples": [
            {"q": r["input"], "gold": r["output"], "pred": p}
            for r, p in zip(records[:5], predictions[:5], strict=True)
        ]
    }


def probe(model_dir: str, tokenizer_dir: str | None = None, limit: int = 150) -> dict:
    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast.from_pretrained(tokenizer_dir or model_dir)
    tokenizer.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype="float32")
    return {
        "project_test": own_layout_accuracy(model, tokenizer, project_test_records(limit)),
        "unseen_generated": own_layout_accuracy(model, tokenizer, unseen_generated_records(limit)),
    }


def add_cli(parser) -> None:
    parser.add_argument("model_dir", help="a pretrained base's folder (tiny pretrain's --output)")
    parser.add_argument("--tokenizer", default=None, help="tokenizer folder when the model folder has none")
    parser.add_argument("--limit", type=int, default=150, help="records of each set scored")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")


def run_cli(args) -> int:
    import torch

    torch.set_num_threads(args.threads)
    print(json.dumps(probe(args.model_dir, args.tokenizer, args.limit), indent=2))
    return 0
