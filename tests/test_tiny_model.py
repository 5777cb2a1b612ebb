"""The offline tiny model is Llama-3.1-shaped, carries Llama 3.1's tokens, loads in 4-bit, and is a
language model before fine-tuning (its pretraining lowered the loss) that still cannot do the task."""

import json

import pytest

from llama_sql.tiny_model import SPECIAL_TOKENS, pretraining_corpus, prompt_headers

pytestmark = pytest.mark.slow


def test_architecture_is_llama31_in_miniature(tiny_model_dir):
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(tiny_model_dir)
    assert config.model_type == "llama" and config.hidden_act == "silu"  # SwiGLU MLP
    assert config.num_key_value_heads < config.num_attention_heads  # grouped-query attention
    assert config.rope_parameters["rope_type"] == "llama3"
    assert config.tie_word_embeddings is False


def test_tokenizer_carries_llama31_special_tokens_and_a_distinct_pad(tiny_model_dir, tiny_tokenizer):
    vocab = tiny_tokenizer.get_vocab()
    assert all(token in vocab for token in SPECIAL_TOKENS)
    assert tiny_tokenizer.bos_token == "<|begin_of_text|>" and tiny_tokenizer.eos_token == "<|end_of_text|>"
    assert tiny_tokenizer.pad_token == "<|finetune_right_pad_id|>"
    assert tiny_tokenizer.pad_token_id != tiny_tokenizer.eos_token_id
    text = "SELECT name FROM patients WHERE age > 40"
    assert tiny_tokenizer.decode(tiny_tokenizer(text)["input_ids"], skip_special_tokens=True) == text


def test_base_linear_layers_load_in_4bit(tiny_model_dir):
    import bitsandbytes as bnb

    from llama_sql.modeling import load_4bit

    model, _ = load_4bit("tiny")
    layer = model.model.layers[0]
    projections = [
        layer.self_attn.q_proj,
        layer.self_attn.k_proj,
        layer.self_attn.v_proj,
        layer.self_attn.o_proj,
        layer.mlp.gate_proj,
        layer.mlp.up_proj,
        layer.mlp.down_proj,
    ]
    assert all(isinstance(p, bnb.nn.Linear4bit) for p in projections)
    assert projections[0].weight.quant_state.quant_type == "nf4"


def test_pretraining_taught_the_language_without_any_test_record(tiny_model_dir, project_splits):
    build = json.loads((tiny_model_dir / "tiny_build.json").read_text())
    assert build["final_loss"] < 0.5 * build["first_loss"]
    database_header, question_header = prompt_headers()
    texts = {doc.removeprefix(database_header).removeprefix(question_header) for doc in pretraining_corpus()}
    test = json.loads((project_splits / "test.json").read_text())
    assert not any(r["input"] in texts or r["output"] in texts for r in test)
    train = json.loads((project_splits / "train.json").read_text())
    assert {r["input"] for r in train} | {r["output"] for r in train} <= texts  # the check can see a match


def test_pretraining_never_pairs_a_question_with_its_sql(project_splits):
    train = json.loads((project_splits / "train.json").read_text())
    corpus = pretraining_corpus()
    assert not any(r["input"] in doc and r["output"] in doc for doc in corpus for r in train)
