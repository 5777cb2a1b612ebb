"""The Colab journey as users take it: each notebook on its own fresh runtime, nothing shared but Drive.

Each notebook runs in a Jupyter kernel whose working folder is an empty stand-in for Colab's /content
(`LLAMA_SQL_COLAB_ROOT`): its setup cell fetches the project (a zip of this working tree, as GitHub's
"Download ZIP" lays it out) into that folder and works from there, and `LLAMA_SQL_DRIVE_DIR` stands in for
Google Drive's MyDrive/llama-sql, the only folder the runtimes share. pip resolves the project's
requirements against this environment but installs nothing (PIP_DRY_RUN), so the suite's own install stays.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from llama_sql.records import load_records

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
GRETEL_SAMPLE = ROOT / "tests" / "fixtures" / "converters" / "gretel_sample.jsonl"
RUNNER = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(nb, sys.argv[3])
"""
WHERE_IS_THE_PACKAGE = "import llama_sql; print('package:', llama_sql.__file__)"


@pytest.fixture(scope="module")
def project_zip(tmp_path_factory) -> Path:
    """This working tree's files (tracked and untracked, not ignored) in one top folder, as GitHub zips it."""
    files = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
        )
        .stdout.decode()
        .split("\0")
    )
    archive = tmp_path_factory.mktemp("github") / "llama-sql-main.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for name in filter(None, files):
            if (ROOT / name).is_file():
                out.write(ROOT / name, f"llama-sql-main/{name}")
    return archive


def runtime_env(runtime: Path, drive: Path, repo_url: Path | str, **params) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLAMA_SQL_") or k == "LLAMA_SQL_CACHE"}
    env.update(
        LLAMA_SQL_COLAB_ROOT=str(runtime),
        LLAMA_SQL_REPO_URL=str(repo_url),
        LLAMA_SQL_DRIVE_DIR=str(drive),
        PIP_DRY_RUN="1",
        PIP_NO_INDEX="1",
        PIP_NO_BUILD_ISOLATION="false",  # pip's spelling of --no-build-isolation
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    env.update({f"LLAMA_SQL_{k}": str(v) for k, v in params.items()})
    return env


def start_notebook(name: str, runtime: Path, env: dict, setup_runs: int = 1) -> subprocess.Popen:
    """Execute notebooks/<name> on a fresh runtime folder, in its own process group (so it can be cut off)."""
    import nbformat

    runtime.mkdir(parents=True)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    again = [nbformat.v4.new_code_cell(nb.cells[1].source) for _ in range(setup_runs - 1)]
    nb.cells[2:2] = [*again, nbformat.v4.new_code_cell(WHERE_IS_THE_PACKAGE)]
    source = runtime.parent / f"{runtime.name}-{name}"
    nbformat.write(nb, source)
    out = runtime.parent / f"{runtime.name}-executed-{name}"
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(source), str(runtime), str(out)],
        cwd=runtime,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def run_notebook(name: str, runtime: Path, env: dict, setup_runs: int = 1) -> str:
    """Execute a notebook to the end; returns the text of its outputs."""
    process = start_notebook(name, runtime, env, setup_runs)
    log, _ = process.communicate(timeout=1800)
    assert process.returncode == 0, f"{name} failed on {runtime}:\n{log[-6000:]}"
    return outputs_text(runtime.parent / f"{runtime.name}-executed-{name}")


