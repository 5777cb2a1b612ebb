"""Intent templates that join a parent table to its children and summarise: counts and totals per
parent or per parent group, the top parent, and HAVING on a joined count. Same join style as
joins.py.

A question about "each" parent (or parent group) keeps the parents without children: LEFT JOIN,
and COUNT of the child's key, which skips the NULL row a LEFT JOIN makes for them, so they count 0.
Per-parent groups use the parent's key, as two parents may share a name, and show its label.
"""

from __future__ import annotations

from llama_sql.builder.drafting import (
    Draft,
    Scope,
    agg_meaning,
    article,
    condition,
    pick_aggregate,
    plural_for,
)
from llama_sql.builder.joins import join_on, pick_link


def count_per_parent(s: Scope) -> Draft | None:
    picked = pick_link(s, "nums") if s.rng.random() < 0.5 else pick_link(s)
    if picked is None:
        return None
    p, c, link = picked
    group = f"GROUP BY {p.name}.{p.key}"
    if c.nums and s.rng.random() < 0.5:
        n = s.pick(c.nums)
        fn, word = pick_aggregate(s, n)
        q = s.say(
            [
                "What is the {word} {noun} of {cp} for each {po}?",
                "For every {po}, give the {word} {noun} of their {cp}.",
                "Show each {po}'s {word} {co_noun}.",
                "List the {pp} with the {word} {noun} of their {cp}.",
            ],
            word=word,
            noun=n.noun,
            cp=c.plural,
            co_noun=_of_child(c, n),
            po=p.singular,
            pp=p.plural,
        )
        measure = f"{fn}({c.name}.{n.col})"
        meaning = f"{agg_meaning(fn, n.noun)} of their {c.plural}, NULL for {article(p.singular)} with none"
    else:
        q = s.say(
            [
                "How many {cp} does each {po} have?",
                "Count the {cp} of every {po}.",
                "For each {po}, show the number of {cp}.",
                "List the {pp} with how many {cp} each one has.",
            ],
            cp=c.plural,
            po=p.singular,
            pp=p.plural,
        )
        measure = f"COUNT({c.name}.{c.key})"
        meaning = f"counts their {c.plural}; it skips NULL, so {article(p.singular)} with none gets 0"
    sql = f"SELECT {p.name}.{p.label}, {measure} FROM {p.name} LEFT {join_on(p, p.key, c, link.fk)} {group}"
    why = (
        f"LEFT JOIN {c.name} ON {p.name}.{p.key} = {c.name}.{link.fk} pairs every {p.singular} with its "
        f"{c.plural} and keeps the {p.plural} that have none (with NULL in the {c.name} columns), as the question "
        f"asks about every {p.singular}. {group} makes one group per {p.singular}, by key because two "
        f"{p.plural} may share {article(p.label_noun)}, SELECT shows its {p.label}, and {measure} {meaning}."
    )
    return Draft("join", q, sql, why)


def _of_child(c, n) -> str:
    """ "order amount", but "sale price" rather than "sale sale price"."""
    return n.noun if n.noun.split()[0] == c.singular else f"{c.singular} {n.noun}"


def total_for_parents(s: Scope) -> Draft | None:
    picked = pick_link(s, parent_roles=("cats",))
    if picked is None:
        return None
    p, c, link = picked
    cond = condition(s, p, qualify=True, kinds=("cat",))
    if c.nums and s.rng.random() < 0.5:
        n = s.pick(c.nums)
        fn, word = pick_aggregate(s, n)
        measure, asked = f"{fn}({c.name}.{n.col})", f"the {word} {n.noun}"
        q = s.say(
            [
                "What is the {word} {noun} of {cp} for {pp} {about}?",
                "Give me the {word} {noun} of the {cp} of {pp} {about}.",
            ],
            word=word,
            noun=n.noun,
            cp=c.plural,
            pp=p.plural,
            about=cond.phrase,
        )
    else:
        measure, asked = "COUNT(*)", f"how many {c.plural}"
        q = s.say(
            [
                "How many {cp} do {pp} {about} have?",
                "Count the {cp} that belong to {pp} {about}.",
                "What is the number of {cp} of {pp} {about}?",
            ],
            cp=c.plural,
            pp=p.plural,
            about=cond.phrase,
        )
    sql = f"SELECT {measure} FROM {p.name} {join_on(p, p.key, c, link.fk)} WHERE {cond.sql}"
    why = (
        f"The condition is on {p.name} but the question is about {c.name}, so the tables are joined ON "
        f"{p.name}.{p.key} = {c.name}.{link.fk}; WHERE {cond.sql} keeps the {c.plural} of {p.plural} "
        f"{cond.phrase}, and {measure} gives {asked}."
    )
    return Draft("join", q, sql, why)


