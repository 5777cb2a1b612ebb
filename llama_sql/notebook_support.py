"""What every notebook's first two cells need: the project root as working folder, and parameters
that environment variables can override (so nbval in CI and papermill both shrink a notebook).

    from llama_sql.notebook_support import enter_project_root, param
    enter_project_root()
    STEPS = param("STEPS", 300)   # LLAMA_SQL_STEPS=20 overrides it, converted to int
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from llama_sql.converters import convert
from llama_sql.dedupe import dedupe_file

ENV_PREFIX = "LLAMA_SQL_"


def enter_project_root() -> Path:
    """chdir to the repository root (the folder holding `llama_sql/`), wherever the notebook started."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "llama_sql").is_dir() and (folder / "pyproject.toml").exists():
            os.chdir(folder)
            return folder
    package_root = Path(__file__).resolve().parent.parent
    os.chdir(package_root)
    return package_root


def param(name: str, default):
    """`default`, unless the environment sets LLAMA_SQL_<NAME>; the value takes the default's type."""
    raw = os.environ.get(ENV_PREFIX + name)
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if default is None or isinstance(default, (list, dict)):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def fetch_hub_dataset(hub_id: str, source: str, output: str | Path, split: str = "train", limit=None) -> Path:
    """Pull a public dataset from the Hugging Face Hub (gretel or sql-create-context), or read a file of it
    already on disk (an upload: `split` then does not apply), convert it to this project's records with
    every gold query run on SQLite, write them to `output` and print the summary."""
    local_file = Path(hub_id).is_file()
    summary = convert(source, hub_id, output, split=None if local_file else split, limit=limit)
    print(summary.report())
    return Path(output)


def dedupe_train_split(splits_dir: str | Path) -> str:
    """Drop training records whose question or SQL (normalized) repeats a val, test or test_unseen
    record; rewrite train.json atomically and say how many went. Public datasets repeat each other's
    questions."""
    splits_dir = Path(splits_dir)
    evaluation = [splits_dir / f"{name}.json" for name in ("val", "test", "test_unseen")]
    return dedupe_file(splits_dir / "train.json", evaluation, splits_dir / "train.json").report()
