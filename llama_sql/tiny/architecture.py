"""The tiny Llama-3.1 shape and tokenizer: what the pretrained base and the random-weight model are built from.

A Llama 3.1 architecture in miniature (grouped-query attention, RoPE with llama3 scaling, SwiGLU, RMSNorm,
untied head) and a byte-level BPE in Llama 3's style carrying Llama 3.1's special tokens, pad token and a
Llama-3.1-style chat template. `tiny pretrain` trains the BPE on its corpus and the model from
`build_model`; random_model.py shrinks the same shape for plumbing tests.
"""

from __future__ import annotations

from llama_sql.prompts import ALPACA_TEMPLATE

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
# The shipped base's shape (its recipe and history: docs/learning-gate.md).
ARCHITECTURE = dict(  # Llama-3.1-8B is 4096 wide, 32 layers, 32 query / 8 KV heads, 14336 SwiGLU, 128k vocab
    vocab_size=2048,
    hidden_size=256,
    intermediate_size=768,
    num_hidden_layers=5,
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


def prompt_headers() -> tuple[str, str]:
    """The Alpaca template's text before the database, and the header before the question."""
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
