"""Intent templates that join three tables: through a linking table (`Bridge`: patients ->
diagnoses -> doctors) or down a chain of foreign keys (artists -> albums -> tracks).
"""

from __future__ import annotations

from llama_sql.builder.drafting import Draft, Scope, article, condition, plural


def _fk(s: Scope, parent: str, child: str) -> str:
    return next(ln.fk for ln in s.schema.links if ln.parent == parent and ln.child == child)


def bridge(s: Scope) -> Draft | None:
    b = s.pick(s.schema.bridges)
    if b is None:
        return None
    forward = s.rng.random() < 0.5
    src, dst = (b.left, b.right) if forward else (b.right, b.left)
    verb = b.forward if forward else b.backward
    src, mid, dst = s.schema.table(src), s.schema.table(b.child), s.schema.table(dst)
    cond = condition(s, dst, qualify=True)
    if cond is None:
        return None
    src_fk, dst_fk = _fk(s, src.name, mid.name), _fk(s, dst.name, mid.name)
    count = s.rng.random() < 0.25
    if count:
        q = s.say(
            ["How many different {sp} {verb} {dp} {about}?", "Count the {sp} that {verb} {a_dst} {about}."],
            sp=src.plural,
            dp=dst.plural,
            verb=verb,
            about=cond.phrase,
            a_dst=article(dst.singular),
        )
    else:
        q = s.say(
            [
                "Which {sp} {verb} {dp} {about}?",
                "List the {labs} of {sp} that {verb} {dp} {about}.",
                "Find all {sp} that {verb} {a_dst} {about}.",
                "Show me the {sp} that {verb} {dp} {about}.",
            ],
            sp=src.plural,
            so=src.singular,
            dp=dst.plural,
            verb=verb,
            about=cond.phrase,
            a_dst=article(dst.singular),
            labs=plural(src.label_noun),
        )
    label = f"{src.name}.{src.label}"
    select = f"COUNT(DISTINCT {label})" if count else f"DISTINCT {label}"
    sql = (
        f"SELECT {select} FROM {src.name} JOIN {mid.name} ON {src.name}.{src.key} = {mid.name}.{src_fk} "
        f"JOIN {dst.name} ON {mid.name}.{dst_fk} = {dst.name}.{dst.key} WHERE {cond.sql}"
    )
    why = (
        f"{mid.name} links {src.plural} and {dst.plural}: {src.name} is joined to {mid.name} on {src_fk}, and "
        f"{mid.name} to {dst.name} on {dst_fk}. WHERE {cond.sql} keeps the {dst.plural} {cond.phrase}; "
        + (
            f"COUNT(DISTINCT {label}) counts each {src.singular} once."
            if count
            else f"SELECT DISTINCT {label} lists each {src.singular} once, however many {mid.plural} connect them."
        )
    )
    return Draft("join", q, sql, why)


def _chains(s: Scope) -> list[tuple]:
    """(top, middle, bottom) tables where top -> middle -> bottom follow foreign keys."""
    found = []
    for upper in s.schema.links:
        for lower in s.schema.links:
            if upper.child == lower.parent:
                found.append((upper, lower))
    return found


def chain_down(s: Scope) -> Draft | None:
    picked = s.pick(_chains(s))
    if picked is None:
        return None
    upper, lower = picked
    top, mid, low = (s.schema.table(n) for n in (upper.parent, upper.child, lower.child))
    cond = condition(s, low, qualify=True)
    if cond is None:
        return None
    q = s.say(
        [
            "Which {tp} have {lp} {about}?",
            "List the {tp} with at least one {lo} {about}.",
            "Find the {labs} of {tp} that have {lp} {about}.",
        ],
        tp=top.plural,
        lp=low.plural,
        lo=low.singular,
        about=cond.phrase,
        labs=plural(top.label_noun),
    )
    sql = (
        f"SELECT DISTINCT {top.name}.{top.label} FROM {top.name} JOIN {mid.name} ON {top.name}.{top.key} = "
        f"{mid.name}.{upper.fk} JOIN {low.name} ON {mid.name}.{mid.key} = {low.name}.{lower.fk} WHERE {cond.sql}"
    )
    why = (
        f"{low.name} does not point at {top.name} directly: each row of {low.name} names its {mid.singular} "
        f"({lower.fk}) and each row of {mid.name} its {top.singular} ({upper.fk}), so the query joins all three. "
        f"WHERE {cond.sql} keeps the {low.plural} {cond.phrase}, and SELECT DISTINCT {top.name}.{top.label} lists "
        f"each {top.singular} once."
    )
    return Draft("join", q, sql, why)


def chain_up(s: Scope) -> Draft | None:
    picked = s.pick(_chains(s))
    if picked is None:
        return None
    upper, lower = picked
    top, mid, low = (s.schema.table(n) for n in (upper.parent, upper.child, lower.child))
    cond = condition(s, top, qualify=True, kinds=("cat",))
    if cond is None:
        return None
    q = s.say(
        [
            "Which {lp} belong to {tp} {about}?",
            "List the {labs} of all {lp} of {tp} {about}.",
            "Show the {lp} that go back to {tp} {about}.",
        ],
        lp=low.plural,
        tp=top.plural,
        about=cond.phrase,
        labs=plural(low.label_noun),
    )
    sql = (
        f"SELECT {low.name}.{low.label} FROM {low.name} JOIN {mid.name} ON {low.name}.{lower.fk} = "
        f"{mid.name}.{mid.key} JOIN {top.name} ON {mid.name}.{upper.fk} = {top.name}.{top.key} WHERE {cond.sql}"
    )
    why = (
        f"The condition is on {top.name}, two steps away from {low.name}: {low.name} is joined to {mid.name} "
        f"on {lower.fk}, and {mid.name} to {top.name} on {upper.fk}. WHERE {cond.sql} keeps the {top.plural} "
        f"{cond.phrase}, and SELECT {low.name}.{low.label} lists their {low.plural}."
    )
    return Draft("join", q, sql, why)


def chain_count(s: Scope) -> Draft | None:
    picked = s.pick(_chains(s))
    if picked is None:
        return None
    upper, lower = picked
    top, mid, low = (s.schema.table(n) for n in (upper.parent, upper.child, lower.child))
    q = s.say(
        [
            "How many {lp} does each {to} have in total?",
            "Count the {lp} of every {to}, across all their {mp}.",
            "For each {to}, how many {lp} are there?",
        ],
        lp=low.plural,
        to=top.singular,
        mp=mid.plural,
    )
    label, counted = f"{top.name}.{top.label}", f"COUNT({low.name}.{low.key})"
    sql = (
        f"SELECT {label}, {counted} FROM {top.name} LEFT JOIN {mid.name} ON {top.name}.{top.key} = "
        f"{mid.name}.{upper.fk} LEFT JOIN {low.name} ON {mid.name}.{mid.key} = {low.name}.{lower.fk} "
        f"GROUP BY {top.name}.{top.key}"
    )
    why = (
        f"Each row of {low.name} reaches its {top.singular} through {mid.name}, so {top.name}, {mid.name} and "
        f"{low.name} are joined along {upper.fk} and {lower.fk}. LEFT JOINs keep every {top.singular}, even one "
        f"without {mid.plural} or {low.plural}, as the question asks about each. GROUP BY {top.name}.{top.key} "
        f"makes one group per {top.singular} (by key, as names may repeat), SELECT shows its {top.label}, and "
        f"{counted} counts the {low.plural} in it, skipping the NULL of {article(top.singular)} with none, which gets 0."
    )
    return Draft("join", q, sql, why)
