"""A figure measured over several rounds: its median, its spread, and every round's value.

    spread([2.45, 3.50, 2.76])   # {"median": 2.76, "min": 2.45, "max": 3.5, "rounds": [2.45, 3.5, 2.76]}

One round's ratio moves a lot on a shared machine, so the bench reports the median of interleaved
rounds (every comparison timed once per round, back to back) and keeps the rest beside it.
"""

from __future__ import annotations

import statistics


def spread(values: list[float], digits: int = 3) -> dict:
    """Median, minimum, maximum and the values themselves, in round order, each rounded to `digits`."""
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "rounds": [round(v, digits) for v in values],
    }


def with_spread(figure: dict, digits: int = 2) -> str:
    """'2.76x (2.45-3.50 over 5 rounds)', or '2.76x (1 round)'."""
    if len(figure["rounds"]) == 1:
        return f"{figure['median']:.{digits}f}x (1 round)"
    return (
        f"{figure['median']:.{digits}f}x ({figure['min']:.{digits}f}-{figure['max']:.{digits}f} "
        f"over {len(figure['rounds'])} rounds)"
    )
