"""Intent templates for LIKE: names that start with, end with or contain a piece of text taken
from the rows themselves."""

from __future__ import annotations

import re

from llama_sql.builder.drafting import Draft, Scope, article, plural


def _words(s: Scope, t) -> list[str]:
    return [w for value in s.values(t, t.label) for w in re.findall(r"[A-Za-z]{4,}", str(value))]


def like_start(s: Scope) -> Draft | None:
    t = s.pick(s.tables("text"))
    if t is None:
        return None
    value = str(s.pick(s.values(t, t.label)))
    prefix = value[:2] if s.rng.random() < 0.3 and value[:2].isalpha() else value[:1]
    count = s.rng.random() < 0.35
    a_lab = article(t.label_noun)
    if count:
        q = s.say(
            [
                "How many {plural} have {a_lab} starting with '{x}'?",
                "Count the {plural} whose {lab} begins with '{x}'.",
            ],
            plural=t.plural,
            a_lab=a_lab,
            lab=t.label_noun,
            x=prefix,
        )
    else:
        q = s.say(
            [
                "Which {plural} have {a_lab} starting with '{x}'?",
                "List the {plural} whose {lab} begins with '{x}'.",
                "Find every {one} with {a_lab} that starts with '{x}'.",
                "Show me the {plural} whose {lab} starts with '{x}'.",
            ],
            plural=t.plural,
            one=t.singular,
            a_lab=a_lab,
            lab=t.label_noun,
            x=prefix,
        )
    select = "COUNT(*)" if count else t.label
    sql = f"SELECT {select} FROM {t.name} WHERE {t.label} LIKE '{prefix}%'"
    why = (
        f"LIKE '{prefix}%' matches any {t.label} that begins with '{prefix}': % stands for any run of "
        f"characters after it. {'COUNT(*) counts' if count else f'SELECT {t.label} lists'} the matching "
        f"{t.plural} of {t.name}."
    )
    return Draft("like", q, sql, why)


def like_inside(s: Scope) -> Draft | None:
    t = s.pick(s.tables("text"))
    words = _words(s, t) if t else []
    if not words:
        return None
    word = s.pick(words).lower()
    ending = s.rng.random() < 0.35
    negate = not ending and s.rng.random() < 0.25
    if ending:
        part = word[-3:]
        pattern, how = f"%{part}", "ends with"
        q = s.say(
            [
                "Which {plural} have {a_lab} ending in '{x}'?",
                "List the {plural} whose {lab} ends with '{x}'.",
                "Find the {plural} whose {lab} ends in '{x}'.",
            ],
            plural=t.plural,
            a_lab=article(t.label_noun),
            lab=t.label_noun,
            labs=plural(t.label_noun),
            x=part,
        )
    else:
        start = s.rng.randrange(0, len(word) - 2)
        part = word[start : start + 3]
        pattern, how = f"%{part}%", "contains"
        phrasings = (
            [
                "Which {plural} have a {lab} that does not contain '{x}'?",
                "List the {plural} without '{x}' in their {lab}.",
            ]
            if negate
            else [
                "Which {plural} have '{x}' in their {lab}?",
                "Find the {plural} whose {lab} contains '{x}'.",
                "List {plural} with {a_lab} containing '{x}'.",
                "Search the {plural} for a {lab} with '{x}' in it.",
            ]
        )
        q = s.say(phrasings, plural=t.plural, lab=t.label_noun, a_lab=article(t.label_noun), x=part)
    op = "NOT LIKE" if negate else "LIKE"
    sql = f"SELECT {t.label} FROM {t.name} WHERE {t.label} {op} '{pattern}'"
    why = (
        f"{op} '{pattern}' {'rejects' if negate else 'keeps'} every {t.label} in {t.name} that {how} "
        f"'{part}': % matches any characters (or none), and SQLite's LIKE ignores letter case for "
        f"ASCII text. SELECT {t.label} returns the matching {plural(t.label_noun)}."
    )
    return Draft("like", q, sql, why)
