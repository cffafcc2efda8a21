"""Specificity cues: laterality, encounter, stage, trimester ... in notes and in descriptions.

    >>> cues = narrative_cues("Fell on outstretched L hand in the ED today, closed fx")
    >>> cues["laterality"], cues["encounter"], cues["fracture"]
    ('left', 'initial', 'closed')
    >>> cue_agreement(cues, "Fracture of left wrist, initial encounter for closed fracture")[0]
    0.75

Sibling codes differ on one axis (``S52.521A`` / ``S52.522A`` / ``S52.521D``): which side,
which encounter, which stage. Words alone rank them poorly (a narrative rarely writes
"initial encounter for closed fracture"), so the retriever reads the axis from the note with
the patterns in ``thce/codes/data/specificity_cues.yaml`` and rewards descriptions that state
the same value. The cue tables are data, written from the ICD-10-CM conventions; this module
only applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

# A stated value that agrees counts less than one that conflicts: only ICD-10-CM descriptions
# state sides and encounters, so a full bonus for agreeing would lift every ICD-10-CM code
# over CPT and HCPCS codes that simply have no side.
AGREE = 0.25


@dataclass(frozen=True)
class CueKind:
    """One axis: its narrative patterns and description patterns, per value."""

    name: str
    narrative: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    description: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]


def _compile(table: dict) -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    return tuple(
        (str(value), tuple(re.compile(p, re.IGNORECASE) for p in patterns))
        for value, patterns in (table or {}).items()
    )


@cache
def cue_kinds() -> tuple[CueKind, ...]:
    """The cue tables of ``thce/codes/data/specificity_cues.yaml``, compiled."""
    import yaml

    text = (
        resources.files("thce.codes").joinpath("data", "specificity_cues.yaml").read_text("utf-8")
    )
    data = yaml.safe_load(text) or {}
    return tuple(
        CueKind(name, _compile(spec.get("narrative")), _compile(spec.get("description")))
        for name, spec in data.items()
    )


def _values(patterns: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...], text: str) -> list[str]:
    return [value for value, regexes in patterns if any(rx.search(text) for rx in regexes)]


# Values of one kind that may be signalled together; the more specific one wins.
_NESTED = {
    ("acute", "acute_on_chronic"): "acute_on_chronic",
    ("acute_on_chronic", "chronic"): "acute_on_chronic",
    ("3", "3a"): "3a",
    ("3", "3b"): "3b",
    ("5", "esrd"): "esrd",
}


def narrative_cues(narrative: str) -> dict[str, str]:
    """The value each cue kind takes in ``narrative`` (kinds with none, or a conflict, are left out).

    Encounter is special: the subsequent/sequela cues are stronger than the generic "presents"
    or "today" that almost every note has, so they win over "initial".
    """
    cues: dict[str, str] = {}
    for kind in cue_kinds():
        found = _values(kind.narrative, narrative)
        if kind.name == "encounter" and len(found) > 1:
            found = [v for v in ("sequela", "subsequent") if v in found][:1] or found
        if len(found) == 2:
            pair = tuple(sorted(found))
            found = [_NESTED[pair]] if pair in _NESTED else found
        if len(found) == 3 and kind.name == "acuity":
            found = ["acute_on_chronic"]
        if len(found) == 1:
            cues[kind.name] = found[0]
    return cues


@lru_cache(maxsize=500_000)
def description_cues(description: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``(kind, values)`` a code description states, e.g. ``(("laterality", ("left",)), ...)``."""
    found = []
    for kind in cue_kinds():
        values = _values(kind.description, description)
        if values:
            found.append((kind.name, tuple(values)))
    return tuple(found)


def cue_agreement(cues: dict[str, str], description: str) -> tuple[float, list[str]]:
    """``(score, reasons)``: +``AGREE`` per kind the description states as the narrative does,
    -1 per kind it states differently; an "unspecified" value counts -1 when the narrative is
    specific on that kind. Reasons read ``laterality=left`` or ``!laterality=right``."""
    if not cues:
        return 0, []
    score, reasons = 0.0, []
    for kind, values in description_cues(description):
        wanted = cues.get(kind)
        if wanted is None:
            continue
        if wanted in values:
            score += AGREE
            reasons.append(f"{kind}={wanted}")
        else:
            score -= 1
            reasons.append(f"!{kind}={'/'.join(values)}")
    return score, reasons


__all__ = ["CueKind", "cue_agreement", "cue_kinds", "description_cues", "narrative_cues"]
