"""The run folder: where each notebook finds the others' files, on Drive in Colab and in runs/ elsewhere."""

import json
from pathlib import Path

from llama_sql.records import load_records
from llama_sql.workspace import DRIVE_ENV, dataset_choice, ensure_splits, run_folder, write_splits

ROOT = Path(__file__).resolve().parents[1]

DATASET = ROOT / "data" / "alpaca_sql_dataset.json"


def test_the_drive_stand_in_wins_and_runs_is_the_local_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DRIVE_ENV, raising=False)
    said = []
    local = run_folder(log=said.append)
    assert (str(local.root), local.on_drive) == ("runs", False) and (tmp_path / "runs").is_dir()
    assert local.adapter == local.root / "adapter" and "on this machine" in said[0]
    monkeypatch.setenv(DRIVE_ENV, str(tmp_path / "drive"))
    drive = run_folder(log=said.append)
    assert drive.on_drive and drive.data == tmp_path / "drive" / "data" and drive.root.is_dir()
    assert run_folder(use_drive=False, log=None).root.name == "runs"  # the parameter turns Drive off
    assert run_folder(tmp_path / "mine", log=None).root == tmp_path / "mine"


def test_splits_carry_a_note_of_their_dataset_and_are_read_back(tmp_path):
    splits = write_splits(DATASET, tmp_path, seed=3, hub_dataset=None)
    note = dataset_choice(tmp_path)
    assert note["dataset"] == str(DATASET) and note["seed"] == 3
    assert note["sizes"] == {name: len(rows) for name, rows in splits.items()}
    said = []
    assert ensure_splits(tmp_path, log=said.append) == tmp_path
    assert str(DATASET) in said[0] and "train" in said[0]
    assert len(load_records(tmp_path / "train.json")) == len(splits["train"])  # read back, not rebuilt


def test_missing_splits_are_made_and_the_notebook_says_so(tmp_path):
    said = []
    ensure_splits(tmp_path / "data", DATASET, log=said.append)
    assert "no splits" in said[0] and str(DATASET) in said[0]
    assert json.loads((tmp_path / "data" / "dataset.json").read_text())["made_by"] == "ensure_splits"
