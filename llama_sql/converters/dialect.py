"""Translate MySQL-flavoured SQL (and the odd PostgreSQL or T-SQL idiom) into SQLite with sqlglot.

Public datasets such as gretelai/synthetic_text_to_sql were written for MySQL: `YEAR(d)`,
`DATE_SUB(CURDATE(), INTERVAL 1 YEAR)`, `NOW() - INTERVAL 30 DAY`, `STR_TO_DATE`, `DATE '2020-01-01'`,
`CREATE SCHEMA shop; CREATE TABLE shop.items ...`, `AUTO_INCREMENT`, backticks. sqlglot parses all of
them and writes SQLite, but its SQLite writer leaves the date functions and schema qualifiers as they
were, so the rewrites below turn them into SQLite's own date functions and modifiers before writing.

    to_sqlite("SELECT YEAR(d) FROM t WHERE d >= DATE_SUB(CURDATE(), INTERVAL 1 YEAR)")
    # "SELECT CAST(STRFTIME('%Y', DATE(d)) AS INTEGER) FROM t WHERE d >= DATE(CURRENT_DATE, '-1 YEAR')"

Translation is syntax only: whether the result runs is checked by executing it (see execution_check.py).
"""

from __future__ import annotations

import sqlglot
from sqlglot import ErrorLevel, exp
from sqlglot.tokens import TokenType

from llama_sql.converters import sqlite_dates

# Tried in this order when a statement does not run as written; the converter keeps the first that runs.
READ_DIALECTS = ("mysql", "postgres", "tsql")

_PART_NODES = {
    exp.Year: "YEAR",
    exp.Month: "MONTH",
    exp.Day: "DAY",
    exp.Hour: "HOUR",
    exp.Minute: "MINUTE",
    exp.Second: "SECOND",
    exp.Week: "WEEK",
    exp.DayOfYear: "DAYOFYEAR",
    exp.Quarter: "QUARTER",
    exp.DayOfWeek: "DAYOFWEEK",
}
# MySQL column options SQLite rejects; dropping them keeps the table and its data the same.
_DROPPED_CONSTRAINTS = (
    exp.OnUpdateColumnConstraint,
    exp.CharacterSetColumnConstraint,
    exp.CollateColumnConstraint,
    exp.IndexColumnConstraint,
)


class TranslationError(Exception):
    """sqlglot could not read the SQL in the given dialect; the message says why."""


def to_sqlite(sql: str, read: str = "mysql") -> str:
    """`sql` (one statement or a script) rewritten for SQLite; raise `TranslationError` if unreadable.

    Statements SQLite has no use for (`CREATE SCHEMA`, `CREATE DATABASE`, `USE`) are dropped, and
    schema qualifiers (`shop.items`) removed, since a SQLite database has a single schema.
    """
    script = "; ".join(to_sqlite_statements(sql, read))
    return script + ";" if script and sql.rstrip().endswith(";") else script


def to_sqlite_statements(sql: str, read: str = "mysql", keep_unreadable: bool = False) -> list[str]:
    """`to_sqlite`, one string per statement (without the semicolons).

    A statement sqlglot cannot read raises `TranslationError`, or with `keep_unreadable` stays as
    written (a MySQL procedure body among plain CREATE TABLEs).
    """
    translated = []
    for statement in split_statements(sql, read):
        try:
            trees = sqlglot.parse(statement, read=read)
            texts = [_sqlite_statement(tree) for tree in trees if tree is not None]
        except Exception as err:  # sqlglot raises ParseError, TokenError, ValueError... on odd input
            if not keep_unreadable:
                raise TranslationError(f"sqlglot cannot read it as {read}: {_first_line(err)}") from None
            texts = [statement]
        translated += [text for text in texts if text]
    return translated


