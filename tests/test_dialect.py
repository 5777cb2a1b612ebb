"""MySQL (and PostgreSQL/T-SQL) idioms translated by sqlglot run on SQLite and give MySQL's answers."""

import datetime as dt
import sqlite3

import pytest

from llama_sql.converters.dialect import TranslationError, split_statements, to_sqlite, to_sqlite_statements

SALES = """
CREATE TABLE sales (id INT, sale_date DATE, amount DECIMAL(10,2), first VARCHAR(10), last VARCHAR(10));
INSERT INTO sales VALUES (1, '2021-03-15', 100.00, 'Ada', 'Lovelace'), (2, '2021-11-01', 250.00, 'Alan', 'Turing'),
                         (3, '2022-01-10', 75.50, 'Grace', 'Hopper');
"""


def run_sqlite(sql: str, read: str = "mysql") -> list[tuple]:
    conn = sqlite3.connect(":memory:")
    conn.executescript(SALES)
    return conn.execute(to_sqlite(sql, read=read)).fetchall()


@pytest.mark.parametrize(
    ("mysql", "expected"),
    [
        (
            "SELECT YEAR(sale_date), SUM(amount) FROM sales GROUP BY YEAR(sale_date)",
            [(2021, 350.0), (2022, 75.5)],
        ),
        ("SELECT MONTH(sale_date), DAY(sale_date), QUARTER(sale_date) FROM sales WHERE id = 2", [(11, 1, 4)]),
        (
            "SELECT DAYOFWEEK(sale_date), DAYNAME(sale_date), MONTHNAME(sale_date) FROM sales WHERE id = 1",
            [(2, "Monday", "March")],
        ),
        ("SELECT EXTRACT(YEAR FROM sale_date) FROM sales WHERE id = 3", [(2022,)]),
        ("SELECT id FROM sales WHERE sale_date > DATE '2021-06-01' ORDER BY id", [(2,), (3,)]),
        (
            "SELECT DATE_ADD(sale_date, INTERVAL 2 WEEK), DATE_SUB(sale_date, INTERVAL 1 QUARTER) FROM sales WHERE id = 1",
            [("2021-03-29", "2020-12-15")],
        ),
        ("SELECT sale_date + INTERVAL 1 MONTH FROM sales WHERE id = 3", [("2022-02-10",)]),
        ("SELECT STR_TO_DATE('03/20/2022', '%m/%d/%Y')", [("2022-03-20",)]),
        ("SELECT STR_TO_DATE('2022-03-20 14:05:09', '%Y-%m-%d %H:%i:%s')", [("2022-03-20 14:05:09",)]),
        (
            "SELECT CONCAT(first, ' ', last), IF(amount > 100, 'big', 'small') FROM sales WHERE id = 2",
            [("Alan Turing", "big")],
        ),
        (
            "SELECT DATEDIFF('2022-01-10', '2021-12-31'), TIMESTAMPDIFF(MONTH, '2021-01-15', '2022-03-01')",
            [(10, 14)],
        ),
        (
            "SELECT TIMESTAMPDIFF(HOUR, '2022-01-01 00:00:00', '2022-01-02 06:00:00'), TRUNCATE(3.14159, 2)",
            [(30, 3.14)],
        ),
        ("SELECT LEFT(last, 3), RIGHT(last, 3) FROM sales WHERE id = 3", [("Hop", "per")]),
        ("SELECT `first` FROM `sales` WHERE `id` = 1", [("Ada",)]),
        (
            "SELECT CONCAT_WS('-', first, last), LAST_DAY(sale_date), DAYOFMONTH(sale_date) FROM sales WHERE id = 1",
            [("Ada-Lovelace", "2021-03-31", 15)],
        ),
        ("SELECT UNIX_TIMESTAMP('2021-01-01 00:00:10')", [(1609459210,)]),
        ("SELECT ROUND(STDDEV(amount), 4), ROUND(VAR_SAMP(amount), 2) FROM sales", [(77.1366, 8925.08)]),
    ],
)
def test_mysql_functions_give_mysql_answers_on_sqlite(mysql, expected):
    assert run_sqlite(mysql) == expected


