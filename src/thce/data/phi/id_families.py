"""Identifiers of one family: once ``PHO-22918`` is found, ``PHO-22919`` in the same note goes too.

Identifiers in one note often share a prefix and a shape (kit ``K-5521-09`` and ``K-5521-31``,
tubes ``TB-88120041`` and ``TB-88120107``, record numbers in a list). Every identifier found
by a cue is turned into a shape: its leading prefix kept as written, the rest as runs of
digits and letters of the same lengths; other tokens of that shape in the note take the same
tag. Short or digit-poor values (fewer than three digits) make no family.

>>> from thce.data.phi.context import TextContext
>>> from thce.data.phi.spans import PHISpan
>>> ctx = TextContext("Kit K-5521-09 returned; kit K-5521-31 dispensed.")
>>> [ctx.text[s.start:s.end] for s in propagate_ids(ctx, [PHISpan(4, 13, "ID")])]
['K-5521-09', 'K-5521-31']
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from thce.data.phi.base import make_span
from thce.data.phi.context import TextContext
from thce.data.phi.spans import PHISpan

# Tags whose values are codes: names, places, dates and contact details make no family.
_CODE_LABELS = frozenset(
    ["MRN", "HEALTH_PLAN", "ACCOUNT", "LICENSE", "DEVICE", "BIOMETRIC", "VEHICLE", "ID"]
)
_MEDICAL_CODE_RE = re.compile(
    r"[A-TV-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?|[A-V]\d{4}|\d{4}[0-9FTU]|\d{5}(?:-\d{1,4})?"
)
_VALUE_RE = re.compile(r"[A-Za-z0-9]+(?:[-_./][A-Za-z0-9]+)*")
_RUN_RE = re.compile(r"\d+|[A-Z]+|[a-z]+|[-_./]")


def _shape(value: str) -> tuple[str, ...] | None:
    """The shape of an identifier: its prefix as written, then each run's kind and length.

    >>> _shape("PHO-22918"), _shape("K-5521-09")
    (('PHO-', 'd5'), ('K-', 'd4', '-', 'd2'))
    """
    if not _VALUE_RE.fullmatch(value) or sum(ch.isdigit() for ch in value) < 3 or len(value) < 5:
        return None
    if _MEDICAL_CODE_RE.fullmatch(value):
        return None  # "E11.22", "J1100", "99213": codes make no family
    runs = _RUN_RE.findall(value)
    # The prefix: everything up to the first separator or letter/digit change.
    prefix = runs[0]
    rest = runs[1:]
    if rest and rest[0] in "-_./":
        prefix += rest.pop(0)
    shape = [prefix]
    for run in rest:
        if run.isdigit():
            shape.append(f"d{len(run)}")
        elif run.isalpha():
            shape.append(f"a{len(run)}")
        else:
            shape.append(run)
    return tuple(shape)


# Tokens that may be identifiers: letters and digits joined by - _ . /, with a digit.
_TOKEN_RE = re.compile(r"(?<![\w./-])[A-Za-z0-9]+(?:[-_./][A-Za-z0-9]+)*(?![\w-]|\.\w)")


def propagate_ids(ctx: TextContext, spans: Iterable[PHISpan]) -> list[PHISpan]:
    """Other tokens of the note shaped like an identifier already found, with its tag."""
    shapes: dict[tuple[str, ...], str] = {}
    for span in spans:
        if span.label in _CODE_LABELS:
            shape = _shape(ctx.text[span.start : span.end])
            if shape:
                shapes.setdefault(shape, span.label)
    if not shapes:
        return []
    found: list[PHISpan] = []
    for m in _TOKEN_RE.finditer(ctx.text):
        label = shapes.get(_shape(m.group()) or ())
        if label:
            found.append(make_span(ctx, m.start(), m.end(), label, "family"))
    return found


_NAME_PART_RE = re.compile(r"[^\W\d_]{2,}")


def _login_forms(name: str) -> set[str]:
    """Login names built from a person's name: "Britta Solberg" -> bsolberg, britta.solberg..."""
    if "," in name:  # "SOLBERG, BRITTA"
        last_part, _, first_part = name.partition(",")
        first_words, last_words = (
            _NAME_PART_RE.findall(first_part),
            _NAME_PART_RE.findall(last_part),
        )
    else:
        words = _NAME_PART_RE.findall(name)
        first_words, last_words = words[:1], words[-1:] if len(words) > 1 else []
    if not first_words or not last_words:
        return set()
    first, last = first_words[0].lower(), last_words[-1].lower()
    return {
        first[0] + last,
        first + last[0],
        f"{first}.{last}",
        f"{first[0]}.{last}",
        f"{first}_{last}",
        last + first[0],
        first + last,
    }


def propagate_logins(ctx: TextContext, spans: Iterable[PHISpan]) -> list[PHISpan]:
    """Login names made from a name found in the note ("Britta Solberg, RN (bsolberg)")."""
    forms: set[str] = set()
    for span in spans:
        if span.label == "NAME":
            forms |= _login_forms(ctx.text[span.start : span.end])
    if not forms:
        return []
    found: list[PHISpan] = []
    for m in _LOGIN_TOKEN_RE.finditer(ctx.text):
        if m.group(1) in forms:
            found.append(make_span(ctx, m.start(), m.end(), "ID", "family"))
    return found


# A lower-case token that may be a login: letters with "." or "_" and trailing digits.
_LOGIN_TOKEN_RE = re.compile(r"(?<![\w.@])([a-z]+(?:[._][a-z]+)?)\d{0,3}(?![\w@]|\.\w)")
