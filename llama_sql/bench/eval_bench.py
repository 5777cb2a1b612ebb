"""Evaluation throughput: the sandboxed scorer against a plain sqlite3 loop over the same statements.

    python -m llama_sql bench          # runs this as its third section (llama_sql/bench/benchmark.py)

The test split is scored with its own gold SQL as the predictions. After a warm-up that fills the
scorer's caches, an untimed pass records every statement the sandbox runs (`Database.run`: gold, prediction, test-suite neighbours) and an unguarded
in-memory copy of each database it ran on. Then, once per round: the whole scorer (executions per
second of wall time, what `evaluate` delivers), and a plain `sqlite3` loop replaying the same statements
on the copies, `conn.execute(sql).fetchall()` with no authorizer, progress handler, limits or
throwaway copies. The price of safety is the sandbox's time inside `Database.run` over the plain loop's.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from llama_sql.bench.rounds import spread
from llama_sql.eval import sandbox
from llama_sql.eval.evaluation import evaluate_records

ROUND_SECONDS = 0.5  # each round repeats the scoring until it lasts about this long: steadier timings


@dataclass
class Recording:
    """The statements `Database.run` executed, in order, each with the index of its database."""

    statements: list[tuple[int, str]] = field(default_factory=list)
    copies: list[sqlite3.Connection] = field(default_factory=list)  # plain copy of each database
    seconds: float = 0.0  # time spent inside Database.run
    copy: bool = False  # make a plain copy of each database the first time it is seen

    def close(self) -> None:
        for conn in self.copies:
            conn.close()


@contextlib.contextmanager
def recorded_executions(copy: bool = False):
    """Record (and time) every `Database.run` while the block runs; with `copy`, copy each database."""
    original, recording, seen = sandbox.Database.run, Recording(copy=copy), {}

    def run(self, sql):
        if self not in seen:
            seen[self] = len(seen)
            if copy:
                plain = sqlite3.connect(":memory:")
                self._conn.backup(plain)
                recording.copies.append(plain)
        recording.statements.append((seen[self], sql))
        began = time.perf_counter()
        try:
            return original(self, sql)
        finally:
            recording.seconds += time.perf_counter() - began

    sandbox.Database.run = run
    try:
        yield recording
    finally:
        sandbox.Database.run = original


def plain_loop(recording: Recording, passes: int = 1) -> float:
    """Seconds to run the recorded statements `passes` times with plain sqlite3 on the copies, fetching
    every row."""
    began = time.perf_counter()
    for _ in range(passes):
        for index, sql in recording.statements:
            conn = recording.copies[index]
            with contextlib.suppress(sqlite3.Error, ValueError):
                conn.execute(sql).fetchall()
            if conn.in_transaction:  # a data-changing statement: undo it, as the sandbox's copy is dropped
                conn.rollback()
    return time.perf_counter() - began


def bench_evaluation(test: list[dict], base_dir: Path, size, rounds: int) -> dict:
    """Score the test split with its own gold SQL as the predictions; the scorer and the plain loop per
    round, each repeated within the round (`passes`) until it lasts about ROUND_SECONDS."""
    records = test[: size.eval_records] if size.eval_records else test
    predictions = [r["output"] for r in records]
    # Untimed: a first pass fills the scorer's caches (neighbour databases, gold results), so that the
    # second runs what every timed pass runs; it records those statements and copies the databases.
    evaluate_records(records, predictions, base_dir=base_dir)
    began = time.perf_counter()
    with recorded_executions(copy=True) as replay:
        evaluate_records(records, predictions, base_dir=base_dir)
    passes = max(1, math.ceil(ROUND_SECONDS / (time.perf_counter() - began)))
    per_round = []
    try:
        for _ in range(rounds):
            with recorded_executions() as recording:
                began = time.perf_counter()
                for _ in range(passes):
                    _, metrics = evaluate_records(records, predictions, base_dir=base_dir)
                scorer = time.perf_counter() - began
            per_round.append(
                (scorer, recording.seconds, plain_loop(replay, passes), len(recording.statements))
            )
    finally:
        replay.close()
    executions = per_round[0][3]  # statements of every pass in a round
    if executions != len(replay.statements) * passes:
        raise RuntimeError(
            f"the plain loop would replay {len(replay.statements)} statements a pass, the scorer ran "
            f"{executions // passes}: the price of safety would compare different work"
        )
    overhead = [statements / plain for _, statements, plain, _ in per_round]
    whole = [scorer / plain for scorer, _, plain, _ in per_round]
    median = {
        name: statistics.median(values)
        for name, values in {
            "scorer": [r[0] for r in per_round],
            "statements": [r[1] for r in per_round],
            "plain": [r[2] for r in per_round],
        }.items()
    }
    return {
        "executions_per_s": round(executions / median["scorer"], 1),
        "sandboxed_statements_per_s": round(executions / median["statements"], 1),
        "plain_sqlite_executions_per_s": round(len(replay.statements) * passes / median["plain"], 1),
        "overhead_vs_plain_sqlite": spread(overhead)["median"],
        "scorer_vs_plain_sqlite": spread(whole)["median"],
        "executions": executions // passes,  # statements one scoring of the records runs
        "records": len(records),
        "passes_per_round": passes,
        "records_per_s": round(len(records) * passes / median["scorer"], 1),
        "seconds": round(median["scorer"] / passes, 4),  # one scoring of the records
        "gold_execution_accuracy": metrics["execution_accuracy"],
        "spread": {"overhead_vs_plain_sqlite": spread(overhead), "scorer_vs_plain_sqlite": spread(whole)},
        "rounds": [
            {
                "scorer_seconds": round(scorer, 4),
                "sandboxed_statement_seconds": round(statements, 4),
                "plain_sqlite_seconds": round(plain, 4),
                "overhead_vs_plain_sqlite": round(statements / plain, 3),
            }
            for scorer, statements, plain, _ in per_round
        ],
    }
