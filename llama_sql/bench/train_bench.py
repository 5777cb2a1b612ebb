"""Training throughput: the project's recipe against two baselines, same model, examples and steps.

    python -m llama_sql bench          # runs this as its first section (llama_sql/bench/benchmark.py)

The recipe is what `train` does: batches of similar length (`group_by_length`), each padded only to its
own longest sequence, one attention mask per example (no packing, so nothing attends across examples),
and TRL's fused LM head scoring only the answer's positions (`answer_only_lm_head`). The baselines:
- TRL's defaults for this data, what a user who writes `SFTTrainer(...)` gets: random order, each batch
  padded to its longest sequence, the LM head on every position (TRL's choice on a CPU);
- naive: the same, with every sequence padded to `cutoff_len`.
All three are `TrainingRun`s from the same tiny profile, so the base, the LoRA init (seeded), the
optimizer and the loss are identical; only batching and the head's positions differ. The three run
interleaved, once per round. Every optimizer step after the first (a warm-up) is timed by a
TrainerCallback, and real tokens are the trainer's own non-padding count. A wrapper around the collator
records every batch the model is fed: padding, answer tokens and lengths, from which the model FLOPs
of the timed steps are counted (llama_sql/bench/flops.py).
"""

from __future__ import annotations

import gc
import random
import statistics
import tempfile
import time
from pathlib import Path

from llama_sql.bench.flops import MatmulWeights, training_flops
from llama_sql.bench.memory_estimate import ModelShape
from llama_sql.bench.rounds import spread
from llama_sql.config import train_config
from llama_sql.modeling import load_tokenizer, resolve_model_path
from llama_sql.records import write_json
from llama_sql.training import TrainingRun, training_pairs

# name: (config overrides, pad every sequence to cutoff_len)
RECIPES = {
    "recipe": ({}, False),
    "trl_default": ({"group_by_length": False, "answer_only_lm_head": False}, False),
    "naive": ({"group_by_length": False, "answer_only_lm_head": False}, True),
}


