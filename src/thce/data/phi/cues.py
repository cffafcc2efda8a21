"""Cue-anchored identifiers: the cue lists of ``cues.toml`` and how a value after a cue is read.

Identifiers without a fixed format (a pump serial ``PX-4471-QZ``, a badge ``44817``, a login
``jdoe3``) are recognised by the words that announce them. People author the cue lists in
``cues.toml`` (one table per tag); this module compiles them once per process into one
regular expression per tag and reads the value that follows a cue.

>>> spec = cue_spec("DEVICE")
>>> [(m.group(), read_value(spec, "pump serial PX-4471-QZ.", m.end())) for m in spec.pattern.finditer("pump serial PX-4471-QZ.")]
[('pump serial ', 22)]
>>> read_value(cue_spec("DEVICE"), "serial troponins x3 q6h", 7) is None  # a plain word
True
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from thce.data.phi.lexicon import FUNCTION_WORDS
from thce.errors import DataError

CUES_FILE = "cues.toml"

# One piece of a code value: letters and digits joined by - . / _ : + ("PX-4471-QZ", "7f3a9c").
_PIECE_RE = re.compile(r"[A-Za-z0-9]+(?:[-./_:+][A-Za-z0-9]+)*")
# A further upper-case piece after one space ("PJN 8812-44", "TX KDR-4471", "PV 2291 77").
_NEXT_UPPER_PIECE_RE = re.compile(r"[ ]([A-Z0-9]+(?:[-./_:][A-Z0-9]+)*)(?![\w-])")
_SPLIT_RE = re.compile(r"[-./_:+]")
# What follows a dose or a measurement: never an identifier ("plate 3.5 mm", "lead 12 cm").
_UNIT_AFTER_RE = re.compile(
    r"[ \t]*(?:mg|mcg|µg|g|gm|kg|lb|lbs|ml|mL|l|L|mm|cm|in|inch(?:es)?|fr|Fr|french|%|units?|"
    r"iu|IU|meq|mEq|mmol|mmHg|mV|V|ohms?|Ω|ms|sec|min|hrs?|hours?|days?|weeks?|months?|years?|"
    r"x|times|beats|bpm|hole|holes)(?![A-Za-z])"
)
_DATE_LIKE_RE = re.compile(
    r"\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}|\d+\.\d+"
)
# A login name: letters first, then letters, digits, . _ - or a DOMAIN\ prefix.
_USER_RE = re.compile(r"[A-Za-z][A-Za-z0-9._\\-]{1,31}(?<![._\\-])(?![\w@\\-])")


@dataclass(frozen=True)
class CueSpec:
    """The compiled cues of one tag: ``pattern`` matches a cue and the glue after it."""

    label: str
    pattern: re.Pattern[str]
    value: str
    min_digits: int


def _phrase(text: str) -> str:
    """A cue phrase as a regex: spaces match runs of spaces/tabs, the rest literally."""
    return r"[ \t]+".join(re.escape(word) for word in text.split())


def _alternation(phrases: list[str]) -> str:
    # Longest first, so "serial number" wins over "serial".
    return "|".join(_phrase(p) for p in sorted(set(phrases), key=len, reverse=True))


def _compile(label: str, table: dict) -> CueSpec:
    cues = list(table.get("cues", []))
    parts = [rf"(?i:{_alternation(cues)})"] if cues else []
    if table.get("exact"):
        parts.append(_alternation(table["exact"]))
    if table.get("heads"):
        heads = _alternation(table["heads"])
        suffixes = _alternation(table.get("suffixes", []))
        parts.append(rf"(?i:(?:{heads})(?:[ \t]+[A-Za-z]+)?[ \t]+(?:{suffixes}))")
    fillers = _alternation(table.get("fillers", []))
    # The cue, then any mix of ":", "#", "=", "(", quotes and filler words before the value.
    glue = (
        rf"(?:[ \t]*(?:[.:#=(\[\"'‘“]|-(?![A-Za-z0-9])|(?i:\b(?:{fillers}))(?![\w]))[ \t]*)*[ \t]*"
    )
    pattern = re.compile(rf"(?<![\w/-])(?:{'|'.join(parts)})(?![A-Za-z]){glue}")
    value = table.get("value", "code")
    if value not in ("code", "user"):
        raise DataError(f"{CUES_FILE} [{label}]: value must be 'code' or 'user', got {value!r}")
    return CueSpec(label, pattern, value, int(table.get("min_digits", 2)))


@cache
def cue_tables() -> dict[str, dict]:
    """The tables of ``cues.toml`` (read once per process)."""
    text = resources.files("thce.data.phi").joinpath(CUES_FILE).read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - the shipped file is tested
        raise DataError(f"{CUES_FILE}: {exc}") from exc


@cache
def cue_spec(name: str) -> CueSpec:
    """The compiled cues of table ``name`` ("DEVICE", "ID_USER"...); the tag drops ``_USER``."""
    tables = cue_tables()
    if name not in tables:
        raise DataError(f"{CUES_FILE} has no [{name}] table; tables: {', '.join(tables)}")
    return _compile(name.split("_")[0], tables[name])


def read_value(spec: CueSpec, text: str, pos: int, *, audit_line: bool = False) -> int | None:
    """End of the identifier value starting at ``pos``, or None when there is none.

    ``code`` values need ``spec.min_digits`` digits and are refused when they read as a
    dose or measurement (a unit follows), a date or a decimal number, or contain a plain
    lower-case word ("troponins", "12-hole"). ``user`` values are login names; a plain word
    counts only after a colon or "=", or on an audit line (``audit_line``).
    """
    if spec.value == "user":
        return _read_user(text, pos, audit_line)
    return _read_code(text, pos, spec.min_digits)


def _read_code(text: str, pos: int, min_digits: int) -> int | None:
    m = _PIECE_RE.match(text, pos)
    if not m or (pos > 0 and (text[pos - 1].isalnum())):
        return None
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
    if _DATE_LIKE_RE.fullmatch(value) or _UNIT_AFTER_RE.match(text, end):
        return None
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
        from thce.data.phi.vocabulary import is_medical_word

        if not handle_like and (is_medical_word(value) or not value.isalpha()):
            return None
        return m.end()
    return None
