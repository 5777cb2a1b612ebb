"""Peak GPU memory of QLoRA training, on paper: what a T4 or an A100 needs for Llama-3.1-8B with a profile.

    python -m llama_sql memory         # prints the T4 and A100 arithmetic (BENCHMARKS.md shows it)

We cannot run a GPU here, so the estimate is built from the model's shape and the training configuration,
term by term, each with the formula that produced it. The terms follow what our stack keeps on the GPU:
NF4 base weights with double-quantized constants (bitsandbytes), 16-bit embeddings and head, LoRA weights
and their gradients in the adapter dtype, paged 8-bit AdamW states, the layer inputs kept by gradient
checkpointing, the one layer recomputed during backward, TRL's fused LM head (the 128k-entry logits are
built in tiles, never whole), the dequantized weight of the layer at work, and the CUDA context plus the
caching allocator's slack. `decode_tokens_per_s_bound` gives the matching bandwidth bound on generation.
"""

from __future__ import annotations

from dataclasses import dataclass

from llama_sql.config import TrainConfig, train_config

GB = 1e9  # decimal gigabytes, as GPU makers and nvidia-smi's "16 GB T4" count them
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2}
NF4_BLOCK = 64  # parameters sharing one absmax in bitsandbytes NF4
NESTED_BLOCK = 256  # absmax values sharing one fp32 constant under double quantization
OPTIMIZER_BYTES = {  # per trainable parameter: two moments, plus one fp32 absmax per 256 values for 8-bit
    "paged_adamw_8bit": 2 * (1 + 4 / 256),
    "adamw_8bit": 2 * (1 + 4 / 256),
    "adamw_torch": 2 * 4,
}
LM_HEAD_TILE = (4096, 32768)  # TRL's chunked log-prob: tokens x vocabulary entries per logits tile
CUDA_CONTEXT_BYTES = 0.45 * GB  # CUDA 12 context, PyTorch and cuBLAS kernels and workspace, before any tensor
ALLOCATOR_SLACK = 0.10  # reserved above allocated: batches of varying length fragment the caching allocator
GPU_BANDWIDTH = {"t4": 320 * GB, "a100": 1555 * GB}  # bytes/s: T4 GDDR6, A100 40 GB HBM2
GPU_CAPACITY = {"t4": 15.0 * GB, "a100": 40.0 * GB}  # what PyTorch can use of a 16 GB T4 and a 40 GB A100


@dataclass(frozen=True)
class ModelShape:
    """The sizes of a Llama-architecture model that decide its memory."""

    name: str
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    head_dim: int
    tie_word_embeddings: bool = False

    @classmethod
    def from_config(cls, config, name: str = "model") -> ModelShape:
        """From a transformers LlamaConfig (e.g. the tiny model's `model.config`)."""
        return cls(
            name=name,
            vocab_size=config.vocab_size,
            hidden_size=config.hidden_size,
            intermediate_size=config.intermediate_size,
            num_hidden_layers=config.num_hidden_layers,
            num_attention_heads=config.num_attention_heads,
            num_key_value_heads=config.num_key_value_heads,
            head_dim=getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads,
            tie_word_embeddings=bool(getattr(config, "tie_word_embeddings", False)),
        )

    def linear_shapes(self) -> dict[str, tuple[int, int]]:
        """(in, out) of each projection in one decoder layer: the layers that are quantized and get LoRA."""
        h, i = self.hidden_size, self.intermediate_size
        q, kv = self.num_attention_heads * self.head_dim, self.num_key_value_heads * self.head_dim
        return {
            "q_proj": (h, q),
            "k_proj": (h, kv),
            "v_proj": (h, kv),
            "o_proj": (q, h),
            "gate_proj": (h, i),
            "up_proj": (h, i),
            "down_proj": (i, h),
        }

    @property
    def linear_parameters(self) -> int:
        return self.num_hidden_layers * sum(a * b for a, b in self.linear_shapes().values())

    @property
    def sixteen_bit_parameters(self) -> int:
        """Kept unquantized: token embeddings, the LM head (unless tied), and the RMSNorm weights."""
        matrices = (1 if self.tie_word_embeddings else 2) * self.vocab_size * self.hidden_size
        return matrices + (2 * self.num_hidden_layers + 1) * self.hidden_size

    @property
    def total_parameters(self) -> int:
        return self.linear_parameters + self.sixteen_bit_parameters

    def lora_parameters(self, r: int, modules) -> int:
        return self.num_hidden_layers * sum(
            r * (a + b) for m, (a, b) in self.linear_shapes().items() if m in modules
        )


LLAMA31_8B = ModelShape("meta-llama/Llama-3.1-8B", 128256, 4096, 14336, 32, 32, 8, 128)


@dataclass(frozen=True)
class MemoryTerm:
    name: str
    bytes: float
    formula: str  # the arithmetic with this configuration's numbers, for BENCHMARKS.md


