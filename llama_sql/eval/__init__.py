"""The evaluation harness: model-written SQL run in a sandbox and judged by its result.

sandbox (hostile SQL is contained) -> execution_match (do two results agree, as Spider's evaluator
decides) -> suite_databases (generated neighbour databases, so a match means more than luck) ->
evaluation (scores a predictions file: `python -m llama_sql evaluate`).
"""
