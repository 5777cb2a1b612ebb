"""Execution-guided answers: several candidate queries per question, and the answer most of them agree on.

    vote = vote_on(database, ["SELECT ...", "SELECT ...", None], log_probs=[-3.2, -4.1, -9.0])
    vote.sql, vote.ran, vote.agreed
    scored = score_candidates(records, candidates, log_probs, base_dir)   # votes, judged, and the oracle

Every candidate runs in the sandbox (llama_sql/eval/sandbox.py) on the question's database, which is
never changed: a statement that would change data runs on a throwaway copy, as the evaluator runs it,
and its result is the tables it leaves. A candidate that does not run (no SQL, a syntax or runtime
error, a refusal, a timeout) is dropped. The rest are grouped by result, two results being the same when
`execution_match` says so (multisets of rows up to column order; in order only when both queries end in
ORDER BY). Candidates are taken most likely first (highest sequence log-probability), each joining the
first group whose first member's result it matches, so a group's first member is its most likely one.

The answer is the first member of the largest group; between groups of the same size, the group whose
most likely member is more likely wins. When no candidate runs, the answer is the most likely candidate
that holds SQL, so its error can still be shown. Voting never sees the gold query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from llama_sql.eval.evaluation import evaluate_records
from llama_sql.eval.execution_match import execution_match, has_top_level_order_by
from llama_sql.eval.sandbox import Database, DatabaseBuildError, Execution, SandboxLimits, database_for_record


@dataclass
class Vote:
    index: int | None  # the chosen candidate's position in the list voted on (None: no candidate holds SQL)
    sql: str  # the chosen candidate's SQL ("" when none holds SQL)
    ran: int  # candidates that ran
    agreed: int  # candidates whose result is the chosen one's (0 when none ran)
    groups: list[list[int]] = field(default_factory=list)  # candidates that ran, by result, largest first

    def to_json(self) -> dict:
        return {"voted": self.sql, "ran": self.ran, "agreed": self.agreed, "groups": self.groups}


def vote_on(
    database: Database | None, candidates: list[str | None], log_probs: list[float | None] | None = None
) -> Vote:
    """Run every candidate on `database` and pick the answer the most candidates' results agree on.

    `log_probs` (one per candidate, None where unknown) decides which candidate is most likely; without
    them the list's order does. `database` None (it could not be built) leaves every candidate unrun.
    """
    scores = log_probs or [None] * len(candidates)
    order = sorted(range(len(candidates)), key=lambda i: (_score(scores[i]), -i), reverse=True)
    with_sql = [i for i in order if isinstance(candidates[i], str) and candidates[i].strip()]
    runs: dict[int, Execution] = {}
    if database is not None:
        by_text: dict[str, Execution] = {}  # samples often repeat each other: each distinct SQL runs once
        for i in with_sql:
            if candidates[i] not in by_text:
                by_text[candidates[i]] = database.run(candidates[i])
            runs[i] = by_text[candidates[i]]
    groups: list[list[int]] = []
    for i in with_sql:
        if i not in runs or not runs[i].ok:
            continue
        group = next((g for g in groups if _same_result(candidates, runs, g[0], i)), None)
        if group is None:
            groups.append([i])
        else:
            group.append(i)
    groups.sort(key=len, reverse=True)  # stable: among equal sizes, the most likely first member stays first
    # the largest group's most likely member; when nothing ran, the most likely candidate holding SQL
    chosen = groups[0][0] if groups else (with_sql[0] if with_sql else None)
    return Vote(
        index=chosen,
        sql=candidates[chosen] if chosen is not None else "",
        ran=sum(len(g) for g in groups),
        agreed=len(groups[0]) if groups else 0,
        groups=groups,
    )


def _score(log_prob: float | None) -> float:
    return log_prob if log_prob is not None and not math.isnan(log_prob) else -math.inf


def _same_result(candidates, runs, first: int, other: int) -> bool:
    if candidates[first] == candidates[other]:
        return True
    ordered = has_top_level_order_by(candidates[first]) and has_top_level_order_by(candidates[other])
    return execution_match(runs[first], runs[other], ordered)


def vote_records(
    records: list[dict],
    candidates: list[list[str | None]],
    log_probs: list[list[float | None]] | None = None,
    base_dir: str | Path | None = None,
    limits: SandboxLimits | None = None,
) -> list[Vote]:
    """One vote per record, each on the record's own database (`db_path` or its instruction)."""
    limits = limits or SandboxLimits()
    votes, open_key, database = [], None, None
    try:
        for index, (record, drawn) in enumerate(zip(records, candidates, strict=True)):
            key = record.get("db_path") or record.get("instruction")
            if key != open_key:  # records on one database are usually adjacent: open each run of them once
                if isinstance(database, Database):
                    database.close()
                try:
                    database = database_for_record(record, base_dir, limits)
                except DatabaseBuildError:
                    database = None
                open_key = key
            scores = log_probs[index] if log_probs else None
            votes.append(vote_on(database, drawn, scores))
    finally:
        if isinstance(database, Database):
            database.close()
    return votes


@dataclass
class CandidateScores:
    """Votes on every record, the voted answers judged against the gold, and whether any candidate was right."""

    votes: list[Vote]
    voted: list[dict]  # the evaluation's verdict on each voted answer, in record order
    oracle: list[bool]  # per record: at least one candidate's result matches the gold's
    metrics: dict  # candidates, voted_execution_accuracy, oracle_execution_accuracy


def score_candidates(
    records: list[dict],
    candidates: list[list[str | None]],
    log_probs: list[list[float | None]] | None = None,
    base_dir: str | Path | None = None,
    limits: SandboxLimits | None = None,
) -> CandidateScores:
    """Vote on each record's candidates (without the gold), then judge the votes and each distinct candidate.

    Accuracies count records whose gold SQL ran, as `execution_accuracy` does; `oracle_execution_accuracy`
    is the share where some candidate is right: the most voting could reach with these candidates.
    """
    votes = vote_records(records, candidates, log_probs, base_dir, limits)
    voted, voted_metrics = evaluate_records(records, [v.sql for v in votes], base_dir, limits)
    distinct = [
        list(dict.fromkeys(s for s in drawn if isinstance(s, str) and s.strip())) for drawn in candidates
    ]
    owners = [i for i, sqls in enumerate(distinct) for _ in sqls]
    judged, _ = evaluate_records(
        [records[i] for i in owners], [sql for sqls in distinct for sql in sqls], base_dir, limits
    )
    oracle = [False] * len(records)
    for owner, verdict in zip(owners, judged, strict=True):
        oracle[owner] = oracle[owner] or bool(verdict["correct"])
    scored = [i for i, verdict in enumerate(voted) if verdict["gold_ok"]]
    metrics = {
        "candidates": max((len(drawn) for drawn in candidates), default=0),
        "voted_execution_accuracy": voted_metrics["execution_accuracy"],
        "oracle_execution_accuracy": sum(oracle[i] for i in scored) / len(scored) if scored else 0.0,
        "voted_correct": voted_metrics["correct"],
        "oracle_correct": sum(oracle[i] for i in scored),
        "mean_ran": _mean([v.ran for v in votes]),
        "mean_agreed": _mean([v.agreed for v in votes]),
    }
    return CandidateScores(votes, voted, oracle, metrics)


def _mean(values: list[int]) -> float:
    return round(sum(values) / len(values), 3) if values else 0.0