def test_relative_dates_count_from_today():
    today = dt.datetime.now(dt.UTC).date()  # SQLite's CURRENT_DATE and now are UTC
    rows = run_sqlite("SELECT DATE_SUB(CURDATE(), INTERVAL 10 DAY), DATE(NOW() - INTERVAL 2 WEEK)")
    assert rows == [
        ((today - dt.timedelta(days=10)).isoformat(), (today - dt.timedelta(days=14)).isoformat())
    ]


@pytest.mark.parametrize(
    ("sql", "read", "expected"),
    [
        (
            "SELECT id FROM sales WHERE sale_date > DATE '2022-01-10' - INTERVAL '3 months'",
            "postgres",
            [(2,), (3,)],
        ),
        ("SELECT DATE_TRUNC('month', sale_date) FROM sales WHERE id = 3", "postgres", [("2022-01-01",)]),
        ("SELECT first FROM sales WHERE first ILIKE 'a%' ORDER BY id", "postgres", [("Ada",), ("Alan",)]),
        (
            "SELECT DATE_TRUNC('quarter', sale_date) FROM sales ORDER BY id",
            "postgres",
            [("2021-01-01",), ("2021-10-01",), ("2022-01-01",)],
        ),
        ("SELECT TO_CHAR(sale_date, 'YYYY-MM') FROM sales WHERE id = 2", "mysql", [("2021-11",)]),
        ("SELECT TIMESTAMPADD(DAY, 3, sale_date) FROM sales WHERE id = 3", "mysql", [("2022-01-13",)]),
        ("SELECT CAST(sale_date AS DATETIME) FROM sales WHERE id = 3", "mysql", [("2022-01-10 00:00:00",)]),
        ("SELECT DATENAME(month, sale_date) FROM sales WHERE id = 2", "tsql", [("November",)]),
        ("SELECT TOP 1 first FROM sales ORDER BY amount DESC", "tsql", [("Alan",)]),
        ("SELECT DATEADD(month, -1, sale_date) FROM sales WHERE id = 1", "tsql", [("2021-02-15",)]),
    ],
)
def test_postgres_and_tsql_idioms(sql, read, expected):
    assert run_sqlite(sql, read=read) == expected


def test_mysql_schema_builds_on_sqlite_with_the_same_rows():
    context = (
        "CREATE SCHEMA IF NOT EXISTS shop; USE shop; "
        "CREATE TABLE shop.items (id INT PRIMARY KEY AUTO_INCREMENT, kind ENUM('a', 'b'), "
        "code VARCHAR(5) CHARACTER SET utf8 COLLATE utf8_bin, "
        "updated TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, KEY kind_idx (kind)) ENGINE=InnoDB; "
        "INSERT INTO shop.items (kind, code) VALUES ('a', 'x;1'), ('b', 'It\\'s');"
    )
    conn = sqlite3.connect(":memory:")
    conn.executescript(to_sqlite(context))
    query = to_sqlite("SELECT shop.items.id, kind, code FROM shop.items ORDER BY id")
    assert conn.execute(query).fetchall() == [(1, "a", "x;1"), (2, "b", "It's")]


def test_unreadable_sql_raises_translation_error_instead_of_crashing():
    with pytest.raises(TranslationError, match="cannot read it as mysql"):
        to_sqlite("SELECT FROM WHERE (((")
    with pytest.raises(TranslationError):
        to_sqlite("SELECT 'unterminated")


def test_statements_split_at_semicolons_outside_strings_and_procedures_kept_when_asked():
    context = "CREATE TABLE t (a VARCHAR(9) DEFAULT 'x;y'); CREATE PROCEDURE p(IN b INT) BEGIN SELECT b; END;"
    assert split_statements(context) == [
        "CREATE TABLE t (a VARCHAR(9) DEFAULT 'x;y')",
        "CREATE PROCEDURE p(IN b INT) BEGIN SELECT b",
        "END",
    ]
    kept = to_sqlite_statements(context, keep_unreadable=True)
    assert kept[0] == "CREATE TABLE t (a TEXT(9) DEFAULT 'x;y')"
    assert "CREATE PROCEDURE" in kept[1]


def test_trailing_semicolon_is_kept_as_written():
    assert to_sqlite("SELECT YEAR(d) FROM t;").endswith(";")
    assert not to_sqlite("SELECT YEAR(d) FROM t").endswith(";")