def bench_training(
    train: list[dict],
    base_model: str,
    steps: int,
    rounds: int = 1,
    **overrides,
) -> dict:
    """The three recipes, interleaved `rounds` times, over the same (steps + 1) x batch_size examples.

    Each ratio is the median over rounds (one round's ratio moves a lot on a shared machine), with
    every round's value, the minimum and the maximum beside it.
    """
    probe = train_config("tiny", base_model=base_model, **overrides)
    lengths = example_lengths(train, probe)
    # a seeded sample of the examples training keeps (within cutoff_len): the same list for every recipe
    order = random.Random(probe.seed).sample(range(len(train)), len(train))
    fitting = [i for i in order if lengths[i] <= probe.cutoff_len]
    examples = [train[i] for i in fitting[: (steps + 1) * probe.batch_size]]
    runs: list[dict[str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="llama_sql_bench_") as scratch:
        data = Path(scratch) / "train.json"
        write_json(data, examples)
        common = dict(base_model=base_model, dataset_path=str(data), num_epochs=1.0, max_steps=-1)
        common.update(save_steps=10**9, logging_steps=10**9, **overrides)
        for n in range(rounds):
            runs.append(
                {
                    name: timed_training(
                        train_config("tiny", output_dir=f"{scratch}/{name}{n}", **{**common, **changes}),
                        pad_to_cutoff,
                    )
                    for name, (changes, pad_to_cutoff) in RECIPES.items()
                }
            )
    rate = {name: [run[name]["tokens_per_s"] for run in runs] for name in RECIPES}
    ratios = {
        "speedup": [r / b for r, b in zip(rate["recipe"], rate["naive"], strict=True)],
        "speedup_vs_trl_default": [r / b for r, b in zip(rate["recipe"], rate["trl_default"], strict=True)],
    }
    median_rate = {name: statistics.median(values) for name, values in rate.items()}
    first = runs[0]
    result = {
        "tokens_per_s": round(median_rate["recipe"], 1),
        "naive_tokens_per_s": round(median_rate["naive"], 1),
        "trl_default_tokens_per_s": round(median_rate["trl_default"], 1),
        **{name: spread(values)["median"] for name, values in ratios.items()},
        "padding_efficiency": first["recipe"]["padding_efficiency"],
        "naive_padding_efficiency": first["naive"]["padding_efficiency"],
        "trl_default_padding_efficiency": first["trl_default"]["padding_efficiency"],
        # the speedups dropping padding alone would give if compute were proportional to tokens processed
        "padding_bound": round(
            first["recipe"]["padding_efficiency"] / first["naive"]["padding_efficiency"], 3
        ),
        "padding_bound_vs_trl_default": round(
            first["recipe"]["padding_efficiency"] / first["trl_default"]["padding_efficiency"], 3
        ),
        "spread": {name: spread(values) for name, values in ratios.items()},
        "rounds": [
            {
                **{f"{name}_tokens_per_s": run[name]["tokens_per_s"] for name in RECIPES},
                **{key: round(values[i], 3) for key, values in ratios.items()},
            }
            for i, run in enumerate(runs)
        ],
        "train_split_tokens": length_stats(lengths, probe.cutoff_len),
        **{name: first[name] for name in RECIPES},
    }
    # model FLOPs per second of each recipe in each round: utilisation once the peak is known (benchmark.py)
    result["model_flops_per_s"] = {name: [run[name]["model_flops_per_s"] for run in runs] for name in RECIPES}
    return result


def example_lengths(records: list[dict], cfg) -> list[int]:
    """Tokens of each record as training counts them: prompt, completion and EOS."""
    return training_pairs(records, cfg, load_tokenizer(resolve_model_path(cfg.base_model)))[1]


def timed_training(cfg, pad_to_cutoff: bool = False) -> dict:
    """One epoch over cfg.dataset_path; `pad_to_cutoff` pads every batch to cutoff_len (the naive recipe)."""
    run = TrainingRun(cfg, log=lambda message: None)
    if pad_to_cutoff:
        run.trainer.data_collator.pad_to_multiple_of = cfg.cutoff_len
    meter = PaddingMeter(run.trainer.data_collator)
    timer = step_timer(skip_steps=1)
    run.trainer.data_collator = meter
    run.trainer.add_callback(timer)
    run.trainer.train()
    # the batches of the timed steps: the first `skip_steps` optimizer steps' micro-batches are the warm-up
    timed = meter.batches[timer.skip_steps * run.trainer.args.gradient_accumulation_steps :]
    weights = MatmulWeights.of(
        ModelShape.from_config(run.trainer.model.config), cfg.lora_r, cfg.lora_target_modules
    )
    flops = training_flops(weights, [n for b in timed for n in b["lengths"]], sum(b["answer"] for b in timed))
    real, processed = sum(b["real"] for b in meter.batches), sum(b["processed"] for b in meter.batches)
    del run
    gc.collect()
    result = {
        "tokens_per_s": round(timer.tokens / timer.seconds, 1),
        "timed_steps": timer.steps,
        "timed_seconds": round(timer.seconds, 2),
        "timed_tokens": timer.tokens,
        "padding_efficiency": round(real / processed, 4),
        "tokens_processed": processed,
        "batches": len(meter.batches),
        "sampling": "group_by_length" if cfg.group_by_length else "random",
        "padded_to": cfg.cutoff_len if pad_to_cutoff else "longest in batch",
        "lm_head_positions": "answer only"
        if cfg.answer_only_lm_head
        else "TRL's choice (every one on a CPU)",
        "model_flops": flops,
        "model_flops_per_s": round(flops / timer.seconds),
    }
    return result


def length_stats(lengths: list[int], cutoff_len: int) -> dict:
    ordered = sorted(lengths)
    return {
        "examples": len(ordered),
        "mean": round(sum(ordered) / len(ordered), 1),
        "min": ordered[0],
        "median": ordered[len(ordered) // 2],
        "max": ordered[-1],
        "cutoff_len": cutoff_len,
        "longer_than_cutoff": sum(n > cutoff_len for n in ordered),
    }


class PaddingMeter:
    """Wraps a data collator and records each batch the model is fed: real and all tokens, answer tokens
    (labels other than -100) and each row's real length."""

    def __init__(self, collator):
        self.collator, self.batches = collator, []

    def __call__(self, examples):
        batch = self.collator(examples)
        ids, mask = batch["input_ids"], batch.get("attention_mask")
        if mask is not None:
            lengths = [int(n) for n in mask.sum(dim=1)]
        else:  # padding-free rows: one row of concatenated sequences, each restarting its position ids
            starts = (batch["position_ids"][0] == 0).nonzero().flatten().tolist() + [ids.shape[1]]
            lengths = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        self.batches.append(
            {
                "real": sum(lengths),
                "processed": ids.numel(),
                "answer": int((batch["labels"] != -100).sum()),
                "lengths": lengths,
            }
        )
        return batch


def step_timer(skip_steps: int = 1):
    """A TrainerCallback summing wall time and real tokens of each optimizer step after the first `skip_steps`."""
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        steps, seconds, tokens = 0, 0.0, 0

        def on_step_begin(self, args, state, control, **kwargs):
            self._began, self._seen = time.perf_counter(), state.num_input_tokens_seen

        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step > skip_steps:
                self.steps += 1
                self.seconds += time.perf_counter() - self._began
                self.tokens += state.num_input_tokens_seen - self._seen

    timer = StepTimer()
    timer.skip_steps = skip_steps
    return timer