def outputs_text(path: Path) -> str:
    nb = json.loads(path.read_text())
    parts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def test_three_notebooks_on_three_runtimes_hand_off_through_drive(project_zip, tmp_path):
    drive = tmp_path / "drive"
    # 01, with its setup cell run twice: one copy of the project, imported from the runtime's copy
    first = tmp_path / "runtime-01"
    text = run_notebook("01_dataset.ipynb", first, runtime_env(first, drive, project_zip), setup_runs=2)
    assert sorted(p.name for p in first.iterdir()) == ["llama-sql"]
    assert not (first / "llama-sql" / "llama-sql").exists()
    assert f"package: {first / 'llama-sql' / 'llama_sql' / '__init__.py'}" in text
    choice = json.loads((drive / "data" / "dataset.json").read_text())
    assert choice["dataset"] == "data/alpaca_sql_dataset.json"
    train_size = len(load_records(drive / "data" / "train.json"))

    # 02 on a second runtime, cut off (as a disconnect does) once a checkpoint is on Drive
    second = tmp_path / "runtime-02"
    params = dict(MAX_STEPS=60, SAVE_STEPS=10, BATCH_SIZE=4)
    process = start_notebook(
        "02_qlora_train.ipynb", second, runtime_env(second, drive, project_zip, **params)
    )
    marker = drive / "adapter" / "checkpoint-10" / "checkpoint_complete"
    deadline = time.time() + 1200
    while not marker.exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    log, _ = process.communicate()
    assert marker.exists(), f"no checkpoint reached Drive before the cut:\n{log[-4000:]}"
    assert not (drive / "adapter" / "train_metrics.json").exists(), "training finished before the cut"

    # 02 again on a third runtime, RESUME=True and nothing else changed: it continues from Drive
    third = tmp_path / "runtime-02-resumed"
    text = run_notebook(
        "02_qlora_train.ipynb", third, runtime_env(third, drive, project_zip, RESUME=True, **params)
    )
    metrics = json.loads((drive / "adapter" / "train_metrics.json").read_text())
    assert metrics["resumed_from_step"] >= 10 and metrics["global_step"] == 60
    assert metrics["examples"] == train_size  # the split 01 wrote, read back from Drive
    assert "splits in" in text and "data/alpaca_sql_dataset.json" in text

    # 03 on a fourth runtime finds the adapter and the base it was trained on through Drive alone
    fourth = tmp_path / "runtime-03"
    run_notebook("03_compare.ipynb", fourth, runtime_env(fourth, drive, project_zip, LIMIT=8))
    compared = json.loads((drive / "compare" / "metrics.json").read_text())
    assert compared["n"] == 8 and {"base", "finetuned"} <= set(compared)


def test_notebook_02_trains_on_the_dataset_01_chose(project_zip, tmp_path):
    """01 converts a public dataset's sample instead of the project's; 02, on another runtime, trains on it."""
    drive = tmp_path / "drive"
    first = tmp_path / "runtime-01"
    hub = dict(HUB_DATASET=GRETEL_SAMPLE, HUB_SOURCE="gretel", HUB_LIMIT=20)
    run_notebook("01_dataset.ipynb", first, runtime_env(first, drive, project_zip, **hub))
    choice = json.loads((drive / "data" / "dataset.json").read_text())
    assert choice["hub_dataset"] == str(GRETEL_SAMPLE) and choice["dataset"].endswith("gretel_train.json")
    gretel_train = load_records(drive / "data" / "train.json")
    assert all(r.get("source", "").startswith("gretel") for r in gretel_train)

    second = tmp_path / "runtime-02"
    text = run_notebook(
        "02_qlora_train.ipynb", second, runtime_env(second, drive, project_zip, MAX_STEPS=4, BATCH_SIZE=2)
    )
    metrics = json.loads((drive / "adapter" / "train_metrics.json").read_text())
    assert metrics["examples"] + metrics["examples_too_long"] == len(gretel_train)
    assert "gretel_train.json" in text  # the notebook says which dataset it trains on


SETUP_TWICE = "exec(open(sys.argv[1]).read()); exec(open(sys.argv[1]).read()); print(os.getcwd())"


def _setup_cell(tmp_path: Path) -> Path:
    source = "".join(json.loads((NOTEBOOKS / "01_dataset.ipynb").read_text())["cells"][1]["source"])
    path = tmp_path / "setup_cell.py"
    path.write_text("import os, sys\n" + source)
    return path


def test_the_setup_cell_clones_once_however_often_it_runs(tmp_path):
    runtime = tmp_path / "content"
    runtime.mkdir()
    env = runtime_env(runtime, tmp_path / "drive", ROOT)  # a git URL: the clone path
    done = subprocess.run(
        [sys.executable, "-c", "import os, sys\n" + SETUP_TWICE, str(_setup_cell(tmp_path))],
        cwd=runtime,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in runtime.iterdir()) == ["llama-sql"]
    assert (runtime / "llama-sql" / ".git").is_dir() and not (runtime / "llama-sql" / "llama-sql").exists()
    assert done.stdout.strip().endswith(str(runtime / "llama-sql"))


def test_the_setup_cell_shows_pips_own_error(tmp_path, project_zip):
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(project_zip) as good, zipfile.ZipFile(broken, "w") as bad:
        for item in good.infolist():
            data = good.read(item)
            if item.filename == "llama-sql-main/requirements.txt":
                data += b"\nno-such-package-for-llama-sql==1.0\n"
            bad.writestr(item, data)
    runtime = tmp_path / "content"
    runtime.mkdir()
    done = subprocess.run(
        [sys.executable, str(_setup_cell(tmp_path))],
        cwd=runtime,
        env=runtime_env(runtime, tmp_path / "drive", broken),
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "pip could not install" in done.stderr and "no-such-package-for-llama-sql" in done.stderr
