"""QLoRA fine-tuning: a 4-bit base, LoRA on every linear projection, TRL's SFTTrainer doing the training.

    python -m llama_sql train --base_model tiny --dataset_path runs/data/train.json --output_dir runs/adapter
    python -m llama_sql train --base_model meta-llama/Llama-3.1-8B --profile t4 ...      # Colab T4
    accelerate launch --config_file configs/accelerate/ddp.yaml -m llama_sql train ...   # one process per GPU

The reference command's flags work as written (--batch_size --lora_r --lora_alpha --lora_dropout --num_epochs
--cutoff_len); --profile picks the hardware settings (config.py), --resume continues from the newest
complete checkpoint. Loss is on the answer only, EOS is appended and learned, pad is never EOS, and
batches group examples of similar length, so little compute goes to padding; the LM head scores only
the answer's positions. (Padding-free packing is a flag away, but with SDPA, the attention a T4 and a
CPU have, it costs more than it saves: one long row under a block mask is quadratic in the whole row.)
Under data parallelism (WORLD_SIZE > 1) the processes share --batch_size, and one of them writes.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

from llama_sql.adapters import save_adapter
from llama_sql.config import (
    TrainConfig,
    add_config_arguments,
    config_from_args,
    data_parallel_processes,
    fit_to_processes,
    gradient_accumulation_steps,
)
from llama_sql.gpu_memory import peak_memory, reset_peak_memory
from llama_sql.modeling import load_4bit
from llama_sql.prompts import choose_prompt_style, prompt_completion
from llama_sql.records import DataError, load_records, require_fields, write_json

COMPLETE_MARKER = "checkpoint_complete"  # written after a checkpoint's last file: resume trusts only these


class TrainingRun:
    """A prepared fine-tuning run: 4-bit base with LoRA attached, data tokenized, trainer ready.

    Notebook 02 builds one, shows `summary()`, then calls `train()`; the CLI does the same in one go.
    """

    def __init__(self, cfg: TrainConfig, log=print):
        from peft import LoraConfig
        from trl import SFTTrainer

        self.main_process = int(os.environ.get("RANK", "0")) == 0  # the one that writes and speaks
        log = log if self.main_process else (lambda message: None)
        self.cfg, self.log, self.started = cfg, log, time.time()
        records = load_records(cfg.dataset_path)
        require_fields(records, cfg.dataset_path)
        if line := fit_to_processes(cfg, data_parallel_processes()):
            log(line)
        self.output_dir = Path(cfg.output_dir)
        self.checkpoint = (
            newest_complete_checkpoint(self.output_dir, set_aside_incomplete=self.main_process)
            if cfg.resume
            else None
        )
        if cfg.resume and self.checkpoint is None:
            log(f"--resume: no complete checkpoint in {self.output_dir}; starting from step 0")
        model, self.tokenizer = load_4bit(
            cfg.base_model, cfg.compute_dtype, cfg.load_in_4bit, cfg.attn_implementation, cfg.quant_storage
        )
        self.dataset, self.style, self.skipped = training_dataset(records, cfg, self.tokenizer)
        if self.skipped:
            log(
                f"left out {self.skipped} of {len(records)} examples longer than cutoff_len={cfg.cutoff_len} tokens"
            )
        lora = LoraConfig(
            r=cfg.lora_r,
            lora_alpha=cfg.lora_alpha,
            lora_dropout=cfg.lora_dropout,
            bias="none",
            target_modules=list(cfg.lora_target_modules),
            task_type="CAUSAL_LM",
        )
        self.trainer = SFTTrainer(
            model=model,
            args=sft_arguments(cfg),
            train_dataset=self.dataset,
            processing_class=self.tokenizer,
            peft_config=lora,
            callbacks=[_checkpoint_marker()],
        )
        cast_adapter(self.trainer.model, cfg.adapter_dtype)
        if cfg.answer_only_lm_head:
            score_answer_positions_only(self.trainer)

    def summary(self) -> dict:
        """What a user checks before spending GPU time: sizes, trainable share, memory, data."""
        model = self.trainer.model
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        total = sum(p.numel() for p in model.parameters())
        return {
            "base_model": self.cfg.base_model,
            "profile": self.cfg.profile,
            "prompt_style": self.style,
            "parameters (4-bit packed count)": total,
            "trainable LoRA parameters": trainable,
            "trainable share": round(trainable / total, 5),
            "memory footprint (MB)": round(model.get_memory_footprint() / 2**20, 1),
            "examples": len(self.dataset),
            "examples too long (left out)": self.skipped,
            "resume from": str(self.checkpoint) if self.checkpoint else None,
        }

    def train(self) -> dict:
        """Train, save the adapter and train_metrics.json into output_dir; returns the metrics."""
        self.output_dir.mkdir(parents=True, exist_ok=True)
        if self.main_process:
            self.cfg.save(self.output_dir / "train_config.json")
        reset_peak_memory()
        self.trainer.train(resume_from_checkpoint=str(self.checkpoint) if self.checkpoint else None)
        if self.trainer.is_fsdp_enabled:  # the adapter is in shards: gathered whole, written by the Trainer
            self.trainer.accelerator.state.fsdp_plugin.set_state_dict_type("FULL_STATE_DICT")
            self.trainer.save_model(str(self.output_dir))  # every process takes part
        metrics = train_metrics(
            self.trainer,
            self.cfg,
            self.checkpoint,
            self.style,
            time.time() - self.started,
            len(self.dataset),
            self.skipped,
        )
        if self.main_process:  # with data parallelism, one process writes what all of them trained
            save_adapter(
                self.trainer.model,
                self.tokenizer,
                self.output_dir,
                self.cfg,
                self.style,
                weights=not self.trainer.is_fsdp_enabled,
            )
            write_json(self.output_dir / "train_metrics.json", metrics)
        return metrics


def train(cfg: TrainConfig, log=print) -> dict:
    """Fine-tune and save the adapter into cfg.output_dir; returns what train_metrics.json holds."""
    return TrainingRun(cfg, log).train()


def training_dataset(records: list[dict], cfg: TrainConfig, tokenizer):
    """Prompt/completion pairs that fit cutoff_len (longer ones are counted and left out, never truncated)."""
    from datasets import Dataset

    pairs, lengths, style = training_pairs(records, cfg, tokenizer)
    kept = [p for p, n in zip(pairs, lengths, strict=True) if n <= cfg.cutoff_len]
    if not kept:
        raise DataError(
            f"{cfg.dataset_path}: every example is longer than cutoff_len={cfg.cutoff_len} tokens "
            f"(shortest {min(lengths)}). Raise --cutoff_len."
        )
    return Dataset.from_list(kept), style, len(pairs) - len(kept)


def training_pairs(records: list[dict], cfg: TrainConfig, tokenizer) -> tuple[list[dict], list[int], str]:
    """Each record's prompt/completion pair, its length in tokens as training counts it (prompt,
    completion and EOS), and the prompt style chosen for the model."""
    style = choose_prompt_style(cfg.base_model, tokenizer, cfg.prompt_style)
    pairs = [prompt_completion(r, style, tokenizer, cfg.train_explanation) for r in records]
    eos = tokenizer.eos_token
    lengths = [len(tokenizer(p["prompt"] + p["completion"] + eos)["input_ids"]) for p in pairs]
    return pairs, lengths, style


def sft_arguments(cfg: TrainConfig):
    """TRL's SFTConfig from ours: the profile decides precision, optimizer and memory savers."""
    import torch
    from trl import SFTConfig

    on_gpu = torch.cuda.is_available()
    return SFTConfig(
        output_dir=cfg.output_dir,
        per_device_train_batch_size=cfg.micro_batch_size,
        gradient_accumulation_steps=gradient_accumulation_steps(cfg),
        num_train_epochs=cfg.num_epochs,
        max_steps=cfg.max_steps,
        learning_rate=cfg.learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=cfg.warmup_ratio,  # transformers 5 reads a warmup_steps below 1 as a share of all steps
        weight_decay=cfg.weight_decay,
        optim=cfg.optim if on_gpu else "adamw_torch",
        max_length=cfg.cutoff_len,
        packing=cfg.packing,
        packing_strategy="bfd",
        completion_only_loss=True,
        train_sampling_strategy="group_by_length" if cfg.group_by_length else "random",
        bf16=on_gpu and cfg.compute_dtype == "bfloat16",
        fp16=on_gpu and cfg.compute_dtype == "float16",
        activation_checkpointing=cfg.gradient_checkpointing,
        activation_checkpointing_kwargs={"use_reentrant": False} if cfg.gradient_checkpointing else None,
        save_strategy="steps",
        save_steps=cfg.save_steps,
        save_total_limit=cfg.save_total_limit,
        logging_steps=cfg.logging_steps,
        logging_first_step=True,
        report_to=[],
        seed=cfg.seed,
        data_seed=cfg.seed,
        use_cpu=not on_gpu,
        dataloader_num_workers=0,
        include_num_input_tokens_seen="non_padding",
        ddp_find_unused_parameters=False,  # every LoRA weight takes part in every step: no graph search
        shuffle_dataset=True,
        disable_tqdm=os.environ.get("CI") == "true" and not os.environ.get("LLAMA_SQL_PROGRESS"),
    )


