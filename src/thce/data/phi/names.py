"""Recognizers for names (titles, credentials, cues, capitalised runs) and name propagation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from thce.data.phi.context import TextContext, first_words
from thce.data.phi.headers import (
    CAPS_SEQ,
    CAPS_WORD,
    caps_name_tokens,
    header_names,
    is_caps_name_word,
)
from thce.data.phi.lexicon import (
    CREDENTIALS,
    LARGE_REGIONS,
    MEDICAL_SUFFIX_RE,
    RELATIONS,
    TITLES,
    US_STATES,
)
from thce.data.phi.registry import make_span, register
from thce.data.phi.spans import PHISpan
from thce.data.phi.vocabulary import all_medical
from thce.data.phi.words import (
    INITIAL,
    MONTH_SET,
    NAME_SEQ,
    NAME_WORD,
    PARTICLE_SET,
    RELATION_SET,
    TITLE_SET,
    clean_name_tokens,
    is_non_name_word,
)

_TITLE_RE = re.compile(rf"\b(?:{'|'.join(TITLES)})(?:\.|(?=[ \t]))[ \t]*({NAME_SEQ})")
_STREET_BEFORE_DR = re.compile(r"\d[\w-]*[ \t]+(?:[A-Z][\w'’.-]*[ \t]+){0,3}$")
# A credential followed by ":" is a role label, not a signature ("Triage RN: Paige Schreiber").
_CREDENTIAL_ALT = "|".join(sorted(map(re.escape, CREDENTIALS), key=len, reverse=True))
# Without a comma, a credential followed by a name is a role: "Flight RN Celeste Yarborough".
_CREDENTIAL_RE = re.compile(
    rf"(?<![\w'’.-])({NAME_SEQ})(?:,[ \t]*(?:{_CREDENTIAL_ALT})|[ \t]+(?:{_CREDENTIAL_ALT})"
    rf"(?![\w-])(?![ \t]+[A-Z][a-z]))(?![\w-])(?![ \t]*:)"
)
_NAME_CUES = (
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
_CUE_RE = re.compile(
    rf"(?i:\b(?:{_NAME_CUES}))(?:[ \t]*[:,-])?[ \t]+(?:(?:is|was)[ \t]+)?({NAME_SEQ})"
)
_CUE_WORDS = first_words(_NAME_CUES)
# Names in capitals after a title or a cue: "Dr. OKAFOR", "Electronically signed by: LEVI, DAVID".
_CAPS_AFTER_RE = re.compile(
    rf"(?:\b(?i:{'|'.join(TITLES)})\.?|(?i:\b(?:{_NAME_CUES}))(?:[ \t]*[:,-])?)[ \t]+({CAPS_SEQ})"
)
_CAPS_AFTER_WORDS = _CUE_WORDS | {t.lower() for t in TITLES}
# "Initials: M.V.", "pt initials JDK": a person's initials.
_INITIALS_RE = re.compile(r"(?i:\binitials\b)[ \t.:=-]*((?:[A-Z]\.?[ ]?){2,3})(?![\w])")
_LAST_FIRST_RE = re.compile(rf",[ ]*({NAME_WORD})(?:[ ]{INITIAL}|[ ][A-Z](?![\w'’-]))?")
# Evidence of a person right before or after a candidate name (see has_name_cue).
_CUE_BEFORE_RE = re.compile(
    rf"(?:\b(?:{'|'.join(TITLES)})\.?|(?i:\b(?:{_NAME_CUES}|signed|signature|sincerely|regards)"
    r"|/s/)(?:[ \t]*[:,-])?(?:[ \t]+(?:is|was))?)[ \t]*$"
)
_CREDENTIAL_AFTER_RE = re.compile(
    rf",?[ \t]+(?:{'|'.join(sorted(map(re.escape, CREDENTIALS), key=len, reverse=True))})(?![\w-])"
)


@register(
    "name",
    ("NAME",),
    "Names after titles (Dr., Mrs.), cues (patient, daughter, seen by), before credentials (MD, RN).",
)
def find_names(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _TITLE_RE.finditer(text):
        if text[m.start() : m.start() + 2] == "Dr" and _STREET_BEFORE_DR.search(
            text, max(0, m.start() - 50), m.start()
        ):
            continue  # "12 Oak Dr Springfield" is an address
        for start, end in clean_name_tokens(ctx, m.start(1), m.end(1), strict_single=False):
            yield make_span(ctx, start, end, "NAME", "name")
    yield from _find_name_runs(ctx)
    for start, end in header_names(ctx):
        yield make_span(ctx, start, end, "NAME", "name")
    for m in ctx.match_at_words(_CAPS_AFTER_RE, _CAPS_AFTER_WORDS):
        found = caps_name_tokens(ctx, m.start(1), m.end(1))
        # One short word in capitals, or one followed by ":", is an abbreviation or a label
        # ("driver, DEA # ...", "Referring EP: Dr. ...").
        if found and (
            " " in text[slice(*found)]
            or (found[1] - found[0] >= 4 and text[found[1] : found[1] + 1] != ":")
        ):
            yield make_span(ctx, *found, "NAME", "name")
    for m in _LINE_START_NAME_RE.finditer(text):
        if not any(
            is_non_name_word(w) or ctx.is_protected(*m.span(g))
            for g, w in ((1, m.group(1)), (2, m.group(2)))
        ):
            yield make_span(ctx, m.start(1), m.end(2), "NAME", "name")
    for m in _INITIALS_RE.finditer(text):
        yield make_span(ctx, m.start(1), m.end(1), "NAME", "name")
    for m in _CREDENTIAL_RE.finditer(text):
        for start, end in clean_name_tokens(ctx, m.start(1), m.end(1), strict_single=False):
            yield make_span(ctx, start, end, "NAME", "name")
    for m in ctx.match_at_words(_CUE_RE, _CUE_WORDS):
        # The cue must touch the name: "patient Denies..." is no name. An initial is checked
        # through the word after it ("PCP M. Achebe").
        words = text[m.start(1) : m.end(1)].split()
        first_word = words[1] if re.fullmatch(INITIAL, words[0]) and len(words) > 1 else words[0]
        if is_non_name_word(first_word) or ctx.is_protected(
            m.start(1), m.start(1) + len(first_word)
        ):
            continue
        for start, end in clean_name_tokens(ctx, m.start(1), m.end(1), strict_single=False):
            if end == m.end(1):
                end = _extend_last_first(ctx, end)
            yield make_span(ctx, start, end, "NAME", "name")


# Two or three capitalised words in a row ("for Ingrid King:"): a name unless any of them is
# clinical vocabulary, a place at state level or above, or part of an eponym phrase.
_NAME_RUN_RE = re.compile(
    rf"(?<![\w'’.-])({NAME_WORD}(?:[ ]{NAME_WORD}){{1,2}})(?![\w-]|['’](?!s\b)|\.\w)"
)
_FACILITY_WORDS = frozenset(
    [
        "hospital",
        "clinic",
        "center",
        "centre",
        "county",
        "parish",
        "borough",
        "university",
        "college",
        "school",
        "academy",
        "street",
        "avenue",
        "road",
        "institute",
        "foundation",
        "pharmacy",
        "laboratory",
        "labs",
        "group",
        "associates",
        "home",
        "living",
        "care",
        "hall",
        "church",
    ]
)


_STATE_AFTER_RE = re.compile(
    rf",?[ \t]+(?:(?:{'|'.join(US_STATES)})(?:[ \t]+\d{{5}}|[ \t]*[,.;\n]|$)|(?:{'|'.join(map(re.escape, US_STATES.values()))})\b)"
)
# "Beauregard, Lucille:" opening a note or a line.
_LINE_START_NAME_RE = re.compile(
    rf"(?m)^[ \t]*({NAME_WORD}),[ \t]*({NAME_WORD}(?:[ \t]+{INITIAL})?)[ \t]*(?=[:(]|-[ \t]|$)"
)


def _find_name_runs(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    for m in _NAME_RUN_RE.finditer(text):
        words = m.group(1).split()
        if (
            any(
                is_non_name_word(w)
                or len(w) < 2
                or w.lower() in TITLE_SET
                or w.lower() in RELATION_SET
                or w.lower() in _FACILITY_WORDS
                or MEDICAL_SUFFIX_RE.search(w)
                for w in words
            )
            or m.group(1) in LARGE_REGIONS
            or all_medical(words)
            or ctx.is_protected(m.start(1), m.end(1))
            or any(w.lower() in MONTH_SET for w in words)
        ):
            continue
        following = text[m.end(1) : m.end(1) + 15].split()
        if following and following[0].strip(".,;:").lower() in _FACILITY_WORDS:
            continue  # "Springfield General Hospital" is a place (location recognizer)
        if _STATE_AFTER_RE.match(text, m.end(1)):
            continue  # "East Haddam CT 06423", "Cedar Falls, Iowa": a city
        yield make_span(ctx, m.start(1), m.end(1), "NAME", "name")


def has_name_cue(ctx: TextContext, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is announced as a person's name by its context.

    A title right before it ("Dr.", "Mrs."), a cue word ("patient", "daughter", "seen by",
    "Name:", "named", "signed") or a credential right after it (", MD"). NER hits with such
    evidence are kept even when their words are medical vocabulary ("Dr. Walker").

    >>> ctx = TextContext("Seen by Dr. Stone. Stone passed.")
    >>> has_name_cue(ctx, 12, 17), has_name_cue(ctx, 19, 24)
    (True, False)
    """
    text = ctx.text
    if _CUE_BEFORE_RE.search(text, max(0, start - 40), start):
        return True
    return _CREDENTIAL_AFTER_RE.match(text, end) is not None


