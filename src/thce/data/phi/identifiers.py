"""Recognizers for contact details and identifying numbers (phone, e-mail, SSN, MRN, IDs...).

Record, plan, account and licence numbers are anchored on a cue word from ``cues.toml``
("MRN", "member ID", "lic.") so that codes, doses and vitals never match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from thce.data.phi.base import make_span, recognizer
from thce.data.phi.context import TextContext
from thce.data.phi.cues import cued_spans
from thce.data.phi.spans import PHISpan

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")


@recognizer("email", ("EMAIL",), "E-mail addresses.")
def find_emails(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _EMAIL_RE.finditer(ctx.text):
        yield make_span(ctx, m.start(), m.end(), "EMAIL", "email")


_TLDS = "com|org|net|edu|gov|io|us|info|health|care|co|biz|me|app"
_URL_RE = re.compile(
    rf"\b(?:https?://|ftp://|www\.)[^\s<>\"'()\[\]]+"
    rf"|(?<![@\w.-])(?:[A-Za-z0-9-]+\.)+(?:{_TLDS})\b(?:/[^\s<>\"'()\[\]]*)?",
    re.IGNORECASE,
)


@recognizer(
    "url", ("URL",), "Web addresses: http(s)://..., www...., bare domains like portal.example.org."
)
def find_urls(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _URL_RE.finditer(ctx.text):
        end = m.end()
        while end > m.start() and ctx.text[end - 1] in ".,;:!?":
            end -= 1
        yield make_span(ctx, m.start(), end, "URL", "url")


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP_RE = re.compile(
    rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w.]*\w)"
    r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])"
    r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}:?){1,6}(?![\w:])"
)


@recognizer("ip", ("IP",), "IPv4 and IPv6 addresses.")
def find_ips(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _IP_RE.finditer(ctx.text):
        yield make_span(ctx, m.start(), m.end(), "IP", "ip")


_SSN_RE = re.compile(
    r"(?<![\w-])(?:\d{3}|[xX*#]{3})-(?:\d{2}|[xX*#]{2})-\d{4}(?![\w-])"
    r"|(?i:\b(?:ssn|social security(?:[ \t]+(?:number|no\.?|#))?)[ \t]*[:#]?[ \t]*)"
    r"(\d{9}|\d{3}[ \t]\d{2}[ \t]\d{4}|[xX*]{3}-?[xX*]{2}-?\d{4})\b"
)


@recognizer(
    "ssn", ("SSN",), "Social security numbers: 123-45-6789, 'SSN 123456789', masked XXX-XX-1234."
)
def find_ssns(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _SSN_RE.finditer(ctx.text):
        start, end = m.span(1) if m.group(1) else m.span()
        yield make_span(ctx, start, end, "SSN", "ssn")


_PHONE_RE = re.compile(
    r"(?<![\w/.+-])(?:\+?1[ \t.-]?)?(?:\(\d{3}\)[ \t]?|\d{3}[ \t./-])\d{3}[ \t.-]\d{4}"
    r"(?:[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,6})?(?![\w/-]|\.\d)"
    # International: "+49 30 5550 1182", "+44 20 7946 0958"
    r"|(?<![\w+])\+(?:[2-9]\d{0,2})(?:[ .-]\(?\d{1,5}\)?){2,5}(?![\w-]|\.\d)"
    # UK style with a leading 0: "01632 960 418", "0161 496 0733", "020 7946 0958"
    # (the middle group keeps clock times like "0900 1300 1700" out)
    r"|(?<![\w/.+-])(?:0\d{3,4}[ ]\d{3}|0\d{2}[ ]\d{4})[ ]\d{3,4}(?![\w/-]|\.\d)"
    # A 7-digit local number: "555-0431" (never after a range word or before a unit)
    r"|(?<![\w/.+$-])[2-9]\d{2}-\d{4}(?![\w/-]|\.\d|[ \t]*(?:mg|mcg|units?|mL|ml|cells|/))"
)
_LOCAL_PHONE_RE = re.compile(
    r"(?i:\b(?:pager|beeper|bleep|page(?:[ \t]+to)?|pgr|ext|extension|x|spectralink|vocera)\b\.?"
    r"[ \t]*(?:#|:)?[ \t]*)(\d{1,2}-\d{4}|\d{4,5})(?![\w/-]|\.\d)"
    r"|(?<![\w-])x(\d{1,2}-\d{4}|\d{4,5})(?![\w/-]|\.\d)"
)
_FAX_CUE_RE = re.compile(r"(?i)\bfax(?:ed)?\b")
_PHONE_CUE_RE = re.compile(r"(?i)\b(?:phone|tel|telephone|cell|mobile|call|pager|ph|pgr)\b")


@recognizer("phone", ("PHONE", "FAX"), "Telephone and fax numbers (fax when 'fax' precedes it).")
def find_phones(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    spans = [m.span() for m in _PHONE_RE.finditer(text)]
    spans += [m.span(1) if m.group(1) else m.span(2) for m in _LOCAL_PHONE_RE.finditer(text)]
    spans = [(s, e) for s, e in spans if sum(ch.isdigit() for ch in text[s:e]) >= 4]
    for start, end in spans:
        before = text[max(0, start - 30) : start]
        fax = [m.end() for m in _FAX_CUE_RE.finditer(before)]
        phone = [m.end() for m in _PHONE_CUE_RE.finditer(before)]
        label = "FAX" if fax and (not phone or fax[-1] > phone[-1]) else "PHONE"
        yield make_span(ctx, start, end, label, "phone")


# --------------------------------------------------------------------------- identifiers

_MBI_RE = re.compile(
    r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}\b"
)


@recognizer("mrn", ("MRN",), "Medical record, chart, accession, case and lab numbers after a cue.")
def find_mrns(ctx: TextContext) -> Iterator[PHISpan]:
    yield from cued_spans(ctx, "MRN", "mrn")


@recognizer(
    "health_plan",
    ("HEALTH_PLAN",),
    "Member, subscriber, policy, Medicare/Medicaid IDs after a cue; Medicare MBIs.",
)
def find_health_plan_ids(ctx: TextContext) -> Iterator[PHISpan]:
    yield from cued_spans(ctx, "HEALTH_PLAN", "health_plan")
    for m in _MBI_RE.finditer(ctx.text):
        yield make_span(ctx, m.start(), m.end(), "HEALTH_PLAN", "health_plan")


@recognizer("account", ("ACCOUNT",), "Account, billing, claim, encounter and card numbers.")
def find_accounts(ctx: TextContext) -> Iterator[PHISpan]:
    yield from cued_spans(ctx, "ACCOUNT", "account")


@recognizer(
    "license", ("LICENSE",), "Driver's licence, DEA, NPI, professional licence and permit numbers."
)
def find_licenses(ctx: TextContext) -> Iterator[PHISpan]:
    yield from cued_spans(ctx, "LICENSE", "license")


_LONG_NUMBER_RE = re.compile(r"(?<![\w.,/-])\d{7,}(?![\w.,/-]|\.\d)")
_CODE_CUE_RE = re.compile(
    r"(?i)\b(?:ndc|cpt|hcpcs|icd|loinc|snomed|rxnorm|code|lot|batch|catalog|model)\b[^.;\n]{0,12}$"
)


@recognizer(
    "identifier",
    ("MRN",),
    "Any other stand-alone number of 7+ digits (treated as a record number).",
)
def find_long_numbers(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _LONG_NUMBER_RE.finditer(ctx.text):
        if _CODE_CUE_RE.search(ctx.text, max(0, m.start() - 20), m.start()):
            continue  # NDC / code numbers are medical content
        yield make_span(ctx, m.start(), m.end(), "MRN", "identifier")
