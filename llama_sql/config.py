"""Training configuration: one dataclass, built from a hardware profile, overridden by flags or a notebook.

    cfg = train_config("tiny", dataset_path="runs/data/train.json", max_steps=50)

Profiles are the only place hardware knowledge lives. `tiny` runs the offline tiny model on a CPU,
`t4` fits Llama-3.1-8B in a 16 GB T4 (fp16: a T4 has no bf16), `a100` uses bf16 and bigger micro-batches.
QLoRA is the same on all three: a `BitsAndBytesConfig` built from `load_in_4bit` and `compute_dtype`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from llama_sql.records import DataError, write_json

LLAMA_LINEAR_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def setting(default=None, help: str = "", factory=None, choices=None, cli: bool = True):
    """A config field with its help text and allowed values, which the command line shows and checks
    (`cli=False` keeps it off the command line)."""
    metadata = {"help": help, "choices": choices, "cli": cli}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass
class TrainConfig:
    """Every training setting, declared once: the CLI (`add_config_arguments`) and the saved run read these
    fields and their help."""

    base_model: str = setting(
        "tiny", '"tiny" (offline), a hub id such as meta-llama/Llama-3.1-8B, or a local folder'
    )
    dataset_path: str = setting("data/alpaca_sql_dataset.json", "records (JSON or JSONL) to train on")
    output_dir: str = setting(
        "runs/adapter", "adapter, tokenizer, checkpoints and train_metrics.json land here"
    )
    profile: str = setting("tiny", "hardware profile these settings came from (see PROFILES)", cli=False)
    batch_size: int = setting(4, "examples per optimizer step (micro_batch_size x gradient accumulation)")
    micro_batch_size: int = setting(4, "examples per forward pass; lower it first when memory runs out")
    num_epochs: float = setting(3.0, "passes over the data (ignored when max_steps > 0)")
    max_steps: int = setting(-1, "stop after this many optimizer steps; -1 trains for num_epochs")
    cutoff_len: int = setting(
        512, "longest example in tokens; longer ones are left out and counted, never truncated"
    )
    learning_rate: float = setting(
        2e-4, "peak LR of the cosine schedule; LoRA tolerates far more than full fine-tuning"
    )
    warmup_ratio: float = setting(0.03, "share of steps spent warming the LR up")
    weight_decay: float = setting(0.0, "AdamW weight decay on the adapter weights")
    lora_r: int = setting(8, "LoRA rank")
    lora_alpha: int = setting(16, "LoRA scaling numerator (the update is scaled by alpha / r)")
    lora_dropout: float = setting(0.1, "dropout on the LoRA input")
    lora_target_modules: list[str] = setting(
        help="the projections that get LoRA: all seven linear layers of a Llama block",
        factory=lambda: list(LLAMA_LINEAR_MODULES),
    )
    load_in_4bit: bool = setting(True, "QLoRA: NF4 base weights with double quantization")
    quant_storage: str = setting(
        "uint8",
        "dtype the packed 4-bit weights are stored in; bfloat16 for FSDP-QLoRA (FSDP shards floats only)",
        choices=("uint8", "bfloat16", "float16", "float32"),
    )
    compute_dtype: str = setting(
        "float32", "dtype of the 4-bit matmuls and activations", choices=("float32", "float16", "bfloat16")
    )
    adapter_dtype: str = setting(
        "float32",
        "dtype of the trainable LoRA weights (fp32 keeps fp16 loss scaling safe)",
        choices=("float32", "float16", "bfloat16"),
    )
    attn_implementation: str = setting(
        "sdpa", "PyTorch scaled-dot-product attention: on every GPU and on the CPU"
    )
    gradient_checkpointing: bool = setting(
        False, "trade compute for activation memory (needed for 8B on a T4)"
    )
    optim: str = setting("adamw_torch", "transformers optimizer name; paged_adamw_8bit on GPUs")
    group_by_length: bool = setting(
        True, "batch examples of similar length: little padding, attention per example"
    )
    packing: bool = setting(
        False, "padding-free packing; only pays with FlashAttention (SDPA masks the whole row)"
    )
    answer_only_lm_head: bool = setting(
        True, "the LM head scores only answer positions on a CPU too (TRL does so on GPUs already)"
    )
    prompt_style: str = setting(
        "auto",
        "alpaca for base models, chat for -Instruct models, or force one",
        choices=("auto", "alpaca", "chat"),
    )
    train_explanation: bool = setting(
        False, 'learn "SQL, then why": the explanation follows the SQL in the answer'
    )
    save_steps: int = setting(100, "write a checkpoint every this many steps (resume starts from the newest)")
    save_total_limit: int = setting(2, "checkpoints kept on disk")
    logging_steps: int = setting(5, "loss is recorded every this many steps")
    seed: int = setting(42, "data order, LoRA init and dropout")
    resume: bool = setting(False, "continue from the newest complete checkpoint in output_dir")

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def save(self, path: str | Path) -> None:
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
    # micro-batch 2 at 512 tokens keeps Llama-3.1-8B near 8 GB (see llama_sql.bench.memory_estimate).
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


def add_config_arguments(parser, cls=TrainConfig) -> None:
    """`--profile`, then one flag per field of `cls` with the field's help, type and choices, the way
    `HfArgumentParser` reads a dataclass. A flag left out is None: the profile's value stands."""
    parser.add_argument(
        "--profile",
        default="auto",
        choices=["auto", *PROFILES],
        help="hardware profile; auto reads the GPU (t4 before compute capability 8.0, a100 from it) or picks tiny",
    )
    types = {"int": int, "float": float, "str": str}
    for item in dataclasses.fields(cls):
        if not item.metadata.get("cli", True):
            continue
        kind = item.type if isinstance(item.type, str) else getattr(item.type, "__name__", str(item.type))
        options = {
            "default": None,
            "help": item.metadata.get("help"),
            "choices": item.metadata.get("choices"),
        }
        if kind == "bool":
            options["action"] = argparse.BooleanOptionalAction
        elif kind.startswith("list"):
            options["nargs"] = "+"
        else:
            options["type"] = types[kind]
        parser.add_argument(f"--{item.name}", **options)