def _extend_last_first(ctx: TextContext, end: int) -> int:
    """Extend "Roe" to "Roe, Jane" (or "Roe, Jane T.") when a name word follows a comma."""
    m = _LAST_FIRST_RE.match(ctx.text, end)
    if m and not is_non_name_word(m.group(1)) and not ctx.is_protected(m.start(1), m.end(1)):
        return m.end()
    return end


_WORD_IN_NAME_RE = re.compile(rf"{CAPS_WORD}(?![a-z])|{NAME_WORD}")


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
            if len(word) < 2 or word.lower() in PARTICLE_SET:
                continue
            if is_caps_name_word(word) if word.isupper() else not is_non_name_word(word):
                words.add(word)
    if not words:
        return []
    # Headers write names in capitals, the narrative in title case: both forms are searched
    # ("GARCIA, ELENA" in the header, "Ms. Garcia" below), never a lower-case one ("will").
    # Looked up through the note's word index: one regex per note would be compiled anew.
    found: list[PHISpan] = []
    index = ctx.word_index
    for word in words:
        key = _LEADING_LETTERS_RE.match(word)
        if not key:
            continue
        forms = {word, word.upper(), word.capitalize()}
        for pos in index.get(key.group().lower(), ()):
            end = pos + len(word)
            if (
                text[pos:end] in forms
                and (pos == 0 or not _NAME_CHAR_BEFORE.match(text[pos - 1]))
                and (end == len(text) or not _NAME_CHAR_AFTER.match(text[end]))
                and not ctx.is_protected(pos, end)
            ):
                found.append(make_span(ctx, pos, end, "NAME", "propagate"))
    return names + found + _neighbours(ctx, found)


_LEADING_LETTERS_RE = re.compile(r"[A-Za-z]+")
_NAME_CHAR_BEFORE = re.compile(r"[\w'’-]")
_NAME_CHAR_AFTER = re.compile(r"[\w-]")


# One space: a tab separates table cells ("Haddad<TAB>Clostridioides difficile").
_WORD_BEFORE_RE = re.compile(rf"(?<![\w'’.-])({NAME_WORD})[ ]$")
_WORD_AFTER_RE = re.compile(rf"[ ]({NAME_WORD})(?![\w'’-]|\.\w)")


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
                or low in TITLE_SET
                or low in RELATION_SET
                or (m is after and low in MONTH_SET)
                or ctx.is_protected(m.start(1), m.end(1))
                or word in US_STATES
            ):
                continue
            extra.append(make_span(ctx, m.start(1), m.end(1), "NAME", "propagate"))
    return extra
