"""Intent templates for one table: NULL handling (IS NULL, COALESCE) and CASE expressions."""

from __future__ import annotations

from llama_sql.builder.drafting import Draft, Scope, article, condition, num, plural, round_down, whose

FILL_WORDS = ("None", "Unknown", "N/A", "Missing")
LABEL_PAIRS = (("High", "Low"), ("Large", "Small"), ("Above", "Below"), ("Yes", "No"))


def null_rows(s: Scope) -> Draft | None:
    t = s.pick(s.tables("gaps"))
    if t is None:
        return None
    g = s.pick(t.gaps)
    q = s.say(
        [
            "List the {labs} of {plural} {missing}.",
            "Which {plural} are {missing}?",
            "Find the {plural} {missing}.",
            "Show me every {one} {missing}.",
        ],
        labs=plural(t.label_noun),
        plural=t.plural,
        one=t.singular,
        missing=g.missing,
    )
    sql = f"SELECT {t.label} FROM {t.name} WHERE {g.col} IS NULL"
    why = (
        f"A missing {g.noun} is stored as NULL in {t.name}.{g.col}. NULL never equals anything, not even "
        f"NULL, so the test must be {g.col} IS NULL rather than = NULL; SELECT {t.label} lists those {t.plural}."
    )
    return Draft("null_handling", q, sql, why)


def null_count(s: Scope) -> Draft | None:
    t = s.pick(s.tables("gaps"))
    if t is None:
        return None
    g = s.pick(t.gaps)
    missing = s.rng.random() < 0.5
    test, phrase = ("IS NULL", g.missing) if missing else ("IS NOT NULL", g.present)
    q = s.say(
        [
            "How many {plural} {phrase} are there?",
            "Count the {plural} {phrase}.",
            "What is the number of {plural} {phrase}?",
            "Tell me how many {plural} are {phrase}.",
        ],
        plural=t.plural,
        phrase=phrase,
    )
    sql = f"SELECT COUNT(*) FROM {t.name} WHERE {g.col} {test}"
    why = (
        f"{t.name}.{g.col} is NULL when the {g.noun} is unknown, so WHERE {g.col} {test} keeps the rows of {t.name} for the "
        f"{t.plural} {phrase} (a comparison with = or <> would never match NULL); COUNT(*) counts them."
    )
    return Draft("null_handling", q, sql, why)


def null_fill(s: Scope) -> Draft | None:
    t = s.pick(s.tables("gaps"))
    if t is None:
        return None
    g = s.pick(t.gaps)
    fill = "0" if g.numeric else f"'{s.pick(FILL_WORDS)}'"
    q = s.say(
        [
            "List each {one}'s {lab} and {noun}, showing {fill} when the {noun} is missing.",
            "Show the {lab} and {noun} of every {one}, with {fill} in place of a missing {noun}.",
            "For all {plural}, give the {who} and the {noun}, or {fill} if there is none.",
        ],
        one=t.singular,
        plural=t.plural,
        lab=t.label_noun,
        who=whose(t),
        noun=g.noun,
        fill=fill,
    )
    sql = f"SELECT {t.label}, COALESCE({g.col}, {fill}) FROM {t.name}"
    why = (
        f"COALESCE({g.col}, {fill}) returns {g.col} when it has a value and {fill} when it is NULL, so "
        f"every row of {t.name} shows something readable next to its {t.label}."
    )
    return Draft("null_handling", q, sql, why)


def case_threshold(s: Scope) -> Draft | None:
    t = s.pick(s.tables("nums"))
    if t is None:
        return None
    n = s.pick(t.nums)
    v = s.cut(t, n.col, True)
    if v is None:
        return None
    hi, lo = s.pick(LABEL_PAIRS)
    q = s.say(
        [
            "Label each {one} as '{hi}' if its {noun} is at least {v}, otherwise '{lo}'.",
            "For every {one}, show the {who} and '{hi}' when the {noun} is {v} or more, else '{lo}'.",
            "Classify the {plural} by {noun}: '{hi}' for {v} and above, '{lo}' below that.",
            "Show each {one}'s {lab} with '{hi}' or '{lo}' depending on whether the {noun} reaches {v}.",
        ],
        one=t.singular,
        plural=t.plural,
        lab=t.label_noun,
        who=whose(t),
        noun=n.noun,
        v=num(v),
        hi=hi,
        lo=lo,
    )
    sql = f"SELECT {t.label}, CASE WHEN {n.col} >= {num(v)} THEN '{hi}' ELSE '{lo}' END FROM {t.name}"
    why = (
        f"The CASE expression looks at each row of {t.name}: WHEN {n.col} >= {num(v)} (at least {num(v)}) it "
        f"yields '{hi}', and the ELSE branch yields '{lo}' for the rest; it is selected next to {t.label}."
    )
    return Draft("case", q, sql, why)


