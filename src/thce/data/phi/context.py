"""Per-text context shared by recognizers: where the medical eponyms are.

An eponym is protected only *in context*: a capitalised word directly followed by a medical
head noun ("Wilson disease", "Baker's cyst", "Glasgow Coma Scale"), or one of a few fixed
multi-word medical names ("Rocky Mountain spotted fever"). The same surname elsewhere in the
note ("Mr. Wilson", "Wilson called") is not protected.
"""

from __future__ import annotations

import bisect
import re
from functools import cached_property

from thce.data.phi.lexicon import EPONYM_HEADS, PROTECTED_PHRASES, TITLES

_HEAD_RE = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, EPONYM_HEADS), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
# One capitalised word (hyphenated parts and a possessive allowed) right before position p.
_PREV_CAP_WORD_RE = re.compile(r"(?<![\w’'-])([A-Z][\w’'-]*?(?:['’]s?)?)\s+$")
_PHRASE_RE = re.compile("|".join(re.escape(p) for p in sorted(PROTECTED_PHRASES, key=len, reverse=True)))
_TITLE_SET = {t.lower() for t in TITLES}
_MAX_EPONYM_WORDS = 3
_LOOKBACK = 80


class TextContext:
    """A text plus lazily computed facts recognizers share (protected eponym ranges).

    >>> ctx = TextContext("Mr. Wilson has Wilson disease.")
    >>> ctx.is_protected(15, 21), ctx.is_protected(4, 10)
    (True, False)
    """

    __slots__ = ("__dict__", "text")

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def protected(self) -> list[tuple[int, int]]:
        """Sorted, non-overlapping ``(start, end)`` ranges of medical eponym phrases."""
        ranges = [(m.start(), m.end()) for m in _PHRASE_RE.finditer(self.text)]
        ranges.extend(self._eponyms_before_heads())
        return _merge_ranges(ranges)

    @cached_property
    def _starts(self) -> list[int]:
        return [start for start, _ in self.protected]

    def is_protected(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps a protected eponym range."""
        if not self.protected:
            return False
        i = bisect.bisect_right(self._starts, end - 1) - 1
        return i >= 0 and self.protected[i][1] > start

    def _eponyms_before_heads(self) -> list[tuple[int, int]]:
        text = self.text
        found: list[tuple[int, int]] = []
        for head in _HEAD_RE.finditer(text):
            pos = head.start()
            first = pos
            for _ in range(_MAX_EPONYM_WORDS):
                window_start = max(0, pos - _LOOKBACK)
                match = _PREV_CAP_WORD_RE.search(text, window_start, pos)
                if not match or match.group(1).rstrip(".").lower() in _TITLE_SET:
                    break
                first = pos = match.start(1)
            if first < head.start():
                found.append((first, head.end()))
        return found


def _merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
