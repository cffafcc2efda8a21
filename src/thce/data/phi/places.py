"""Recognizers for addresses and geographic units below state level (cities, counties, ZIPs)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from thce.data.phi.base import make_span, recognizer
from thce.data.phi.context import TextContext
from thce.data.phi.headers import is_caps_name_word
from thce.data.phi.lexicon import (
    KNOWN_EPONYMS,
    LARGE_REGIONS,
    US_STATES,
)
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
    r"Crossing|Alley|Cove|Heights|Landing|Ridge|Run|Close|Crescent|Cres|Gardens|Commons|Green|"
    r"Hollow|Glen|Bend|Point|Walk|Mews|Route|Rte"
)
# The same suffixes in capitals, for address lines written in capitals ("12 OAK ST"); "CT" and
# "PT" are left out: "2 Head CT" is an imaging study.
_STREET_SUFFIX_CAPS = "|".join(
    w.upper() for w in _STREET_SUFFIX.split("|") if w.upper() not in ("CT", "PT")
)
_STREET_RE = re.compile(
    rf"(?<![\w.,/-])\d{{1,6}}[A-Z]?(?:-\d{{1,4}})?[ \t]+"
    r"(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?[ \t]+)?"
    rf"(?:(?:(?:[A-Z][\w'’.-]*|\d{{1,3}}(?:st|nd|rd|th))[ \t]+){{1,3}}(?:{_STREET_SUFFIX})"
    rf"|(?:(?:[A-Z][A-Z'’.-]*|\d{{1,3}}(?:ST|ND|RD|TH))[ \t]+){{1,3}}(?:{_STREET_SUFFIX_CAPS}))"
    r"\.?(?![\w-])"
    r"(?:[ \t]+\d{1,4}(?![\w-]))?"
    r"(?:,?[ \t]+(?i:Apt|Apartment|Unit|Suite|Ste|Room|Rm|Floor|Fl|Bldg|Building|Flat|#)\.?[ \t]*#?[ \t]*"
    r"(?:[A-Za-z0-9-]*\d[A-Za-z0-9-]*|[A-Z](?![\w'’-])))?"
    r"(?:,?[ \t]+\d{1,3}(?:st|nd|rd|th)[ \t]+(?i:floor|fl)\b)?"
    r"|\b(?:P\.?[ \t]?O\.?[ \t]*Box|Post[ \t]+Office[ \t]+Box)[ \t]+\d+"
    # Roads without a house number: "Route 9 mile marker 41", "I-95 exit 12", "Hwy 12"
    r"|\b(?:Route|Rte\.?|Highway|Hwy\.?|Interstate|I-|State[ \t]+Route|County[ \t]+Road)[ ]?\d{1,4}"
    r"(?![\w-])(?:[ \t]+(?:mile[ \t]+marker|MM|mm|exit)[ \t]+\d{1,4}(?![\w-]))?"
    # Rural routes: "RR 2 Box 118", "RR 1, 2290 County Road 14" ("RR 20" alone is a
    # respiratory rate)
    r"|\b(?:RR|R\.R\.|Rural[ \t]+Route|Star[ \t]+Route)[ \t]*\d+"
    r"(?:,?[ \t]+Box[ \t]+\d+|,(?=[ \t]+\d+[ \t]+[A-Z]))(?![\w-])"
    r"|\bRural[ \t]+Route[ \t]+\d+"
    # UK flats and named buildings: "Flat 4, 27 Lowther Crescent", "Flat 9, Lindenhurst House"
    r"|\b(?:Flat|Apt|Apartment|Unit|Suite)[ \t]+\w{1,5},[ \t]+(?:\d{1,5}[ \t]+)?"
    r"(?:[A-Z][\w'’-]*[ \t]+){1,3}(?:House|Court|Building|Tower|Towers|Apartments|Hall|Lodge|Manor|"
    r"Mansions|Block|Crescent|Road|Street|Lane|Close|Gardens|Terrace|Way|Drive|Avenue|Place)\b"
)
_CAP_WORDS = r"(?:(?:St|Mt|Ft)\.?[ \t]+)?[A-Z][a-z'’-]+(?:[ \t]+[A-Z][a-z'’-]+){0,2}"
# Address lines are often written in capitals: "1420 BIRCH HOLLOW RD, MILLBROOK, OR 97381".
_CAPS_PLACE = r"(?:(?:ST|MT|FT)\.?[ \t]+)?[A-Z][A-Z'’-]+(?:[ \t][A-Z][A-Z'’-]+){0,2}"
_ANY_PLACE = rf"(?:{_CAP_WORDS}|{_CAPS_PLACE})"
# The city after a street: same line after a comma, or the start of the next line.
_CITY_AFTER_STREET_RE = re.compile(
    rf"(?:,?[ \t]+(?:in[ \t]+)?|[ \t]*,?[ \t]*\n[ \t]*)({_ANY_PLACE})(?![\w'’-])"
)
_ZIP = r"\d{5}(?:-\d{4})?"
_ZIP_RE = re.compile(
    rf"(?:[A-Za-z],?[ \t]*\b(?:{STATE_ABBR})|\b(?:{STATE_NAME})),?[ \t]+({_ZIP})(?![\w-])"
    rf"|(?i:\bzip(?:[ \t]*code)?|\bpostal[ \t]+code)[ \t]*(?:is|:|#)?[ \t]*({_ZIP})(?![\w-])"
)
# A state abbreviation followed by an identifier is a label: "Ambetter, ID U7720019381".
_CITY_STATE_RE = re.compile(
    rf"(?<![\w'’-])({_CAP_WORDS}),[ \t]*(?:(?:{STATE_ABBR})(?![\w'’])"
    r"(?![ \t]*[:#]|[ \t]+(?=[A-Z0-9-]*\d)(?!\d{5}(?:-\d{4})?\b))|"
    rf"{STATE_NAME}\b)"
)
# "East Haddam CT 06423", "MILLBROOK OR 97381": a city before a state and a ZIP, no comma.
_CITY_STATE_ZIP_RE = re.compile(
    rf"(?<![\w'’-])({_ANY_PLACE}),?[ \t]+(?:{STATE_ABBR})\.?,?[ \t]+{_ZIP}(?![\w-])"
)
# "Marston Mills, 02648": a city right before a ZIP code, without a state.
_CITY_ZIP_RE = re.compile(rf"(?<![\w'’-])({_CAP_WORDS}),[ \t]*({_ZIP})(?![\w-])")
# A labelled city or county: "City: Cedar Falls", "Town of residence: Ayer".
_CITY_LABEL_RE = re.compile(
    rf"(?i:\b(?:city|town|village|county|municipality|township|city/town|place[ \t]+of[ \t]+birth|"
    rf"birthplace|hometown)(?:[ \t]+of[ \t]+residence)?[ \t]*:[ \t]*)({_ANY_PLACE})"
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


def _is_place_name(candidate: str) -> bool:
    words = candidate.split()
    if not words or candidate in LARGE_REGIONS or candidate.rstrip(".") in LARGE_REGIONS:
        return False
    if candidate.isupper() and candidate.title() in LARGE_REGIONS:
        return False
    if words[0].rstrip(".").lower() in TITLE_SET:
        return False
    return _place_word_ok(words[0]) and candidate not in US_STATES


def _place_word_ok(word: str) -> bool:
    """A word that can start or end a place name; capitals are checked as name words."""
    if word.isupper() and len(word) > 2:
        return is_caps_name_word(word)
    return not is_non_name_word(word)


@recognizer(
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


# Words that end place names although they are also common words ("Danbury Falls").
_GEO_WORDS = frozenset(
    [
        "falls",
        "springs",
        "spring",
        "heights",
        "hills",
        "hill",
        "park",
        "beach",
        "lake",
        "lakes",
        "river",
        "harbor",
        "harbour",
        "bridge",
        "city",
        "village",
        "valley",
        "mills",
        "mill",
        "creek",
        "point",
        "port",
        "junction",
        "crossing",
        "ridge",
        "grove",
        "woods",
        "forest",
        "bay",
        "island",
        "islands",
        "center",
        "centre",
        "township",
        "borough",
    ]
)


def _trim_place(candidate: str) -> str:
    """Drop trailing words that are not part of a place name ("Springfield Follow")."""
    words = candidate.split()
    while words and (
        (not _place_word_ok(words[-1]) and not (len(words) > 1 and words[-1].lower() in _GEO_WORDS))
        or words[-1].rstrip(".") in US_STATES
    ):
        words.pop()
    return " ".join(words) if words else ""


@recognizer(
    "location", ("LOCATION",), "Cities, counties, ZIP codes and facility names below state level."
)
def find_locations(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _ZIP_RE.finditer(text):
        group = 1 if m.group(1) else 2
        yield make_span(ctx, m.start(group), m.end(group), "LOCATION", "location")
    for m in _CITY_ZIP_RE.finditer(text):
        candidate = _trim_place(m.group(1))
        if candidate and _is_place_name(candidate):
            yield make_span(ctx, m.start(1), m.start(1) + len(candidate), "LOCATION", "location")
            yield make_span(ctx, *m.span(2), "LOCATION", "location")
    for m in _COUNTY_RE.finditer(text):
        if not is_non_name_word(m.group(1).split()[0]) or m.group(1).startswith("St"):
            yield make_span(ctx, m.start(1), m.end(1), "LOCATION", "location")
    for pattern in (
        _CITY_STATE_RE,
        _CITY_STATE_ZIP_RE,
        _CITY_LABEL_RE,
        _PLACE_CUE_RE,
        _PREP_PLACE_RE,
    ):
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