def per_parent_group(s: Scope) -> Draft | None:
    picked = pick_link(s, parent_roles=("cats",))
    if picked is None:
        return None
    p, c, link = picked
    cat = s.pick(p.cats)
    po_group = cat.noun if cat.noun.split()[0] == p.singular else f"{p.singular} {cat.noun}"
    if c.nums and s.rng.random() < 0.5:
        n = s.pick(c.nums)
        fn, word = pick_aggregate(s, n)
        measure = f"{fn}({c.name}.{n.col})"
        q = s.say(
            [
                "What is the {word} {noun} of {cp} per {group}?",
                "For each {po_group}, give the {word} {noun} of their {cp}.",
            ],
            word=word,
            noun=n.noun,
            cp=c.plural,
            group=cat.noun,
            po_group=po_group,
        )
    else:
        measure = f"COUNT({c.name}.{c.key})"
        q = s.say(
            [
                "How many {cp} are there for each {group}?",
                "Count the {cp} per {po_group}.",
                "Show the number of {cp} for every {po_group}.",
            ],
            cp=c.plural,
            group=cat.noun,
            po_group=po_group,
            pp=p.plural,
        )
    key = f"{p.name}.{cat.col}"
    sql = f"SELECT {key}, {measure} FROM {p.name} LEFT {join_on(p, p.key, c, link.fk)} GROUP BY {key}"
    empty = "gets 0, as COUNT skips NULL" if measure.startswith("COUNT") else "gets NULL"
    why = (
        f"The {cat.noun} is stored on {p.name}, the {c.plural} in {c.name}: the LEFT JOIN ON {p.name}.{p.key} = "
        f"{c.name}.{link.fk} gives each {c.singular} its {p.singular}'s {cat.noun} and keeps {p.plural} without "
        f"{c.plural}, so every {cat.noun} is listed. GROUP BY {key} groups the rows and {measure} summarises each "
        f"group; {article(cat.noun)} whose {p.plural} have no {c.plural} {empty}."
    )
    return Draft("join", q, sql, why)


def top_parent(s: Scope) -> Draft | None:
    picked = pick_link(s)
    if picked is None:
        return None
    p, c, link = picked
    n = s.pick(c.nums) if c.nums and s.rng.random() < 0.5 else None
    if n is not None and n.summable:
        measure = f"SUM({c.name}.{n.col})"
        q = s.say(
            [
                "Which {po} has the highest {total} of {cp}?",
                "Name the {po} whose {cp} add up to the largest {noun}.",
            ],
            po=p.singular,
            noun=n.noun,
            total=n.noun if n.noun.split()[0] == "total" else f"total {n.noun}",
            cp=c.plural,
        )
    else:
        measure = "COUNT(*)"
        q = s.say(
            [
                "Which {po} has the most {cp}?",
                "Name the {po} with the largest number of {cp}.",
                "What {po} has the greatest number of {cp}?",
            ],
            po=p.singular,
            cp=c.plural,
        )
    tail = f"FROM {p.name} {join_on(p, p.key, c, link.fk)} GROUP BY {p.name}.{p.key} ORDER BY {measure} DESC"
    sql = f"SELECT {p.name}.{p.label} {tail} LIMIT 1"
    why = (
        f"The JOIN ON {p.name}.{p.key} = {c.name}.{link.fk} attaches the {c.plural} to their {p.singular}; "
        f"GROUP BY {p.name}.{p.key} makes one group per {p.singular}, ORDER BY {measure} DESC puts the "
        f"largest first, LIMIT 1 keeps that {p.singular} and SELECT {p.name}.{p.label} names it."
    )
    return Draft("join", q, sql, why, ranking=f"SELECT {measure} {tail}", limit=1)


def parents_having(s: Scope) -> Draft | None:
    picked = pick_link(s)
    if picked is None:
        return None
    p, c, link = picked
    joined = f"FROM {p.name} {join_on(p, p.key, c, link.fk)} GROUP BY {p.name}.{p.key}"
    top = max(n for (n,) in s.rows(f"SELECT COUNT(*) {joined}"))
    if top < 2:
        return None
    if s.rng.random() < 0.6:
        op, n, words = ">", s.rng.randrange(1, top), "more than"
    else:
        op, n, words = ">=", s.rng.randrange(2, top + 1), "at least"
    q = s.say(
        [
            "Which {pp} have {words} {n} {many}?",
            "List the {pp} with {words} {n} {many}.",
            "Find every {po} that has {words} {n} {many}.",
        ],
        pp=p.plural,
        po=p.singular,
        words=words,
        n=n,
        many=plural_for(n, c),
    )
    sql = f"SELECT {p.name}.{p.label} {joined} HAVING COUNT(*) {op} {n}"
    why = (
        f"Joining {p.name} to {c.name} ON {p.name}.{p.key} = {c.name}.{link.fk} gives one row per "
        f"{c.singular}; GROUP BY {p.name}.{p.key} gathers them per {p.singular}, and HAVING COUNT(*) {op} {n} "
        f"keeps the {p.plural} with {words} {n} (a count per group, which only HAVING can test)."
    )
    return Draft("having", q, sql, why)