def config_from_args(args, cls=TrainConfig, log=print) -> TrainConfig:
    """The configuration a command line asked for: its profile, overridden by every flag given."""
    overrides = {
        f.name: getattr(args, f.name, None) for f in dataclasses.fields(cls) if f.metadata.get("cli", True)
    }
    return train_config(args.profile, log=log, config_class=cls, **overrides)


@dataclass(frozen=True)
class GpuCard:
    """What decides a profile: the card's compute capability and memory, as CUDA reports them."""

    name: str
    capability: tuple[int, int]  # (major, minor): T4 7.5, V100 7.0, A100 8.0, L4 8.9, H100 9.0
    memory_gb: float  # total memory in decimal GB (a "16 GB" T4 reports about 15.8)

    @property
    def has_bf16(self) -> bool:
        """Native bf16 starts with Ampere (8.0). `torch.cuda.is_bf16_supported()` also counts emulation and
        answers True on a T4, where bf16 runs several times slower than fp16, so it is not asked."""
        return self.capability >= (8, 0)


def current_card() -> GpuCard | None:
    """The first CUDA device, or None on a machine without one."""
    import torch

    if not torch.cuda.is_available():
        return None
    props = torch.cuda.get_device_properties(0)
    return GpuCard(props.name, (props.major, props.minor), props.total_memory / 1e9)


