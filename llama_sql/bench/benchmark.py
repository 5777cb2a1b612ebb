"""The performance benchmark: our recipe against the naive one, side by side, in one run on this machine.

    python -m llama_sql bench --output_dir runs/bench        # minutes on 2 CPU cores; --size small: a quick check

A GPU cannot be timed here, so the CPU measures ratios, which carry over, and the GPU memory is done on
paper (llama_sql/bench/memory_estimate.py). Four comparisons, on the tiny model and the project's data:
- training (llama_sql/bench/train_bench.py): real tokens/s of the length-grouped recipe against every sequence
  padded to cutoff_len, and the recipe's padding efficiency;
- generation: new tokens/s of the project's batched generation (each shared prefix read once, the rest
  left-padded) against one prompt at a time, greedy, on the same test prompts, and the share of
  prompts whose outputs are identical; plain batching (every prompt read whole) is reported beside;
- evaluation: SQL statements executed per second scoring the test split with its gold SQL as predictions;
- memory: the tiny model's footprint in 4-bit against 16-bit, and Llama-3.1-8B's T4 peak estimate.
Beside them, what execution-guided answers cost (`compare --candidates K`): new tokens/s and questions/s
at K = 1, 4 and 8 on a few test prompts, K = 1 being greedy decoding and questions/s including the
vote (every candidate executed). Writes bench.json (keys in docs/contract.md, plus details) and prints the
table BENCHMARKS.md shows.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from llama_sql.bench.candidates_bench import bench_candidates, format_candidates_table
from llama_sql.bench.memory_estimate import GB, ModelShape, estimate_peak_memory, profile_estimate
from llama_sql.bench.train_bench import bench_training
from llama_sql.builder import DEFAULT_OUTPUT
from llama_sql.config import train_config
from llama_sql.eval import sandbox
from llama_sql.eval.evaluation import evaluate_records
from llama_sql.generation import BATCH_SIZE, generate, shared_prefix_lengths
from llama_sql.modeling import load_4bit
from llama_sql.prompts import render_prompt
from llama_sql.records import load_records, require_fields, write_json
from llama_sql.splits import split_records


@dataclass(frozen=True)
class BenchSize:
    train_steps: int = 20  # timed optimizer steps per recipe, after one warm-up step
    train_rounds: int = 3  # recipe/naive pairs timed; the median pair is reported
    generate_rounds: int = 3  # batched/sequential rounds timed; the median round is reported
    prompts: int = 32  # test prompts generated both ways
    batch_size: int = BATCH_SIZE  # prompts per batched generate call, as compare uses
    max_new_tokens: int = 32  # greedy tokens per prompt at most (the gold SQL is mostly shorter)
    eval_records: int | None = None  # test records scored (None: the whole test split)
    candidate_prompts: int = 8  # test questions answered at each K of candidate_ks
    candidate_ks: tuple[int, ...] = (1, 4, 8)  # candidates per question timed (1: greedy decoding)


SIZES = {
    "full": BenchSize(),
    "small": BenchSize(
        train_steps=2,
        train_rounds=1,
        generate_rounds=1,
        prompts=16,
        batch_size=16,
        max_new_tokens=8,
        eval_records=50,
        candidate_prompts=4,
    ),
}
# issue 6: what the project's recipe must reach here (">=": at least, "<=": at most)
TARGETS = {
    "train.speedup": (">=", 2.0),
    "train.padding_efficiency": (">=", 0.90),
    "generate.speedup": (">=", 5.0),
    "generate.agreement": (">=", 0.98),
    "evaluate.executions_per_s": (">=", 100),
    "memory.ratio": ("<=", 0.5),
    "memory.llama31_8b_t4_peak_gb_estimate": ("<=", 15.0),
}


def run_bench(output_dir="runs/bench", dataset_path=None, base_model="tiny", size="full", log=print) -> dict:
    """Every comparison in turn; writes output_dir/bench.json and returns what it holds."""
    started, bench_size = time.time(), SIZES[size]
    dataset_path = Path(dataset_path or DEFAULT_OUTPUT)
    records = load_records(dataset_path)
    require_fields(records, dataset_path)
    splits = split_records(records)
    result = {}
    log(
        f"training: the recipe against every sequence padded to cutoff_len, {bench_size.train_steps} steps each,"
        f" {bench_size.train_rounds} rounds"
    )
    result["train"] = bench_training(
        splits["train"], base_model, bench_size.train_steps, bench_size.train_rounds
    )
    log(
        f"generation: {bench_size.prompts} test prompts in batches of {bench_size.batch_size}, then one at a time"
    )
    result["generate"] = bench_generation(splits["test"], base_model, bench_size)
    log("evaluation: the test split scored with its gold SQL")
    result["evaluate"] = bench_evaluation(splits["test"], dataset_path.parent, bench_size)
    log("memory: 4-bit against 16-bit, and the Llama-3.1-8B estimate")
    result["memory"] = bench_memory(base_model)
    log(f"candidates: {bench_size.candidate_prompts} test questions at K = {bench_size.candidate_ks}")
    result["candidates"] = bench_candidates(splits["test"], dataset_path.parent, base_model, bench_size)
    result.update(
        targets={key: list(target) for key, target in TARGETS.items()},
        missed=missed_targets(result),
        size={"name": size, **asdict(bench_size)},
        machine=machine(),
        runtime_s=round(time.time() - started, 1),
    )
    write_json(Path(output_dir) / "bench.json", result)
    return result


def bench_generation(test: list[dict], base_model: str, size: BenchSize) -> dict:
    """The same prompts batched and one at a time, greedy; new tokens/s of each, and whether outputs agree."""
    model, tokenizer = load_4bit(base_model, train_config("tiny").compute_dtype)
    prompts = [render_prompt(r) for r in random.Random(0).sample(test, min(len(test), size.prompts))]
    for batch_size in (size.batch_size, 1):  # warm-up of both paths: first-call setup is not timed
        generate(model, tokenizer, prompts[: max(2, batch_size)], batch_size, 1, progress=False)
    configurations = (
        ("batched", size.batch_size, True),  # the recipe, as compare runs it
        ("batched_whole_prompts", size.batch_size, False),  # plain batching, for reference
        ("sequential", 1, False),  # the naive baseline: one prompt at a time, read whole
    )
    rounds = []  # each configuration timed once per round, back to back; the median round is reported
    for _ in range(size.generate_rounds):
        runs = {}
        for name, batch_size, share in configurations:
            began = time.perf_counter()
            outputs = generate(
                model,
                tokenizer,
                prompts,
                batch_size,
                size.max_new_tokens,
                progress=False,
                share_prefixes=share,
            )
            runs[name] = (outputs, time.perf_counter() - began)
        rate = {name: sum(g.new_tokens for g in out) / seconds for name, (out, seconds) in runs.items()}
        rounds.append((rate["batched"] / rate["sequential"], runs, rate))
    _, runs, rate = sorted(rounds, key=lambda r: r[0])[len(rounds) // 2]
    sequential = runs["sequential"][0]

    def same(a, b) -> bool:
        return a.text == b.text and a.new_tokens == b.new_tokens

    # per configuration and prompt: its output in every round equals the reported sequential one
    agree = {
        name: [all(same(r[name][0][i], b) for _, r, _ in rounds) for i, b in enumerate(sequential)]
        for name, _, _ in configurations
    }
    shared = shared_prefix_lengths([tokenizer(p)["input_ids"] for p in prompts])
    return {
        "batched_tokens_per_s": round(rate["batched"], 1),
        "sequential_tokens_per_s": round(rate["sequential"], 1),
        "speedup": round(rate["batched"] / rate["sequential"], 3),
        "batch_size": size.batch_size,
        "agreement": round(sum(agree["batched"]) / len(prompts), 4),
        "prompts": len(prompts),
        "max_new_tokens": size.max_new_tokens,
        "prompts_sharing_a_prefix": sum(n > 0 for n in shared),
        "whole_prompts": {  # the same batches with every prompt read whole
            "tokens_per_s": round(rate["batched_whole_prompts"], 1),
            "speedup": round(rate["batched_whole_prompts"] / rate["sequential"], 3),
            "agreement": round(sum(agree["batched_whole_prompts"]) / len(prompts), 4),
        },
        "new_tokens": {name: sum(g.new_tokens for g in out) for name, (out, _) in runs.items()},
        "stopped_by_eos": sum(g.stopped for g in sequential),
        "seconds": {name: round(seconds, 2) for name, (_, seconds) in runs.items()},
        "disagreeing_prompts": [i for i, same in enumerate(agree["batched"]) if not same],
        "rounds": [round(speedup, 3) for speedup, _, _ in rounds],
    }


def bench_evaluation(test: list[dict], base_dir: Path, size: BenchSize) -> dict:
    """Score the test split with its own gold SQL as the predictions, counting every statement executed."""
    records = test[: size.eval_records] if size.eval_records else test
    with counted_executions() as count:
        began = time.perf_counter()
        _, metrics = evaluate_records(records, [r["output"] for r in records], base_dir=base_dir)
        seconds = time.perf_counter() - began
    return {
        "executions_per_s": round(count[0] / seconds, 1),
        "executions": count[0],
        "records": len(records),
        "records_per_s": round(len(records) / seconds, 1),
        "seconds": round(seconds, 3),
        "gold_execution_accuracy": metrics["execution_accuracy"],
    }


@contextlib.contextmanager
def counted_executions():
    """Count calls of the sandbox's `Database.run` (one SQL statement executed) while the block runs."""
    original, count = sandbox.Database.run, [0]

    def run(self, sql):
        count[0] += 1
        return original(self, sql)

    sandbox.Database.run = run
    try:
        yield count
    finally:
        sandbox.Database.run = original


