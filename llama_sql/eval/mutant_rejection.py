"""How often the judge rejects near-misses of the gold: a mutation test of execution and test-suite accuracy.

    python -m llama_sql.eval.mutant_rejection data/alpaca_sql_dataset.json \\
        --equivalent tests/fixtures/evaluation/equivalent_mutants.json [--every 4] [--test_suite_k 3]

Every gold query is mutated (llama_sql/eval/mutants.py: `>` and `>=`, MIN and MAX, AVG to SUM,
COUNT(DISTINCT x) to COUNT(x), one side of a set operation dropped, inner and LEFT JOIN, ASC and DESC
under a LIMIT, one WHERE condition dropped) and each mutant is judged as a prediction. A mutant the
judge accepts either means the same as the gold or slipped through; `equivalent` names the ones a
person has read and found to mean the same (tests/fixtures/evaluation/equivalent_mutants.json), so
the rejection share is reported over all mutants and over the rest.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from llama_sql.eval.evaluation import evaluate_records
from llama_sql.eval.mutants import KINDS, mutants
from llama_sql.records import load_records

TESTED_KINDS = tuple(kind for kind in KINDS if kind != "equality")  # `=` vs `<>`: caught on any database


@dataclass
class Rejection:
    """Counts per mutation kind: mutants, and those rejected by execution and by test-suite accuracy."""

    mutants: dict[str, int] = field(default_factory=dict)
    rejected_execution: dict[str, int] = field(default_factory=dict)
    rejected_test_suite: dict[str, int] = field(default_factory=dict)
    accepted: list[dict] = field(default_factory=list)  # mutants test-suite accuracy let through
    gold_mismatches: list[str] = field(default_factory=list)  # ids whose gold failed to match itself
    seconds: float = 0.0  # wall clock
    cpu_seconds: float = 0.0  # this process's CPU time (what a busy machine does not inflate)

    def share(self, which: str, equivalent=frozenset(), kind: str | None = None) -> float:
        """Share of the mutants (of one kind, or all) that `which` ("execution" or "test_suite") rejects,
        leaving out those listed in `equivalent` as (record id, mutant SQL)."""
        kinds = [kind] if kind else list(self.mutants)
        total = sum(self.mutants.get(k, 0) for k in kinds)
        rejected = sum(getattr(self, f"rejected_{which}").get(k, 0) for k in kinds)
        listed = self.equivalent_accepted(equivalent, kinds)
        return rejected / (total - listed) if total > listed else 1.0

    def equivalent_accepted(self, equivalent, kinds=None) -> int:
        """How many accepted mutants are listed as equivalent (an equivalent one is never rejected: the
        test checks that, so leaving these out of the total leaves out every equivalent one)."""
        return sum(
            (a["id"], a["sql"]) in equivalent for a in self.accepted if kinds is None or a["kind"] in kinds
        )

    def table(self, equivalent=frozenset()) -> list[dict]:
        """Per kind: mutants, those listed as equivalent, and the rejected shares of the others."""
        return [
            {
                "kind": kind,
                "mutants": self.mutants[kind],
                "equivalent": self.equivalent_accepted(equivalent, [kind]),
                "rejected_execution": round(self.share("execution", equivalent, kind), 4),
                "rejected_test_suite": round(self.share("test_suite", equivalent, kind), 4),
            }
            for kind in TESTED_KINDS
            if self.mutants.get(kind)
        ]


def measure(
    records: list[dict], test_suite_k: int = 3, kinds: tuple[str, ...] = TESTED_KINDS, base_dir=None
) -> Rejection:
    """Judge every mutant of every record's gold; also check that each gold matches itself."""
    began, began_cpu = time.perf_counter(), time.process_time()
    report = Rejection()
    golds = [r["output"] for r in records]
    gold_results, _ = evaluate_records(records, golds, base_dir, test_suite_k=test_suite_k)
    report.gold_mismatches = [str(r["id"]) for r in gold_results if not r["test_suite_correct"]]
    pairs = [(record, mutant) for record in records for mutant in mutants(record["output"], kinds)]
    mutated = [m.sql for _, m in pairs]
    results, _ = evaluate_records([r for r, _ in pairs], mutated, base_dir, test_suite_k=test_suite_k)
    for (record, mutant), result in zip(pairs, results, strict=True):
        if not result["gold_ok"]:
            continue
        report.mutants[mutant.kind] = report.mutants.get(mutant.kind, 0) + 1
        for which, verdict in (("execution", "correct"), ("test_suite", "test_suite_correct")):
            if not result[verdict]:
                counts = getattr(report, f"rejected_{which}")
                counts[mutant.kind] = counts.get(mutant.kind, 0) + 1
        if result["test_suite_correct"]:
            report.accepted.append(
                {"id": str(record["id"]), "kind": mutant.kind, "gold": record["output"], "sql": mutant.sql}
            )
    report.seconds = time.perf_counter() - began
    report.cpu_seconds = time.process_time() - began_cpu
    return report


def load_equivalent(path) -> set[tuple[str, str]]:
    """(record id, mutant SQL) of the mutants a person read and found to mean the same as the gold."""
    return {(e["id"], e["sql"]) for e in json.loads(Path(path).read_text(encoding="utf-8"))}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", help="records with gold SQL (JSON or JSONL)")
    parser.add_argument("--every", type=int, default=1, help="only every N-th record (a fixed sample)")
    parser.add_argument("--test_suite_k", type=int, default=3)
    parser.add_argument("--equivalent", help="JSON list of mutants read as equivalent (id, sql), left out")
    parser.add_argument("--accepted", help="write the mutants test-suite accuracy accepted here (JSON)")
    args = parser.parse_args(argv)
    records = load_records(args.dataset)[:: args.every]
    report = measure(records, args.test_suite_k, base_dir=Path(args.dataset).resolve().parent)
    equivalent = load_equivalent(args.equivalent) if args.equivalent else set()
    for row in report.table(equivalent):
        print(json.dumps(row))
    listed = report.equivalent_accepted(equivalent)
    print(
        f"{len(records)} records, {sum(report.mutants.values())} mutants ({listed} listed as equivalent, "
        f"left out): rejected by execution accuracy {report.share('execution', equivalent):.4f}, by "
        f"test-suite accuracy {report.share('test_suite', equivalent):.4f} (all mutants counted: "
        f"{report.share('execution'):.4f} and {report.share('test_suite'):.4f}); golds not matching "
        f"themselves: {len(report.gold_mismatches)}; {report.seconds:.1f} s ({report.cpu_seconds:.1f} s CPU)"
    )
    if args.accepted:
        Path(args.accepted).write_text(json.dumps(report.accepted, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
