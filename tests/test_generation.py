"""Batched generation: which prompts share a prefix, in what order they run, and that sharing changes nothing."""

import pytest

from llama_sql.generation import generation_order, shared_prefix_lengths

DB_A = list(range(100, 140))  # 40 tokens of one database
DB_B = list(range(100, 110)) + list(range(300, 330))  # starts like DB_A, then another database


def test_prompts_on_one_database_share_it_and_the_rest_share_nothing():
    ids = [
        [1, *DB_A, 7, 8],  # two questions on database A
        [1, *DB_B, 9],  # alone on B: only 11 tokens in common with A, under half
        [1, *DB_A, 5],
        [1, *DB_A, 7, 6, 6],  # a third on A, sharing one more token with the first
    ]
    assert shared_prefix_lengths(ids) == [41, 0, 41, 41]


def test_a_group_keeps_a_token_to_read_even_when_prompts_are_identical():
    ids = [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4, 5]]
    assert shared_prefix_lengths(ids) == [3, 3, 3]


def test_the_threshold_is_a_share_of_the_shorter_prompt():
    ids = [[1, 2, 3, 4, 5, 6], [1, 2, 3, 9, 9, 9]]  # 3 of 6 in common
    assert shared_prefix_lengths(ids, min_fraction=0.5) == [3, 3]
    assert shared_prefix_lengths(ids, min_fraction=0.6) == [0, 0]


def test_single_or_no_prompts():
    assert shared_prefix_lengths([]) == []
    assert shared_prefix_lengths([[1, 2, 3]]) == [0]


def test_order_runs_unshared_prompts_first_then_each_group_together():
    ids = [[1, *DB_A, 7], [1, 2, 3], [1, *DB_B, 9, 9, 9], [1, *DB_A, 5, 5], [1, *DB_B, 8], [1, 2, 3, 4, 5]]
    shared = [41, 0, 41, 41, 41, 0]
    order = generation_order(ids, shared)
    assert order[:2] == [5, 1]  # unshared, longest first
    groups = [tuple(ids[i][: shared[i]]) for i in order[2:]]
    assert groups[0] == groups[1] and groups[2] == groups[3] and groups[0] != groups[2]
    assert order[2:4] == [3, 0] and order[4:] == [2, 4]  # within a group, longest remainder first


@pytest.fixture(scope="module")
def tiny_base(tiny_model_dir):
    from llama_sql.modeling import load_4bit

    return load_4bit("tiny", "float32")


@pytest.fixture(scope="module")
def mixed_prompts():
    """Questions on two databases with several each, and one database asked once."""
    from llama_sql.builder import DEFAULT_OUTPUT
    from llama_sql.prompts import render_prompt
    from llama_sql.records import load_records
    from tests.conftest import ROOT

    records = load_records(ROOT / DEFAULT_OUTPUT)
    databases = list(dict.fromkeys(r["instruction"] for r in records))[:3]
    chosen = [r for r in records if r["instruction"] == databases[0]][:4]
    chosen += [r for r in records if r["instruction"] == databases[1]][:1]
    chosen += [r for r in records if r["instruction"] == databases[2]][:4]
    return [render_prompt(r) for r in chosen]


def test_shared_prefixes_generate_exactly_what_whole_prompts_do(tiny_base, mixed_prompts):
    from llama_sql.generation import generate

    model, tokenizer = tiny_base
    shared = shared_prefix_lengths([tokenizer(p)["input_ids"] for p in mixed_prompts])
    assert sum(n > 0 for n in shared) == 8 and shared[4] == 0
    runs = {
        "shared": generate(model, tokenizer, mixed_prompts, 4, 24, progress=False),
        "whole": generate(model, tokenizer, mixed_prompts, 4, 24, progress=False, share_prefixes=False),
        "one at a time": generate(
            model, tokenizer, mixed_prompts, 1, 24, progress=False, share_prefixes=False
        ),
    }
    as_tuples = {name: [(g.text, g.new_tokens, g.stopped) for g in out] for name, out in runs.items()}
    assert as_tuples["shared"] == as_tuples["whole"] == as_tuples["one at a time"]
    assert all(g.new_tokens > 0 for g in runs["shared"])


