"""Constrained decoding: the model may only write real codes.

After the answer starts (from the first token in stage 1; after ``</think>`` in stage 2+),
the text must follow ``CODE_TYPE: CODE`` where ``CODE_TYPE`` is ``ICD10``, ``CPT`` or
``HCPCS`` and ``CODE`` continues a real code of that system at every step; a token that ends
the code (a space, ``(``, a newline, end of turn) is allowed only once the code is complete.
The reasoning inside ``<think>…</think>`` and the description after the code stay free.

Tokens may span several characters (``" E"``, ``"CS"``), so the check works on text: for each
candidate token the decoded string is appended to the answer so far and the result must still
be a prefix of ``HEADER + code`` for some code in a sorted code list (a prefix query is a binary
search, so the ~98k ICD-10-CM codes cost no extra memory). Allowed-token sets are cached per
answer prefix.

    >>> index = CodeIndex(["E11.9", "E11.65", "I10"])
    >>> index.has_prefix("E11.6"), index.is_code("E11.6")
    (True, False)
    >>> answer_phase("ICD10: E11.9 (", {"ICD10": index})
    'done'
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from transformers import LogitsProcessor

from thce.data.formats import THINK_CLOSE, THINK_OPEN

HEADERS: dict[str, str] = {"ICD10": "ICD10: ", "CPT": "CPT: ", "HCPCS": "HCPCS: "}
CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.")
# Characters the constrained answer header + code may contain.
GRAMMAR_CHARS = CODE_CHARS | frozenset(": ")
# A code is finished by whitespace or punctuation that cannot belong to a code.
TERMINATOR_CHARS = frozenset(" \t\n(),;")
# Leading whitespace allowed before the answer line (e.g. the newline after </think>).
MAX_LEADING_WHITESPACE = 2
_LOOSE_CODE_CHARS = CODE_CHARS | frozenset("abcdefghijklmnopqrstuvwxyz")


class CodeIndex:
    """A sorted list of one system's codes answering prefix queries by binary search."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.codes: list[str] = sorted({c.strip().upper() for c in codes if c and c.strip()})
        self._set = frozenset(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def has_prefix(self, prefix: str) -> bool:
        """True when some code starts with ``prefix`` (the empty prefix: any code at all)."""
        i = bisect.bisect_left(self.codes, prefix)
        return i < len(self.codes) and self.codes[i].startswith(prefix)

    def is_code(self, text: str) -> bool:
        """True when ``text`` is a complete code."""
        return text in self._set


def code_indexes(code_types: Sequence[str] = ("ICD10", "CPT", "HCPCS")) -> dict[str, CodeIndex]:
    """Build a :class:`CodeIndex` per system from the code databases (``thce.codes``).

    For CPT and HCPCS these are the codes of the loaded tables (the shipped common codes, or
    a user's licensed/CMS file where loaded), so a constrained model can only answer those.
    """
    from thce.codes import get_database

    return {code_type: CodeIndex(get_database(code_type).codes()) for code_type in code_types}


def _split_code(rest: str) -> tuple[str, int | None]:
    for j, char in enumerate(rest):
        if char not in CODE_CHARS:
            return rest[:j], j
    return rest, None


def answer_phase(answer: str, indexes: Mapping[str, CodeIndex]) -> str:
    """Where a constrained answer stands: ``header``, ``code``, ``complete``, ``done`` or ``invalid``.

    - ``header``: the text so far is leading whitespace and/or a prefix of a ``CODE_TYPE: ``;
    - ``code``: a header followed by a strict prefix of a real code;
    - ``complete``: a header followed by a full code that could still be extended or ended;
    - ``done``: the code is complete and a terminator followed — the rest is free text;
    - ``invalid``: none of these (never reached under the constraint).
    """
    text = answer.lstrip()
    if len(answer) - len(text) > MAX_LEADING_WHITESPACE:
        return "invalid"
    for code_type, header in HEADERS.items():
        index = indexes.get(code_type)
        if index is None:
            continue
        if header.startswith(text):
            return "header"
        if not text.startswith(header):
            continue
        code, stop = _split_code(text[len(header) :])
        if stop is not None:
            rest = text[len(header) :]
            return "done" if index.is_code(code) and rest[stop] in TERMINATOR_CHARS else "invalid"
        if index.is_code(code):
            return "complete"
        return "code" if index.has_prefix(code) else "invalid"
    return "invalid"


def loose_answer_done(answer: str) -> bool:
    """Unconstrained counterpart of ``answer_phase(...) == "done"``: after the first ``:`` a run of
    code characters (any case) has been ended by another character, or the first answer line
    ended without any ``:``. Used to stop candidate beams right after the code."""
    text = answer.lstrip()
    colon = text.find(":")
    if colon < 0:
        return "\n" in text
    rest = text[colon + 1 :].lstrip(" \t")
    run = 0
    while run < len(rest) and rest[run] in _LOOSE_CODE_CHARS:
        run += 1
    return 0 < run < len(rest) or (run == 0 and rest[:1] not in ("", "\n"))


@dataclass
class ReasoningSplit:
    """Where a stage-2+ generation stands: ``opening`` (``<think>`` not yet written),
    ``reasoning`` (inside the think block) or ``answer`` (with the answer text so far)."""

    phase: str
    answer: str = ""


def split_generation(text: str, stage: int, answer_only: bool = False) -> ReasoningSplit:
    """Classify generated ``text``: is the model still reasoning, or writing its answer?

    Stage 1 (or ``answer_only``) is all answer. In stage 2+ the answer is what follows the last
    ``</think>``; before that the model is ``reasoning`` once its output opened with
    ``<think>``. An output that starts with anything else skipped the reasoning and is treated
    as the answer (so it is constrained too).
    """
    if stage < 2 or answer_only:
        return ReasoningSplit("answer", text)
    close = text.rfind(THINK_CLOSE)
    if close >= 0:
        return ReasoningSplit("answer", text[close + len(THINK_CLOSE) :])
    stripped = text.lstrip()
    if stripped.startswith(THINK_OPEN):
        return ReasoningSplit("reasoning")
    if THINK_OPEN.startswith(stripped):
        return ReasoningSplit("opening", text)
    return ReasoningSplit("answer", text)


class TokenTable:
    """Decoded strings of a tokenizer's vocabulary, grouped for the constraint (built once)."""

    def __init__(self, tokenizer: Any) -> None:
        size = len(tokenizer)
        self.strings: list[str] = tokenizer.batch_decode([[i] for i in range(size)])
        self.size = size
        special = set(getattr(tokenizer, "all_special_ids", []) or [])
        eos = {tokenizer.convert_tokens_to_ids("<|im_end|>"), tokenizer.eos_token_id}
        self.eos_ids: list[int] = sorted(i for i in eos if isinstance(i, int) and 0 <= i < size)
        self.grammar_ids: list[int] = []
        self.whitespace_ids: list[int] = []
        self.terminator_ids: list[int] = []
        self.tag_ids: list[int] = []  # tokens that can help spell <think> / </think>
        for i, s in enumerate(self.strings):
            if i in special or not s:
                continue
            if s.isspace():
                self.whitespace_ids.append(i)
            if all(c in GRAMMAR_CHARS for c in s):
                self.grammar_ids.append(i)
            if s[0] in TERMINATOR_CHARS:
                self.terminator_ids.append(i)
            if ">" in s or "<" in s or "think" in s:
                self.tag_ids.append(i)


class CodeConstraintProcessor(LogitsProcessor):
    """A ``LogitsProcessor`` that keeps answers to real codes (see the module docstring).

    Args:
        table: the tokenizer's :class:`TokenTable`.
        tokenizer: used to decode each row's generated tokens.
        indexes: one :class:`CodeIndex` per allowed system; ``None`` disables the code
            constraint (only ``stop_after_code`` then applies).
        stage: 1 answers at once; 2+ reasons freely inside ``<think>…</think>`` first.
        prompt_length: length of the (left-padded) prompt; tokens after it are generated.
        answer_only: the prompt already holds the reasoning; generation starts at the answer.
        stop_after_code: force the end of the sequence as soon as the code is finished (used
            for the top-k beam search, whose beams are scored on ``CODE_TYPE: CODE`` only).
    """

    def __init__(
        self,
        table: TokenTable,
        tokenizer: Any,
        indexes: Mapping[str, CodeIndex] | None,
        stage: int,
        prompt_length: int,
        answer_only: bool = False,
        stop_after_code: bool = False,
        cache: OrderedDict[tuple[str, str], torch.Tensor] | None = None,
        cache_size: int = 4096,
    ) -> None:
        self.table = table
        self.tokenizer = tokenizer
        self.indexes = dict(indexes) if indexes is not None else None
        self.stage = stage
        self.prompt_length = prompt_length
        self.answer_only = answer_only
        self.stop_after_code = stop_after_code
        self._eos = set(table.eos_ids)
        # Allowed sets depend only on the token table and the code indexes, so an engine shares
        # one cache across batches (pass ``cache``).
        self._cache: OrderedDict[tuple[str, str], torch.Tensor] = (
            cache if cache is not None else OrderedDict()
        )
        self._cache_size = cache_size

    # ---------------------------------------------------------------- allowed sets

    def _cached(self, key: tuple[str, str], build: Any) -> torch.Tensor:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        value = build()
        self._cache[key] = value
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return value

    def _answer_ids(self, answer: str) -> list[int]:
        """Token ids that keep ``answer`` a valid constrained answer."""
        assert self.indexes is not None
        phase = answer_phase(answer, self.indexes)
        allowed: list[int] = []
        if phase == "complete":
            allowed += self.table.terminator_ids + self.table.eos_ids
        strings = self.table.strings
        candidates = self.table.grammar_ids
        if not answer.strip():
            candidates = sorted(set(candidates) | set(self.table.whitespace_ids))
        for i in candidates:
            if answer_phase(answer + strings[i], self.indexes) in ("header", "code", "complete"):
                allowed.append(i)
        return sorted(set(allowed))

    def _opening_ids(self, text: str) -> list[int]:
        """Stage 2+ before anything but whitespace: open ``<think>`` or start the answer."""
        allowed = set(self._answer_ids(text))
        for i, s in enumerate(self.table.strings):
            stripped = (text + s).lstrip()
            if stripped and (THINK_OPEN.startswith(stripped) or stripped.startswith(THINK_OPEN)):
                allowed.add(i)
        if not text.strip() and len(text) < MAX_LEADING_WHITESPACE:
            allowed.update(self.table.whitespace_ids)
        return sorted(allowed)

    def _tail_banned(self, tail: str) -> list[int]:
        """In the free text after the code, tokens that would spell a new think tag (which would
        move the answer after it and so bypass the constraint)."""

        def tags(text: str) -> int:
            return text.count(THINK_OPEN) + text.count(THINK_CLOSE)

        base = tags(tail)
        return [i for i in self.table.tag_ids if tags(tail + self.table.strings[i]) > base]

    # ---------------------------------------------------------------- per row

    def _row_rule(self, generated: Sequence[int]) -> tuple[str, torch.Tensor | None]:
        """``("allow", ids)``, ``("ban", ids)``, ``("eos", None)`` or ``("free", None)``."""
        text = self.tokenizer.decode(list(generated), skip_special_tokens=False)
        split = split_generation(text, self.stage, self.answer_only)
        if split.phase == "reasoning":
            return "free", None
        if split.phase == "opening":
            if self.indexes is None:
                return "free", None
            return "allow", self._cached(("open", text), lambda: _ids(self._opening_ids(text)))
        answer = split.answer
        if self.indexes is None:
            return (
                ("eos", None)
                if self.stop_after_code and loose_answer_done(answer)
                else ("free", None)
            )
        phase = answer_phase(answer, self.indexes)
        if phase in ("done", "invalid"):
            # "invalid" only arises when the first token was not ours to choose; nothing to save.
            if self.stop_after_code:
                return "eos", None
            tail = answer[-len(THINK_CLOSE) :]
            return "ban", self._cached(("tail", tail), lambda: _ids(self._tail_banned(tail)))
        return "allow", self._cached(("answer", answer), lambda: _ids(self._answer_ids(answer)))

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        """Mask ``scores`` row by row (``-inf`` for forbidden tokens), renormalised per row."""
        masked = torch.full_like(scores, -float("inf"))
        constrained_rows: list[int] = []
        eos = self.table.eos_ids[0]
        for row in range(input_ids.shape[0]):
            generated = input_ids[row, self.prompt_length :].tolist()
            rule, ids = ("free", None)
            if not any(t in self._eos for t in generated):  # finished rows only get padding
                rule, ids = self._row_rule(generated)
            if rule == "free" or (rule == "ban" and ids is not None and ids.numel() == 0):
                masked[row] = scores[row]
            elif rule == "eos" or ids is None or (rule == "allow" and ids.numel() == 0):
                # Forced end (or, impossibly, no valid continuation): probability 1 for EOS.
                masked[row, eos] = 0.0
            elif rule == "ban":
                masked[row] = scores[row]
                masked[row, ids] = -float("inf")
                constrained_rows.append(row)
            else:
                masked[row, ids] = scores[row, ids]
                constrained_rows.append(row)
        if constrained_rows:
            # Renormalise over the allowed tokens: beam scores and confidences are then
            # probabilities under the constrained decoder (the argmax is unchanged).
            index = torch.tensor(constrained_rows, device=scores.device)
            masked[index] = torch.log_softmax(masked[index], dim=-1)
        return masked


def _ids(values: list[int]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.long)


__all__ = [
    "CODE_CHARS",
    "HEADERS",
    "CodeConstraintProcessor",
    "CodeIndex",
    "ReasoningSplit",
    "TokenTable",
    "answer_phase",
    "code_indexes",
    "loose_answer_done",
    "split_generation",
]
