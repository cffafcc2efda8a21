"""The model chooses among retrieved candidates: batched, constrained to the candidate list.

    >>> engine = ChoiceEngine(model, tokenizer, stage=1, fusion_weight=0.5)      # doctest: +SKIP
    >>> engine.choose(["58 yo, T2DM, no complications."], [candidates])[0].text  # doctest: +SKIP
    'ICD10: E11.9 (Type 2 diabetes mellitus without complications)'

How an answer is produced (docs/EVALUATION.md):

1. The prompt is the narrative with its K candidates (:func:`thce.data.formats.prompt_messages`,
   retrieval order; evaluation never inserts the gold), rendered by the chat template.
2. Each candidate gets up to two scores from the model, each switched on by its weight:

   * the **narrative likelihood** (``narrative_weight``): the mean log-probability of the
     note's tokens after the candidate's description
     (:func:`thce.data.formats.narrative_prefix`) — how well the candidate explains the note,
     the "noisy channel" direction (as in UPR, Sachan et al. 2022, arXiv 2204.07496). It
     reads every candidate on its own, so the list's order cannot sway it;
   * the **answer likelihood** (``answer_weight``): each candidate's answer scored as a
     continuation of the prompt, all of an example's candidates in one batched forward pass
     over a shared KV cache: stage 1 scores ``CODE_TYPE: CODE``; stages 2-3 the whole
     reasoned answer ``<think>\nreasoning\n</think>\nCODE_TYPE: CODE``, with the reasoning
     THCE writes for that candidate (:func:`thce.data.candidates.explain_choice`), as
     trained; mean log-probability per token.

   Only candidates can win: an invalid code is impossible by construction, and no
   free-running generation is needed.
3. The scores are fused with the retriever's rank,
   ``narrative_weight * narrative + answer_weight * answer + fusion_weight * log(1 / rank)``,
   with the weights saved with the model (tuned on a development set).
4. The answer is the winner's (reasoned) answer with its database description; all
   candidates come back ranked, for top-k metrics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from thce.data.formats import (
    CANDIDATE_SYSTEM_PROMPTS,
    THINK_CLOSE,
    THINK_OPEN,
    CandidateLine,
    format_answer,
    narrative_prefix,
    prompt_messages,
)
from thce.errors import EvaluationError
from thce.evaluation.inference import GenerationResult, run_in_length_order


def render_choice_prompt(
    tokenizer: Any, narrative: str, candidates: Sequence[CandidateLine], stage: int
) -> str:
    """The generation prompt for a narrative and its candidates (the chat template's, else ours)."""
    from thce.data.chat_templates import format_conversation

    messages = prompt_messages(narrative, stage, CANDIDATE_SYSTEM_PROMPTS[stage], list(candidates))
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return format_conversation(messages, stage, add_generation_prompt=True)


def inference_dtype(model: Any) -> Any:
    """bfloat16 on a CPU with native bf16 matrix units (AVX512-BF16/AMX): ~2x faster scoring
    than float32 with the same choices in our measurement; float32 elsewhere; GPUs keep theirs."""
    import torch

    if next(model.parameters()).device.type != "cpu":
        return model
    flags = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            flags = handle.read()
    except OSError:
        return model
    if "avx512_bf16" in flags or "amx_bf16" in flags:
        return model.to(torch.bfloat16)
    return model


def rank_prior(rank: int) -> float:
    """The retriever's vote for its ``rank``-th candidate (1-based): ``log(1 / rank)``."""
    return -math.log(rank)


def fuse_scores(
    answer: Sequence[float],
    narrative: Sequence[float],
    answer_weight: float,
    narrative_weight: float,
    fusion_weight: float,
) -> list[float]:
    """The choice's score of each candidate (retrieval order): the weighted sum of its answer
    likelihood, its narrative likelihood and the retriever's vote for its rank.

    >>> fuse_scores([-1.0, -2.0], [-3.0, -1.0], 0.0, 1.0, 1.0)
    [-3.0, -1.6931471805599454]
    """
    return [
        answer_weight * a + narrative_weight * n + fusion_weight * rank_prior(rank)
        for rank, (a, n) in enumerate(zip(answer, narrative, strict=True), start=1)
    ]


class ChoiceEngine:
    """Score each candidate with a causal LM; fuse with the retrieval rank; pick the best.

    The default weights are the answer likelihood alone (the model's own choice);
    evaluation passes the weights saved with the model (``RetrievalConfig``).
    """

    # Notes longer than this are scored on their first tokens: the start of a note carries
    # the complaint and the findings, and each token costs K forward positions.
    max_narrative_tokens = 160
    # Sequences per forward pass of the narrative scoring (the logits of a pass are
    # sequences x length x 49k floats); 5, one example at K = 5, was the fastest of 5/10/20.
    sequences_per_pass = 5

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        stage: int = 1,
        fusion_weight: float = 0.0,
        answer_weight: float = 1.0,
        narrative_weight: float = 0.0,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.stage = stage
        self.fusion_weight = fusion_weight
        self.answer_weight = answer_weight
        self.narrative_weight = narrative_weight
        tokenizer.padding_side = "left"
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        self.device = next(model.parameters()).device
        import inspect

        # transformers renamed ``past_key_values`` to ``cache`` (5.x); support both.
        self._cache_kwarg = (
            "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
        )
        self.end_ids = [
            i
            for i in {tokenizer.convert_tokens_to_ids("<|im_end|>"), tokenizer.eos_token_id}
            if isinstance(i, int) and i >= 0
        ]

    # ------------------------------------------------------------------ steps
    def _encode(self, texts: Sequence[str]) -> dict[str, Any]:
        enc = self.tokenizer(
            list(texts), return_tensors="pt", padding=True, add_special_tokens=False
        )
        return {k: v.to(self.device) for k, v in enc.items()}

    def _score(self, prefixes: list[str], continuations: list[list[str]]) -> list[list[float]]:
        """Summed log-probability of each continuation after its prefix.

        One prefill per prefix, then every continuation of an example in one extra pass over
        the same cache with a tree-shaped attention mask (each continuation sees the prefix
        and itself, not its siblings): no copy of the cache per candidate, which on a CPU
        costs more than the scoring itself.
        """
        import torch

        enc = self._encode(prefixes)
        ids, attention = enc["input_ids"], enc["attention_mask"]
        batch, length = ids.shape
        tokenized = [
            [self.tokenizer(c, add_special_tokens=False)["input_ids"] for c in conts]
            for conts in continuations
        ]
        # Every continuation's tokens but the last are fed; the last is only predicted.
        fed = [sum(max(len(t) - 1, 0) for t in conts) for conts in tokenized]
        width = max(fed, default=0)
        with torch.inference_mode():
            positions = (attention.cumsum(-1) - 1).clamp(min=0)
            out = self.model(
                input_ids=ids,
                attention_mask=attention,
                position_ids=positions,
                use_cache=True,
                logits_to_keep=1,
            )
            first = torch.log_softmax(out.logits[:, -1, :].float(), dim=-1)
            scores = [
                [float(first[b, t[0]]) if t else 0.0 for t in conts]
                for b, conts in enumerate(tokenized)
            ]
            if width == 0:
                return scores
            cache = out.past_key_values if getattr(out, "cache", None) is None else out.cache
            pad = self.tokenizer.pad_token_id
            dtype = next(self.model.parameters()).dtype
            blocked = torch.finfo(dtype).min
            cont_ids = torch.full((batch, width), pad, dtype=torch.long, device=ids.device)
            cont_pos = torch.zeros((batch, width), dtype=torch.long, device=ids.device)
            mask = torch.full(
                (batch, 1, width, length + width), blocked, dtype=dtype, device=ids.device
            )
            mask[:, 0, :, :length] = torch.where(attention[:, None, :] > 0, 0.0, blocked).to(dtype)
            where: list[list[tuple[int, int]]] = []  # per candidate: (start column, length fed)
            for b, conts in enumerate(tokenized):
                start_pos = int(positions[b, -1]) + 1
                column, spans = 0, []
                for t in conts:
                    n = max(len(t) - 1, 0)
                    for k in range(n):
                        cont_ids[b, column + k] = t[k]
                        cont_pos[b, column + k] = start_pos + k
                        mask[b, 0, column + k, length + column : length + column + k + 1] = 0.0
                    spans.append((column, n))
                    column += n
                for k in range(column, width):  # padding rows see themselves (no empty row)
                    mask[b, 0, k, length + k] = 0.0
                where.append(spans)
            out2 = self.model(
                input_ids=cont_ids,
                attention_mask=mask,
                position_ids=cont_pos,
                use_cache=True,
                **{self._cache_kwarg: cache},
            )
            logprobs = torch.log_softmax(out2.logits.float(), dim=-1)
            for b, conts in enumerate(tokenized):
                for j, (t, (column, n)) in enumerate(zip(conts, where[b], strict=True)):
                    for k in range(1, n + 1):
                        scores[b][j] += float(logprobs[b, column + k - 1, t[k]])
        return scores

    # ------------------------------------------------------------------ public
    def continuations(
        self, narrative: str, candidates: Sequence[CandidateLine]
    ) -> tuple[list[str], list[str | None]]:
        """What is scored for each candidate, and the reasoning it carries (stages 2-3)."""
        if self.stage < 2:
            return [f"{c.code_type}: {c.code}" for c in candidates], [None] * len(candidates)
        from thce.data.candidates import explain_choice

        reasons = [explain_choice(narrative, c, candidates) for c in candidates]
        texts = [
            f"{THINK_OPEN}\n{r}\n{THINK_CLOSE}\n{c.code_type}: {c.code}"
            for c, r in zip(candidates, reasons, strict=True)
        ]
        return texts, list(reasons)

    def score_batch(
        self, narratives: Sequence[str], candidates: Sequence[Sequence[CandidateLine]]
    ) -> list[tuple[list[str | None], list[float]]]:
        """``(reasoning per candidate, mean log-prob per token per candidate)`` for a batch."""
        prompts = [
            render_choice_prompt(self.tokenizer, n, c, self.stage)
            for n, c in zip(narratives, candidates, strict=True)
        ]
        out: list[tuple[list[str | None], list[float]]] = [([], []) for _ in prompts]
        todo = [i for i, c in enumerate(candidates) if c]
        if not todo:
            return out
        built = [self.continuations(narratives[i], candidates[i]) for i in todo]
        scored = self._score([prompts[i] for i in todo], [texts for texts, _ in built])
        for i, (texts, reasons), sums in zip(todo, built, scored, strict=True):
            lengths = [
                max(len(self.tokenizer(t, add_special_tokens=False)["input_ids"]), 1) for t in texts
            ]
            out[i] = (reasons, [s / n for s, n in zip(sums, lengths, strict=True)])
        return out

    def narrative_scores(
        self, narratives: Sequence[str], candidates: Sequence[Sequence[CandidateLine]]
    ) -> list[list[float]]:
        """Mean log-probability per token of each narrative after each of its candidates.

        Every (narrative, candidate) pair is one sequence ``narrative_prefix(candidate) +
        narrative`` (the narrative cut to ``max_narrative_tokens``), right-padded, scored in
        passes of ``sequences_per_pass``; only the narrative's tokens count.
        """
        import torch

        pairs: list[tuple[int, list[int], list[int]]] = []
        for i, (narrative, cands) in enumerate(zip(narratives, candidates, strict=True)):
            note = self.tokenizer(narrative, add_special_tokens=False)["input_ids"]
            note = note[: self.max_narrative_tokens]
            for cand in cands:
                head = self.tokenizer(narrative_prefix(cand), add_special_tokens=False)
                pairs.append((i, head["input_ids"], note))
        scores: list[list[float]] = [[] for _ in narratives]
        pad = self.tokenizer.pad_token_id or 0
        for start in range(0, len(pairs), self.sequences_per_pass):
            chunk = pairs[start : start + self.sequences_per_pass]
            width = max(len(head) + len(note) for _, head, note in chunk)
            ids = torch.full((len(chunk), width), pad, dtype=torch.long)
            attention = torch.zeros((len(chunk), width), dtype=torch.long)
            targets = torch.full((len(chunk), width), -100, dtype=torch.long)
            for row, (_, head, note) in enumerate(chunk):
                sequence = head + note
                ids[row, : len(sequence)] = torch.tensor(sequence)
                attention[row, : len(sequence)] = 1
                targets[row, len(head) : len(sequence)] = torch.tensor(note, dtype=torch.long)
            # Logits only from the first predicted note token on, and the loss only on the
            # note's tokens: the vocabulary projection and softmax are a fifth of the cost.
            first = min(len(head) for _, head, _ in chunk) - 1
            kept = targets[:, first + 1 :]
            real = kept != -100
            with torch.inference_mode():
                logits = self.model(
                    input_ids=ids.to(self.device),
                    attention_mask=attention.to(self.device),
                    logits_to_keep=width - first,
                ).logits[:, :-1]
                nll = torch.nn.functional.cross_entropy(
                    logits[real.to(self.device)].float(),
                    kept[real].to(self.device),
                    reduction="none",
                ).cpu()
            sums = torch.zeros(len(chunk)).index_add_(0, real.nonzero()[:, 0], nll)
            means = (-sums / real.sum(-1).clamp(min=1)).tolist()
            for (i, _, _), mean in zip(chunk, means, strict=True):
                scores[i].append(float(mean))
        return scores

    def choose_batch(
        self, narratives: Sequence[str], candidates: Sequence[Sequence[CandidateLine]]
    ) -> list[GenerationResult]:
        """Answer one batch of narratives, each with its own candidate list (retrieval order)."""
        if self.answer_weight > 0:
            answered = self.score_batch(narratives, candidates)
        else:  # the answer pass is skipped; the reasoning is still written for the winner
            answered = [
                (self.continuations(n, c)[1] if c else [], [0.0] * len(c))
                for n, c in zip(narratives, candidates, strict=True)
            ]
        if self.narrative_weight > 0:
            told = self.narrative_scores(narratives, candidates)
        else:
            told = [[0.0] * len(c) for c in candidates]
        results = []
        for cands, (reasons, answer), narrative in zip(candidates, answered, told, strict=True):
            if not cands:
                results.append(GenerationResult("", None))
                continue
            fused = fuse_scores(
                answer, narrative, self.answer_weight, self.narrative_weight, self.fusion_weight
            )
            results.append(self._decide(cands, fused, reasons))
        return results

    def _decide(
        self,
        candidates: Sequence[CandidateLine],
        fused: list[float],
        reasons: Sequence[str | None],
    ) -> GenerationResult:
        order = sorted(range(len(candidates)), key=lambda i: -fused[i])
        best = candidates[order[0]]
        answer = format_answer(best.code_type, best.code, best.description)
        reasoning = reasons[order[0]]
        if reasoning is not None:
            answer = f"{THINK_OPEN}\n{reasoning}\n{THINK_CLOSE}\n{answer}"
        top = max(fused)
        total = sum(math.exp(f - top) for f in fused)
        return GenerationResult(
            text=answer,
            confidence=1.0 / total,
            candidates=[candidates[i].label for i in order],
            candidate_scores=[round(fused[i], 4) for i in order],
        )

    def choose(
        self,
        narratives: Sequence[str],
        candidates: Sequence[Sequence[CandidateLine]],
        batch_size: int = 8,
        show_progress: bool = False,
        on_batch: Callable[[int], None] | None = None,
    ) -> list[GenerationResult]:
        """Answer every narrative (sorted by prompt length into batches; input order back)."""
        if batch_size < 1:
            raise EvaluationError(f"--batch-size must be at least 1, got {batch_size}")
        lengths = [
            len(n) + sum(len(c.description) + 12 for c in cs)
            for n, cs in zip(narratives, candidates, strict=True)
        ]
        return run_in_length_order(
            lengths,
            batch_size,
            lambda batch: self.choose_batch(
                [narratives[i] for i in batch], [candidates[i] for i in batch]
            ),
            "chose among candidates for",
            show_progress,
            on_batch,
        )


__all__ = [
    "ChoiceEngine",
    "fuse_scores",
    "inference_dtype",
    "rank_prior",
    "render_choice_prompt",
]
