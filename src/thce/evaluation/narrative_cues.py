"""What a narrative says, by plain text matching: the keyword map and the code-system cues.

Used by the ``keyword``, ``rule_based`` and ``bm25`` baselines (:mod:`thce.evaluation.baselines`):
:func:`affirmed` (a match not preceded by a negation cue), :func:`keyword_matches` (the shipped
phrase → code map, ``data/keywords.json``) and :func:`detect_narrative_code_type` (weighted
regex cues for ICD10, CPT or HCPCS).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from thce.evaluation.records import make_label

# ---------------------------------------------------------------------------------------------
# Keyword map
# ---------------------------------------------------------------------------------------------


# A finding right after one of these words (in the same clause) is absent, not present:
# "without retinopathy", "denies chest pain", "negative for strep".
_NEGATION_RE = re.compile(
    r"\b(?:no|not|without|denies|denied|negative for|free of|ruled out|rules out|absence of)\b[^.;:]{0,40}$",
    re.IGNORECASE,
)


def affirmed(pattern: re.Pattern[str], text: str) -> bool:
    """True when ``pattern`` matches somewhere in ``text`` not preceded by a negation cue.

    >>> affirmed(re.compile("retinopathy"), "Dilated eye exam without retinopathy.")
    False
    """
    return any(
        not _NEGATION_RE.search(text[max(0, m.start() - 60) : m.start()])
        for m in pattern.finditer(text)
    )


@dataclass(frozen=True)
class KeywordEntry:
    """One phrase of the keyword map and the code it points to."""

    phrase: str
    label: str
    order: int
    pattern: re.Pattern[str]


@cache
def load_keyword_map() -> tuple[KeywordEntry, ...]:
    """The shipped keyword → code map (``thce/evaluation/data/keywords.json``), compiled."""
    text = resources.files("thce.evaluation").joinpath("data", "keywords.json").read_text("utf-8")
    entries: list[KeywordEntry] = []
    for order, item in enumerate(json.loads(text)["entries"]):
        label = make_label(item["code_type"], item["code"])
        assert label is not None
        for phrase in item["keywords"]:
            pattern = re.compile(rf"(?<![\w-]){re.escape(phrase.lower())}(?![\w-])")
            entries.append(KeywordEntry(phrase.lower(), label, order, pattern))
    return tuple(entries)


def keyword_matches(narrative: str, code_type: str | None = None) -> list[str]:
    """Labels whose phrases occur in ``narrative``: longest phrase first, then map order.

    >>> keyword_matches("58 yo with type 2 diabetes and hypertension")[:2]
    ['ICD10:E11.9', 'ICD10:I10']
    """
    text = narrative.lower()
    hits = [
        e
        for e in load_keyword_map()
        if (code_type is None or e.label.startswith(code_type + ":")) and affirmed(e.pattern, text)
    ]
    hits.sort(key=lambda e: (-len(e.phrase), e.order))
    ranked: list[str] = []
    for e in hits:
        if e.label not in ranked:
            ranked.append(e.label)
    return ranked


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------

# Cues for which code system a narrative asks for. Weighted counts; the highest total wins,
# ICD10 on ties (a narrative names a diagnosis unless it is clearly about a service or supply).
_TYPE_CUES: dict[str, list[tuple[str, float]]] = {
    "CPT": [
        (r"\b(?:new|established) patient\b", 3.0),
        (r"\boffice (?:visit|or outpatient visit)\b|\bevaluation and management\b|\bE/M\b", 3.0),
        (r"\bmedical decision[- ]making\b|\b\d+\s*(?:minutes|min)\b(?! of)", 1.5),
        (r"\b(?:performed|underwent|procedure|was done|were done|surgery|surgical)\b", 1.5),
        # Imaging and tests are often evidence for a diagnosis, so they weigh less than services.
        (
            r"\b(?:x-ray|radiograph|ct scan|ct of|mri|ultrasound|echocardiogra\w*|ecg|ekg|electrocardiogram)\b",
            1.0,
        ),
        (
            r"\b(?:colonoscopy|endoscopy|egd|biopsy|excision|repair|arthroscop\w*|arthroplasty|replacement)\b",
            1.5,
        ),
        (
            r"\b(?:panel|venipuncture|urinalysis|blood count|lab(?:oratory)? test|assay|culture)\b",
            2.0,
        ),
        (
            r"\b(?:blood sample|specimen|sent to the laborator\w*|measured|measurement|mammogra\w*)\b",
            2.0,
        ),
        (
            r"\b(?:psychotherapy|physical therapy|therapeutic exercise|spirometry|vaccine administration)\b",
            2.0,
        ),
        (r"\b(?:emergency department|critical care|hospital care|consultation|visit)\b", 1.0),
        (r"\bcpt\b", 5.0),
    ],
    "HCPCS": [
        (r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|units?|ml|grams?)\b", 1.5),
        (r"\b(?:injection of|injected|administered|infusion of|given)\b", 1.0),
        (
            r"\b(?:supplied|dispensed|provided|delivered|rented|rental|purchase[d]?|equipment|dme|supplies|supply|device)\b",
            2.0,
        ),
        (
            r"\b(?:wheelchair|walker|cane|crutch(?:es)?|hospital bed|commode|cpap|oxygen concentrator|nebulizer machine)\b",
            3.0,
        ),
        (
            r"\b(?:brace|orthosis|orthotic|prosthe\w+|splint|cast supplies|boot|stockings|catheter|test strips|lancets)\b",
            2.5,
        ),
        (r"\b(?:ambulance|paramedic\w*|transport(?:ed)? by|mileage)\b", 3.0),
        (r"\b(?:drug|medication) (?:supplied|administered)|\bj-?code\b|\bhcpcs\b", 4.0),
        # Medicare-specific services (wellness visits, screenings, vaccine administration) are
        # billed with HCPCS G-codes.
        (r"\bmedicare\b", 3.0),
        (r"\bannual wellness visit\b", 2.0),
    ],
    "ICD10": [
        (
            r"\b(?:diagnosed with|diagnosis of|history of|presents with|complains of|suffering from)\b",
            1.5,
        ),
        (r"\b(?:shows?|showed|confirms?|confirmed|consistent with|revealed|suggestive of)\b", 1.5),
        (
            r"\b(?:chronic|acute|disease|disorder|syndrome|infection|fracture|pain|deficiency)\b",
            0.5,
        ),
        (
            r"\b(?:fever|cough|swelling|shortness of breath|fatigue|nausea|rash|tender\w*|stiffness)\b",
            0.75,
        ),
        (r"\b\d+\s*(?:days?|weeks?|months?|years?)\b", 0.5),
        (r"\bicd(?:-?10)?\b", 5.0),
    ],
}
_COMPILED_CUES = {
    code_type: [(re.compile(p, re.IGNORECASE), w) for p, w in cues]
    for code_type, cues in _TYPE_CUES.items()
}


def detect_narrative_code_type(narrative: str) -> tuple[str, dict[str, float]]:
    """Guess which code system a narrative needs from weighted regex cues.

    Returns ``(code_type, scores)``; ties (including no cue at all) go to ICD10.

    >>> detect_narrative_code_type("Established patient office visit, 25 minutes.")[0]
    'CPT'
    """
    scores = {
        code_type: sum(w * len(rx.findall(narrative)) for rx, w in cues)
        for code_type, cues in _COMPILED_CUES.items()
    }
    best = max(scores.values())
    if scores["ICD10"] == best:
        return "ICD10", scores
    return max(("CPT", "HCPCS"), key=lambda t: scores[t]), scores


__all__ = [
    "KeywordEntry",
    "affirmed",
    "detect_narrative_code_type",
    "keyword_matches",
    "load_keyword_map",
]
