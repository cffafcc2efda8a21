"""Per-text context shared by recognizers: where the medical eponyms are.

An eponym is protected only *in context*: a capitalised word directly followed by a medical
head noun ("Wilson disease", "Baker's cyst", "Glasgow Coma Scale"), or one of a few fixed
multi-word medical names ("Rocky Mountain spotted fever"). The same surname elsewhere in the
note ("Mr. Wilson", "Wilson called") is not protected.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from functools import cached_property

from thce.data.phi.lexicon import (
    DEVICE_HEADS,
    EPONYM_HEADS,
    FUNCTION_WORDS,
    KNOWN_EPONYMS,
    PROTECTED_PHRASES,
    RELATIONS,
    TITLES,
)
from thce.data.phi.vocabulary import is_medical_word
from thce.data.phi.words import has_name_cue

# Words are matched generically and looked up in sets: a 200-way regex alternation is slow.
_WORD_RE = re.compile(r"[A-Za-z]+")
_LETTER_RUN_RE = re.compile(r"(?<![A-Za-z])[A-Za-z]+")


def first_words(alternation: str) -> frozenset[str]:
    """Every lower-case word of a regex alternation of phrases: the words a cue can start with
    (a superset; function words, which start no cue, are left out)."""
    return frozenset(
        w for w in re.findall(r"[a-z]+", alternation.lower()) if w not in FUNCTION_WORDS
    )


# One capitalised word (hyphenated parts and a possessive allowed) right before position p.
_PREV_CAP_WORD_RE = re.compile(r"(?<![\w’'-])([A-Z][\w’'-]*?(?:['’]s?)?)\s+$")
# Two names joined by "and" or "&" before a head noun: "Hoehn and Yahr stage", "Brown & Sequard".
_PREV_JOINED_CAP_WORD_RE = re.compile(r"(?<![\w’'-])([A-Z][\w’'-]*?)\s+(?:and|&)\s+$")
_PHRASE_RE = re.compile(
    "|".join(re.escape(p) for p in sorted(PROTECTED_PHRASES, key=len, reverse=True))
)
_TITLE_SET = {t.lower() for t in TITLES}
# "Parkinson's", "Graves'": a known eponym in the possessive is the disease, unless a title
# precedes it or a person noun follows it ("Mr. Wilson's", "Wilson's daughter").
_POSSESSIVE_RE = re.compile(r"(?<![\w'’-])([A-Z][\w-]*?)(?:['’]s|(?<=s)['’])(?!\w)")
_PERSON_NOUNS = {r.lower() for r in RELATIONS} | set(
    [
        "family",
        "home",
        "house",
        "office",
        "room",
        "car",
        "name",
        "children",
        "kids",
        "husband",
        "wife",
        "phone",
        "number",
        "address",
        "apartment",
        "job",
        "work",
        "employer",
        "friend",
        "care",
    ]
)
_WORD_AFTER_RE = re.compile(r"[ \t]*([A-Za-z-]+)")
_TITLE_BEFORE_RE = re.compile(r"\b(?:" + "|".join(TITLES) + r")\.?[ \t]+$")
# A capitalised word followed by a dose is a drug ("Austedo 12 mg", "Norco 5/325").
_DRUG_DOSE_RE = re.compile(
    r"\b([A-Z][A-Za-z-]{2,})(?:[ \t]+(?:XR|ER|SR|XL|CR|DR|ODT|HCT|LA|CD))?[ \t]+"
    r"(?:\d+(?:\.\d+)?/\d{3}(?![/\d])|\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?[ \t]*(?:mg|mcg|µg|g|gm|units?|iu|IU|mL|ml|%|"
    r"mEq|mmol|tabs?|tablets?|caps?|capsules?|puffs?|sprays?|drops?)\b)"
)
# A capitalised word followed by a score out of its maximum is a scale ("Berg 41/56",
# "Tinetti 18/28"), unless a title or cue announces a person.
_SCORE_AFTER_RE = re.compile(r"\b([A-Z][a-z]{2,})[ \t]+(\d{1,3})/(\d{1,3})(?![/\d])")
_MAX_EPONYM_WORDS = 3
# The token right before a position, and model designations: digits, capitals ("CI632", "8",
# "HF", "DR-T", "MRI", "780G").
_PREV_TOKEN_RE = re.compile(r"(?<![\w’'-])([\w][\w’'/-]*)\s+$")
_MODEL_RE = re.compile(r"(?=.*[\dA-Z]{2}|.*\d)[A-Z0-9][A-Z0-9/-]*[A-Za-z0-9]?|\d+")
_LOOKBACK = 80
# Decision rules and grading systems named after a place or a person may have one or two
# medical words between the name and the head noun ("Ottawa ankle rules", "Canadian head CT
# rule"); the words in between must be medical vocabulary, not "in", "and" or a name.
_CLASSIFICATION_HEADS = frozenset(
    [
        "rule",
        "rules",
        "criteria",
        "criterion",
        "score",
        "scale",
        "classification",
        "grade",
        "grading",
        "stage",
        "class",
        "definition",
        "guidelines",
    ]
)
_GAP_WORD_RE = re.compile(r"(?<![\w’'-])([A-Za-z][\w-]*)[ \t]+$")
_MAX_GAP_WORDS = 2


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
        ranges.extend(self._possessive_eponyms())
        ranges.extend(m.span(1) for m in _DRUG_DOSE_RE.finditer(self.text))
        ranges.extend(
            m.span(1)
            for m in _SCORE_AFTER_RE.finditer(self.text)
            if int(m.group(2)) <= int(m.group(3)) and not self._announced(m.start(1))
        )
        ranges.extend(self._device_names())
        return _merge_ranges(ranges)

    @cached_property
    def _starts(self) -> list[int]:
        return [start for start, _ in self.protected]

    @cached_property
    def word_index(self) -> dict[str, list[int]]:
        """Start offsets of each lower-cased run of letters ("serial" -> [12, 80])."""
        index: dict[str, list[int]] = {}
        for m in _LETTER_RUN_RE.finditer(self.text):
            index.setdefault(m.group().lower(), []).append(m.start())
        return index

    def match_at_words(
        self, pattern: re.Pattern[str], keys: Iterable[str]
    ) -> Iterator[re.Match[str]]:
        """Non-overlapping matches of ``pattern`` that start at a word in ``keys``.

        Cue alternations of a hundred phrases are slow to try at every position; trying them
        only where one of their first words stands gives the same matches several times faster.
        """
        index = self.word_index
        starts = sorted(p for key in index.keys() & set(keys) for p in index[key])
        end = -1
        for pos in starts:
            if pos < end:
                continue
            m = pattern.match(self.text, pos)
            if m:
                end = m.end()
                yield m

    def is_protected(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps a protected eponym range."""
        if not self.protected:
            return False
        i = bisect.bisect_right(self._starts, end - 1) - 1
        return i >= 0 and self.protected[i][1] > start

    def _eponyms_before_heads(self) -> list[tuple[int, int]]:
        text = self.text
        found: list[tuple[int, int]] = []
        for head in _WORD_RE.finditer(text):
            if head.group().lower() not in EPONYM_HEADS:
                continue
            pos = gap = head.start()
            if head.group().lower() in _CLASSIFICATION_HEADS:
                pos = gap = self._skip_medical_gap(pos)
            first = pos
            for _ in range(_MAX_EPONYM_WORDS):
                window_start = max(0, pos - _LOOKBACK)
                match = _PREV_CAP_WORD_RE.search(text, window_start, pos)
                if not match and first < gap:
                    match = _PREV_JOINED_CAP_WORD_RE.search(text, window_start, pos)
                if not match or match.group(1).rstrip(".").lower() in _TITLE_SET:
                    break
                first = pos = match.start(1)
            if first >= gap or (gap != head.start() and self._announced(first)):
                continue
            # A capitalised head inside a proper name ("Puget Sound", "Mercy Heart Center")
            # is no eponym unless a known eponym or a possessive comes first ("Crohn's Disease").
            word = head.group()
            if (
                word.istitle()
                and word.lower() not in _CLASSIFICATION_HEADS
                and not self._eponym_word(text, first, gap)
            ):
                continue
            found.append((first, head.end()))
        return found

    @staticmethod
    def _eponym_word(text: str, start: int, end: int) -> bool:
        words = _WORD_RE.findall(text, start, end)
        return bool(words) and (
            words[0] in KNOWN_EPONYMS or bool(re.search(r"['’]s?\s*$", text[start:end]))
        )

    def _device_names(self) -> list[tuple[int, int]]:
        """Brand and model before a device noun: "Nucleus 8 sound processor"."""
        text = self.text
        found: list[tuple[int, int]] = []
        for head in _WORD_RE.finditer(text):
            if head.group().lower() not in DEVICE_HEADS:
                continue
            pos, models, modifiers = head.start(), 0, 0
            while True:  # model tokens ("CI632", "8", "HF", "MRI") and medical words ("sound")
                m = _PREV_TOKEN_RE.search(text, max(0, pos - _LOOKBACK), pos)
                if not m:
                    break
                token = m.group(1)
                if _MODEL_RE.fullmatch(token) and models < 3:
                    models += 1
                elif token[:1].islower() and modifiers < 2 and is_medical_word(token):
                    modifiers += 1
                else:
                    break
                pos = m.start(1)
            first = pos
            for _ in range(_MAX_EPONYM_WORDS):
                m = _PREV_CAP_WORD_RE.search(text, max(0, first - _LOOKBACK), first)
                if not m or m.group(1).rstrip(".").lower() in _TITLE_SET:
                    break
                first = m.start(1)
            # A model number or a medical word must sit in between: "John Smith pacemaker
            # check" is a person.
            if first < pos and models + modifiers and not self._announced(first):
                found.append((first, head.end()))
        return found

    def _skip_medical_gap(self, pos: int) -> int:
        """Start of one or two lower-case medical words before ``pos`` ("Ottawa ankle rules").

        Returns ``pos`` itself unless a capitalised word precedes the gap.
        """
        text = self.text
        candidate = pos
        for _ in range(_MAX_GAP_WORDS):
            match = _GAP_WORD_RE.search(text, max(0, candidate - _LOOKBACK), candidate)
            word = match.group(1) if match else ""
            if not word[:1].islower() or word in FUNCTION_WORDS or not is_medical_word(word):
                return pos
            candidate = match.start(1)  # type: ignore[union-attr]
            if _PREV_CAP_WORD_RE.search(text, max(0, candidate - _LOOKBACK), candidate):
                return candidate
        return pos

    def _announced(self, start: int) -> bool:
        """A title or name cue before a capitalised word: "Mrs. Jones pain score" is a person."""
        return has_name_cue(self.text, start, start)

    def _possessive_eponyms(self) -> list[tuple[int, int]]:
        text = self.text
        found: list[tuple[int, int]] = []
        for m in _POSSESSIVE_RE.finditer(text):
            if m.group(1) not in KNOWN_EPONYMS:
                continue
            after = _WORD_AFTER_RE.match(text, m.end())
            if after and after.group(1).lower() in _PERSON_NOUNS:
                continue
            if _TITLE_BEFORE_RE.search(text, max(0, m.start() - 12), m.start()):
                continue
            found.append(m.span())
        return found


def _merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
