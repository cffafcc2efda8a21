"""Code-system names, format rules and normalisation (no data files needed).

    >>> normalize_code(" e119 ")
    'E11.9'
    >>> detect_code_type("J1100")        # J11.00 without its dot, and a HCPCS drug code
    ['ICD10', 'HCPCS']
    >>> parse_code_type("icd-10-cm")
    'ICD10'

Format rules (validity of a well-formed code comes from the databases, not from here):

- ICD-10-CM: ``^(?:[A-Z][0-9][0-9AB]|QA0)(?:\\.?[0-9A-Z]{1,4})?$``; the dot sits after the
  third character (``E11.9``); category ``QA0`` (FY2026) breaks the "letter + 2 digits" rule.
- CPT: ``^[0-9]{4}[0-9FTUM]$`` (Category I numeric, II ``F``, III ``T``, PLA ``U``, ``M``).
- HCPCS Level II: ``^[A-V][0-9]{4}$``.
"""

from __future__ import annotations

import re
import unicodedata

from thce.errors import CodeError

CODE_TYPES: tuple[str, ...] = ("ICD10", "CPT", "HCPCS")
SYSTEM_NAMES: dict[str, str] = {"ICD10": "ICD-10-CM", "CPT": "CPT", "HCPCS": "HCPCS Level II"}

ICD10_RE = re.compile(r"^(?:[A-Z][0-9][0-9AB]|QA0)(?:\.?[0-9A-Z]{1,4})?$")
CPT_RE = re.compile(r"^[0-9]{4}[0-9FTUM]$")
HCPCS_RE = re.compile(r"^[A-V][0-9]{4}$")
FORMAT_RES: dict[str, re.Pattern[str]] = {"ICD10": ICD10_RE, "CPT": CPT_RE, "HCPCS": HCPCS_RE}
FORMAT_HINTS: dict[str, str] = {
    "ICD10": "a letter, two characters, then up to four more after a dot, e.g. E11.9 or S72.001A",
    "CPT": "five characters: four digits then a digit or F/T/U/M, e.g. 99213 or 3044F",
    "HCPCS": "a letter A-V then four digits, e.g. J1100",
}

# Spellings people and models use for the three systems, after removing spaces, dashes,
# dots and underscores and upper-casing.
_TYPE_ALIASES: dict[str, str] = {
    "ICD10": "ICD10",
    "ICD10CM": "ICD10",
    "ICD": "ICD10",
    "CPT": "CPT",
    "CPT4": "CPT",
    "HCPCS": "HCPCS",
    "HCPCSII": "HCPCS",
    "HCPCS2": "HCPCS",
    "HCPCSLEVELII": "HCPCS",
}
_TYPE_STRIP = re.compile(r"[\s._\-]+")


def parse_code_type(value: str | None) -> str | None:
    """Return the canonical system name (``ICD10``/``CPT``/``HCPCS``) for ``value``.

    ``None`` stays ``None`` (meaning "detect it"). An unknown name raises
    :class:`~thce.errors.CodeError` listing the valid ones.

    >>> parse_code_type("hcpcs")
    'HCPCS'
    """
    if value is None:
        return None
    key = _TYPE_STRIP.sub("", str(value)).upper()
    if key in _TYPE_ALIASES:
        return _TYPE_ALIASES[key]
    raise CodeError(
        f"Unknown code type {value!r}; valid code types: {', '.join(CODE_TYPES)} "
        "(case-insensitive)."
    )


def clean_code(code: str) -> str:
    """Strip, upper-case and remove inner whitespace and a trailing dot; no dot placement.

    Non-ASCII input is NFKC-normalised first (fullwidth ``Ｅ１１．９`` -> ``E11.9``, as typed
    with an East Asian input method) and invisible format characters (zero-width spaces,
    byte-order marks, as pasted from PDFs and spreadsheets) are dropped.

    >>> clean_code(" e11．9\u200b ")
    'E11.9'
    """
    text = str(code)
    if text.isascii():  # the common case skips the (slower) Unicode work entirely
        return "".join(text.split()).upper().rstrip(".")
    # NFKC and upper-casing can undo each other (a composed letter upper-cases to a base
    # letter plus a combining mark): repeat until nothing changes, so this stays idempotent.
    for _ in range(4):
        normal = unicodedata.normalize("NFKC", text)
        normal = "".join(ch for ch in normal if unicodedata.category(ch) != "Cf")
        cleaned = "".join(normal.split()).upper().rstrip(".")
        if cleaned == text:
            break
        text = cleaned
    return text