def cast_adapter(model, dtype: str) -> None:
    """Put the trainable LoRA weights in the profile's dtype (TRL makes QLoRA adapters bf16; fp16 AMP on a
    T4 needs fp32 master weights, and the CPU trains fastest and most precisely in fp32)."""
    import torch

    for param in model.parameters():
        if param.requires_grad:
            param.data = param.data.to(getattr(torch, dtype))


def score_answer_positions_only(trainer) -> None:
    """Make TRL's fused LM head score only the positions that carry a label (the answer) on a CPU too.

    The loss is on the answer only, so the head's work on the prompt's positions (about 85% of them) is
    thrown away. TRL skips it where its Triton kernels run (CUDA, XPU) and elsewhere scores every position,
    which keeps tile shapes fixed for compiled backends (XLA, Neuron); eager CPU has no such need, and there
    the head on every position is a large share of a step (BENCHMARKS.md). The loss and the gradients are
    the same either way. TRL decides through its module-level `_use_triton`, which this answers "yes" for a
    CPU while this trainer computes a loss; a TRL without that function keeps its own behaviour.
    """
    import trl.trainer.utils as trl_utils

    decide = getattr(trl_utils, "_use_triton", None)
    if decide is None:
        return
    compute_loss = trainer.compute_loss

    def compute_loss_on_answers(*args, **kwargs):
        trl_utils._use_triton = lambda device: device.type == "cpu" or decide(device)
        try:
            return compute_loss(*args, **kwargs)
        finally:
            trl_utils._use_triton = decide

    trainer.compute_loss = compute_loss_on_answers


