"""A random-weight Llama-3.1-shaped model built from a config in about a second, for plumbing tests.

    folder = random_tiny_model(tmp_path)       # then load_4bit(str(folder)), LoRA, generate, resume

It is the pretrained tiny base's shape in miniature (grouped-query attention, RoPE with llama3 scaling,
SwiGLU, RMSNorm, untied head; Llama 3.1's special tokens, pad token and chat template) with a small
byte-level BPE trained on the project's prompt template and database definitions. It knows nothing:
use it where a test checks wiring (loading, 4-bit, LoRA, generation, checkpoints), never learning.
"""

from __future__ import annotations

from pathlib import Path

from llama_sql.builder import SCHEMAS
from llama_sql.prompts import database_for_prompt
from llama_sql.tiny.architecture import ARCHITECTURE as PRETRAINED_ARCHITECTURE
from llama_sql.tiny.architecture import build_model, build_tokenizer, prompt_headers

ARCHITECTURE = {  # the pretrained base's shape, shrunk: plumbing needs no capacity
    **{k: v for k, v in PRETRAINED_ARCHITECTURE.items() if k != "vocab_size"},
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "head_dim": 16,
    "max_position_embeddings": 2048,
    "rope_parameters": {
        **PRETRAINED_ARCHITECTURE["rope_parameters"],
        "original_max_position_embeddings": 256,
    },
}
SEED = 0


def tokenizer_text() -> list[str]:
    """The Alpaca template's headers and each project database's definition: what a prompt is made of."""
    return list(prompt_headers()) * 20 + [database_for_prompt(s.instruction) for s in SCHEMAS] * 3


def random_tiny_model(folder: str | Path) -> Path:
    """Write the random-weight model and its tokenizer to `folder` (save_pretrained) and return it."""
    import torch

    folder = Path(folder)
    tokenizer = build_tokenizer(tokenizer_text())
    with torch.random.fork_rng():
        model = build_model(tokenizer, ARCHITECTURE, SEED)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
