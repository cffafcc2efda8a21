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

from thce.data.phi.context import TextContext
from thce.data.phi.cues import CueSpec, cue_spec, read_value
from thce.data.phi.registry import make_span, register
from thce.data.phi.spans import PHISpan


def _cued(ctx: TextContext, spec: CueSpec, source: str) -> Iterator[PHISpan]:
    """Values announced by the cues of ``spec`` (see :mod:`thce.data.phi.cues`)."""
    text = ctx.text
    for m in spec.pattern.finditer(text):
        end = read_value(
            spec, text, m.end(), audit_line=spec.value == "user" and _on_audit_line(text, m.start())
        )
        if end is not None:
            yield make_span(ctx, m.end(), end, spec.label, source)


# GS1 application identifiers in brackets: (01) GTIN, then (11)/(17) dates, (10) lot, (21) serial.
_GS1_RE = re.compile(r"\(01\)[ ]?\d{14}(?:[ ]?\(\d{2,4}\)[ ]?[A-Za-z0-9./-]+)*")
# HIBCC device identifiers: "+H123PROD1/$$3250331LOT1".
_HIBCC_RE = re.compile(r"(?<![\w+])\+[A-Z]\d{3}[A-Z0-9]{1,18}(?:/[$+%A-Z0-9]+)?(?![\w])")
_MAC_RE = re.compile(
    r"(?<![\w:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![\w:-])"
)


@register(
    "device",
    ("DEVICE",),
    "Device identifiers and serial numbers: after a cue (serial, S/N, UDI, 'transmitter ID'), "
    "GS1/HIBCC UDIs and MAC addresses.",
)
def find_devices(ctx: TextContext) -> Iterator[PHISpan]:
    yield from _cued(ctx, cue_spec("DEVICE"), "device")
    for pattern in (_GS1_RE, _HIBCC_RE, _MAC_RE):
        for m in pattern.finditer(ctx.text):
            yield make_span(ctx, m.start(), m.end(), "DEVICE", "device")


@register(
    "biometric",
    ("BIOMETRIC",),
    "Biometric identifiers: fingerprint, retinal/iris scan, voiceprint, face template ids.",
)
def find_biometrics(ctx: TextContext) -> Iterator[PHISpan]:
    yield from _cued(ctx, cue_spec("BIOMETRIC"), "biometric")


# An image file name, with its folder path if any: "IMG_20231102_face_front.jpg",
# "/media/pt_5521/face.png", "C:\photos\pt.jpeg". DICOM files count: they carry faces too.
_IMAGE_FILE_RE = re.compile(
    r"(?<![\w/\\.~-])(?:[A-Za-z]:\\|~?/)?(?:[\w.~()-]+[/\\])*[\w.~()-]*\w[)]?"
    r"\.(?i:jpe?g|png|gif|bmp|tiff?|heic|heif|webp|dcm|dicom|raw|nef|cr2|svg|jfif)(?![\w])"
)


@register(
    "photo",
    ("PHOTO",),
    "Photographs: image file names (.jpg, .png, .heic, .dcm...) and ids after 'photo', 'image'.",
)
def find_photos(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _IMAGE_FILE_RE.finditer(ctx.text):
        yield make_span(ctx, m.start(), m.end(), "PHOTO", "photo")
    yield from _cued(ctx, cue_spec("PHOTO"), "photo")


# 17 characters, no I, O or Q, letters and digits mixed.
_VIN_RE = re.compile(
    r"\b(?=[A-HJ-NPR-Z0-9]{17}\b)(?=(?:[0-9]*[A-HJ-NPR-Z]){2})(?=(?:[A-Z]*[0-9]){3})[A-HJ-NPR-Z0-9]{17}\b"
)


@register(
    "vehicle",
    ("VEHICLE",),
    "Vehicle identifiers: VINs (17 characters) and licence plates after a cue word.",
)
def find_vehicles(ctx: TextContext) -> Iterator[PHISpan]:
    yield from _cued(ctx, cue_spec("VEHICLE"), "vehicle")
    for m in _VIN_RE.finditer(ctx.text):
        yield make_span(ctx, m.start(), m.end(), "VEHICLE", "vehicle")


# A line of an access log: login names there need no cue ("14:22 jdoe3 VIEW chart").
_AUDIT_WORDS_RE = re.compile(
    r"(?i)\b(?:audit|access(?:ed)?|log(?:ged)?[ \t]*(?:in|on|off|out)?|login|logon|viewed|"
    r"printed|exported|session|break[- ]the[- ]glass|user|workstation)\b"
)
# Handle-like tokens: letters with digits or a "." / "_" inside ("jdoe3", "dr_ahmed").
_HANDLE_RE = re.compile(
    r"(?<![\w.@\\-])(?:[a-z]{2,}\d{1,4}|[a-z]+[._][a-z]+\d{0,4}|[A-Za-z]+\\[a-z][\w.]+)(?![\w@\\-]|\.\w)"
)


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _on_audit_line(text: str, pos: int) -> bool:
    start, end = _line_bounds(text, pos)
    return _AUDIT_WORDS_RE.search(text, start, end) is not None


@register(
    "other_id",
    ("ID",),
    "Other unique numbers: study subject and participant ids, badges, employee and student "
    "ids, reference numbers, login names (after 'user', 'login', on audit lines).",
)
def find_other_ids(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    yield from _cued(ctx, cue_spec("ID"), "other_id")
    yield from _cued(ctx, cue_spec("ID_USER"), "other_id")
    if not _AUDIT_WORDS_RE.search(text):
        return
    for m in _HANDLE_RE.finditer(text):
        if _on_audit_line(text, m.start()):
            yield make_span(ctx, m.start(), m.end(), "ID", "other_id")
