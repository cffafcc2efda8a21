"""Measure a PHI scrubber on an annotated set: token recall/precision and trap damage.

The annotated set is JSONL, one note per line::

    {"id": "dev-000-0", "split": "dev", "text": "...",
     "phi":   [{"start": 3, "end": 14, "label": "NAME", "text": "Rose Dubois"}, ...],
     "traps": [{"start": 76, "end": 81, "kind": "code", "text": "E11.9"}, ...]}

``phi`` spans must be removed; ``traps`` are medical content that must survive (eponyms,
codes, doses, vitals, durations, ages under 90...). Metrics:

- token recall: share of PHI tokens (runs of letters/digits) entirely replaced;
- token precision: share of removed tokens that were PHI;
- trap damage: share of trap spans that lost at least one character.

>>> note = AnnotatedNote("n1", "dev", "Dr. Lee saw her", [GoldSpan(4, 7, "NAME")], [])
>>> class _Fake:
...     def find_batch(self, texts):
...         return [[PHISpan(4, 7, "NAME")] for _ in texts]
>>> evaluate(_Fake(), [note]).token_recall
1.0
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from thce.data.phi.spans import PHI_LABELS, PHISpan
from thce.errors import DataError
from thce.io import iter_jsonl

_TOKEN_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class GoldSpan:
    """An annotated span: PHI (``label``) or a medical trap (``label`` holds the trap kind)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class AnnotatedNote:
    """One note of the annotated set."""

    id: str
    split: str
    text: str
    phi: list[GoldSpan]
    traps: list[GoldSpan]


class _Finder(Protocol):
    def find_batch(self, texts: Iterable[str]) -> list[list[PHISpan]]: ...


@dataclass
class PHIEvaluation:
    """Scores of one scrubber on one set of notes."""

    notes: int = 0
    phi_tokens: int = 0
    phi_tokens_found: int = 0
    removed_tokens: int = 0
    removed_tokens_phi: int = 0
    traps: int = 0
    traps_damaged: int = 0
    recall_by_label: dict[str, float] = field(default_factory=dict)
    damage_by_kind: dict[str, float] = field(default_factory=dict)
    missed: list[tuple[str, str, str]] = field(default_factory=list, repr=False)
    damaged: list[tuple[str, str, str]] = field(default_factory=list, repr=False)
    false_removals: list[tuple[str, str, str]] = field(default_factory=list, repr=False)

    @property
    def token_recall(self) -> float:
        """PHI tokens removed / PHI tokens."""
        return self.phi_tokens_found / self.phi_tokens if self.phi_tokens else 1.0

    @property
    def token_precision(self) -> float:
        """Removed tokens that were PHI / removed tokens."""
        return self.removed_tokens_phi / self.removed_tokens if self.removed_tokens else 1.0

    @property
    def trap_damage(self) -> float:
        """Medical trap spans touched by a removal / trap spans."""
        return self.traps_damaged / self.traps if self.traps else 0.0

    def summary(self) -> dict[str, float | int]:
        """The headline numbers as a flat dict (no note text)."""
        return {
            "notes": self.notes,
            "token_recall": round(self.token_recall, 4),
            "token_precision": round(self.token_precision, 4),
            "trap_damage": round(self.trap_damage, 4),
            "phi_tokens": self.phi_tokens,
            "traps": self.traps,
            "traps_damaged": self.traps_damaged,
        }


def load_annotated(path: str | Path, split: str | None = None) -> list[AnnotatedNote]:
    """Read an annotated PHI set, checking that every span's offsets match its ``text``.

    Raises:
        DataError: a line is not valid JSON, a field is missing, or offsets are wrong.
    """
    notes: list[AnnotatedNote] = []
    for line_number, record, _raw, error in iter_jsonl(path):
        where = f"{path}:{line_number}"
        if error or record is None:
            raise DataError(f"{where}: {error}")
        try:
            text = record["text"]
            phi = [_gold(text, s, s["label"], where) for s in record.get("phi", [])]
            traps = [_gold(text, s, s["kind"], where) for s in record.get("traps", [])]
            note = AnnotatedNote(str(record["id"]), str(record.get("split", "")), text, phi, traps)
        except KeyError as exc:
            raise DataError(
                f"{where}: missing field {exc.args[0]!r} (see thce.data.phi.evaluation)"
            ) from exc
        if split is None or note.split == split:
            notes.append(note)
    return notes


def _gold(text: str, span: dict, label: str, where: str) -> GoldSpan:
    start, end = int(span["start"]), int(span["end"])
    if "text" in span and text[start:end] != span["text"]:
        raise DataError(
            f"{where}: span {start}-{end} reads {text[start:end]!r}, expected {span['text']!r}"
        )
    if label.isupper() and label not in PHI_LABELS:
        raise DataError(f"{where}: unknown PHI label {label!r}; valid: {', '.join(PHI_LABELS)}")
    return GoldSpan(start, end, label)


def evaluate(scrubber: _Finder, notes: Sequence[AnnotatedNote]) -> PHIEvaluation:
    """Run ``scrubber.find_batch`` on the notes and score it against their annotations."""
    result = PHIEvaluation(notes=len(notes))
    found_by_label: Counter[str] = Counter()
    total_by_label: Counter[str] = Counter()
    damaged_by_kind: Counter[str] = Counter()
    total_by_kind: Counter[str] = Counter()
    predictions = scrubber.find_batch([note.text for note in notes])
    for note, spans in zip(notes, predictions, strict=True):
        removed = bytearray(len(note.text))
        for span in spans:
            removed[span.start : span.end] = b"\x01" * (span.end - span.start)
        gold = bytearray(len(note.text))
        for span in note.phi:
            gold[span.start : span.end] = b"\x01" * (span.end - span.start)
        for span in note.phi:
            tokens = list(_TOKEN_RE.finditer(note.text, span.start, span.end))
            hit = sum(all(removed[m.start() : m.end()]) for m in tokens)
            result.phi_tokens += len(tokens)
            result.phi_tokens_found += hit
            total_by_label[span.label] += len(tokens)
            found_by_label[span.label] += hit
            if hit < len(tokens):
                result.missed.append((note.id, span.label, note.text[span.start : span.end]))
        for span in spans:
            if not any(gold[span.start : span.end]):
                result.false_removals.append(
                    (note.id, span.label, note.text[span.start : span.end])
                )
        for m in _TOKEN_RE.finditer(note.text):
            if any(removed[m.start() : m.end()]):
                result.removed_tokens += 1
                result.removed_tokens_phi += any(gold[m.start() : m.end()])
        for trap in note.traps:
            total_by_kind[trap.label] += 1
            if any(removed[trap.start : trap.end]):
                damaged_by_kind[trap.label] += 1
                result.damaged.append((note.id, trap.label, note.text[trap.start : trap.end]))
        result.traps += len(note.traps)
    result.traps_damaged = sum(damaged_by_kind.values())
    result.recall_by_label = {k: found_by_label[k] / v for k, v in sorted(total_by_label.items())}
    result.damage_by_kind = {k: damaged_by_kind[k] / v for k, v in sorted(total_by_kind.items())}
    return result