def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters for messages, saying how long it really was.

    >>> shorten("E" * 10_000)
    'EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE... (10000 characters)'
    """
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def icd10_with_dot(text: str) -> str:
    """Place the ICD-10-CM dot after the third character (``E119`` -> ``E11.9``)."""
    bare = text.replace(".", "")
    return f"{bare[:3]}.{bare[3:]}" if len(bare) > 3 else bare


def normalize_code(code: str, code_type: str | None = None) -> str:
    """Normalise a code for lookup: strip, upper-case, ICD-10-CM dot placement. Idempotent.

    With ``code_type=None`` a dot is only added when the string cannot also be a CPT or
    HCPCS code (``A0100`` stays as written; ``e119`` becomes ``E11.9``). Strings that fit no
    format are returned cleaned (upper-cased, no spaces) but otherwise unchanged.

    >>> normalize_code("a0100"), normalize_code("a0100", "ICD10")
    ('A0100', 'A01.00')
    """
    system = parse_code_type(code_type)
    text = clean_code(code)
    if system == "ICD10" or (system is None and "." in text):
        return icd10_with_dot(text) if ICD10_RE.match(text) else text
    if system is None and not CPT_RE.match(text) and not HCPCS_RE.match(text):
        return icd10_with_dot(text) if ICD10_RE.match(text) else text
    return text


def matches_format(code: str, code_type: str) -> bool:
    """True when the cleaned ``code`` is well formed for ``code_type`` (data not consulted)."""
    system = parse_code_type(code_type)
    return bool(FORMAT_RES[system].match(clean_code(code)))


def detect_code_type(code: str) -> list[str]:
    """Every system whose format ``code`` matches, in ``CODE_TYPES`` order.

    >>> detect_code_type("99213"), detect_code_type("E11.9"), detect_code_type("hello")
    (['CPT'], ['ICD10'], [])
    """
    return detect_clean(clean_code(code))


def detect_clean(text: str) -> list[str]:
    """:func:`detect_code_type` for a string already passed through :func:`clean_code`."""
    return [system for system in CODE_TYPES if FORMAT_RES[system].match(text)]


def icd10_category(code: str) -> str:
    """The three-character ICD-10-CM category of a code (``E11.9`` -> ``E11``)."""
    return clean_code(code).replace(".", "")[:3]


# CPT sections by code range (Category I numeric codes), plus Category II/III/PLA by suffix.
_CPT_SECTIONS: tuple[tuple[int, int, str], ...] = (
    (100, 1999, "Anesthesia"),
    (10004, 69990, "Surgery"),
    (70010, 79999, "Radiology"),
    (80047, 89398, "Pathology and Laboratory"),
    (90281, 99199, "Medicine"),
    (99201, 99499, "Evaluation and Management"),
    (99500, 99607, "Medicine"),
)
_CPT_SUFFIX_SECTIONS = {
    "F": "Category II (performance measurement)",
    "T": "Category III (emerging technology)",
    "U": "Proprietary Laboratory Analyses",
    "M": "Multianalyte Assays with Algorithmic Analyses",
}

# HCPCS Level II sections by first letter (and ranges inside A, J and L).
_HCPCS_SECTIONS: dict[str, str] = {
    "A": "Transportation, medical and surgical supplies, miscellaneous and investigational",
    "B": "Enteral and parenteral therapy",
    "C": "Outpatient prospective payment system (temporary)",
    "E": "Durable medical equipment",
    "G": "Procedures and professional services (temporary)",
    "H": "Behavioral health and substance abuse treatment",
    "J": "Drugs administered other than oral method, chemotherapy drugs",
    "K": "Durable medical equipment (temporary, DME MACs)",
    "L": "Orthotic and prosthetic procedures and devices",
    "M": "Medical services",
    "P": "Pathology and laboratory services",
    "Q": "Miscellaneous services (temporary)",
    "R": "Diagnostic radiology services",
    "S": "Temporary national codes (non-Medicare)",
    "T": "National codes established for state Medicaid agencies",
    "U": "Coronavirus diagnostic panels",
    "V": "Vision, hearing and speech-language pathology services",
}
_HCPCS_SUBSECTIONS: tuple[tuple[str, int, int, str], ...] = (
    ("A", 0, 999, "Transportation services including ambulance"),
    ("A", 4000, 8999, "Medical and surgical supplies"),
    ("A", 9000, 9999, "Administrative, miscellaneous and investigational"),
    ("J", 0, 7999, "Drugs administered other than oral method"),
    ("J", 8000, 8999, "Oral drugs (chemotherapy, antiemetic, immunosuppressive)"),
    ("J", 9000, 9999, "Chemotherapy drugs"),
    ("L", 0, 4999, "Orthotic procedures and devices"),
    ("L", 5000, 9999, "Prosthetic procedures and devices"),
    ("V", 0, 2999, "Vision services"),
    ("V", 5000, 5999, "Hearing services"),
)


def cpt_category(code: str) -> str:
    """CPT section for a code (``99213`` -> ``Evaluation and Management``)."""
    text = clean_code(code)
    if text[-1:] in _CPT_SUFFIX_SECTIONS:
        return _CPT_SUFFIX_SECTIONS[text[-1]]
    if not text.isdigit():
        return "Unknown"
    number = int(text)
    for low, high, name in _CPT_SECTIONS:
        if low <= number <= high:
            return name
    return "Unknown"


def hcpcs_category(code: str) -> str:
    """HCPCS Level II section for a code (``A0428`` -> ``Transportation services ...``)."""
    text = clean_code(code)
    letter, digits = text[:1], text[1:]
    if digits.isdigit():
        number = int(digits)
        for section, low, high, name in _HCPCS_SUBSECTIONS:
            if section == letter and low <= number <= high:
                return name
    return _HCPCS_SECTIONS.get(letter, "Unknown")
