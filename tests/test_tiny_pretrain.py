"""`tiny pretrain` end to end on a miniature corpus and model: it lowers the loss, resumes from its own
checkpoint with a continuous loss log, and writes a float16 folder with a manifest that loads in 4-bit."""

import json

import pytest

from llama_sql.tiny import corpus as C
from llama_sql.tiny import random_model
from llama_sql.tiny.pretrain import PRETRAIN, pretrain

RECIPE = dict(C.RECIPE, databases=3, project_repeats=1)
SETTINGS = dict(
    PRETRAIN,
    max_steps=6,
    batch_size=2,
    block_size=64,
    learning_rate=1e-2,
    warmup_steps=1,
    save_steps=3,
    logging_steps=1,
    tokenizer_documents=50,
    tokenizer_project_weight=1,
    tokenizer_header_weight=10,
)
ARCHITECTURE = dict(random_model.ARCHITECTURE, vocab_size=2048)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three steps, then a resumed run to six, into one work folder and output folder."""
    root = tmp_path_factory.mktemp("pretrain")
    mp = pytest.MonkeyPatch()
    mp.setenv("LLAMA_SQL_CACHE", str(root / "cache"))
    try:
        output, work = root / "base", root / "work"
        first = pretrain(output, work, RECIPE, dict(SETTINGS, max_steps=3), ARCHITECTURE, log=lambda *_: None)
        second = pretrain(output, work, RECIPE, SETTINGS, ARCHITECTURE, resume=True, log=lambda *_: None)
        weights = (output / "model.safetensors").read_bytes()
        again = pretrain(
            root / "again", work, RECIPE, SETTINGS, ARCHITECTURE, resume=True, log=lambda *_: None
        )
        assert again["steps"] == second["steps"] == SETTINGS["max_steps"]  # a finished run takes no step more
        assert (root / "again" / "model.safetensors").read_bytes() == weights
    finally:
        mp.undo()
    return first, second, output, work


def test_pretraining_resumes_from_its_checkpoint_with_a_continuous_loss_log(runs):
    first, second, _, work = runs
    assert first["steps"] == 3 and not first["resumed"]
    assert second["steps"] == 6 and second["resumed"]
    log = [json.loads(line) for line in (work / "loss_log.jsonl").read_text().splitlines()]
    assert [e["step"] for e in log if "loss" in e] == [1, 2, 3, 4, 5, 6]
    elapsed = [e["elapsed_s"] for e in log]
    assert elapsed == sorted(elapsed)
    losses = [e["loss"] for e in log if "loss" in e]
    assert losses[-1] < losses[0]


def test_the_output_is_a_float16_folder_with_a_manifest(runs):
    from safetensors import safe_open

    _, second, output, _ = runs
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["steps"] == 6 and manifest["tokens_seen"] == 6 * 2 * 64
    assert manifest["recipe"]["corpus"] == RECIPE and manifest["recipe"]["pretrain"] == SETTINGS
    assert len(manifest["corpus"]["sha256"]) == 64 and manifest["commit"]
    assert manifest["final_loss"] == second["final_loss"] and manifest["training_wall_time_s"] > 0
    with safe_open(output / "model.safetensors", "pt") as weights:
        assert {str(weights.get_tensor(k).dtype) for k in weights.keys()} == {"torch.float16"}  # noqa: SIM118
    assert (output / "tokenizer.json").exists() and (output / "config.json").exists()


def test_the_output_loads_through_the_4bit_path(runs):
    import bitsandbytes as bnb

    from llama_sql.modeling import load_4bit

    _, _, output, _ = runs
    model, tokenizer = load_4bit(str(output))
    assert isinstance(model.model.layers[0].self_attn.q_proj, bnb.nn.Linear4bit)
    assert tokenizer.pad_token == "<|finetune_right_pad_id|>"


def test_shipped_base_says_how_to_rebuild_it_when_missing(monkeypatch, tmp_path):
    import llama_sql.tiny as tiny
    from llama_sql.records import DataError

    monkeypatch.setattr(tiny, "BASE_DIR", tmp_path / "absent")
    with pytest.raises(DataError, match="tiny pretrain --output"):
        tiny.shipped_base()
