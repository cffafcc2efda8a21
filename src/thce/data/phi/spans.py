"""PHI span type, labels and the overlap merge shared by every recognizer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# HIPAA Safe Harbor identifiers that occur in clinical text, one placeholder each.
PHI_LABELS: tuple[str, ...] = (
    "NAME",
    "DATE",
    "PHONE",
    "FAX",
    "EMAIL",
    "SSN",
    "MRN",
    "HEALTH_PLAN",
    "ACCOUNT",
    "LICENSE",
    "VEHICLE",
    "DEVICE",
    "BIOMETRIC",
    "PHOTO",
    "ID",
    "URL",
    "IP",
    "ADDRESS",
    "LOCATION",
    "AGE",
)

# When spans overlap, the merged span takes the label with the highest priority: structured
# identifiers are matched by precise patterns, names and places by the noisier NER.
_PRIORITY: dict[str, int] = {
    "EMAIL": 100,
    "URL": 95,
    "SSN": 90,
    "IP": 88,
    "FAX": 86,
    "PHONE": 85,
    "MRN": 80,
    "HEALTH_PLAN": 80,
    "ACCOUNT": 80,
    "LICENSE": 80,
    "VEHICLE": 80,
    "DEVICE": 80,
    "BIOMETRIC": 80,
    "PHOTO": 80,
    # "ID" comes from the generic cues ("ID #", "subject", "badge"): a more specific cue on
    # the same value ("Member ID") names the kind.
    "ID": 75,
    "ADDRESS": 70,
    "DATE": 60,
    "AGE": 55,
    "NAME": 50,
    "LOCATION": 40,
}


@dataclass(frozen=True, slots=True)
class PHISpan:
    """One piece of PHI: character offsets ``[start, end)`` into the text and its label.

    ``text`` holds the matched characters for callers that need them; it is left out of
    ``repr`` so that logging a span never leaks the identifier itself.

    >>> PHISpan(4, 9, "NAME", text="Smith")
    PHISpan(start=4, end=9, label='NAME', source='')
    """

    start: int
    end: int
    label: str
    source: str = ""
    text: str = field(default="", repr=False, compare=False)

    @property
    def placeholder(self) -> str:
        """The typed placeholder that replaces this span, e.g. ``[NAME]``."""
        return f"[{self.label}]"

    def __len__(self) -> int:
        return self.end - self.start


def label_priority(label: str) -> int:
    """Priority used to pick the label of merged overlapping spans (higher wins)."""
    return _PRIORITY.get(label, 0)


def merge_spans(spans: Iterable[PHISpan], text: str) -> list[PHISpan]:
    """Sort spans and merge overlapping ones into their union.

    The union keeps every character any recognizer flagged (privacy first); its label is the
    one of the highest-priority member, ties going to the longest member.

    >>> a, b = PHISpan(0, 5, "NAME"), PHISpan(3, 12, "EMAIL")
    >>> [(s.start, s.end, s.label) for s in merge_spans([a, b], "x" * 12)]
    [(0, 12, 'EMAIL')]
    """
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: list[PHISpan] = []
    group: list[PHISpan] = []
    group_end = -1
    for span in ordered:
        if span.end <= span.start:
            continue
        # Overlapping spans merge; so do two names one space apart ("[NAME] [NAME]").
        touching_name = (
            group
            and span.label == "NAME"
            and group[-1].label == "NAME"
            and text[group_end : span.start] in (" ", "\t")
        )
        if group and (span.start < group_end or touching_name):
            group.append(span)
            group_end = max(group_end, span.end)
            continue
        if group:
            merged.append(_union(group, group_end, text))
        group, group_end = [span], span.end
    if group:
        merged.append(_union(group, group_end, text))
    return merged


def _union(group: list[PHISpan], end: int, text: str) -> PHISpan:
    start = group[0].start
    best = max(group, key=lambda s: (label_priority(s.label), len(s)))
    sources = sorted({s.source for s in group if s.source})
    return PHISpan(start, end, best.label, "+".join(sources), text[start:end])
