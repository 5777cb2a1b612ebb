"""Neighbour databases: a record's own database, perturbed, so test-suite accuracy covers every record.

    neighbours = neighbour_databases(db, gold_sql, k=3)   # [(Database, the gold's Execution on it)]

With 4-7 rows a table, a wrong query often returns the gold's rows by luck (`>` for `>=` when no row
holds the literal, MIN for MAX over one row). Like the distilled test suites of Zhong et al. (2020),
test-suite accuracy also asks for a match on K neighbours: databases with the record's schema whose
rows are its own, perturbed, plus rows made to split the gold's edges (llama_sql/eval/neighbour_rows.py,
from the schema and rows llama_sql/eval/database_snapshot.py reads back).

Candidates are made in turn, each in one of neighbour_rows.SHAPES. A candidate is dropped when the gold
fails on it, when it breaks a foreign key the record's data keeps, or when the gold's top-level ORDER BY
meets a tie that decides its rows (its answer would then depend on how SQLite scans). The K kept are
those that best tell the gold from its near-misses (llama_sql/eval/mutants.py), counting only the
near-misses the record's own database does not already tell apart; then those on which the gold
returns something. The picked neighbours are remembered as SQL text, so judging a second model on the
same records rebuilds them instead of searching again.
"""

from __future__ import annotations

import functools
from collections import OrderedDict

from sqlglot import exp

from llama_sql.eval import suite_databases
from llama_sql.eval.database_snapshot import Snapshot, snapshot_of
from llama_sql.eval.execution_match import execution_match, has_top_level_order_by, values_equal
from llama_sql.eval.mutants import mutants, parse, spread
from llama_sql.eval.neighbour_rows import SHAPES, candidate_script, plan_for
from llama_sql.eval.sandbox import Database, DatabaseBuildError, Execution, SandboxLimits, open_database
from llama_sql.eval.suite_databases import quote_identifier as _quote

CANDIDATES_PER_DATABASE = 8  # candidates tried per neighbour kept, when near-misses stay hidden
MAX_MUTANTS = 12  # near-misses used to pick neighbours, taken in turn from each kind
CACHED_SUITES = 512  # recent (database, gold) pairs whose picked neighbours are kept as SQL text
_PICKED: OrderedDict[tuple, list[str]] = OrderedDict()  # (snapshot key, gold, k, seed) -> scripts


def _orphans_sql(snapshot: Snapshot, references) -> str | None:
    """One query counting child rows whose foreign key names no parent row."""
    if not references:
        return None
    checks = []
    for child, i, parent, j in references:
        c = f"{_quote(child)}.{_quote(snapshot.tables[child].columns[i])}"
        p = f"{_quote(parent)}.{_quote(snapshot.tables[parent].columns[j])}"
        checks.append(
            f"(SELECT COUNT(*) FROM {_quote(child)} WHERE {c} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {_quote(parent)} WHERE {p} = {c}))"
        )
    return "SELECT " + " + ".join(checks)


def tie_probe(gold_sql: str) -> str | None:
    """The gold with its top-level ORDER BY keys added as columns (and one row more under its LIMIT), to
    see whether tied rows decide its answer; None when the gold has no such ORDER BY to probe."""
    tree = parse(gold_sql)
    if not isinstance(tree, exp.Select) or not tree.args.get("order"):
        return None
    aliases = {e.alias.lower(): e.this for e in tree.expressions if isinstance(e, exp.Alias)}
    keys = []
    for i, ordered in enumerate(tree.args["order"].expressions):
        key = ordered.this
        if isinstance(key, exp.Literal) and not key.is_string and key.this.isdigit():
            if not 1 <= int(key.this) <= len(tree.expressions):
                return None
            key = tree.expressions[int(key.this) - 1].unalias()
        elif isinstance(key, exp.Column) and not key.table and key.name.lower() in aliases:
            key = aliases[key.name.lower()]
        keys.append(exp.alias_(key.copy(), f"tie_key_{i}"))
    probe = tree.copy()
    probe.set("expressions", [*probe.expressions, *keys])
    limit = probe.args.get("limit")
    if limit is not None:
        count = limit.expression
        if not (isinstance(count, exp.Literal) and not count.is_string and count.this.isdigit()):
            return None
        limit.set("expression", exp.Literal.number(int(count.this) + 1))
    return probe.sql(dialect="sqlite")


def tied(probe: Execution, width: int) -> bool:
    """Do two neighbouring rows of the probe tie on every ORDER BY key yet differ in what the gold returns?"""
    rows = probe.rows
    return any(
        all(values_equal(x, y) for x, y in zip(a[width:], b[width:], strict=True))
        and not all(values_equal(x, y) for x, y in zip(a[:width], b[:width], strict=True))
        for a, b in zip(rows, rows[1:], strict=False)
    )


