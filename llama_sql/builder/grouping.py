"""Intent templates for one table: GROUP BY, HAVING and DISTINCT."""

from __future__ import annotations

from llama_sql.builder.drafting import (
    Draft,
    Scope,
    agg_meaning,
    article,
    condition,
    num,
    pick_aggregate,
    plural_for,
)


def group_count(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats"))
    if t is None:
        return None
    c = s.pick(t.cats)
    q = s.say(
        [
            "How many {plural} are there in each {noun}?",
            "Count the {plural} per {noun}.",
            "Show the number of {plural} for every {noun}.",
            "For each {noun}, how many {plural} are there?",
            "Break down the {plural} by {noun}.",
        ],
        plural=t.plural,
        noun=c.noun,
    )
    sql = f"SELECT {c.col}, COUNT(*) FROM {t.name} GROUP BY {c.col}"
    why = (
        f"GROUP BY {c.col} puts the rows of {t.name} into one group per {c.noun}; SELECT {c.col}, COUNT(*) "
        f"then shows each {c.noun} next to the number of {t.plural} in its group."
    )
    return Draft("group_by", q, sql, why)


def group_aggregate(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats", "nums"))
    if t is None:
        return None
    c, n = s.pick(t.cats), s.pick(t.nums)
    fn, word = pick_aggregate(s, n)
    q = s.say(
        [
            "What is the {word} {noun} of {plural} in each {group}?",
            "For each {group}, give the {word} {noun} of the {plural}.",
            "Show the {word} {noun} per {group} for {plural}.",
            "Break down the {word} {noun} of {plural} by {group}.",
            "I'd like to see the {word} {noun} of {plural} for every {group}.",
        ],
        word=word,
        noun=n.noun,
        plural=t.plural,
        group=c.noun,
    )
    sql = f"SELECT {c.col}, {fn}({n.col}) FROM {t.name} GROUP BY {c.col}"
    why = (
        f"GROUP BY {c.col} makes one group of {t.name} rows per {c.noun}, and {fn}({n.col}) "
        f"{agg_meaning(fn, n.noun)} within each group, so every {c.noun} appears once with its "
        f"{word} {n.noun}."
    )
    return Draft("group_by", q, sql, why)


def group_count_where(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats", "nums"))
    if t is None:
        return None
    c = s.pick(t.cats)
    cond = condition(s, t, kinds=("num",))
    if cond is None:
        return None
    q = s.say(
        [
            "For each {group}, how many {plural} {phrase} are there?",
            "Count the {plural} {phrase} in each {group}.",
            "How many {plural} {phrase} does each {group} have?",
            "Show, per {group}, the number of {plural} {phrase}.",
        ],
        group=c.noun,
        plural=t.plural,
        phrase=cond.phrase,
    )
    sql = f"SELECT {c.col}, COUNT(*) FROM {t.name} WHERE {cond.sql} GROUP BY {c.col}"
    why = (
        f"WHERE {cond.sql} first keeps only the {t.plural} {cond.phrase}; GROUP BY {c.col} then groups "
        f"what is left by {c.noun}, and COUNT(*) counts each group. {article(c.noun, capital=True)} with no such {t.singular} "
        f"does not appear."
    )
    return Draft("group_by", q, sql, why)


def having_count(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats"))
    if t is None:
        return None
    c = s.pick(t.cats)
    counts = sorted(n for (n,) in s.rows(f"SELECT COUNT(*) FROM {t.name} GROUP BY {c.col}"))
    if counts[-1] < 2:
        return None
    if s.rng.random() < 0.6:
        op, limit, words = ">", s.rng.randrange(1, counts[-1]), "more than"
    else:
        op, limit, words = ">=", s.rng.randrange(2, counts[-1] + 1), "at least"
    many = plural_for(limit, t)
    q = s.say(
        [
            "Which {groups} have {words} {n} {many}?",
            "List the {groups} with {words} {n} {many}.",
            "Show every {group} that has {words} {n} {many}.",
            "Find the {groups} counting {words} {n} {many}.",
        ],
        groups=c.plural,
        group=c.noun,
        words=words,
        n=limit,
        many=many,
    )
    sql = f"SELECT {c.col} FROM {t.name} GROUP BY {c.col} HAVING COUNT(*) {op} {limit}"
    why = (
        f"GROUP BY {c.col} forms one group of {t.name} rows per {c.noun}. The condition is about the size "
        f"of a group, not about single rows, so it goes in HAVING COUNT(*) {op} {limit} (WHERE cannot "
        f"use COUNT); only the {c.plural} with {words} {limit} {many} are returned."
    )
    return Draft("having", q, sql, why)


def having_aggregate(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats", "nums"))
    if t is None:
        return None
    c, n = s.pick(t.cats), s.pick(t.nums)
    fn, word = pick_aggregate(s, n)
    v = s.cut(t, n.col, True, expr=f"SELECT {fn}({n.col}) FROM {t.name} GROUP BY {c.col}")
    if v is None:
        return None
    q = s.say(
        [
            "Which {groups} have {a_word} {noun} of {plural} above {v}?",
            "List the {groups} where the {word} {noun} of {plural} is greater than {v}.",
            "Show each {group} whose {plural} have {a_word} {noun} over {v}.",
            "For which {groups} is the {word} {noun} of {plural} more than {v}?",
        ],
        groups=c.plural,
        group=c.noun,
        a_word=article(word),
        word=word,
        noun=n.noun,
        plural=t.plural,
        v=num(v),
    )
    sql = f"SELECT {c.col} FROM {t.name} GROUP BY {c.col} HAVING {fn}({n.col}) > {num(v)}"
    why = (
        f"GROUP BY {c.col} groups the {t.name} rows per {c.noun}; {fn}({n.col}) "
        f"{agg_meaning(fn, n.noun)} of each group, and HAVING {fn}({n.col}) > {num(v)} keeps the groups above {num(v)}. "
        f"HAVING is needed because the test is on a group's {word} {n.noun}, which WHERE cannot see."
    )
    return Draft("having", q, sql, why)


def distinct_values(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats"))
    if t is None:
        return None
    c = s.pick(t.cats)
    q = s.say(
        [
            "Which {groups} appear among the {plural}?",
            "List the distinct {groups} of all {plural}.",
            "What are the different {groups} in the {table} table?",
            "Show each {group} of the {plural} once.",
        ],
        groups=c.plural,
        group=c.noun,
        plural=t.plural,
        table=t.name,
    )
    sql = f"SELECT DISTINCT {c.col} FROM {t.name}"
    why = (
        f"Several {t.plural} can share {article(c.noun)}; SELECT DISTINCT {c.col} returns each {c.noun} found in "
        f"{t.name} only once."
    )
    return Draft("distinct", q, sql, why)


def count_distinct(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats"))
    if t is None:
        return None
    c = s.pick(t.cats)
    q = s.say(
        [
            "How many distinct {groups} are there among the {plural}?",
            "Count the different {groups} found in the {table} table.",
            "What is the number of unique {groups} among {plural}?",
            "How many different {groups} do the {plural} cover?",
        ],
        groups=c.plural,
        plural=t.plural,
        table=t.name,
    )
    sql = f"SELECT COUNT(DISTINCT {c.col}) FROM {t.name}"
    why = (
        f"COUNT(DISTINCT {c.col}) counts each {c.noun} in {t.name} once, however many {t.plural} share it; "
        f"COUNT(*) would count rows instead."
    )
    return Draft("distinct", q, sql, why)


def distinct_where(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats", "nums"))
    if t is None:
        return None
    c = s.pick(t.cats)
    cond = condition(s, t, kinds=("num",))
    if cond is None:
        return None
    q = s.say(
        [
            "Which {groups} have {plural} {phrase}?",
            "List the distinct {groups} of {plural} {phrase}.",
            "Show each {group} that has {plural} {phrase}, without repeats.",
        ],
        groups=c.plural,
        group=c.noun,
        plural=t.plural,
        phrase=cond.phrase,
    )
    sql = f"SELECT DISTINCT {c.col} FROM {t.name} WHERE {cond.sql}"
    why = (
        f"WHERE {cond.sql} keeps the {t.plural} {cond.phrase}; SELECT DISTINCT {c.col} then lists each of "
        f"their {c.plural} once, even when several {t.plural} share it."
    )
    return Draft("distinct", q, sql, why)
