"""Import full code sets into the user's THCE home: CMS HCPCS ANWEB files and licensed CPT.

    thce codes import-hcpcs HCPC2026_JAN_ANWEB.txt    # -> $THCE_HOME/code_databases/hcpcs_full.json.gz
    thce codes import-cpt my_licensed_cpt.csv         # -> $THCE_HOME/code_databases/cpt_full.json.gz

After an import, :func:`thce.codes.get_database` (and so validation and search) uses the
full set. Nothing imported here is ever written into the repository.

The CMS quarterly HCPCS file (``HCPC<YYYY>_<MON>_ANWEB.txt``) is fixed width, 320 characters
per record, Latin-1, CRLF line ends, with a few disclaimer lines before the records.
Columns used (1-based, from the CMS record layout):

====================  ========  =============================================================
field                 columns   notes
====================  ========  =============================================================
HCPCS code            1-5       modifiers: columns 4-5 of record ids 7/8
sequence number       6-10      digits
record id             11        3 = code, first line; 4 = continuation of the long
                                description; 7 = modifier, first line; 8 = its continuation
long description      12-91     continued on following id-4/8 lines
short description     92-119    first line only
code added date       269-276   YYYYMMDD
action effective date 277-284   YYYYMMDD
termination date      285-292   YYYYMMDD; a code past this date is not current
action code           293       A add, D discontinue, N no change, ...
====================  ========  =============================================================
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thce.codes.database import FULL_FILES, clear_cache, user_database_dir
from thce.codes.formats import CPT_RE, HCPCS_RE, clean_code
from thce.errors import CodeError
from thce.inputs import read_text
from thce.io import atomic_write, write_jsonl

_RECORD_START = re.compile(r"^[A-Z0-9 ]{5}\d{5}[3478]")
_SPACES = re.compile(r"\s+")
MAX_REJECTS_SHOWN = 5


@dataclass
class ImportReport:
    """What an import did: counts, where the database went, and what was rejected."""

    code_type: str
    output: Path
    codes: int = 0
    current: int = 0
    terminated: int = 0
    modifiers: int = 0
    skipped_lines: int = 0
    rejects: list[dict[str, Any]] = field(default_factory=list)
    rejects_path: Path | None = None

    def summary(self) -> str:
        """One human line, e.g. ``Imported 6440 HCPCS codes (5934 current, 506 terminated)``."""
        text = f"Imported {self.codes} {self.code_type} codes"
        if self.code_type == "HCPCS":
            text += f" ({self.current} current, {self.terminated} terminated)"
            text += f" and {self.modifiers} modifiers"
        text += f" into {self.output}"
        if self.skipped_lines:
            text += f"; skipped {self.skipped_lines} non-record lines (headers/disclaimers)"
        if self.rejects:
            text += f"; rejected {len(self.rejects)} lines (see {self.rejects_path})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of the report."""
        return {
            "code_type": self.code_type,
            "output": str(self.output),
            "codes": self.codes,
            "current": self.current,
            "terminated": self.terminated,
            "modifiers": self.modifiers,
            "skipped_lines": self.skipped_lines,
            "rejected": len(self.rejects),
            "rejects_path": str(self.rejects_path) if self.rejects_path else None,
        }


def _read_text(path: Path, encodings: tuple[str, ...]) -> str:
    if not path.is_file():
        raise CodeError(f"Import file {path} does not exist or is not a file.")
    raw = path.read_bytes()
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CodeError(f"Import file {path} is not text in {' or '.join(encodings)}.")


def _ymd(value: str) -> str | None:
    value = value.strip()
    return value if len(value) == 8 and value.isdigit() else None


