"""The performance benchmark: our recipe against the baselines a user would pick, side by side, in one run.

    python -m llama_sql bench --output_dir runs/bench      # a few minutes on 2 idle CPU cores
    python -m llama_sql bench --size small --repeat 1      # a quick check of the plumbing

A GPU cannot be timed here, so the CPU measures ratios and the GPU memory is done on paper
(llama_sql/bench/memory_estimate.py). On the tiny model and the project's data (found through the
package, so the bench runs from any folder):
- training (train_bench.py): real tokens/s of the recipe against TRL's defaults and against padding
  every sequence to cutoff_len, padding efficiency of each, and the recipe's model FLOPs utilisation;
- generation (generate_bench.py): new tokens/s of the project's batched generation against a plain
  batched `model.generate` and one prompt at a time, agreement of the outputs, and utilisation;
- evaluation (eval_bench.py): SQL executions/s of the sandboxed scorer, and the sandbox's time per
  statement against a plain sqlite3 loop over the same statements (the price of safety);
- memory: the tiny model's footprint in 4-bit against 16-bit, and Llama-3.1-8B's T4 peak estimate;
- machine: the peak fp32 matmul rate (flops.py), which utilisation is measured against.
Beside them, what execution-guided answers cost (`compare --candidates K`, candidates_bench.py): new
tokens/s and questions/s at K = 1, 4 and 8 on a few test prompts, K = 1 being greedy decoding and
questions/s including the vote (every candidate executed).
Every timed comparison runs `--repeat` interleaved rounds; each ratio is the median, with min, max and
every round beside it. Writes bench.json (keys in docs/contract.md, plus details) and prints the table
BENCHMARKS.md shows.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from llama_sql.bench.candidates_bench import bench_candidates, format_candidates_table
from llama_sql.bench.eval_bench import bench_evaluation
from llama_sql.bench.flops import peak_matmul_flops
from llama_sql.bench.generate_bench import bench_generation
from llama_sql.bench.memory_estimate import GB, ModelShape, estimate_peak_memory, profile_estimate
from llama_sql.bench.rounds import spread, with_spread
from llama_sql.bench.train_bench import bench_training
from llama_sql.builder import project_dataset
from llama_sql.config import train_config
from llama_sql.generation import BATCH_SIZE
from llama_sql.modeling import load_4bit, resolve_model_path
from llama_sql.records import load_records, require_fields, write_json
from llama_sql.splits import split_records

REPEAT = 5  # interleaved rounds of every timed comparison (--repeat); the median is reported


@dataclass(frozen=True)
class BenchSize:
    train_steps: int = 12  # timed optimizer steps per recipe and round, after one warm-up step
    prompts: int = 32  # test prompts generated every way
    batch_size: int = BATCH_SIZE  # prompts per batched generate call, as compare uses
    max_new_tokens: int = 32  # greedy tokens per prompt at most (the gold SQL is mostly shorter)
    eval_records: int | None = None  # test records scored (None: the whole test split)
    candidate_prompts: int = 8  # test questions answered at each K of candidate_ks
    candidate_ks: tuple[int, ...] = (1, 4, 8)  # candidates per question timed (1: greedy decoding)
    rounds: int = REPEAT  # rounds when --repeat is not given


SIZES = {
    "full": BenchSize(),
    "small": BenchSize(
        train_steps=2,
        prompts=16,
        batch_size=16,
        max_new_tokens=8,
        eval_records=50,
        candidate_prompts=4,
        rounds=1,
    ),
}
# what the project's recipe must reach here (">=": at least, "<=": at most): issue 6, then issue 19's
# targets against the baselines a user would pick
TARGETS = {
    "train.speedup": (">=", 2.0),
    "train.speedup_vs_trl_default": (">=", 1.15),
    "train.padding_efficiency": (">=", 0.90),
    "generate.speedup": (">=", 5.0),
    "generate.speedup_vs_plain_batched": (">=", 1.2),
    "generate.agreement": (">=", 0.98),
    "evaluate.executions_per_s": (">=", 100),
    "memory.ratio": ("<=", 0.5),
    "memory.llama31_8b_t4_peak_gb_estimate": ("<=", 15.0),
}


def run_bench(
    output_dir="runs/bench", dataset_path=None, base_model="tiny", size="full", repeat=None, log=print
) -> dict:
    """Every comparison in turn; writes output_dir/bench.json and returns what it holds."""
    started, load_at_start, bench_size = time.time(), os.getloadavg(), SIZES[size]
    rounds = repeat or bench_size.rounds
    dataset_path = Path(dataset_path) if dataset_path else project_dataset()
    records = load_records(dataset_path)
    require_fields(records, dataset_path)
    splits = split_records(records)
    resolve_model_path(base_model)  # a missing or unknown base fails here, before any timed section
    log(f"machine: peak fp32 matmul rate ({rounds} rounds of everything below)")
    peaks = [peak_matmul_flops()]
    result: dict = {}
    log(
        f"training: the recipe, TRL's defaults and padding to cutoff_len, {bench_size.train_steps} steps each"
    )
    result["train"] = bench_training(splits["train"], base_model, bench_size.train_steps, rounds)
    log(
        f"generation: {bench_size.prompts} test prompts, ours and plain in batches of {bench_size.batch_size}, one at a time"
    )
    result["generate"] = bench_generation(splits["test"], base_model, bench_size, rounds)
    log("evaluation: the test split scored with its gold SQL, then the same statements in plain sqlite3")
    result["evaluate"] = bench_evaluation(splits["test"], dataset_path.parent, bench_size, rounds)
    log("memory: 4-bit against 16-bit, and the Llama-3.1-8B estimate")
    result["memory"] = bench_memory(base_model)
    log(f"candidates: {bench_size.candidate_prompts} test questions at K = {bench_size.candidate_ks}")
    result["candidates"] = bench_candidates(splits["test"], dataset_path.parent, base_model, bench_size)
    peaks.append(peak_matmul_flops())  # measured twice: a busy moment at the start does not set the peak
    peak = max(peaks, key=lambda p: p["peak_flops"])
    add_utilisation(result["train"], "recipe", peak["peak_flops"])
    add_utilisation(result["generate"], "batched", peak["peak_flops"])
    result.update(
        targets={key: list(target) for key, target in TARGETS.items()},
        missed=missed_targets(result),
        size={"name": size, **asdict(bench_size), "rounds": rounds},
        machine={
            **machine(),
            "peak_flops": peak["peak_flops"],
            "peak_matmul": peak,
            "peak_flops_measured": [p["peak_flops"] for p in peaks],
            "load_average": {"start": load_at_start, "end": os.getloadavg()},
        },
        runtime_s=round(time.time() - started, 1),
    )
    write_json(Path(output_dir) / "bench.json", result)
    return result


def add_utilisation(section: dict, ours: str, peak_flops: float) -> None:
    """Model FLOPs utilisation of every run in a section, per round, from its model FLOPs per second:
    `mfu` (ours, the median round) and `mfu_by_run` (each run's spread)."""
    section["mfu_by_run"] = {
        name: spread([rate / peak_flops for rate in rates], 4)
        for name, rates in section["model_flops_per_s"].items()
    }
    section["mfu"] = section["mfu_by_run"][ours]["median"]


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
        ("training, real tokens/s (vs padding to 512)", t["tokens_per_s"], t["naive_tokens_per_s"],
         _ratio(t, "speedup"), "train.speedup"),
        ("training, real tokens/s (vs TRL defaults)", t["tokens_per_s"], t["trl_default_tokens_per_s"],
         _ratio(t, "speedup_vs_trl_default"), "train.speedup_vs_trl_default"),
        ("training, padding efficiency (vs TRL defaults)", t["padding_efficiency"],
         t["trl_default_padding_efficiency"], None, "train.padding_efficiency"),
        ("training, model FLOPs utilisation (vs TRL defaults)", t["mfu"], t["mfu_by_run"]["trl_default"]["median"],
         None, None),
        (f"generation, new tokens/s (batch {g['batch_size']} vs 1)", g["batched_tokens_per_s"],
         g["sequential_tokens_per_s"], _ratio(g, "speedup"), "generate.speedup"),
        ("generation, new tokens/s (vs plain batched generate)", g["batched_tokens_per_s"],
         g["plain_batched_tokens_per_s"], _ratio(g, "speedup_vs_plain_batched"), "generate.speedup_vs_plain_batched"),
        ("generation, identical outputs", g["agreement"], g["plain_batched"]["agreement"], None, "generate.agreement"),
        ("generation, model FLOPs utilisation (vs plain batched)", g["mfu"],
         g["mfu_by_run"]["plain_batched"]["median"], None, None),
        ("evaluation, SQL executions/s (scorer)", e["executions_per_s"], None, None, "evaluate.executions_per_s"),
        ("evaluation, statements/s (sandbox vs plain sqlite3)", e["sandboxed_statements_per_s"],
         e["plain_sqlite_executions_per_s"], _ratio(e, "overhead_vs_plain_sqlite"), None),
        ("tiny model footprint, MB (4-bit vs 16-bit)", m["bytes_4bit"] / 2**20, m["bytes_16bit"] / 2**20,
         m["ratio"], "memory.ratio"),
        ("Llama-3.1-8B T4 peak estimate, GB", m["llama31_8b_t4_peak_gb_estimate"], None, None,
         "memory.llama31_8b_t4_peak_gb_estimate"),
    ]  # fmt: skip
    lines = ["| benchmark | ours | baseline | ratio | target | met |", "|---|---:|---:|---:|---|---|"]
    for name, ours, base, ratio, target in rows:
        if target is None:
            lines.append(f"| {name} | {_cell(ours)} | {_cell(base)} | {_cell(ratio)} |  |  |")
            continue
        sense, bound = TARGETS[target]
        met = "yes" if target_met(target, result) else "**no**"
        lines.append(f"| {name} | {_cell(ours)} | {_cell(base)} | {_cell(ratio)} | {sense} {bound} | {met} |")
    return "\n".join(lines)


def _ratio(section: dict, name: str) -> str:
    """The median ratio with its spread: '2.76x (2.45-3.50 over 5 rounds)'."""
    return with_spread(section["spread"][name])


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
    parser.add_argument(
        "--repeat",
        type=int,
        help=f"interleaved rounds of every timed comparison, the median reported (default {REPEAT}; 1 with --size small)",
    )


def run_cli(args) -> int:
    result = run_bench(args.output_dir, args.dataset_path, args.base_model, args.size, args.repeat)
    print(format_table(result))
    print()
    print(format_candidates_table(result))
    info = result["machine"]
    print(
        f"\n{info['cores']} cores, {info['cpu']}, torch {info['torch']}; peak fp32 matmul "
        f"{info['peak_flops'] / 1e9:,.1f} GFLOP/s; load average {info['load_average']['start'][0]:.2f} at the "
        f"start; {result['runtime_s']} s in all"
    )
    print(f"wrote {Path(args.output_dir) / 'bench.json'}")
    for miss in result["missed"]:
        print(f"target missed: {miss}")
    return 0
