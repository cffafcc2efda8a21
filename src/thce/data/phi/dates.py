"""Recognizer for dates: any with a day or month (bare years stay, as Safe Harbor allows)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from thce.data.phi.base import make_span, recognizer
from thce.data.phi.context import TextContext
from thce.data.phi.spans import PHISpan

_MONTH_FULL = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
_MONTH_ABBR = r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
# Title case or capitals ("NOV 2, 2023" in headers), never lower case ("may", "mar").
_MONTH_ANY = rf"(?:{_MONTH_FULL}|{_MONTH_FULL.upper()}|(?:{_MONTH_ABBR}|{_MONTH_ABBR.upper()})\.?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_UNIT_AFTER = re.compile(
    r"[ \t]*(?:mg|mcg|µg|g|kg|ml|mL|l|L|units?|u|iu|IU|mmol|meq|mEq|mmHg|mm|cm|tabs?|tablets?|caps?|"
    r"puffs?|drops?|%|strength|power|murmur|pain|scale|score|vision|systolic|diastolic|pulses?|"
    r"reflex(?:es)?|grade|inch(?:es)?|mCi|mSv|Gy|cGy|mci|ratio|dilution|titer)(?![A-Za-z])",
)
_MEASURE_BEFORE = re.compile(
    r"(?i)(?:\b(?:bp|blood[ \t]+pressure|pressure|pain|strength|grip|power|motor|murmur|grade|"
    r"score|scale|pulses?|reflex(?:es)?|dtrs?|vision|acuity|va|ratio|moca|mmse|slums|phq-?9?|"
    r"gad-?7?|fev1/fvc|apgar|gleason|rated|sensation|x|each|take|takes|taking|tab|tablet|norco|"
    r"titer|titre|dilution|bims|ecog|kps|gcs|nihss|sofa|curb|asa|adl|adls|iadl|katz|barthel|"
    r"percocet|vicodin|sinemet|carbidopa/levodopa|dose|sig)\b[^.;\n\d]{0,12})$"
)
_SCORE_NAME_BEFORE = re.compile(r"\b[A-Z][A-Z0-9-]{1,7}[ \t:]*$")
_TIME_AFTER = re.compile(r"[ \t,]+\d{1,2}:\d{2}")
_DATE_CUE_BEFORE = re.compile(
    r"(?i)\b(?:on|since|from|until|till|through|thru|to|dated?|seen|admitted|admission|adm|"
    r"admit|d/c|dc|disch|week[ \t]+of|dob|dos|doa|dod|edd|lmp|"
    # tests that are dated: "MRI 6/20", "CXR 3/4", "echo 5/2"
    r"mri|ct|cta|cxr|xr|ekg|ecg|tte|tee|echo|egd|eeg|emg|pet|dexa|pft|us|colonoscopy|"
    r"mammogram|biopsy|labs|cbc|bmp|cmp|a1c|cath|angiogram|"
    r"discharged?|discharge|visit|dos|dob|born|started|start|stopped|last|next|by|as[ \t]+of|"
    r"effective|surgery|scheduled|f/u|follow[- ]?up|returns?|due|onset|injury|injured|fell|"
    r"drawn|collected|performed|done|placed|removed|expires?|exp|before|after)"
    r"[ \t:]*$"
)
_NUMERIC_DATE_RE = re.compile(
    # "3/14/2024", "3-14-24"; a slash date may end or start a range ("6/1/24-6/30/24").
    r"(?<![\w/.-])(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/]|[-.]\d)"
    r"|(?<=\d-)(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\w/]|[-.]\d)"
    r"|(?<![\w/.-])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?![\w.]*\d)"
    r"|(?<![\w/.-])((?:19|20)\d{2})([-/.])(\d{1,2})\12(\d{1,2})(?:T\d{2}:\d{2}(?::\d{2})?Z?)?(?![\w/-]|\.\d)"
    # "06/2019", "11/2023": month and year
    r"|(?<![\w/.-])(0?[1-9]|1[0-2])/((?:19|20)\d{2})(?![\w/]|\.\d)"
    # the first date of a range "6/1/24-6/30/24"
    r"|(?<![\w/.-])(\d{1,2})/(\d{1,2})/(?:\d{4}|\d{2})(?=-\d{1,2}/\d{1,2}/\d)"
)
_SLASH_RANGE_BEFORE = re.compile(r"\d/\d{1,2}/\d{2,4}-$")
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
    # "02-Nov-2023", "2-NOV-23", "02Nov2023", "Nov-02-2023", "2023-Nov-02"
    rf"|(?<![\w-]){_DAY}(?:([-/])(?i:{_MONTH_ABBR}|{_MONTH_FULL})\1|(?i:{_MONTH_ABBR}|{_MONTH_FULL}))"
    rf"(?:{_YEAR}|\d{{2}})(?![\w-])"
    rf"|(?<![\w-])(?i:{_MONTH_ABBR}|{_MONTH_FULL})-{_DAY}-(?:{_YEAR}|\d{{2}})(?![\w-])"
    rf"|(?<![\w-]){_YEAR}-(?i:{_MONTH_ABBR}|{_MONTH_FULL})-{_DAY}(?![\w-])"
)


# A bare month after a time preposition: "in March", "since early October" (not "May", a verb).
_BARE_MONTH_RE = re.compile(
    r"\b(?:in|since|during|until|through|early|late|last|next|by|of|before|after)[ \t]+"
    r"((?:early[ \t]+|late[ \t]+)?(?:January|February|March|April|June|July|August|September|"
    r"October|November|December))\b"
    # "May" is also a verb: a month only at the end of a clause ("placed in May.")
    r"|\b(?:in|since|during|until|through|early|late|last|next|by|before|after)[ \t]+(May)"
    r"(?=[ \t]*(?:[.,;)]|$))"
)


def _valid_day_month(a: int, b: int) -> bool:
    """Whether (a, b) reads as month/day or day/month."""
    return (1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31)


_WEEKDAY_BEFORE_RE = re.compile(
    r"\b(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?[ \t]+$"
)


@recognizer(
    "date", ("DATE",), "Dates with a day or month (years alone are kept, as Safe Harbor allows)."
)
def find_dates(ctx: TextContext) -> Iterator[PHISpan]:
    """Dates, with a weekday written just before them ("Friday 5/16")."""
    for span in _find_dates(ctx):
        weekday = _WEEKDAY_BEFORE_RE.search(ctx.text, max(0, span.start - 12), span.start)
        yield make_span(ctx, weekday.start(), span.end, "DATE", "date") if weekday else span


def _find_dates(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _NUMERIC_DATE_RE.finditer(text):
        if m.group(1):
            ok = _valid_day_month(int(m.group(1)), int(m.group(3)))
        elif m.group(5):
            ok = _valid_day_month(int(m.group(5)), int(m.group(6)))
        elif m.group(8):
            ok = _valid_day_month(int(m.group(8)), int(m.group(9))) and (
                len(m.group(10)) == 4
                or not _MEASURE_BEFORE.search(text[max(0, m.start() - 40) : m.start()])
            )
        elif m.group(11):
            ok = 1 <= int(m.group(13)) <= 12 and 1 <= int(m.group(14)) <= 31
        elif m.group(17):
            ok = _valid_day_month(int(m.group(17)), int(m.group(18)))
        else:
            ok = not _MEASURE_BEFORE.search(text[max(0, m.start() - 40) : m.start()])
        if ok:
            yield make_span(ctx, m.start(), m.end(), "DATE", "date")
    for m in _TEXT_DATE_RE.finditer(text):
        if _UNIT_AFTER.match(text, m.end()) and not re.search(r"\d{4}$", m.group()):
            continue  # "May 5 mg" is a dose
        yield make_span(ctx, m.start(), m.end(), "DATE", "date")
    for m in _BARE_MONTH_RE.finditer(text):
        group = 1 if m.group(1) else 2
        yield make_span(ctx, m.start(group), m.end(group), "DATE", "date")
    for m in _MONTH_DAY_RE.finditer(text):
        if _is_short_date(text, m):
            yield make_span(ctx, m.start(), m.end(), "DATE", "date")


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
    if _DATE_CUE_BEFORE.search(before):
        return True
    if _SCORE_NAME_BEFORE.search(before):
        return False  # "BIMS 11/15", "ECOG 1/4": a score named by its abbreviation
    # Scores are never zero-padded, never bigger than their maximum, and never followed by
    # a clock time: "04/02 09:14", "adm 4/3", "week of 6/3".
    return (
        day > 10
        or month > day
        or m.group(1).startswith("0")
        or m.group(2).startswith("0")
        or _TIME_AFTER.match(text, m.end()) is not None
    )
