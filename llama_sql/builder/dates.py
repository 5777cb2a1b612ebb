"""Intent templates for SQLite's date functions: strftime to read a year or month out of a
'YYYY-MM-DD' column, julianday to measure days between two dates.

SQLite has no DATE type: dates are text, and these functions are how a query reasons about them.
"""

from __future__ import annotations

from llama_sql.builder.drafting import Draft, Scope, plural

REFERENCE_DAYS = ("2024-12-31", "2025-01-01", "2025-06-30")


def _periods(s: Scope, t, col: str, fmt: str) -> list[str]:
    return [
        v
        for (v,) in s.rows(
            f"SELECT DISTINCT strftime('{fmt}', {col}) FROM {t.name} WHERE {col} IS NOT NULL ORDER BY 1"
        )
    ]


def year_filter(s: Scope) -> Draft | None:
    t = s.pick(s.tables("dates"))
    if t is None:
        return None
    d = s.pick(t.dates)
    year = s.pick(_periods(s, t, d.col, "%Y"))
    count = s.rng.random() < 0.5
    if count:
        q = s.say(
            [
                "How many {plural} {verb} in {year} are there?",
                "Count the {plural} {verb} in {year}.",
                "What is the number of {plural} {verb} in {year}?",
            ],
            plural=t.plural,
            verb=d.verb,
            year=year,
        )
    else:
        q = s.say(
            [
                "List the {plural} {verb} in {year}.",
                "Show me the {labs} of {plural} {verb} in {year}.",
                "Find every {one} {verb} in {year}.",
                "Which {plural} {verb} in {year} are on record?",
            ],
            plural=t.plural,
            one=t.singular,
            labs=plural(t.label_noun),
            verb=d.verb,
            year=year,
        )
    select = "COUNT(*)" if count else t.label
    sql = f"SELECT {select} FROM {t.name} WHERE strftime('%Y', {d.col}) = '{year}'"
    why = (
        f"strftime('%Y', {d.col}) reads the year out of the 'YYYY-MM-DD' text in {d.col}, as text, so it is "
        f"compared with '{year}' in quotes; the WHERE clause keeps the {t.plural} {d.verb} in {year} and "
        f"{'COUNT(*) counts them' if count else f'SELECT {t.label} lists them'}."
    )
    return Draft("date", q, sql, why)


def month_filter(s: Scope) -> Draft | None:
    t = s.pick(s.tables("dates"))
    if t is None:
        return None
    d = s.pick(t.dates)
    month = s.pick(_periods(s, t, d.col, "%Y-%m"))
    q = s.say(
        [
            "List the {plural} {verb} in the month {month}.",
            "Which {plural} {verb} during {month} are there?",
            "Show the {labs} of {plural} {verb} in {month}.",
            "Give me every {one} {verb} during the month {month}.",
        ],
        plural=t.plural,
        one=t.singular,
        labs=plural(t.label_noun),
        verb=d.verb,
        month=month,
    )
    sql = f"SELECT {t.label} FROM {t.name} WHERE strftime('%Y-%m', {d.col}) = '{month}'"
    why = (
        f"strftime('%Y-%m', {d.col}) keeps the year and month of each date in {t.name}, so comparing it "
        f"with '{month}' keeps the {t.plural} {d.verb} in that month, whatever the day; SELECT {t.label} "
        f"returns their {plural(t.label_noun)}."
    )
    return Draft("date", q, sql, why)


def per_period(s: Scope) -> Draft | None:
    t = s.pick(s.tables("dates"))
    if t is None:
        return None
    d = s.pick(t.dates)
    yearly = len(_periods(s, t, d.col, "%Y")) > 1
    fmt, unit = ("%Y", "year") if yearly else ("%Y-%m", "month")
    q = s.say(
        [
            "How many {plural} {verb} in each {unit} are on record?",
            "Count the {plural} {verb} per {unit}.",
            "Show the number of {plural} {verb} in every {unit}.",
            "Break down the {plural} by the {unit} of their {noun}.",
        ],
        plural=t.plural,
        verb=d.verb,
        unit=unit,
        noun=d.noun,
    )
    period = f"strftime('{fmt}', {d.col})"
    sql = f"SELECT {period}, COUNT(*) FROM {t.name} GROUP BY {period}"
    why = (
        f"{period} turns each {d.noun} into its {unit}; grouping by that expression makes one group per "
        f"{unit}, and COUNT(*) counts the {t.plural} in each."
    )
    return Draft("date", q, sql, why)


def span_days(s: Scope) -> Draft | None:
    t = s.pick(s.tables("spans"))
    if t is None:
        return None
    span = s.pick(t.spans)
    days = f"julianday({span.end}) - julianday({span.start})"
    average = s.rng.random() < 0.4
    if average:
        q = s.say(
            [
                "What is the average length of a {noun} in days?",
                "On average, how many days does a {noun} last?",
                "Give me the mean number of days per {noun}.",
            ],
            noun=span.noun,
        )
        sql = f"SELECT AVG({days}) FROM {t.name}"
        tail = f"AVG averages it over the rows of {t.name} (rows with an empty {span.end} give NULL and are skipped)"
    else:
        q = s.say(
            [
                "How many days did each {noun} last?",
                "Show the length in days of every {noun}.",
                "List each {one}'s {lab} with the number of days from {start} to {end}.",
            ],
            noun=span.noun,
            one=t.singular,
            lab=t.label_noun,
            start=span.start,
            end=span.end,
        )
        sql = f"SELECT {t.label}, {days} FROM {t.name}"
        tail = f"it is shown next to each {t.label} of {t.name} (NULL where {span.end} is empty)"
    why = (
        f"julianday turns a 'YYYY-MM-DD' date into a day number, so {days} is the number of days of each "
        f"{span.noun}; {tail}."
    )
    return Draft("date", q, sql, why)


def days_until(s: Scope) -> Draft | None:
    t = s.pick(s.tables("dates"))
    if t is None:
        return None
    d = s.pick(t.dates)
    ref = s.pick(REFERENCE_DAYS)
    q = s.say(
        [
            "For each {one}, how many days passed from its {noun} to {ref}?",
            "List every {one}'s {lab} with the number of days between its {noun} and {ref}.",
            "How many days before {ref} is the {noun} of each {one}?",
        ],
        one=t.singular,
        noun=d.noun,
        ref=ref,
        lab=t.label_noun,
    )
    sql = f"SELECT {t.label}, julianday('{ref}') - julianday({d.col}) FROM {t.name}"
    why = (
        f"julianday converts both '{ref}' and {d.col} into day numbers; their difference is the number of "
        f"days from each {d.noun} to {ref}, listed next to the {t.label} of every row of {t.name}."
    )
    return Draft("date", q, sql, why)
