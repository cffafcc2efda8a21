"""Reasoning quality (stage 2+): is there reasoning, does it cite the narrative, does it agree
with the answer."""

from __future__ import annotations

import re
from collections.abc import Sequence

from thce.codes.formats import detect_clean
from thce.evaluation.metrics.common import mean
from thce.evaluation.records import Prediction

_WORD_RE = re.compile(r"[a-z0-9]+(?:[.'-][a-z0-9]+)*")
# Candidate code tokens: letters and digits with inner dots ("E11.65", not a full stop).
_TOKEN_RE = re.compile(r"[A-Z0-9]+(?:\.[A-Z0-9]+)*")
# Words that say nothing about the case: they never count as evidence.
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "without",
        "by",
        "at",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "his",
        "her",
        "their",
        "patient",
        "pt",
        "presents",
        "presented",
        "history",
        "year",
        "years",
        "old",
        "yo",
        "male",
        "female",
        "man",
        "woman",
        "who",
        "which",
        "not",
        "no",
        "due",
        "per",
        "code",
        "codes",
        "coding",
        "diagnosis",
        "most",
        "appropriate",
        "so",
        "therefore",
        "because",
        "than",
        "then",
        "there",
        "here",
        "into",
        "also",
        "other",
        "only",
        "over",
        "under",
        "after",
        "before",
        "during",
        "very",
        "more",
        "less",
        "any",
        "all",
    ]
)
EVIDENCE_WORDS_FOR_FULL_CREDIT = 3


def content_words(text: str | None) -> set[str]:
    """Lower-cased words of ``text`` minus stop words and words shorter than 3 characters."""
    if not text:
        return set()
    return {w for w in _WORD_RE.findall(text.lower()) if len(w) >= 3 and w not in _STOPWORDS}


def codes_mentioned(text: str | None) -> set[str]:
    """Code-shaped tokens in free text (``E11.9``, ``99213``, ``J1100``), upper-cased.

    A token counts when it has the format of a code system (:mod:`thce.codes.formats`);
    ICD-10-CM codes only with their dot, since a bare "B12" is usually vitamin B12. This finds
    codes *mentioned in reasoning*; answers are parsed by
    :func:`thce.data.formats.parse_answer` only.

    >>> sorted(codes_mentioned("Not E11.9 but E11.65; 99213-25 and J1100, vitamin B12."))
    ['99213', 'E11.65', 'E11.9', 'J1100']
    """
    if not text:
        return set()
    found = set()
    for token in _TOKEN_RE.findall(text.upper()):
        systems = detect_clean(token)
        if systems and (systems != ["ICD10"] or "." in token):
            found.add(token)
    return found


def reasoning_quality(
    reasoning: str | None,
    reasoning_well_formed: bool,
    narrative: str | None,
    pred_code: str | None,
) -> dict[str, float]:
    """Score one stage-2+ answer's reasoning on four parts, each in ``[0, 1]``:

    - ``present``: a non-empty ``<think>`` block;
    - ``well_formed``: exactly one closed ``<think>…</think>`` before the answer;
    - ``evidence``: ``min(1, |content(reasoning) ∩ content(narrative)| / 3)`` — the reasoning
      cites words of the narrative (token overlap, stop words removed);
    - ``consistent``: 1 unless the reasoning names codes and none of them is the final code
      (dots ignored); 0 when there is no final code.

    ``score`` is the mean of the four.
    """
    present = float(bool(reasoning and reasoning.strip()))
    well_formed = float(bool(reasoning_well_formed) and bool(present))
    overlap = len(content_words(reasoning) & content_words(narrative))
    evidence = min(1.0, overlap / EVIDENCE_WORDS_FOR_FULL_CREDIT) if present else 0.0
    if not pred_code or not present:
        consistent = 0.0
    else:
        mentioned = {c.replace(".", "") for c in codes_mentioned(reasoning)}
        consistent = float(not mentioned or pred_code.replace(".", "").upper() in mentioned)
    parts = {
        "present": present,
        "well_formed": well_formed,
        "evidence": evidence,
        "consistent": consistent,
    }
    return {**parts, "score": mean(list(parts.values()))}


def calculate_reasoning_quality(records: Sequence[Prediction]) -> dict[str, float]:
    """Mean of :func:`reasoning_quality` parts over ``records`` (all zeros for no records)."""
    scores = [
        reasoning_quality(r.reasoning, r.reasoning_well_formed, r.narrative, r.pred_code)
        for r in records
    ]
    keys = ("present", "well_formed", "evidence", "consistent", "score")
    return {k: mean([s[k] for s in scores]) for k in keys}
