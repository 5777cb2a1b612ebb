"""Distance to the limit: this machine's peak matmul rate, and the model FLOPs a run needed.

    peak = peak_matmul_flops()                                   # FLOP/s of a large fp32 torch.matmul
    mfu = training_flops(counts, real_tokens, ...) / seconds / peak

Model FLOPs follow the usual 2N-per-token accounting (N: weights a token meets in matmuls), adapted to a
frozen 4-bit base with LoRA (BENCHMARKS.md gives the reasoning):
- forward: 2N per token, N the base's seven projections per layer plus the LoRA matrices; the LM head's
  2 x vocab x hidden only where its output is used (answer positions in training, the last position of a
  prompt and each generated token in generation);
- backward: 2N per token for the gradient of each matmul's input, which has to flow through the frozen
  base to reach the adapters in every layer, plus 2 x LoRA parameters for the adapters' own weight
  gradients; no weight gradient of the frozen base is computed, so training is about 4N, not 6N;
- attention: causal, each query against the keys before it and itself, 4 x (heads x head_dim) FLOPs per
  pair and layer forward (scores and the weighted sum), three times that in training.
Dequantizing the 4-bit weights, dropout and the optimizer are work the hardware does but the model does
not need, so they count as overhead, not as model FLOPs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from llama_sql.bench.memory_estimate import ModelShape


def peak_matmul_flops(size: int = 2048, repeats: int = 5, dtype: str = "float32") -> dict:
    """The best rate of `repeats` timed `size` x `size` matmuls (after one untimed), in FLOP/s."""
    import torch

    a = torch.randn(size, size, dtype=getattr(torch, dtype))
    b = torch.randn(size, size, dtype=getattr(torch, dtype))
    torch.matmul(a, b)
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        torch.matmul(a, b)
        best = min(best, time.perf_counter() - began)
    return {
        "peak_flops": round(2 * size**3 / best),
        "matmul_size": size,
        "dtype": dtype,
        "repeats": repeats,
        "best_seconds": round(best, 5),
        "torch_threads": torch.get_num_threads(),
    }


@dataclass(frozen=True)
class MatmulWeights:
    """Weights a token meets in matmuls, by role, and the attention width."""

    base: int  # the decoder layers' projections (frozen, 4-bit)
    lora: int  # LoRA A and B matrices on the targeted projections (0 without an adapter)
    head: int  # the LM head
    layers: int
    attention_width: int  # query heads x head_dim

    @classmethod
    def of(cls, shape: ModelShape, lora_r: int = 0, lora_modules=()) -> MatmulWeights:
        shapes = shape.linear_shapes()
        return cls(
            base=shape.num_hidden_layers * sum(i * o for i, o in shapes.values()),
            lora=shape.num_hidden_layers
            * sum(lora_r * (i + o) for n, (i, o) in shapes.items() if n in lora_modules),
            head=shape.vocab_size * shape.hidden_size,
            layers=shape.num_hidden_layers,
            attention_width=shape.num_attention_heads * shape.head_dim,
        )

    def causal_pairs_flops(self, length: int, context: int = 0) -> int:
        """Forward attention FLOPs of `length` new tokens after `context` cached ones, all layers."""
        pairs = length * context + length * (length + 1) // 2
        return 4 * self.attention_width * self.layers * pairs


def training_flops(weights: MatmulWeights, lengths: list[int], answer_tokens: int) -> int:
    """Model FLOPs of training on examples of these real lengths, `answer_tokens` of them scored."""
    body = weights.base + weights.lora
    per_token = 4 * body + 2 * weights.lora
    attention = 3 * sum(weights.causal_pairs_flops(n) for n in lengths)
    return per_token * sum(lengths) + 4 * weights.head * answer_tokens + attention


def generation_flops(weights: MatmulWeights, prompt_lengths: list[int], new_tokens: list[int]) -> int:
    """Model FLOPs of reading each prompt whole and generating its new tokens (the first one from the
    prompt's last position, each later one from a forward pass of the token before it)."""
    body = weights.base + weights.lora
    total = 0
    for length, new in zip(prompt_lengths, new_tokens, strict=True):
        total += 2 * body * length + 2 * weights.head + weights.causal_pairs_flops(length)
        for step in range(1, new):  # the token generated at step `step` is read to make the next one
            total += 2 * body + 2 * weights.head + weights.causal_pairs_flops(1, length + step - 1)
    return total
