"""Random databases for the pretraining corpus, described with the builder's roles (`Schema`, `Cat`, `Num`...).

    schema = random_schema(random.Random("seed:17"), "g17")

Each database has one to four tables in one of four shapes (a single table, a parent and its children,
two parents joined by a bridge table, a chain of three), invented or English names in one naming style,
4-14 rows a table. Because the roles are the builder's, every intent template of the project's dataset
asks natural questions of it (compose.schema_records). No table is named like, or starts like, a table
of the project's dataset, so no generated question or query can be one of the dataset's.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from llama_sql.builder import SCHEMAS
from llama_sql.builder.schema import Bridge, Cat, Gap, Link, Num, Schema, Span, Table, When
from llama_sql.tiny import vocabulary as V

SHAPES = ("single", "pair", "pair", "pair_plus", "bridge", "bridge", "chain")
TITLE_TAILS = ("", "", "", " registry", " tracker", " records", " network", " archive", " system")


def project_table_names() -> set[str]:
    return {_bare(t.name) for s in SCHEMAS for t in s.tables}


PROJECT_TABLES: set[str] | None = None


def _bare(name: str) -> str:
    return name.lower().replace("_", "").removeprefix("tbl")


def clashes(name: str) -> bool:
    """True when a table name equals, or starts like, a table of the project's dataset."""
    global PROJECT_TABLES
    if PROJECT_TABLES is None:
        PROJECT_TABLES = project_table_names()
    bare = _bare(name)
    return any(bare.startswith(p[:-1]) or p.startswith(bare) for p in PROJECT_TABLES)


class Namer:
    """Identifiers of one database: one naming style (with exceptions) and no name used twice."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.style = rng.choice(V.STYLES)
        self.used: set[str] = set()
        self.keys: set[str] = set()

    def __call__(self, words: str) -> str:
        style = self.style if self.rng.random() < 0.9 else self.rng.choice(V.STYLES)
        return V.identifier(words, style)

    def fresh_noun(self, english, invented_share: float = 0.6) -> str:
        while True:
            word = V.noun(self.rng, english, invented_share)
            if word not in self.used and word.replace(" ", "") not in V.SQL_WORDS:
                self.used.add(word)
                return word


def random_schema(rng: random.Random, db_id: str) -> Schema:
    names = Namer(rng)
    shape = rng.choice(SHAPES)
    count = {"single": 1, "pair": 2, "pair_plus": 3, "bridge": 3, "chain": 3}[shape]
    tables: list[dict] = [_entity(rng, names) for _ in range(count)]
    links: list[Link] = []
    bridges: list[Bridge] = []
    if shape in ("pair", "pair_plus"):
        links.append(_link(rng, tables[0], tables[1]))
        if shape == "pair_plus":
            links.append(_link(rng, tables[0], tables[2]))
    elif shape == "chain":
        links += [_link(rng, tables[0], tables[1]), _link(rng, tables[1], tables[2])]
    elif shape == "bridge":
        left, right, child = tables
        links += [_link(rng, left, child), _link(rng, right, child)]
        verb = rng.choice(V.VERBS) if rng.random() < 0.5 else V.pseudo_word(rng, 1, 2) + "ed"
        bridges.append(Bridge(child["name"], left["name"], right["name"], f"were {verb} by", verb))
    built = tuple(_table(rng, t) for t in tables)
    title = names.fresh_noun(V.ENTITY_NOUNS).title() + rng.choice(TITLE_TAILS)
    return Schema(db_id, title, built, tuple(links), tuple(bridges))


def _entity(rng: random.Random, names: Namer) -> dict:
    """A table's nouns, columns and roles; rows come later, once foreign keys are known."""
    while True:
        singular = names.fresh_noun(V.ENTITY_NOUNS)
        plural = V.plural_of(singular)
        words = plural if rng.random() < 0.7 else singular
        name = names(("tbl " if rng.random() < 0.08 else "") + words)
        if not clashes(name) and name.lower() not in V.SQL_WORDS:
            break
    key = names(f"{singular.split()[-1]} id") if rng.random() < 0.85 else names(f"{singular} no")
    if key.lower() in names.keys:  # two tables named after one word: spell the whole noun
        key = names(f"{singular} key")
    names.keys.add(key.lower())
    t = dict(name=name, singular=singular, plural=plural, key=key, rows=rng.randint(4, 10), columns=[])
    t["columns"].append((key, "INTEGER PRIMARY KEY"))
    label_kind = rng.choice(("name", "name", "title", "code", "invented"))
    label_noun = {"name": "name", "title": "title", "code": "code"}.get(label_kind) or names.fresh_noun(
        V.ATTRIBUTE_NOUNS, 0.8
    )
    t["label"] = names(label_noun)
    t["label_noun"] = label_noun
    t["label_kind"] = label_kind
    t["text"] = label_kind != "code"
    t["columns"].append((t["label"], "TEXT"))
    t["cats"], t["nums"], t["dates"], t["gaps"], t["spans"], t["makers"] = [], [], [], [], [], {}
    for _ in range(rng.choice((0, 1, 1, 1, 2, 2))):
        _add_cat(rng, names, t)
    for _ in range(rng.choice((0, 1, 1, 2, 2))):
        _add_num(rng, names, t)
    if rng.random() < 0.5:
        _add_date(rng, names, t)
    if rng.random() < 0.4:
        _add_gap(rng, names, t)
    if rng.random() < 0.2:
        _add_span(rng, names, t)
    return t