@dataclass(frozen=True)
class MemoryEstimate:
    model: str
    profile: str
    terms: list[MemoryTerm]

    @property
    def total_bytes(self) -> float:
        return sum(t.bytes for t in self.terms)

    @property
    def total_gb(self) -> float:
        return self.total_bytes / GB

    def term(self, name: str) -> MemoryTerm:
        return next(t for t in self.terms if t.name == name)


def nf4_bytes_per_parameter() -> float:
    """4 bits, plus an 8-bit absmax per 64 weights, plus an fp32 constant per 256 absmax (double quantization)."""
    return 0.5 + 1 / NF4_BLOCK + 4 / (NF4_BLOCK * NESTED_BLOCK)


def layer_bytes_per_token(shape: ModelShape, cfg: TrainConfig) -> float:
    """What one decoder layer saves for backward, per token, in our stack (SDPA attention, LoRA everywhere).

    bitsandbytes' 4-bit matmul keeps no input for a frozen weight; each LoRA branch keeps its own dropout
    output and mask; HF's RMSNorm works in fp32; SDPA keeps q, k, v, its output and a logsumexp per head
    (no seq x seq scores); SwiGLU keeps gate, up and silu(gate).
    """
    h, i, c = shape.hidden_size, shape.intermediate_size, DTYPE_BYTES[cfg.compute_dtype]
    q, kv = shape.num_attention_heads * shape.head_dim, 2 * shape.num_key_value_heads * shape.head_dim
    lora_inputs = sum(a for m, (a, _) in shape.linear_shapes().items() if m in cfg.lora_target_modules)
    norms = 2 * (4 + 4) * h  # fp32 input and fp32 normalised output, before and after attention
    lora = lora_inputs * (c + (1 if cfg.lora_dropout > 0 else 0))
    attention = (q + kv + q) * c + 4 * shape.num_attention_heads
    mlp = 3 * i * c
    return norms + lora + attention + mlp


def estimate_peak_memory(
    cfg: TrainConfig, shape: ModelShape = LLAMA31_8B, fused_lm_head: bool = True
) -> MemoryEstimate:
    """Peak GPU bytes of one QLoRA training step, term by term (see the module docstring).

    The sequence length is `cfg.cutoff_len` (the longest batch length-grouping can produce) and the batch is
    `cfg.micro_batch_size`; gradient accumulation does not add memory. `fused_lm_head=False` shows what a
    stack that materialises the full logits (fp16, their fp32 copy, and the fp32 gradient) would need.
    """
    c, a = DTYPE_BYTES[cfg.compute_dtype], DTYPE_BYTES[cfg.adapter_dtype]
    h, v, layers = shape.hidden_size, shape.vocab_size, shape.num_hidden_layers
    b, s = cfg.micro_batch_size, cfg.cutoff_len
    tokens = b * s
    nf4, lora = nf4_bytes_per_parameter(), shape.lora_parameters(cfg.lora_r, cfg.lora_target_modules)
    opt = OPTIMIZER_BYTES.get(cfg.optim, OPTIMIZER_BYTES["adamw_torch"])
    per_layer = layer_bytes_per_token(shape, cfg)
    terms = [
        MemoryTerm(
            "weights_4bit",
            shape.linear_parameters * nf4,
            f"{shape.linear_parameters:,} linear params x {nf4:.4f} B (NF4 + double-quantized absmax)",
        ),
        MemoryTerm(
            "weights_16bit",
            shape.sixteen_bit_parameters * c,
            f"{shape.sixteen_bit_parameters:,} embedding/head/norm params x {c} B ({cfg.compute_dtype})",
        ),
        MemoryTerm("lora_weights", lora * a, f"{lora:,} LoRA params (r={cfg.lora_r}) x {a} B"),
        MemoryTerm("lora_gradients", lora * a, f"{lora:,} gradients x {a} B"),
        MemoryTerm("optimizer_states", lora * opt, f"{lora:,} params x {opt:.3f} B ({cfg.optim})"),
    ]
    if cfg.gradient_checkpointing:
        terms.append(
            MemoryTerm(
                "activation_checkpoints",
                (layers + 1) * tokens * h * c,
                f"({layers} layer inputs + embeddings) x {b}x{s} tokens x {h} x {c} B",
            )
        )
        terms.append(
            MemoryTerm(
                "recomputed_layer",
                tokens * per_layer,
                f"1 layer recomputed in backward: {b}x{s} tokens x {per_layer:,.0f} B/token",
            )
        )
    else:
        terms.append(
            MemoryTerm(
                "activations",
                layers * tokens * per_layer,
                f"{layers} layers x {b}x{s} tokens x {per_layer:,.0f} B/token (no checkpointing)",
            )
        )
    terms.append(logits_term(tokens, h, v, c, fused_lm_head))
    largest = max(x * y for x, y in shape.linear_shapes().values())
    terms.append(
        MemoryTerm(
            "dequantized_weight", largest * c, f"largest projection {largest:,} params x {c} B, one at a time"
        )
    )
    allocated = sum(t.bytes for t in terms)
    dynamic = allocated - sum(t.bytes for t in terms[:5])
    terms.append(
        MemoryTerm(
            "cuda_and_allocator",
            CUDA_CONTEXT_BYTES + ALLOCATOR_SLACK * dynamic,
            f"{CUDA_CONTEXT_BYTES / GB:.2f} GB CUDA context + {ALLOCATOR_SLACK:.0%} slack on "
            f"{dynamic / GB:.2f} GB of per-step tensors",
        )
    )
    return MemoryEstimate(shape.name, cfg.profile, terms)


