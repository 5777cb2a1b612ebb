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

# Statistics SQLite lacks: (sample rather than population, square root taken).
_SPREADS = {
    exp.StddevPop: (False, True),
    exp.StddevSamp: (True, True),
    exp.Stddev: (True, True),
    exp.VariancePop: (False, False),
    exp.Variance: (True, False),
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
        spans = statement_spans(sql, read)
    except Exception as err:  # an unterminated string or quote
        raise TranslationError(f"sqlglot cannot read it as {read}: {_first_line(err)}") from None
    pieces = [sql[start:end].strip() for start, end in spans]
    return [piece for piece in pieces if piece]


def statement_spans(sql: str, read: str = "mysql") -> list[tuple[int, int]]:
    """(start, end) of each piece of a script between the semicolons sqlglot's tokenizer sees, semicolons
    left out; the last piece runs to the end of the text. Raises sqlglot's error on an unterminated string."""
    spans, start = [], 0
    for token in sqlglot.Dialect.get_or_raise(read).tokenize(sql):
        if token.token_type == TokenType.SEMICOLON:
            spans.append((start, token.start))
            start = token.end + 1
    spans.append((start, len(sql)))
    return spans


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
    rewritten = sqlite_dates.rewrite(node)
    if rewritten is not node:
        return rewritten
    if isinstance(node, exp.Trunc) and node.args.get("decimals") is not None and node.args["decimals"].is_int:
        scale = exp.Literal.number(f"{10 ** int(node.args['decimals'].to_py())}.0")  # TRUNCATE(x, 2)
        return exp.Div(
            this=sqlite_dates.as_int(exp.Mul(this=node.this.copy(), expression=scale)),
            expression=scale.copy(),
        )
    if isinstance(node, exp.Left):
        return exp.Substring(
            this=node.this.copy(), start=exp.Literal.number(1), length=node.expression.copy()
        )
    if isinstance(node, exp.Right):
        return exp.Substring(this=node.this.copy(), start=exp.Neg(this=node.expression.copy()))
    if isinstance(node, exp.ConcatWs):  # CONCAT_WS(sep, a, b) -> a || sep || b (MySQL also skips NULLs)
        separator, *parts = (e.copy() for e in node.expressions)
        text = parts[0] if parts else exp.Literal.string("")
        for part in parts[1:]:
            text = exp.DPipe(this=exp.DPipe(this=text, expression=separator.copy()), expression=part)
        return text
    if isinstance(node, tuple(_SPREADS)):
        return _spread(node.this, *_SPREADS[type(node)])
    if isinstance(node, exp.DataType) and node.this in (exp.DataType.Type.ENUM, exp.DataType.Type.SET):
        return exp.DataType.build("TEXT")
    if isinstance(node, exp.ColumnConstraint) and isinstance(node.kind, _DROPPED_CONSTRAINTS):
        return None
    if isinstance(node, exp.IndexColumnConstraint):
        return None
    return node


def _spread(value: exp.Expression, sample: bool, root: bool) -> exp.Expression:
    """VAR_POP(x) = AVG(x*x) - AVG(x)^2; the sample variance scales it by n / (n - 1); STDDEV is its root."""
    mean = exp.Avg(this=value.copy())
    variance: exp.Expression = exp.Sub(
        this=exp.Avg(this=exp.Mul(this=value.copy(), expression=value.copy())),
        expression=exp.Mul(this=mean, expression=mean.copy()),
    )
    if sample:  # NULL for a single row, as in MySQL and PostgreSQL
        count = exp.Count(this=value.copy())
        less_one = exp.Nullif(
            this=exp.Sub(this=count, expression=exp.Literal.number(1)), expression=exp.Literal.number(0)
        )
        variance = exp.Div(
            this=exp.Mul(this=exp.Paren(this=variance), expression=count.copy()), expression=less_one
        )
    # MAX(v, 0): rounding can leave a tiny negative variance, whose square root SQLite makes NULL
    variance = exp.Anonymous(this="MAX", expressions=[variance, exp.Literal.number(0)])
    return exp.Sqrt(this=variance) if root else variance


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__
