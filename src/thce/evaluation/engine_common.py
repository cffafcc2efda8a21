"""What the answer engines share: the result type, the prompt, the answer's token span, and
the one batching loop (items in length order, results in input order).

Used by the transformers engine (:mod:`thce.evaluation.inference`), the vLLM engine
(:mod:`thce.evaluation.vllm_engine`) and the candidate-choice engine
(:mod:`thce.evaluation.choice`). Nothing here imports torch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from thce.data.chat_templates import format_conversation
from thce.data.formats import prompt_messages
from thce.logging import logger

# Stage 2+ answers carry their reasoning: the shipped examples' longest is 173 tokens
# (median ~110), so 192 leaves room without paying for long rambles from a weak model.
DEFAULT_MAX_NEW_TOKENS = {1: 48, 2: 192, 3: 192}


@dataclass
class GenerationResult:
    """One model output: raw text, confidence, and ranked candidate labels with log-probs."""

    text: str
    confidence: float | None
    candidates: list[str] = field(default_factory=list)
    candidate_scores: list[float] = field(default_factory=list)


def render_prompt(tokenizer: Any, narrative: str, stage: int) -> str:
    """The generation prompt for ``narrative``: the tokenizer's chat template, else ours."""
    messages = prompt_messages(narrative, stage)
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return format_conversation(messages, stage, add_generation_prompt=True)


def answer_token_span(token_strings: Sequence[str], stage: int) -> tuple[int, int] | None:
    """Indices ``(first, last)`` of the generated tokens that spell the answer line up to the
    token ending the code; ``None`` when no answer started."""
    from thce.evaluation.constrained import loose_answer_done, split_generation

    text = ""
    start: int | None = None
    for i, piece in enumerate(token_strings):
        text += piece
        split = split_generation(text, stage)
        if split.phase != "answer" or not split.answer.strip():
            continue
        if start is None:
            start = i
        if loose_answer_done(split.answer):
            return start, i
    return (start, len(token_strings) - 1) if start is not None else None


def run_in_length_order(
    lengths: Sequence[int],
    batch_size: int,
    answer: Callable[[list[int]], list[GenerationResult]],
    verb: str,
    show_progress: bool = True,
    on_batch: Callable[[int], None] | None = None,
) -> list[GenerationResult]:
    """Answer items in batches of similar length (little padding); results in input order.

    ``answer(indices)`` returns one result per index; the one batching loop of the generation
    and the candidate-choice engines.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    results: list[GenerationResult | None] = [None] * len(lengths)
    start = time.perf_counter()
    with Progress(
        TextColumn(f"[bold]{verb}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not show_progress,
    ) as progress:
        task = progress.add_task(verb, total=len(lengths))
        for offset in range(0, len(order), batch_size):
            batch = order[offset : offset + batch_size]
            for i, result in zip(batch, answer(batch), strict=True):
                results[i] = result
            progress.advance(task, len(batch))
            if on_batch is not None:
                on_batch(len(batch))
    elapsed = time.perf_counter() - start
    logger.info(
        f"{verb} {len(lengths)} answers in {elapsed:.1f}s "
        f"({len(lengths) / max(elapsed, 1e-9):.2f} examples/s, batch {batch_size})"
    )
    return [r for r in results if r is not None]


__all__ = [
    "DEFAULT_MAX_NEW_TOKENS",
    "GenerationResult",
    "answer_token_span",
    "render_prompt",
    "run_in_length_order",
]
