"""Training throughput: the project's recipe against the naive one, same model, examples and steps.

    python -m llama_sql bench          # runs this as its first section (llama_sql/bench/benchmark.py)

The recipe is what `train` does: batches of similar length (`group_by_length`), each padded only to
its own longest sequence, one attention mask per example (no packing, so nothing attends across
examples). The naive recipe pads every sequence to `cutoff_len` and samples at random. Both runs are
`TrainingRun`s from the same tiny profile, so the base, the LoRA init (seeded), the optimizer and the
loss are identical; only batching differs. Every optimizer step after the first (a warm-up) is timed
by a TrainerCallback, and real tokens are the trainer's own non-padding count. A wrapper around the
collator measures padding from the batches the model is actually fed.
"""

from __future__ import annotations

import gc
import random
import tempfile
import time
from pathlib import Path

from llama_sql.config import train_config
from llama_sql.modeling import load_tokenizer, resolve_model_path
from llama_sql.records import write_json
from llama_sql.training import TrainingRun, training_pairs


def bench_training(train: list[dict], base_model: str, steps: int, rounds: int = 1, **overrides) -> dict:
    """Both recipes back to back over the same (steps + 1) x batch_size examples of the train split.

    With `rounds` > 1 the pair runs that many times and the round with the median speedup is reported
    (every round's figures are kept): one round's ratio moves a lot on a shared machine (BENCHMARKS.md).
    """
    probe = train_config("tiny", base_model=base_model, **overrides)
    lengths = example_lengths(train, probe)
    # a seeded sample of the examples training keeps (within cutoff_len): the same list for both recipes
    order = random.Random(probe.seed).sample(range(len(train)), len(train))
    fitting = [i for i in order if lengths[i] <= probe.cutoff_len]
    examples = [train[i] for i in fitting[: (steps + 1) * probe.batch_size]]
    pairs = []
    with tempfile.TemporaryDirectory(prefix="llama_sql_bench_") as scratch:
        data = Path(scratch) / "train.json"
        write_json(data, examples)
        common = dict(base_model=base_model, dataset_path=str(data), num_epochs=1.0, max_steps=-1)
        common.update(save_steps=10**9, logging_steps=10**9, **overrides)
        for n in range(rounds):
            recipe = timed_training(train_config("tiny", output_dir=f"{scratch}/recipe{n}", **common))
            naive_cfg = train_config(
                "tiny", output_dir=f"{scratch}/naive{n}", group_by_length=False, **common
            )
            naive = timed_training(naive_cfg, pad_to=naive_cfg.cutoff_len)
            pairs.append((recipe["tokens_per_s"] / naive["tokens_per_s"], recipe, naive))
    speedup, recipe, naive = sorted(pairs, key=lambda pair: pair[0])[len(pairs) // 2]
    return {
        "tokens_per_s": recipe["tokens_per_s"],
        "naive_tokens_per_s": naive["tokens_per_s"],
        "speedup": round(speedup, 3),
        "padding_efficiency": recipe["padding_efficiency"],
        "naive_padding_efficiency": naive["padding_efficiency"],
        # the speedup dropping padding alone would give if compute were proportional to tokens processed
        "padding_bound": round(recipe["padding_efficiency"] / naive["padding_efficiency"], 3),
        "rounds": [
            {
                "tokens_per_s": r["tokens_per_s"],
                "naive_tokens_per_s": b["tokens_per_s"],
                "speedup": round(x, 3),
            }
            for x, r, b in pairs
        ],
        "train_split_tokens": length_stats(lengths, probe.cutoff_len),
        "recipe": recipe,
        "naive": naive,
    }


def example_lengths(records: list[dict], cfg) -> list[int]:
    """Tokens of each record as training counts them: prompt, completion and EOS."""
    return training_pairs(records, cfg, load_tokenizer(resolve_model_path(cfg.base_model)))[1]


def timed_training(cfg, pad_to: int | None = None) -> dict:
    """One epoch over cfg.dataset_path; `pad_to` pads every batch to that length (the naive recipe)."""
    run = TrainingRun(cfg, log=lambda message: None)
    if pad_to:
        run.trainer.data_collator.pad_to_multiple_of = pad_to
    meter = PaddingMeter(run.trainer.data_collator)
    timer = step_timer(skip_steps=1)
    run.trainer.data_collator = meter
    run.trainer.add_callback(timer)
    run.trainer.train()
    del run
    gc.collect()
    return {
        "tokens_per_s": round(timer.tokens / timer.seconds, 1),
        "timed_steps": timer.steps,
        "timed_seconds": round(timer.seconds, 2),
        "timed_tokens": timer.tokens,
        "padding_efficiency": round(meter.real / meter.processed, 4),
        "tokens_processed": meter.processed,
        "batches": meter.batches,
        "sampling": "group_by_length" if cfg.group_by_length else "random",
        "padded_to": pad_to or "longest in batch",
    }


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
    """Wraps a data collator and counts what the model is fed: real tokens and all tokens."""

    def __init__(self, collator):
        self.collator, self.real, self.processed, self.batches = collator, 0, 0, 0

    def __call__(self, examples):
        batch = self.collator(examples)
        ids = batch["input_ids"]
        mask = batch.get("attention_mask")
        self.batches += 1
        self.processed += ids.numel()
        self.real += int(mask.sum()) if mask is not None else ids.numel()  # padding-free rows hold no pad
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

    return StepTimer()