def _usable(db: Database, gold_sql: str, orphans: str | None, probe: str | None) -> Execution | None:
    """The gold's execution on a candidate, or None when the candidate cannot be used."""
    gold = db.run(gold_sql)
    if not gold.ok:
        return None
    if orphans is not None:
        count = db.run(orphans)
        if not count.ok or count.rows[0][0]:
            return None
    if probe is not None and gold.tables is None:
        probed = db.run(probe)
        if probed.ok and tied(probed, len(gold.columns)):
            return None
    return gold


def _exposed(
    db: Database, gold: Execution, near_misses: list[str], hidden: set[int], ordered: bool
) -> set[int]:
    """The near-misses (of those still hidden) whose result on `db` differs from the gold's."""
    return {i for i in hidden if not execution_match(gold, db.run(near_misses[i]), ordered)}


def neighbour_databases(
    base: Database,
    gold_sql: str,
    k: int = suite_databases.DEFAULT_K,
    seed: int = 0,
    limits: SandboxLimits | None = None,
    judged_on: list[Database] | None = None,
    snapshot: Snapshot | None = None,
) -> list[tuple[Database, Execution]]:
    """Up to K neighbours of `base`, each with the gold's execution on it; [] when none can be built.

    `judged_on`: the databases the record is already judged on (its own); near-misses they already
    tell from the gold do not count when neighbours are picked. Candidates are made in turn (at most
    CANDIDATES_PER_DATABASE * K) until K of them tell every other near-miss from the gold; the K kept
    are picked greedily, those telling the most near-misses apart first, then those on which the
    gold returns something.
    """
    snapshot = snapshot or snapshot_of(base)
    if snapshot is None or k <= 0:
        return []
    cache_key = (snapshot.key, gold_sql, k, seed)
    if cache_key in _PICKED:
        _PICKED.move_to_end(cache_key)
        return _rebuilt(_PICKED[cache_key], gold_sql, limits)
    plan = plan_for(snapshot, gold_sql)
    ordered = has_top_level_order_by(gold_sql)
    near_misses = _near_misses(gold_sql)
    hidden = set(range(len(near_misses)))  # near-misses no database used so far tells apart
    for db in judged_on or []:
        gold = db.run(gold_sql)
        if gold.ok:
            hidden -= _exposed(db, gold, near_misses, hidden, ordered)
    candidates: list[tuple[Database, bool, set[int]]] = []  # (database, informative, what it exposes)
    made: list[tuple[Execution, str]] = []  # the gold's execution on each candidate and its script
    picked: list[int] = []
    orphans, probe = _orphans_sql(snapshot, plan.references), tie_probe(gold_sql)
    for index in range(k * CANDIDATES_PER_DATABASE):
        script = candidate_script(plan, f"{seed}:{index}:{gold_sql}", SHAPES[index % len(SHAPES)])
        try:
            db = open_database(instruction=script, limits=limits)
        except DatabaseBuildError:
            continue
        gold = _usable(db, gold_sql, orphans, probe)
        exposed = _exposed(db, gold, near_misses, hidden, ordered) if gold is not None else set()
        if gold is None or not (exposed or _informative(gold)):
            db.close()
            continue
        candidates.append((db, _informative(gold), exposed))
        made.append((gold, script))
        picked, covered = suite_databases.choose_databases(
            candidates, k, set(range(len(near_misses))) - hidden
        )
        if len(picked) == k and len(covered) == len(near_misses):
            break  # K of them tell every near-miss the record's own database does not from the gold
    for index, (db, _, _) in enumerate(candidates):
        if index not in picked:
            db.close()
    kept = [(candidates[i][0], *made[i]) for i in picked]
    _PICKED[cache_key] = [script for _, _, script in kept]
    if len(_PICKED) > CACHED_SUITES:
        _PICKED.popitem(last=False)
    return [(db, gold) for db, gold, _ in kept]


@functools.lru_cache(maxsize=1024)
def _near_misses(gold_sql: str) -> tuple[str, ...]:
    return tuple(m.sql for m in spread(mutants(gold_sql), MAX_MUTANTS))


def _rebuilt(scripts: list[str], gold_sql: str, limits) -> list[tuple[Database, Execution]]:
    """The neighbours picked before, built again from their SQL (generation is deterministic)."""
    rebuilt = []
    for script in scripts:
        try:
            db = open_database(instruction=script, limits=limits)
        except DatabaseBuildError:  # tighter limits than when it was made
            continue
        gold = db.run(gold_sql)
        if gold.ok:
            rebuilt.append((db, gold))
        else:
            db.close()
    return rebuilt


def _informative(gold: Execution) -> bool:
    return gold.tables is not None or any(v not in (None, 0) for row in gold.rows for v in row)
