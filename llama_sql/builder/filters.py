"""Intent templates for one table: filters (WHERE with =, <>, <, >, BETWEEN, IN, AND, dates).

Every template takes a `Scope`, picks a table whose columns play the roles it needs, draws values
from the rows, and returns a `Draft` (or None when the schema has no such table). Each has several
phrasings with different openings, because people ask the same thing in many ways.
"""

from __future__ import annotations

from llama_sql.builder.drafting import (
    Draft,
    Scope,
    article,
    condition,
    lit,
    num,
    plural,
    plural_after_one,
    round_down,
    round_up,
)


def filter_equals(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats"))
    if t is None:
        return None
    c = s.pick(t.cats)
    v = s.pick(s.values(t, c.col))
    about = c.about(v)
    q = s.say(
        [
            "List the {labs} of all {plural} {about}.",
            "Show me the {plural} {about}.",
            "Find every {one} {about}.",
            "Give me the {labs} of the {plural} {about}.",
            "I need a list of the {plural} {about}.",
            "Which {plural} are there {about}?",
        ],
        labs=plural(t.label_noun),
        plural=t.plural,
        one=t.singular,
        about=about,
    )
    sql = f"SELECT {t.label} FROM {t.name} WHERE {c.col} = {lit(v)}"
    why = (
        f"The {t.plural} are rows of the {t.name} table. WHERE {c.col} = {lit(v)} keeps only the "
        f"{t.plural} {about}, and SELECT {t.label} returns the {t.label_noun} of each of them."
    )
    return Draft("filter", q, sql, why)


def filter_compare(s: Scope) -> Draft | None:
    t = s.pick(s.tables("nums"))
    if t is None:
        return None
    n = s.pick(t.nums)
    above = s.rng.random() < 0.6
    v = s.cut(t, n.col, above)
    if v is None:
        return None
    op, phrase = (">", n.more(num(v))) if above else ("<", n.less(num(v)))
    if plural_after_one(phrase):
        return None
    word = s.pick(["above", "over", "greater than"] if above else ["below", "under", "less than"])
    q = s.say(
        [
            "List the {labs} of {plural} {phrase}.",
            "Which {plural} have {a_noun} {word} {v}?",
            "Show all {plural} {phrase}.",
            "Find the {plural} {phrase}.",
            "Give me every {one} {phrase}.",
        ],
        labs=plural(t.label_noun),
        plural=t.plural,
        one=t.singular,
        phrase=phrase,
        word=word,
        a_noun=article(n.noun),
        v=num(v),
    )
    sql = f"SELECT {t.label} FROM {t.name} WHERE {n.col} {op} {num(v)}"
    why = (
        f"WHERE {n.col} {op} {num(v)} keeps the rows of {t.name} whose {n.noun} is "
        f"{'greater' if above else 'less'} than {num(v)} ({op} is strict, so {num(v)} itself is left out); "
        f"SELECT {t.label} returns the {t.label_noun} of those {t.plural}."
    )
    return Draft("filter", q, sql, why)


def filter_both(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats", "nums"))
    if t is None:
        return None
    first, second = condition(s, t, kinds=("cat",)), condition(s, t, kinds=("num",))
    if first is None or second is None:
        return None
    q = s.say(
        [
            "List the {labs} of {plural} {a} and {b}.",
            "Which {plural} {a} are also {b}?",
            "Show me the {plural} {a} and {b}.",
            "Find every {one} {a} and {b}.",
        ],
        labs=plural(t.label_noun),
        plural=t.plural,
        one=t.singular,
        a=first.phrase,
        b=second.phrase,
    )
    sql = f"SELECT {t.label} FROM {t.name} WHERE {first.sql} AND {second.sql}"
    why = (
        f"Both conditions must hold, so they are joined with AND in the WHERE clause on {t.name}: "
        f"{first.sql} keeps the {t.plural} {first.phrase} and {second.sql} those {second.phrase}. "
        f"SELECT {t.label} returns their {plural(t.label_noun)}."
    )
    return Draft("filter", q, sql, why)


def filter_between(s: Scope) -> Draft | None:
    t = s.pick(s.tables("nums"))
    if t is None:
        return None
    n = s.pick(t.nums)
    values = s.values(t, n.col)
    if len(values) < 3:
        return None
    i = s.rng.randrange(len(values) - 1)
    j = s.rng.randrange(i + 1, len(values))
    low, high = round_down(values[i]), round_up(values[j])
    q = s.say(
        [
            "Which {plural} have {a_noun} between {lo} and {hi}?",
            "List the {labs} of {plural} whose {noun} is between {lo} and {hi}.",
            "Show the {plural} with {noun} from {lo} to {hi}.",
            "Find {plural} with {a_noun} in the range {lo} to {hi}.",
        ],
        plural=t.plural,
        labs=plural(t.label_noun),
        noun=n.noun,
        a_noun=article(n.noun),
        lo=num(low),
        hi=num(high),
    )
    sql = f"SELECT {t.label} FROM {t.name} WHERE {n.col} BETWEEN {num(low)} AND {num(high)}"
    why = (
        f"BETWEEN {num(low)} AND {num(high)} keeps the {t.name} rows whose {n.col} lies in that range, "
        f"both ends included; SELECT {t.label} lists the {plural(t.label_noun)} of those {t.plural}."
    )
    return Draft("filter", q, sql, why)


def filter_in(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats"))
    if t is None:
        return None
    c = s.pick(t.cats)
    values = s.values(t, c.col)
    if len(values) < 3:
        return None
    a, b = sorted(s.rng.sample(values, 2), key=values.index)
    q = s.say(
        [
            "List the {labs} of {plural} {a} or {b}.",
            "Find all {plural} {a} or {b}.",
            "Show me every {one} {a} or {b}.",
            "Which {plural} are there {a} or {b}?",
        ],
        labs=plural(t.label_noun),
        plural=t.plural,
        one=t.singular,
        a=c.about(a),
        b=c.about(b),
    )
    sql = f"SELECT {t.label} FROM {t.name} WHERE {c.col} IN ({lit(a)}, {lit(b)})"
    why = (
        f"{c.col} IN ({lit(a)}, {lit(b)}) keeps the {t.name} rows whose {c.noun} is either of the two "
        f"values asked for, a shorter way to write two conditions joined by OR; SELECT {t.label} "
        f"returns their {plural(t.label_noun)}."
    )
    return Draft("filter", q, sql, why)


def filter_except(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats"))
    if t is None:
        return None
    c = s.pick(t.cats)
    v = s.pick(s.values(t, c.col))
    q = s.say(
        [
            "List all {plural} except those {about}.",
            "Show the {labs} of {plural} other than those {about}.",
            "Which {plural} remain if we leave out those {about}?",
            "Give me the {plural} that are not {about}.",
        ],
        plural=t.plural,
        labs=plural(t.label_noun),
        about=c.about(v),
    )
    sql = f"SELECT {t.label} FROM {t.name} WHERE {c.col} <> {lit(v)}"
    why = (
        f"WHERE {c.col} <> {lit(v)} drops the {t.plural} {c.about(v)} and keeps every other row of "
        f"{t.name}; SELECT {t.label} returns the {plural(t.label_noun)} that remain."
    )
    return Draft("filter", q, sql, why)


def filter_date(s: Scope) -> Draft | None:
    t = s.pick(s.tables("dates"))
    if t is None:
        return None
    d = s.pick(t.dates)
    values = [v[:10] for v in s.values(t, d.col)]
    if len(values) < 3:
        return None
    after = s.rng.random() < 0.5
    day = s.pick(values[:-1] if after else values[1:])
    op, word = (">", s.pick(["after", "later than"])) if after else ("<", s.pick(["before", "earlier than"]))
    q = s.say(
        [
            "List the {plural} {verb} {word} {day}.",
            "Give me the {plural} {verb} {word} {day}.",
            "Show me every {one} {verb} {word} {day}.",
            "Find the {labs} of {plural} {verb} {word} {day}.",
        ],
        plural=t.plural,
        one=t.singular,
        labs=plural(t.label_noun),
        verb=d.verb,
        word=word,
        day=day,
    )
    sql = f"SELECT {t.label} FROM {t.name} WHERE {d.col} {op} {lit(day)}"
    why = (
        f"Dates are stored as 'YYYY-MM-DD' text, which sorts in date order, so WHERE {d.col} {op} {lit(day)} "
        f"keeps the {t.plural} {d.verb} {word} {day}; SELECT {t.label} returns their "
        f"{plural(t.label_noun)}."
    )
    return Draft("filter", q, sql, why)
