"""Loading a base model in 4-bit (NF4, double quantization), the one way every profile does it.

    model, tokenizer = load_4bit("meta-llama/Llama-3.1-8B", compute_dtype="float16")   # Colab T4
    model, tokenizer = load_4bit("tiny")                                                # CPU, offline

Hub ids, pre-quantized checkpoints and local folders go through the same function; only the
`BitsAndBytesConfig` differs (a pre-quantized checkpoint brings its own). Gated meta-llama models need
a token: HF_TOKEN in the environment, or the Colab secret of that name.
"""

from __future__ import annotations

import os
from pathlib import Path

from llama_sql.records import DataError
from llama_sql.tiny import shipped_base

GATED_HINT = (
    "{model} is gated: accept Meta's licence on its Hugging Face page, create a read token at "
    "https://huggingface.co/settings/tokens, then either `export HF_TOKEN=hf_...` or, in Colab, add a secret "
    "named HF_TOKEN (key icon in the left bar) and allow this notebook to read it. Without a GPU or a token, "
    "use `--base_model tiny`."
)


def resolve_model_path(base_model: str) -> str:
    """`tiny` -> the shipped pretrained tiny base's folder; a path must exist; else a hub id."""
    if base_model == "tiny":
        return str(shipped_base())
    path = Path(base_model).expanduser()
    looks_local = base_model.startswith((".", "/", "~")) or path.exists() or base_model.count("/") != 1
    if looks_local:
        if not (path / "config.json").exists():
            raise DataError(
                f"{base_model}: no model folder here (no config.json). Give a folder written by "
                "save_pretrained, a hub id such as meta-llama/Llama-3.1-8B, or `tiny`."
            )
        return str(path)
    return base_model


def hub_token() -> str | None:
    """HF_TOKEN (or HUGGING_FACE_HUB_TOKEN) from the environment, else the Colab secret HF_TOKEN."""
    token = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")
    if token:
        return token
    try:
        from google.colab import userdata  # type: ignore[import-not-found]

        return userdata.get("HF_TOKEN")
    except Exception:  # not in Colab, or the secret is absent or not shared with this notebook
        return None


def require_gpu_for(base_model: str) -> None:
    """A real Llama on a machine without a GPU: say so, and point at a GPU runtime or the tiny profile."""
    import torch

    if base_model != "tiny" and not Path(base_model).exists() and not torch.cuda.is_available():
        raise DataError(
            f"{base_model} needs a GPU and this runtime has none. In Colab choose Runtime > Change "
            "runtime type > T4 GPU (or A100); on a CPU use `--base_model tiny --profile tiny`."
        )


def bnb_config(compute_dtype: str, quant_storage: str = "uint8"):
    """NF4 with double quantization: about 0.53 bytes a parameter for Llama's linear layers. The packed
    weights live in `quant_storage` (uint8; bfloat16 lets FSDP shard them, as FSDP-QLoRA needs)."""
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=getattr(torch, compute_dtype),
        bnb_4bit_quant_storage=getattr(torch, quant_storage),
    )


def load_tokenizer(model_path: str):
    """The model's tokenizer, with a pad token that is never EOS (Llama 3.1: <|finetune_right_pad_id|>)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path, token=hub_token())
    if tokenizer.pad_token is None or tokenizer.pad_token == tokenizer.eos_token:
        vocab = tokenizer.get_vocab()
        if "<|finetune_right_pad_id|>" in vocab:
            tokenizer.pad_token = "<|finetune_right_pad_id|>"
        else:  # not a Llama 3.1 tokenizer: add a dedicated pad token (the embedding gets resized)
            tokenizer.add_special_tokens({"pad_token": "<|pad|>"})
    return tokenizer


def load_4bit(
    base_model: str,
    compute_dtype: str = "float32",
    load_in_4bit: bool = True,
    attn_implementation: str = "sdpa",
    quant_storage: str = "uint8",
):
    """(model, tokenizer) with the base's linear layers in 4-bit, ready for LoRA or generation. A floating
    `quant_storage` also sets the other weights' dtype, so that FSDP sees one dtype throughout."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    require_gpu_for(base_model)
    path = resolve_model_path(base_model)
    token = hub_token()
    try:
        config = AutoConfig.from_pretrained(path, token=token)
    except OSError as err:
        if "gated" in str(err).lower() or "401" in str(err) or "403" in str(err):
            raise DataError(GATED_HINT.format(model=base_model)) from None
        raise DataError(
            f"{base_model}: cannot read the model's config ({err}). Check the id or folder."
        ) from None
    prequantized = getattr(config, "quantization_config", None) is not None
    dtype = compute_dtype if quant_storage == "uint8" else quant_storage
    kwargs = dict(dtype=getattr(torch, dtype), attn_implementation=attn_implementation, token=token)
    if load_in_4bit and not prequantized:
        kwargs["quantization_config"] = bnb_config(compute_dtype, quant_storage)
    if torch.cuda.is_available() and not sharded_by_fsdp():
        # each data-parallel process holds its own copy on its own GPU (LOCAL_RANK: 0 when alone)
        kwargs["device_map"] = {"": int(os.environ.get("LOCAL_RANK", "0"))}
    model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    tokenizer = load_tokenizer(path)
    if len(tokenizer) > model.get_input_embeddings().num_embeddings:
        model.resize_token_embeddings(len(tokenizer))
    model.config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    keep_cpu_inference_in(model, compute_dtype)
    return model, tokenizer


def sharded_by_fsdp() -> bool:
    """True under `accelerate launch` with an FSDP config: FSDP places (and shards) the model itself."""
    return os.environ.get("ACCELERATE_USE_FSDP", "false").lower() in ("1", "true")


def keep_cpu_inference_in(model, compute_dtype: str) -> None:
    """On a CPU, make 4-bit inference compute in `compute_dtype`, as training does.

    bitsandbytes (0.50) has a CPU inference path for CPUs with AVX512-BF16: at the first forward pass
    without gradients it repacks each 4-bit weight in place and from then on rounds inputs and outputs
    of every 4-bit matmul to bfloat16, whatever the compute dtype. That makes a float32 profile
    generate in bfloat16 (about 3 significant digits), enough for a prompt's output to change with the
    batch it is in; the repacked weights are also not the layout training reads. Turning that path off
    keeps generation in float32, batched or not (and no slower on the 2-core CI machine; BENCHMARKS.md).
    On a GPU, or with a bfloat16 compute dtype, nothing changes.
    """
    import bitsandbytes as bnb

    if compute_dtype == "bfloat16" or model.device.type != "cpu":
        return
    for module in model.modules():
        if isinstance(module, bnb.nn.Linear4bit):
            module.support_avx512bf16_for_cpu = False


def stop_token_ids(tokenizer, model=None) -> list[int]:
    """Every id that ends an answer: the tokenizer's EOS, <|eot_id|> and <|end_of_text|> where they exist."""
    ids = {tokenizer.eos_token_id}
    for token in ("<|eot_id|>", "<|end_of_text|>", "<|eom_id|>"):
        token_id = tokenizer.get_vocab().get(token)
        if token_id is not None:
            ids.add(token_id)
    if model is not None:
        configured = model.generation_config.eos_token_id
        ids.update(
            configured if isinstance(configured, list) else [configured] if configured is not None else []
        )
    return sorted(i for i in ids if i is not None)