def split_statements(sql: str, read: str = "mysql") -> list[str]:
    """The statements of a script, cut at the semicolons sqlglot's tokenizer sees (not those in strings)."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(read).tokenize(sql)
    except Exception as err:  # an unterminated string or quote
        raise TranslationError(f"sqlglot cannot read it as {read}: {_first_line(err)}") from None
    pieces, start = [], 0
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            pieces.append(sql[start : token.start])
            start = token.end + 1
    pieces.append(sql[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def _sqlite_statement(statement: exp.Expression) -> str:
    if isinstance(statement, exp.Use) or (
        isinstance(statement, exp.Create)
        and str(statement.args.get("kind", "")).upper() in {"SCHEMA", "DATABASE"}
    ):
        return ""
    tree = statement.copy()
    # Children before parents (reversed breadth-first order), so a rewrite sees rewritten arguments:
    # sqlglot's own transform() does not descend into the nodes it has replaced.
    for node in reversed(list(tree.walk())):
        new = _sqlite_node(node)
        if new is node:
            continue
        if node is tree:
            tree = new
        elif new is None:
            node.pop()
        else:
            node.replace(new)
    return tree.sql(dialect="sqlite", unsupported_level=ErrorLevel.IGNORE)


def _sqlite_node(node: exp.Expression) -> exp.Expression | None:
    """One AST node rewritten for SQLite (returning None removes it), or the node unchanged."""
    if isinstance(node, (exp.Table, exp.Column)) and node.args.get("db"):
        node = node.copy()
        node.set("db", None)
        node.set("catalog", None)
        return node
    if isinstance(node, tuple(_PART_NODES)):
        return sqlite_dates.date_part(_PART_NODES[type(node)], node.this) or node
    if isinstance(node, exp.Extract):
        return sqlite_dates.date_part(node.name.upper(), node.expression) or node
    if isinstance(node, (exp.DateAdd, exp.DateSub)):
        sign = -1 if isinstance(node, exp.DateSub) else 1
        return sqlite_dates.shift(node.this, node.expression, node.text("unit") or "DAY", sign)
    if isinstance(node, (exp.Add, exp.Sub)) and isinstance(node.expression, exp.Interval):
        interval = node.expression
        sign = -1 if isinstance(node, exp.Sub) else 1
        return sqlite_dates.shift(node.this, interval.this, interval.text("unit") or "DAY", sign)
    if isinstance(node, exp.Anonymous) and node.name.upper() in sqlite_dates.NOW_FUNCTIONS:
        return exp.CurrentTimestamp()
    if isinstance(node, (exp.StrToDate, exp.StrToTime)):
        return sqlite_dates.str_to_date(node) or node
    if isinstance(node, exp.TimestampAdd):
        return sqlite_dates.shift(node.this, node.expression, node.text("unit") or "DAY", 1)
    if isinstance(node, exp.Cast) and node.to is not None:
        return sqlite_dates.as_date(node) or node
    if isinstance(node, exp.ToChar):
        return sqlite_dates.to_char(node) or node
    if isinstance(node, exp.TimestampDiff):
        return sqlite_dates.timestamp_diff(node.expression, node.this, node.text("unit") or "DAY")
    if isinstance(node, (exp.DateTrunc, exp.TimestampTrunc)):
        return sqlite_dates.truncate_date(node) or node
    if isinstance(node, exp.Trunc) and node.args.get("decimals") is not None and node.args["decimals"].is_int:
        scale = exp.Literal.number(f"{10 ** int(node.args['decimals'].to_py())}.0")  # TRUNCATE(x, 2)
        return exp.Div(
            this=sqlite_dates.as_int(exp.Mul(this=node.this.copy(), expression=scale)),
            expression=scale.copy(),
        )
    if isinstance(node, exp.Dayname) or (isinstance(node, exp.TimeToStr) and node.text("format") == "%A"):
        return sqlite_dates.name_of(node.this, "%w", sqlite_dates.DAY_NAMES, first=0)
    if isinstance(node, exp.TimeToStr) and node.text("format") == "%B":
        return sqlite_dates.name_of(node.this, "%m", sqlite_dates.MONTH_NAMES, first=1)
    if isinstance(node, exp.Left):
        return exp.Substring(
            this=node.this.copy(), start=exp.Literal.number(1), length=node.expression.copy()
        )
    if isinstance(node, exp.Right):
        return exp.Substring(this=node.this.copy(), start=exp.Neg(this=node.expression.copy()))
    if isinstance(node, exp.DataType) and node.this in (exp.DataType.Type.ENUM, exp.DataType.Type.SET):
        return exp.DataType.build("TEXT")
    if isinstance(node, exp.ColumnConstraint) and isinstance(node.kind, _DROPPED_CONSTRAINTS):
        return None
    if isinstance(node, exp.IndexColumnConstraint):
        return None
    return node


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__
