"""Merge a QLoRA adapter into a 16-bit copy of its base: one model folder that plain transformers and vLLM load.

    python -m llama_sql export --adapter runs/adapter --output_dir runs/merged
    python -m llama_sql export --adapter runs/adapter --output_dir runs/merged --push_to_hub me/llama-sql --push_merged

The adapter learned its update on top of the 4-bit NF4 weights, so it is merged into those weights,
de-quantized: the base is loaded in 4-bit exactly as training loaded it, de-quantized to 16-bit with
transformers' `model.dequantize()` (which exists for merging QLoRA adapters), the adapter attached
and folded in with PEFT's `merge_and_unload`. Merging into a freshly downloaded 16-bit base instead
would add the update to weights the adapter never saw. An adapter trained without 4-bit
(`load_in_4bit` false in its record) is merged into its 16-bit base directly. The folder (config.json without a quantization_config, safetensors,
tokenizer, generation_config.json) is written to a temporary folder and renamed into place.

`--push_to_hub REPO` uploads the adapter to REPO and, with `--push_merged`, the merged model to
REPO-merged (both private), with the token from HF_TOKEN or the Colab secret of that name. The 16-bit
copy needs about 2 bytes a parameter (16 GB for Llama-3.1-8B) where the model is loaded: a 16 GB T4
cannot hold it, and export says so before it starts rather than running out of memory halfway.
"""

from __future__ import annotations

import os
from pathlib import Path

from llama_sql.adapters import adapter_base_model, check_adapter_fits, read_adapter_info
from llama_sql.bench.memory_estimate import GB, ModelShape
from llama_sql.config import inference_config
from llama_sql.modeling import hub_token, load_4bit
from llama_sql.records import DataError, atomic_path

EXPORT_DTYPES = ("float16", "bfloat16")
IGNORED_ON_PUSH = ["checkpoint-*", "checkpoint-*/**", ".final*", "train_config.json"]


def export_dtype(info: dict, dtype: str | None = None) -> str:
    """The asked dtype, else bfloat16 for an adapter trained in bf16 and float16 for any other."""
    if dtype is None:
        return "bfloat16" if info.get("compute_dtype") == "bfloat16" else "float16"
    if dtype not in EXPORT_DTYPES:
        raise DataError(f"--dtype {dtype!r}: an exported model is float16 or bfloat16.")
    return dtype


def merge_adapter(adapter: str | Path, base_model: str | None = None, dtype: str | None = None):
    """(merged model, tokenizer, dtype): the adapter folded into its de-quantized 4-bit base."""
    import torch
    from peft import PeftModel

    info = read_adapter_info(adapter)
    base = adapter_base_model(adapter, info, base_model)
    dtype = export_dtype(info, dtype)
    # The dtype training loaded (and so quantized) the base in; older adapters: this device's profile's.
    load_dtype = info.get("compute_dtype") or inference_config("auto").compute_dtype
    quantized = info.get("load_in_4bit", True)  # an adapter trained on a 16-bit base merges into one
    model, tokenizer = load_4bit(base, load_dtype if quantized else dtype, load_in_4bit=quantized)
    check_adapter_fits(info, model, base, adapter)
    if getattr(model, "hf_quantizer", None) is not None:
        check_room_for_merge(model, base)
        model = model.dequantize(dtype=getattr(torch, dtype))  # NF4 Linear4bit -> nn.Linear in `dtype`
    model = model.to(getattr(torch, dtype))  # embeddings and norms, still in the load dtype
    model = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    model.config.dtype = dtype
    return model, tokenizer, dtype