def parse_hcpcs_anweb(path: str | Path, today: dt.date | None = None) -> tuple[dict, ImportReport]:
    """Parse a CMS ANWEB file into THCE's database layout (nothing is written).

    Returns ``(database_dict, report)``; ``report.output`` is not set yet.
    """
    path = Path(path)
    text = _read_text(path, ("latin-1",))  # CMS files are Latin-1; every byte decodes.
    today_ymd = (today or dt.date.today()).strftime("%Y%m%d")
    report = ImportReport("HCPCS", Path())
    codes: dict[str, dict[str, Any]] = {}
    modifiers: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if not _RECORD_START.match(line):
            report.skipped_lines += 1
            current = None
            continue
        record_id = line[10]
        long_part = line[11:91]
        if record_id in "37":
            is_code = record_id == "3"
            key = line[0:5].strip() if is_code else line[3:5].strip()
            if is_code and not HCPCS_RE.match(key):
                report.rejects.append(
                    {"line": line_number, "value": key, "reason": "not a HCPCS Level II code"}
                )
                current = None
                continue
            if len(line) < 293:
                report.rejects.append(
                    {
                        "line": line_number,
                        "value": key,
                        "reason": f"record is {len(line)} characters, expected 320",
                    }
                )
                current = None
                continue
            entry = {
                "code": key,
                "long": [long_part],
                "short": line[91:119].strip(),
                "added": _ymd(line[268:276]),
                "effective": _ymd(line[276:284]),
                "terminated": _ymd(line[284:292]),
                "action": line[292:293].strip(),
            }
            (codes if is_code else modifiers)[key] = entry
            current = entry
        else:
            expected_key = line[0:5].strip() if record_id == "4" else line[3:5].strip()
            if current is None or current["code"] != expected_key:
                report.rejects.append(
                    {
                        "line": line_number,
                        "value": expected_key,
                        "reason": "continuation line without a preceding first line",
                    }
                )
                continue
            current["long"].append(long_part)
    if not codes:
        raise CodeError(
            f"No HCPCS records found in {path}: expected the CMS fixed-width ANWEB file "
            "(320-character lines, record id 3/4 in column 11), e.g. HCPC2026_JAN_ANWEB.txt."
        )
    ordered = sorted(codes)
    descriptions = []
    terminations: dict[str, str] = {}
    for code in ordered:
        entry = codes[code]
        description = _SPACES.sub(" ", " ".join(part.strip() for part in entry["long"])).strip()
        descriptions.append(description or entry["short"] or code)
        terminated = entry["terminated"]
        if terminated:
            terminations[code] = terminated
        is_current = not terminated or terminated >= today_ymd
        report.current += is_current
        report.terminated += not is_current
    report.codes = len(ordered)
    report.modifiers = len(modifiers)
    years = sorted({e["effective"][:4] for e in codes.values() if e["effective"]})
    data = {
        "metadata": {
            "code_type": "HCPCS",
            "version": f"CMS HCPCS file {path.name}"
            + (f" (action effective dates up to {years[-1]})" if years else ""),
            "total_codes": len(ordered),
            "current_codes": report.current,
            "terminated_codes": report.terminated,
            "last_updated": dt.date.today().isoformat(),
            "source": f"Imported by `thce codes import-hcpcs` from {path.name}",
            "license": "HCPCS Level II is public domain (CMS).",
            "official": True,
            "complete": True,
        },
        "columns": {
            "code": "\n".join(ordered),
            "description": "\n".join(descriptions),
            "billable": "1" * len(ordered),
        },
        "termination_dates": terminations,
        "short_descriptions": {code: codes[code]["short"] for code in ordered},
        "modifiers": {
            key: _SPACES.sub(" ", " ".join(p.strip() for p in entry["long"])).strip()
            for key, entry in sorted(modifiers.items())
        },
    }
    return data, report


_CODE_COLUMNS = ("code", "cpt", "cpt_code", "cptcode", "hcpcs", "procedure_code", "cpt code")
_DESC_COLUMNS = (
    "description",
    "long_description",
    "long description",
    "descriptor",
    "desc",
    "short_description",
    "short description",
    "consumer_friendly_descriptor",
)


