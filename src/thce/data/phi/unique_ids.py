"""Recognizers for device, biometric, photo, vehicle and other unique identifiers.

These identifiers have no fixed format, so most are found after a cue word from
``cues.toml`` ("pump serial PX-4471-QZ", "fingerprint template FP-0091-XK", "badge 44817",
"user=jdoe3"). A few formats are distinctive enough to need no cue: GS1 device identifiers
(``(01)00643169007222(17)250331(21)A1B2``), MAC addresses, 17-character VINs, image file
names (``IMG_20231102_face_front.jpg``) and login names on audit lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from thce.data.phi.base import make_span, recognizer
from thce.data.phi.context import TextContext
from thce.data.phi.cues import AUDIT_WORDS_RE, cued_spans
from thce.data.phi.lexicon import FUNCTION_WORDS
from thce.data.phi.spans import PHISpan
from thce.data.phi.vocabulary import is_medical_word

# GS1 application identifiers in brackets: (01) GTIN, then (11)/(17) dates, (10) lot, (21) serial.
_GS1_RE = re.compile(r"\(01\)[ ]?\d{14}(?:[ ]?\(\d{2,4}\)[ ]?[A-Za-z0-9./-]+)*")
# HIBCC device identifiers: "+H123PROD1/$$3250331LOT1".
_HIBCC_RE = re.compile(r"(?<![\w+])\+[A-Z]\d{3}[A-Z0-9]{1,18}(?:/[$+%A-Z0-9]+)?(?![\w])")
_MAC_RE = re.compile(
    r"(?<![\w:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![\w:-])"
)


@recognizer(
    "device",
    ("DEVICE",),
    "Device identifiers and serial numbers: after a cue (serial, S/N, UDI, 'transmitter ID'), "
    "GS1/HIBCC UDIs and MAC addresses.",
)
def find_devices(ctx: TextContext) -> Iterator[PHISpan]:
    yield from cued_spans(ctx, "DEVICE", "device")
    for pattern in (_GS1_RE, _HIBCC_RE, _MAC_RE):
        for m in pattern.finditer(ctx.text):
            yield make_span(ctx, m.start(), m.end(), "DEVICE", "device")


@recognizer(
    "biometric",
    ("BIOMETRIC",),
    "Biometric identifiers: fingerprint, retinal/iris scan, voiceprint, face template ids.",
)
def find_biometrics(ctx: TextContext) -> Iterator[PHISpan]:
    yield from cued_spans(ctx, "BIOMETRIC", "biometric")


# An image file name, with its folder path if any: "IMG_20231102_face_front.jpg",
# "/media/pt_5521/face.png", "C:\photos\pt.jpeg". DICOM files count: they carry faces too.
_IMAGE_FILE_RE = re.compile(
    r"(?<![\w/\\.~-])(?:[A-Za-z]:\\|~?/)?(?:[\w.~()-]+[/\\])*[\w.~()-]*\w[)]?"
    r"\.(?i:jpe?g|png|gif|bmp|tiff?|heic|heif|webp|dcm|dicom|raw|nef|cr2|svg|jfif)(?![\w])"
)


# Close-ups of a body part other than the face are not "full-face photographs or comparable
# images" ("wc_0091_hand_R.jpg", "lesion_L_cheek_dermoscopy_01.jpg").
_FACE_WORDS_RE = re.compile(
    r"(?i)face|facial|portrait|headshot|frontal|profile|id[_-]?photo|photo[_-]?id|selfie|head"
)
_BODY_PART_WORDS_RE = re.compile(
    r"(?i)hand|finger|thumb|wrist|arm|elbow|shoulder|foot|feet|toe|heel|ankle|leg|knee|thigh|hip|"
    r"back|chest|abdomen|abd|trunk|buttock|sacr|groin|genital|breast|nail|scalp|wound|lesion|"
    r"ulcer|rash|derm|dermoscop|mole|nevus|incision|xray|x-ray|ct_|mri|ecg|ekg|echo"
)


def _face_or_unknown(name: str) -> bool:
    """An image that may show a face: named so, or not named after another body part."""
    return _FACE_WORDS_RE.search(name) is not None or _BODY_PART_WORDS_RE.search(name) is None


@recognizer(
    "photo",
    ("PHOTO",),
    "Photographs: image file names (.jpg, .png, .heic, .dcm...) and ids after 'photo', 'image'.",
)
def find_photos(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _IMAGE_FILE_RE.finditer(ctx.text):
        if _face_or_unknown(m.group()):
            yield make_span(ctx, m.start(), m.end(), "PHOTO", "photo")
    yield from cued_spans(ctx, "PHOTO", "photo")


# 17 characters, no I, O or Q, letters and digits mixed.
_VIN_RE = re.compile(
    r"\b(?=[A-HJ-NPR-Z0-9]{17}\b)(?=(?:[0-9]*[A-HJ-NPR-Z]){2})(?=(?:[A-Z]*[0-9]){3})[A-HJ-NPR-Z0-9]{17}\b"
)


@recognizer(
    "vehicle",
    ("VEHICLE",),
    "Vehicle identifiers: VINs (17 characters) and licence plates after a cue word.",
)
def find_vehicles(ctx: TextContext) -> Iterator[PHISpan]:
    yield from cued_spans(ctx, "VEHICLE", "vehicle")
    for m in _VIN_RE.finditer(ctx.text):
        yield make_span(ctx, m.start(), m.end(), "VEHICLE", "vehicle")


# Login names with a role or system prefix ("rn_kbello", "svc_reports01", "t.nakamura",
# "jdoe3"): lower case, with "_", "." or trailing digits. Keys of key=value and JSON pairs
# ("patient_id=", "client_ip":) are not logins.
_HANDLE_RE = re.compile(
    r"(?<![\w.@\\/-])(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]\.[a-z]{4,}\d{0,4}|[a-z]{4,}\d{1,4}"
    r"|[A-Za-z]+\\[a-z][\w.]+)(?![\w@\\/-]|\.\w|[ \t]*=|\"?[ \t]*:)"
)
# A lower-case word standing alone between wide gaps in an audit table: "  kfrey   Unit Clerk".
_COLUMN_WORD_RE = re.compile(
    r"(?:(?<=[ ]{2})|(?<=\t)|(?<=\| ))([a-z][a-z.]{3,15})(?=[ ]{2,}|\t|[ ]\|)"
)
# Identifier-shaped tokens need no cue: an upper-case prefix and 5+ digits
# ("PRV-2024-0113", "MW-5082211", "TV24-0331-117"). Medical codes never look like this (ICD-10
# has 3-4 digits and a dot, CPT and LOINC no letters); public trial registry numbers stay.
_ID_SHAPE_RE = re.compile(
    r"(?<![\w./#-])(?=[A-Z][A-Z0-9-]*\d)(?=(?:[A-Z-]*\d){5})"
    r"(?:[A-Z]{2,8}(?:-[A-Z]{1,8})*-?|[A-Z]-|[A-Z](?=(?:[A-Z-]*\d){6}))\d[A-Z0-9]*(?:-[A-Z0-9]+)*"
    r"(?![\w-]|\.\w)"
)
_PUBLIC_REGISTRY_RE = re.compile(r"(?:NCT\d{8}|ISRCTN\d+|EUCTR[\w-]+|ACTRN\d+|CTRI[\w/-]+)$")
# The name of a computer or a phone in quotes: device name "Jordans-iPad", host "DESKTOP-7KQ2M1P".
_DEVICE_NAME_RE = re.compile(
    r"(?i:\b(?:device[ _]?name|host[ _]?name|computer[ _]?name|workstation|machine[ _]?name|"
    r"device|host))[ \t]*[:=]?[ \t]*[\"']([A-Za-z0-9][\w.' -]{1,38}[A-Za-z0-9])[\"']"
)
# "#SEC-118", "#RX4471209": a value right after a number sign.
_HASH_VALUE_RE = re.compile(r"(?<![\w#])#[ ]?([A-Z][A-Z0-9-]*\d[A-Z0-9-]*)(?![\w-])")


def _not_a_login(word: str) -> bool:
    """Words joined by "_" that read as field names ("chart_open", "visit_summary")."""
    parts = [p for p in re.split(r"[_.]", word) if p]
    return not any(ch.isdigit() for ch in word) and all(
        p in FUNCTION_WORDS or is_medical_word(p) for p in parts
    )


@recognizer(
    "other_id",
    ("ID",),
    "Other unique numbers: study subject and participant ids, badges, employee and student "
    "ids, reference numbers, logins (after 'user', on audit lines, 'rn_kbello'), and "
    "identifier-shaped codes ('PRV-2024-0113').",
)
def find_other_ids(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    yield from cued_spans(ctx, "ID", "other_id")
    yield from cued_spans(ctx, "ID_USER", "other_id")
    for m in _HANDLE_RE.finditer(text):
        if not _not_a_login(m.group()):
            yield make_span(ctx, m.start(), m.end(), "ID", "other_id")
    for m in _ID_SHAPE_RE.finditer(text):
        if not _PUBLIC_REGISTRY_RE.match(m.group()):
            yield make_span(ctx, m.start(), m.end(), "ID", "other_id")
    for m in _DEVICE_NAME_RE.finditer(text):
        yield make_span(ctx, m.start(1), m.end(1), "ID", "other_id")
    for m in _HASH_VALUE_RE.finditer(text):
        yield make_span(ctx, m.start(1), m.end(1), "ID", "other_id")
    if AUDIT_WORDS_RE.search(text) is None:
        return
    start = 0
    for line in text.split("\n"):
        if AUDIT_WORDS_RE.search(line) and any(ch.isdigit() for ch in line):
            for m in _COLUMN_WORD_RE.finditer(line):
                if not _not_a_login(m.group(1)):
                    yield make_span(ctx, start + m.start(1), start + m.end(1), "ID", "other_id")
        start += len(line) + 1
