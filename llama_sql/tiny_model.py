"""The offline tiny Llama-3.1-shaped model: what `--base_model tiny` means, built once and cached.

    from llama_sql.tiny_model import ensure_tiny_model
    ensure_tiny_model()                       # build (or find) it; `--base_model tiny` does this itself

No hub is reachable here or in CI, so tests and CI run the real QLoRA path on a model we make:
a Llama 3.1 architecture in miniature (grouped-query attention, RoPE with llama3 scaling, SwiGLU,
RMSNorm, untied head) with a byte-level BPE tokenizer trained on the project's training text that
carries Llama 3.1's special tokens and a Llama-3.1-style chat template.

Like Llama 3.1 it must be a language model before anyone fine-tunes it: a random-init base plus LoRA
learns SQL syntax but ignores the question. So the build ends with a short full-parameter pretraining
on unpaired domain text (database definitions, questions, SQL and explanations as separate documents,
the first two laid out as a prompt lays them out) from the project's *train split only*: no test
record, and no question paired with its SQL, is ever seen. The base therefore still fails the task;
fine-tuning teaches it. The folder is saved with `save_pretrained`, so it loads through the same 4-bit
path as meta-llama/Llama-3.1-8B.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from pathlib import Path

TINY_VERSION = 4  # bump when the recipe below changes, so caches rebuild
BUILD_FOLDER_PREFIX = "tiny-llama-3.1-"  # a build's cache folder: this, then a hash of its recipe and text
SPECIAL_TOKENS = [  # Llama 3.1's named special tokens (it places them after the BPE vocabulary, as here)
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|reserved_special_token_0|>",
    "<|reserved_special_token_1|>",
    "<|finetune_right_pad_id|>",
    "<|reserved_special_token_2|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eom_id|>",
    "<|eot_id|>",
    "<|python_tag|>",
]
# Llama 3's pre-tokenizer split: words, 1-3 digit groups, punctuation runs, newlines and spaces.
LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
CHAT_TEMPLATE = (  # Llama 3.1's layout: header ids around each role, <|eot_id|> after each turn
    "{{- bos_token }}{%- for message in messages %}"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim"
    " + '<|eot_id|>' }}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}"
)
ARCHITECTURE = dict(  # Llama-3.1-8B is 4096 wide, 32 layers, 32 query / 8 KV heads, 14336 SwiGLU, 128k vocab
    vocab_size=2048,
    hidden_size=256,
    intermediate_size=768,
    num_hidden_layers=3,
    num_attention_heads=8,
    num_key_value_heads=2,
    head_dim=32,
    max_position_embeddings=4096,
    rms_norm_eps=1e-5,
    tie_word_embeddings=False,
    hidden_act="silu",
    # llama3 scaling as in Llama 3.1 (factor 8, low 1, high 4) over a context 8x shorter; theta 10k
    # because 32-dim heads with theta 500k would spend most frequencies on wavelengths beyond 512 tokens.
    rope_parameters={
        "rope_type": "llama3",
        "rope_theta": 10000.0,
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 512,
    },
)
# The recipe's history and what each version measured: docs/learning-gate.md.
PRETRAIN = dict(steps=500, batch_size=8, block_size=256, learning_rate=4e-3, warmup_steps=40, seed=1234)


def cache_root() -> Path:
    return Path(os.environ.get("LLAMA_SQL_CACHE", Path.home() / ".cache" / "llama_sql"))


def tiny_model_dir(corpus: list[str] | None = None) -> Path:
    """The cache folder for the current recipe and training text (a new recipe gets a new folder)."""
    corpus = pretraining_corpus() if corpus is None else corpus
    key = json.dumps([TINY_VERSION, ARCHITECTURE, PRETRAIN, SPECIAL_TOKENS, corpus], sort_keys=True)
    return cache_root() / f"{BUILD_FOLDER_PREFIX}{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def ensure_tiny_model(log=print) -> Path:
    """The tiny model's folder, building it first if this machine has not yet (minutes on a CPU)."""
    corpus = pretraining_corpus()
    folder = tiny_model_dir(corpus)
    if (folder / "config.json").exists():
        return folder
    from llama_sql.records import atomic_path

    log(f"building the tiny Llama-3.1-shaped model in {folder} (once per machine)")
    with atomic_path(folder) as tmp:
        build_tiny_model(tmp, corpus, log=log)
    return folder