def parse_cpt_csv(path: str | Path) -> tuple[dict, ImportReport]:
    """Parse a CSV/TSV of CPT codes and descriptions (your licensed file).

    A header row naming the columns (``code``/``cpt``/``cpt_code`` and
    ``description``/``long_description``/``descriptor``/...) is recommended; without one
    the first two columns are taken as code and description. The delimiter (comma, tab,
    pipe or semicolon) is detected.
    """
    path = Path(path)
    # The one input layer: UTF-8 (BOM or not), else Windows-1252/Latin-1 line by line.
    text = read_text(path, what="CPT import file", error=CodeError)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t|;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows_in = list(reader)
    except csv.Error as exc:
        raise CodeError(
            f"CPT file {path} line {reader.line_num}: not readable as CSV ({exc}); fix that "
            "line or export the file again."
        ) from None
    if not rows_in:
        raise CodeError(f"CPT file {path} is empty; expected columns code,description.")
    header = [h.strip().lower() for h in rows_in[0]]
    code_col = next((header.index(name) for name in _CODE_COLUMNS if name in header), None)
    desc_col = next((header.index(name) for name in _DESC_COLUMNS if name in header), None)
    start = 1
    if code_col is None or desc_col is None:
        if CPT_RE.match(clean_code(rows_in[0][0] if rows_in[0] else "")):
            code_col, desc_col, start = 0, 1, 0  # no header: code, description
        else:
            raise CodeError(
                f"CPT file {path}: cannot find the code and description columns in the header "
                f"{rows_in[0]!r}; name them 'code' and 'description'."
            )
    report = ImportReport("CPT", Path())
    records: dict[str, str] = {}
    for line_number, row in enumerate(rows_in[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(code_col, desc_col):
            report.rejects.append(
                {"line": line_number, "value": row, "reason": "missing code or description column"}
            )
            continue
        code = clean_code(row[code_col])
        description = _SPACES.sub(" ", row[desc_col]).strip()
        reason = None
        if not CPT_RE.match(code):
            reason = "not a CPT code (NNNNN, NNNNF, NNNNT, NNNNU or NNNNM)"
        elif not description:
            reason = "empty description"
        elif code in records:
            reason = "duplicate code (the first one is kept)"
        if reason:
            report.rejects.append({"line": line_number, "value": row[code_col], "reason": reason})
            continue
        records[code] = description
    if not records:
        raise CodeError(
            f"CPT file {path} holds no valid CPT rows ({len(report.rejects)} rejected); "
            "expected columns code,description."
        )
    ordered = sorted(records)
    report.codes = report.current = len(ordered)
    data = {
        "metadata": {
            "code_type": "CPT",
            "version": f"user-supplied {path.name}",
            "total_codes": len(ordered),
            "last_updated": dt.date.today().isoformat(),
            "source": f"Imported by `thce codes import-cpt` from {path.name}",
            "license": "CPT is copyright the American Medical Association; this file is the "
            "user's own licensed copy and stays in their THCE home.",
            "official": True,
            "complete": True,
        },
        "columns": {
            "code": "\n".join(ordered),
            "description": "\n".join(records[code] for code in ordered),
            "billable": "1" * len(ordered),
        },
    }
    return data, report


def _write_database(data: dict, report: ImportReport, output: Path | None) -> ImportReport:
    output = Path(output) if output else user_database_dir() / FULL_FILES[report.code_type]
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with atomic_write(output, "wb") as handle:
        handle.write(gzip.compress(payload, compresslevel=6, mtime=0))
    report.output = output
    if report.rejects:
        report.rejects_path = output.with_name(output.name.split(".")[0] + ".rejects.jsonl")
        write_jsonl(report.rejects_path, report.rejects)
    clear_cache()  # the next get_database() picks up the new file
    from thce.logging import logger

    logger.debug(report.summary())
    return report


def import_hcpcs_anweb(path: str | Path, output: str | Path | None = None) -> ImportReport:
    """Import a CMS HCPCS ANWEB file into ``$THCE_HOME/code_databases/hcpcs_full.json.gz``.

    >>> report = import_hcpcs_anweb("HCPC2026_JAN_ANWEB.txt")   # doctest: +SKIP
    >>> report.summary()                                          # doctest: +SKIP
    'Imported 8000 HCPCS codes (7500 current, 500 terminated) and 400 modifiers into ...'
    """
    data, report = parse_hcpcs_anweb(path)
    return _write_database(data, report, Path(output) if output else None)


def import_cpt_csv(path: str | Path, output: str | Path | None = None) -> ImportReport:
    """Import a licensed CPT CSV into ``$THCE_HOME/code_databases/cpt_full.json.gz``."""
    data, report = parse_cpt_csv(path)
    return _write_database(data, report, Path(output) if output else None)
