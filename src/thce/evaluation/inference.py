"""Batched inference: prompts with the chat template, greedy answers, top-k code candidates.

    >>> from thce.models import load_model_and_tokenizer
    >>> model, tokenizer = load_model_and_tokenizer("thce:tiny")          # doctest: +SKIP
    >>> engine = HFEngine(model, tokenizer, stage=1, top_k=3)            # doctest: +SKIP
    >>> engine.generate(["58 yo with type 2 diabetes."])[0].text        # doctest: +SKIP

How an answer is produced (``docs/EVALUATION.md`` has the details):

1. The narrative becomes ``[system, user]`` messages (:func:`thce.data.formats.prompt_messages`)
   rendered by the tokenizer's chat template with ``add_generation_prompt=True`` (our stage
   template when the tokenizer has none). Prompts are sorted by length and left-padded into
   batches.
2. Greedy decoding until ``<|im_end|>`` (or the tokenizer's EOS) gives the answer.
   ``confidence`` is the probability of the answer line ``CODE_TYPE: CODE`` plus the token
   that ends the code, ``exp(Σ log p)`` over those generated tokens.
3. With ``top_k > 1``, a beam search (``top_k + 2`` beams, one shared prefill per prompt)
   restarts from the end of the reasoning and scores whole ``CODE_TYPE: CODE`` answers (each
   beam stops right after its code, scores are summed log-probabilities); the ranked codes are
   the candidates, the greedy answer always first.
4. ``constrained=True`` applies :class:`~thce.evaluation.constrained.CodeConstraintProcessor`
   to both steps.

The pieces every engine shares (the result type, the prompt, the answer span, the batching
loop) are in :mod:`thce.evaluation.engine_common`, and the vLLM engine in
:mod:`thce.evaluation.vllm_engine`; their names are importable from here too.
"""

from __future__ import annotations

import inspect
import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from thce.data.formats import THINK_CLOSE, parse_answer
from thce.errors import EvaluationError
from thce.evaluation.engine_common import (
    DEFAULT_MAX_NEW_TOKENS,
    GenerationResult,
    answer_token_span,
    render_prompt,
    run_in_length_order,
)
from thce.evaluation.records import make_label
from thce.evaluation.vllm_engine import VLLMEngine, check_vllm_available

CANDIDATE_MAX_NEW_TOKENS = 16


def _cache_of(output: Any) -> Any:
    """The KV cache of a model output, under its old or new attribute name."""
    cache = getattr(output, "cache", None)
    return cache if cache is not None else output.past_key_values


