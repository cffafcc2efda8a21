"""Ages over 89, removed as a whole expression ("93-year-old" -> "[AGE]").

Safe Harbor allows ages up to 89 and asks that older ages be folded into one "90 or older"
category. THCE replaces the whole age expression, number and unit ("93-year-old",
"94 yo", "97 y.o.", "101 years old", "92 Y", "95F"), by ``[AGE]``: the unit words say
nothing on their own, and a number left next to them ("[AGE]-year-old") would invite
guessing. Words that reveal an age of 90 or more ("in her late 90s", "nonagenarian") go too.
Ages up to 89 and temperatures ("T 99 F") stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from thce.data.phi.base import make_span, recognizer
from thce.data.phi.context import TextContext
from thce.data.phi.spans import PHISpan
from thce.data.phi.vocabulary import is_medical_word
from thce.data.phi.words import is_non_name_word

_NUM = r"(?:9\d|1[0-2]\d)"
_UNITS_WORDS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_WORDS = (
    rf"(?:ninety(?:[ -]{_UNITS_WORDS})?|one[ -]hundred(?:[ -](?:and[ -])?"
    rf"(?:{_UNITS_WORDS}|ten|eleven|twelve|[a-z]+teen|twenty(?:[ -]{_UNITS_WORDS})?))?)"
)
# "93-year-old", "97 y.o.", "101 years old", "94 y/o", "93yo", "92 yrs", "92 Y", "90 years of age".
_UNIT = (
    r"(?:[ \t]*-?[ \t]*(?i:years?|yrs?|y)\.?[ \t]*-?[ \t]*(?i:old|o\.?(?![a-z])|/o)"
    r"|[ \t]*(?i:yo|y/o|y\.o\.?|yoa|yrs?(?:[ \t]+old)?|years?[ \t]+of[ \t]+age|years?[ \t]+old)"
    r"(?![A-Za-z])"
    r"|[ \t]*(?i:y)(?=[ \t]*(?:/?[MF](?![a-z])|(?i:male|female)\b|[),;/]|$)))"
)
_AGE_RE = re.compile(
    rf"(?<![\w.]){_NUM}{_UNIT}"
    # "age 93", "aged 101", "Age: 96", "age of 92 years"
    rf"|(?i:\bage[sd]?\b[ \t]*(?:of[ \t]*)?(?:is[ \t]*)?:?[ \t]*)({_NUM}(?:{_UNIT}|[ \t]*(?i:years?|yrs?|y)\b)?)"
    r"(?!\w|\.\d|[ \t]*(?:mg|kg|%|days?|weeks?|months?|min))"
    # "95F", "92 M", "94 male" (the number only when a space follows it)
    rf"|(?<![\w.])({_NUM}(?:[MF](?![a-z])|(?=[ \t]?(?:M|F|male|female|man|woman|gentleman|lady)\b)))"
    # "93/F" in a header
    rf"|(?<![\w./]){_NUM}(?=/[MF]\b)"
    # "Pt is 91.", "she turned 95 in May"
    rf"|(?i:\b(?:patient|pt|he|she|who)[ \t]+(?:is|was|turned|turns|is[ \t]+now)[ \t]+)({_NUM})"
    r"(?=[ \t]*(?:[.,;)]|$|and\b|with\b|but\b|in\b))"
    # "Ottoline Greaves, 103, ..." - a number between commas right after a capitalised word
    rf"|(?<=[A-Za-z][a-z]),[ \t]*({_NUM})(?=[ \t]*[,;)])"
    # "in her late 90s", "nonagenarian"
    r"|(?i:\bin[ \t]+(?:his|her|their)[ \t]+)((?i:(?:early|mid|late)[ \t-]*)?(?:9|1[0-2])0['’]?s)\b"
    r"|\b(?i:(?:super)?centenarian|nonagenarian)s?\b"
    # Written out: "age ninety-three", "ninety-one-year-old", "one hundred and two years old"
    rf"|(?i:\bage[sd]?[ \t:]*(?:of[ \t]+)?)({_WORDS})\b"
    rf"|\b((?i:{_WORDS})(?:[ \t-]+(?i:years?|yrs?)[ \t-]*(?i:old|of[ \t]+age)))\b"
    # "Amitabh Joshi (90)", "his wife Inga (91)": a number in brackets after a name
    rf"|(?<=[A-Za-z])[ \t]*\(({_NUM})\)"
)
_TEMP_BEFORE = re.compile(
    r"(?i)\b(?:t|temp|temperature|tmax|fever|febrile|hr|pulse|weight|wt)\b[ \t:]*$"
)


_WORD_BEFORE_RE = re.compile(r"([A-Za-z][\w'’-]*)[ \t]*$")


def _after_name(text: str, pos: int) -> bool:
    """Whether the word before ``pos`` can end a name (capitalised, not clinical)."""
    m = _WORD_BEFORE_RE.search(text, max(0, pos - 40), pos)
    if not m or not m.group(1)[0].isupper():
        return False
    word = m.group(1)
    return not is_non_name_word(word) and not is_medical_word(word)


@recognizer(
    "age",
    ("AGE",),
    "Ages over 89, the whole expression ('92-year-old', '94 yo', 'aged 91', '95F', 'in her 90s').",
)
def find_old_ages(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _AGE_RE.finditer(text):
        group = next((g for g in range(1, 9) if m.group(g)), 0)
        start, end = m.span(group)
        if group == 2 and _TEMP_BEFORE.search(text, max(0, start - 15), start):
            continue  # "T 99 F" is a temperature
        if group == 8 and not _after_name(text, m.start()):
            continue  # "SpO2 (95)", "Sat (95)": a measurement
        yield make_span(ctx, start, end, "AGE", "age")
