"""Recognizers for names (titles, credentials, cues, capitalised runs) and name propagation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from thce.data.phi.base import make_span, recognizer
from thce.data.phi.clinical_terms import MEDICAL_SUFFIX_RE
from thce.data.phi.context import TextContext, first_words
from thce.data.phi.headers import (
    CAPS_SEQ,
    CAPS_WORD,
    caps_name_tokens,
    header_names,
    is_caps_name_word,
)
from thce.data.phi.lexicon import CREDENTIALS, LARGE_REGIONS, TITLES, US_STATES
from thce.data.phi.spans import PHISpan
from thce.data.phi.vocabulary import all_medical
from thce.data.phi.words import (
    INITIAL,
    MONTH_SET,
    NAME_CUES,
    NAME_SEQ,
    NAME_WORD,
    PARTICLE_SET,
    RELATION_SET,
    TITLE_SET,
    is_non_name_word,
    looks_medical,
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
_CUE_RE = re.compile(
    rf"(?i:\b(?:{NAME_CUES}))(?:[ \t]*[:,-])?[ \t]+(?:(?:is|was)[ \t]+)?({NAME_SEQ})"
)
_CUE_WORDS = first_words(NAME_CUES)
# Names in capitals after a title or a cue: "Dr. OKAFOR", "Electronically signed by: LEVI, DAVID".
_CAPS_AFTER_RE = re.compile(
    rf"(?:\b(?i:{'|'.join(TITLES)})\.?|(?i:\b(?:{NAME_CUES}))(?:[ \t]*[:,-])?)[ \t]+({CAPS_SEQ})"
)
_CAPS_AFTER_WORDS = _CUE_WORDS | {t.lower() for t in TITLES}
# "Initials: M.V.", "pt initials JDK": a person's initials.
_INITIALS_RE = re.compile(r"(?i:\binitials\b)[ \t.:=-]*((?:[A-Z]\.?[ ]?){2,3})(?![\w])")
_LAST_FIRST_RE = re.compile(rf",[ ]*({NAME_WORD})(?:[ ]{INITIAL}|[ ][A-Z](?![\w'’-]))?")


@recognizer(
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


_TOKEN_RE = re.compile(rf"{INITIAL}|[^\s,;:()]+")


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
