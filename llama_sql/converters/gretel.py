"""gretelai/synthetic_text_to_sql rows -> records, with MySQL-flavoured SQL made to run on SQLite.

    python -m llama_sql data convert --from gretel --input synthetic_text_to_sql_train.parquet \\
        --output data/gretel_train.json

Columns used: `id`, `sql_prompt` (the question), `sql_context` (CREATE TABLE and INSERT statements),
`sql` (the gold query, sometimes an UPDATE/DELETE/INSERT or DDL task), `sql_explanation`,
`sql_complexity` (the category), `domain`, `sql_task_type`. Other columns are ignored.

    instruction = "Company database: " + sql_context      input = "SQL Prompt: " + sql_prompt
    output = sql       explanation = sql_explanation       category = sql_complexity
    id = "gretel-<id>" source = "gretel"

Context and query run as written when SQLite accepts them; otherwise the first sqlglot translation
that runs replaces them and the originals stay in `original_instruction` / `original_output`.
"""

from __future__ import annotations

from llama_sql.converters.categories import sql_category
from llama_sql.converters.execution_check import make_runnable, with_execution
from llama_sql.converters.summary import ConversionSummary
from llama_sql.converters.table_files import require_columns, text_value

PREFIX = "Company database: "
COLUMNS = ("sql_prompt", "sql_context", "sql")
# Descriptive gretel columns kept on the record under a shorter name.
_KEPT = {"domain": "domain", "sql_task_type": "task_type"}


def convert_rows(rows: list[dict], where: str, summary: ConversionSummary) -> list[dict]:
    """Records for the rows of a gretel file (or hub split) named `where` in messages."""
    require_columns(rows, where, COLUMNS, "gretel")
    records = []
    for index, row in enumerate(rows):
        record = _record(index, row, summary)
        if record is not None:
            records.append(record)
    return records


def _record(index: int, row: dict, summary: ConversionSummary) -> dict | None:
    row_id = text_value(row, "id")
    label = f"row {index}" + (f" (id {row_id})" if row_id else "")
    prompt, context, sql = (text_value(row, column) for column in COLUMNS)
    if not prompt:
        summary.skip(label, "no sql_prompt (the question)")
        return None
    if not sql:
        summary.skip(label, "no sql (the gold query)")
        return None
    runnable = make_runnable(context, sql, PREFIX)
    record = {
        "id": f"gretel-{row_id or index}",
        "instruction": "",
        "input": f"SQL Prompt: {prompt}",
        "output": "",
    }
    explanation = text_value(row, "sql_explanation")
    if explanation:
        record["explanation"] = explanation
    record["category"] = text_value(row, "sql_complexity") or sql_category(runnable.sql)
    record["source"] = "gretel"
    for column, name in _KEPT.items():
        if text_value(row, column):
            record[name] = text_value(row, column)
    return with_execution(record, runnable, context, sql, PREFIX)