def train_metrics(trainer, cfg, checkpoint, style, runtime_s, n_examples, skipped) -> dict:
    history = [
        {"step": e["step"], "loss": round(float(e["loss"]), 6)}
        for e in trainer.state.log_history
        if "loss" in e
    ]
    return {
        "loss_history": history,
        "resumed_from_step": checkpoint_step(checkpoint) if checkpoint else 0,
        "profile": cfg.profile,
        "runtime_s": round(runtime_s, 1),
        "train_tokens": int(trainer.state.num_input_tokens_seen),
        "global_step": trainer.state.global_step,
        "examples": n_examples,
        "examples_too_long": skipped,
        "prompt_style": style,
        "first_loss": history[0]["loss"] if history else None,
        "final_loss": history[-1]["loss"] if history else None,
        "peak_gpu_memory": peak_memory(),
        "config": cfg.to_json(),
    }


def checkpoint_step(path: Path | str) -> int:
    return int(re.search(r"checkpoint-(\d+)$", str(path)).group(1))


def newest_complete_checkpoint(output_dir: Path, set_aside_incomplete: bool = True) -> Path | None:
    """The highest checkpoint-N that finished saving; a half-written one (killed mid-save) is set aside
    (by the main process only, when several train together)."""
    if not output_dir.is_dir():
        return None
    found = sorted(
        (p for p in output_dir.glob("checkpoint-*") if re.search(r"checkpoint-\d+$", p.name)),
        key=checkpoint_step,
        reverse=True,
    )
    for path in found:
        if (path / COMPLETE_MARKER).exists():
            return path
        if set_aside_incomplete:  # incomplete: trusting it would corrupt the resumed run
            shutil.rmtree(path, ignore_errors=True)
    return None


def _checkpoint_marker():
    from transformers import TrainerCallback

    class CheckpointMarker(TrainerCallback):
        """Marks a checkpoint complete only after the Trainer has written all of it."""

        def on_save(self, args, state, control, **kwargs):
            from accelerate import PartialState

            PartialState().wait_for_everyone()  # every process has written its part (each its RNG state)
            folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            if state.is_world_process_zero and folder.is_dir():
                (folder / COMPLETE_MARKER).write_text(str(state.global_step))

    return CheckpointMarker()


def add_cli(parser) -> None:
    """The reference command's flags and every other training setting, read from TrainConfig's fields."""
    add_config_arguments(parser)


def run_cli(args) -> int:
    cfg = config_from_args(args)
    metrics = train(cfg)
    if int(os.environ.get("RANK", "0")) == 0:  # one line for the run, however many processes trained
        print(
            f"adapter saved to {cfg.output_dir}: loss {metrics['first_loss']} -> {metrics['final_loss']} "
            f"in {metrics['runtime_s']} s ({metrics['global_step']} steps)"
        )
    return 0
