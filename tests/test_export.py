"""export: the adapter merged into its de-quantized base, a folder plain transformers loads."""

import json
import subprocess
import sys

import pytest

from llama_sql.cli import main

EXAMPLES = 50


@pytest.fixture(scope="module")
def exported(short_adapter, tmp_path_factory):
    from llama_sql.export import export_merged

    return export_merged(short_adapter, tmp_path_factory.mktemp("export") / "merged")


@pytest.mark.slow
def test_the_exported_folder_loads_with_plain_transformers(exported):
    config = json.loads((exported / "config.json").read_text())
    assert "quantization_config" not in config and config["dtype"] == "float16"
    files = {p.name for p in exported.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "generation_config.json"} <= files
    assert not any(name.startswith("adapter_") for name in files)
    # A fresh interpreter, as a vLLM or transformers user would be: neither PEFT nor bitsandbytes needed.
    check = (
        "import sys, torch; from transformers import AutoModelForCausalLM; "
        f"m = AutoModelForCausalLM.from_pretrained({str(exported)!r}); "
        "assert m.dtype == torch.float16, m.dtype; "
        "assert not any(n in sys.modules for n in ('peft', 'bitsandbytes')), 'peft or bitsandbytes imported'"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.slow
def test_the_merged_model_writes_the_sql_of_base_plus_adapter(exported, short_adapter, project_splits):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from llama_sql.comparison import load_comparer
    from llama_sql.generation import generate
    from llama_sql.prompts import extract_sql, render_prompt
    from llama_sql.records import load_records

    records = load_records(project_splits / "test.json")[:EXAMPLES]
    comparer = load_comparer(None, short_adapter, profile="tiny")
    finetuned = [extract_sql(o.text) for o in comparer.generate(records, "finetuned", progress=False)]
    base = [extract_sql(o.text) for o in comparer.generate(records, "base", progress=False)]

    model = AutoModelForCausalLM.from_pretrained(exported)
    tokenizer = AutoTokenizer.from_pretrained(exported)
    prompts = [render_prompt(r, comparer.prompt_style, tokenizer) for r in records]
    merged = [extract_sql(o.text) for o in generate(model, tokenizer, prompts, progress=False)]

    agree = sum(m == f for m, f in zip(merged, finetuned, strict=True))
    print(f"merged model vs base+adapter: same SQL on {agree}/{EXAMPLES}")
    assert agree >= 0.95 * EXAMPLES
    # the adapter is in the merged weights: its answers follow the fine-tuned model, not the base
    assert sum(m == b for m, b in zip(merged, base, strict=True)) < agree


def test_export_dtype_follows_the_adapter_unless_asked():
    from llama_sql.export import export_dtype
    from llama_sql.records import DataError

    assert export_dtype({"compute_dtype": "bfloat16"}) == "bfloat16"
    assert export_dtype({"compute_dtype": "float32"}) == "float16"
    assert export_dtype({}) == "float16"  # an adapter saved before the dtype was recorded
    assert export_dtype({"compute_dtype": "bfloat16"}, "float16") == "float16"
    with pytest.raises(DataError):
        export_dtype({}, "float32")


def test_push_without_a_token_fails_before_any_work(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("llama_sql.modeling.hub_token", lambda: None)
    output = tmp_path / "merged"
    code = main(
        ["export", "--adapter", str(tmp_path), "--output_dir", str(output), "--push_to_hub", "me/sql"]
    )
    assert code == 2 and "HF_TOKEN" in capsys.readouterr().err
    assert not output.exists()


def test_push_sends_the_adapter_and_the_merged_model_to_two_repos(tmp_path, monkeypatch):
    import huggingface_hub

    from llama_sql.export import push_to_hub

    calls = []

    class FakeApi:
        def __init__(self, token):
            calls.append(("token", token))

        def create_repo(self, repo_id, private, exist_ok):
            calls.append(("create", repo_id))
            return f"https://huggingface.co/{repo_id}"

        def upload_folder(self, repo_id, folder_path, ignore_patterns):
            calls.append(("upload", repo_id, folder_path, bool(ignore_patterns)))

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    urls = push_to_hub(tmp_path / "adapter", "me/sql", tmp_path / "merged", token="hf_x")
    assert urls == ["https://huggingface.co/me/sql", "https://huggingface.co/me/sql-merged"]
    assert ("upload", "me/sql", str(tmp_path / "adapter"), True) in calls  # checkpoints left out
    assert ("upload", "me/sql-merged", str(tmp_path / "merged"), False) in calls
    assert calls[0] == ("token", "hf_x")


def test_a_merge_that_cannot_fit_is_refused_before_it_starts():
    from types import SimpleNamespace

    import torch

    from llama_sql.bench.memory_estimate import LLAMA31_8B
    from llama_sql.export import check_room_for_merge
    from llama_sql.records import DataError

    config = SimpleNamespace(
        **{
            k: getattr(LLAMA31_8B, k)
            for k in (
                "vocab_size",
                "hidden_size",
                "intermediate_size",
                "num_hidden_layers",
                "num_attention_heads",
                "num_key_value_heads",
                "head_dim",
            )
        }
    )
    llama = SimpleNamespace(config=config, device=torch.device("cpu"))
    with pytest.raises(DataError, match=r"needs about 14\.0 GB more memory.*9\.5 GB is free"):
        check_room_for_merge(llama, "meta-llama/Llama-3.1-8B", free_bytes=int(9.5e9))
    check_room_for_merge(llama, "meta-llama/Llama-3.1-8B", free_bytes=int(40e9))
