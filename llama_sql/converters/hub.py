"""Load a public dataset from the Hugging Face Hub by id, for Colab users (`datasets.load_dataset`).

    rows = load_hub_rows("gretelai/synthetic_text_to_sql", split="test", limit=500)

    python -m llama_sql data convert --from gretel --input gretelai/synthetic_text_to_sql \\
        --split test --output data/gretel_test.json

Without network access (or with HF_HUB_OFFLINE=1 and nothing cached) this raises a `DataError`
that says so and how to convert a downloaded file instead.
"""

from __future__ import annotations

import re
from pathlib import Path

from llama_sql.records import DataError

_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")


def looks_like_hub_id(text: str) -> bool:
    """`owner/name` that is not a file or folder here: `gretelai/synthetic_text_to_sql`."""
    return bool(_HUB_ID.fullmatch(text)) and not Path(text).exists()


def load_hub_rows(dataset_id: str, split: str = "train", limit: int | None = None) -> list[dict]:
    """The rows of one split of a hub dataset (the first `limit` of them) as plain dicts."""
    from datasets import load_dataset  # heavy import, only when the hub is used

    selection = split if limit is None else f"{split}[:{int(limit)}]"
    try:
        dataset = load_dataset(dataset_id, split=selection)
    except (
        Exception
    ) as err:  # datasets raises ConnectionError, FileNotFoundError, ValueError, its own types...
        reason = str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__
        raise DataError(
            f"could not load {dataset_id!r} (split {split!r}) from the Hugging Face Hub: {reason}. "
            "Check the dataset id and split and that this machine can reach huggingface.co (HF_HUB_OFFLINE "
            "must be unset); or download the dataset's file (parquet, CSV, JSON or JSONL) and pass its "
            "path to --input instead."
        ) from None
    return [dict(row) for row in dataset]
