"""Peak GPU memory of a run, as data: training and compare write it into their metrics files.

    reset_peak_memory()
    ...                      # train or generate
    peak_memory()            # {"device": "Tesla T4", "max_memory_allocated_gb": 7.9, ...}, None on a CPU

`max_memory_allocated` counts the tensors PyTorch held at the peak; `max_memory_reserved` what its
caching allocator took from the card, which is what another process (or an out-of-memory error) sees.
"""

from __future__ import annotations

GB = 1e9  # decimal gigabytes, as card makers and llama_sql.bench.memory_estimate count them


def reset_peak_memory() -> None:
    """Start counting the peak afresh (weights already loaded stay counted: they are still allocated)."""
    import torch

    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()


def peak_memory() -> dict | None:
    """The peak since the last reset, in GB, on the current CUDA device; None without a GPU."""
    import torch

    if not torch.cuda.is_available():
        return None
    return {
        "device": torch.cuda.get_device_name(),
        "max_memory_allocated_gb": round(torch.cuda.max_memory_allocated() / GB, 3),
        "max_memory_reserved_gb": round(torch.cuda.max_memory_reserved() / GB, 3),
    }
