"""QLoRA training on the tiny model: what is learned, what is masked, what is saved."""

import json

import pytest

from llama_sql.config import LLAMA_LINEAR_MODULES, train_config

pytestmark = pytest.mark.slow


def test_prompt_tokens_are_masked_and_eos_is_learned(project_splits):
    from llama_sql.training import TrainingRun

    cfg = train_config(
        "tiny",
        base_model="tiny",
        dataset_path=str(project_splits / "val.json"),
        max_steps=1,
        output_dir="/nonexistent-not-written",
    )
    run = TrainingRun(cfg)
    example = run.trainer.train_dataset[0]
    batch = run.trainer.data_collator([example])
    labels, ids = batch["labels"][0].tolist(), batch["input_ids"][0].tolist()
    answer = [i for i, label in enumerate(labels) if label != -100]
    assert answer and answer == list(range(answer[0], len(ids)))  # one contiguous answer at the end
    prompt_text = run.tokenizer.decode(ids[: answer[0]])
    assert prompt_text.rstrip().endswith("### Response:")
    assert labels[-1] == run.tokenizer.eos_token_id  # EOS appended and learned
    assert run.tokenizer.pad_token_id != run.tokenizer.eos_token_id
    assert run.summary()["trainable LoRA parameters"] < 0.2 * run.summary()["parameters (4-bit packed count)"]


def test_reference_command_halves_the_loss_and_saves_the_adapter(gate_adapter):
    metrics = json.loads((gate_adapter / "train_metrics.json").read_text())
    losses = [entry["loss"] for entry in metrics["loss_history"]]
    assert sum(losses[-3:]) / 3 <= 0.5 * sum(losses[:3]) / 3
    assert metrics["resumed_from_step"] == 0 and metrics["profile"] == "tiny" and metrics["train_tokens"] > 0
    adapter = json.loads((gate_adapter / "adapter_config.json").read_text())
    assert sorted(adapter["target_modules"]) == sorted(LLAMA_LINEAR_MODULES)
    assert (adapter["r"], adapter["lora_alpha"], adapter["lora_dropout"]) == (8, 16, 0.1)
    assert (gate_adapter / "adapter_model.safetensors").stat().st_size > 0
    assert metrics["config"]["num_epochs"] == 3.0 and metrics["config"]["cutoff_len"] == 512


def test_checkpoint_marker_decides_what_resume_trusts(tmp_path):
    from llama_sql.training import COMPLETE_MARKER, newest_complete_checkpoint

    for step, complete in ((10, True), (20, True), (30, False)):
        folder = tmp_path / f"checkpoint-{step}"
        folder.mkdir()
        if complete:
            (folder / COMPLETE_MARKER).write_text(str(step))
    assert newest_complete_checkpoint(tmp_path).name == "checkpoint-20"
    assert not (tmp_path / "checkpoint-30").exists()  # the half-written one is set aside


def test_an_adapter_from_another_tiny_build_is_refused(tmp_path):
    """Tiny builds share one shape; compare must still refuse an adapter learned on other weights."""
    from types import SimpleNamespace

    from llama_sql.adapters import base_fingerprint, check_adapter_fits
    from llama_sql.records import DataError

    shape = dict(model_type="llama", vocab_size=2059, hidden_size=256, num_hidden_layers=5)

    def model(weights_digest):
        folder = tmp_path / weights_digest
        folder.mkdir(exist_ok=True)
        (folder / "manifest.json").write_text(json.dumps({"weights_sha256": weights_digest * 16}))
        return SimpleNamespace(config=SimpleNamespace(**shape, _name_or_path=str(folder)))

    info = {"base_model": "tiny", "base_fingerprint": base_fingerprint(model("aaaa").config)}
    check_adapter_fits(info, model("aaaa"), "tiny", "runs/adapter")  # same build: fine
    with pytest.raises(DataError, match="build"):
        check_adapter_fits(info, model("bbbb"), "tiny", "runs/adapter")
    older = {
        "base_model": "tiny",
        "base_fingerprint": {k: v for k, v in info["base_fingerprint"].items() if k != "tiny_build"},
    }
    check_adapter_fits(older, model("bbbb"), "tiny", "runs/adapter")  # no build recorded: shape only
