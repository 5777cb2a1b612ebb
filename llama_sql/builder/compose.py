"""Turn schemas and intent templates into verified records.

For each schema, every intent in `PLAN` is asked for a few drafts; a draft is kept only if its
gold SQL runs in the sandbox on the schema's database, returns rows that say something (not
empty, not all NULL, not a bare 0), sorts without a tie at its LIMIT, averages no group of a single
row, is not a set operation equal to one of its sides (soundness.py), and its question and SQL are
new for that schema. The RNG is seeded from the schema's name, so a build is reproducible.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

from llama_sql.builder import (
    aggregates,
    conditions,
    dates,
    filters,
    grouping,
    join_aggregates,
    joins,
    nesting,
    ordering,
    paths,
    patterns,
)
from llama_sql.builder.drafting import Draft, Scope
from llama_sql.builder.schema import Schema
from llama_sql.builder.soundness import averages_one_row, set_operation_equals_a_side
from llama_sql.eval.sandbox import open_database

SOURCE = "llama-sql"
ATTEMPTS_PER_EXAMPLE = 8

# (intent template, how many examples it should give each schema). About 80 per schema; joins of
# every kind make up a quarter, as a model needs many of them to learn to join.
PLAN: list[tuple[Callable[[Scope], Draft | None], int]] = [
    (filters.filter_equals, 2), (filters.filter_compare, 2), (filters.filter_both, 1),
    (filters.filter_between, 1), (filters.filter_in, 1), (filters.filter_except, 1), (filters.filter_date, 1),
    (aggregates.count_where, 2), (aggregates.count_all, 1), (aggregates.aggregate_value, 2),
    (aggregates.date_extreme, 1),
    (grouping.group_count, 2), (grouping.group_aggregate, 2), (grouping.group_count_where, 1),
    (grouping.having_count, 2), (grouping.having_aggregate, 2),
    (grouping.distinct_values, 1), (grouping.count_distinct, 1), (grouping.distinct_where, 2),
    (ordering.top_rows, 2), (ordering.top_group, 1), (ordering.sorted_rows, 1),
    (joins.parents_with_children, 4), (joins.pairs, 2), (joins.child_with_parent, 3),
    (joins.parents_without_children, 1), (joins.parents_with_missing, 1),
    (join_aggregates.count_per_parent, 2), (join_aggregates.total_for_parents, 2),
    (join_aggregates.per_parent_group, 2), (join_aggregates.top_parent, 1), (join_aggregates.parents_having, 1),
    (paths.bridge, 3), (paths.chain_down, 1), (paths.chain_up, 1), (paths.chain_count, 1),
    (nesting.above_average, 2), (nesting.compared_to_named, 1), (nesting.not_in_children, 1),
    (nesting.in_parents, 1), (nesting.union_of_filters, 1), (nesting.both_groups, 2), (nesting.parents_in_both, 1),
    (conditions.null_rows, 2), (conditions.null_count, 1), (conditions.null_fill, 1),
    (conditions.case_threshold, 1), (conditions.case_flag, 1), (conditions.case_count, 1), (conditions.case_bands, 1),
    (patterns.like_start, 2), (patterns.like_inside, 2),
    (dates.year_filter, 2), (dates.month_filter, 1), (dates.per_period, 1), (dates.span_days, 1),
    (dates.days_until, 1),
]  # fmt: skip


class BuildError(Exception):
    """A hand-written part of the dataset is wrong (a special's SQL fails or returns nothing)."""


def schema_records(schema: Schema) -> list[dict]:
    """Every verified example of one schema, in plan order, then the schema's hand-written ones."""
    rng = random.Random(f"{SOURCE}:{schema.db_id}")
    with open_database(schema.instruction) as database:
        scope = Scope(schema, database, rng)
        drafts: list[Draft] = []
        seen: set[str] = set()
        for intent, wanted in PLAN:
            kept = 0
            for _ in range(wanted * ATTEMPTS_PER_EXAMPLE):
                if kept == wanted:
                    break
                scope.said = []
                draft = intent(scope)
                if draft is not None and _acceptable(scope, draft, seen):
                    draft = dataclasses.replace(draft, template=_template(intent.__name__, scope.said))
                    seen.update((draft.question, draft.sql))
                    drafts.append(draft)
                    kept += 1
        for special in schema.specials:
            phrasing = rng.randrange(len(special.phrasings))  # the draw rng.choice made
            draft = Draft(
                special.category,
                special.phrasings[phrasing],
                special.sql,
                special.explanation,
                template=f"special:{schema.db_id}-{schema.specials.index(special)}.{phrasing}",  # no "/": never held out
            )
            if not _answers(scope, draft):
                raise BuildError(
                    f"{schema.db_id}: special query returns nothing useful or fails: {special.sql}"
                )
            if averages_one_row(scope.rows, special.sql) or set_operation_equals_a_side(
                scope.rows, special.sql
            ):
                raise BuildError(
                    f"{schema.db_id}: special query averages one row or equals a side of its set "
                    f"operation; rewrite it: {special.sql}"
                )
            drafts.append(draft)
    return [_record(schema, index, draft) for index, draft in enumerate(drafts, start=1)]


def _acceptable(scope: Scope, draft: Draft, seen: set[str]) -> bool:
    if draft.question in seen or draft.sql in seen:
        return False
    if not _answers(scope, draft):
        return False
    if averages_one_row(scope.rows, draft.sql) or set_operation_equals_a_side(scope.rows, draft.sql):
        return False
    return draft.ranking is None or _no_tie(scope, draft)


def _answers(scope: Scope, draft: Draft) -> bool:
    result = scope.db.run(draft.sql)
    if not result.ok:
        raise BuildError(f"{scope.schema.db_id}: generated SQL fails ({result.error}): {draft.sql}")
    values = [value for row in result.rows for value in row]
    return bool(values) and any(v is not None for v in values) and values != [0]


def _no_tie(scope: Scope, draft: Draft) -> bool:
    keys = [row[0] for row in scope.rows(draft.ranking)]
    if draft.limit:
        return len(keys) <= draft.limit or keys[draft.limit - 1] != keys[draft.limit]
    return len(set(keys)) == len(keys)


def _template(intent: str, said: list[int]) -> str:
    """ "filter_equals/3": the intent and the phrasing it picked ("/3.1" when it picked two)."""
    return f"{intent}/{'.'.join(map(str, said)) or '-'}"


def _record(schema: Schema, index: int, draft: Draft) -> dict:
    return {
        "id": f"{schema.db_id}-{index:04d}",
        "db_id": schema.db_id,
        "instruction": schema.instruction,
        "input": f"SQL Prompt: {draft.question}",
        "output": draft.sql,
        "explanation": draft.explanation,
        "category": draft.category,
        "template": draft.template,
        "source": SOURCE,
    }