# Micro-batch and gradient checkpointing by card memory, from llama_sql.bench.memory_estimate's arithmetic for
# Llama-3.1-8B at cutoff_len 512 (largest first): with checkpointing a micro-batch of 2 needs about 7 GB and
# of 4 about 8 GB; without it, 4 examples need about 27 GB and 8 about 46 GB. Skipping checkpointing saves
# the recomputed forward pass (about a quarter of a step) wherever the memory allows it.
MEMORY_TIERS = [  # (at least this many GB, micro_batch_size, gradient_checkpointing)
    (70.0, 8, False),  # A100 80 GB, H100, H200
    (36.0, 4, False),  # A100 40 GB, L40S, A6000
    (20.0, 4, True),  # L4, A10G, RTX 3090/4090, V100 32 GB
    (11.0, 2, True),  # T4, V100 16 GB
    (0.0, 1, True),  # smaller cards
]


def detect_profile(card: GpuCard | None = None) -> str:
    """The profile for this machine: a100 (bf16) on compute capability >= 8.0, t4 (fp16) on an older card,
    tiny without one."""
    card = current_card() if card is None else card
    if card is None:
        return "tiny"
    return "a100" if card.has_bf16 else "t4"


def fit_to_card(cfg: TrainConfig, card: GpuCard, explicit: set[str]) -> str:
    """Set micro-batch and checkpointing from the card's memory (fields the user set stay as set); returns
    the one line that says which profile was picked and why."""
    _, micro, checkpointing = next(tier for tier in MEMORY_TIERS if card.memory_gb >= tier[0])
    if "micro_batch_size" not in explicit:
        cfg.micro_batch_size = min(micro, cfg.batch_size)
    if "gradient_checkpointing" not in explicit:
        cfg.gradient_checkpointing = checkpointing
    precision = "bf16" if card.has_bf16 else "no native bf16, so fp16"
    return (
        f"profile {cfg.profile}: {card.name}, compute capability {card.capability[0]}.{card.capability[1]} "
        f"({precision}), {card.memory_gb:.0f} GB -> {cfg.compute_dtype}, micro-batch {cfg.micro_batch_size}, "
        f"gradient checkpointing {'on' if cfg.gradient_checkpointing else 'off'}"
    )


def train_config(
    profile: str = "auto", *, on_this_machine: bool = True, log=print, config_class=TrainConfig, **overrides
) -> TrainConfig:
    """A `TrainConfig` from a named profile, with explicit overrides (None means: keep the profile's).

    On a GPU the card decides: `auto` picks t4 or a100 from its compute capability, and micro-batch and
    gradient checkpointing follow its memory; one line says what was chosen and why.
    `on_this_machine=False` gives the profile as declared, whatever card is here (paper estimates)."""
    card = current_card() if on_this_machine else None
    if profile == "auto":
        profile = detect_profile(card)
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose auto, {', '.join(PROFILES)}")
    values = {**PROFILES[profile], "profile": profile}
    explicit = {k for k, v in overrides.items() if v is not None}
    values.update({k: overrides[k] for k in explicit})
    cfg = config_class(**values)
    if cfg.micro_batch_size > cfg.batch_size:
        cfg.micro_batch_size = cfg.batch_size
    if card is not None:
        check_hardware(cfg, card)
        if profile != "tiny":
            line = fit_to_card(cfg, card, explicit)
            if log:
                log(line)
    return cfg


def check_hardware(cfg: TrainConfig, card: GpuCard | None = None) -> TrainConfig:
    """Make the dtypes fit the GPU: bf16 asked of a card without native bf16 (a T4) falls back to fp16."""
    card = current_card() if card is None else card
    if card is not None and not card.has_bf16:
        for name in ("compute_dtype", "adapter_dtype"):
            if getattr(cfg, name) == "bfloat16":
                replacement = "float16" if name == "compute_dtype" else "float32"
                warnings.warn(
                    f"{card.name} (compute capability {card.capability[0]}.{card.capability[1]}) has no "
                    f"native bf16: {name} bfloat16 -> {replacement}",
                    stacklevel=2,
                )
                setattr(cfg, name, replacement)
    return cfg


def data_parallel_processes() -> int:
    """How many processes train together: WORLD_SIZE, which `torchrun` and `accelerate launch` set (1 alone)."""
    return max(1, int(os.environ.get("WORLD_SIZE", "1")))


