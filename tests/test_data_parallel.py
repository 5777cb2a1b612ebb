"""Data parallel training on the CPU: two processes launched by `accelerate launch` with the project's
DDP config (gloo instead of NCCL here) train what one process trains, write the run's files once, and
resume from a checkpoint."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from llama_sql.config import fit_to_processes, gradient_accumulation_steps, train_config

ROOT = Path(__file__).resolve().parents[1]
# Random order and no dropout make the two runs the same computation, so their losses agree closely.
SETTINGS = ["--base_model", "tiny", "--profile", "tiny", "--max_steps", "6", "--save_steps", "3",
            "--logging_steps", "1", "--lora_dropout", "0", "--no-group_by_length"]  # fmt: skip


def test_the_batch_is_shared_among_processes_and_stays_the_configured_size():
    cfg = train_config("tiny", batch_size=8, micro_batch_size=4)
    assert fit_to_processes(cfg, 1) is None and gradient_accumulation_steps(cfg, 1) == 2
    line = fit_to_processes(cfg, 2)
    assert (cfg.micro_batch_size, gradient_accumulation_steps(cfg, 2)) == (4, 1) and "batch 8" in line
    cfg = train_config("tiny", batch_size=4, micro_batch_size=4)
    fit_to_processes(cfg, 2)
    assert cfg.micro_batch_size * gradient_accumulation_steps(cfg, 2) * 2 == 4
    with pytest.raises(ValueError, match="multiple of 3"):
        fit_to_processes(train_config("tiny", batch_size=4), 3)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _train(data: Path, output: Path, processes: int, *extra: str) -> dict:
    env = {**os.environ, "CI": "true", "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "llama_sql", "train"]
    if processes > 1:
        accelerate = Path(sys.executable).with_name("accelerate")
        command = [str(accelerate), "launch", "--config_file", str(ROOT / "configs/accelerate/ddp.yaml"),
                   "--num_processes", str(processes), "--main_process_port", str(_free_port()),
                   "-m", "llama_sql", "train"]  # fmt: skip
    command += ["--dataset_path", str(data), "--output_dir", str(output), *SETTINGS, *extra]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("adapter saved to") == 1  # one process speaks for the run
    return json.loads((output / "train_metrics.json").read_text())


@pytest.mark.slow
def test_two_processes_train_what_one_does_and_resume(project_splits, tmp_path):
    data = project_splits / "val.json"
    one = _train(data, tmp_path / "one", 1)
    two = _train(data, tmp_path / "two", 2)
    assert two["global_step"] == one["global_step"] == 6  # same optimizer steps for the same global batch
    assert two["config"]["batch_size"] == 4 and two["config"]["micro_batch_size"] == 2
    assert two["train_tokens"] == one["train_tokens"]  # the same examples, counted over both processes
    assert two["final_loss"] == pytest.approx(one["final_loss"], rel=1e-3)
    checkpoint = tmp_path / "two" / "checkpoint-3"
    assert (checkpoint / "checkpoint_complete").exists()
    assert {p.name for p in checkpoint.glob("rng_state_*.pth")} == {"rng_state_0.pth", "rng_state_1.pth"}

    # resume: the run loses everything after its step-3 checkpoint, then continues from it on two processes
    resumed = tmp_path / "resumed"
    resumed.mkdir()
    shutil.copytree(checkpoint, resumed / "checkpoint-3")
    again = _train(data, resumed, 2, "--resume")
    assert again["resumed_from_step"] == 3 and again["global_step"] == 6
    assert [e["step"] for e in again["loss_history"]] == [1, 2, 3, 4, 5, 6]
    assert again["final_loss"] == pytest.approx(two["final_loss"], rel=1e-3)
