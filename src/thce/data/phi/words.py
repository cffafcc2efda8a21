"""What can be part of a name: name-word patterns and the checks every name recognizer shares.

>>> is_non_name_word("Denies"), is_non_name_word("Lisinopril"), is_non_name_word("Okafor")
(True, True, False)
"""

from __future__ import annotations

import re

from thce.data.phi.context import TextContext
from thce.data.phi.lexicon import (
    COMMON_CAPITALIZED,
    CREDENTIALS,
    DEVICE_NAMES,
    DRUG_NAMES,
    DRUG_SUFFIX_RE,
    FUNCTION_WORDS,
    KNOWN_EPONYMS,
    MEDICAL_ABBREVIATIONS,
    MEDICAL_SUFFIX_RE,
    MONTHS,
    NAME_PARTICLES,
    RELATIONS,
    TITLES,
    US_STATES,
)

UPPER = "A-ZÀ-ÖØ-Þ"
LOWER = "a-zß-öø-ÿ"
# A capitalised name word: "Smith", "McDonald", "O'Brien", "Hernández", "Smith-Jones".
NAME_WORD = rf"[{UPPER}][{LOWER}]*(?:[{UPPER}][{LOWER}]+)?(?:['’-](?!s\b)[{UPPER}]?[{LOWER}]+)*"
INITIAL = rf"[{UPPER}]\."
PARTICLE = "(?:" + "|".join(NAME_PARTICLES) + ")"
# A nickname in quotes belongs to the name: 'Bartholomew "Bart" Sinclair'.
NAME_ITEM = rf"(?:{INITIAL}|{NAME_WORD}|[\"“]{NAME_WORD}[\"”])"
# Up to four name items on one line: "Maria J. Lopez", "Van der Berg", "Ana de la Cruz".
# Words of a name are one space apart: a tab or a wide gap separates table or header fields.
NAME_SEQ = rf"{NAME_ITEM}(?:[ ](?:{PARTICLE}[ ]){{0,2}}{NAME_ITEM}){{0,3}}"
_TOKEN_RE = re.compile(rf"{INITIAL}|[^\s,;:()]+")

STATE_ABBR = "|".join(US_STATES)
STATE_NAME = "|".join(sorted((re.escape(n) for n in US_STATES.values()), key=len, reverse=True))
MONTH_SET = {m.lower() for m in MONTHS}
TITLE_SET = {t.lower() for t in TITLES}
RELATION_SET = {r.lower() for r in RELATIONS}
PARTICLE_SET = set(NAME_PARTICLES)


def is_non_name_word(word: str) -> bool:
    """Whether a single capitalised word is clinical vocabulary rather than a name.

    Checks section and function words, abbreviations, drug and device names and drug-class
    endings.
    Month names are not excluded here: "April" and "June" are first names too.
    """
    bare = re.sub(r"['’]s$", "", word.strip(".,;:'’\"()"))
    low = bare.lower()
    if not bare or low in COMMON_CAPITALIZED or low in DRUG_NAMES or low in FUNCTION_WORDS:
        return True
    if low in DEVICE_NAMES or bare in CREDENTIALS:
        return True
    # Abbreviations as written: "Ana" and "Ed" are names, "ANA" and "ED" are not.
    if bare in MEDICAL_ABBREVIATIONS:
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

    Leading/trailing clinical words, titles and relations are dropped, and so is everything from
    the first word inside a protected eponym phrase on. A lone month name is dropped; with
    ``strict_single`` (NER hits without other evidence) so is a lone word that
    :func:`looks_medical`. Returns ``[(start, end)]`` of the kept words, or ``[]``.
    """
    words = [(m.start() + start, m.end() + start) for m in _TOKEN_RE.finditer(ctx.text[start:end])]
    words = [(s, e) for s, e in (_strip_word(ctx.text, s, e) for s, e in words) if e > s]

    def droppable(s: int, e: int) -> bool:
        word = ctx.text[s:e]
        low = word.rstrip(".").lower()
        if re.fullmatch(INITIAL, word):
            return False  # "K. Osei": initials belong to the name
        return (
            is_non_name_word(word)
            or low in TITLE_SET
            or low in RELATION_SET
            or not word[0].isupper()
            or any(ch.isdigit() for ch in word)
        )

    while words and droppable(*words[0]):
        words.pop(0)
    while words and (
        droppable(*words[-1])
        or ctx.text[slice(*words[-1])] in PARTICLE_SET
        or re.fullmatch(INITIAL, ctx.text[slice(*words[-1])])
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
        if word.lower() in MONTH_SET or (strict_single and looks_medical(ctx.text, word)):
            return []
    return [(kept[0][0], kept[-1][1])] if kept else []


def _strip_word(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in "\"'“”‘’([":
        start += 1
    while end > start and text[end - 1] in "\"'“”‘’)].,;:!?":
        if text[end - 1] == "." and re.fullmatch(INITIAL, text[start:end]):
            break
        end -= 1
    if text[start:end].endswith(("'s", "’s")):
        end -= 2
    return start, end
