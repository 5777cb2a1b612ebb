"""Training configuration: one dataclass, built from a hardware profile, overridden by flags or a notebook.

    cfg = train_config("tiny", dataset_path="runs/data/train.json", max_steps=50)

Profiles are the only place hardware knowledge lives. `tiny` runs the offline tiny model on a CPU,
`t4` fits Llama-3.1-8B in a 16 GB T4 (fp16: a T4 has no bf16), `a100` uses bf16 and bigger micro-batches.
QLoRA is the same on all three: a `BitsAndBytesConfig` built from `load_in_4bit` and `compute_dtype`.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

LLAMA_LINEAR_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class TrainConfig:
    base_model: str = "tiny"  # "tiny" (offline), a hub id such as meta-llama/Llama-3.1-8B, or a local folder
    dataset_path: str = "data/alpaca_sql_dataset.json"  # records (JSON or JSONL) to train on
    output_dir: str = "runs/adapter"  # adapter, tokenizer, checkpoints and train_metrics.json land here
    profile: str = "tiny"  # hardware profile these settings came from: tiny, t4 or a100
    batch_size: int = 4  # examples per optimizer step (micro_batch_size x gradient accumulation)
    micro_batch_size: int = 4  # examples per forward pass; lower it first when memory runs out
    num_epochs: float = 3.0  # passes over the data (ignored when max_steps > 0)
    max_steps: int = -1  # stop after this many optimizer steps; -1 trains for num_epochs
    cutoff_len: int = 512  # longest example in tokens; longer ones are left out and counted, never truncated
    learning_rate: float = (
        2e-4  # peak LR of the cosine schedule; LoRA tolerates far more than full fine-tuning
    )
    warmup_ratio: float = 0.03  # share of steps spent warming the LR up
    weight_decay: float = 0.0  # AdamW weight decay on the adapter weights
    lora_r: int = 8  # LoRA rank
    lora_alpha: int = 16  # LoRA scaling numerator (the update is scaled by alpha / r)
    lora_dropout: float = 0.1  # dropout on the LoRA input
    lora_target_modules: list[str] = field(
        default_factory=lambda: list(LLAMA_LINEAR_MODULES)
    )  # all linear layers
    load_in_4bit: bool = True  # QLoRA: NF4 base weights with double quantization
    compute_dtype: str = "float32"  # dtype of the 4-bit matmuls and activations: float32, float16 or bfloat16
    adapter_dtype: str = "float32"  # dtype of the trainable LoRA weights (fp32 keeps fp16 loss scaling safe)
    attn_implementation: str = "sdpa"  # PyTorch scaled-dot-product attention: on every GPU and on the CPU
    gradient_checkpointing: bool = False  # trade compute for activation memory (needed for 8B on a T4)
    optim: str = "adamw_torch"  # transformers optimizer name; paged_adamw_8bit on GPUs
    group_by_length: bool = True  # batch examples of similar length: little padding, attention per example
    packing: bool = False  # padding-free packing; only pays with FlashAttention (SDPA masks the whole row)
    prompt_style: str = "auto"  # alpaca for base models, chat for -Instruct models, or force one
    train_explanation: bool = False  # learn "SQL, then why": the explanation follows the SQL in the answer
    save_steps: int = 100  # write a checkpoint every this many steps (resume starts from the newest)
    save_total_limit: int = 2  # checkpoints kept on disk
    logging_steps: int = 5  # loss is recorded every this many steps
    seed: int = 42  # data order, LoRA init and dropout
    resume: bool = False  # continue from the newest checkpoint in output_dir

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def save(self, path: str | Path) -> None:
        from llama_sql.records import write_json

        write_json(path, self.to_json())

    @classmethod
    def load(cls, path: str | Path) -> TrainConfig:
        return cls.from_json(json.loads(Path(path).read_text()))


PROFILES: dict[str, dict] = {
    # CPU, offline tiny model: fp32 math, high LoRA LR because the model is small and steps are few.
    "tiny": dict(
        compute_dtype="float32",
        adapter_dtype="float32",
        micro_batch_size=4,
        learning_rate=3e-3,
        gradient_checkpointing=False,
        optim="adamw_torch",
        save_steps=100,
        logging_steps=5,
    ),
    # 16 GB T4, no bf16: fp16 compute, fp32 adapters under loss scaling, checkpointing, paged 8-bit AdamW.
    # micro-batch 2 at 512 tokens keeps Llama-3.1-8B near 8 GB (see llama_sql.memory_estimate).
    "t4": dict(
        compute_dtype="float16",
        adapter_dtype="float32",
        micro_batch_size=2,
        learning_rate=2e-4,
        gradient_checkpointing=True,
        optim="paged_adamw_8bit",
        save_steps=50,
        logging_steps=5,
    ),
    # 40/80 GB A100: bf16 everywhere, bigger micro-batches.
    "a100": dict(
        compute_dtype="bfloat16",
        adapter_dtype="bfloat16",
        micro_batch_size=8,
        learning_rate=2e-4,
        gradient_checkpointing=True,
        optim="paged_adamw_8bit",
        save_steps=50,
        logging_steps=5,
    ),
}


def detect_profile() -> str:
    """The profile for this machine: a100 on a bf16-capable GPU, t4 on an older GPU, tiny without one."""
    import torch

    if not torch.cuda.is_available():
        return "tiny"
    return "a100" if torch.cuda.is_bf16_supported() else "t4"


def train_config(profile: str = "auto", **overrides) -> TrainConfig:
    """A `TrainConfig` from a named profile, with explicit overrides (None means: keep the profile's)."""
    if profile == "auto":
        profile = detect_profile()
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose auto, {', '.join(PROFILES)}")
    values = {**PROFILES[profile], "profile": profile}
    values.update({k: v for k, v in overrides.items() if v is not None})
    cfg = TrainConfig(**values)
    if cfg.micro_batch_size > cfg.batch_size:
        cfg.micro_batch_size = cfg.batch_size
    return check_hardware(cfg)


def check_hardware(cfg: TrainConfig) -> TrainConfig:
    """Make the dtypes fit the GPU: bf16 asked on a GPU without it (a T4) falls back to fp16, with a warning."""
    import torch

    if torch.cuda.is_available() and not torch.cuda.is_bf16_supported():
        for name in ("compute_dtype", "adapter_dtype"):
            if getattr(cfg, name) == "bfloat16":
                replacement = "float16" if name == "compute_dtype" else "float32"
                warnings.warn(
                    f"{torch.cuda.get_device_name()} has no bf16: {name} bfloat16 -> {replacement}",
                    stacklevel=2,
                )
                setattr(cfg, name, replacement)
    return cfg


def gradient_accumulation_steps(cfg: TrainConfig) -> int:
    return max(1, cfg.batch_size // max(1, cfg.micro_batch_size))
