"""Batched generation: many prompts at once, left-padded, greedy by default, each shared prefix read once.

    outputs = generate(model, tokenizer, prompts, batch_size=32, max_new_tokens=128)
    drawn = sample(model, tokenizer, prompts, n=7, temperature=0.7, seed=0)   # 7 answers per prompt

Prompts about the same database start with the same few hundred tokens (the template and the
database) and differ only in the question. Reading a prompt (the prefill) is most of the cost of a
short answer, so each batch is read in two passes: every distinct shared prefix once, then each
prompt's remainder on top of a copy of its prefix's key/value cache. The model computes exactly what it
would for the whole prompt, at the cost of the distinct text only. Prompts are ordered so that those
sharing a prefix land in the same batch, longest first; within a batch the prefixes are left-padded and
the remainders padded before them, so every prompt's last token sits next to its first new one.

Decoding runs in segments: a `generate` call ends once PRUNE_SHARE of its rows have stopped, and those
rows leave the batch with their rows of the key/value cache, so the others decode a smaller batch (a
single `generate` call keeps computing every finished row until the last one stops). A batch where no
prompt stops early decodes in one call, as plain generation does. Generation stops at any
of the model's end tokens (EOS, <|eot_id|>), and each output records whether it stopped on its own or
ran into `max_new_tokens`. `share_prefixes=False` reads every prompt whole: the
plain batched generation the benchmark compares against.

`sample` draws several answers per prompt for execution-guided answers (llama_sql/eval/voting.py): each
prompt is repeated n times in the batch (the copies share their whole prompt, so it is read once per
batch) and decoded with plain temperature sampling (no top-k, no top-p), seeded so that the same prompts,
batch size and seed draw the same answers. `log_probs=True` also records each answer's sequence
log-probability under the model itself (temperature 1), stop token included, which voting uses to break ties.
"""

from __future__ import annotations

from dataclasses import dataclass

from llama_sql.modeling import stop_token_ids

BATCH_SIZE = 32  # prompts per generate call: compare (and so notebook 03) and the bench use it
# Prompts share a prefix when it is at least this share of the shorter one; below it (two databases that
# happen to start alike, or only the template in common) the prompt is read whole.
MIN_SHARED_FRACTION = 0.5
# A `generate` call ends when this share of its rows have stopped, so that they leave the batch (None:
# one call, every finished row computed until the last one stops).
PRUNE_SHARE: float | None = 0.25


@dataclass
class Generation:
    text: str  # the new text, up to (not including) the stop token
    new_tokens: int  # tokens generated, the stop token included
    stopped: bool  # True when an end token came before max_new_tokens
    log_prob: float | None = None  # sum of the model's log-probabilities of those tokens (when asked for)


def generate(
    model,
    tokenizer,
    prompts: list[str],
    batch_size: int = BATCH_SIZE,
    max_new_tokens: int = 128,
    do_sample: bool = False,
    progress: bool = True,
    desc: str = "generating",
    share_prefixes: bool = True,
    temperature: float = 1.0,
    seed: int | None = None,
    log_probs: bool = False,
) -> list[Generation]:
    """One `Generation` per prompt, in the prompts' order.

    Greedy unless `do_sample`; sampling is plain temperature sampling, seeded by `seed` when given.
    """
    import torch
    from tqdm.auto import tqdm

    stops = stop_token_ids(tokenizer, model)
    ids = [tokenizer(p)["input_ids"] for p in prompts]
    shared = shared_prefix_lengths(ids) if share_prefixes else [0] * len(ids)
    order = generation_order(ids, shared)
    results: list[Generation | None] = [None] * len(prompts)
    # top_k=0 and top_p=1.0 override the library's default top-k of 50 and any top-p the checkpoint sets
    sampling = dict(temperature=temperature, top_k=0, top_p=1.0) if do_sample else {}
    model.eval()
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    with torch.random.fork_rng(devices=range(torch.cuda.device_count()), enabled=seed is not None):
        if seed is not None:
            torch.manual_seed(seed)
        for batch in tqdm(batches, desc=desc, disable=not progress, unit="batch"):
            with torch.inference_mode():
                inputs = _batch_inputs(model, tokenizer, [ids[i] for i in batch], [shared[i] for i in batch])
                settings = dict(
                    do_sample=do_sample, **sampling, eos_token_id=stops, pad_token_id=tokenizer.pad_token_id
                )
                new, token_log_probs = _decode_in_segments(
                    model, inputs, max_new_tokens, stops, settings, log_probs
                )
            for row, index in enumerate(batch):
                results[index] = decode_new_tokens(tokenizer, new[row], stops, tokenizer.pad_token_id)
                if token_log_probs is not None:
                    results[index].log_prob = float(sum(token_log_probs[row][: results[index].new_tokens]))
    return results  # type: ignore[return-value]


