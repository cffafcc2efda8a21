"""Identifiers in tables: a column whose header names a kind of PHI ("Patient", "MRN", "DOB").

Census lists, appointment schedules, device registries and audit exports are tables: pipe
(``|``), tab or comma separated, with a header row. A cell under a header such as "Patient",
"MRN", "Serial" or "User" is removed with that column's tag, whatever it looks like; an "Age"
cell only when it is over 89. Headers are matched after lower-casing and turning ``_`` and
``-`` into spaces ("pt_name", "user id").

>>> from thce.data.phi.context import TextContext
>>> ctx = TextContext("Bed | Patient | Age\\n6N-01 | PRZYBYLSKI, ANNA | 93\\n6N-02 | Lee, Ann | 58")
>>> [(ctx.text[s.start:s.end], s.label) for s in find_table_cells(ctx)]
[('PRZYBYLSKI, ANNA', 'NAME'), ('93', 'AGE'), ('Lee, Ann', 'NAME')]
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from functools import cache

from thce.data.phi.base import make_span, recognizer
from thce.data.phi.context import TextContext
from thce.data.phi.cues import cue_tables
from thce.data.phi.spans import PHISpan


@cache
def column_labels() -> dict[str, str]:
    """Column header (normalised) -> tag, from the ``[COLUMNS]`` table of ``cues.toml``."""
    return {header: tag for tag, headers in cue_tables()["COLUMNS"].items() for header in headers}


# Cells that hold nothing to remove.
_EMPTY_CELLS = frozenset(["", "-", "--", "n/a", "na", "none", "unknown", "null", "?"])
_SEPARATOR_ROW_RE = re.compile(r"^[\s|:+=-]*$")


def _normalise(header: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", header.strip().strip("*#:").lower()).split())


@recognizer(
    "table",
    (
        "NAME",
        "MRN",
        "DATE",
        "AGE",
        "PHONE",
        "FAX",
        "EMAIL",
        "ADDRESS",
        "LOCATION",
        "SSN",
        "HEALTH_PLAN",
        "ACCOUNT",
        "LICENSE",
        "DEVICE",
        "VEHICLE",
        "ID",
        "PHOTO",
        "IP",
    ),
    "Cells under a column header that names a kind of PHI (Patient, MRN, DOB, Serial, User).",
)
def find_table_cells(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    if "|" not in text and "\t" not in text and "," not in text:
        return
    lines = _lines(text)
    for i, (_start, line) in enumerate(lines):
        for sep in ("|", "\t", ","):
            if line.count(sep) < 2:
                continue
            cells = _cells(line, sep)
            labels = [column_labels().get(_normalise(cell)) for _, cell in cells]
            if not any(labels) or not _looks_like_header(cells, labels, sep):
                continue
            yield from _column_cells(ctx, lines[i + 1 :], sep, len(cells), labels)
            break


def _lines(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for line in text.split("\n"):
        out.append((start, line))
        start += len(line) + 1
    return out


def _cells(line: str, sep: str) -> list[tuple[int, str]]:
    """``(offset, text)`` of each cell of a row, stripped of spaces and quotes."""
    out: list[tuple[int, str]] = []
    if sep == ",":
        pos = 0
        for cell in next(csv.reader([line])):
            found = line.find(cell, pos) if cell else pos
            start = found if found >= 0 else pos
            out.append((start, cell.strip()))
            pos = start + len(cell)
        return out
    pos = 0
    for part in line.split(sep):
        lead = len(part) - len(part.lstrip())
        out.append((pos + lead, part.strip()))
        pos += len(part) + 1
    if sep == "|":  # "| a | b |": no cell before the first bar or after the last
        if out and not out[0][1] and line.lstrip().startswith("|"):
            out = out[1:]
        if out and not out[-1][1] and line.rstrip().endswith("|"):
            out = out[:-1]
    return out


def _looks_like_header(cells: list[tuple[int, str]], labels: list[str | None], sep: str) -> bool:
    """A header row: short cells without digits; a comma row needs two PHI columns."""
    texts = [c for _, c in cells if c]
    if len(texts) < 2 or any(any(ch.isdigit() for ch in c) or len(c) > 30 for c in texts):
        return False
    return sum(1 for label in labels if label) >= (2 if sep == "," else 1)


# A name cell: capitalised words, initials, particles, a comma ("PRZYBYLSKI, ANNA", "Ahn, Min-jun").
_NAME_CELL_RE = re.compile(
    r"(?:[A-ZÀ-Þ][\w'’.-]*|de|del|la|van|von|der|da|di|du|le|bin|al)"
    r"(?:,?[ ]+(?:[A-ZÀ-Þ][\w'’.-]*|\"[A-Z][a-z]+\"|de|del|la|van|von|der|da|di|du|le|bin|al)){0,4}"
)


def _column_cells(
    ctx: TextContext, rows: list[tuple[int, str]], sep: str, width: int, labels: list[str | None]
) -> Iterator[PHISpan]:
    for start, line in rows:
        if _SEPARATOR_ROW_RE.match(line):
            continue
        if line.count(sep) < 2:
            return  # the table ended
        cells = _cells(line, sep)
        if abs(len(cells) - width) > (0 if sep == "," else 1):
            return
        for (offset, cell), label in zip(cells, labels, strict=False):
            if not label or cell.lower() in _EMPTY_CELLS:
                continue
            if label == "AGE" and not re.fullmatch(r"(?:9\d|1[0-2]\d)\s*[yY]?", cell):
                continue
            if label == "NAME" and not _NAME_CELL_RE.fullmatch(cell):
                continue
            yield make_span(ctx, start + offset, start + offset + len(cell), label, "table")