def check_room_for_merge(model, base: str, free_bytes: int | None = None) -> None:
    """Refuse before de-quantizing when the 16-bit linear layers cannot fit beside what is loaded.

    On a GPU that is its free memory (a 16 GB T4 cannot hold Llama-3.1-8B in 16-bit); on a CPU, the
    machine's available memory. Running out halfway would instead end in an out-of-memory crash.
    """
    import torch

    needed = ModelShape.from_config(model.config).linear_parameters * 2
    if model.device.type == "cuda":
        where = f"{torch.cuda.get_device_name(model.device)} GPU memory"
        free = torch.cuda.mem_get_info(model.device)[0] if free_bytes is None else free_bytes
    else:
        where = "memory"
        free = _available_memory() if free_bytes is None else free_bytes
    if free is not None and needed > free:
        raise DataError(
            f"{base}: the merged 16-bit copy needs about {needed / GB:.1f} GB more {where} than the 4-bit "
            f"model, and {free / GB:.1f} GB is free. Export on a machine with more memory (in Colab: "
            "Runtime > Change runtime type > A100 GPU); the adapter itself still works on the 4-bit base."
        )


def _available_memory() -> int | None:
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # not Linux: no cheap answer, so no check
        return None


def export_merged(
    adapter: str | Path, output_dir: str | Path, base_model: str | None = None, dtype: str | None = None
) -> Path:
    """Write the merged 16-bit model (config, safetensors, tokenizer, generation config) to output_dir."""
    model, tokenizer, _ = merge_adapter(adapter, base_model, dtype)
    with atomic_path(output_dir) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
    return Path(output_dir)


def push_to_hub(
    adapter: str | Path, repo: str, merged_dir: str | Path | None = None, token: str | None = None
) -> list[str]:
    """Upload the adapter to `repo` (and a merged folder to `repo`-merged); returns the repo URLs."""
    from huggingface_hub import HfApi

    token = token or require_token(repo)
    api = HfApi(token=token)
    uploads = [(repo, Path(adapter), IGNORED_ON_PUSH)]
    if merged_dir is not None:
        uploads.append((f"{repo}-merged", Path(merged_dir), None))
    urls = []
    for repo_id, folder, ignore in uploads:
        url = api.create_repo(repo_id, private=True, exist_ok=True)
        api.upload_folder(repo_id=repo_id, folder_path=str(folder), ignore_patterns=ignore)
        urls.append(str(url))
    return urls


def require_token(repo: str) -> str:
    token = hub_token()
    if not token:
        raise DataError(
            f"--push_to_hub {repo}: no Hugging Face token. Create a write token at "
            "https://huggingface.co/settings/tokens, then `export HF_TOKEN=hf_...` or, in Colab, add a "
            "secret named HF_TOKEN (key icon in the left bar) and allow this notebook to read it."
        )
    return token


def add_cli(parser) -> None:
    parser.add_argument("--adapter", required=True, help="folder written by `train`")
    parser.add_argument("--output_dir", required=True, help="where the merged model folder goes")
    parser.add_argument("--base_model", help="default: the base the adapter was trained on")
    parser.add_argument(
        "--dtype", choices=EXPORT_DTYPES, help="default: bfloat16 if trained in bf16, else float16"
    )
    parser.add_argument("--push_to_hub", metavar="REPO", help="upload the adapter to this hub repo")
    parser.add_argument(
        "--push_merged", action="store_true", help="also upload the merged model to REPO-merged"
    )


def run_cli(args) -> int:
    if args.push_merged and not args.push_to_hub:
        raise DataError("--push_merged needs --push_to_hub REPO (the merged model goes to REPO-merged).")
    token = require_token(args.push_to_hub) if args.push_to_hub else None  # before minutes of merging
    dtype = export_dtype(read_adapter_info(args.adapter), args.dtype)
    folder = export_merged(args.adapter, args.output_dir, args.base_model, dtype)
    print(
        f"merged model ({dtype}) written to {folder}; "
        f"load it with AutoModelForCausalLM.from_pretrained({str(folder)!r})"
    )
    if args.push_to_hub:
        for url in push_to_hub(args.adapter, args.push_to_hub, folder if args.push_merged else None, token):
            print(f"pushed to {url}")
    return 0