def sample(
    model,
    tokenizer,
    prompts: list[str],
    n: int,
    temperature: float,
    seed: int | None,
    batch_size: int = BATCH_SIZE,
    max_new_tokens: int = 128,
    progress: bool = True,
    desc: str = "sampling",
    log_probs: bool = True,
) -> list[list[Generation]]:
    """`n` sampled answers per prompt, in the prompts' order; `batch_size` counts answers, not prompts."""
    repeated = [prompt for prompt in prompts for _ in range(n)]
    drawn = generate(
        model,
        tokenizer,
        repeated,
        batch_size,
        max_new_tokens,
        do_sample=True,
        progress=progress,
        desc=desc,
        temperature=temperature,
        seed=seed,
        log_probs=log_probs,
    )
    return [drawn[i * n : (i + 1) * n] for i in range(len(prompts))]


class SomeStopped:
    """A stopping criterion that ends the whole `generate` call once `share` of its rows have produced a
    stop token since `start`: the caller drops those rows and goes on with the rest."""

    def __init__(self, stops: list[int], start: int, share: float, device):
        import torch

        self.stops, self.start, self.share = torch.tensor(stops, device=device), start, share

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        stopped = torch.isin(input_ids[:, self.start :], self.stops)
        done = stopped.any(dim=1).float().mean().item() >= self.share
        return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)


class SequenceLogProbs:
    """A logits processor that keeps, per row and step, the model's log-probability of the chosen token.

    It sees each step's logits before sampling, and the token chosen at a step only at the next call (as
    the last column of `input_ids`), so it remembers the previous step's log-softmax; `finish` adds the
    last step's token. Custom processors run before the temperature warper, so these are the model's own
    probabilities at temperature 1, whatever the sampling temperature. The scores pass through unchanged.
    """

    def __init__(self):
        self.previous = None  # the last step's log-softmax, rows x vocabulary
        self.steps: list = []  # per step, each row's log-probability of the token it chose

    def __call__(self, input_ids, scores):
        import torch

        self._take(input_ids[:, -1])
        self.previous = torch.log_softmax(scores.float(), dim=-1)
        return scores

    def _take(self, chosen) -> None:
        if self.previous is not None:
            self.steps.append(self.previous.gather(-1, chosen[:, None])[:, 0])

    def finish(self, new_tokens):
        """Rows x steps: the log-probability of every new token (pads after a stop included; cut them off)."""
        import torch

        self._take(new_tokens[:, -1])
        self.previous = None
        return torch.stack(self.steps, dim=1).cpu() if self.steps else torch.zeros(len(new_tokens), 0)


def _decode_in_segments(
    model, inputs: dict, max_new_tokens: int, stops: list[int], settings: dict, log_probs: bool = False
) -> tuple[list[list[int]], list[list[float]] | None]:
    """Each row's new token ids (and, with `log_probs`, each one's log-probability). Each `generate` call
    (a segment) ends once PRUNE_SHARE of its rows have stopped; the rows that have stopped then leave the
    batch (with their key/value cache rows), so the rest decode a smaller batch. `generate` alone would
    keep computing every finished row, padded, until the last one stops. A scorer lives for one segment:
    its rows are that segment's batch."""
    import torch
    from transformers import StoppingCriteriaList

    rows = list(range(inputs["input_ids"].shape[0]))
    new: list[list[int]] = [[] for _ in rows]
    scores: list[list[float]] | None = [[] for _ in rows] if log_probs else None
    ids, mask, cache = inputs["input_ids"], inputs["attention_mask"], inputs.get("cache")
    left = max_new_tokens
    while left > 0:
        scorer = SequenceLogProbs() if log_probs else None
        prune = (
            [SomeStopped(stops, ids.shape[1], PRUNE_SHARE, ids.device)]
            if PRUNE_SHARE and len(rows) > 1
            else []
        )
        output = model.generate(
            input_ids=ids,
            attention_mask=mask,
            cache=cache,
            max_new_tokens=left,
            return_dict_in_generate=True,
            logits_processor=[scorer] if scorer else None,
            stopping_criteria=StoppingCriteriaList(prune),
            **settings,
        )
        added = output.sequences[:, ids.shape[1] :]
        if scorer is not None:
            for row, values in zip(rows, scorer.finish(added).tolist(), strict=True):
                scores[row].extend(values)
        left -= added.shape[1]
        going = []
        for position, (row, tokens) in enumerate(zip(rows, added.tolist(), strict=True)):
            new[row].extend(tokens)
            if not any(t in stops for t in tokens):
                going.append(position)
        if not going or left <= 0:
            break
        keep = torch.tensor(going, device=ids.device)
        cache = output.cache
        cache.batch_select_indices(keep)  # every token but the last generated one is cached
        ids = output.sequences[keep]
        mask = torch.cat([mask, torch.ones_like(added)], dim=1)[keep]
        rows = [rows[i] for i in going]
    return new, scores


