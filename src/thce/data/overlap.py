"""Test/train leakage: narratives of one set that repeat, exactly or nearly, another set's.

A held-out narrative overlaps a reference narrative when

* the two are **identical**, case and runs of whitespace aside;
* their normalised edit similarity (``rapidfuzz.fuzz.ratio``, 0-100) reaches
  :data:`NEAR_DUPLICATE_RATIO` (a copy with small edits);
* or they **share a run** of :data:`SHINGLE_WORDS` consecutive words (a copied sentence).

Used by ``scripts/build_data_files.py`` (the shipped test set and the fixtures must not
repeat training narratives) and by ``thce data check FILE --against OTHER.jsonl``.

>>> train = ["58 yo man with type 2 diabetes on metformin, A1c 6.8%, no complications."]
>>> [o.why for o in find_overlaps(["58 yo man with type 2 diabetes on metformin, A1c 7.1%, "
...                                "no complications."], train)]
['similarity 97']
>>> find_overlaps(["Sore throat for four days, rapid strep negative."], train)
[]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from thce.data.formats import get_narrative
from thce.errors import DataError
from thce.io import iter_jsonl

# Measured on the shipped example tables: independently written narratives about the same
# code score at most ~65 with fuzz.ratio, while copies with small edits score 85+.
NEAR_DUPLICATE_RATIO = 70.0
# Eight words is long enough that two authors rarely write the same run by chance, and short
# enough to catch one copied clause inside an otherwise rewritten narrative.
SHINGLE_WORDS = 8

_WORD_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Overlap:
    """A held-out narrative (``index``) that repeats a reference one (``other_index``)."""

    index: int
    other_index: int
    text: str
    other_text: str
    why: str


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    """Every run of ``size`` consecutive lower-cased words of ``text``.

    >>> sorted(shingles("A b c", size=2))
    [('a', 'b'), ('b', 'c')]
    """
    words = _WORD_RE.findall(text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def _exact_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def find_overlaps(
    held_out: Sequence[str],
    reference: Sequence[str],
    *,
    ratio: float = NEAR_DUPLICATE_RATIO,
    shingle_words: int = SHINGLE_WORDS,
) -> list[Overlap]:
    """Held-out narratives that repeat a reference narrative, at most one finding each.

    Checks run cheapest first (an exact lookup, then the best fuzzy match, then shared word
    runs through an index), so a large reference set costs one pass per held-out text.
    """
    exact: dict[str, int] = {}
    runs: dict[tuple[str, ...], int] = {}
    for j, text in enumerate(reference):
        exact.setdefault(_exact_key(text), j)
        for run in shingles(text, shingle_words):
            runs.setdefault(run, j)
    overlaps = []
    for i, text in enumerate(held_out):
        j = exact.get(_exact_key(text))
        if j is not None:
            overlaps.append(Overlap(i, j, text, reference[j], "identical"))
            continue
        best = process.extractOne(text, reference, scorer=fuzz.ratio, score_cutoff=ratio)
        if best is not None:
            _, score, j = best
            overlaps.append(Overlap(i, j, text, reference[j], f"similarity {score:.0f}"))
            continue
        # Sorted so that the run reported (and the reference it points to) is deterministic.
        for run in sorted(shingles(text, shingle_words)):
            if run in runs:
                j = runs[run]
                overlaps.append(Overlap(i, j, text, reference[j], f"shares '{' '.join(run)}'"))
                break
    return overlaps


@dataclass(frozen=True)
class Leak:
    """A narrative of ``file`` (at ``line``) that also appears in ``other`` (at ``other_line``)."""

    file: str
    line: int
    other: str
    other_line: int
    why: str
    text: str

    def to_dict(self) -> dict[str, str | int]:
        """JSON-ready form (without the narrative text, which may be long)."""
        return {
            "line": self.line,
            "against": self.other,
            "against_line": self.other_line,
            "why": self.why,
        }


def read_narratives(path: str | Path) -> tuple[list[int], list[str]]:
    """Line numbers and narratives of a JSONL file of stage 1/2/3 examples.

    Lines that are not JSON objects or have no narrative are skipped: the quality checks
    report those; leakage is about the narratives that are there.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    lines, texts = [], []
    for number, record, _raw, error in iter_jsonl(path):
        if error is not None or not isinstance(record, dict):
            continue
        narrative = get_narrative(record)
        if narrative and narrative.strip():
            lines.append(number)
            texts.append(narrative)
    return lines, texts


def find_leaks(file: str | Path, against: Sequence[str | Path]) -> list[Leak]:
    """Narratives of ``file`` that appear, exactly or nearly, in any of the ``against`` files.

    A narrative leaking into several files is reported once per file.
    """
    lines, texts = read_narratives(file)
    leaks = []
    for other in against:
        other_lines, other_texts = read_narratives(other)
        for found in find_overlaps(texts, other_texts):
            leaks.append(
                Leak(
                    str(file),
                    lines[found.index],
                    str(other),
                    other_lines[found.other_index],
                    found.why,
                    found.text,
                )
            )
    return sorted(leaks, key=lambda leak: (leak.line, leak.other))


__all__ = [
    "NEAR_DUPLICATE_RATIO",
    "SHINGLE_WORDS",
    "Leak",
    "Overlap",
    "find_leaks",
    "find_overlaps",
    "read_narratives",
    "shingles",
]
