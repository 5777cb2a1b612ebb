"""A database of the project's dataset, described once together with how people talk about it.

Each `Schema` holds its tables (columns and rows) and, for every column a question can be about,
the words people use for it: `Cat` for a text column they filter and group by ("patients from
Boston"), `Num` for a number they compare, sum and sort ("older than 40"), `When` for a date,
`Gap` for a column that may be NULL, `Span` for two dates whose distance matters. `Link` names a
foreign key, `Bridge` a table that connects two others (diagnoses: patients <-> doctors), and
`Special` a hand-written question that only makes sense in that domain. The intent templates in
this package read these roles, so one template asks natural questions of every domain.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cat:
    """A categorical column: `frag` describes a filtered group after the table's plural noun."""

    col: str
    noun: str  # "city"
    plural: str  # "cities"
    frag: str  # "from {v}" -> "patients from Boston"

    def about(self, value) -> str:
        return self.frag.format(v=value)


@dataclass(frozen=True)
class Num:
    """A numeric column; `above`/`below` describe a comparison after the table's plural noun."""

    col: str
    noun: str  # "age"
    above: str = ""  # "older than {v}"; default "with {noun} above {v}"
    below: str = ""  # "younger than {v}"; default "with {noun} below {v}"
    summable: bool = True  # a total makes sense (prices yes, ages no)

    def more(self, value) -> str:
        return (self.above or f"with {self.noun} above {{v}}").format(v=value)

    def less(self, value) -> str:
        return (self.below or f"with {self.noun} below {{v}}").format(v=value)


@dataclass(frozen=True)
class When:
    """A date column (TEXT 'YYYY-MM-DD'); `verb` turns it into a modifier: "orders placed"."""

    col: str
    noun: str  # "order date"
    verb: str  # "placed" -> "orders placed in 2023"


@dataclass(frozen=True)
class Gap:
    """A column that is NULL for some rows, and how people say that it is missing or present."""

    col: str
    noun: str  # "insurance"
    missing: str  # "without insurance"
    present: str  # "with insurance"
    numeric: bool = False  # COALESCE fills with 0 rather than a word


@dataclass(frozen=True)
class Span:
    """Two date columns of one row whose distance in days means something (a stay, a loan)."""

    start: str
    end: str
    noun: str  # "stay" -> "the length in days of each stay"


@dataclass(frozen=True)
class Table:
    name: str
    singular: str  # "patient"
    plural: str  # "patients"
    columns: str  # the column list of CREATE TABLE; the first column is the primary key
    rows: tuple[tuple, ...]
    label: str  # the column a "which ...?" question returns
    label_noun: str  # "name", "title", "id"
    cats: tuple[Cat, ...] = ()
    nums: tuple[Num, ...] = ()
    dates: tuple[When, ...] = ()
    gaps: tuple[Gap, ...] = ()
    spans: tuple[Span, ...] = ()
    text: bool = False  # the label is free text that LIKE questions can search

    @property
    def key(self) -> str:
        return self.columns.split()[0]

    def create_sql(self) -> str:
        return f"CREATE TABLE {self.name} ({self.columns});"

    def insert_sql(self) -> str:
        values = ", ".join("(" + ", ".join(sql_literal(v) for v in row) + ")" for row in self.rows)
        return f"INSERT INTO {self.name} VALUES {values};"


@dataclass(frozen=True)
class Link:
    """`child.fk` references `parent`'s primary key (same column name on both sides)."""

    parent: str
    child: str
    fk: str


@dataclass(frozen=True)
class Bridge:
    """`child` links `left` and `right`: "Which patients were diagnosed by doctors ...?"."""

    child: str
    left: str
    right: str
    forward: str  # left -> right: "were diagnosed by"
    backward: str  # right -> left: "diagnosed"


@dataclass(frozen=True)
class Special:
    """A domain question written by hand: its phrasings, gold SQL and explanation."""

    category: str
    phrasings: tuple[str, ...]
    sql: str
    explanation: str


@dataclass(frozen=True)
class Schema:
    db_id: str  # "hospital": the prefix of every id
    title: str  # "Hospital" -> "Hospital database: CREATE TABLE ..."
    tables: tuple[Table, ...]
    links: tuple[Link, ...] = ()
    bridges: tuple[Bridge, ...] = ()
    specials: tuple[Special, ...] = ()

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    @property
    def instruction(self) -> str:
        creates = " ".join(t.create_sql() for t in self.tables)
        inserts = " ".join(t.insert_sql() for t in self.tables)
        return f"{self.title} database: {creates} {inserts}"


def sql_literal(value) -> str:
    """How a Python value is written in SQL (and, for numbers, in the question too)."""
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return number_text(value)


def number_text(value) -> str:
    """40 -> "40", 12.5 -> "12.5", 240.0 -> "240": one spelling for the question and the SQL."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
