"""Intent templates across tables: JOINs along the schema's foreign keys (`Link`), three-table
LEFT JOIN for "no ... at all", and a join that finds NULLs on the child side. Aggregating joins are
in join_aggregates.py, three-table paths in paths.py.

One style everywhere: `FROM a JOIN b ON a.x = b.y`, the table named first in FROM on the left of
ON, every column qualified with its table's full name, no aliases.
"""

from __future__ import annotations

from llama_sql.builder.drafting import Draft, Scope, article, condition, plural


def pick_link(s: Scope, *child_roles: str, parent_roles: tuple[str, ...] = ()) -> tuple | None:
    """A random (parent, child, link) whose tables have the roles asked for."""
    links = [
        ln
        for ln in s.schema.links
        if all(getattr(s.schema.table(ln.child), r) for r in child_roles)
        and all(getattr(s.schema.table(ln.parent), r) for r in parent_roles)
    ]
    link = s.pick(links)
    if link is None:
        return None
    return s.schema.table(link.parent), s.schema.table(link.child), link


def join_on(left, left_col: str, right, right_col: str) -> str:
    return f"JOIN {right.name} ON {left.name}.{left_col} = {right.name}.{right_col}"


def parents_with_children(s: Scope) -> Draft | None:
    picked = pick_link(s, "cats") or pick_link(s, "nums")
    if picked is None:
        return None
    p, c, link = picked
    cond = condition(s, c, qualify=True)
    if cond is None:
        return None
    q = s.say(
        [
            "Which {pp} have {cp} {about}?",
            "List the {labs} of {pp} with at least one {co} {about}.",
            "Find every {po} that has {cp} {about}.",
            "Show me the {pp} that have any {cp} {about}.",
            "I need the {pp} with {cp} {about}.",
        ],
        pp=p.plural,
        po=p.singular,
        cp=c.plural,
        co=c.singular,
        about=cond.phrase,
        labs=plural(p.label_noun),
    )
    sql = f"SELECT DISTINCT {p.name}.{p.label} FROM {p.name} {join_on(p, p.key, c, link.fk)} WHERE {cond.sql}"
    why = (
        f"The {c.plural} are in {c.name} and point to their {p.singular} through {link.fk}, so {p.name} is "
        f"joined to {c.name} ON {p.name}.{p.key} = {c.name}.{link.fk}. WHERE {cond.sql} keeps the {c.plural} "
        f"{cond.phrase}; SELECT DISTINCT {p.name}.{p.label} lists each {p.singular} once even if several of its "
        f"{c.plural} match."
    )
    return Draft("join", q, sql, why)


def _attribute(s: Scope, table) -> tuple[str, str]:
    """A column of the table worth showing, with its noun."""
    options = [(r.col, r.noun) for r in (*table.cats, *table.nums)] or [(table.label, table.label_noun)]
    return s.pick(options)


def pairs(s: Scope) -> Draft | None:
    picked = pick_link(s, parent_roles=("cats",))
    if picked is None:
        return None
    p, c, link = picked
    col, noun = _attribute(s, c)
    cond = condition(s, p, qualify=True, kinds=("cat",))
    q = s.say(
        [
            "Show the {labs} of {pp} {about} together with the {noun} of their {cp}.",
            "For each {po} {about}, list the {noun} of each of their {cp}.",
            "List every {co} of the {pp} {about}, with the {po}'s {lab} and the {noun}.",
            "Give me the {pp} {about} and the {noun} of every {co} they have.",
        ],
        pp=p.plural,
        po=p.singular,
        cp=c.plural,
        co=c.singular,
        about=cond.phrase,
        noun=noun,
        lab=p.label_noun,
        labs=plural(p.label_noun),
    )
    sql = (
        f"SELECT {p.name}.{p.label}, {c.name}.{col} FROM {p.name} {join_on(p, p.key, c, link.fk)} "
        f"WHERE {cond.sql}"
    )
    why = (
        f"The answer needs {p.name}.{p.label} from {p.name} and {c.name}.{col} from {c.name}, so the two "
        f"tables are joined ON {p.name}.{p.key} = {c.name}.{link.fk}, giving one row per {c.singular}. "
        f"WHERE {cond.sql} keeps only the {p.plural} {cond.phrase}."
    )
    return Draft("join", q, sql, why)


