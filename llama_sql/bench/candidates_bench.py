"""What execution-guided answers cost: new tokens/s and questions/s at K candidates per question.

    result["candidates"] = bench_candidates(test_records, dataset_folder, "tiny", SIZES["full"])

Part of `python -m llama_sql bench` (llama_sql/bench/benchmark.py), on the same tiny model and test split.
K = 1 is greedy decoding, as `compare` runs by default; K > 1 is `compare --candidates K`: the greedy
answer, K-1 answers sampled in one batched call (llama_sql/generation.py), and the vote, which executes
every candidate on the question's database (llama_sql/eval/voting.py). Questions/s includes the vote.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from llama_sql.config import InferenceConfig, train_config
from llama_sql.eval.voting import vote_records
from llama_sql.generation import generate, sample
from llama_sql.modeling import load_4bit
from llama_sql.prompts import extract_sql, render_prompt


def bench_candidates(test: list[dict], base_dir: Path, base_model: str, size) -> dict:
    """New tokens/s and questions/s answering the same questions with K candidates each, for each K.

    K = 1 is greedy decoding; K > 1 adds K-1 answers sampled as `compare --candidates K` samples them
    (one batched call, the prompt repeated K-1 times) and the vote, which executes every candidate.
    One timed run per K, after a warm-up of both paths.
    """
    model, tokenizer = load_4bit(base_model, train_config("tiny").compute_dtype)
    records = random.Random(1).sample(test, min(len(test), size.candidate_prompts))
    prompts = [render_prompt(r) for r in records]
    temperature, seed = InferenceConfig.temperature, InferenceConfig.seed
    generate(model, tokenizer, prompts[:2], size.batch_size, 1, progress=False, log_probs=True)
    sample(model, tokenizer, prompts[:2], 2, temperature, seed, size.batch_size, 1, progress=False)
    by_k = {}
    for k in size.candidate_ks:
        began = time.perf_counter()
        greedy = generate(
            model, tokenizer, prompts, size.batch_size, size.max_new_tokens, progress=False, log_probs=k > 1
        )
        drawn = (
            sample(
                model,
                tokenizer,
                prompts,
                k - 1,
                temperature,
                seed,
                size.batch_size,
                size.max_new_tokens,
                progress=False,
            )
            if k > 1
            else [[] for _ in prompts]
        )
        generated = time.perf_counter()
        answers = [[first, *rest] for first, rest in zip(greedy, drawn, strict=True)]
        sqls = [[extract_sql(g.text) or "" for g in row] for row in answers]
        votes = vote_records(records, sqls, [[g.log_prob for g in row] for row in answers], base_dir)
        done = time.perf_counter()
        tokens = sum(g.new_tokens for row in answers for g in row)
        by_k[str(k)] = {
            "tokens_per_s": round(tokens / (generated - began), 1),
            "questions_per_s": round(len(prompts) / (done - began), 2),
            "new_tokens": tokens,
            "generate_seconds": round(generated - began, 2),
            "vote_seconds": round(done - generated, 3),
            "mean_ran": round(sum(v.ran for v in votes) / len(votes), 2),
        }
    return {
        "questions": len(prompts),
        "max_new_tokens": size.max_new_tokens,
        "batch_size": size.batch_size,
        "temperature": temperature,
        "by_k": by_k,
    }


def format_candidates_table(result: dict) -> str:
    """What K candidates per question cost, beside greedy decoding (K = 1)."""
    section = result.get("candidates")
    if not section:
        return ""
    lines = [
        f"| candidates per question ({section['questions']} questions) | new tokens/s | questions/s |",
        "|---|---:|---:|",
    ]
    for k, entry in section["by_k"].items():
        lines.append(f"| K = {k} | {_cell(entry['tokens_per_s'])} | {_cell(entry['questions_per_s'])} |")
    return "\n".join(lines)


def _cell(value: float) -> str:
    return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"