def fit_to_processes(cfg: TrainConfig, processes: int) -> str | None:
    """Share `batch_size` among data-parallel processes: each takes batch_size / processes examples per
    optimizer step, in micro-batches no larger than asked (lowered to a divisor of its share when needed),
    so the effective batch stays `batch_size`. Returns the line that says so (None for one process)."""
    if processes == 1:
        return None
    if cfg.batch_size % processes:
        raise ValueError(
            f"--batch_size {cfg.batch_size} does not split evenly over {processes} processes; "
            f"give a multiple of {processes} (or launch {cfg.batch_size} processes or fewer that divide it)"
        )
    share = cfg.batch_size // processes
    cfg.micro_batch_size = max(n for n in range(1, min(cfg.micro_batch_size, share) + 1) if share % n == 0)
    return (
        f"data parallel: {processes} processes x micro-batch {cfg.micro_batch_size} x "
        f"{gradient_accumulation_steps(cfg, processes)} accumulation steps = batch {cfg.batch_size}"
    )


def gradient_accumulation_steps(cfg: TrainConfig, processes: int | None = None) -> int:
    """Micro-batches each process adds up per optimizer step: batch_size / (micro_batch_size x processes)."""
    processes = data_parallel_processes() if processes is None else processes
    return max(1, cfg.batch_size // (max(1, cfg.micro_batch_size) * processes))


@dataclass
class InferenceConfig:
    """What generation needs from a profile: compare, ask and the notebooks build one of these."""

    profile: str = setting("tiny", "hardware profile the dtype came from", cli=False)
    compute_dtype: str = setting(
        "float32", "dtype of the 4-bit matmuls while generating", choices=("float32", "float16", "bfloat16")
    )
    batch_size: int = setting(32, "prompts generated at once")
    max_new_tokens: int = setting(128, "a bound on every answer, in tokens")
    candidates: int = setting(
        1,
        "answers per question: 1 is greedy decoding; K > 1 adds K-1 sampled answers to the greedy one, "
        "runs them all and answers with the result most of them share (execution-guided answers)",
    )
    temperature: float = setting(
        0.7, "sampling temperature of the extra candidates (plain temperature sampling: no top-k, no top-p)"
    )
    seed: int = setting(0, "seed of the sampled candidates: the same prompts and seed draw the same answers")


def inference_config(profile: str = "auto", **overrides) -> InferenceConfig:
    """The profile's compute dtype (bf16 only on a card with native bf16), with explicit overrides."""
    card = current_card()
    profile = detect_profile(card) if profile == "auto" else profile
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose auto, {', '.join(PROFILES)}")
    dtype = PROFILES[profile]["compute_dtype"]
    if dtype == "bfloat16" and card is not None and not card.has_bf16:
        dtype = "float16"
    values = {"profile": profile, "compute_dtype": dtype}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return InferenceConfig(**values)


SAMPLING_FIELDS = ("candidates", "temperature", "seed")


def add_sampling_arguments(parser) -> None:
    """`--candidates`, `--temperature`, `--seed` with InferenceConfig's defaults and help (compare, ask, benchmark)."""
    fields = {f.name: f for f in dataclasses.fields(InferenceConfig)}
    for name in SAMPLING_FIELDS:
        item = fields[name]
        kind = {"int": int, "float": float}[item.type if isinstance(item.type, str) else item.type.__name__]
        parser.add_argument(
            f"--{name}",
            type=kind,
            default=item.default,
            help=f"{item.metadata['help']} (default {item.default})",
        )


def check_sampling(candidates: int, temperature: float) -> None:
    """Refuse settings that cannot draw answers, saying which flag to change."""
    if candidates < 1:
        raise DataError(f"--candidates must be 1 (greedy) or more, got {candidates}.")
    if candidates > 1 and not temperature > 0:
        raise DataError(f"--temperature must be above 0 to sample candidates, got {temperature}.")
