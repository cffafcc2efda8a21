"""Rule-based PHI recognizers, looked up by name in a registry.

Each recognizer takes a :class:`~thce.data.phi.context.TextContext` and yields
:class:`~thce.data.phi.spans.PHISpan` objects. Structured identifiers (phone, SSN, e-mail,
record numbers...) are matched by patterns, most of them anchored on a context word ("MRN",
"member ID", "serial #") so that medical numbers (codes, doses, vitals) are left alone.

>>> from thce.data.phi.context import TextContext
>>> [s.label for s in RECOGNIZERS["ssn"].func(TextContext("SSN 123-45-6789"))]
['SSN']
>>> [s.label for s in RECOGNIZERS["date"].func(TextContext("BP 140/90, seen 3/14/2024"))]
['DATE']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from thce.data.phi.context import TextContext
from thce.data.phi.lexicon import (
    COMMON_CAPITALIZED,
    CREDENTIALS,
    DRUG_NAMES,
    DRUG_SUFFIX_RE,
    KNOWN_EPONYMS,
    LARGE_REGIONS,
    MEDICAL_ABBREVIATIONS,
    MEDICAL_SUFFIX_RE,
    MONTHS,
    RELATIONS,
    TITLES,
    US_STATES,
)
from thce.data.phi.spans import PHISpan
from thce.errors import DataError

RecognizerFunc = Callable[[TextContext], Iterable[PHISpan]]


@dataclass(frozen=True)
class Recognizer:
    """A named PHI recognizer: which labels it emits and what it looks for."""

    name: str
    labels: tuple[str, ...]
    description: str
    func: RecognizerFunc


RECOGNIZERS: dict[str, Recognizer] = {}


def register(name: str, labels: tuple[str, ...], description: str) -> Callable[[RecognizerFunc], RecognizerFunc]:
    """Decorator adding a recognizer function to :data:`RECOGNIZERS` under ``name``."""

    def wrap(func: RecognizerFunc) -> RecognizerFunc:
        RECOGNIZERS[name] = Recognizer(name, labels, description, func)
        return func

    return wrap


def get_recognizers(names: Iterable[str] | None = None) -> list[Recognizer]:
    """Return the recognizers named (all of them when ``names`` is None).

    >>> [r.name for r in get_recognizers(["email", "phone"])]
    ['email', 'phone']

    Raises:
        DataError: a name is not registered; the message lists the valid names.
    """
    if names is None:
        return list(RECOGNIZERS.values())
    chosen: list[Recognizer] = []
    for name in names:
        key = str(name).strip().lower()
        if key not in RECOGNIZERS:
            raise DataError(
                f"Unknown PHI recognizer {name!r}; valid names: {', '.join(sorted(RECOGNIZERS))}"
            )
        if RECOGNIZERS[key] not in chosen:
            chosen.append(RECOGNIZERS[key])
    return chosen


# --------------------------------------------------------------------------- shared bits

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
# A capitalised name word: "Smith", "McDonald", "O'Brien", "Hernández", "Smith-Jones".
_NAME_WORD = rf"[{_UPPER}][{_LOWER}]*(?:[{_UPPER}][{_LOWER}]+)?(?:['’-](?!s\b)[{_UPPER}]?[{_LOWER}]+)*"
_INITIAL = rf"[{_UPPER}]\."
_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|du|la|le|bin|ibn|al|ter|dos|das)"
_NAME_ITEM = rf"(?:{_INITIAL}|{_NAME_WORD})"
# Up to four name items on one line: "Maria J. Lopez", "Van der Berg", "Ana de la Cruz".
_NAME_SEQ = rf"{_NAME_ITEM}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_NAME_ITEM}){{0,3}}"
_TOKEN_RE = re.compile(rf"{_INITIAL}|[^\s,;:()]+")

_STATE_ABBR = "|".join(US_STATES)
_STATE_NAME = "|".join(sorted((re.escape(n) for n in US_STATES.values()), key=len, reverse=True))
_MONTH_SET = {m.lower() for m in MONTHS}
_TITLE_SET = {t.lower() for t in TITLES}
_RELATION_SET = {r.lower() for r in RELATIONS}
_PARTICLE_SET = set(_PARTICLE.strip("(?:)").split("|"))


def _span(ctx: TextContext, start: int, end: int, label: str, source: str) -> PHISpan:
    return PHISpan(start, end, label, source, ctx.text[start:end])


# Capitalised at a sentence start, never names. Name-like words ("Will", "May") are absent.
_FUNCTION_WORDS = frozenset(
    """
    a an the and but or nor for so yet in on at to from by of off with without within into onto
    over under after before during since until upon about above below between per via as if
    when while where then than this that these those there here he she they we you i it his her
    hers their theirs our ours your its him them us me my mine is are was were be been being has
    have had do does did not no yes all any both each few more most other some such only own same
    also just very can could should would must shall might who whom whose which what why how
    """.split()
)


def is_non_name_word(word: str) -> bool:
    """Whether a single capitalised word is clinical vocabulary rather than a name.

    Checks section and function words, abbreviations, drug names and drug-class endings.
    Month names are not excluded here: "April" and "June" are first names too.
    """
    bare = re.sub(r"['’]s$", "", word.strip(".,;:'’\"()"))
    low = bare.lower()
    if not bare or low in COMMON_CAPITALIZED or low in DRUG_NAMES or low in _FUNCTION_WORDS:
        return True
    if bare in MEDICAL_ABBREVIATIONS or bare.upper() in MEDICAL_ABBREVIATIONS:
        return True
    if bare.isupper() and len(bare) <= 6:
        return True  # abbreviations; names written in capitals are rare in notes
    return bool(len(bare) > 5 and DRUG_SUFFIX_RE.search(bare))


def looks_medical(text: str, word: str) -> bool:
    """Whether a lone capitalised word with no other name evidence is medical, not a name.

    True for known eponyms ("Parkinson"), medical word endings ("Splenomegaly", "Glaucoma")
    and words that the same note also writes in lower case ("Cord ... cord gas").
    """
    if word in KNOWN_EPONYMS or MEDICAL_SUFFIX_RE.search(word):
        return True
    low = word.lower()
    return low != word and re.search(rf"(?<![\w-]){re.escape(low)}(?![\w-])", text) is not None


def clean_name_tokens(
    ctx: TextContext, start: int, end: int, *, strict_single: bool
) -> list[tuple[int, int]]:
    """Trim a candidate name to the words that can be part of a name.

    Leading/trailing clinical words, titles and relations are dropped; words inside a protected
    eponym phrase are dropped. With ``strict_single`` a lone remaining word that is a known
    eponym ("Parkinson's") is dropped too. Returns ``(start, end)`` of the kept words, or ``[]``.
    """
    words = [(m.start() + start, m.end() + start) for m in _TOKEN_RE.finditer(ctx.text[start:end])]
    words = [(s, e) for s, e in (_strip_word(ctx.text, s, e) for s, e in words) if e > s]

    def droppable(s: int, e: int) -> bool:
        word = ctx.text[s:e]
        low = word.rstrip(".").lower()
        if re.fullmatch(_INITIAL, word):
            return False  # "K. Osei": initials belong to the name
        return (
            is_non_name_word(word)
            or low in _TITLE_SET
            or low in _RELATION_SET
            or not word[0].isupper()
            or any(ch.isdigit() for ch in word)
        )

    while words and droppable(*words[0]):
        words.pop(0)
    while words and (
        droppable(*words[-1])
        or ctx.text[slice(*words[-1])] in _PARTICLE_SET
        or re.fullmatch(_INITIAL, ctx.text[slice(*words[-1])])
    ):
        words.pop()
    # Words from the first one inside an eponym phrase on ("Maria Graves disease") are dropped.
    kept: list[tuple[int, int]] = []
    for s, e in words:
        if ctx.is_protected(s, e):
            break
        kept.append((s, e))
    if len(kept) == 1:
        word = re.sub(r"['’]s$", "", ctx.text[slice(*kept[0])])
        if word.lower() in _MONTH_SET or (strict_single and looks_medical(ctx.text, word)):
            return []
    return [(kept[0][0], kept[-1][1])] if kept else []


def _strip_word(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in "\"'“”‘’([":
        start += 1
    while end > start and text[end - 1] in "\"'“”‘’)].,;:!?":
        if text[end - 1] == "." and re.fullmatch(_INITIAL, text[start:end]):
            break
        end -= 1
    if text[start:end].endswith(("'s", "’s")):
        end -= 2
    return start, end


# --------------------------------------------------------------------------- contact details

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")


@register("email", ("EMAIL",), "E-mail addresses.")
def find_emails(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _EMAIL_RE.finditer(ctx.text):
        yield _span(ctx, m.start(), m.end(), "EMAIL", "email")


_TLDS = "com|org|net|edu|gov|io|us|info|health|care|co|biz|me|app"
_URL_RE = re.compile(
    rf"\b(?:https?://|ftp://|www\.)[^\s<>\"'()\[\]]+"
    rf"|(?<![@\w.-])(?:[A-Za-z0-9-]+\.)+(?:{_TLDS})\b(?:/[^\s<>\"'()\[\]]*)?",
    re.IGNORECASE,
)


@register("url", ("URL",), "Web addresses: http(s)://..., www...., bare domains like portal.example.org.")
def find_urls(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _URL_RE.finditer(ctx.text):
        end = m.end()
        while end > m.start() and ctx.text[end - 1] in ".,;:!?":
            end -= 1
        yield _span(ctx, m.start(), end, "URL", "url")


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP_RE = re.compile(
    rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w.]*\w)"
    r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])"
    r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}:?){1,6}(?![\w:])"
)


@register("ip", ("IP",), "IPv4 and IPv6 addresses.")
def find_ips(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _IP_RE.finditer(ctx.text):
        yield _span(ctx, m.start(), m.end(), "IP", "ip")


_SSN_RE = re.compile(
    r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])"
    r"|(?i:\b(?:ssn|social security(?:[ \t]+(?:number|no\.?|#))?)[ \t]*[:#]?[ \t]*)"
    r"(\d{9}|\d{3}[ \t]\d{2}[ \t]\d{4}|[xX*]{3}-?[xX*]{2}-?\d{4})\b"
)


@register("ssn", ("SSN",), "Social security numbers: 123-45-6789, 'SSN 123456789', masked XXX-XX-1234.")
def find_ssns(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _SSN_RE.finditer(ctx.text):
        start, end = m.span(1) if m.group(1) else m.span()
        yield _span(ctx, start, end, "SSN", "ssn")


_PHONE_RE = re.compile(
    r"(?<![\w/.+-])(?:\+?1[ \t.-]?)?(?:\(\d{3}\)[ \t]?|\d{3}[ \t.-])\d{3}[ \t.-]\d{4}"
    r"(?:[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,6})?(?![\w/-]|\.\d)"
)
_LOCAL_PHONE_RE = re.compile(
    r"(?i:\b(?:call|phone|tel|telephone|cell|mobile|pager|beeper|contact|reach)"
    r"\b[ \t]*(?:at|is|#|:|number|no\.?)?[ \t]*(?:at|is|#|:)?[ \t]*)(\d{3}-\d{4})(?![\w/.-])"
    r"|(?i:\b(?:pager|beeper|page|ext|extension|x)\b\.?[ \t]*(?:#|:)?[ \t]*)(\d{4,5})(?![\w/.-])"
)
_FAX_CUE_RE = re.compile(r"(?i)\bfax(?:ed)?\b")
_PHONE_CUE_RE = re.compile(r"(?i)\b(?:phone|tel|telephone|cell|mobile|call|pager|ph)\b")


@register("phone", ("PHONE", "FAX"), "Telephone and fax numbers (fax when 'fax' precedes it).")
def find_phones(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    spans = [m.span() for m in _PHONE_RE.finditer(text)]
    spans += [m.span(1) if m.group(1) else m.span(2) for m in _LOCAL_PHONE_RE.finditer(text)]
    for start, end in spans:
        before = text[max(0, start - 30) : start]
        fax = [m.end() for m in _FAX_CUE_RE.finditer(before)]
        phone = [m.end() for m in _PHONE_CUE_RE.finditer(before)]
        label = "FAX" if fax and (not phone or fax[-1] > phone[-1]) else "PHONE"
        yield _span(ctx, start, end, label, "phone")


# --------------------------------------------------------------------------- identifiers

# Identifier values: 3+ digits among letters/digits/dashes ("A5300714", "1EG4-TE5-MK73").
_ID_VALUE = r"(?=(?:[A-Za-z-]*\d){3})[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){2,30}"
_ID_GLUE = r"(?:[ \t]*(?:[:#=.]|-(?!\d)|\b(?i:number|numbers|no|num|id|is|was|of)\b)[ \t]*)*[ \t]*"


def _id_pattern(cues: str, value: str = _ID_VALUE) -> re.Pattern[str]:
    return re.compile(rf"(?i:\b(?:{cues}))(?![A-Za-z]){_ID_GLUE}({value})(?![\w-])")


_ID_PATTERNS: dict[str, re.Pattern[str]] = {
    "MRN": _id_pattern(
        r"mrn|mr[ \t]?#|medical[ \t]+record(?:[ \t]+(?:number|no|#))?|record[ \t]+(?:number|no|#)"
        r"|chart(?:[ \t]+(?:number|no|#))?|patient[ \t]+(?:id|identifier|number)|pt[ \t]+id"
        r"|hospital[ \t]+(?:number|no|id)|accession(?:[ \t]+(?:number|no|#))?|specimen[ \t]+(?:id|number)"
        r"|case[ \t]+(?:number|no|#)|unit[ \t]+number|empi|enterprise[ \t]+id"
    ),
    "HEALTH_PLAN": _id_pattern(
        r"member(?:ship)?(?:[ \t]+(?:id|number|no|#))?|subscriber(?:[ \t]+(?:id|number|no|#))?"
        r"|policy(?:[ \t]+holder)?(?:[ \t]+(?:id|number|no|#))?|insurance(?:[ \t]+(?:id|number|no|#))?"
        r"|health[ \t]+plan(?:[ \t]+(?:id|number|no|#))?|plan[ \t]+(?:id|number)"
        r"|group(?:[ \t]+(?:number|no|#|id))|medicare(?:[ \t]+(?:id|number|no|#|card|mbi))?|mbi|hicn"
        r"|medicaid(?:[ \t]+(?:id|number|no|#|card))?|beneficiary(?:[ \t]+(?:id|identifier|number))?"
        r"|payer[ \t]+id|insured[ \t]+id|va[ \t]+(?:id|number|no|#)|veteran[ \t]+(?:id|number)"
        r"|tricare(?:[ \t]+(?:id|number|no|#))?|champva(?:[ \t]+(?:id|number|no|#))?"
    ),
    "ACCOUNT": _id_pattern(
        r"account(?:[ \t]+(?:number|no|#|id))?|acct\.?(?:[ \t]+(?:number|no|#))?"
        r"|billing(?:[ \t]+(?:account|number|no|#|id))?|claim(?:[ \t]+(?:number|no|#|id))?"
        r"|encounter(?:[ \t]+(?:number|no|#|id))?|visit[ \t]+(?:number|no|#|id)|fin"
        r"|invoice(?:[ \t]+(?:number|no|#))?|(?:credit[ \t]+|debit[ \t]+)?card[ \t]+(?:number|no|#)"
        r"|routing[ \t]+(?:number|no|#)|iban|bank[ \t]+account"
        r"|user[ \t]*(?:name|id)|username|login(?:[ \t]+(?:id|name))?|portal[ \t]+(?:id|account)"
    ),
    "LICENSE": _id_pattern(
        r"driver'?s?[ \t]+licen[cs]e(?:[ \t]+(?:number|no|#))?|(?-i:DL)(?=[ \t]*[#:])"
        r"|(?:medical[ \t]+|state[ \t]+|nursing[ \t]+|professional[ \t]+|hack[ \t]+)?licen[cs]e(?:[ \t]+(?:number|no|#))?"
        r"|dea(?:[ \t]+(?:number|no|#|registration))?|npi(?:[ \t]+(?:number|no|#))?"
        r"|certificate(?:[ \t]+(?:number|no|#))|permit[ \t]+(?:number|no|#)|passport(?:[ \t]+(?:number|no|#))?"
    ),
    "VEHICLE": _id_pattern(
        r"vin|vehicle[ \t]+identification(?:[ \t]+number)?|vehicle[ \t]+(?:id|number)"
        r"|(?:license[ \t]+|licence[ \t]+|registration[ \t]+)?plate(?:[ \t]+(?:number|no|#))?"
        r"|tag[ \t]+number|registration[ \t]+(?:number|no|#)",
        value=r"(?=(?:[A-Za-z-]*\d){2})(?=[0-9-]*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9]|[- ](?=[A-Za-z0-9]*\d)[A-Za-z0-9]){1,20}",
    ),
    "DEVICE": _id_pattern(
        r"serial(?:[ \t]+(?:number|no|#))?|s/n|sn(?=[ \t]*[:#])|(?-i:SN)|device(?:[ \t]+(?:id|identifier|serial|number|#))"
        r"|udi|implant(?:[ \t]+(?:id|serial|number))|imei|model/serial|lot/serial"
    ),
}
_VIN_RE = re.compile(r"\b(?=[A-HJ-NPR-Z0-9]{17}\b)(?=(?:[0-9]*[A-HJ-NPR-Z]){2})(?=(?:[A-Z]*[0-9]){3})[A-HJ-NPR-Z0-9]{17}\b")
_MBI_RE = re.compile(r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}\b")


def _make_id_recognizer(label: str, name: str, description: str) -> None:
    pattern = _ID_PATTERNS[label]

    def find(ctx: TextContext) -> Iterator[PHISpan]:
        for m in pattern.finditer(ctx.text):
            yield _span(ctx, m.start(1), m.end(1), label, name)
        if label == "VEHICLE":
            for m in _VIN_RE.finditer(ctx.text):
                yield _span(ctx, m.start(), m.end(), label, name)
        if label == "HEALTH_PLAN":
            for m in _MBI_RE.finditer(ctx.text):
                yield _span(ctx, m.start(), m.end(), label, name)

    find.__doc__ = description
    register(name, (label,), description)(find)


_make_id_recognizer("MRN", "mrn", "Medical record / chart / patient / accession numbers after a cue word.")
_make_id_recognizer(
    "HEALTH_PLAN", "health_plan", "Member, subscriber, policy, Medicare/Medicaid IDs; Medicare MBIs."
)
_make_id_recognizer("ACCOUNT", "account", "Account, billing, claim, encounter and card numbers.")
_make_id_recognizer("LICENSE", "license", "Driver's licence, DEA, NPI, professional licence numbers.")
_make_id_recognizer("VEHICLE", "vehicle", "VINs (17 characters) and licence plates after a cue word.")
_make_id_recognizer("DEVICE", "device", "Device serial numbers and identifiers (S/N, serial #, UDI).")

_LONG_NUMBER_RE = re.compile(r"(?<![\w.,/-])\d{7,}(?![\w.,/-]|\.\d)")
_CODE_CUE_RE = re.compile(r"(?i)\b(?:ndc|cpt|hcpcs|icd|loinc|snomed|rxnorm|code)\b[^.;\n]{0,12}$")


@register("identifier", ("MRN",), "Any other stand-alone number of 7+ digits (treated as a record number).")
def find_long_numbers(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _LONG_NUMBER_RE.finditer(ctx.text):
        if _CODE_CUE_RE.search(ctx.text, max(0, m.start() - 20), m.start()):
            continue  # NDC / code numbers are medical content
        yield _span(ctx, m.start(), m.end(), "MRN", "identifier")


# --------------------------------------------------------------------------- dates and ages

_MONTH_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_ABBR = r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
_MONTH_ANY = rf"(?:{_MONTH_FULL}|(?:{_MONTH_ABBR})\.?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_UNIT_AFTER = re.compile(
    r"[ \t]*(?:mg|mcg|µg|g|kg|ml|mL|l|L|units?|u|iu|IU|mmol|meq|mEq|mmHg|mm|cm|tabs?|tablets?|caps?|"
    r"puffs?|drops?|%|strength|power|murmur|pain|scale|score|vision|systolic|diastolic|pulses?|"
    r"reflex(?:es)?|grade|in\b|inch)",
)
_MEASURE_BEFORE = re.compile(
    r"(?i)(?:\b(?:bp|blood[ \t]+pressure|pressure|pain|strength|grip|power|motor|murmur|grade|"
    r"score|scale|pulses?|reflex(?:es)?|dtrs?|vision|acuity|va|ratio|moca|mmse|slums|phq-?9?|"
    r"gad-?7?|fev1/fvc|apgar|gleason|rated|sensation|x|each|take|takes|taking|tab|tablet|norco|"
    r"percocet|vicodin|sinemet|carbidopa/levodopa|dose|sig)\b[^.;\n\d]{0,12})$"
)
_DATE_CUE_BEFORE = re.compile(
    r"(?i)\b(?:on|since|from|until|till|through|thru|to|dated?|seen|admitted|admission|"
    r"discharged?|discharge|visit|dos|dob|born|started|start|stopped|last|next|by|as[ \t]+of|"
    r"effective|surgery|scheduled|f/u|follow[- ]?up|returns?|due|onset|injury|injured|fell|"
    r"drawn|collected|performed|done|placed|removed|expires?|exp|before|after)"
    r"[ \t:]*$"
)
_NUMERIC_DATE_RE = re.compile(
    r"(?<![\w/.-])(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/]|[-.]\d)"
    r"|(?<![\w/.-])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\w.]*\d)"
    r"|(?<![\w/.-])((?:19|20)\d{2})([-/.])(\d{1,2})\9(\d{1,2})(?:T\d{2}:\d{2}(?::\d{2})?Z?)?(?![\w/-]|\.\d)"
)
_MONTH_DAY_RE = re.compile(r"(?<![\w/.\-+])(\d{1,2})/(\d{1,2})(?![\w/]|\.\d|-\d)")
_TEXT_DATE_RE = re.compile(
    # "March 14, 2024", "Mar. 14th", "Monday, March 14"
    rf"\b{_MONTH_ANY}[ \t]+{_DAY}\b(?:,?[ \t]+{_YEAR}\b)?"
    # "14 March 2024", "14th of March"
    rf"|\b{_DAY}[ \t]+(?:of[ \t]+)?{_MONTH_ANY}(?![a-z])(?:,?[ \t]+{_YEAR}\b)?"
    # "March 2024", "Sept. 2019"
    rf"|\b{_MONTH_ANY},?[ \t]+{_YEAR}\b"
    r"|\bmid-(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
    # ISO year-month "2024-03"
    r"|(?<![\w-])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])(?![\w-])"
)


# A bare month after a time preposition: "in March", "since early October" (not "May", a verb).
_BARE_MONTH_RE = re.compile(
    r"\b(?:in|since|during|until|through|early|late|last|next|by|of|before|after)[ \t]+"
    r"((?:early[ \t]+|late[ \t]+)?(?:January|February|March|April|June|July|August|September|"
    r"October|November|December))\b"
)


def _valid_day_month(a: int, b: int) -> bool:
    """Whether (a, b) reads as month/day or day/month."""
    return (1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31)


_WEEKDAY_BEFORE_RE = re.compile(
    r"\b(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?[ \t]+$"
)


@register("date", ("DATE",), "Dates with a day or month (years alone are kept, as Safe Harbor allows).")
def find_dates(ctx: TextContext) -> Iterator[PHISpan]:
    """Dates, with a weekday written just before them ("Friday 5/16")."""
    for span in _find_dates(ctx):
        weekday = _WEEKDAY_BEFORE_RE.search(ctx.text, max(0, span.start - 12), span.start)
        yield _span(ctx, weekday.start(), span.end, "DATE", "date") if weekday else span


def _find_dates(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _NUMERIC_DATE_RE.finditer(text):
        if m.group(1):
            ok = _valid_day_month(int(m.group(1)), int(m.group(3)))
        elif m.group(5):
            ok = _valid_day_month(int(m.group(5)), int(m.group(6)))
        else:
            ok = 1 <= int(m.group(10)) <= 12 and 1 <= int(m.group(11)) <= 31
        if ok:
            yield _span(ctx, m.start(), m.end(), "DATE", "date")
    for m in _TEXT_DATE_RE.finditer(text):
        if _UNIT_AFTER.match(text, m.end()) and not re.search(r"\d{4}$", m.group()):
            continue  # "May 5 mg" is a dose
        yield _span(ctx, m.start(), m.end(), "DATE", "date")
    for m in _BARE_MONTH_RE.finditer(text):
        yield _span(ctx, m.start(1), m.end(1), "DATE", "date")
    for m in _MONTH_DAY_RE.finditer(text):
        if _is_short_date(text, m):
            yield _span(ctx, m.start(), m.end(), "DATE", "date")


def _is_short_date(text: str, m: re.Match[str]) -> bool:
    """Decide whether a yearless "3/14" is a date rather than a ratio, score or dose.

    Not a date when out of month/day range, after a measurement word ("BP", "pain", "grip"),
    or before a unit ("mg", "strength"). A date when a date word precedes it ("on 3/4") or
    when the second number is above 10 (scores are out of 4, 5, 6 or 10).
    """
    month, day = int(m.group(1)), int(m.group(2))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    before = text[max(0, m.start() - 40) : m.start()]
    if _MEASURE_BEFORE.search(before) or _UNIT_AFTER.match(text, m.end()):
        return False
    return bool(_DATE_CUE_BEFORE.search(before)) or day > 10


_AGE_NUM = r"(9\d|1[0-2]\d)"
_AGE_RE = re.compile(
    rf"(?<![\w.]){_AGE_NUM}(?=[ \t]*-?[ \t]*(?:years?|yrs?|y)\.?[ \t]*-?[ \t]*(?:old|o\b|/o\b|\.o\.))"
    rf"|(?<![\w.]){_AGE_NUM}(?=[ \t]*(?:yo|y/o|y\.o\.|YO|Y/O|yr[ \t]+old|yrs[ \t]+old)\b)"
    rf"|(?i:\bage[sd]?\b[ \t]*(?:of[ \t]*)?:?[ \t]*){_AGE_NUM}(?!\w|\.\d|[ \t]*(?:mg|kg|%|days?|weeks?|months?|min))"
    rf"|(?<![\w.]){_AGE_NUM}(?=[ \t]?(?:M|F|male|female|man|woman|gentleman|lady)\b)"
    # "Pt is 91.", "she turned 95 in May"
    rf"|(?i:\b(?:patient|pt|he|she|who)[ \t]+(?:is|was|turned|turns|is[ \t]+now)[ \t]+){_AGE_NUM}"
    r"(?=[ \t]*(?:[.,;)]|$|and\b|with\b|but\b|in\b))"
    # "Ottoline Greaves, 103, ..." - a number between commas right after a capitalised word
    rf"|(?<=[A-Za-z][a-z]),[ \t]*{_AGE_NUM}(?=[ \t]*[,;)])"
)
_TEMP_BEFORE = re.compile(r"(?i)\b(?:t|temp|temperature|tmax|fever|febrile|hr|pulse|weight|wt)\b[ \t:]*$")


@register("age", ("AGE",), "Ages over 89 ('92-year-old', '94 yo', 'aged 91', '95F'); the number only.")
def find_old_ages(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _AGE_RE.finditer(text):
        group = next(g for g in range(1, 7) if m.group(g))
        start, end = m.span(group)
        if group == 4 and _TEMP_BEFORE.search(text, max(0, start - 15), start):
            continue  # "T 99 F" is a temperature
        yield _span(ctx, start, end, "AGE", "age")


# --------------------------------------------------------------------------- places

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
    rf"(?:[A-Za-z],[ \t]*(?:{_STATE_ABBR})|\b(?:{_STATE_NAME})),?[ \t]+({_ZIP})(?![\w-])"
    rf"|(?i:\bzip(?:[ \t]*code)?|\bpostal[ \t]+code)[ \t]*(?:is|:|#)?[ \t]*({_ZIP})(?![\w-])"
)
_CITY_STATE_RE = re.compile(
    rf"(?<![\w'’-])({_CAP_WORDS}),[ \t]*(?:(?:{_STATE_ABBR})(?![\w'’])|{_STATE_NAME}\b)"
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
    "high", "middle", "elementary", "primary", "secondary", "junior", "senior", "medical",
    "nursing", "assisted", "public", "private", "charter",
}  # fmt: skip


def _is_place_name(candidate: str) -> bool:
    words = candidate.split()
    if not words or candidate in LARGE_REGIONS or candidate.rstrip(".") in LARGE_REGIONS:
        return False
    if words[0].rstrip(".").lower() in _TITLE_SET:
        return False
    return not is_non_name_word(words[0]) and candidate not in US_STATES


@register("address", ("ADDRESS", "LOCATION"), "Street addresses and PO boxes, with the city after them.")
def find_addresses(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _STREET_RE.finditer(text):
        yield _span(ctx, m.start(), m.end(), "ADDRESS", "address")
        city = _CITY_AFTER_STREET_RE.match(text, m.end())
        if city and _is_place_name(city.group(1)):
            trimmed = _trim_place(city.group(1))
            if trimmed:
                yield _span(ctx, city.start(1), city.start(1) + len(trimmed), "LOCATION", "address")


def _is_medical_single_word(candidate: str) -> bool:
    """A lone capitalised word that is more likely medical than a place ("to Parkinson's")."""
    if " " in candidate:
        return False
    bare = re.sub(r"['’]s$", "", candidate)
    return bare in KNOWN_EPONYMS or bare.lower() in _MONTH_SET or bare.endswith(("'s", "’s"))


def _trim_place(candidate: str) -> str:
    """Drop trailing words that are not part of a place name ("Springfield Follow")."""
    words = candidate.split()
    while words and (is_non_name_word(words[-1]) or words[-1].rstrip(".") in US_STATES):
        words.pop()
    return " ".join(words) if words else ""


@register("location", ("LOCATION",), "Cities, counties, ZIP codes and facility names below state level.")
def find_locations(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _ZIP_RE.finditer(text):
        group = 1 if m.group(1) else 2
        yield _span(ctx, m.start(group), m.end(group), "LOCATION", "location")
    for m in _COUNTY_RE.finditer(text):
        if not is_non_name_word(m.group(1).split()[0]) or m.group(1).startswith("St"):
            yield _span(ctx, m.start(1), m.end(1), "LOCATION", "location")
    for pattern in (_CITY_STATE_RE, _PLACE_CUE_RE, _PREP_PLACE_RE):
        for m in pattern.finditer(text):
            candidate = _trim_place(m.group(1))
            if (
                candidate
                and _is_place_name(candidate)
                and not ctx.is_protected(m.start(1), m.start(1) + len(candidate))
                and not (pattern is _PREP_PLACE_RE and _is_medical_single_word(candidate))
            ):
                yield _span(ctx, m.start(1), m.start(1) + len(candidate), "LOCATION", "location")
    for m in _FACILITY_RE.finditer(text):
        words = m.group(1).split()
        distinctive = [w for w in words[:-1] if w.lower() not in _FACILITY_GENERIC and not is_non_name_word(w)]
        if distinctive and not ctx.is_protected(m.start(1), m.end(1)):
            yield _span(ctx, m.start(1), m.end(1), "LOCATION", "location")


# --------------------------------------------------------------------------- names

_TITLE_RE = re.compile(rf"\b(?:{'|'.join(TITLES)})(?:\.|(?=[ \t]))[ \t]*({_NAME_SEQ})")
_STREET_BEFORE_DR = re.compile(r"\d[\w-]*[ \t]+(?:[A-Z][\w'’.-]*[ \t]+){0,3}$")
_CREDENTIAL_RE = re.compile(
    rf"({_NAME_SEQ}),?[ \t]+(?:{'|'.join(sorted(map(re.escape, CREDENTIALS), key=len, reverse=True))})(?![\w-])"
)
_NAME_CUES = (
    r"patient|pt\.?|(?:patient[ \t]+|pt[ \t]+|full[ \t]+|legal[ \t]+)?name[ \t]*:|seen[ \t]+by|"
    r"referred[ \t]+by|referral[ \t]+from|signed[ \t]+by|co-?signed[ \t]+by|dictated[ \t]+by|"
    r"attending(?:[ \t]+physician)?|pcp|primary[ \t]+care(?:[ \t]+physician|[ \t]+provider)?|"
    r"surgeon|resident|provider|physician|spoke[ \t]+(?:with|to)|discussed[ \t]+with|"
    r"accompanied[ \t]+by|named|baby[ \t]+(?:girl|boy)|" + "|".join(RELATIONS)
)
_CUE_RE = re.compile(rf"(?i:\b(?:{_NAME_CUES}))(?:[ \t]*[:,-])?[ \t]+(?:(?:is|was)[ \t]+)?({_NAME_SEQ})")
_LAST_FIRST_RE = re.compile(rf",[ \t]*({_NAME_WORD})(?![\w'’-])")


@register("name", ("NAME",), "Names after titles (Dr., Mrs.), cues (patient, daughter, seen by), before credentials (MD, RN).")
def find_names(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _TITLE_RE.finditer(text):
        if text[m.start() : m.start() + 2] == "Dr" and _STREET_BEFORE_DR.search(text, max(0, m.start() - 50), m.start()):
            continue  # "12 Oak Dr Springfield" is an address
        for start, end in clean_name_tokens(ctx, m.start(1), m.end(1), strict_single=False):
            yield _span(ctx, start, end, "NAME", "name")
    yield from _find_name_runs(ctx)
    for m in _LINE_START_NAME_RE.finditer(text):
        if not any(is_non_name_word(w) or ctx.is_protected(*m.span(g)) for g, w in ((1, m.group(1)), (2, m.group(2)))):
            yield _span(ctx, m.start(1), m.end(2), "NAME", "name")
    for m in _CREDENTIAL_RE.finditer(text):
        for start, end in clean_name_tokens(ctx, m.start(1), m.end(1), strict_single=False):
            yield _span(ctx, start, end, "NAME", "name")
    for m in _CUE_RE.finditer(text):
        # The cue must touch the name: "patient Denies..." is no name.
        first_word = text[m.start(1) : m.end(1)].split()[0]
        if is_non_name_word(first_word) or ctx.is_protected(m.start(1), m.start(1) + len(first_word)):
            continue
        for start, end in clean_name_tokens(ctx, m.start(1), m.end(1), strict_single=False):
            if end == m.end(1):
                end = _extend_last_first(ctx, end)
            yield _span(ctx, start, end, "NAME", "name")


# Two or three capitalised words in a row ("for Ingrid King:"): a name unless any of them is
# clinical vocabulary, a place at state level or above, or part of an eponym phrase.
_NAME_RUN_RE = re.compile(
    rf"(?<![\w'’.-])({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{1,2}})(?![\w-]|['’](?!s\b)|\.\w)"
)
_FACILITY_WORDS = frozenset(
    "hospital clinic center centre county parish borough university college school academy "
    "street avenue road institute foundation pharmacy laboratory labs group associates home "
    "living care hall church".split()
)


# "Beauregard, Lucille:" opening a note or a line.
_LINE_START_NAME_RE = re.compile(
    rf"(?m)^[ \t]*({_NAME_WORD}),[ \t]*({_NAME_WORD}(?:[ \t]+{_INITIAL})?)[ \t]*(?=[:(]|-[ \t]|$)"
)


def _find_name_runs(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _NAME_RUN_RE.finditer(text):
        words = m.group(1).split()
        if (
            any(
                is_non_name_word(w)
                or len(w) < 2
                or w.lower() in _TITLE_SET
                or w.lower() in _RELATION_SET
                or w.lower() in _FACILITY_WORDS
                or MEDICAL_SUFFIX_RE.search(w)
                for w in words
            )
            or m.group(1) in LARGE_REGIONS
            or ctx.is_protected(m.start(1), m.end(1))
            or any(w.lower() in _MONTH_SET for w in words)
        ):
            continue
        following = text[m.end(1) : m.end(1) + 15].split()
        if following and following[0].strip(".,;:").lower() in _FACILITY_WORDS:
            continue  # "Springfield General Hospital" is a place (location recognizer)
        yield _span(ctx, m.start(1), m.end(1), "NAME", "name")


def _extend_last_first(ctx: TextContext, end: int) -> int:
    """Extend "Roe" to "Roe, Jane" when a single name word follows a comma."""
    m = _LAST_FIRST_RE.match(ctx.text, end)
    if m and not is_non_name_word(m.group(1)) and not ctx.is_protected(m.start(1), m.end(1)):
        return m.end(1)
    return end


_WORD_IN_NAME_RE = re.compile(rf"{_NAME_WORD}")


def propagate_names(ctx: TextContext, spans: Iterable[PHISpan]) -> list[PHISpan]:
    """Find every other mention of words already recognised as a name in this text.

    "Mr. Wilson ... Wilson reports" removes both; "Wilson disease" (protected) stays. A name
    also grows by one adjacent capitalised word on each side ("April" + "Nguyen").
    """
    text = ctx.text
    names = [span for span in spans if span.label == "NAME"]
    names += _neighbours(ctx, names)
    words: set[str] = set()
    for span in names:
        for m in _WORD_IN_NAME_RE.finditer(text, span.start, span.end):
            word = m.group()
            if len(word) >= 2 and not is_non_name_word(word) and word.lower() not in _PARTICLE_SET:
                words.add(word)
    if not words:
        return []
    pattern = re.compile(
        r"(?<![\w'’-])(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")(?![\w-])"
    )
    found = [
        _span(ctx, m.start(), m.end(), "NAME", "propagate")
        for m in pattern.finditer(text)
        if not ctx.is_protected(m.start(), m.end())
    ]
    return names + found + _neighbours(ctx, found)


_WORD_BEFORE_RE = re.compile(rf"(?<![\w'’.-])({_NAME_WORD})[ \t]$")
_WORD_AFTER_RE = re.compile(rf"[ \t]({_NAME_WORD})(?![\w'’-]|\.\w)")


def _neighbours(ctx: TextContext, names: list[PHISpan]) -> list[PHISpan]:
    """Capitalised words right next to a name that are not clinical words: part of the name."""
    text = ctx.text
    extra: list[PHISpan] = []
    for span in names:
        before = _WORD_BEFORE_RE.search(text, max(0, span.start - 30), span.start)
        after = _WORD_AFTER_RE.match(text, span.end)
        for m in (before, after):
            if not m:
                continue
            word = m.group(1)
            low = word.lower()
            if (
                is_non_name_word(word)
                or low in _TITLE_SET
                or low in _RELATION_SET
                or (m is after and low in _MONTH_SET)
                or ctx.is_protected(m.start(1), m.end(1))
                or word in US_STATES
            ):
                continue
            extra.append(_span(ctx, m.start(1), m.end(1), "NAME", "propagate"))
    return extra
