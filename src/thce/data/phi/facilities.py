"""Facility and organisation names: hospitals, practices, clinics, employers.

A facility is a run of capitalised words ending in a facility word ("Riverside Cardiology
Associates", "St. Agnes Medical Center", "Lakeview Family Practice"), or a capitalised run
right after a clinician ("Dr. Lena Park of Riverside", "Samuel Ortiz, MD (Lakeview)"), or
after a label ("Employer: Greenfield Logistics"). At least one word must be distinctive: not
a generic facility word, a clinical word or medical vocabulary, so "Cardiology Clinic" and
"Emergency Medicine" stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from thce.data.phi.base import make_span, recognizer
from thce.data.phi.context import TextContext
from thce.data.phi.lexicon import CREDENTIALS, LARGE_REGIONS
from thce.data.phi.spans import PHISpan
from thce.data.phi.vocabulary import is_medical_word
from thce.data.phi.words import NAME_SEQ, has_name_cue, is_non_name_word

# Words that end a facility name for sure: the words before them only need to be
# something other than generic facility or clinical words ("Regions Hospital").
_STRONG_SUFFIXES = (
    r"Hospital|Hospitals|Medical[ \t]+Center|Medical[ \t]+Centre|Health[ \t]+Center|Health[ \t]+System|"
    r"Health[ \t]+Partners|Healthcare|Clinic|Clinics|Nursing[ \t]+Home|"
    r"Rehabilitation[ \t]+Center|Rehab[ \t]+Center|Surgery[ \t]+Center|Surgical[ \t]+Center|"
    r"Urgent[ \t]+Care|Infirmary|Hospice|Memorial|Medical[ \t]+Group|Assisted[ \t]+Living|"
    r"Senior[ \t]+Living|Care[ \t]+Center|Nursing[ \t]+Facility|Care[ \t]+Facility|Facility|"
    r"Manor|School|Academy|College|University|Skilled[ \t]+Nursing|Care[ \t]+Home|Home[ \t]+Care|"
    r"Home[ \t]+Health|Funeral[ \t]+Home|Primary[ \t]+Care|Emergency[ \t]+Department|"
    r"Research[ \t]+Unit|Research[ \t]+Center|Medical[ \t]+Supply|Medical[ \t]+Arts|"
    r"Dental[ \t]+Arts|Dental[ \t]+Group|Eye[ \t]+Center|Eye[ \t]+Institute|EMS|Ambulance"
)
# Words that end a practice or organisation name but also follow plain words ("Sports
# Medicine", "Pain Management Center"): the words before them must not be medical vocabulary.
_SUFFIXES = (
    rf"{_STRONG_SUFFIXES}|Health[ \t]+Care|Health|Rehab|Rehabilitation|Center|Centre|Associates|"
    r"Surgery|General|Geriatrics|Nursing|Supply|Eye|Arts|Orthopaedics|Physiotherapy|Sleep|"
    r"Practice|Partners|Physicians|Specialists|Group|Institute|Pharmacy|Laboratory|"
    r"Laboratories|Labs|Imaging|Radiology|Dialysis|Wellness|Pediatrics|Paediatrics|Cardiology|"
    r"Neurology|Urology|Orthopedics|Orthopaedics|Dermatology|Oncology|Gastroenterology|"
    r"Pulmonology|Nephrology|Rheumatology|Endocrinology|Psychiatry|Ophthalmology|Obstetrics|"
    r"Women's[ \t]+Health|Internal[ \t]+Medicine|Family[ \t]+Medicine|Medicine|Dental|Dentistry|"
    r"Eye[ \t]+Care|Vision|Therapy|Counseling|Behavioral[ \t]+Health|Mental[ \t]+Health|"
    r"Foundation|Logistics|Corporation|Corp\.?|Inc\.?|LLC|Company|Industries|Manufacturing|"
    r"Systems|Services|Solutions|Enterprises|Construction|Farms|Motors|Bank|Church|Ministries"
)
_CAP = r"[A-Z][A-Za-z'’&-]*(?![\w])"
# One to four capitalised words (and "of", "and", "&", "the" between them) before the suffix.
_FACILITY_RE = re.compile(
    rf"\b((?:(?:St\.?|Saint|Mt\.?)[ \t]+)?{_CAP}(?:[ \t]+(?:(?:of|and|&|the|for|on)[ \t]+)?{_CAP}){{0,3}}"
    rf"[ \t]+(?:{_SUFFIXES})(?:[ ](?:&|and)[ ]{_CAP})?)(?![\w'’-])"
)
# The city after a facility: "Kalani Harbor Medical Center, Hilo", "..., Millbrook --".
_CITY_AFTER_RE = re.compile(
    r",[ \t]*((?:(?:St|Mt|Ft)\.?[ ])?[A-Z][a-z'’-]+(?:[ ][A-Z][a-z'’-]+){0,2})"
    r"(?=[ \t]*(?:$|\n|--|[—–.;|(]|,))"
)
# Affiliation lines under a signature ("Constance Albright, MD\nFenwick Primary Care",
# "Gabriel Moreau-Chen, MD, FCCP\nPulmonary & Critical Care, Allegra Pulmonary Associates").
_SIGNATURE_LINE_RE = re.compile(
    rf"(?m)^[ \t]*(?:(?:Dr|Doctor)\.?[ ]+)?{NAME_SEQ},?[ ]+(?:{'|'.join(sorted(map(re.escape, CREDENTIALS), key=len, reverse=True))})"
    rf"(?:,[ ]*(?:{'|'.join(sorted(map(re.escape, CREDENTIALS), key=len, reverse=True))}))*[ \t]*\n"
    r"(?:[^\n,]*,[ ]*)?([A-Z][\w'’&.-]*(?:[ ]+(?:&|and|of|for|the)?[ ]*[A-Z][\w'’.-]*){0,5})[ \t]*$"
)
_CREDENTIAL_ALT = "|".join(sorted(map(re.escape, CREDENTIALS), key=len, reverse=True))
_RUN = rf"(?:(?:St\.?|Saint|Mt\.?)[ \t]+)?{_CAP}(?:[ \t]+(?:(?:of|and|&|for)[ \t]+)?{_CAP}){{0,4}}"
# A place right after a clinician: "Dr. Lena Park of Riverside", "Kim Lee, MD (Lakeview ...)".
_CLINICIAN_PLACE_RE = re.compile(
    rf"(?:\b(?:Dr|Doctor)\.?[ \t]+{NAME_SEQ}(?:,[ \t]*(?:{_CREDENTIAL_ALT}))?"
    rf"|{NAME_SEQ},?[ \t]+(?:{_CREDENTIAL_ALT})(?![\w-]))"
    rf"(?:[ \t]+(?:of|at|from|with)[ \t]+(?:the[ \t]+)?|[ \t]*\([ \t]*)({_RUN})"
)
_LABEL_RE = re.compile(
    rf"(?i:\b(?:employer|employed[ \t]+(?:by|at)|works[ \t]+(?:for|at)|company|workplace|"
    rf"facility|hospital|practice|organization|organisation|agency|school|pharmacy|"
    rf"referring[ \t]+(?:facility|hospital|practice|clinic)|outside[ \t]+hospital|osh|site|"
    rf"agency|funeral[ \t]+home|facility[ \t]+name|employer[ \t]+name)"
    rf"[ \t]*:?[ \t]+)({_RUN})"
)
_GENERIC = {
    "general", "regional", "community", "memorial", "university", "county", "state", "medical",
    "center", "centre", "health", "children's", "childrens", "women's", "veterans", "va", "the",
    "our", "st", "st.", "saint", "mt", "mt.", "of", "and", "&", "for", "on", "city", "valley",
    "specialty", "surgical", "teaching", "high", "middle", "elementary", "primary", "secondary",
    "junior", "senior", "nursing", "assisted", "public", "private", "charter", "family",
    "internal", "group", "associates", "practice", "partners", "physicians", "specialists",
    "care", "clinic", "hospital", "national", "american", "united", "central", "main",
}  # fmt: skip


_STRONG_RE = re.compile(rf"(?:{_STRONG_SUFFIXES})$")


def _distinctive(words: list[str], *, vocabulary: bool = True) -> bool:
    """Whether a facility name has a word that identifies it ("Riverside"), not only
    generic or clinical words ("Cardiology Clinic") or, with ``vocabulary``, medical
    vocabulary ("Emergency Medicine", "Sports Medicine")."""
    return any(
        w.lower() not in _GENERIC
        and not is_non_name_word(w)
        and not (vocabulary and is_medical_word(w))
        and w not in LARGE_REGIONS
        for w in words
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop trailing clinical words from a run ("Riverside Follow" -> "Riverside")."""
    words = list(re.finditer(r"\S+", text[start:end]))
    while words and (
        is_non_name_word(words[-1].group())
        or words[-1].group().lower() in ("of", "and", "&", "for")
    ):
        words.pop()
    if not words:
        return None
    return start, start + words[-1].end()


