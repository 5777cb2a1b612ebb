"""Intent templates with a query inside a query: scalar and IN/NOT IN subqueries, and the set
operations UNION, INTERSECT and EXCEPT.
"""

from __future__ import annotations

from llama_sql.builder.drafting import Draft, Scope, article, condition, lit, plural
from llama_sql.builder.joins import pick_link


def above_average(s: Scope) -> Draft | None:
    t = s.pick(s.tables("nums"))
    if t is None:
        return None
    n = s.pick(t.nums)
    cond = condition(s, t, kinds=("cat",)) if t.cats and s.rng.random() < 0.35 else None
    above = s.rng.random() < 0.65
    op, word = (">", "above") if above else ("<", "below")
    scope = "the average" if cond is None else f"the average of {t.plural} {cond.phrase}"
    q = s.say(
        [
            "Which {plural} have {a_noun} {word} {scope}?",
            "List the {plural} whose {noun} is {word} {scope}.",
            "Find the {labs} of {plural} with {a_noun} {word} {scope}.",
            "Show me every {one} whose {noun} is {word} {scope}.",
        ],
        plural=t.plural,
        one=t.singular,
        a_noun=article(n.noun),
        noun=n.noun,
        word=word,
        scope=scope,
        labs=plural(t.label_noun),
    )
    inner = f"SELECT AVG({n.col}) FROM {t.name}" + ("" if cond is None else f" WHERE {cond.sql}")
    sql = f"SELECT {t.label} FROM {t.name} WHERE {n.col} {op} ({inner})"
    why = (
        f"The subquery ({inner}) computes {scope} {n.noun} once; the outer WHERE {n.col} {op} compares every "
        f"{t.singular} of {t.name} with it and SELECT {t.label} returns the ones that pass. An aggregate cannot "
        f"appear directly in WHERE, hence the subquery."
    )
    return Draft("subquery", q, sql, why)


def compared_to_named(s: Scope) -> Draft | None:
    t = s.pick(s.tables("nums", "text"))
    if t is None:
        return None
    n = s.pick(t.nums)
    name = s.pick(s.values(t, t.label))
    above = s.rng.random() < 0.6
    op, word = (">", "higher") if above else ("<", "lower")
    q = s.say(
        [
            "Which {plural} have a {word} {noun} than {name}?",
            "List the {plural} whose {noun} is {word} than that of {name}.",
            "Find every {one} with {a_noun} {word} than {name}'s.",
        ],
        plural=t.plural,
        one=t.singular,
        word=word,
        noun=n.noun,
        name=name,
        a_noun=article(n.noun),
    )
    inner = f"SELECT {n.col} FROM {t.name} WHERE {t.label} = {lit(name)}"
    sql = f"SELECT {t.label} FROM {t.name} WHERE {n.col} {op} ({inner})"
    why = (
        f"The subquery ({inner}) looks up the {n.noun} of {name}; the outer query keeps the {t.plural} whose "
        f"{n.col} is {word} ({op}) than that value, and SELECT {t.label} returns them."
    )
    return Draft("subquery", q, sql, why)


def not_in_children(s: Scope) -> Draft | None:
    picked = pick_link(s, "cats")
    if picked is None:
        return None
    p, c, link = picked
    cond = condition(s, c, kinds=("cat",))
    q = s.say(
        [
            "Which {pp} have no {cp} {about}?",
            "List the {pp} that never had {a_co} {about}.",
            "Find every {po} without any {cp} {about}.",
            "Show the {labs} of {pp} with no {cp} {about}.",
        ],
        pp=p.plural,
        po=p.singular,
        cp=c.plural,
        a_co=article(c.singular),
        about=cond.phrase,
        labs=plural(p.label_noun),
    )
    inner = f"SELECT {link.fk} FROM {c.name} WHERE {cond.sql}"
    sql = f"SELECT {p.label} FROM {p.name} WHERE {p.key} NOT IN ({inner})"
    why = (
        f"The subquery ({inner}) collects the {p.singular} of every {c.singular} {cond.phrase}; NOT IN keeps "
        f"the rows of {p.name} whose {p.key} is not among them, i.e. the {p.plural} with no such {c.singular}, "
        f"and SELECT {p.label} names them."
    )
    return Draft("subquery", q, sql, why)


