"""Ask your own SQLite database a question: the fine-tuned model writes the SQL, the sandbox runs it read-only.

    python -m llama_sql ask --adapter runs/adapter --db shop.sqlite "How many orders came from Boston?"
    python -m llama_sql ask --adapter runs/adapter --db shop.sqlite --json "How many orders came from Boston?"
    python -m llama_sql ask --adapter runs/adapter --db shop.sqlite --candidates 8 "How many orders came from Boston?"

    answer = ask_database(comparer, "shop.sqlite", "How many orders came from Boston?")
    answer.sql, answer.frame()

The model sees the database as it saw its training data: the CREATE TABLE statements stored in the
file and one sample row of each table, in its adapter's prompt template (llama_sql.prompts). The SQL
runs in the project's sandbox (llama_sql.eval.sandbox) on the file opened read-only and immutable, so
SQLite cannot write to it. A statement that would change data or schema is not applied: the sandbox
runs it on a throwaway in-memory copy, whose changes are discarded, and the answer says so. `--json`
prints exactly one object, {"sql", "columns", "rows", "error"}; the exit status is 0 when the SQL
ran, 1 when it did not, 2 for a problem with the input (the file, the question).

`--candidates K` (K > 1) asks for K answers (the greedy one and K-1 sampled, llama_sql/generation.py),
runs each read-only on the file in the same sandbox, and answers with the result most of them share
(llama_sql/eval/voting.py); the answer then says how many ran and how many agreed, and `--json` adds
"candidates", "ran" and "agreed" to its object.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from llama_sql.comparison import database_text as project_database_text
from llama_sql.comparison import load_comparer
from llama_sql.config import PROFILES, InferenceConfig, add_sampling_arguments, check_sampling
from llama_sql.converters.spider import _compact, _prefix
from llama_sql.eval.sandbox import DatabaseBuildError, open_database, schema_sql
from llama_sql.eval.voting import vote_on
from llama_sql.prompts import SAMPLE_ROWS, extract_sql
from llama_sql.records import DataError

PRINTED_ROWS = 50  # rows of a result the command line prints (--json carries them all)
MAX_SAMPLE_CHARS = 100  # a sample value longer than this is cut: it shows how values look, not all of them
_TABLES_SQL = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL "
    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
)
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Answer:
    """The model's SQL for one question and what running it returned."""

    question: str
    sql: str | None  # the SQL the model wrote; None when its answer held no SQL
    columns: list[str]
    rows: list[list]
    error: str | None  # why there is no result (the SQL failed, or would change the database)
    response: str = ""  # the model's whole answer, SQL and anything around it
    candidates: int = 1  # answers drawn; above 1 the SQL is the one their results voted for
    ran: int | None = None  # with several candidates: how many ran
    agreed: int | None = None  # with several candidates: how many shared the chosen result

    def frame(self):
        """The result as a pandas DataFrame (empty when the SQL did not run)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)

    def to_json(self) -> dict:
        answer = {"sql": self.sql, "columns": self.columns, "rows": self.rows, "error": self.error}
        if self.candidates > 1:
            answer.update(candidates=self.candidates, ran=self.ran, agreed=self.agreed)
        return answer


def database_text(db_path: str | Path) -> str:
    """The database as a record's `instruction`: its CREATE TABLE statements and one INSERT row per table."""
    path = Path(db_path)
    with _open(path) as db:
        tables = db.run(_TABLES_SQL)
        if not tables.ok:
            raise DataError(f"{path}: cannot read the database's schema ({tables.error}).")
        if not tables.rows:
            raise DataError(f"{path}: the database has no tables, so there is nothing to ask about.")
        ddl = " ".join(_compact(sql) for _, sql in tables.rows)
        samples = []
        for name, _ in tables.rows:
            table = name if _PLAIN_NAME.fullmatch(name) else '"' + name.replace('"', '""') + '"'
            sample = db.run(f"SELECT * FROM {table} LIMIT {SAMPLE_ROWS}")
            for row in sample.rows if sample.ok else []:
                samples.append(f"INSERT INTO {table} VALUES ({', '.join(_literal(v) for v in row)});")
    return _prefix(path.stem, ddl) + " ".join([ddl, *samples])


def example_database(folder: str | Path, db_id: str = "hospital") -> Path:
    """One of the project's databases written as a SQLite file in `folder` (made once), to ask questions
    of when the user has no database of their own at hand."""
    import sqlite3

    path = Path(folder) / f"{db_id}.sqlite"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".sqlite.tmp")
        tmp.unlink(missing_ok=True)
        with contextlib.closing(sqlite3.connect(tmp)) as conn:
            conn.executescript(schema_sql(project_database_text(db_id)))
            conn.commit()
        tmp.replace(path)
    return path


def _open(path: Path):
    if not path.exists():
        raise DataError(f"{path}: no such file. Give the path of a SQLite database file (.sqlite, .db).")
    if not path.is_file():
        raise DataError(f"{path}: is not a file. Give the path of a SQLite database file (.sqlite, .db).")
    try:
        return open_database(db_path=path)
    except DatabaseBuildError as err:
        raise DataError(
            f"{path}: not a SQLite database ({err}). Give a SQLite file (.sqlite, .db)."
        ) from None


