"""What can be part of a name: name-word patterns and the checks every name recognizer shares.

>>> is_non_name_word("Denies"), is_non_name_word("Lisinopril"), is_non_name_word("Okafor")
(True, True, False)
"""

from __future__ import annotations

import re

from thce.data.phi.clinical_terms import (
    COMMON_CAPITALIZED,
    DEVICE_NAMES,
    DRUG_NAMES,
    DRUG_SUFFIX_RE,
    MEDICAL_ABBREVIATIONS,
    MEDICAL_SUFFIX_RE,
)
from thce.data.phi.lexicon import (
    CREDENTIALS,
    FUNCTION_WORDS,
    KNOWN_EPONYMS,
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

STATE_ABBR = "|".join(US_STATES)
STATE_NAME = "|".join(sorted((re.escape(n) for n in US_STATES.values()), key=len, reverse=True))
MONTH_SET = {m.lower() for m in MONTHS}
TITLE_SET = {t.lower() for t in TITLES}
RELATION_SET = {r.lower() for r in RELATIONS}
PARTICLE_SET = set(NAME_PARTICLES)

# Words that announce a person's name after them: titles aside, roles, relations and sign-off
# cues ("seen by", "Name:", "daughter"). A regex alternation, shared by the name recognizers.
NAME_CUES = (
    r"patient|pt\.?|(?:patient[ \t]+|pt[ \t]+|full[ \t]+|legal[ \t]+)?name[ \t]*:|seen[ \t]+by|"
    r"referred[ \t]+by|referral[ \t]+from|signed[ \t]+by|co-?signed[ \t]+by|dictated[ \t]+by|"
    r"attending(?:[ \t]+physician)?|pcp|primary[ \t]+care(?:[ \t]+physician|[ \t]+provider)?|"
    r"surgeon|resident|provider|physician|spoke[ \t]+(?:with|to)|discussed[ \t]+with|"
    r"accompanied[ \t]+by|named|baby[ \t]+(?:girl|boy)|admitting(?:[ \t]+physician)?|"
    r"consulting(?:[ \t]+physician)?|referring(?:[ \t]+(?:physician|provider|doctor|clinician))?|"
    r"ordering(?:[ \t]+(?:physician|provider))?|(?:performed|reviewed|verified|entered|"
    r"interpreted|read|authored|witnessed|approved|electronically[ \t]+signed)[ \t]+by|"
    r"author|cc(?=[ \t]*:)|emergency[ \t]+contact|next[ \t]+of[ \t]+kin|contact[ \t]+person|"
    r"guarantor|ref(?:[ \t]*\.|[ \t]*:)|dear|hi|hello|hey|thanks|thank[ \t]+you|"
    # Roles written before a name ("Supervisor: Wendell Pryce", "Audiologist: Renske de Vries").
    r"supervisor|manager|case[ \t]+manager|coordinator|social[ \t]+worker|therapist|technician|"
    r"technologist|navigator|scribe|chaplain|witness|examiner|certifier|informant|driver|escort|"
    r"caseworker|counselor|counsellor|dietitian|pharmacist|audiologist|coach|teacher|midwife|"
    r"doula|clinician|cosigner|co-?signed|sub-?investigator|investigator|"
    r"registrar|consultant|visitor|owner|" + "|".join(RELATIONS)
)
# Evidence of a person right before or after a candidate name (see has_name_cue).
CUE_BEFORE_RE = re.compile(
    rf"(?:\b(?:{'|'.join(TITLES)})\.?|(?i:\b(?:{NAME_CUES}|signed|signature|sincerely|regards)"
    r"|/s/)(?:[ \t]*[:,-])?(?:[ \t]+(?:is|was))?)[ \t]*$"
)
CREDENTIAL_AFTER_RE = re.compile(
    rf",?[ \t]+(?:{'|'.join(sorted(map(re.escape, CREDENTIALS), key=len, reverse=True))})(?![\w-])"
)


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


def has_name_cue(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is announced as a person's name by its context.

    A title right before it ("Dr.", "Mrs."), a cue word ("patient", "daughter", "seen by",
    "Name:", "named", "signed") or a credential right after it (", MD"). NER hits with such
    evidence are kept even when their words are medical vocabulary ("Dr. Walker").

    >>> text = "Seen by Dr. Stone. Stone passed."
    >>> has_name_cue(text, 12, 17), has_name_cue(text, 19, 24)
    (True, False)
    """
    if CUE_BEFORE_RE.search(text, max(0, start - 40), start):
        return True
    return CREDENTIAL_AFTER_RE.match(text, end) is not None
