"""Names in EHR header order and in capitals: ``GARCIA, ELENA R  MRN: ...``.

Chart headers, wristbands and sign-off lines write names surname first, often in capitals,
with a middle initial: ``GARCIA, ELENA R``, ``Okafor, James T. DOB: ...``,
``Electronically signed by: OKAFOR, JAMES T MD``. Capitalised abbreviations look the same
(``COPD, CHF``), so a word in capitals counts as a name word only when it is not a medical
abbreviation, a clinical or function word, a drug, or medical vocabulary.

>>> from thce.data.phi.context import TextContext
>>> ctx = TextContext("GARCIA, ELENA R  MRN: 4471023")
>>> [ctx.text[s:e] for s, e in header_names(ctx)]
['GARCIA, ELENA R']
>>> header_names(TextContext("COPD, CHF  stable"))
[]
"""

from __future__ import annotations

import re

from thce.data.phi.clinical_terms import COMMON_CAPITALIZED, DRUG_NAMES, MEDICAL_ABBREVIATIONS
from thce.data.phi.context import TextContext
from thce.data.phi.lexicon import CREDENTIALS, FUNCTION_WORDS, KNOWN_EPONYMS, MONTHS, US_STATES
from thce.data.phi.vocabulary import all_medical, is_medical_word
from thce.data.phi.words import NAME_WORD, RELATION_SET, TITLE_SET, is_non_name_word

# A surname or given name in capitals: "GARCIA", "O'BRIEN", "SMITH-JONES", "MUÑOZ".
CAPS_WORD = r"(?:[A-Z]['’])?[A-ZÀ-ÖØ-Þ]{2,}(?:['’-][A-ZÀ-ÖØ-Þ]{2,})*"
# Two letters at least: a single capital is an initial, matched on its own.
_WORD = rf"(?=[^\W\d_](?:[^\W\d_]|['’][^\W\d_]))(?:{CAPS_WORD}(?![a-zß-ÿ])|{NAME_WORD})"
_INITIAL = r"[A-Z](?:\.|(?![\w'’-]))"
_PARTICLES = r"(?:(?:de|del|della|di|da|du|la|le|van|von|der|den|ter|bin|al|dos|das|St\.?)[ ]){0,2}"
_SUFFIX = r"(?:,?[ ](?:Jr|Sr|JR|SR)\.?|[ ](?:II|III|IV))?"
_NICKNAME = r"(?:[ ][\"“(][A-Z][a-z]+[\"”)])?"
_CREDENTIAL_ALT = "|".join(sorted(map(re.escape, CREDENTIALS), key=len, reverse=True))
_NOT_CREDENTIAL = rf"(?!(?:{_CREDENTIAL_ALT})(?![\w-]))"
# Header fields that follow a name on the same line.
_FIELD_WORDS = (
    r"MRN|MR#|DOB|D\.O\.B\.|DOS|Age|AGE|Sex|SEX|Gender|GENDER|Acct|ACCT|Account|FIN|CSN|Enc|ENC|"
    r"Encounter|Room|RM|Rm|Bed|Unit|Admit|ADMIT|Adm|ADM|Visit|VISIT|Loc|LOC|Attending|ATTENDING|"
    r"PCP|Ins|INS|Phone|PH|Tel|ID|Pt|DOD|Ht|Wt|Allergies|ALLERGIES"
)
_AFTER_NAME = (
    rf"(?=[ \t]*(?:$|\||\t|[,;(:/<\"”^]|-{{1,2}}[ \t]|[—–]|\.[ \t]|(?:{_FIELD_WORDS})\b|(?:{_CREDENTIAL_ALT})\b|\d)"
    rf"|[ \t]{{2,}})"
)
_NAME_BODY = (
    rf"({_PARTICLES}{_WORD}(?:[ -]{_WORD})?),[ \t]*"
    rf"({_WORD}(?:[ ]{_NOT_CREDENTIAL}{_WORD})?(?:[ ]{_INITIAL})?{_NICKNAME}{_SUFFIX})"
    rf"{_AFTER_NAME}"
)
# Labels that announce a person ("Patient", "Provider ....."), with their separators.
_NAME_LABELS = (
    r"patient|pt|name|patient[ \t]+name|full[ \t]+name|legal[ \t]+name|customer|client|"
    r"resident|member|employee|decedent|subject[ \t]+record|"
    r"signed(?:[ \t]+by)?|electronically[ \t]+signed(?:[ \t]+by)?|attending|admitting|"
    r"consulting|referring|ordering|provider|physician|surgeon|pcp|author|cc|re|to|from|guarantor|"
    r"insured|subscriber|fellow|nurse|dictated[ \t]+by|reviewed(?:[ \t]+&[ \t]+finalized)?(?:[ \t]+by)?|"
    r"verified[ \t]+by|performed[ \t]+by|entered[ \t]+by|interpreted[ \t]+by|read[ \t]+by"
)
# Surname, given name(s), optional initial: at a line start, after "|", a tab or a quote
# (tables, CSV), or after a name label with any separator ("Patient ...... HAKIMI, FARID J").
_HEADER_NAME_RE = re.compile(
    rf"(?m)(?:^|[|\t\"]|(?i:\b(?:{_NAME_LABELS}))[ \t.:#=-]*)[ \t]*{_NAME_BODY}"
)
# The same after any other field separator ("Tox screen -- Quigley, Dermot -- ...",
# "Subject record: Castellanos, Yolanda"): no word may then be medical vocabulary.
_FIELD_NAME_RE = re.compile(rf"(?:[:;]|--|[—–]|[ ]\.)[ \t]+{_NAME_BODY}")
# FIRST LAST in capitals as a field of its own ("excerpt -- THEODORA PAPPAS, MBI ...").
_CAPS_FIELD_NAME_RE = re.compile(
    rf"(?m)(?:^|--|[—–|\t]|:)[ \t]*({CAPS_WORD}(?:[ ]{CAPS_WORD}){{1,2}})(?=[ \t]*(?:,|--|[—–|\t(]|$))"
)
# HL7 v2 person names: "OKONKWO^CHIDINMA^A", "NGUYEN^THI BICH^", "HOLLOWAY^PRUDENCE".
_HL7_NAME_RE = re.compile(
    rf"(?<![\w^])({_WORD}(?:[ -]{_WORD})?)\^({_WORD}(?:[ ]{_WORD})*)(?:\^(?:{_WORD}|[A-Z])?)?(?=[\^|)\s\"]|$)"
)
# A run of capitalised name words after a title or cue: "Dr. JAMES OKAFOR", "PATIENT: ANNA KOWALCZYK".
# Words are one space apart (or a comma): two spaces or a tab separate header fields.
CAPS_SEQ = rf"{CAPS_WORD}(?:(?:,[ \t]*|[ ])(?:{CAPS_WORD}|[A-Z]\.?(?![\w'’-]))){{0,3}}"

