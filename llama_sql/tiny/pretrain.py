"""Pretraining the tiny base from its recipe: the shipped `--base_model tiny` folder is this command's output.

    python -m llama_sql tiny pretrain --output runs/tiny-base                 # long: run it in the background
    python -m llama_sql tiny pretrain --output runs/tiny-base --resume        # continue after a stop

Steps: generate (or find) the corpus (corpus.py), train a byte-level BPE tokenizer with Llama 3.1's special
tokens and chat template on it, build a Llama-3.1-shaped model from `ARCHITECTURE`, pack the shuffled
documents into blocks of `block_size` tokens (BOS before and EOS after each document), and train it as a
causal LM with transformers' `Trainer` (AdamW, warmup-stable-decay LR, fp32 on the CPU). Checkpoints and the
loss log (`loss_log.jsonl`, one line per logging step) live in `--work_dir`, outside the repository;
`--resume` continues from the newest checkpoint. The output folder holds `config.json`,
`model.safetensors` in float16, the tokenizer and `manifest.json` (recipe, corpus digest, steps, tokens,
wall time, final loss, the commit it was made from).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import time
from pathlib import Path

from transformers import TrainerCallback

from llama_sql.records import atomic_path
from llama_sql.tiny import cache_root
from llama_sql.tiny import corpus as C
from llama_sql.tiny.architecture import ARCHITECTURE, build_model, build_tokenizer, prompt_headers
from llama_sql.training import checkpoint_step

PRETRAIN = dict(
    max_steps=3000,  # optimizer steps: 24.6 M tokens, about 1.5 passes over the corpus (1,987 steps a pass)
    batch_size=16,  # blocks per step
    block_size=512,  # tokens per block (the fine-tune's examples are about 220 tokens)
    learning_rate=3e-3,
    warmup_steps=100,
    # warmup, then a constant LR, then a cosine decay over the last `decay_fraction` of the steps
    # (warmup-stable-decay): until the decay starts, a run with more or fewer steps is the same run.
    decay_fraction=0.2,
    weight_decay=0.01,
    seed=1234,
    # The BPE is trained on every n-th corpus document plus the project's database definitions and the
    # Alpaca template's headers, weighted so that a project prompt takes about as many tokens as with a
    # tokenizer trained on project text alone (216 on average) while invented words still split well.
    tokenizer_documents=5000,
    tokenizer_project_weight=15,
    tokenizer_header_weight=3000,
    save_steps=100,
    logging_steps=10,
)


def default_work_dir() -> Path:
    return cache_root() / "tiny-pretrain"


def pretrain(
    output: Path,
    work_dir: Path,
    recipe: dict = C.RECIPE,
    settings: dict = PRETRAIN,
    architecture: dict = ARCHITECTURE,
    resume: bool = False,
    processes: int = 2,
    log=print,
) -> dict:
    """Corpus, tokenizer, model, `Trainer`; returns the manifest written beside the 16-bit weights."""
    import torch
    from safetensors.torch import load_file
    from transformers import Trainer, TrainingArguments, default_data_collator

    started, commit = time.time(), project_commit()
    work_dir.mkdir(parents=True, exist_ok=True)
    folder = C.ensure_corpus(recipe, processes, log=log)
    meta = json.loads((folder / "meta.json").read_text())
    tokenizer = ensure_tokenizer(folder, work_dir / "tokenizer", settings, architecture)
    blocks = packed_blocks(folder, tokenizer, work_dir, settings, meta["sha256"], log=log)
    model = build_model(tokenizer, architecture, settings["seed"])
    args = TrainingArguments(
        output_dir=str(work_dir / "checkpoints"),
        max_steps=settings["max_steps"],
        per_device_train_batch_size=settings["batch_size"],
        learning_rate=settings["learning_rate"],
        warmup_steps=settings["warmup_steps"],
        lr_scheduler_type="warmup_stable_decay",
        lr_scheduler_kwargs={"num_decay_steps": round(settings["decay_fraction"] * settings["max_steps"])},
        weight_decay=settings["weight_decay"],
        adam_beta2=0.95,
        max_grad_norm=1.0,
        logging_steps=settings["logging_steps"],
        logging_first_step=True,
        save_steps=settings["save_steps"],
        save_total_limit=2,
        bf16=False,
        fp16=False,
        use_cpu=True,
        seed=settings["seed"],
        data_seed=settings["seed"],
        report_to=[],
        dataloader_num_workers=0,
    )
    loss_log = work_dir / "loss_log.jsonl"
    if not resume and loss_log.exists():
        loss_log.unlink()
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=BlockDataset(blocks),
        data_collator=default_data_collator,
        callbacks=[LossLog(loss_log)],
    )
    saved = [
        p for p in (work_dir / "checkpoints").glob("checkpoint-*") if p.name[len("checkpoint-") :].isdigit()
    ]
    checkpoint = max(saved, key=checkpoint_step) if resume and saved else None
    if checkpoint is not None and checkpoint_step(checkpoint) >= settings["max_steps"]:
        # The run is complete: resumed, Trainer would take one step past max_steps, so write the
        # checkpoint's own weights (how a finished run's base is re-exported with a new manifest).
        model.load_state_dict(load_file(checkpoint / "model.safetensors"))
        steps = checkpoint_step(checkpoint)
    else:
        trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
        steps = trainer.state.global_step
    history = [json.loads(line) for line in loss_log.read_text().splitlines()]
    manifest = dict(
        recipe=dict(corpus=recipe, pretrain=settings, architecture=architecture),
        corpus=dict(
            sha256=meta["sha256"],
            documents=meta["documents"],
            databases=meta["databases"],
            pairs=meta["pairs"],
            tokens=int(blocks.numel()),
        ),
        steps=steps,
        tokens_seen=steps * settings["batch_size"] * settings["block_size"],
        parameters=sum(p.numel() for p in model.parameters()),
        training_wall_time_s=round(history[-1]["elapsed_s"], 1) if history else None,
        command_wall_time_s=round(time.time() - started, 1),
        first_loss=next((h["loss"] for h in history if "loss" in h), None),
        final_loss=next((h["loss"] for h in reversed(history) if "loss" in h), None),
        resumed=bool(checkpoint),
        commit=commit,
        torch=torch.__version__,
    )
    save_base(model, tokenizer, output, manifest)
    log(f"tiny base written to {output}: loss {manifest['first_loss']} -> {manifest['final_loss']}")
    return manifest


def ensure_tokenizer(folder: Path, path: Path, settings: dict, architecture: dict):
    """The BPE trained on every n-th corpus document and the project's template text (cached in work_dir)."""
    from transformers import PreTrainedTokenizerFast

    if (path / "tokenizer.json").exists():
        return PreTrainedTokenizerFast.from_pretrained(path)
    meta = json.loads((folder / "meta.json").read_text())
    stride = max(1, meta["documents"] // settings["tokenizer_documents"])
    sample = [text for i, text in enumerate(C.read_corpus(folder)) if i % stride == 0]
    sample += C.project_documents(meta["recipe"]) * settings["tokenizer_project_weight"]
    sample += list(prompt_headers()) * settings["tokenizer_header_weight"]
    if architecture["vocab_size"] != ARCHITECTURE["vocab_size"]:
        raise ValueError("the tokenizer is built with the architecture's vocabulary size")
    tokenizer = build_tokenizer(sample)
    tokenizer.save_pretrained(path)
    return tokenizer


def packed_blocks(folder: Path, tokenizer, work_dir: Path, settings: dict, digest: str, log=print):
    """The shuffled documents as BOS text EOS, concatenated and cut into blocks (cached in work_dir)."""
    import numpy as np
    import torch

    vocabulary = json.dumps(tokenizer.get_vocab(), sort_keys=True)
    key = hashlib.sha256(json.dumps([digest, settings["seed"], settings["block_size"], vocabulary]).encode())
    path = work_dir / f"blocks-{key.hexdigest()[:12]}.npy"
    if path.exists():
        return torch.from_numpy(np.load(path).astype(np.int64))
    docs = list(C.read_corpus(folder))
    random.Random(settings["seed"]).shuffle(docs)
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
    ids: list[int] = []
    for start in range(0, len(docs), 4096):
        for encoding in tokenizer._tokenizer.encode_batch(
            docs[start : start + 4096], add_special_tokens=False
        ):
            ids.append(bos)
            ids.extend(encoding.ids)
            ids.append(eos)
    size = settings["block_size"]
    array = np.asarray(ids[: len(ids) // size * size], dtype=np.int16).reshape(-1, size)
    np.save(path, array)
    log(f"packed {len(ids)} tokens into {len(array)} blocks of {size}")
    return torch.from_numpy(array.astype(np.int64))


class BlockDataset:
    """Blocks of token ids; the labels are the inputs (the model shifts them)."""

    def __init__(self, blocks):
        self.blocks = blocks

    def __len__(self) -> int:
        return len(self.blocks)

    def __getitem__(self, index: int) -> dict:
        block = self.blocks[index]
        return {"input_ids": block, "labels": block}


class LossLog(TrainerCallback):
    """A `TrainerCallback` appending each log entry as one JSON line, with wall time across resumes."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0.0
        if path.exists() and path.read_text().strip():
            self.offset = json.loads(path.read_text().splitlines()[-1]).get("elapsed_s", 0.0)
        self.started = time.time()

    def on_log(self, args, state, control, logs=None, **kwargs):
        entry = {"step": state.global_step, **(logs or {})}
        entry["elapsed_s"] = round(self.offset + time.time() - self.started, 1)
        with open(self.path, "a") as out:
            out.write(json.dumps(entry) + "\n")


def save_base(model, tokenizer, output: Path, manifest: dict) -> None:
    """float16 weights (refused if any would overflow it), tokenizer and manifest, written atomically."""
    import torch

    largest = max(p.detach().abs().max().item() for p in model.parameters())
    if largest >= torch.finfo(torch.float16).max:
        raise ValueError(f"a weight of {largest} does not fit float16")
    manifest["dtype"] = "float16"
    manifest["largest_weight"] = round(largest, 4)
    with atomic_path(Path(output)) as tmp:
        model.to(torch.float16).save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        manifest["weights_sha256"] = file_digest(tmp / "model.safetensors")
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))


def file_digest(path: Path) -> str:
    """sha256 of a file: the manifest names the weights it describes."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def project_commit() -> str:
    """The project's commit, with "-dirty" when the working tree has changes."""
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def add_cli(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", required=True, help="where to write the pretrained model folder")
    parser.add_argument(
        "--work_dir", default=None, help=f"checkpoints and loss log (default {default_work_dir()})"
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue from the newest checkpoint in work_dir"
    )
    parser.add_argument("--processes", type=int, default=2, help="processes generating the corpus")
    parser.add_argument("--databases", type=int, default=None, help="generated databases (a smaller corpus)")
    for name in ("max_steps", "batch_size", "block_size", "save_steps", "logging_steps", "warmup_steps"):
        parser.add_argument(f"--{name}", type=int, default=None, help=f"override the recipe's {name}")
    parser.add_argument(
        "--learning_rate", type=float, default=None, help="override the recipe's learning rate"
    )
    parser.add_argument("--layers", type=int, default=None, help="override the number of layers")


def run_cli(args: argparse.Namespace) -> int:
    settings = {k: v if getattr(args, k, None) is None else getattr(args, k) for k, v in PRETRAIN.items()}
    recipe = dict(C.RECIPE, **({"databases": args.databases} if args.databases else {}))
    architecture = dict(ARCHITECTURE, **({"num_hidden_layers": args.layers} if args.layers else {}))
    work_dir = Path(args.work_dir) if args.work_dir else default_work_dir()
    manifest = pretrain(
        Path(args.output), work_dir, recipe, settings, architecture, args.resume, args.processes
    )
    print(json.dumps({k: manifest[k] for k in ("steps", "tokens_seen", "final_loss", "parameters")}))
    return 0