def logits_term(tokens: int, hidden: int, vocab: int, c: int, fused: bool) -> MemoryTerm:
    """TRL's fused head projects tiles of at most 4096 tokens x 32768 vocabulary entries (on a GPU it scores
    only the answer's tokens, so counting every token is an upper bound); unfused, every token holds all
    128k logits in fp16, their fp32 upcast for the loss, and their fp32 gradient."""
    if fused:
        rows, cols = min(tokens, LM_HEAD_TILE[0]), min(vocab, LM_HEAD_TILE[1])
        size = rows * cols * c + tokens * hidden * (c + 4)
        formula = (
            f"fused: tile {rows}x{cols} x {c} B + {tokens} tokens x {hidden} x ({c} + 4) B (hidden and its "
            f"fp32 grad)"
        )
        return MemoryTerm("logits", size, formula)
    return MemoryTerm(
        "logits", tokens * vocab * (c + 4 + 4), f"{tokens} tokens x {vocab:,} x ({c} + 4 + 4) B"
    )


def profile_estimate(profile: str, shape: ModelShape = LLAMA31_8B, **overrides) -> MemoryEstimate:
    """The estimate for a named profile (t4, a100) with the project's default recipe."""
    return estimate_peak_memory(train_config(profile, on_this_machine=False, **overrides), shape)


def decode_bytes_per_token(shape: ModelShape = LLAMA31_8B, compute_dtype: str = "float16") -> float:
    """Batch-1 decoding reads every weight once per token: the 4-bit layers and the 16-bit LM head
    (the embedding is a lookup of one row, so it does not count)."""
    head = shape.vocab_size * shape.hidden_size * DTYPE_BYTES[compute_dtype]
    return shape.linear_parameters * nf4_bytes_per_parameter() + head


def decode_tokens_per_s_bound(shape: ModelShape = LLAMA31_8B, gpu: str = "t4") -> float:
    """The bandwidth bound on batch-1 decoding: memory bandwidth / bytes read per token."""
    return GPU_BANDWIDTH[gpu] / decode_bytes_per_token(shape)


def format_estimate(estimate: MemoryEstimate, gpu: str | None = None) -> str:
    """The arithmetic as a Markdown table, one row per term, then the total against the GPU's capacity."""
    rows = [
        f"Peak memory estimate: {estimate.model}, profile `{estimate.profile}`",
        "",
        "| term | GB | arithmetic |",
        "|---|---:|---|",
    ]
    rows += [f"| {t.name} | {t.bytes / GB:.3f} | {t.formula} |" for t in estimate.terms]
    room = f"of {GPU_CAPACITY[gpu] / GB:.0f} GB usable on the {gpu.upper()}" if gpu else ""
    return "\n".join([*rows, f"| **total** | **{estimate.total_gb:.2f}** | {room} |"])


def print_paper_figures() -> None:
    """The on-paper T4 and A100 figures that BENCHMARKS.md quotes, with their arithmetic."""
    for gpu in ("t4", "a100"):
        cfg = train_config(gpu, on_this_machine=False)
        estimate = estimate_peak_memory(cfg)
        unfused = estimate_peak_memory(cfg, fused_lm_head=False)
        print(format_estimate(estimate, gpu))
        print(
            f"\nMicro-batch {cfg.micro_batch_size} x {cfg.cutoff_len} tokens, LoRA r={cfg.lora_r}. Without TRL's "
            f"fused LM head the logits term would be {unfused.term('logits').bytes / GB:.2f} GB "
            f"(total {unfused.total_gb:.2f} GB)."
        )
        for label, overrides in VARIANTS[gpu]:
            print(f"{label}: {profile_estimate(gpu, **overrides).total_gb:.2f} GB")
        print(
            f"Batch-1 4-bit decoding on the {gpu.upper()}: {GPU_BANDWIDTH[gpu] / GB:.0f} GB/s / "
            f"{decode_bytes_per_token() / GB:.2f} GB read per token = {decode_tokens_per_s_bound(gpu=gpu):.0f} "
            "tokens/s at best\n"
        )


VARIANTS = {  # other settings worth a line under each table
    "t4": [
        ("Published anchor setting (r 16, batch 2 x 4; reported near 8 GB)", dict(lora_r=16, batch_size=8))
    ],
    "a100": [("Micro-batch 8 (--batch_size 8; the default batch_size 4 caps it at 4)", dict(batch_size=8))],
}


def add_cli(parser) -> None:
    """No flags: the figures are for Llama-3.1-8B on the t4 and a100 profiles."""


def run_cli(args) -> int:
    print_paper_figures()
    return 0