def case_flag(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats"))
    if t is None:
        return None
    cond = condition(s, t, kinds=("cat",))
    q = s.say(
        [
            "Show each {one}'s {lab} and 'Yes' for {plural} {about}, 'No' for the rest.",
            "For every {one}, give the {who} and whether it is {about}, as 'Yes' or 'No'.",
            "List all {plural} with a 'Yes'/'No' column telling if they are {about}.",
        ],
        one=t.singular,
        plural=t.plural,
        lab=t.label_noun,
        who=whose(t),
        about=cond.phrase,
    )
    sql = f"SELECT {t.label}, CASE WHEN {cond.sql} THEN 'Yes' ELSE 'No' END FROM {t.name}"
    why = (
        f"Every {t.singular} of {t.name} is listed, so there is no WHERE clause; CASE WHEN {cond.sql} THEN 'Yes' ELSE 'No' "
        f"END turns the test into a Yes/No column next to {t.label}."
    )
    return Draft("case", q, sql, why)


def case_count(s: Scope) -> Draft | None:
    t = s.pick(s.tables("cats", "nums"))
    if t is None:
        return None
    c = s.pick(t.cats)
    cond = condition(s, t, kinds=("num",))
    if cond is None:
        return None
    q = s.say(
        [
            "For each {group}, count the {plural} {phrase}, showing 0 where there are none.",
            "How many {plural} {phrase} does each {group} have, including {groups} with none?",
            "Per {group}, how many of the {plural} are {phrase}? Keep {groups} with zero.",
        ],
        group=c.noun,
        groups=c.plural,
        plural=t.plural,
        phrase=cond.phrase,
    )
    sql = f"SELECT {c.col}, SUM(CASE WHEN {cond.sql} THEN 1 ELSE 0 END) FROM {t.name} GROUP BY {c.col}"
    why = (
        f"GROUP BY {c.col} keeps every {c.noun} of {t.name}. Inside each group, CASE WHEN {cond.sql} THEN 1 "
        f"ELSE 0 END marks the {t.plural} {cond.phrase} and SUM adds the marks, so {article(c.noun)} without any "
        f"shows 0 (a WHERE filter would drop it)."
    )
    return Draft("case", q, sql, why)


def case_bands(s: Scope) -> Draft | None:
    t = s.pick(s.tables("nums"))
    if t is None:
        return None
    n = s.pick(t.nums)
    values = s.values(t, n.col)
    if len(values) < 4:
        return None
    low = round_down(values[len(values) // 3])
    high = round_down(values[2 * len(values) // 3])
    if not low < high:
        return None
    q = s.say(
        [
            "Group the {plural} into 'Low' ({noun} under {a}), 'Medium' (under {b}) and 'High' (the rest).",
            "Show each {one}'s {lab} with {a_noun} band: 'Low' below {a}, 'Medium' below {b}, otherwise 'High'.",
        ],
        plural=t.plural,
        one=t.singular,
        lab=t.label_noun,
        noun=n.noun,
        a_noun=article(n.noun),
        a=num(low),
        b=num(high),
    )
    sql = (
        f"SELECT {t.label}, CASE WHEN {n.col} < {num(low)} THEN 'Low' WHEN {n.col} < {num(high)} THEN 'Medium' "
        f"ELSE 'High' END FROM {t.name}"
    )
    why = (
        f"CASE checks its WHEN branches in order: {n.col} < {num(low)} gives 'Low'; a row that fails it but has "
        f"{n.col} < {num(high)} gives 'Medium'; ELSE gives 'High'. Each {t.singular} of {t.name} gets one band, shown next to its {t.label}."
    )
    return Draft("case", q, sql, why)