def pretraining_corpus() -> list[str]:
    """Unpaired documents from the project's train split: each database, question, SQL and explanation alone.

    A database is read as a prompt opens (the Alpaca preamble and `### Instruction:` header, then the
    database) and a question under its `### Input:` header, so the tokenizer learns the template's words
    (Llama 3.1's spells the preamble in 30 tokens; one trained on the data alone needed 92) and the base
    has read every token of a prompt. No question is ever followed by its SQL.
    """
    from llama_sql.builder import DEFAULT_OUTPUT
    from llama_sql.records import load_records
    from llama_sql.splits import split_records

    # the project's dataset beside the package, whatever the working directory
    train = split_records(load_records(Path(__file__).resolve().parents[1] / DEFAULT_OUTPUT))["train"]
    database_header, question_header = prompt_headers()
    layout = {"instruction": database_header, "input": question_header, "output": "", "explanation": ""}
    docs: list[str] = []
    for field, header in layout.items():
        docs.extend(header + text for text in sorted({r[field] for r in train if r.get(field)}))
    return docs


def prompt_headers() -> tuple[str, str]:
    """The Alpaca template's text before the database, and the header before the question."""
    from llama_sql.prompts import ALPACA_TEMPLATE

    before_database, rest = ALPACA_TEMPLATE.split("{instruction}")
    return before_database, rest.split("{input}")[0].lstrip("\n")


def build_tokenizer(corpus: list[str]):
    """A byte-level BPE in Llama 3's style, trained on the corpus, with Llama 3.1's special tokens."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(LLAMA3_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=ARCHITECTURE["vocab_size"] - len(SPECIAL_TOKENS),
        min_frequency=2,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(corpus, trainer)
    backend.add_special_tokens(SPECIAL_TOKENS)
    bos = "<|begin_of_text|>"
    backend.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, backend.token_to_id(bos))]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token=bos,
        eos_token="<|end_of_text|>",
        pad_token="<|finetune_right_pad_id|>",
        chat_template=CHAT_TEMPLATE,
        model_max_length=4096,
        clean_up_tokenization_spaces=False,
    )


def build_model(tokenizer, architecture: dict, seed: int):
    """A Llama-3.1-shaped model with random weights drawn from `seed`."""
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    config = LlamaConfig(
        **{**architecture, "vocab_size": len(tokenizer)},
        bos_token_id=ids["<|begin_of_text|>"],
        eos_token_id=ids["<|end_of_text|>"],
        pad_token_id=ids["<|finetune_right_pad_id|>"],
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=config.bos_token_id,
        pad_token_id=config.pad_token_id,
        do_sample=False,
        eos_token_id=[ids["<|end_of_text|>"], ids["<|eom_id|>"], ids["<|eot_id|>"]],
    )
    return model


def build_tiny_model(folder: Path, corpus: list[str], log=print) -> None:
    """Tokenizer, random init from a seed, short pretraining, `save_pretrained` into `folder`."""
    started = time.time()
    tokenizer = build_tokenizer(corpus)
    model = build_model(tokenizer, ARCHITECTURE, PRETRAIN["seed"])
    stats = pretrain(model, tokenizer, corpus, log=log)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    stats.update(
        parameters=sum(p.numel() for p in model.parameters()),
        build_seconds=round(time.time() - started, 1),
        documents=len(corpus),
        version=TINY_VERSION,
    )
    (folder / "tiny_build.json").write_text(json.dumps(stats, indent=2))
    log(
        f"tiny model built in {stats['build_seconds']} s: pretraining loss {stats['first_loss']:.2f} -> "
        f"{stats['final_loss']:.2f}"
    )


def pretrain(model, tokenizer, corpus: list[str], log=print) -> dict:
    """Full-parameter causal-LM training on the shuffled, concatenated documents, with TRL's SFTTrainer."""
    import tempfile

    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    docs = list(corpus)
    random.Random(PRETRAIN["seed"]).shuffle(docs)
    with tempfile.TemporaryDirectory() as scratch:
        args = SFTConfig(
            output_dir=scratch,
            max_steps=PRETRAIN["steps"],
            per_device_train_batch_size=PRETRAIN["batch_size"],
            learning_rate=PRETRAIN["learning_rate"],
            warmup_steps=PRETRAIN["warmup_steps"],
            lr_scheduler_type="cosine",
            weight_decay=0.01,
            max_length=PRETRAIN["block_size"],
            packing=True,
            packing_strategy="wrapped",
            bf16=False,
            fp16=False,
            gradient_checkpointing=False,
            use_cpu=True,
            logging_steps=25,
            logging_first_step=True,
            save_strategy="no",
            report_to=[],
            seed=PRETRAIN["seed"],
            dataloader_num_workers=0,
            disable_tqdm=os.environ.get("CI") == "true",
        )
        trainer = SFTTrainer(
            model=model,
            args=args,
            train_dataset=Dataset.from_dict({"text": docs}),
            processing_class=tokenizer,
        )
        trainer.train()
    losses = [e["loss"] for e in trainer.state.log_history if "loss" in e]
    return {"pretrain_steps": PRETRAIN["steps"], "first_loss": losses[0], "final_loss": losses[-1]}
