"""Cue-anchored identifiers: the cue lists of ``cues.toml`` and how a value after a cue is read.

Identifiers without a fixed format (an MRN ``L24-0318-00472``, a pump serial
``PX-4471-QZ``, a badge ``44817``, a login ``jdoe3``) are recognised by the words that
announce them. People author the cue lists in ``cues.toml`` (one table per tag); this module
compiles them once per process and reads the value(s) that follow a cue.

>>> text = "pump serial PX-4471-QZ."
>>> [text[s:e] for s, e in cued_values(cue_spec("DEVICE"), text)]
['PX-4471-QZ']
>>> cued_values(cue_spec("DEVICE"), "serial troponins x3 q6h")  # a plain word: no value
[]
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from thce.data.phi.base import make_span
from thce.data.phi.context import TextContext
from thce.data.phi.lexicon import FUNCTION_WORDS, US_STATES
from thce.data.phi.spans import PHISpan
from thce.data.phi.vocabulary import is_medical_word
from thce.errors import DataError

CUES_FILE = "cues.toml"

# One piece of a code value: letters and digits joined by - . / _ : + ("PX-4471-QZ", "7f3a9c").
_PIECE_RE = re.compile(r"[A-Za-z0-9]+(?:[-./_:+][A-Za-z0-9]+)*")
# A further upper-case piece after one space ("PJN 8812-44", "TX KDR-4471", "QX 448 190 2271").
_NEXT_UPPER_PIECE_RE = re.compile(r"[ ]([A-Z0-9]+(?:[-./_:][A-Z0-9]+)*)(?![\w-])")
_SPLIT_RE = re.compile(r"[-./_:+]")
# What follows a dose or a measurement: never an identifier ("plate 3.5 mm", "ins 100 units").
_UNIT_AFTER_RE = re.compile(
    r"[ \t]*(?:mg|mcg|µg|g|gm|kg|lb|lbs|ml|mL|l|L|mm|cm|inch(?:es)?|fr|Fr|french|%|units?|u|U|"
    r"iu|IU|meq|mEq|mmol|mmHg|mV|V|ohms?|Ω|ms|sec|min|hrs?|hours?|days?|weeks?|months?|years?|"
    r"x|times|beats|bpm|hole|holes|mCi|mSv|Gy|cGy)(?![A-Za-z])"
)
# Dates, decimals and bare years are not identifiers ("study 2019", "photo taken 11/02/2023").
_SHORT_DATE_RE = re.compile(r"(\d{1,2})[/-](\d{1,2})(?:[/-]\d{2,4})?")
_NOT_AN_ID_RE = re.compile(
    r"(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}|\d+\.\d+"
    r"|(?:19|20)\d{2}|\d{1,2}/(?:19|20)\d{2}|\d{1,2}[a-z]\d{1,2}"
)
# Code formats of ICD-10-CM, HCPCS and CPT: never taken after skipped words ("claim for E0784").
_MEDICAL_CODE_RE = re.compile(r"[A-TV-Z]\d[0-9A-Z](?:\.?[0-9A-Z]{1,4})?|[A-V]\d{4}|\d{4}[0-9FTU]")
# ICD-10-CM codes with their dot and HCPCS codes are never identifiers ("the encounter is E11.22",
# "a device is E0601").
_CODE_FORMAT_RE = re.compile(r"[A-TV-Z]\d[0-9A-Z]\.[0-9A-Z]{1,4}|[A-V]\d{4}")
_STATE_PREFIX_RE = re.compile(rf"(?:{'|'.join(US_STATES)})[ ]")
# A login name: letters first, then letters, digits, . _ - or a DOMAIN\ prefix.
_USER_RE = re.compile(r"[A-Za-z][A-Za-z0-9._\\-]{1,31}(?<![._\\-])(?![\w@\\-])")
# More values after the first: "serials SVX-41120-L / SVX-41121-R", "vehicles KLM 4482 and 7TRE219".
_LIST_GLUE_RE = re.compile(r"[ \t]*(?:[,/&]|\band\b|\bor\b)[ \t]*")
# A code system's name starts a medical code, never an identifier ("CPT 95810").
_CODE_SYSTEM_RE = re.compile(r"(?i)(?:cpt|icd|hcpcs|ndc|loinc|snomed|drg|rxnorm|ms-drg)\b")
# Up to three plain words between a cue and a value that is clearly an identifier
# ("Serial on the back is MMT-1780-NG51220K").
_SKIP_WORDS_RE = re.compile(r"(?:[a-z]+[ \t]+){1,3}")


@dataclass(frozen=True)
class CueSpec:
    """The compiled cues of one tag.

    ``pattern`` matches a cue and the glue after it; ``direct`` (or None) matches a noun
    that may stand right before a value ("transmitter 8HK3PW").
    """

    label: str
    pattern: re.Pattern[str]
    direct: re.Pattern[str] | None
    value: str
    min_digits: int
    keys: frozenset[str] = frozenset()
    direct_keys: frozenset[str] = frozenset()


def _phrase(text: str) -> str:
    """A cue phrase as a regex: a space matches spaces, tabs or "_" ("patient_id")."""
    return r"(?:[ \t]+|_)".join(re.escape(word) for word in text.split())


def _alternation(phrases: list[str]) -> str:
    # Longest first, so "serial number" wins over "serial".
    return "|".join(_phrase(p) for p in sorted(set(phrases), key=len, reverse=True))


def _compile(name: str, table: dict) -> CueSpec:
    cues = list(table.get("cues", []))
    parts = [rf"(?i:{_alternation(cues)})"] if cues else []
    if table.get("exact"):
        parts.append(_alternation(table["exact"]))
    if table.get("heads"):
        heads = _alternation(table["heads"])
        suffixes = _alternation(table.get("suffixes", []))
        parts.append(rf"(?i:(?:{heads})(?:[ \t]+[A-Za-z]+)?[ \t]+(?:{suffixes}))")
    fillers = _alternation(table.get("fillers", []))
    # The cue, then any mix of ":", "#", "=", "(", quotes, a short parenthesis ("(R index)")
    # and filler words before the value.
    glue = (
        r"(?:[ \t]*(?:\([^()\n]{1,24}\)|[.:#=(\[\"'‘“]|-(?![A-Za-z0-9])"
        rf"|(?i:\b(?:{fillers}))(?![\w]))[ \t]*)*[ \t]*"
    )
    # Never right after "PO" ("PO Box 2556" is an address).
    pattern = re.compile(
        rf"(?<![\w/-])(?<!\bPO )(?<!P\.O\. )(?:{'|'.join(parts)})(?![A-Za-z]){glue}"
    )
    direct = None
    if table.get("direct"):
        direct = re.compile(rf"(?<![\w/-])(?i:{_alternation(table['direct'])})[ \t]+")
    value = table.get("value", "code")
    if value not in ("code", "user"):
        raise DataError(f"{CUES_FILE} [{name}]: value must be 'code' or 'user', got {value!r}")
    label = str(table.get("label", name))
    phrases = [*cues, *table.get("exact", []), *table.get("heads", [])]
    keys = frozenset(_first_letters(p) for p in phrases) - {""}
    direct_keys = frozenset(_first_letters(p) for p in table.get("direct", [])) - {""}
    return CueSpec(
        label, pattern, direct, value, int(table.get("min_digits", 2)), keys, direct_keys
    )


def _first_letters(phrase: str) -> str:
    m = re.match(r"[A-Za-z]+", phrase)
    return m.group().lower() if m else ""


@cache
def cue_tables() -> dict[str, dict]:
    """The tables of ``cues.toml`` (read once per process)."""
    text = resources.files("thce.data.phi").joinpath(CUES_FILE).read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - the shipped file is tested
        raise DataError(f"{CUES_FILE}: {exc}") from exc


@cache
def _all_cue_keys() -> frozenset[str]:
    """The first words of every cue of every table, and the abbreviations of other recognizers."""
    keys = frozenset().union(*(cue_spec(name).keys for name in cue_tables() if name != "COLUMNS"))
    return keys | {"ssn", "dob", "dos", "mrn", "npi", "dea", "vin", "dl", "ein", "tin", "mbi"}


@cache
def cue_spec(name: str) -> CueSpec:
    """The compiled cues of table ``name`` ("DEVICE", "ID_USER"...)."""
    tables = cue_tables()
    if name not in tables:
        raise DataError(f"{CUES_FILE} has no [{name}] table; tables: {', '.join(tables)}")
    return _compile(name, tables[name])


def cued_values(
    spec: CueSpec, text: str | TextContext, *, audit_line: bool = False
) -> list[tuple[int, int]]:
    """``(start, end)`` of every value announced by a cue of ``spec`` in ``text``."""
    ctx = text if isinstance(text, TextContext) else TextContext(text)
    text = ctx.text
    found: list[tuple[int, int]] = []
    for m in ctx.match_at_words(spec.pattern, spec.keys):
        start = m.end()
        end = read_value(spec, text, start, audit_line=audit_line)
        if end is None and m.end() == m.start() + len(m.group().rstrip()):
            # "MRN77120045": the value is glued to the cue.
            glued = read_value(spec, text, m.start(), audit_line=audit_line)
            if glued is not None and any(ch.isdigit() for ch in text[m.end() : glued]):
                start, end = m.start(), glued
        if end is None and spec.value == "code":
            skip = _SKIP_WORDS_RE.match(text, m.end())
            if skip:
                end = read_value(spec, text, skip.end())
                value = text[skip.end() : end] if end is not None else ""
                # A skipped word that is itself a cue announces its own kind: "licence plate
                # TX KDR-4471" is a plate, not a licence.
                skipped = set(skip.group().lower().split())
                if (
                    _is_strong(value)
                    and not _MEDICAL_CODE_RE.fullmatch(value)
                    and not skipped & _all_cue_keys()
                ):
                    start = skip.end()
                else:
                    end = None
        if end is None:
            continue
        state = _STATE_PREFIX_RE.match(text, start, end)
        if state and any(ch.isdigit() for ch in text[state.end() : end]):
            start = state.end()  # "plate TX KDR-4471": the state may stay (Safe Harbor)
        found.append((start, end))
        found.extend(_more_values(spec, text, end, audit_line))
    if spec.direct is not None:
        for m in ctx.match_at_words(spec.direct, spec.direct_keys):
            end = read_value(spec, text, m.end())
            value = text[m.end() : end] if end else ""
            first_piece = value.split()[0] if value else ""
            # No cue word between noun and value: the value must mix letters and digits from
            # its first piece on ("hub MAC 00:1A:..." keeps "MAC").
            if (
                end
                and len(value) >= 5
                and any(c.isalpha() for c in value)
                and any(c.isdigit() for c in first_piece)
            ):
                found.append((m.end(), end))
    return found


def _more_values(spec: CueSpec, text: str, end: int, audit_line: bool) -> list[tuple[int, int]]:
    """Values listed after the first one, of the same kind."""
    more: list[tuple[int, int]] = []
    for _ in range(5):
        glue = _LIST_GLUE_RE.match(text, end)
        if not glue:
            break
        nxt = read_value(spec, text, glue.end(), audit_line=audit_line)
        if nxt is None or (
            spec.value == "code"
            and (
                not _is_strong(text[glue.end() : nxt])
                or _MEDICAL_CODE_RE.fullmatch(text[glue.end() : nxt])
            )
        ):
            break
        more.append((glue.end(), nxt))
        end = nxt
    return more


def _is_strong(value: str) -> bool:
    """Clearly an identifier: 4+ digits and a letter, or 6+ digits ("SVX-41121-R")."""
    digits = sum(ch.isdigit() for ch in value)
    return digits >= 6 or (digits >= 4 and any(ch.isalpha() for ch in value))


def read_value(spec: CueSpec, text: str, pos: int, *, audit_line: bool = False) -> int | None:
    """End of the identifier value starting at ``pos``, or None when there is none.

    ``code`` values need ``spec.min_digits`` digits and are refused when they read as a
    dose or measurement (a unit follows), a date, a year or a decimal number, or contain a
    plain lower-case word ("troponins", "12-hole"). ``user`` values are login names; a plain
    word counts only after a colon or "=", or on an audit line (``audit_line``).
    """
    if spec.value == "user":
        return _read_user(text, pos, audit_line)
    return _read_code(text, pos, spec.min_digits)


def _read_code(text: str, pos: int, min_digits: int) -> int | None:
    if _CODE_SYSTEM_RE.match(text, pos):
        return None
    m = _PIECE_RE.match(text, pos)
    if not m or (pos > 0 and text[pos - 1].isalnum() and not text[pos].isalpha()):
        return None
    if m.group().isalpha() and m.group().lower() in _all_cue_keys():
        return None  # "DEA MW3318402, NPI 1174589932": "NPI" starts the next cue, not a value
    end, last = m.end(), m.group()
    while not any(ch.islower() for ch in last):
        nxt = _NEXT_UPPER_PIECE_RE.match(text, end)
        if not nxt or not any(ch.isdigit() for ch in nxt.group(1)):
            break
        end, last = nxt.end(), nxt.group(1)
    value = text[pos:end]
    digits = sum(ch.isdigit() for ch in value)
    letters = [ch for ch in value if ch.isalpha()]
    size = digits + len(letters)
    if digits < min_digits or size < 3:
        return None
    if digits < 2 and (size < 5 or any(ch.islower() for ch in letters)):
        return None  # one digit: only plate-like upper-case values ("GOBLUE1")
    if (
        _NOT_AN_ID_RE.fullmatch(value)
        or _CODE_FORMAT_RE.fullmatch(value)
        or _UNIT_AFTER_RE.match(text, end)
    ):
        return None
    date = _SHORT_DATE_RE.fullmatch(value)
    if date and int(date.group(1)) <= 31 and int(date.group(2)) <= 31:
        return None  # "11/02/2023": a date (the date recognizer has it)
    if any(len(part) >= 3 and part.isalpha() and part.islower() for part in _SPLIT_RE.split(value)):
        return None
    return end


def _read_user(text: str, pos: int, audit_line: bool) -> int | None:
    m = _USER_RE.match(text, pos)
    if not m or (pos > 0 and text[pos - 1].isalnum()):
        return None
    value = m.group()
    if value.lower() in FUNCTION_WORDS:
        return None
    handle_like = any(ch.isdigit() or ch in "._\\" for ch in value)
    glue = text[max(0, pos - 3) : pos]
    if handle_like or audit_line or ":" in glue or "=" in glue:
        if not handle_like and (is_medical_word(value) or not value.isalpha()):
            return None
        return m.end()
    return None


# A line of an access log or audit trail: login names there need no cue.
AUDIT_WORDS_RE = re.compile(
    r"(?i)\b(?:audit|access(?:ed|es)?|log(?:ged)?[ \t]*(?:in|on|off|out)?|login|logon|viewed|"
    r"printed|exported|session|break[- ]the[- ]glass|user|workstation)\b"
    r"|(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d.])"
)


def cued_spans(ctx: TextContext, name: str, source: str) -> Iterator[PHISpan]:
    """Spans of every value announced by the cues of table ``name`` of ``cues.toml``."""
    spec = cue_spec(name)
    text = ctx.text
    if spec.value == "user":
        # Plain-word logins count on audit lines only: decide per line.
        start = 0
        for line in text.split("\n"):
            audit = AUDIT_WORDS_RE.search(line) is not None
            for s, e in cued_values(spec, line, audit_line=audit):
                yield make_span(ctx, start + s, start + e, spec.label, source)
            start += len(line) + 1
        return
    for s, e in cued_values(spec, ctx):
        yield make_span(ctx, s, e, spec.label, source)
