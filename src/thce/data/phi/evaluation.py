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

Recall is also given per annotated label, precision per tag the scrubber gave, and damage
per trap kind (:class:`KindScore`). ``thce data phi-eval FILE`` prints them.

>>> note = AnnotatedNote("n1", "dev", "Dr. Lee saw her", [GoldSpan(4, 7, "NAME")], [])
>>> class _Fake:
...     def find_batch(self, texts):
...         return [[PHISpan(4, 7, "NAME")] for _ in texts]
>>> evaluate(_Fake(), [note]).token_recall
1.0
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
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
class KindScore:
    """Counts for one PHI label (``recall``) or one trap kind (``damage``)."""

    spans: int = 0
    tokens: int = 0
    found: int = 0
    removed: int = 0
    removed_phi: int = 0
    damaged: int = 0

    @property
    def recall(self) -> float:
        """Tokens of this label removed / tokens of this label."""
        return self.found / self.tokens if self.tokens else 1.0

    @property
    def precision(self) -> float:
        """Tokens removed under this tag that were PHI (of any label) / tokens removed under it."""
        return self.removed_phi / self.removed if self.removed else 1.0

    @property
    def damage(self) -> float:
        """Trap spans of this kind touched by a removal / trap spans of this kind."""
        return self.damaged / self.spans if self.spans else 0.0


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
    by_label: dict[str, KindScore] = field(default_factory=dict)
    by_trap_kind: dict[str, KindScore] = field(default_factory=dict)
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

    @property
    def recall_by_label(self) -> dict[str, float]:
        """Token recall per annotated PHI label."""
        return {k: v.recall for k, v in sorted(self.by_label.items()) if v.tokens}

    @property
    def precision_by_label(self) -> dict[str, float]:
        """Token precision per tag the scrubber gave."""
        return {k: v.precision for k, v in sorted(self.by_label.items()) if v.removed}

    @property
    def damage_by_kind(self) -> dict[str, float]:
        """Share of damaged trap spans per trap kind."""
        return {k: v.damage for k, v in sorted(self.by_trap_kind.items())}

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

    def to_dict(self) -> dict[str, object]:
        """Headline numbers plus the per-label and per-trap-kind tables (no note text)."""
        labels = {
            k: {
                "spans": v.spans,
                "tokens": v.tokens,
                "recall": round(v.recall, 4) if v.tokens else None,
                "removed_tokens": v.removed,
                "precision": round(v.precision, 4) if v.removed else None,
            }
            for k, v in sorted(self.by_label.items())
        }
        traps = {
            k: {"spans": v.spans, "damaged": v.damaged, "damage": round(v.damage, 4)}
            for k, v in sorted(self.by_trap_kind.items())
        }
        return {**self.summary(), "labels": labels, "trap_kinds": traps}