def _add_cat(rng, names: Namer, t: dict) -> None:
    word = names.fresh_noun(V.ATTRIBUTE_NOUNS, 0.5)
    col = names(word)
    frag = rng.choice(
        (
            f"with {word} {{v}}",
            f"whose {word} is {{v}}",
            f"of {word} {{v}}",
            "from {v}",
            "in {v}",
            "rated {v}",
        )
    )
    t["cats"].append(Cat(col, word, V.plural_of(word), frag))
    kind = rng.choice(("proper", "proper", "english", "code", "lower"))
    pool = []
    for _ in range(rng.randint(2, 6)):
        pool.append(
            V.proper_name(rng)
            if kind == "proper"
            else rng.choice(V.ENTITY_NOUNS + V.ATTRIBUTE_NOUNS).capitalize()
            if kind == "english"
            else V.code_value(rng)
            if kind == "code"
            else V.pseudo_word(rng, 1, 2)
        )
    t["columns"].append((col, "TEXT"))
    t["makers"][col] = lambda r, pool=pool: r.choice(pool)


def _add_num(rng, names: Namer, t: dict) -> None:
    word = names.fresh_noun(V.MEASURE_NOUNS, 0.5)
    col = names(word)
    above, below = rng.choice(
        (
            ("", ""),
            (f"with {word} over {{v}}", f"with {word} under {{v}}"),
            (f"whose {word} exceeds {{v}}", f"whose {word} is below {{v}}"),
            (f"with more than {{v}} {word}", f"with less than {{v}} {word}"),
        )
    )
    t["nums"].append(Num(col, word, above, below, summable=rng.random() < 0.6))
    scale = rng.choice((10, 100, 100, 1000, 10000, 100000))
    low = rng.randint(0, scale // 2)
    decimals = rng.choice((0, 0, 0, 1, 2))
    t["columns"].append((col, "REAL" if decimals else "INTEGER"))
    if decimals:
        t["makers"][col] = lambda r: round(r.uniform(low, low + scale), decimals)
    else:
        t["makers"][col] = lambda r: r.randint(low, low + scale)


def _random_day(r: random.Random, start_year: int) -> date:
    return date(start_year, 1, 1) + timedelta(days=r.randint(0, 5 * 365))


def _add_date(rng, names: Namer, t: dict) -> None:
    verb = rng.choice(V.VERBS) if rng.random() < 0.6 else V.pseudo_word(rng, 1, 2) + "ed"
    word = verb[:-2] if verb.endswith("ed") else verb
    col = names(rng.choice((f"{verb} on", f"{word} date", f"date {verb}", f"{verb} at")))
    t["dates"].append(When(col, f"{word} date", verb))
    start = rng.randint(2015, 2023)
    t["columns"].append((col, "TEXT"))
    t["makers"][col] = lambda r: _random_day(r, start).isoformat()


def _add_gap(rng, names: Namer, t: dict) -> None:
    word = names.fresh_noun(V.ATTRIBUTE_NOUNS, 0.6)
    col = names(word)
    numeric = rng.random() < 0.35
    missing, present = rng.choice(
        (
            (f"without {word}", f"with {word}"),
            (f"with no {word}", f"that have a {word}"),
            (f"missing a {word}", f"with a known {word}"),
        )
    )
    t["gaps"].append(Gap(col, word, missing, present, numeric=numeric))
    share = rng.uniform(0.2, 0.5)
    if numeric:
        t["columns"].append((col, "INTEGER"))
        t["makers"][col] = lambda r: None if r.random() < share else r.randint(1, 500)
    else:
        pool = [V.proper_name(rng) for _ in range(rng.randint(2, 4))]
        t["columns"].append((col, "TEXT"))
        t["makers"][col] = lambda r: None if r.random() < share else r.choice(pool)


def _add_span(rng, names: Namer, t: dict) -> None:
    word = names.fresh_noun(V.ENTITY_NOUNS, 0.6)
    start, end = rng.choice((("start", "end"), ("from", "until"), ("opened", "closed"), ("began", "ended")))
    start_col, end_col = names(f"{start} {rng.choice(('date', 'on', 'day'))}"), names(f"{end} date")
    if start_col == end_col:
        end_col = names(f"{end} on")
    t["spans"].append(Span(start_col, end_col, word))
    year = rng.randint(2016, 2023)
    t["columns"] += [(start_col, "TEXT"), (end_col, "TEXT")]
    t["makers"][start_col] = lambda r: _random_day(r, year).isoformat()
    t["makers"][(start_col, end_col)] = lambda r, first: (
        date.fromisoformat(first) + timedelta(days=r.randint(1, 400))
    ).isoformat()


def _link(rng, parent: dict, child: dict) -> Link:
    """`child` gets a column named like `parent`'s key that points at it."""
    child["columns"].append((parent["key"], "INTEGER"))
    child["makers"][parent["key"]] = lambda r: r.randint(1, parent["rows"] + (1 if r.random() < 0.1 else 0))
    child["rows"] = max(child["rows"], rng.randint(5, 14))
    child.setdefault("fks", []).append(parent["key"])
    return Link(parent["name"], child["name"], parent["key"])


def _table(rng: random.Random, t: dict) -> Table:
    key, label = t["columns"][0][0], t["columns"][1][0]
    others = t["columns"][2:]
    rng.shuffle(others)
    columns = [t["columns"][0], t["columns"][1], *others]
    labels = _labels(rng, t)
    rows = []
    for i in range(t["rows"]):
        values = {key: i + 1, label: labels[i]}
        for col, _ in others:
            if col in t["makers"]:
                values[col] = t["makers"][col](rng)
        for span in t["spans"]:
            values[span.end] = t["makers"][(span.start, span.end)](rng, values[span.start])
        rows.append(tuple(values[col] for col, _ in columns))
    return Table(
        t["name"],
        t["singular"],
        t["plural"],
        ", ".join(f"{col} {kind}" for col, kind in columns),
        tuple(rows),
        label,
        t["label_noun"],
        cats=tuple(t["cats"]),
        nums=tuple(t["nums"]),
        dates=tuple(t["dates"]),
        gaps=tuple(t["gaps"]),
        spans=tuple(t["spans"]),
        text=t["text"],
    )


def _labels(rng: random.Random, t: dict) -> list[str]:
    seen: list[str] = []
    while len(seen) < t["rows"]:
        kind = t["label_kind"]
        if kind == "code":
            value = V.code_value(rng)
        elif kind == "title":
            value = " ".join(
                rng.choice((V.proper_name(rng), rng.choice(V.ENTITY_NOUNS).capitalize()))
                for _ in range(rng.randint(1, 3))
            )
        else:
            value = V.proper_name(rng, rng.choice((1, 1, 2)))
        if value not in seen:
            seen.append(value)
    return seen