def _literal(value) -> str:
    """A value as a SQL literal, as the training data writes them."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "NULL"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, bytes):
        return "x'" + value[: MAX_SAMPLE_CHARS // 2].hex() + "'"
    return "'" + str(value)[:MAX_SAMPLE_CHARS].replace("'", "''") + "'"


def run_read_only(db_path: str | Path, sql: str, question: str = "") -> Answer:
    """Run `sql` on the file in the sandbox; a data-changing statement is never applied to the file."""
    path = Path(db_path)
    with _open(path) as db:
        result = db.run(sql)
    if result.tables is not None:  # the sandbox ran a data-changing statement on its throwaway copy
        verb = sql.split(None, 1)[0].upper()
        error = (
            f"not applied: the SQL would change the database ({verb}) and `ask` only reads. It ran on "
            f"a throwaway in-memory copy whose changes were discarded; {path} is unchanged."
        )
        return Answer(question, sql, [], [], error)
    if not result.ok:
        return Answer(question, sql, [], [], result.error)
    return Answer(question, sql, result.columns, [list(row) for row in result.rows], None)


def ask_database(
    comparer,
    db_path: str | Path,
    question: str,
    which: str = "finetuned",
    instruction: str | None = None,
    candidates: int = InferenceConfig.candidates,
    temperature: float = InferenceConfig.temperature,
    seed: int = InferenceConfig.seed,
) -> Answer:
    """One question about a SQLite file, answered by `comparer` (from load_comparer) and run read-only.

    `which` picks the fine-tuned model (default) or the base; `instruction` is `database_text(db_path)`
    when the caller has already read it. `candidates` > 1 answers with the vote of that many answers.
    """
    question = (question or "").strip()
    if not question:
        raise DataError("the question is empty: ask something about the database, in words.")
    check_sampling(candidates, temperature)
    instruction = instruction or database_text(db_path)
    prompt = question if question.startswith("SQL Prompt:") else f"SQL Prompt: {question}"
    record = {"instruction": instruction, "input": prompt, "output": ""}
    if candidates > 1:
        return _voted_answer(comparer, db_path, question, which, record, candidates, temperature, seed)
    response = comparer.generate([record], which, progress=False)[0].text
    sql = extract_sql(response)
    if sql is None:
        return Answer(question, None, [], [], "the model's answer holds no SQL", response)
    answer = run_read_only(db_path, sql, question)
    answer.response = response
    return answer


def _voted_answer(comparer, db_path, question, which, record, candidates, temperature, seed) -> Answer:
    """K answers, each run read-only on the file; the answer is the SQL whose result most of them share."""
    drawn = comparer.candidates([record], which, candidates, temperature, seed, progress=False)[0]
    sqls = [extract_sql(g.text) for g in drawn]
    with _open(Path(db_path)) as db:
        vote = vote_on(db, sqls, [g.log_prob for g in drawn])
    if vote.index is None:
        answer = Answer(question, None, [], [], "none of the model's answers holds SQL", drawn[0].text)
    else:
        answer = run_read_only(db_path, vote.sql, question)
        answer.response = drawn[vote.index].text
    answer.candidates, answer.ran, answer.agreed = len(drawn), vote.ran, vote.agreed
    return answer


def add_cli(parser) -> None:
    parser.add_argument("question", nargs="+", help="the question, in words (quote it)")
    parser.add_argument("--adapter", required=True, help="folder written by `train`")
    parser.add_argument("--db", required=True, help="your SQLite database file")
    parser.add_argument(
        "--json", action="store_true", help='print one object {"sql", "columns", "rows", "error"}'
    )
    parser.add_argument("--base_model", help="default: the base the adapter was trained on")
    parser.add_argument("--profile", default="auto", choices=["auto", *PROFILES])
    parser.add_argument("--max_new_tokens", type=int, default=128)
    add_sampling_arguments(parser)


def run_cli(args) -> int:
    try:
        answer = _answer(args)
    except DataError as err:
        if args.json:  # scripts get their one JSON object even when the input is wrong
            print(json.dumps({"sql": None, "columns": [], "rows": [], "error": str(err)}))
        raise
    if args.json:
        print(json.dumps(answer.to_json(), default=_json_value, ensure_ascii=False))
    else:
        print(answer.sql or answer.response)
        print()
        if answer.error:
            print(f"error: {answer.error}")
        else:
            print(answer.frame().head(PRINTED_ROWS).to_string(index=False))
            print(
                f"({len(answer.rows)} rows{', the first ' + str(PRINTED_ROWS) + ' shown' if len(answer.rows) > PRINTED_ROWS else ''})"
            )
        if answer.candidates > 1:
            print(
                f"({answer.ran} of {answer.candidates} candidates ran; {answer.agreed} agreed on this result)"
            )
    return 0 if answer.error is None else 1


def _answer(args) -> Answer:
    question = " ".join(args.question).strip()
    if not question:
        raise DataError("the question is empty: ask something about the database, in words.")
    check_sampling(args.candidates, args.temperature)
    instruction = database_text(args.db)  # a bad file fails before the model loads
    with contextlib.redirect_stdout(sys.stderr):  # loading messages stay off stdout, which is the answer's
        comparer = load_comparer(args.base_model, args.adapter, args.profile, args.max_new_tokens)
    return ask_database(
        comparer,
        args.db,
        question,
        instruction=instruction,
        candidates=args.candidates,
        temperature=args.temperature,
        seed=args.seed,
    )


def _json_value(value):
    return value.hex() if isinstance(value, bytes) else str(value)