def test_cpu_inference_stays_in_the_compute_dtype(tiny_base, mixed_prompts):
    """bitsandbytes' bf16 CPU path is off: no weight repacked, and a prompt's logits do not depend on its batch."""
    import bitsandbytes as bnb
    import torch

    model, tokenizer = tiny_base
    previous, tokenizer.padding_side = tokenizer.padding_side, "left"
    try:
        with torch.inference_mode():
            batch = tokenizer(mixed_prompts[:3], return_tensors="pt", padding=True)
            positions = (batch["attention_mask"].cumsum(-1) - 1).clamp(min=0)
            together = model(**batch, position_ids=positions).logits[:, -1]
            alone = [model(**tokenizer(p, return_tensors="pt")).logits[0, -1] for p in mixed_prompts[:3]]
    finally:
        tokenizer.padding_side = previous
    for row, logits in enumerate(alone):
        torch.testing.assert_close(together[row], logits, rtol=0, atol=1e-4)
    linears = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert linears and not any(
        getattr(m.weight.quant_state, "packing_format_for_cpu", False) for m in linears
    )


def test_log_probs_change_nothing_and_equal_the_models_own(tiny_base, mixed_prompts):
    """The recorded sequence log-probability is what a forward pass over prompt + answer gives."""
    import torch

    from llama_sql.generation import generate
    from llama_sql.modeling import stop_token_ids

    model, tokenizer = tiny_base
    plain = generate(model, tokenizer, mixed_prompts[:3], 4, 16, progress=False)
    scored = generate(model, tokenizer, mixed_prompts[:3], 4, 16, progress=False, log_probs=True)
    assert [(g.text, g.new_tokens) for g in plain] == [(g.text, g.new_tokens) for g in scored]
    prompt = tokenizer(mixed_prompts[0], return_tensors="pt")
    stops = stop_token_ids(tokenizer, model)
    with torch.inference_mode():
        ids = model.generate(**prompt, max_new_tokens=16, do_sample=False, eos_token_id=stops)[0]
        logits = model(ids[None]).logits[0].float().log_softmax(-1)
    start = prompt["input_ids"].shape[1]
    new = ids[start : start + scored[0].new_tokens]
    expected = logits[start - 1 : start - 1 + len(new)].gather(-1, new[:, None]).sum()
    assert scored[0].log_prob == pytest.approx(float(expected), abs=1e-3)
    assert all(g.log_prob < 0 for g in scored)


def test_sampling_draws_n_answers_per_prompt_reproducibly(tiny_base, mixed_prompts):
    import torch

    from llama_sql.generation import sample

    model, tokenizer = tiny_base
    state = torch.random.get_rng_state()
    first = sample(
        model, tokenizer, mixed_prompts[:3], 4, 0.7, seed=0, batch_size=8, max_new_tokens=16, progress=False
    )
    again = sample(
        model, tokenizer, mixed_prompts[:3], 4, 0.7, seed=0, batch_size=8, max_new_tokens=16, progress=False
    )
    other = sample(
        model, tokenizer, mixed_prompts[:3], 4, 0.7, seed=1, batch_size=8, max_new_tokens=16, progress=False
    )
    assert torch.equal(torch.random.get_rng_state(), state)  # the caller's random state is left alone
    assert [len(drawn) for drawn in first] == [4, 4, 4]
    texts = [[g.text for g in drawn] for drawn in first]
    assert texts == [[g.text for g in drawn] for drawn in again]
    assert texts != [[g.text for g in drawn] for drawn in other]
    assert len({text for drawn in texts for text in drawn}) > 3  # sampling, not the greedy answer 12 times
    assert all(g.log_prob is not None and g.log_prob < 0 for drawn in first for g in drawn)