def load_annotated(path: str | Path, split: str | None = None) -> list[AnnotatedNote]:
    """Read an annotated PHI set, checking every field and every span's offsets.

    Raises:
        DataError: the file is missing, a line is not a JSON object, a field is missing or
            has the wrong type, an offset lies outside the text, a span's ``text`` does not
            match its offsets, or a label is unknown. The message names file, line and field.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"annotated PHI file not found: {path}")
    notes: list[AnnotatedNote] = []
    try:
        records = list(iter_jsonl(path))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    for line_number, record, _raw, error in records:
        where = f"{path}:{line_number}"
        if error or record is None:
            raise DataError(f"{where}: {error}")
        note = _note(record, where)
        if split is None or note.split == split:
            notes.append(note)
    return notes


def _note(record: dict, where: str) -> AnnotatedNote:
    for key in ("id", "text"):
        if key not in record:
            raise DataError(f"{where}: missing field {key!r} (see thce.data.phi.evaluation)")
    text = record["text"]
    if not isinstance(text, str):
        raise DataError(f"{where}: field 'text' must be a string, got {type(text).__name__}")
    spans: dict[str, list[GoldSpan]] = {}
    for key, label_key in (("phi", "label"), ("traps", "kind")):
        items = record.get(key, [])
        if not isinstance(items, list):
            raise DataError(f"{where}: field {key!r} must be a list, got {type(items).__name__}")
        spans[key] = [
            _gold(text, item, label_key, f"{where}: {key}[{i}]") for i, item in enumerate(items)
        ]
    return AnnotatedNote(
        str(record["id"]), str(record.get("split", "")), text, spans["phi"], spans["traps"]
    )


def _gold(text: str, span: object, label_key: str, where: str) -> GoldSpan:
    if not isinstance(span, dict):
        raise DataError(f"{where}: expected an object, got {type(span).__name__}")
    for key in ("start", "end", label_key):
        if key not in span:
            raise DataError(f"{where}: missing field {key!r}")
    start, end, label = span["start"], span["end"], span[label_key]
    for key, value in (("start", start), ("end", end)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise DataError(f"{where}.{key}: must be an integer, got {value!r}")
    if not 0 <= start < end <= len(text):
        raise DataError(
            f"{where}: offsets {start}-{end} are outside the text (0-{len(text)}) or empty"
        )
    if not isinstance(label, str) or not label:
        raise DataError(f"{where}.{label_key}: must be a non-empty string, got {label!r}")
    if "text" in span and text[start:end] != span["text"]:
        raise DataError(
            f"{where}: span {start}-{end} reads {text[start:end]!r}, expected {span['text']!r}"
        )
    if label_key == "label" and label not in PHI_LABELS:
        raise DataError(
            f"{where}.label: unknown PHI label {label!r}; valid: {', '.join(PHI_LABELS)}"
        )
    return GoldSpan(start, end, label)


def evaluate(scrubber: _Finder, notes: Sequence[AnnotatedNote]) -> PHIEvaluation:
    """Run ``scrubber.find_batch`` on the notes and score it against their annotations.

    Recall is counted per annotated label, precision per tag the scrubber gave: a removed
    token counts as correct when it lies inside any annotated PHI span, whatever its label
    (a name tagged ``[LOCATION]`` is still removed).
    """
    result = PHIEvaluation(notes=len(notes))
    labels: defaultdict[str, KindScore] = defaultdict(KindScore)
    kinds: defaultdict[str, KindScore] = defaultdict(KindScore)
    predictions = scrubber.find_batch([note.text for note in notes])
    for note, spans in zip(notes, predictions, strict=True):
        removed = bytearray(len(note.text))
        tag_at: dict[int, str] = {}
        for span in spans:
            removed[span.start : span.end] = b"\x01" * (span.end - span.start)
            tag_at[span.start] = span.label
        starts = sorted(tag_at)
        gold = bytearray(len(note.text))
        for span in note.phi:
            gold[span.start : span.end] = b"\x01" * (span.end - span.start)
        for span in note.phi:
            tokens = list(_TOKEN_RE.finditer(note.text, span.start, span.end))
            hit = sum(all(removed[m.start() : m.end()]) for m in tokens)
            score = labels[span.label]
            score.spans += 1
            score.tokens += len(tokens)
            score.found += hit
            result.phi_tokens += len(tokens)
            result.phi_tokens_found += hit
            if hit < len(tokens):
                result.missed.append((note.id, span.label, note.text[span.start : span.end]))
        for span in spans:
            if not any(gold[span.start : span.end]):
                result.false_removals.append(
                    (note.id, span.label, note.text[span.start : span.end])
                )
        for m in _TOKEN_RE.finditer(note.text):
            first = next((i for i in range(m.start(), m.end()) if removed[i]), None)
            if first is None:
                continue
            is_phi = any(gold[m.start() : m.end()])
            result.removed_tokens += 1
            result.removed_tokens_phi += is_phi
            tag = tag_at[starts[bisect.bisect_right(starts, first) - 1]]
            labels[tag].removed += 1
            labels[tag].removed_phi += is_phi
        for trap in note.traps:
            score = kinds[trap.label]
            score.spans += 1
            if any(removed[trap.start : trap.end]):
                score.damaged += 1
                result.damaged.append((note.id, trap.label, note.text[trap.start : trap.end]))
        result.traps += len(note.traps)
    result.traps_damaged = sum(k.damaged for k in kinds.values())
    result.by_label = dict(sorted(labels.items()))
    result.by_trap_kind = dict(sorted(kinds.items()))
    return result