def in_parents(s: Scope) -> Draft | None:
    picked = pick_link(s, parent_roles=("cats",))
    if picked is None:
        return None
    p, c, link = picked
    cond = condition(s, p, kinds=("cat",))
    q = s.say(
        [
            "Which {cp} belong to {pp} {about}?",
            "List the {clabs} of the {cp} of {pp} {about}.",
            "Show the {cp} that belong to {pp} {about}.",
        ],
        cp=c.plural,
        pp=p.plural,
        about=cond.phrase,
        clabs=plural(c.label_noun),
    )
    inner = f"SELECT {p.key} FROM {p.name} WHERE {cond.sql}"
    sql = f"SELECT {c.label} FROM {c.name} WHERE {link.fk} IN ({inner})"
    why = (
        f"The subquery ({inner}) finds the {p.plural} {cond.phrase}; WHERE {link.fk} IN (...) keeps the rows of "
        f"{c.name} that belong to one of them, and SELECT {c.label} lists those {c.plural}."
    )
    return Draft("subquery", q, sql, why)


def union_of_filters(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats", "nums"))
    if t is None:
        return None
    first, second = condition(s, t, kinds=("cat",)), condition(s, t, kinds=("num",))
    if second is None:
        return None
    q = s.say(
        [
            "List the {plural} {a} together with the {plural} {b}, without duplicates.",
            "Combine the {plural} {a} and the {plural} {b} into one list.",
            "Give me every {one} that is either {a} or {b}.",
        ],
        plural=t.plural,
        one=t.singular,
        a=first.phrase,
        b=second.phrase,
    )
    sql = (
        f"SELECT {t.label} FROM {t.name} WHERE {first.sql} UNION SELECT {t.label} FROM {t.name} "
        f"WHERE {second.sql}"
    )
    why = (
        f"Each SELECT returns {t.label} values from {t.name}, first WHERE {first.sql}, then WHERE {second.sql}; "
        f"UNION puts both lists together and removes {article(t.singular)} that appears in both."
    )
    return Draft("set_operation", q, sql, why)


def both_groups(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats", "nums"))
    if t is None:
        return None
    c = s.pick(t.cats)
    intersect = s.rng.random() < 0.5
    first, second = condition(s, t), condition(s, t, kinds=("num",))
    if first is None or second is None or first.sql.startswith(c.col) or first.sql == second.sql:
        return None
    if intersect:
        q = s.say(
            [
                "Which {groups} have both {plural} {a} and {plural} {b}?",
                "List the {groups} that have {plural} {a} as well as {plural} {b}.",
            ],
            groups=c.plural,
            plural=t.plural,
            a=first.phrase,
            b=second.phrase,
        )
        op, meaning = "INTERSECT", "keeps only the values found in both"
    else:
        q = s.say(
            [
                "Which {groups} have {plural} {a} but none {b}?",
                "List the {groups} with {plural} {a} and no {plural} {b}.",
            ],
            groups=c.plural,
            plural=t.plural,
            a=first.phrase,
            b=second.phrase,
        )
        op, meaning = "EXCEPT", "removes from the first list every value found in the second"
    sql = (
        f"SELECT {c.col} FROM {t.name} WHERE {first.sql} {op} SELECT {c.col} FROM {t.name} WHERE {second.sql}"
    )
    why = (
        f"The first SELECT lists {c.col} from the rows of {t.name} WHERE {first.sql} ({t.plural} {first.phrase}), "
        f"the second WHERE {second.sql}; {op} {meaning}, and like all set operations it returns each {c.noun} "
        f"once."
    )
    return Draft("set_operation", q, sql, why)


def parents_in_both(s: Scope) -> Draft | None:
    picked = pick_link(s, "cats", parent_roles=("cats",)) or pick_link(s, "nums", parent_roles=("cats",))
    if picked is None:
        return None
    p, c, link = picked
    mine, theirs = condition(s, p, kinds=("cat",)), condition(s, c, qualify=True)
    if theirs is None:
        return None
    q = s.say(
        [
            "Which {pp} {a} also have {cp} {b}?",
            "List the {pp} that are {a} and have {cp} {b}.",
            "Find the {pp} {a} that also appear among {pp} with {cp} {b}.",
        ],
        pp=p.plural,
        cp=c.plural,
        a=mine.phrase,
        b=theirs.phrase,
    )
    label = f"{p.name}.{p.label}"
    sql = (
        f"SELECT {p.label} FROM {p.name} WHERE {mine.sql} INTERSECT SELECT {label} FROM {p.name} "
        f"JOIN {c.name} ON {p.name}.{p.key} = {c.name}.{link.fk} WHERE {theirs.sql}"
    )
    why = (
        f"The first SELECT lists the {p.label} of {p.name} rows WHERE {mine.sql}; the second joins {p.name} to "
        f"{c.name} ON {p.name}.{p.key} = {c.name}.{link.fk} and keeps WHERE {theirs.sql}. "
        f"INTERSECT keeps the {plural(p.label_noun)} present in both lists, each once."
    )
    return Draft("set_operation", q, sql, why)