def child_with_parent(s: Scope) -> Draft | None:
    picked = pick_link(s)
    if picked is None:
        return None
    p, c, link = picked
    cond = condition(s, c, qualify=True)
    about = f" {cond.phrase}" if cond else ""
    q = s.say(
        [
            "List each {co}{about} with the {lab} of its {po}.",
            "For every {co}{about}, show its {clab} and the {po}'s {lab}.",
            "Show the {clabs} of the {cp}{about} and the {lab} of the {po} each belongs to.",
            "Which {po} does each {co}{about} belong to? Give the {co} {clab} and the {po} {lab}.",
        ],
        co=c.singular,
        cp=c.plural,
        po=p.singular,
        about=about,
        lab=p.label_noun,
        clab=c.label_noun,
        clabs=plural(c.label_noun),
    )
    where = f" WHERE {cond.sql}" if cond else ""
    sql = (
        f"SELECT {c.name}.{c.label}, {p.name}.{p.label} FROM {c.name} {join_on(c, link.fk, p, p.key)}{where}"
    )
    why = (
        f"Each row of {c.name} stores its {p.singular} as {link.fk}; joining {p.name} ON "
        f"{c.name}.{link.fk} = {p.name}.{p.key} brings in {p.name}.{p.label}, shown next to {c.name}.{c.label} for "
        f"every {c.singular}"
        + (f", and WHERE {cond.sql} keeps the {c.plural} {cond.phrase}." if cond else ".")
    )
    return Draft("join", q, sql, why)


def parents_without_children(s: Scope) -> Draft | None:
    picked = pick_link(s)
    if picked is None:
        return None
    p, c, link = picked
    count = s.rng.random() < 0.35
    if count:
        q = s.say(
            ["How many {pp} have no {cp}?", "Count the {pp} without any {cp}."], pp=p.plural, cp=c.plural
        )
    else:
        q = s.say(
            [
                "Which {pp} have no {cp}?",
                "List the {pp} without any {cp}.",
                "Show the {labs} of {pp} with no {cp} at all.",
                "Find the {pp} that do not appear in {table}.",
            ],
            pp=p.plural,
            cp=c.plural,
            labs=plural(p.label_noun),
            table=c.name,
        )
    select = "COUNT(*)" if count else f"{p.name}.{p.label}"
    sql = (
        f"SELECT {select} FROM {p.name} LEFT {join_on(p, p.key, c, link.fk)} WHERE {c.name}.{link.fk} IS NULL"
    )
    why = (
        f"A LEFT JOIN keeps every {p.singular} even without a matching row in {c.name}, filling the {c.name} "
        f"columns with NULL; WHERE {c.name}.{link.fk} IS NULL keeps exactly the {p.plural} that have no "
        f"{c.plural}, and {'COUNT(*) counts them' if count else f'SELECT {p.name}.{p.label} lists them'}."
    )
    return Draft("join", q, sql, why)


def parents_with_missing(s: Scope) -> Draft | None:
    picked = pick_link(s, "gaps")
    if picked is None:
        return None
    p, c, link = picked
    g = s.pick(c.gaps)
    q = s.say(
        [
            "Which {pp} have {cp} {missing}?",
            "List the {pp} with at least one {co} {missing}.",
            "Find every {po} that has {cp} {missing}.",
        ],
        pp=p.plural,
        po=p.singular,
        cp=c.plural,
        co=c.singular,
        missing=g.missing,
    )
    sql = (
        f"SELECT DISTINCT {p.name}.{p.label} FROM {p.name} {join_on(p, p.key, c, link.fk)} "
        f"WHERE {c.name}.{g.col} IS NULL"
    )
    why = (
        f"{article(c.singular, capital=True)} {g.missing} has NULL in {c.name}.{g.col}, which only IS NULL can test. Joining "
        f"{p.name} ON {p.name}.{p.key} = {c.name}.{link.fk} finds the {p.singular} of each such {c.singular}, "
        f"and SELECT DISTINCT {p.name}.{p.label} lists every {p.singular} once."
    )
    return Draft("null_handling", q, sql, why)
