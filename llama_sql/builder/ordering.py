"""Intent templates for ORDER BY, with and without LIMIT.

Sorting questions are only fair when the answer is unique, so these templates hand the builder a
`ranking` query (the sort keys in order) and it rejects a draft whose cut falls on a tie.
"""

from __future__ import annotations

from llama_sql.builder.drafting import Draft, Scope, plural, whose


def top_rows(s: Scope) -> Draft | None:
    t = s.pick(s.tables("nums"))
    if t is None:
        return None
    n = s.pick(t.nums)
    k = s.pick([1, 1, 2, 3])
    high = s.rng.random() < 0.6
    order, word = (
        ("DESC", s.pick(["highest", "largest"])) if high else ("ASC", s.pick(["lowest", "smallest"]))
    )
    if k == 1:
        q = s.say(
            [
                "Which {one} has the {word} {noun}?",
                "What is the {one} with the {word} {noun}?",
                "Give me the {lab} of the {one} with the {word} {noun}.",
                "Find the {one} with the {word} {noun}.",
            ],
            one=t.singular,
            word=word,
            noun=n.noun,
            lab=t.label_noun,
        )
    else:
        top = ["Show the top {k} {plural} by {noun}."] if high else []
        q = s.say(
            top
            + [
                "List the {k} {plural} with the {word} {noun}.",
                "What are the {k} {plural} with the {word} {noun}?",
                "Give me the {labs} of the {k} {plural} with the {word} {noun}.",
                "Which {k} {plural} have the {word} {noun}?",
            ],
            k=k,
            plural=t.plural,
            word=word,
            noun=n.noun,
            labs=plural(t.label_noun),
        )
    sql = f"SELECT {t.label} FROM {t.name} ORDER BY {n.col} {order} LIMIT {k}"
    why = (
        f"ORDER BY {n.col} {order} sorts the rows of {t.name} from the {word} {n.noun} "
        f"{'down' if high else 'up'}, LIMIT {k} keeps the first {k} row{'s' if k > 1 else ''}, and "
        f"SELECT {t.label} returns {'their' if k > 1 else 'its'} {t.label_noun}."
    )
    ranking = f"SELECT {n.col} FROM {t.name} ORDER BY {n.col} {order}"
    return Draft("order_limit", q, sql, why, ranking=ranking, limit=k)


def top_group(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats"))
    if t is None:
        return None
    c = s.pick(t.cats)
    q = s.say(
        [
            "Which {group} has the most {plural}?",
            "What is the most common {group} among {plural}?",
            "Which {group} appears most often among the {plural}?",
            "Name the {group} with the largest number of {plural}.",
        ],
        group=c.noun,
        plural=t.plural,
    )
    sql = f"SELECT {c.col} FROM {t.name} GROUP BY {c.col} ORDER BY COUNT(*) DESC LIMIT 1"
    why = (
        f"GROUP BY {c.col} groups the rows of {t.name} by {c.noun} and COUNT(*) sizes each group; ORDER BY "
        f"COUNT(*) DESC puts the largest group first, LIMIT 1 keeps it and SELECT {c.col} names that {c.noun}."
    )
    ranking = f"SELECT COUNT(*) FROM {t.name} GROUP BY {c.col} ORDER BY COUNT(*) DESC"
    return Draft("order_limit", q, sql, why, ranking=ranking, limit=1)


def sorted_rows(s: Scope) -> Draft | None:
    t = s.pick(s.tables("nums"))
    if t is None:
        return None
    n = s.pick(t.nums)
    high = s.rng.random() < 0.5
    order, words = ("DESC", "from highest to lowest") if high else ("ASC", "from lowest to highest")
    q = s.say(
        [
            "List all {plural} with their {noun}, {words}.",
            "Sort the {plural} by {noun} {words}, showing each {who} and {noun}.",
            "Show every {one}'s {lab} and {noun}, ordered {words}.",
        ],
        plural=t.plural,
        one=t.singular,
        noun=n.noun,
        words=words,
        lab=t.label_noun,
        who=whose(t),
    )
    sql = f"SELECT {t.label}, {n.col} FROM {t.name} ORDER BY {n.col} {order}"
    why = (
        f"SELECT {t.label}, {n.col} FROM {t.name} shows each {t.singular} with its {n.noun}; ORDER BY {n.col} {order} "
        f"sorts the rows {words}, as asked. There is no WHERE clause because every {t.singular} is listed."
    )
    ranking = f"SELECT {n.col} FROM {t.name} ORDER BY {n.col} {order}"
    return Draft("order_limit", q, sql, why, ranking=ranking)
