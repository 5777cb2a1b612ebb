"""The project works installed from a wheel: the package carries its dataset and `bench` runs from a
folder outside the repository, with no path into the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from llama_sql.builder import DEFAULT_OUTPUT, PACKAGED_DATASET, project_dataset

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "requirements.txt", "llama_sql", "data")


def test_the_package_finds_the_one_dataset_whatever_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert project_dataset() == ROOT / DEFAULT_OUTPUT
    # the package's own path to it is a link to data/, not a second copy to keep in step
    assert PACKAGED_DATASET.is_symlink() and PACKAGED_DATASET.resolve() == (ROOT / DEFAULT_OUTPUT).resolve()


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, **kwargs)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
def test_bench_runs_from_an_installed_wheel_outside_the_repository(tmp_path, tiny_model_dir):
    source = tmp_path / "source"  # a copy, so that building leaves no build/ or egg-info in the checkout
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run(
        [
            *pip,
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ]
    )
    wheel = next((tmp_path / "dist").glob("llama_sql-*.whl"))
    with zipfile.ZipFile(wheel) as archive:  # the file itself, not the link
        assert archive.read("llama_sql/data/alpaca_sql_dataset.json") == (ROOT / DEFAULT_OUTPUT).read_bytes()
    site = tmp_path / "site"
    _run([*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)])

    work = tmp_path / "elsewhere"  # no data/, no llama_sql/ here: everything comes from the install
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "CI": "true"}
    found = _run(
        [
            sys.executable,
            "-c",
            "import llama_sql, llama_sql.builder as b; print(llama_sql.__file__); print(b.project_dataset())",
        ],
        cwd=work,
        env=env,
    ).stdout.split()
    assert all(Path(p).is_relative_to(site) for p in found), found
    # --base_model names the tiny model's folder: its in-command build reads the dataset from the checkout
    command = [sys.executable, "-m", "llama_sql", "bench", "--size", "small", "--repeat", "1"]
    _run([*command, "--base_model", str(tiny_model_dir), "--output_dir", "out"], cwd=work, env=env)
    result = json.loads((work / "out" / "bench.json").read_text())
    assert result["evaluate"]["gold_execution_accuracy"] == 1.0
    assert result["train"]["speedup_vs_trl_default"] > 0