@recognizer(
    "facility",
    ("LOCATION",),
    "Facility and organisation names (hospitals, practices, employers), also after a clinician.",
)
def find_facilities(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _FACILITY_RE.finditer(text):
        start = m.start(1)
        if has_name_cue(ctx.text, start, start) and " of " in m.group(1):
            # "Dr. Lena Park of Riverside Cardiology": the person ends at "of".
            start = m.start(1) + m.group(1).index(" of ") + 4
        words = text[start : m.end(1)].split()
        strong = _STRONG_RE.search(m.group(1)) is not None
        if _distinctive(words[:-1], vocabulary=not strong) and not ctx.is_protected(
            start, m.end(1)
        ):
            yield make_span(ctx, start, m.end(1), "LOCATION", "facility")
            city = _CITY_AFTER_RE.match(text, m.end(1))
            if city and _distinctive([city.group(1).split()[0]], vocabulary=False):
                yield make_span(ctx, *city.span(1), "LOCATION", "facility")
    for pattern in (_CLINICIAN_PLACE_RE, _LABEL_RE, _SIGNATURE_LINE_RE):
        for m in pattern.finditer(text):
            # An affiliation line is a name as a whole ("Bayview Bone & Joint").
            whole = pattern is _SIGNATURE_LINE_RE
            span = m.span(1) if whole else _trim(text, m.start(1), m.end(1))
            if span and _distinctive(text[slice(*span)].split()) and not ctx.is_protected(*span):
                yield make_span(ctx, *span, "LOCATION", "facility")
