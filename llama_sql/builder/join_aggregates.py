"""Intent templates that join a parent table to its children and summarise: counts and totals per
parent or per parent group, the top parent, and HAVING on a joined count. Same join style as
joins.py."""

from __future__ import annotations

from llama_sql.builder.drafting import AGG_MEANING, Draft, Scope, condition, pick_aggregate, plural_for
from llama_sql.builder.joins import join_on, pick_link


def count_per_parent(s: Scope) -> Draft | None:
    picked = pick_link(s, "nums") if s.rng.random() < 0.5 else pick_link(s)
    if picked is None:
        return None
    p, c, link = picked
    group = f"GROUP BY {p.name}.{p.label}"
    if c.nums and s.rng.random() < 0.5:
        n = s.pick(c.nums)
        fn, word = pick_aggregate(s, n)
        q = s.say(
            [
                "What is the {word} {noun} of {cp} for each {po}?",
                "For every {po}, give the {word} {noun} of their {cp}.",
                "Show each {po}'s {word} {co} {noun}.",
                "List the {pp} with the {word} {noun} of their {cp}.",
            ],
            word=word,
            noun=n.noun,
            cp=c.plural,
            co=c.singular,
            po=p.singular,
            pp=p.plural,
        )
        measure, meaning = f"{fn}({c.name}.{n.col})", f"{AGG_MEANING[fn]} the {n.noun} of their {c.plural}"
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
        measure, meaning = "COUNT(*)", f"counts their {c.plural}"
    sql = f"SELECT {p.name}.{p.label}, {measure} FROM {p.name} {join_on(p, p.key, c, link.fk)} {group}"
    why = (
        f"Joining {p.name} to {c.name} ON {p.name}.{p.key} = {c.name}.{link.fk} pairs every {p.singular} with "
        f"its {c.plural}; {group} makes one group per {p.singular} and {measure} {meaning}. The inner JOIN "
        f"leaves out {p.plural} with no {c.plural}."
    )
    return Draft("join", q, sql, why)


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
    if c.nums and s.rng.random() < 0.5:
        n = s.pick(c.nums)
        fn, word = pick_aggregate(s, n)
        measure = f"{fn}({c.name}.{n.col})"
        q = s.say(
            [
                "What is the {word} {noun} of {cp} per {group}?",
                "For each {po} {group}, give the {word} {noun} of their {cp}.",
            ],
            word=word,
            noun=n.noun,
            cp=c.plural,
            group=cat.noun,
            po=p.singular,
        )
    else:
        measure = "COUNT(*)"
        q = s.say(
            [
                "How many {cp} are there for each {group}?",
                "Count the {cp} per {po} {group}.",
                "Show the number of {cp} for every {po} {group}.",
            ],
            cp=c.plural,
            group=cat.noun,
            po=p.singular,
            pp=p.plural,
        )
    key = f"{p.name}.{cat.col}"
    sql = f"SELECT {key}, {measure} FROM {p.name} {join_on(p, p.key, c, link.fk)} GROUP BY {key}"
    why = (
        f"The {cat.noun} is stored on {p.name}, the {c.plural} in {c.name}: the JOIN ON {p.name}.{p.key} = "
        f"{c.name}.{link.fk} gives each {c.singular} its {p.singular}'s {cat.noun}, GROUP BY {key} groups "
        f"them, and {measure} summarises each group."
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
                "Which {po} has the highest total {noun} of {cp}?",
                "Name the {po} whose {cp} add up to the largest {noun}.",
            ],
            po=p.singular,
            noun=n.noun,
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
    tail = (
        f"FROM {p.name} {join_on(p, p.key, c, link.fk)} GROUP BY {p.name}.{p.label} ORDER BY {measure} DESC"
    )
    sql = f"SELECT {p.name}.{p.label} {tail} LIMIT 1"
    why = (
        f"The JOIN ON {p.name}.{p.key} = {c.name}.{link.fk} attaches the {c.plural} to their {p.singular}; "
        f"GROUP BY {p.name}.{p.label} makes one group per {p.singular}, ORDER BY {measure} DESC puts the "
        f"largest first, and LIMIT 1 keeps that {p.singular}."
    )
    return Draft("join", q, sql, why, ranking=f"SELECT {measure} {tail}", limit=1)


def parents_having(s: Scope) -> Draft | None:
    picked = pick_link(s)
    if picked is None:
        return None
    p, c, link = picked
    joined = f"FROM {p.name} {join_on(p, p.key, c, link.fk)} GROUP BY {p.name}.{p.label}"
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
        f"{c.singular}; GROUP BY {p.name}.{p.label} gathers them per {p.singular}, and HAVING COUNT(*) {op} {n} "
        f"keeps the {p.plural} with {words} {n} (a count per group, which only HAVING can test)."
    )
    return Draft("having", q, sql, why)
