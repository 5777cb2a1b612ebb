"""SQLite spellings of MySQL and PostgreSQL date functions, as sqlglot expressions (used by dialect.py).

SQLite keeps dates as text ('2022-01-05', '2022-01-05 10:30:00') and works on them with strftime(),
date(), datetime() and julianday() plus modifiers ('-6 months', 'start of month'). Each function
here builds the SQLite expression that computes what the MySQL one does:

    YEAR(d)                             -> CAST(STRFTIME('%Y', d) AS INTEGER)
    DATE_SUB(CURDATE(), INTERVAL 6 MONTH) -> DATE(CURRENT_DATE, '-6 MONTH')
    STR_TO_DATE(s, '%m/%d/%Y')          -> DATE(SUBSTRING(s, 7, 4) || '-' || SUBSTRING(s, 1, 2) || ...)
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.time import format_time

# strftime patterns (and how to read them as a number) for MySQL's date-part functions.
_PARTS = {
    "YEAR": "%Y",
    "MONTH": "%m",
    "DAY": "%d",
    "HOUR": "%H",
    "MINUTE": "%M",
    "SECOND": "%S",
    "WEEK": "%W",
    "DAYOFYEAR": "%j",
    "DOY": "%j",
    "DOW": "%w",
}
# SQLite date modifiers know these units; the rest are rewritten in terms of them.
_UNIT_SCALE = {"WEEK": ("DAY", 7), "QUARTER": ("MONTH", 3)}
_TIME_UNITS = {"HOUR", "MINUTE", "SECOND"}
_TIMESTAMP_TYPES = {
    exp.DataType.Type.DATETIME,
    exp.DataType.Type.DATETIME2,
    exp.DataType.Type.TIMESTAMP,
    exp.DataType.Type.TIMESTAMPTZ,
    exp.DataType.Type.TIMESTAMPLTZ,
    exp.DataType.Type.SMALLDATETIME,
}
PART_NODES = {
    exp.Year: "YEAR",
    exp.Month: "MONTH",
    exp.Day: "DAY",
    exp.Hour: "HOUR",
    exp.Minute: "MINUTE",
    exp.Second: "SECOND",
    exp.Week: "WEEK",
    exp.DayOfMonth: "DAY",
    exp.DayOfYear: "DAYOFYEAR",
    exp.Quarter: "QUARTER",
    exp.DayOfWeek: "DAYOFWEEK",
}
NOW_FUNCTIONS = {"NOW", "SYSDATE", "GETDATE", "LOCALTIME", "LOCALTIMESTAMP"}
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
# Width of each field of a STR_TO_DATE format that can be read with fixed substr() positions
# (sqlglot has already rewritten MySQL's tokens into Python's: %i -> %M, %s -> %S).
_FIXED_FIELDS = {"%Y": 4, "%m": 2, "%d": 2, "%H": 2, "%M": 2, "%S": 2}


def rewrite(node: exp.Expression) -> exp.Expression:
    """The SQLite form of a MySQL/PostgreSQL/T-SQL date expression, or `node` itself when it is none."""
    if isinstance(node, tuple(PART_NODES)):
        return date_part(PART_NODES[type(node)], node.this) or node
    if isinstance(node, exp.Extract):
        return date_part(node.name.upper(), node.expression) or node
    if isinstance(node, (exp.DateAdd, exp.DateSub)):
        sign = -1 if isinstance(node, exp.DateSub) else 1
        return shift(node.this, node.expression, node.text("unit") or "DAY", sign)
    if isinstance(node, (exp.Add, exp.Sub)) and isinstance(node.expression, exp.Interval):
        interval = node.expression
        sign = -1 if isinstance(node, exp.Sub) else 1
        return shift(node.this, interval.this, interval.text("unit") or "DAY", sign)
    if isinstance(node, exp.Anonymous) and node.name.upper() in NOW_FUNCTIONS:
        return exp.CurrentTimestamp()
    if isinstance(node, (exp.StrToDate, exp.StrToTime)):
        return str_to_date(node) or node
    if isinstance(node, exp.TimestampAdd):
        return shift(node.this, node.expression, node.text("unit") or "DAY", 1)
    if isinstance(node, exp.Cast) and node.to is not None:
        return as_date(node) or node
    if isinstance(node, exp.ToChar):
        return to_char(node) or node
    if isinstance(node, exp.TimestampDiff):
        return timestamp_diff(node.expression, node.this, node.text("unit") or "DAY")
    if isinstance(node, (exp.DateTrunc, exp.TimestampTrunc)):
        return truncate_date(node) or node
    if isinstance(node, exp.Dayname) or (isinstance(node, exp.TimeToStr) and node.text("format") == "%A"):
        return name_of(node.this, "%w", DAY_NAMES, first=0)
    if isinstance(node, exp.TimeToStr) and node.text("format") == "%B":
        return name_of(node.this, "%m", MONTH_NAMES, first=1)
    if isinstance(node, exp.LastDay):
        return exp.Anonymous(
            this="DATE",
            expressions=[node.this.copy()]
            + [exp.Literal.string(m) for m in ("start of month", "+1 month", "-1 day")],
        )
    if (
        isinstance(node, exp.Anonymous)
        and node.name.upper() == "UNIX_TIMESTAMP"
        and len(node.expressions) < 2
    ):
        moment = node.expressions[0].copy() if node.expressions else exp.Literal.string("now")
        return as_int(strftime("%s", moment))
    return node


def strftime(pattern: str, value: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="STRFTIME", expressions=[exp.Literal.string(pattern), value.copy()])


def as_int(value: exp.Expression) -> exp.Expression:
    return exp.Cast(this=value, to=exp.DataType.build("INT"))


def date_part(part: str, value: exp.Expression) -> exp.Expression | None:
    part = {"DAYOFMONTH": "DAY", "ISODOW": "DOW", "EPOCH": "EPOCH"}.get(part, part)
    if part == "QUARTER":  # (month + 2) / 3 in integer arithmetic
        month = as_int(strftime("%m", value))
        return as_int(
            exp.Div(
                this=exp.Paren(this=exp.Add(this=month, expression=exp.Literal.number(2))),
                expression=exp.Literal.number(3),
            )
        )
    if part == "DAYOFWEEK":  # MySQL counts Sunday as 1, strftime('%w') as 0
        return exp.Add(this=as_int(strftime("%w", value)), expression=exp.Literal.number(1))
    if part == "EPOCH":
        return as_int(strftime("%s", value))
    if part not in _PARTS:
        return None
    return as_int(strftime(_PARTS[part], value))


def _unit(unit: str, amount: exp.Expression) -> tuple[str, exp.Expression]:
    """A SQLite modifier unit for a MySQL/PostgreSQL interval unit (WEEKS -> 7 DAY, QUARTER -> 3 MONTH)."""
    unit = unit.upper().rstrip("S") or "DAY"
    if unit in _UNIT_SCALE:
        unit, factor = _UNIT_SCALE[unit]
        if amount.is_number:
            return unit, exp.Literal.number(float(amount.name) * factor)
        return unit, exp.Mul(this=amount, expression=exp.Literal.number(factor))
    return unit, amount


def shift(value: exp.Expression, amount: exp.Expression, unit: str, sign: int) -> exp.Expression:
    """`value +/- INTERVAL amount unit` as DATE(value, '+n unit'), or DATETIME for times of day."""
    amount = amount.copy()
    if amount.is_string and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", amount.name):
        amount = exp.Literal.number(amount.name.strip())
    elif amount.is_string and re.fullmatch(r"\s*-?\d+(\.\d+)?\s+[A-Za-z]+\s*", amount.name):
        number, unit = amount.name.split()  # PostgreSQL: INTERVAL '3 months'
        amount = exp.Literal.number(number)
    unit, amount = _unit(unit, amount)
    if amount.is_number:
        modifier: exp.Expression = exp.Literal.string(f"{float(amount.to_py()) * sign:+g} {unit}")
    else:  # a column or expression: build the modifier text at run time
        signed = amount if sign > 0 else exp.Neg(this=exp.Paren(this=amount))
        modifier = exp.DPipe(this=signed, expression=exp.Literal.string(f" {unit}"))
    with_time = unit in _TIME_UNITS or isinstance(value, exp.CurrentTimestamp)
    return exp.Anonymous(this="DATETIME" if with_time else "DATE", expressions=[value.copy(), modifier])


def str_to_date(node: exp.Expression) -> exp.Expression | None:
    """STR_TO_DATE(text, format) for formats of fixed-width fields, read with substr()."""
    fmt = node.text("format")
    fields = re.findall(r"%[A-Za-z]|[^%]+", fmt)
    if not fmt or any(f.startswith("%") and f not in _FIXED_FIELDS for f in fields):
        return None
    position, parts = 1, {}
    for field in fields:
        width = _FIXED_FIELDS.get(field, len(field))
        if field in _FIXED_FIELDS:
            parts[field] = exp.Substring(
                this=node.this.copy(), start=exp.Literal.number(position), length=exp.Literal.number(width)
            )
        position += width
    if not {"%Y", "%m", "%d"} <= parts.keys():
        return None
    pieces = [parts["%Y"], exp.Literal.string("-"), parts["%m"], exp.Literal.string("-"), parts["%d"]]
    if {"%H", "%M"} <= parts.keys():
        seconds = parts.get("%S", exp.Literal.string("00"))
        pieces += [
            exp.Literal.string(" "),
            parts["%H"],
            exp.Literal.string(":"),
            parts["%M"],
            exp.Literal.string(":"),
            seconds,
        ]
    text = pieces[0]
    for piece in pieces[1:]:
        text = exp.DPipe(this=text, expression=piece)
    return exp.Anonymous(this="DATETIME" if len(pieces) > 5 else "DATE", expressions=[text])


def timestamp_diff(start: exp.Expression, end: exp.Expression, unit: str) -> exp.Expression:
    """TIMESTAMPDIFF(unit, start, end): whole units from start to end, via julianday()."""
    unit = unit.upper().rstrip("S")
    if unit in {"MONTH", "YEAR", "QUARTER"}:
        months = exp.Sub(
            this=exp.Add(
                this=exp.Mul(this=date_part("YEAR", end), expression=exp.Literal.number(12)),
                expression=date_part("MONTH", end),
            ),
            expression=exp.Paren(
                this=exp.Add(
                    this=exp.Mul(this=date_part("YEAR", start), expression=exp.Literal.number(12)),
                    expression=date_part("MONTH", start),
                )
            ),
        )
        per = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[unit]
        return (
            as_int(exp.Div(this=exp.Paren(this=months), expression=exp.Literal.number(per)))
            if per > 1
            else months
        )
    days = exp.Sub(
        this=exp.Anonymous(this="JULIANDAY", expressions=[end.copy()]),
        expression=exp.Anonymous(this="JULIANDAY", expressions=[start.copy()]),
    )
    factor = {"WEEK": 1 / 7, "HOUR": 24, "MINUTE": 1440, "SECOND": 86400}.get(unit, 1)
    scaled = (
        exp.Mul(this=exp.Paren(this=days), expression=exp.Literal.number(factor)) if factor != 1 else days
    )
    return as_int(scaled)


def truncate_date(node: exp.Expression) -> exp.Expression | None:
    """DATE_TRUNC('month', d) -> DATE(d, 'start of month'); weeks start on Monday as in PostgreSQL."""
    unit = node.text("unit").upper().rstrip("S")
    value = node.this.copy()
    if unit == "QUARTER":  # back to the quarter's first month: (month - 1) % 3 months before its start
        month = as_int(strftime("%m", value))
        back = exp.Mod(
            this=exp.Paren(this=exp.Sub(this=month, expression=exp.Literal.number(1))),
            expression=exp.Literal.number(3),
        )
        modifier = exp.DPipe(this=exp.Neg(this=exp.Paren(this=back)), expression=exp.Literal.string(" MONTH"))
        return exp.Anonymous(
            this="DATE", expressions=[value.copy(), exp.Literal.string("start of month"), modifier]
        )
    modifiers = {
        "YEAR": ["start of year"],
        "MONTH": ["start of month"],
        "DAY": ["start of day"],
        "WEEK": ["-6 days", "weekday 1"],
    }.get(unit)
    if modifiers is None:
        return None
    return exp.Anonymous(this="DATE", expressions=[value] + [exp.Literal.string(m) for m in modifiers])


def as_date(node: exp.Cast) -> exp.Expression | None:
    """CAST(x AS DATE/DATETIME/TIMESTAMP): SQLite would make a number of it (2022), so DATE(x)/DATETIME(x)."""
    if node.to.this == exp.DataType.Type.DATE:
        return exp.Anonymous(this="DATE", expressions=[node.this.copy()])
    if node.to.this in _TIMESTAMP_TYPES:
        return exp.Anonymous(this="DATETIME", expressions=[node.this.copy()])
    return None


def to_char(node: exp.ToChar) -> exp.Expression | None:
    """PostgreSQL's TO_CHAR(d, 'YYYY-MM') read as MySQL: STRFTIME('%Y-%m', d)."""
    fmt = node.args.get("format")
    if fmt is None or not fmt.is_string:
        return None
    pattern = format_time(fmt.name, Postgres.TIME_MAPPING, Postgres.TIME_TRIE)
    return strftime(pattern, node.this)


def name_of(value: exp.Expression, pattern: str, names: list[str], first: int) -> exp.Expression:
    """DAYNAME/MONTHNAME: SQLite's strftime has no %A or %B, so map the number to its name."""
    case = exp.Case(this=as_int(strftime(pattern, value)))
    for number, name in enumerate(names, start=first):
        case = case.when(exp.Literal.number(number), exp.Literal.string(name))
    return case
