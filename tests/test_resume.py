"""A training run killed with SIGKILL mid-run resumes from its newest complete checkpoint and finishes."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow


def _train(project_splits, output_dir, *extra):
    return [
        sys.executable,
        "-m",
        "llama_sql",
        "train",
        "--base_model",
        "tiny",
        "--profile",
        "tiny",
        "--dataset_path",
        str(project_splits / "train.json"),
        "--output_dir",
        str(output_dir),
        "--max_steps",
        "30",
        "--save_steps",
        "10",
        *extra,
    ]


def test_kill_minus_nine_then_resume_continues_to_max_steps(project_splits, gate_adapter, tmp_path):
    output = tmp_path / "run"
    env = {**os.environ, "CI": "true"}
    process = subprocess.Popen(
        _train(project_splits, output), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 600
    while not (output / "checkpoint-10" / "checkpoint_complete").exists():
        assert process.poll() is None, "training ended before its first checkpoint"
        assert time.time() < deadline
        time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (output / "train_metrics.json").exists()

    finished = subprocess.run(
        _train(project_splits, output, "--resume"), env=env, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    metrics = json.loads((output / "train_metrics.json").read_text())
    steps = [entry["step"] for entry in metrics["loss_history"]]
    assert metrics["resumed_from_step"] >= 10 and metrics["global_step"] == 30
    assert steps[0] == 1 and steps[-1] == 30 and steps == sorted(steps)  # continuous across the kill
    assert max(b - a for a, b in zip(steps, steps[1:], strict=False)) <= 5  # every logging interval present

    from llama_sql.comparison import load_comparer

    comparer = load_comparer("tiny", output, profile="tiny")
    assert (
        comparer.generate(
            [json.loads((project_splits / "test.json").read_text())[0]], "finetuned", progress=False
        )[0].new_tokens
        > 0
    )