_STATE_WORDS = frozenset(US_STATES) | frozenset(US_STATES.values())
_MONTH_WORDS = frozenset(m.upper() for m in MONTHS) | frozenset(MONTHS)
_NOT_NAMES = COMMON_CAPITALIZED | DRUG_NAMES | FUNCTION_WORDS


def is_caps_name_word(word: str) -> bool:
    """Whether a word written in capitals can be part of a name ("GARCIA" yes, "COPD" no)."""
    bare = re.sub(r"['’]S$", "", word.strip(".,;:"))
    if len(bare) < 2 or bare in MEDICAL_ABBREVIATIONS or bare in _STATE_WORDS:
        return False
    if re.fullmatch(r"[IVX]+", bare):
        return False  # roman numerals: "Mallampati III", "stage IV"
    low = bare.lower()
    if low in _NOT_NAMES or low in TITLE_SET or low in RELATION_SET or bare in CREDENTIALS:
        return False
    return not is_medical_word(bare.capitalize())


def name_word_ok(word: str) -> bool:
    """A name word in capitals or in title case that is not clinical vocabulary."""
    if word.isupper():
        return is_caps_name_word(word)
    return not is_non_name_word(word) and word not in _STATE_WORDS


def header_names(ctx: TextContext) -> list[tuple[int, int]]:
    """``LAST, FIRST M`` names in headers, tables and sign-offs; HL7 ``LAST^FIRST^M``."""
    found: list[tuple[int, int]] = []
    text = ctx.text
    for pattern, strict in (
        (_HEADER_NAME_RE, False),
        (_FIELD_NAME_RE, True),
        (_HL7_NAME_RE, False),
    ):
        for m in pattern.finditer(text):
            words = re.findall(_WORD, m.group(1)) + re.findall(_WORD, m.group(2))
            main = [w for w in words if len(w) > 1 and w not in ("Jr", "Sr", "JR", "SR")]
            # After "Name:" the words are a name even when they spell an abbreviation ("DOE").
            labelled = _NAME_LABEL_BEFORE_RE.search(text, max(0, m.start(1) - 30), m.start(1))
            if (
                not main
                or not (labelled or all(name_word_ok(w) for w in main))
                or any(w in _MONTH_WORDS for w in main)
                or all_medical(w.capitalize() for w in main)
                or (strict and any(_weak_evidence_veto(w) for w in main))
                or ctx.is_protected(m.start(1), m.end(2))
            ):
                continue
            found.append((m.start(1), m.end() if pattern is _HL7_NAME_RE else m.end(2)))
    for m in _CAPS_FIELD_NAME_RE.finditer(text):
        words = m.group(1).split()
        if all(name_word_ok(w) and not _weak_evidence_veto(w) for w in words):
            found.append(m.span(1))
    return found


_NAME_LABEL_BEFORE_RE = re.compile(
    r"(?i)\b(?:patient[ \t]+|full[ \t]+|legal[ \t]+)?name[ \t.:#=-]*$"
)


def _weak_evidence_veto(word: str) -> bool:
    """With only a separator as evidence, a medical word, an eponym or a short word in
    capitals ("TMD") makes the candidate something other than a name."""
    bare = word.capitalize()
    return is_medical_word(bare) or bare in KNOWN_EPONYMS or (word.isupper() and len(word) < 4)


_CAPS_TOKEN_RE = re.compile(rf"{CAPS_WORD}|[A-Z]\.?")


def caps_name_tokens(ctx: TextContext, start: int, end: int) -> tuple[int, int] | None:
    """Trim a run of capitals to its name words ("JOHN SMITH REPORTS" -> "JOHN SMITH")."""
    tokens = [m.span() for m in _CAPS_TOKEN_RE.finditer(ctx.text, start, end)]
    while tokens and not _caps_ok(ctx.text[slice(*tokens[0])]):
        tokens.pop(0)
    # Stop at the first word that cannot be part of a name.
    kept: list[tuple[int, int]] = []
    for span in tokens:
        if not _caps_ok(ctx.text[slice(*span)]) or ctx.is_protected(*span):
            break
        kept.append(span)
    while kept and len(ctx.text[slice(*kept[-1])].rstrip(".")) == 1:
        kept.pop()  # a trailing initial stays only inside the name
    if not kept or not any(len(ctx.text[s:e]) > 1 for s, e in kept):
        return None
    return kept[0][0], kept[-1][1]


def _caps_ok(word: str) -> bool:
    return len(word.rstrip(".")) == 1 or is_caps_name_word(word)
