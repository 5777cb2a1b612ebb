"""The random-weight tiny model is Llama-3.1-shaped, quick to build, and goes through the real QLoRA path:
4-bit loading, LoRA on every linear layer, generation that stops, save and reload."""

import time

import pytest

from llama_sql.tiny.architecture import SPECIAL_TOKENS


@pytest.fixture(scope="module")
def random_model_dir(tmp_path_factory):
    from llama_sql.tiny.random_model import random_tiny_model

    random_tiny_model(tmp_path_factory.mktemp("warm-imports"))  # the first build pays for the imports
    started = time.time()
    folder = random_tiny_model(tmp_path_factory.mktemp("random-tiny"))
    return folder, time.time() - started


def test_builds_in_seconds_with_llama31_shape_and_tokens(random_model_dir):
    from transformers import AutoConfig, AutoTokenizer

    folder, seconds = random_model_dir
    assert seconds < 10  # about a second on an idle 2-core machine
    config = AutoConfig.from_pretrained(folder)
    assert config.model_type == "llama" and config.rope_parameters["rope_type"] == "llama3"
    assert config.num_key_value_heads < config.num_attention_heads and not config.tie_word_embeddings
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert all(token in tokenizer.get_vocab() for token in SPECIAL_TOKENS)
    assert tokenizer.pad_token == "<|finetune_right_pad_id|>" != tokenizer.eos_token
    chat = tokenizer.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False)
    assert chat.startswith("<|begin_of_text|><|start_header_id|>user<|end_header_id|>")


def test_loads_in_4bit_takes_lora_and_generates(random_model_dir):
    import bitsandbytes as bnb
    import torch
    from peft import LoraConfig, get_peft_model

    from llama_sql.config import LLAMA_LINEAR_MODULES
    from llama_sql.modeling import load_4bit

    folder, _ = random_model_dir
    model, tokenizer = load_4bit(str(folder))
    assert isinstance(model.model.layers[0].mlp.down_proj, bnb.nn.Linear4bit)
    lora = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=LLAMA_LINEAR_MODULES))
    trainable = [n for n, p in lora.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    inputs = tokenizer("SELECT name FROM", return_tensors="pt")
    with torch.inference_mode():
        out = lora.generate(**inputs, max_new_tokens=5, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    assert (
        out.shape[1] == inputs["input_ids"].shape[1] + 5 or out[0, -1] in model.generation_config.eos_token_id
    )