def shared_prefix_lengths(ids: list[list[int]], min_fraction: float = MIN_SHARED_FRACTION) -> list[int]:
    """Per prompt, how many leading tokens it shares with the other prompts of its group (0: none).

    Sorted token lists put prompts with long common prefixes next to each other; a run of neighbours that
    each share at least `min_fraction` of the shorter prompt is a group, and its prefix is what all of
    them share, less at least one token so every prompt still has a remainder to read.
    """
    order = sorted(range(len(ids)), key=lambda i: ids[i])
    shared = [0] * len(ids)
    group: list[int] = []
    common = 0
    for index in [*order, None]:
        if index is not None and group:
            previous = ids[group[-1]]
            overlap = _common_prefix(previous, ids[index])
            if overlap >= min_fraction * min(len(previous), len(ids[index])):
                group.append(index)
                common = min(common, overlap)
                continue
        if len(group) > 1:
            length = min(common, min(len(ids[i]) for i in group) - 1)
            for member in group:
                shared[member] = length
        group = [index] if index is not None else []
        common = len(ids[index]) if index is not None else 0
    return shared


def generation_order(ids: list[list[int]], shared: list[int]) -> list[int]:
    """Prompts of one prefix together (longest prefixes first), longest remainder first within them.

    Prompts that share nothing come first, longest first (as plain batching orders them, so that a
    batch too long for memory tends to fail at once). Keeping a group together means its prefix is read
    once, in one batch, unless the group is larger than a batch.
    """

    def key(i: int):
        if shared[i] == 0:
            return (0, -len(ids[i]), ())
        return (1, -shared[i], tuple(ids[i][: shared[i]]), -(len(ids[i]) - shared[i]))

    return sorted(range(len(ids)), key=key)


def _batch_inputs(model, tokenizer, ids: list[list[int]], shared: list[int]) -> dict:
    """`generate`'s inputs for one batch: input ids and mask, and the prefixes' cache when any is shared.

    Without shared prefixes: the prompts left-padded. With them: each distinct prefix is run once
    (left-padded to the longest), its cache copied to every row that uses it, and the rows laid out as
    [pad][prefix][pad][remainder]; the masks' zeros keep the pads out of attention and the positions.
    A prompt that shares nothing in such a batch is read up to its last token in the first pass, so it
    does not widen everyone's remainder.
    """
    import torch

    if not any(shared):
        return _left_padded(tokenizer, ids, model.device)
    # a prompt that shares nothing has all but its last token read in the first pass
    shared = [n or len(row) - 1 for row, n in zip(ids, shared, strict=True)]
    keys = [tuple(row[:n]) for row, n in zip(ids, shared, strict=True)]
    prefixes = sorted(set(keys), key=len, reverse=True)
    which = torch.tensor([prefixes.index(k) for k in keys], device=model.device)
    head = _left_padded(tokenizer, [list(p) for p in prefixes], model.device)
    positions = (head["attention_mask"].cumsum(-1) - 1).clamp(min=0)
    cache = model(**head, position_ids=positions, use_cache=True, logits_to_keep=1).cache
    cache.batch_select_indices(which)  # one copy of its prefix's keys and values per row
    tail = _left_padded(tokenizer, [row[n:] for row, n in zip(ids, shared, strict=True)], model.device)
    return {
        "input_ids": torch.cat([head["input_ids"][which], tail["input_ids"]], dim=1),
        "attention_mask": torch.cat([head["attention_mask"][which], tail["attention_mask"]], dim=1),
        "cache": cache,
    }


def _left_padded(tokenizer, rows: list[list[int]], device) -> dict:
    padded = tokenizer.pad({"input_ids": rows}, padding=True, padding_side="left", return_tensors="pt")
    return {name: tensor.to(device) for name, tensor in padded.items()}


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):  # up to the shorter one
        if x != y:
            break
        n += 1
    return n


def decode_new_tokens(tokenizer, ids: list[int], stops: list[int], pad_id: int | None) -> Generation:
    """Cut at the first stop token; rows that finished early are right-filled with pad, which is dropped."""
    cut = next((k for k, token in enumerate(ids) if token in stops), None)
    kept = ids if cut is None else ids[:cut]
    kept = [t for t in kept if t != pad_id]
    return Generation(
        text=tokenizer.decode(kept, skip_special_tokens=True),
        new_tokens=len(kept) + (cut is not None),
        stopped=cut is not None,
    )