def bench_memory(base_model: str) -> dict:
    """The model loaded 4-bit and unquantized, bf16 elsewhere in both; the estimate checked on its weights."""
    footprint = {}
    for quantized in (True, False):
        model, _ = load_4bit(base_model, "bfloat16", load_in_4bit=quantized)
        footprint[quantized], shape = model.get_memory_footprint(), ModelShape.from_config(model.config)
        del model
    # the estimate's weight terms for this model, which get_memory_footprint measures (minus NF4 constants)
    weights = estimate_peak_memory(train_config("tiny", compute_dtype="bfloat16"), shape)
    t4 = profile_estimate("t4")
    return {
        "bytes_4bit": int(footprint[True]),
        "bytes_16bit": int(footprint[False]),
        "ratio": round(footprint[True] / footprint[False], 4),
        "llama31_8b_t4_peak_gb_estimate": round(t4.total_gb, 2),
        "llama31_8b_t4_terms_gb": {t.name: round(t.bytes / GB, 3) for t in t4.terms},
        "llama31_8b_a100_peak_gb_estimate": round(profile_estimate("a100").total_gb, 2),
        "estimated_bytes_4bit": int(sum(weights.term(n).bytes for n in ("weights_4bit", "weights_16bit"))),
    }


def target_met(key: str, result: dict) -> bool:
    section, name = key.split(".")
    sense, bound = TARGETS[key]
    value = result[section][name]
    return value >= bound if sense == ">=" else value <= bound


