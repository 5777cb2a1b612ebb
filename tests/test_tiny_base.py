"""The shipped tiny base (llama_sql/tiny/base): Llama-3.1-shaped, Llama 3.1's tokens, loads in 4-bit through
`--base_model tiny`, and its manifest describes exactly these weights and the recipe that made them."""

import json

import pytest

from llama_sql.tiny import corpus as C
from llama_sql.tiny.architecture import ARCHITECTURE, SPECIAL_TOKENS
from llama_sql.tiny.pretrain import PRETRAIN, file_digest

MAX_SHIPPED_BYTES = 40_000_000


@pytest.fixture(scope="module")
def manifest(tiny_model_dir):
    return json.loads((tiny_model_dir / "manifest.json").read_text())


def test_architecture_is_llama31_in_miniature(tiny_model_dir):
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(tiny_model_dir)
    assert config.model_type == "llama" and config.hidden_act == "silu"  # SwiGLU MLP
    assert config.num_key_value_heads < config.num_attention_heads  # grouped-query attention
    assert config.rope_parameters["rope_type"] == "llama3"
    assert config.tie_word_embeddings is False
    assert all(
        getattr(config, k) == v for k, v in ARCHITECTURE.items() if k not in ("vocab_size", "rope_parameters")
    )


def test_tokenizer_carries_llama31_special_tokens_and_a_distinct_pad(tiny_tokenizer):
    vocab = tiny_tokenizer.get_vocab()
    assert all(token in vocab for token in SPECIAL_TOKENS)
    assert tiny_tokenizer.bos_token == "<|begin_of_text|>" and tiny_tokenizer.eos_token == "<|end_of_text|>"
    assert tiny_tokenizer.pad_token == "<|finetune_right_pad_id|>"
    assert tiny_tokenizer.pad_token_id != tiny_tokenizer.eos_token_id
    text = "SELECT name FROM patients WHERE age > 40"
    assert tiny_tokenizer.decode(tiny_tokenizer(text)["input_ids"], skip_special_tokens=True) == text


def test_base_linear_layers_load_in_4bit(tiny_model_dir):
    import bitsandbytes as bnb

    from llama_sql.modeling import load_4bit, resolve_model_path

    assert resolve_model_path("tiny") == str(tiny_model_dir)
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


def test_the_manifest_describes_these_weights_and_todays_recipe(tiny_model_dir, manifest):
    weights = tiny_model_dir / "model.safetensors"
    assert manifest["weights_sha256"] == file_digest(weights)
    assert weights.stat().st_size <= MAX_SHIPPED_BYTES and manifest["dtype"] == "float16"
    # `tiny pretrain --output DIR` at the manifest's commit made it. Today's code trains the same model on
    # the same schedule; its corpus may be a later version (the builder's templates it asks changed), and
    # the shipped base's own corpus is regenerated from that commit in tests/test_tiny_corpus.py.
    today = json.loads(json.dumps(dict(corpus=C.RECIPE, pretrain=PRETRAIN, architecture=ARCHITECTURE)))
    recipe = manifest["recipe"]
    assert recipe["pretrain"] == today["pretrain"] and recipe["architecture"] == today["architecture"]
    assert {**recipe["corpus"], "version": None} == {**today["corpus"], "version": None}
    assert recipe["corpus"]["version"] <= C.CORPUS_VERSION
    assert manifest["steps"] == PRETRAIN["max_steps"]
    assert manifest["tokens_seen"] == PRETRAIN["max_steps"] * PRETRAIN["batch_size"] * PRETRAIN["block_size"]
    assert manifest["final_loss"] < 0.25 * manifest["first_loss"]
    assert not manifest["commit"].endswith("-dirty") and manifest["commit"] != "unknown"


def test_the_shipped_weights_have_the_manifests_parameter_count(tiny_model_dir, manifest):
    from safetensors.torch import load_file

    weights = load_file(tiny_model_dir / "model.safetensors")
    assert sum(t.numel() for t in weights.values()) == manifest["parameters"]
