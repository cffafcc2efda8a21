"""Recognizers for addresses and geographic units below state level (cities, counties, ZIPs)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from thce.data.phi.context import TextContext
from thce.data.phi.lexicon import (
    KNOWN_EPONYMS,
    LARGE_REGIONS,
    US_STATES,
)
from thce.data.phi.registry import make_span, register
from thce.data.phi.spans import PHISpan
from thce.data.phi.words import (
    MONTH_SET,
    STATE_ABBR,
    STATE_NAME,
    TITLE_SET,
    is_non_name_word,
)

_STREET_SUFFIX = (
    r"St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Ln|Lane|Dr|Drive|Ct|Court|Way|Pl|Place|Ter|"
    r"Terrace|Cir|Circle|Pkwy|Parkway|Hwy|Highway|Trl|Trail|Sq|Square|Loop|Row|Pike|Path|Plaza|"
    r"Crossing|Alley|Cove|Heights|Landing|Ridge|Run"
)
_STREET_RE = re.compile(
    rf"(?<![\w.,/-])\d{{1,6}}[A-Z]?(?:-\d{{1,4}})?[ \t]+"
    r"(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?[ \t]+)?"
    rf"(?:(?:[A-Z][\w'’.-]*|\d{{1,3}}(?:st|nd|rd|th))[ \t]+){{1,3}}(?:{_STREET_SUFFIX})\.?(?![\w-])"
    r"(?:,?[ \t]+(?:Apt|Apartment|Unit|Suite|Ste|Room|Rm|Floor|Fl|Bldg|Building|#)\.?[ \t]*#?[ \t]*"
    r"[A-Za-z0-9-]*\d[A-Za-z0-9-]*)?"
    r"|\b(?:P\.?[ \t]?O\.?[ \t]*Box|Post[ \t]+Office[ \t]+Box)[ \t]+\d+"
)
_CAP_WORDS = r"(?:(?:St|Mt|Ft)\.?[ \t]+)?[A-Z][a-z'’-]+(?:[ \t]+[A-Z][a-z'’-]+){0,2}"
_CITY_AFTER_STREET_RE = re.compile(rf",?[ \t]+(?:in[ \t]+)?({_CAP_WORDS})")
_ZIP = r"\d{5}(?:-\d{4})?"
_ZIP_RE = re.compile(
    rf"(?:[A-Za-z],[ \t]*(?:{STATE_ABBR})|\b(?:{STATE_NAME})),?[ \t]+({_ZIP})(?![\w-])"
    rf"|(?i:\bzip(?:[ \t]*code)?|\bpostal[ \t]+code)[ \t]*(?:is|:|#)?[ \t]*({_ZIP})(?![\w-])"
)
_CITY_STATE_RE = re.compile(
    rf"(?<![\w'’-])({_CAP_WORDS}),[ \t]*(?:(?:{STATE_ABBR})(?![\w'’])|{STATE_NAME}\b)"
)
_COUNTY_RE = re.compile(
    r"\b((?:St\.?[ \t]+)?[A-Z][a-z'’-]+(?:[ \t]+[A-Z][a-z'’-]+){0,2}[ \t]+(?:County|Parish|Borough|Township))\b"
)
_PLACE_CUE_RE = re.compile(
    r"(?i:\b(?:lives|living|resides|residing|resident|native|born|grew[ \t]+up|works?|working|"
    r"school|clinic|hospital|home|vacation(?:ed|ing)?|camp(?:ed|ing)|hik(?:ed|ing)|stay(?:ed|ing)|"
    r"moved(?:[ \t]+here)?|relocated|travel(?:l?ed|l?ing)?|trip|visit(?:ed|ing)?|flew|drove|"
    r"town|city|village|near|outside)[ \t]+(?:of|in|to|from|near|at|back[ \t]+to)?[ \t]*)"
    rf"({_CAP_WORDS})"
)
# A capitalised place after a preposition at the end of a clause: "plays soccer in Dayton."
_PREP_PLACE_RE = re.compile(
    rf"(?<!switched )(?<!changed )(?<!converted )(?<!transitioned )(?<!titrated )"
    rf"\b(?:in|near|from|to|at)[ \t]+({_CAP_WORDS})(?=[ \t]*(?:[.,;:)]|$|\n|and\b|or\b))"
)
_FACILITY_RE = re.compile(
    r"\b((?:(?:St\.?|Saint)[ \t]+)?(?:[A-Z][\w'’-]*[ \t]+){1,4}"
    r"(?:Hospital|Medical[ \t]+Center|Medical[ \t]+Centre|Health[ \t]+Center|Health[ \t]+System|"
    r"Clinic|Nursing[ \t]+Home|Rehabilitation[ \t]+Center|Rehab[ \t]+Center|Surgery[ \t]+Center|"
    r"Surgical[ \t]+Center|Urgent[ \t]+Care|Infirmary|Hospice|Memorial|Medical[ \t]+Group|"
    r"Assisted[ \t]+Living|Senior[ \t]+Living|Care[ \t]+Center|School|Academy|College|University))\b"
)
_FACILITY_GENERIC = {
    "general", "regional", "community", "memorial", "university", "county", "state", "medical",
    "center", "health", "children's", "childrens", "women's", "veterans", "va", "the", "our",
    "st", "st.", "saint", "of", "and", "city", "valley", "specialty", "surgical", "teaching",
    "high", "middle", "elementary", "primary", "secondary", "junior", "senior", "nursing", "assisted", "public", "private", "charter",
}  # fmt: skip


def _is_place_name(candidate: str) -> bool:
    words = candidate.split()
    if not words or candidate in LARGE_REGIONS or candidate.rstrip(".") in LARGE_REGIONS:
        return False
    if words[0].rstrip(".").lower() in TITLE_SET:
        return False
    return not is_non_name_word(words[0]) and candidate not in US_STATES


@register(
    "address", ("ADDRESS", "LOCATION"), "Street addresses and PO boxes, with the city after them."
)
def find_addresses(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _STREET_RE.finditer(text):
        yield make_span(ctx, m.start(), m.end(), "ADDRESS", "address")
        city = _CITY_AFTER_STREET_RE.match(text, m.end())
        if city and _is_place_name(city.group(1)):
            trimmed = _trim_place(city.group(1))
            if trimmed:
                yield make_span(
                    ctx, city.start(1), city.start(1) + len(trimmed), "LOCATION", "address"
                )


def _is_medical_single_word(candidate: str) -> bool:
    """A lone capitalised word that is more likely medical than a place ("to Parkinson's")."""
    if " " in candidate:
        return False
    bare = re.sub(r"['’]s$", "", candidate)
    return bare in KNOWN_EPONYMS or bare.lower() in MONTH_SET or bare.endswith(("'s", "’s"))


def _trim_place(candidate: str) -> str:
    """Drop trailing words that are not part of a place name ("Springfield Follow")."""
    words = candidate.split()
    while words and (is_non_name_word(words[-1]) or words[-1].rstrip(".") in US_STATES):
        words.pop()
    return " ".join(words) if words else ""


@register(
    "location", ("LOCATION",), "Cities, counties, ZIP codes and facility names below state level."
)
def find_locations(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _ZIP_RE.finditer(text):
        group = 1 if m.group(1) else 2
        yield make_span(ctx, m.start(group), m.end(group), "LOCATION", "location")
    for m in _COUNTY_RE.finditer(text):
        if not is_non_name_word(m.group(1).split()[0]) or m.group(1).startswith("St"):
            yield make_span(ctx, m.start(1), m.end(1), "LOCATION", "location")
    for pattern in (_CITY_STATE_RE, _PLACE_CUE_RE, _PREP_PLACE_RE):
        for m in pattern.finditer(text):
            candidate = _trim_place(m.group(1))
            if (
                candidate
                and _is_place_name(candidate)
                and not ctx.is_protected(m.start(1), m.start(1) + len(candidate))
                and not (pattern is _PREP_PLACE_RE and _is_medical_single_word(candidate))
            ):
                yield make_span(
                    ctx, m.start(1), m.start(1) + len(candidate), "LOCATION", "location"
                )
    for m in _FACILITY_RE.finditer(text):
        words = m.group(1).split()
        distinctive = [
            w for w in words[:-1] if w.lower() not in _FACILITY_GENERIC and not is_non_name_word(w)
        ]
        if distinctive and not ctx.is_protected(m.start(1), m.end(1)):
            yield make_span(ctx, m.start(1), m.end(1), "LOCATION", "location")
