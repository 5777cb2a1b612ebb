"""Generation throughput: the project's batched generation against plain batching and one at a time.

    python -m llama_sql bench          # runs this as its second section (llama_sql/bench/benchmark.py)

The same test prompts, greedy, the same stop tokens, three ways, interleaved once per round:
- batched: what `compare` does (llama_sql/generation.py): prompts about the same database together,
  each shared prefix (the template and the database) read once, the rest left-padded, and prompts that
  have stopped leaving the batch as soon as a quarter of it has stopped;
- plain_batched: what a user writes, the tokenizer left-padding each batch and one `model.generate`
  call per batch (`plain_generate` below);
- sequential: the same, one prompt at a time.
New tokens per second of each, whether every output is the same as one at a time, and the model FLOPs
utilisation of the batched run (llama_sql/bench/flops.py: each prompt counted as read whole).
"""

from __future__ import annotations

import random
import statistics
import time

from llama_sql.bench.flops import MatmulWeights, generation_flops
from llama_sql.bench.memory_estimate import ModelShape
from llama_sql.bench.rounds import spread
from llama_sql.config import train_config
from llama_sql.generation import Generation, decode_new_tokens, generate, shared_prefix_lengths
from llama_sql.modeling import load_4bit, stop_token_ids
from llama_sql.prompts import render_prompt

GENERATORS = ("batched", "plain_batched", "sequential")


def plain_generate(
    model, tokenizer, prompts: list[str], batch_size: int, max_new_tokens: int
) -> list[Generation]:
    """The baseline a user writes: each batch left-padded by the tokenizer, one greedy `model.generate`."""
    import torch

    stops = stop_token_ids(tokenizer, model)
    outputs = []
    for start in range(0, len(prompts), batch_size):
        inputs = tokenizer(
            prompts[start : start + batch_size], padding=True, padding_side="left", return_tensors="pt"
        ).to(model.device)
        with torch.inference_mode():
            output = model.generate(
                **inputs,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                eos_token_id=stops,
                pad_token_id=tokenizer.pad_token_id,
            )
        for row in output[:, inputs["input_ids"].shape[1] :]:
            outputs.append(decode_new_tokens(tokenizer, row.tolist(), stops, tokenizer.pad_token_id))
    return outputs


def bench_generation(test: list[dict], base_model: str, size, rounds: int) -> dict:
    """The same prompts three ways per round; new tokens/s of each, ratios as medians over rounds."""
    model, tokenizer = load_4bit(base_model, train_config("tiny").compute_dtype)
    prompts = [render_prompt(r) for r in random.Random(0).sample(test, min(len(test), size.prompts))]
    ways = {
        "batched": lambda ps: generate(
            model, tokenizer, ps, size.batch_size, size.max_new_tokens, progress=False
        ),
        "plain_batched": lambda ps: plain_generate(
            model, tokenizer, ps, size.batch_size, size.max_new_tokens
        ),
        "sequential": lambda ps: plain_generate(model, tokenizer, ps, 1, size.max_new_tokens),
    }
    for way in ways.values():  # warm-up of every path: first-call setup is not timed
        way(prompts[:2])
    runs = []
    for _ in range(rounds):
        run = {}
        for name, way in ways.items():
            began = time.perf_counter()
            outputs = way(prompts)
            run[name] = (outputs, time.perf_counter() - began)
        runs.append(run)
    rate = {name: [sum(g.new_tokens for g in r[name][0]) / r[name][1] for r in runs] for name in GENERATORS}
    ratios = {
        "speedup": [b / s for b, s in zip(rate["batched"], rate["sequential"], strict=True)],
        "speedup_vs_plain_batched": [
            b / p for b, p in zip(rate["batched"], rate["plain_batched"], strict=True)
        ],
        "plain_batched_speedup": [
            p / s for p, s in zip(rate["plain_batched"], rate["sequential"], strict=True)
        ],
    }
    sequential = runs[0]["sequential"][0]
    # per generator and prompt: its output in every round equals the first round's one at a time
    agree = {
        name: [all(_same(r[name][0][i], expected) for r in runs) for i, expected in enumerate(sequential)]
        for name in GENERATORS
    }
    lengths = [len(tokenizer(p)["input_ids"]) for p in prompts]
    weights = MatmulWeights.of(ModelShape.from_config(model.config))
    flops = generation_flops(weights, lengths, [g.new_tokens for g in sequential])
    median = {name: statistics.median(values) for name, values in {**rate, **ratios}.items()}
    plain = {
        "tokens_per_s": round(median["plain_batched"], 1),
        "speedup": round(median["plain_batched_speedup"], 3),
        "agreement": round(sum(agree["plain_batched"]) / len(prompts), 4),
    }
    result = {
        "batched_tokens_per_s": round(median["batched"], 1),
        "sequential_tokens_per_s": round(median["sequential"], 1),
        "plain_batched_tokens_per_s": round(median["plain_batched"], 1),
        "speedup": round(median["speedup"], 3),
        "speedup_vs_plain_batched": round(median["speedup_vs_plain_batched"], 3),
        "batch_size": size.batch_size,
        "agreement": round(sum(agree["batched"]) / len(prompts), 4),
        "prompts": len(prompts),
        "prompt_tokens": sum(lengths),
        "max_new_tokens": size.max_new_tokens,
        "prompts_sharing_a_prefix": sum(
            n > 0 for n in shared_prefix_lengths([tokenizer(p)["input_ids"] for p in prompts])
        ),
        "plain_batched": plain,
        "whole_prompts": plain,  # the earlier name of the plain batched baseline: every prompt read whole
        "new_tokens": {name: sum(g.new_tokens for g in runs[0][name][0]) for name in GENERATORS},
        "stopped_by_eos": sum(g.stopped for g in sequential),
        "seconds": {name: spread([r[name][1] for r in runs]) for name in GENERATORS},
        "disagreeing_prompts": [i for i, same in enumerate(agree["batched"]) if not same],
        "model_flops": flops,
        "spread": {name: spread(values) for name, values in ratios.items()},
        "rounds": [
            {
                **{f"{name}_tokens_per_s": round(rate[name][i], 1) for name in GENERATORS},
                **{key: round(values[i], 3) for key, values in ratios.items()},
            }
            for i in range(len(runs))
        ],
    }
    # model FLOPs per second of each way in each round: utilisation once the peak is known (benchmark.py)
    result["model_flops_per_s"] = {name: [round(flops / r[name][1]) for r in runs] for name in GENERATORS}
    return result


def _same(a: Generation, b: Generation) -> bool:
    return a.text == b.text and a.new_tokens == b.new_tokens
