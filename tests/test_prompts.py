"""Prompts: one function for training and generation, both styles, and SQL extraction from responses."""

import pytest

from llama_sql.prompts import (
    choose_prompt_style,
    completion_text,
    database_for_prompt,
    extract_sql,
    prompt_completion,
    render_prompt,
)

RECORD = {
    "instruction": "Hospital database: CREATE TABLE patients (id INTEGER, name TEXT, diagnosis TEXT);",
    "input": "SQL Prompt: Which patients have Asthma?",
    "output": "SELECT name FROM patients WHERE diagnosis = 'Asthma'",
    "explanation": "Filters patients on the diagnosis column for the value 'Asthma'.",
}


def test_alpaca_prompt_carries_database_and_question_and_ends_at_the_response():
    prompt = render_prompt(RECORD, "alpaca")
    assert "### Instruction:\n" + RECORD["instruction"] in prompt
    assert "### Input:\n" + RECORD["input"] in prompt
    assert prompt.endswith("### Response:\n")


DATABASE = (
    "Shop database: CREATE TABLE items (id INTEGER, name TEXT); CREATE TABLE sales (id INTEGER, note TEXT); "
    "INSERT INTO items VALUES (1, 'Desk'), (2, 'Lamp'); INSERT INTO items VALUES (3, 'Rug'); "
    "INSERT INTO sales (id, note) VALUES (7, 'paid; shipped'), (8, 'open');"
)


def test_the_prompt_shows_every_table_with_its_first_rows_only():
    shown = database_for_prompt(DATABASE, rows=1)
    assert shown.startswith("Shop database: CREATE TABLE items (id INTEGER, name TEXT); CREATE TABLE sales")
    assert "(1, 'Desk')" in shown and "'Lamp'" not in shown and "'Rug'" not in shown
    assert "(7, 'paid; shipped')" in shown and "'open'" not in shown  # a ";" inside a string is no boundary
    assert "'Lamp'" in database_for_prompt(DATABASE, rows=2) and "'Rug'" not in database_for_prompt(
        DATABASE, rows=2
    )
    assert "INSERT" not in database_for_prompt(DATABASE, rows=0)
    assert database_for_prompt(DATABASE, rows=3).count("INSERT INTO items") == 2


def test_the_prompt_keeps_what_it_cannot_read_and_the_record_keeps_every_row():
    odd = "CREATE TABLE t (a TEXT); INSERT INTO t SELECT 'x'; INSERT INTO t VALUES ('y'), ('z')"
    assert (
        database_for_prompt(odd, rows=1)
        == "CREATE TABLE t (a TEXT); INSERT INTO t SELECT 'x'; INSERT INTO t VALUES ('y');"
    )
    record = {**RECORD, "instruction": DATABASE}
    assert database_for_prompt(DATABASE) in render_prompt(record) and "'Lamp'" in record["instruction"]


def test_training_and_generation_prompts_are_the_same_text():
    assert prompt_completion(RECORD)["prompt"] == render_prompt(RECORD)
    assert prompt_completion(RECORD)["completion"] == RECORD["output"]


def test_sql_then_why_puts_the_explanation_after_the_sql_and_extraction_drops_it():
    answer = completion_text(RECORD, with_explanation=True)
    assert answer.startswith(RECORD["output"]) and RECORD["explanation"] in answer
    assert extract_sql(answer) == RECORD["output"]


def test_chat_style_uses_llama31_headers_and_a_single_bos(tiny_tokenizer):
    prompt = render_prompt(RECORD, "chat", tiny_tokenizer)
    assert not prompt.startswith("<|begin_of_text|>")
    assert "<|start_header_id|>user<|end_header_id|>" in prompt
    assert prompt.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")
    ids = tiny_tokenizer(prompt)["input_ids"]
    assert ids.count(tiny_tokenizer.bos_token_id) == 1 and ids[0] == tiny_tokenizer.bos_token_id


def test_style_choice_follows_the_model_kind(tiny_tokenizer):
    assert choose_prompt_style("meta-llama/Llama-3.1-8B", tiny_tokenizer) == "alpaca"
    assert choose_prompt_style("meta-llama/Llama-3.1-8B-Instruct", tiny_tokenizer) == "chat"
    assert choose_prompt_style("meta-llama/Llama-3.1-8B-Instruct", None) == "alpaca"
    assert choose_prompt_style("tiny", tiny_tokenizer, requested="chat") == "chat"
    with pytest.raises(ValueError):
        choose_prompt_style("tiny", tiny_tokenizer, requested="markdown")


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("SELECT name FROM patients;", "SELECT name FROM patients"),
        (
            "```sql\nSELECT a FROM t WHERE b = ';x';\n```\nThis query selects a.",
            "SELECT a FROM t WHERE b = ';x'",
        ),
        ("```\nSELECT 1\n```", "SELECT 1"),
        ("SQL: SELECT COUNT(*) FROM t", "SELECT COUNT(*) FROM t"),
        ("### SQL Query: SELECT x FROM y", "SELECT x FROM y"),
        (
            "Sure! Here is the query you asked for: SELECT name FROM p WHERE x = 1; It returns names.",
            "SELECT name FROM p WHERE x = 1",
        ),
        ("I will select the names: SELECT name FROM t", "SELECT name FROM t"),
        ("SELECT a\nFROM t\nWHERE c = 2\n### Instruction:\nmore prompt", "SELECT a\nFROM t\nWHERE c = 2"),
        ("SELECT name FROM p\n\nExplanation: it selects names", "SELECT name FROM p"),
        ("SELECT name FROM p\nExplanation: it selects names", "SELECT name FROM p"),
        ("Answer: WITH x AS (SELECT 1) SELECT * FROM x", "WITH x AS (SELECT 1) SELECT * FROM x"),
        ("UPDATE t SET a = 1 WHERE b = 2;", "UPDATE t SET a = 1 WHERE b = 2"),
        ("select a from t", "select a from t"),
        ("I don't know which table holds that.", None),
        ("", None),
        (None, None),
    ],
)
def test_extract_sql_copes_with_fences_labels_and_chatter(response, expected):
    assert extract_sql(response) == expected
