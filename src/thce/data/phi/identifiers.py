"""Recognizers for contact details and identifying numbers (phone, e-mail, SSN, MRN, IDs...).

Most number recognizers are anchored on a cue word ("MRN", "member ID", "serial #") so that
codes, doses and vitals never match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from thce.data.phi.context import TextContext
from thce.data.phi.registry import make_span, register
from thce.data.phi.spans import PHISpan

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")


@register("email", ("EMAIL",), "E-mail addresses.")
def find_emails(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _EMAIL_RE.finditer(ctx.text):
        yield make_span(ctx, m.start(), m.end(), "EMAIL", "email")


_TLDS = "com|org|net|edu|gov|io|us|info|health|care|co|biz|me|app"
_URL_RE = re.compile(
    rf"\b(?:https?://|ftp://|www\.)[^\s<>\"'()\[\]]+"
    rf"|(?<![@\w.-])(?:[A-Za-z0-9-]+\.)+(?:{_TLDS})\b(?:/[^\s<>\"'()\[\]]*)?",
    re.IGNORECASE,
)


@register(
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


@register("ip", ("IP",), "IPv4 and IPv6 addresses.")
def find_ips(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _IP_RE.finditer(ctx.text):
        yield make_span(ctx, m.start(), m.end(), "IP", "ip")


_SSN_RE = re.compile(
    r"(?<![\w-])(?:\d{3}|[xX*#]{3})-(?:\d{2}|[xX*#]{2})-\d{4}(?![\w-])"
    r"|(?i:\b(?:ssn|social security(?:[ \t]+(?:number|no\.?|#))?)[ \t]*[:#]?[ \t]*)"
    r"(\d{9}|\d{3}[ \t]\d{2}[ \t]\d{4}|[xX*]{3}-?[xX*]{2}-?\d{4})\b"
)


@register(
    "ssn", ("SSN",), "Social security numbers: 123-45-6789, 'SSN 123456789', masked XXX-XX-1234."
)
def find_ssns(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _SSN_RE.finditer(ctx.text):
        start, end = m.span(1) if m.group(1) else m.span()
        yield make_span(ctx, start, end, "SSN", "ssn")


_PHONE_RE = re.compile(
    r"(?<![\w/.+-])(?:\+?1[ \t.-]?)?(?:\(\d{3}\)[ \t]?|\d{3}[ \t.-])\d{3}[ \t.-]\d{4}"
    r"(?:[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,6})?(?![\w/-]|\.\d)"
)
_LOCAL_PHONE_RE = re.compile(
    r"(?i:\b(?:call|phone|tel|telephone|cell|mobile|pager|beeper|contact|reach)"
    r"\b[ \t]*(?:at|is|#|:|number|no\.?)?[ \t]*(?:at|is|#|:)?[ \t]*)(\d{3}-\d{4})(?![\w/.-])"
    r"|(?i:\b(?:pager|beeper|page|ext|extension|x)\b\.?[ \t]*(?:#|:)?[ \t]*)(\d{4,5})(?![\w/.-])"
)
_FAX_CUE_RE = re.compile(r"(?i)\bfax(?:ed)?\b")
_PHONE_CUE_RE = re.compile(r"(?i)\b(?:phone|tel|telephone|cell|mobile|call|pager|ph)\b")


@register("phone", ("PHONE", "FAX"), "Telephone and fax numbers (fax when 'fax' precedes it).")
def find_phones(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    spans = [m.span() for m in _PHONE_RE.finditer(text)]
    spans += [m.span(1) if m.group(1) else m.span(2) for m in _LOCAL_PHONE_RE.finditer(text)]
    for start, end in spans:
        before = text[max(0, start - 30) : start]
        fax = [m.end() for m in _FAX_CUE_RE.finditer(before)]
        phone = [m.end() for m in _PHONE_CUE_RE.finditer(before)]
        label = "FAX" if fax and (not phone or fax[-1] > phone[-1]) else "PHONE"
        yield make_span(ctx, start, end, label, "phone")


# --------------------------------------------------------------------------- identifiers

# Identifier values: 3+ digits among letters/digits/dashes ("A5300714", "1EG4-TE5-MK73").
_ID_VALUE = r"(?=(?:[A-Za-z-]*\d){3})[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){2,30}"
_ID_GLUE = r"(?:[ \t]*(?:[:#=.]|-(?!\d)|\b(?i:number|numbers|no|num|id|is|was|of)\b)[ \t]*)*[ \t]*"


def _id_pattern(cues: str, value: str = _ID_VALUE) -> re.Pattern[str]:
    return re.compile(rf"(?i:\b(?:{cues}))(?![A-Za-z]){_ID_GLUE}({value})(?![\w-])")


_ID_PATTERNS: dict[str, re.Pattern[str]] = {
    "MRN": _id_pattern(
        r"mrn|mr[ \t]?#|medical[ \t]+record(?:[ \t]+(?:number|no|#))?|record[ \t]+(?:number|no|#)"
        r"|chart(?:[ \t]+(?:number|no|#))?|patient[ \t]+(?:id|identifier|number)|pt[ \t]+id"
        r"|hospital[ \t]+(?:number|no|id)|accession(?:[ \t]+(?:number|no|#))?|specimen[ \t]+(?:id|number)"
        r"|case[ \t]+(?:number|no|#)|unit[ \t]+number|empi|enterprise[ \t]+id"
    ),
    "HEALTH_PLAN": _id_pattern(
        r"member(?:ship)?(?:[ \t]+(?:id|number|no|#))?|subscriber(?:[ \t]+(?:id|number|no|#))?"
        r"|policy(?:[ \t]+holder)?(?:[ \t]+(?:id|number|no|#))?|insurance(?:[ \t]+(?:id|number|no|#))?"
        r"|health[ \t]+plan(?:[ \t]+(?:id|number|no|#))?|plan[ \t]+(?:id|number)"
        r"|group(?:[ \t]+(?:number|no|#|id))|medicare(?:[ \t]+(?:id|number|no|#|card|mbi))?|mbi|hicn"
        r"|medicaid(?:[ \t]+(?:id|number|no|#|card))?|beneficiary(?:[ \t]+(?:id|identifier|number))?"
        r"|payer[ \t]+id|insured[ \t]+id|va[ \t]+(?:id|number|no|#)|veteran[ \t]+(?:id|number)"
        r"|tricare(?:[ \t]+(?:id|number|no|#))?|champva(?:[ \t]+(?:id|number|no|#))?"
    ),
    "ACCOUNT": _id_pattern(
        r"account(?:[ \t]+(?:number|no|#|id))?|acct\.?(?:[ \t]+(?:number|no|#))?"
        r"|billing(?:[ \t]+(?:account|number|no|#|id))?|claim(?:[ \t]+(?:number|no|#|id))?"
        r"|encounter(?:[ \t]+(?:number|no|#|id))?|visit[ \t]+(?:number|no|#|id)|fin"
        r"|invoice(?:[ \t]+(?:number|no|#))?|(?:credit[ \t]+|debit[ \t]+)?card[ \t]+(?:number|no|#)"
        r"|routing[ \t]+(?:number|no|#)|iban|bank[ \t]+account"
        r"|portal[ \t]+(?:id|account)"
    ),
    "LICENSE": _id_pattern(
        r"driver'?s?[ \t]+licen[cs]e(?:[ \t]+(?:number|no|#))?|(?-i:DL)(?=[ \t]*[#:])"
        r"|(?:medical[ \t]+|state[ \t]+|nursing[ \t]+|professional[ \t]+|hack[ \t]+)?licen[cs]e(?:[ \t]+(?:number|no|#))?"
        r"|dea(?:[ \t]+(?:number|no|#|registration))?|npi(?:[ \t]+(?:number|no|#))?"
        r"|certificate(?:[ \t]+(?:number|no|#))|permit[ \t]+(?:number|no|#)|passport(?:[ \t]+(?:number|no|#))?"
    ),
}
_MBI_RE = re.compile(
    r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}\b"
)


def _make_id_recognizer(label: str, name: str, description: str) -> None:
    pattern = _ID_PATTERNS[label]

    def find(ctx: TextContext) -> Iterator[PHISpan]:
        for m in pattern.finditer(ctx.text):
            yield make_span(ctx, m.start(1), m.end(1), label, name)
        if label == "HEALTH_PLAN":
            for m in _MBI_RE.finditer(ctx.text):
                yield make_span(ctx, m.start(), m.end(), label, name)

    find.__doc__ = description
    register(name, (label,), description)(find)


_make_id_recognizer(
    "MRN", "mrn", "Medical record / chart / patient / accession numbers after a cue word."
)
_make_id_recognizer(
    "HEALTH_PLAN",
    "health_plan",
    "Member, subscriber, policy, Medicare/Medicaid IDs; Medicare MBIs.",
)
_make_id_recognizer("ACCOUNT", "account", "Account, billing, claim, encounter and card numbers.")
_make_id_recognizer(
    "LICENSE", "license", "Driver's licence, DEA, NPI, professional licence numbers."
)

_LONG_NUMBER_RE = re.compile(r"(?<![\w.,/-])\d{7,}(?![\w.,/-]|\.\d)")
_CODE_CUE_RE = re.compile(r"(?i)\b(?:ndc|cpt|hcpcs|icd|loinc|snomed|rxnorm|code)\b[^.;\n]{0,12}$")


@register(
    "identifier",
    ("MRN",),
    "Any other stand-alone number of 7+ digits (treated as a record number).",
)
def find_long_numbers(ctx: TextContext) -> Iterator[PHISpan]:
    for m in _LONG_NUMBER_RE.finditer(ctx.text):
        if _CODE_CUE_RE.search(ctx.text, max(0, m.start() - 20), m.start()):
            continue  # NDC / code numbers are medical content
        yield make_span(ctx, m.start(), m.end(), "MRN", "identifier")