def missed_targets(result: dict) -> list[str]:
    """The targets this run did not reach, as `section.key: value (target)`."""
    return [
        f"{key}: {result[key.split('.')[0]][key.split('.')[1]]} (target {' '.join(map(str, TARGETS[key]))})"
        for key in TARGETS
        if not target_met(key, result)
    ]


def machine() -> dict:
    import torch

    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
    }


def format_table(result: dict) -> str:
    """The side-by-side table printed at the end of a run (BENCHMARKS.md pastes it)."""
    t, g, e, m = (result[k] for k in ("train", "generate", "evaluate", "memory"))
    rows = [
        ("training, real tokens/s", t["tokens_per_s"], t["naive_tokens_per_s"], t["speedup"], "train.speedup"),
        ("training, padding efficiency", t["padding_efficiency"], t["naive_padding_efficiency"], None, "train.padding_efficiency"),
        (f"generation, new tokens/s (batch {g['batch_size']} vs 1)", g["batched_tokens_per_s"],
         g["sequential_tokens_per_s"], g["speedup"], "generate.speedup"),
        ("generation, identical outputs", g["agreement"], None, None, "generate.agreement"),
        ("evaluation, SQL executions/s", e["executions_per_s"], None, None, "evaluate.executions_per_s"),
        ("tiny model footprint, MB (4-bit vs 16-bit)", m["bytes_4bit"] / 2**20, m["bytes_16bit"] / 2**20,
         m["ratio"], "memory.ratio"),
        ("Llama-3.1-8B T4 peak estimate, GB", m["llama31_8b_t4_peak_gb_estimate"], None, None,
         "memory.llama31_8b_t4_peak_gb_estimate"),
    ]  # fmt: skip
    lines = ["| benchmark | ours | baseline | ratio | target | met |", "|---|---:|---:|---:|---|---|"]
    for name, ours, base, ratio, target in rows:
        sense, bound = TARGETS[target]
        met = "yes" if target_met(target, result) else "**no**"
        lines.append(f"| {name} | {_cell(ours)} | {_cell(base)} | {_cell(ratio)} | {sense} {bound} | {met} |")
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.3f}"
    return str(value)


def add_cli(parser) -> None:
    parser.add_argument("--output_dir", default="runs/bench", help="where bench.json is written")
    parser.add_argument("--dataset_path", help="records to benchmark on (default: the project's dataset)")
    parser.add_argument("--base_model", default="tiny", help="tiny (default) or a local model folder")
    parser.add_argument("--size", default="full", choices=sorted(SIZES), help="small: a quick check")


def run_cli(args) -> int:
    result = run_bench(args.output_dir, args.dataset_path, args.base_model, args.size)
    print(format_table(result))
    print()
    print(format_candidates_table(result))
    cores, cpu, torch_version = (result["machine"][k] for k in ("cores", "cpu", "torch"))
    print(f"\n{cores} cores, {cpu}, torch {torch_version}; {result['runtime_s']} s in all")
    print(f"wrote {Path(args.output_dir) / 'bench.json'}")
    for miss in result["missed"]:
        print(f"target missed: {miss}")
    return 0
