"""b-mc2/sql-create-context rows (`question`, `context`, `answer`) -> records.

    python -m llama_sql data convert --from sql-create-context --input sql_create_context_v4.json \\
        --output data/sqlcc.json

    instruction = "Company database: " + context     input = "SQL Prompt: " + question
    output = answer     id = "sqlcc-<row>"     source = "sql-create-context"

The instruction uses the same "Company database: " prefix as the project's own data and gretel's,
so a model fine-tuned on a mix sees one prompt format. Contexts are CREATE TABLE statements only:
no rows, so evaluation scores these records on generated databases (see eval/suite_databases.py). Some
contexts leave out a column the answer uses; those answers do not run and the record is flagged
(`executable: false`). Records have no explanation (the dataset has none) and a category read
from the query (categories.py).
"""

from __future__ import annotations

from llama_sql.converters.categories import sql_category
from llama_sql.converters.execution_check import make_runnable, with_execution
from llama_sql.converters.summary import ConversionSummary
from llama_sql.converters.table_files import require_columns, text_value

PREFIX = "Company database: "
COLUMNS = ("question", "context", "answer")


def convert_rows(rows: list[dict], where: str, summary: ConversionSummary) -> list[dict]:
    """Records for the rows of a sql-create-context file (or hub split) named `where` in messages."""
    require_columns(rows, where, COLUMNS, "sql-create-context")
    records = []
    for index, row in enumerate(rows):
        question, context, answer = (text_value(row, column) for column in COLUMNS)
        if not question or not answer:
            summary.skip(f"row {index}", "no question" if not question else "no answer (the gold query)")
            continue
        runnable = make_runnable(context, answer, PREFIX)
        record = {
            "id": f"sqlcc-{index}",
            "instruction": "",
            "input": f"SQL Prompt: {question}",
            "output": "",
            "category": sql_category(runnable.sql),
            "source": "sql-create-context",
        }
        records.append(with_execution(record, runnable, context, answer, PREFIX))
    return records
