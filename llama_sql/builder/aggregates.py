"""Intent templates for one table that return one number: COUNT, AVG, SUM, MIN and MAX."""

from __future__ import annotations

from llama_sql.builder.drafting import Draft, Scope, agg_meaning, condition, pick_aggregate


def count_where(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats") + s.tables("nums"))
    if t is None:
        return None
    cond = condition(s, t)
    if cond is None:
        return None
    group = f"{t.plural} {cond.phrase}"
    q = s.say(
        [
            "How many {group} are there?",
            "Count the {group}.",
            "What is the number of {group}?",
            "Tell me how many {group} there are.",
            "Could you count the {group}?",
        ],
        group=group,
    )
    sql = f"SELECT COUNT(*) FROM {t.name} WHERE {cond.sql}"
    why = (
        f"WHERE {cond.sql} keeps the rows of {t.name} for {group}, and COUNT(*) counts those rows, "
        f"giving the single number the question asks for."
    )
    return Draft("aggregation", q, sql, why)


def count_all(s: Scope) -> Draft | None:
    t = s.pick(s.schema.tables)
    q = s.say(
        [
            "How many {plural} are there?",
            "How many {plural} are in the database?",
            "Count all {plural}.",
            "What is the total number of {plural}?",
            "Tell me the number of {plural} on record.",
        ],
        plural=t.plural,
    )
    sql = f"SELECT COUNT(*) FROM {t.name}"
    why = (
        f"Each row of the {t.name} table is one {t.singular}, so COUNT(*) over the whole table, with no "
        f"WHERE clause, gives the number of {t.plural}."
    )
    return Draft("aggregation", q, sql, why)


def aggregate_value(s: Scope) -> Draft | None:
    t = s.pick(s.tables("nums"))
    if t is None:
        return None
    n = s.pick(t.nums)
    fn, word = pick_aggregate(s, n)
    cond = condition(s, t, kinds=("cat",)) if s.rng.random() < 0.5 else None
    group = t.plural if cond is None else f"{t.plural} {cond.phrase}"
    q = s.say(
        [
            "What is the {word} {noun} of {group}?",
            "Give me the {word} {noun} across {group}.",
            "Find the {word} {noun} among {group}.",
            "Tell me the {word} {noun} of all {group}.",
            "Could you work out the {word} {noun} for {group}?",
        ],
        word=word,
        noun=n.noun,
        group=group,
    )
    where = "" if cond is None else f" WHERE {cond.sql}"
    sql = f"SELECT {fn}({n.col}) FROM {t.name}{where}"
    scope = f"the whole {t.name} table" if cond is None else f"the rows of {t.name} kept by WHERE {cond.sql}"
    why = (
        f"The question asks for the {word} {n.noun}, so {fn}({n.col}) {agg_meaning(fn, n.noun)} over "
        f"{scope}, returning one number."
    )
    return Draft("aggregation", q, sql, why)


def date_extreme(s: Scope) -> Draft | None:
    t = s.pick(s.tables("dates"))
    if t is None:
        return None
    d = s.pick(t.dates)
    first = s.rng.random() < 0.5
    fn, word = ("MIN", s.pick(["earliest", "first"])) if first else ("MAX", s.pick(["latest", "most recent"]))
    q = s.say(
        [
            "What is the {word} {noun} among the {plural}?",
            "Give me the {word} {noun} of all {plural}.",
            "Which {noun} is the {word} one in the {table} table?",
            "Tell me the {word} {noun} on record.",
        ],
        word=word,
        noun=d.noun,
        plural=t.plural,
        table=t.name,
    )
    sql = f"SELECT {fn}({d.col}) FROM {t.name}"
    why = (
        f"{d.col} holds 'YYYY-MM-DD' text, which sorts like the dates themselves, so {fn}({d.col}) over "
        f"the {t.name} table returns the {word} {d.noun}."
    )
    return Draft("aggregation", q, sql, why)
