"""Prompts in and SQL out: the one place that knows how a record becomes model text and back.

Base models get the Alpaca template (the format of the original brief); `-Instruct` models get their chat template.
The database is shown as its CREATE TABLE statements with `SAMPLE_ROWS` rows of each table (the
"CREATE TABLE + sample rows" prompt of Rajkumar et al., 2022): enough to show how values are written
(dates, casing), at about half the tokens of every INSERT row. The full database is still what
every query runs against.
Training (`prompt_completion`) and generation (`generation_prompt`) call the same `render_prompt`,
so the model is asked at inference exactly what it was taught on. `extract_sql` pulls the SQL out of a
response, whatever a base model wraps it in (code fences, "SQL:" prefixes, explanations, chatter).
"""

from __future__ import annotations

import functools
import re
from collections import Counter

import sqlglot
from sqlglot import exp

from llama_sql.converters.dialect import statement_spans

ALPACA_TEMPLATE = (
    "Below is an instruction that describes a task, paired with an input that provides further context. "
    "Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n"
)
SYSTEM_MESSAGE = (
    "You are an expert SQL assistant. Given a database (its CREATE TABLE statements and sample rows) and "
    "a question, answer with one SQLite query that answers it."
)
SAMPLE_ROWS = 1  # rows of each table the prompt shows; training and generation both use this
EXPLANATION_MARKER = "\n\nExplanation: "
PROMPT_STYLES = ("alpaca", "chat")


def choose_prompt_style(model_name: str, tokenizer=None, requested: str = "auto") -> str:
    """`alpaca` for base models, `chat` for instruction-tuned ones that ship a chat template."""
    if requested != "auto":
        if requested not in PROMPT_STYLES:
            raise ValueError(f"prompt style must be auto, alpaca or chat, not {requested!r}")
        return requested
    instruct = "instruct" in str(model_name).lower()
    has_template = tokenizer is not None and bool(getattr(tokenizer, "chat_template", None))
    return "chat" if instruct and has_template else "alpaca"


def render_prompt(record: dict, style: str = "alpaca", tokenizer=None) -> str:
    """The text a model sees before its answer, for training and generation alike.

    The chat style renders the tokenizer's own template with the generation prompt, minus the leading
    BOS token: tokenizing adds BOS once, as it does for the Alpaca style.
    """
    database = database_for_prompt(record["instruction"])
    if style == "alpaca":
        return ALPACA_TEMPLATE.format(instruction=database, input=record["input"])
    if style != "chat":
        raise ValueError(f"unknown prompt style {style!r}; use one of {PROMPT_STYLES}")
    if tokenizer is None or not getattr(tokenizer, "chat_template", None):
        raise ValueError("the chat prompt style needs a tokenizer with a chat template (an -Instruct model)")
    messages = [
        {"role": "system", "content": SYSTEM_MESSAGE},
        {"role": "user", "content": f"{database}\n\n{record['input']}"},
    ]
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    bos = tokenizer.bos_token or ""
    return text[len(bos) :] if bos and text.startswith(bos) else text


@functools.lru_cache(maxsize=256)  # many records share one database
def database_for_prompt(instruction: str, rows: int = SAMPLE_ROWS) -> str:
    """The database as the model sees it: the instruction with each table's INSERT rows cut to `rows`.

    Everything else (a "Hospital database:" title, CREATE TABLE statements, comments) is kept as written.
    sqlglot finds the statements and rewrites the INSERTs; a statement it cannot read is kept whole.
    """
    try:
        spans = statement_spans(instruction, read="sqlite")
    except sqlglot.errors.SqlglotError:
        return instruction
    # each piece with the ";" after it: it runs to where the next begins; the last one to the end
    ends = [start for start, _ in spans[1:]] + [len(instruction)]
    shown = Counter()
    pieces = [
        _sample_insert(instruction[start:end], rows, shown)
        for (start, _), end in zip(spans, ends, strict=True)
    ]
    return "".join(pieces).strip()


def _sample_insert(statement: str, rows: int, shown: Counter) -> str:
    """An INSERT ... VALUES statement with at most `rows` rows per table overall; other statements as is."""
    if not re.match(r"\s*INSERT\b", statement, re.IGNORECASE):
        return statement
    try:
        insert = sqlglot.parse_one(statement.strip().rstrip(";"), read="sqlite")
    except sqlglot.errors.SqlglotError:
        return statement
    values = insert.expression if isinstance(insert, exp.Insert) else None
    if not isinstance(values, exp.Values):
        return statement
    table = insert.this.this if isinstance(insert.this, exp.Schema) else insert.this
    key = table.sql(dialect="sqlite").lower()
    keep = max(0, rows - shown[key])
    shown[key] += len(values.expressions)
    if keep == 0:
        return ""
    values.set("expressions", values.expressions[:keep])
    return " " + insert.sql(dialect="sqlite") + ";"


def completion_text(record: dict, with_explanation: bool = False) -> str:
    """What the model learns to answer: the SQL, and optionally why it works ("SQL, then why").

    The end-of-sequence token is not included: TRL appends the tokenizer's EOS to every completion.
    """
    sql = record["output"].strip()
    explanation = (record.get("explanation") or "").strip()
    if with_explanation and explanation:
        return sql + EXPLANATION_MARKER + explanation
    return sql


def prompt_completion(
    record: dict, style: str = "alpaca", tokenizer=None, with_explanation: bool = False
) -> dict:
    """One training example in TRL's prompt/completion form (loss on the completion only)."""
    return {
        "prompt": render_prompt(record, style, tokenizer),
        "completion": completion_text(record, with_explanation),
    }


_FENCE = re.compile(r"```[ \t]*(?:sql|sqlite|SQL)?[ \t]*\n?(.*?)(?:```|$)", re.DOTALL)
_LEADING_LABEL = re.compile(
    r"^\s*(?:###\s*)?(?:SQL(?:\s+query)?|Query|Answer|Response)\s*:\s*", re.IGNORECASE
)
_KEYWORDS = r"\b(SELECT|WITH|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA|VALUES)\b"
# Uppercase keywords first: "I will select the names: SELECT name ..." starts at the second one.
_STATEMENT_STARTS = (re.compile(_KEYWORDS), re.compile(_KEYWORDS, re.IGNORECASE))


def extract_sql(response: str | None) -> str | None:
    """The first SQL statement in a model response, or None when there is none.

    Looks inside a code fence when there is one, drops "SQL:"-style labels and chatter before the
    statement, and cuts at the first top-level `;`, the explanation marker, a blank line or a new
    "###" section. sqlglot's tokenizer finds the `;` so that semicolons inside strings survive.
    """
    if not response:
        return None
    text = response.split(EXPLANATION_MARKER, 1)[0]
    fence = _FENCE.search(text)
    if fence:
        text = fence.group(1)
    text = _LEADING_LABEL.sub("", text)
    start = _STATEMENT_STARTS[0].search(text) or _STATEMENT_STARTS[1].search(text)
    if start is None:
        return None
    text = text[start.start() :]
    text = re.split(r"\n\s*\n|\n###|\n(?:Explanation|Note)\s*:", text, maxsplit=1)[0]
    sql = _first_statement(text).strip()
    return sql or None


def _first_statement(text: str) -> str:
    try:
        _, end = statement_spans(text, read="sqlite")[0]
    except sqlglot.errors.TokenError:
        return text.split(";", 1)[0]
    return text[:end]