class HFEngine:
    """Generate answers with a transformers causal LM (CPU or GPU).

    Args:
        model, tokenizer: from :func:`thce.models.load_model_and_tokenizer`.
        stage: 1 (answer only) or 2/3 (``<think>`` reasoning first); picks the system prompt.
        top_k: number of candidates per example (1 = greedy answer only).
        constrained: only real codes (:mod:`thce.evaluation.constrained`).
        max_new_tokens: answer length limit (default 48 for stage 1, 192 for stage 2+).
        indexes: code indexes for the constraint (default: built from the code databases).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        stage: int = 1,
        top_k: int = 1,
        constrained: bool = False,
        max_new_tokens: int | None = None,
        indexes: dict[str, Any] | None = None,
    ) -> None:
        from thce.evaluation.constrained import TokenTable, code_indexes

        if top_k < 1:
            raise EvaluationError(f"--top-k must be at least 1, got {top_k}")
        self.model = model
        self.tokenizer = tokenizer
        self.stage = stage
        self.top_k = top_k
        self.constrained = constrained
        self.max_new_tokens = max_new_tokens or DEFAULT_MAX_NEW_TOKENS.get(stage, 192)
        tokenizer.padding_side = "left"
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        self.table = TokenTable(tokenizer)
        if not self.table.eos_ids:
            raise EvaluationError(
                "the tokenizer has neither <|im_end|> nor an EOS token; cannot stop"
            )
        self.indexes = (indexes or code_indexes()) if constrained or indexes else None
        self.device = next(model.parameters()).device
        self._constraint_cache: OrderedDict[Any, Any] = OrderedDict()
        # transformers renamed ``past_key_values`` to ``cache`` (5.x); support both.
        self._cache_kwarg = (
            "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
        )

    # ------------------------------------------------------------------ helpers

    def _encode(self, texts: Sequence[str]) -> dict[str, Any]:
        enc = self.tokenizer(
            list(texts), return_tensors="pt", padding=True, add_special_tokens=False
        )
        return {k: v.to(self.device) for k, v in enc.items()}

    def _processor(self, prompt_length: int, answer_only: bool, stop_after_code: bool) -> Any:
        from thce.evaluation.constrained import CodeConstraintProcessor

        return CodeConstraintProcessor(
            self.table,
            self.tokenizer,
            self.indexes if self.constrained else None,
            self.stage,
            prompt_length,
            answer_only=answer_only,
            stop_after_code=stop_after_code,
            cache=self._constraint_cache,
        )

    def _cut(self, ids: Sequence[int]) -> list[int]:
        """Generated ids up to and including the first end-of-turn token."""
        out: list[int] = []
        for token in ids:
            out.append(int(token))
            if token in self.table.eos_ids:
                break
        return out

    def _text(self, ids: Sequence[int]) -> str:
        ids = [i for i in ids if i not in self.table.eos_ids]
        return self.tokenizer.decode(ids, skip_special_tokens=False)

    # ------------------------------------------------------------------ steps

    def _greedy(self, prompts: Sequence[str]) -> list[tuple[str, float | None]]:
        import torch

        enc = self._encode(prompts)
        length = enc["input_ids"].shape[1]
        kwargs: dict[str, Any] = {}
        if self.constrained:
            kwargs["logits_processor"] = [
                self._processor(length, answer_only=False, stop_after_code=False)
            ]
        with torch.inference_mode():
            out = self.model.generate(
                **enc,
                do_sample=False,
                num_beams=1,
                max_new_tokens=self.max_new_tokens,
                eos_token_id=self.table.eos_ids,
                pad_token_id=self.tokenizer.pad_token_id,
                output_scores=True,
                return_dict_in_generate=True,
                **kwargs,
            )
            logprobs = self.model.compute_transition_scores(
                out.sequences, out.scores, normalize_logits=True
            )
        results = []
        for row in range(out.sequences.shape[0]):
            ids = self._cut(out.sequences[row, length:].tolist())
            span = answer_token_span([self.table.strings[i] for i in ids], self.stage)
            confidence = None
            if span is not None:
                total = float(logprobs[row, span[0] : span[1] + 1].sum())
                confidence = math.exp(total) if math.isfinite(total) else 0.0
            results.append((self._text(ids), confidence))
        return results

    def _candidates(
        self, prompts: Sequence[str], answers: Sequence[str]
    ) -> list[tuple[list[str], list[float]]]:
        """Beam search over ``CODE_TYPE: CODE`` answers, restarting after each reasoning block."""

        from thce.evaluation.constrained import split_generation

        results: list[tuple[list[str], list[float]]] = [([], []) for _ in prompts]
        jobs: list[tuple[int, str]] = []
        for i, (prompt, answer) in enumerate(zip(prompts, answers, strict=True)):
            if self.stage >= 2:
                close = answer.rfind(THINK_CLOSE)
                if close >= 0:
                    prompt = prompt + answer[: close + len(THINK_CLOSE)]
                elif split_generation(answer, self.stage).phase != "answer":
                    continue  # reasoning never closed: no answer to rank
            jobs.append((i, prompt))
        if not jobs:
            return results
        beams = self.top_k + 2  # spare beams: some end on a code another beam already found
        hypotheses = self._beam_search([p for _, p in jobs], beams, CANDIDATE_MAX_NEW_TOKENS)
        for (i, _), found in zip(jobs, hypotheses, strict=True):
            labels: list[str] = []
            values: list[float] = []
            for score, tokens in sorted(found, key=lambda h: -h[0]):
                parsed = parse_answer(self._text(tokens))
                label = make_label(parsed.code_type, parsed.code)
                if label and label not in labels and math.isfinite(score):
                    labels.append(label)
                    values.append(score)
            results[i] = (labels[: self.top_k], values[: self.top_k])
        return results

    def _beam_search(
        self, texts: Sequence[str], beams: int, max_steps: int
    ) -> list[list[tuple[float, list[int]]]]:
        """Beam search with one shared prefill per prompt; returns ``(log-prob, new tokens)``
        hypotheses per prompt.

        ``generate(num_beams=K)`` copies each prompt K times *before* the prefill, which makes
        the prefill (the dominant cost for short answers on a CPU) K times more expensive. Here
        the prompt is encoded once and its KV cache is repeated for the beams. Scores are summed
        log-probabilities (no length penalty) under the constraint processor, which ends each
        beam right after its code; the search stops when no live beam can beat the worst of
        ``beams`` finished ones.
        """
        import torch

        enc = self._encode(texts)
        ids, attention = enc["input_ids"], enc["attention_mask"]
        n_prompts, length = ids.shape
        processor = self._processor(length, answer_only=True, stop_after_code=True)
        eos = torch.tensor(self.table.eos_ids, device=ids.device)
        finished: list[list[tuple[float, list[int]]]] = [[] for _ in texts]
        with torch.inference_mode():
            positions = (attention.cumsum(-1) - 1).clamp(min=0)
            out = self.model(
                input_ids=ids,
                attention_mask=attention,
                position_ids=positions,
                use_cache=True,
                logits_to_keep=1,
            )
            cache = _cache_of(out)
            logprobs = processor(ids, torch.log_softmax(out.logits[:, -1, :].float(), dim=-1))
            scores, tokens = logprobs.topk(beams, dim=-1)  # [prompts, beams]
            cache.batch_repeat_interleave(beams)
            sequences = torch.cat([ids.repeat_interleave(beams, 0), tokens.reshape(-1, 1)], dim=1)
            attention = torch.cat(
                [attention.repeat_interleave(beams, 0), attention.new_ones(n_prompts * beams, 1)],
                dim=1,
            )
            next_position = positions[:, -1].repeat_interleave(beams) + 1
            beam_scores = scores.reshape(-1).clone()
            for step in range(max_steps):
                done = torch.isin(sequences[:, -1], eos) | ~torch.isfinite(beam_scores)
                for row in (
                    torch.nonzero(torch.isin(sequences[:, -1], eos) & torch.isfinite(beam_scores))
                    .flatten()
                    .tolist()
                ):
                    finished[row // beams].append(
                        (float(beam_scores[row]), sequences[row, length:].tolist())
                    )
                beam_scores = beam_scores.masked_fill(done, -float("inf"))
                best_alive = beam_scores.view(n_prompts, beams).max(dim=-1).values
                if (
                    all(
                        len(found) >= beams and best_alive[p] <= min(s for s, _ in found)
                        for p, found in enumerate(finished)
                    )
                    or not torch.isfinite(best_alive).any()
                    or step == max_steps - 1
                ):
                    break
                out = self.model(
                    input_ids=sequences[:, -1:],
                    attention_mask=attention,
                    position_ids=next_position[:, None],
                    use_cache=True,
                    **{self._cache_kwarg: cache},
                )
                cache = _cache_of(out)
                logprobs = processor(
                    sequences, torch.log_softmax(out.logits[:, -1, :].float(), dim=-1)
                )
                vocab = logprobs.shape[-1]
                total = (beam_scores[:, None] + logprobs).view(n_prompts, beams * vocab)
                scores, flat = total.topk(beams, dim=-1)
                source = (
                    flat // vocab + torch.arange(n_prompts, device=ids.device)[:, None] * beams
                ).reshape(-1)
                cache.reorder_cache(source)
                sequences = torch.cat([sequences[source], (flat % vocab).reshape(-1, 1)], dim=1)
                attention = torch.cat(
                    [attention[source], attention.new_ones(len(source), 1)], dim=1
                )
                next_position = next_position[source] + 1
                beam_scores = scores.reshape(-1).clone()
        for p, row_scores in enumerate(beam_scores.view(n_prompts, beams).tolist()):
            if not finished[p]:  # no beam ended within max_steps: keep the live ones
                finished[p] = [
                    (score, sequences[p * beams + b, length:].tolist())
                    for b, score in enumerate(row_scores)
                    if math.isfinite(score)
                ]
        return finished

    # ------------------------------------------------------------------ public

    def generate(
        self,
        narratives: Sequence[str],
        batch_size: int = 8,
        show_progress: bool = True,
        on_batch: Callable[[int], None] | None = None,
    ) -> list[GenerationResult]:
        """Answer every narrative; results come back in input order.

        Prompts are sorted by token length so each padded batch wastes little compute.
        """
        if batch_size < 1:
            raise EvaluationError(f"--batch-size must be at least 1, got {batch_size}")
        prompts = [render_prompt(self.tokenizer, n, self.stage) for n in narratives]
        lengths = [len(self.tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts]

        def answer(batch: list[int]) -> list[GenerationResult]:
            batch_prompts = [prompts[i] for i in batch]
            greedy = self._greedy(batch_prompts)
            if self.top_k > 1:
                cands = self._candidates(batch_prompts, [text for text, _ in greedy])
            else:
                cands = [([], []) for _ in batch]
            return [
                GenerationResult(text, confidence, labels, values)
                for (text, confidence), (labels, values) in zip(greedy, cands, strict=True)
            ]

        return run_in_length_order(
            lengths, batch_size, answer, "generated", show_progress, on_batch
        )


__all__ = [
    "DEFAULT_MAX_NEW_TOKENS",
    "GenerationResult",
    "HFEngine",
    "VLLMEngine",
    "answer_token_span",
    "check_vllm_available",
    "render_prompt",
]
