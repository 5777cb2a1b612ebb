"""Batched generation: many prompts at once, left-padded, in length-sorted batches, greedy by default.

    outputs = generate(model, tokenizer, prompts, batch_size=16, max_new_tokens=128)

Sorting by prompt length keeps padding (wasted compute) low; left padding keeps every prompt's last
token next to its first new one. Generation stops at any of the model's end tokens (EOS, <|eot_id|>),
and each output records whether it stopped on its own or ran into `max_new_tokens`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Generation:
    text: str  # the new text, up to (not including) the stop token
    new_tokens: int  # tokens generated, the stop token included
    stopped: bool  # True when an end token came before max_new_tokens


def generate(
    model,
    tokenizer,
    prompts: list[str],
    batch_size: int = 16,
    max_new_tokens: int = 128,
    do_sample: bool = False,
    progress: bool = True,
    desc: str = "generating",
) -> list[Generation]:
    """One `Generation` per prompt, in the prompts' order."""
    import torch
    from tqdm.auto import tqdm

    from llama_sql.modeling import stop_token_ids

    stops = stop_token_ids(tokenizer, model)
    lengths = [len(tokenizer(p)["input_ids"]) for p in prompts]
    order = sorted(
        range(len(prompts)), key=lambda i: lengths[i], reverse=True
    )  # longest first: OOM shows early
    results: list[Generation | None] = [None] * len(prompts)
    previous_side, tokenizer.padding_side = tokenizer.padding_side, "left"
    model.eval()
    try:
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        for batch in tqdm(batches, desc=desc, disable=not progress, unit="batch"):
            inputs = tokenizer([prompts[i] for i in batch], return_tensors="pt", padding=True).to(
                model.device
            )
            with torch.inference_mode():
                output = model.generate(
                    **inputs,
                    max_new_tokens=max_new_tokens,
                    do_sample=do_sample,
                    eos_token_id=stops,
                    pad_token_id=tokenizer.pad_token_id,
                )
            new = output[:, inputs["input_ids"].shape[1] :]
            for row, index in enumerate(batch):
                results[index] = _decode(tokenizer, new[row].tolist(), stops, tokenizer.pad_token_id)
    finally:
        tokenizer.padding_side = previous_side
    return results  # type: ignore[return-value]


def _decode(tokenizer, ids: list[int], stops: list[int], pad_id: int | None) -> Generation:
    """Cut at the first stop token; rows that finished early are right-filled with pad, which is dropped."""
    cut = next((k for k, token in enumerate(ids) if token in stops), None)
    kept = ids if cut is None else ids[:cut]
    kept = [t for t in kept if t != pad_id]
    return Generation(
        text=tokenizer.decode(kept, skip_special_tokens=True),
        new_tokens=len(kept) + (cut is not None),
        stopped=cut is not None,
    )
