"""What a record's database holds, read back through the sandbox: its schema and (some of) its rows.

llama_sql/eval/neighbour_rows.py builds neighbour databases from it: the schema's own statements
(sqlite_master, in creation order) and up to MAX_OWN_ROWS rows a table. `references` names the foreign
keys the data keeps, declared or not: a column declared REFERENCES, or named like another table's
one-column primary key (or joined to it by the gold), all of whose values in the record's rows appear
in that key. Neighbours keep those whole.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from llama_sql.eval.sandbox import Database
from llama_sql.eval.suite_databases import quote_identifier as _quote

MAX_OWN_ROWS = 40  # rows read from each table of the record's database (a real database can be large)
_SNAPSHOTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Database -> Snapshot | None


@dataclass
class Table:
    name: str
    columns: list[str]  # insertable columns (generated ones left out)
    declared: list[str]  # their declared types, upper case
    nullable: list[bool]  # no NOT NULL and not part of the primary key
    key: list[int]  # positions of the primary key's columns
    rows: list[tuple]  # the record's rows (at most MAX_OWN_ROWS)


@dataclass
class Snapshot:
    """What neighbours are built from: the schema's statements and each table's rows."""

    ddl: str
    tables: dict[str, Table]
    declared_references: list[tuple[str, str, str, str]]  # (child, column, parent, column) by name
    key: tuple = ()  # the schema and rows, to recognise the same database again


def read_snapshot(db: Database) -> Snapshot | None:
    """The record's schema (sqlite_master, in creation order) and rows, read through the sandbox."""
    master = db.run(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    )
    if not master.ok or not any(kind == "table" for kind, _, _ in master.rows):
        return None
    tables, declared = {}, []
    for kind, name, _ in master.rows:
        if kind != "table":
            continue
        info = db.run(f"PRAGMA table_xinfo({_quote(name)})")
        if not info.ok:
            return None
        columns = [row for row in info.rows if not row[6]]  # hidden: generated columns
        key = [i for i, row in enumerate(columns) if row[5]]
        names = [row[1] for row in columns]
        rows = db.run(f"SELECT {', '.join(map(_quote, names))} FROM {_quote(name)} LIMIT {MAX_OWN_ROWS}")
        tables[name] = Table(
            name,
            names,
            [(row[2] or "").upper() for row in columns],
            [not row[3] and i not in key for i, row in enumerate(columns)],
            key,
            rows.rows if rows.ok else [],
        )
        foreign = db.run(f"PRAGMA foreign_key_list({_quote(name)})")
        single = [row for row in foreign.rows if row[1] == 0] if foreign.ok else []
        counts = {row[0]: sum(other[0] == row[0] for other in foreign.rows) for row in single}
        declared += [(name, row[3], row[2], row[4]) for row in single if counts[row[0]] == 1]
    ddl = ";\n".join(sql for _, _, sql in master.rows)
    key = (ddl, tuple((name, tuple(table.rows)) for name, table in tables.items()))
    return Snapshot(ddl, tables, declared, key)


def snapshot_of(db: Database) -> Snapshot | None:
    """read_snapshot, once per open database."""
    if db not in _SNAPSHOTS:
        _SNAPSHOTS[db] = read_snapshot(db)
    return _SNAPSHOTS[db]


def _column(table: Table, name: str | None) -> int | None:
    if name is None:
        return table.key[0] if len(table.key) == 1 else None
    lowered = [c.lower() for c in table.columns]
    return lowered.index(name.lower()) if name.lower() in lowered else None


def references(snapshot: Snapshot, joins: list[set[str]]) -> list[tuple[str, int, str, int]]:
    """Foreign keys the record's data keeps: (child, column, parent, column), each child value a parent's."""
    found = []
    by_lower = {name.lower(): table for name, table in snapshot.tables.items()}
    for child, column, parent, parent_column in snapshot.declared_references:
        table, target = snapshot.tables.get(child), by_lower.get(parent.lower())
        if table and target:
            found.append((table, _column(table, column), target, _column(target, parent_column)))
    for target in snapshot.tables.values():
        if len(target.key) != 1:
            continue
        key = target.columns[target.key[0]].lower()
        for table in snapshot.tables.values():
            for i, column in enumerate(table.columns):
                joined = any({column.lower(), key} <= group for group in joins)
                if table is not target and (column.lower() == key or joined) and table.key != [i]:
                    found.append((table, i, target, target.key[0]))
    kept = []
    for table, i, target, j in found:
        if i is None or j is None or (table.name, i, target.name, j) in kept:
            continue
        parent_values = {row[j] for row in target.rows}
        if all(row[i] is None or row[i] in parent_values for row in table.rows):
            kept.append((table.name, i, target.name, j))
    return kept


def parents_first(snapshot: Snapshot, links: list) -> tuple[list[Table], list]:
    """Tables ordered so that each parent comes before its children, and the links (from `references`)
    that this order keeps: one in a cycle is dropped."""
    ordered: list[str] = []
    remaining = list(snapshot.tables)
    while remaining:
        ready = [
            name for name in remaining if all(p in ordered or p == name for c, _, p, _ in links if c == name)
        ]
        ordered += ready or remaining[:1]
        remaining = [name for name in remaining if name not in ordered]
    position = {name: i for i, name in enumerate(ordered)}
    kept = [link for link in links if position[link[2]] < position[link[0]]]
    return [snapshot.tables[name] for name in ordered], kept
