"""Where a run's files live, so that three notebooks on three runtimes find each other's work.

    from llama_sql.workspace import run_folder
    run = run_folder()          # Colab: Google Drive's MyDrive/llama-sql; elsewhere: runs/
    run.data, run.adapter, run.compare

In Colab every notebook is its own runtime with its own disk, so the hand-off folder lives on Google
Drive: notebook 01 writes the splits and a note of which dataset they came from, 02 writes the adapter
and its checkpoints (a disconnect resumes from them), 03 reads both. `LLAMA_SQL_DRIVE_DIR` names a
folder that stands in for Drive (tests, or any host where a synced folder plays that part).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from llama_sql.records import DataError, load_records, write_json
from llama_sql.splits import SPLITS, split_file

DRIVE_ENV = "LLAMA_SQL_DRIVE_DIR"  # a folder standing in for MyDrive/llama-sql
DRIVE_MOUNT = Path("/content/drive")
DRIVE_FOLDER = DRIVE_MOUNT / "MyDrive" / "llama-sql"
LOCAL_FOLDER = Path("runs")
DATASET_NOTE = "dataset.json"  # beside the splits: which dataset they came from, and how
PROJECT_DATASET = Path("data/alpaca_sql_dataset.json")


@dataclass(frozen=True)
class RunFolder:
    """One run's files: splits in data/, the adapter and its checkpoints in adapter/, comparison in compare/."""

    root: Path
    on_drive: bool

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def adapter(self) -> Path:
        return self.root / "adapter"

    @property
    def compare(self) -> Path:
        return self.root / "compare"

    def __str__(self) -> str:
        return str(self.root)


def in_colab() -> bool:
    """True inside a Google Colab runtime."""
    try:
        import google.colab  # noqa: F401
    except ImportError:
        return False
    return True


def run_folder(root: str | Path | None = None, use_drive: bool = True, log=print) -> RunFolder:
    """The run's folder: `root` when given; else, with `use_drive`, $LLAMA_SQL_DRIVE_DIR or (in Colab) Google
    Drive's MyDrive/llama-sql, mounted on first use; else runs/ in the working folder. Says which, once."""
    if root is not None:
        folder, on_drive = Path(root), False
    elif use_drive and os.environ.get(DRIVE_ENV):
        folder, on_drive = Path(os.environ[DRIVE_ENV]), True
    elif use_drive and in_colab():
        if not (DRIVE_MOUNT / "MyDrive").is_dir():
            from google.colab import drive  # type: ignore[import-not-found]

            drive.mount(str(DRIVE_MOUNT))
        folder, on_drive = DRIVE_FOLDER, True
    else:
        folder, on_drive = LOCAL_FOLDER, False
    folder.mkdir(parents=True, exist_ok=True)
    where = "on Google Drive, kept across runtimes" if on_drive else "on this machine"
    if log:
        log(f"run folder: {folder} ({where})")
    return RunFolder(folder, on_drive)


def record_dataset_choice(splits_dir: str | Path, dataset: str | Path, **details) -> Path:
    """Write `dataset.json` beside the splits: the dataset they were made from (and how, in `details`),
    so notebooks 02 and 03, on other runtimes, train and compare on what notebook 01 chose."""
    note = {"dataset": str(dataset), **details}
    return write_json(Path(splits_dir) / DATASET_NOTE, note)


def dataset_choice(splits_dir: str | Path) -> dict | None:
    """What `record_dataset_choice` wrote, or None when the splits carry no note."""
    path = Path(splits_dir) / DATASET_NOTE
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataError(f"{path}: not valid JSON ({err}); run notebook 01 again to rewrite it.") from None


def ensure_splits(splits_dir: str | Path, dataset: str | Path = PROJECT_DATASET, log=print) -> Path:
    """The splits notebook 01 wrote in `splits_dir`, saying which dataset they hold. When there are none
    (01 has not run with this run folder), they are made from `dataset` and the note says so."""
    splits_dir = Path(splits_dir)
    if all((splits_dir / f"{name}.json").exists() for name in SPLITS):
        choice = dataset_choice(splits_dir) or {"dataset": "unknown (no dataset.json beside the splits)"}
        sizes = ", ".join(f"{name} {len(load_records(splits_dir / f'{name}.json'))}" for name in SPLITS)
        log(f"splits in {splits_dir} from {choice['dataset']}: {sizes}")
        return splits_dir
    log(
        f"no splits in {splits_dir} (notebook 01 has not run with this run folder): "
        f"making them from {dataset}"
    )
    write_splits(dataset, splits_dir, made_by="ensure_splits")
    return splits_dir


def write_splits(dataset: str | Path, splits_dir: str | Path, seed: int = 0, **details) -> dict[str, list]:
    """Split `dataset` into train/val/test in `splits_dir` and note where they came from (`details`: a hub
    id, its split, how many rows were pulled). Returns the splits."""
    splits = split_file(dataset, splits_dir, seed=seed)
    sizes = {name: len(rows) for name, rows in splits.items()}
    record_dataset_choice(splits_dir, dataset, seed=seed, sizes=sizes, **details)
    return splits
