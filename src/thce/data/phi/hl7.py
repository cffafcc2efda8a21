"""HL7 v2 messages pasted into notes: the PID, NK1 and GT1 segments hold identifiers.

An HL7 v2 segment is a line of ``|``-separated fields whose components are separated by
``^``: ``PID|1||E00418823^^^EMH^MR||OKONKWO^CHIDINMA^A||19840711|F|||118 BRIARWOOD
CT^^EASTMOOR^OR^97302||(503)555-0161|||||V00338811|541-22-9087``. The field positions are
fixed by the standard, so each identifying field is removed with its tag whatever it looks
like. Names written as ``LAST^FIRST^M`` anywhere are handled by :mod:`.headers`; addresses
written as ``street^^city^ST^zip`` anywhere are handled here.

>>> from thce.data.phi.context import TextContext
>>> ctx = TextContext("PID|1||E004188^^^EMH^MR||DOE^JANE||19840711|F")
>>> [(ctx.text[s.start:s.end], s.label) for s in find_hl7_fields(ctx)]
[('E004188', 'MRN'), ('DOE^JANE', 'NAME'), ('19840711', 'DATE')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from thce.data.phi.base import make_span, recognizer
from thce.data.phi.context import TextContext
from thce.data.phi.spans import PHISpan

# Field number -> tag, per segment (HL7 v2.5: PID-3 identifiers, PID-5 name, PID-7 birth
# date, PID-11 address, PID-13/14 phones, PID-18 account, PID-19 SSN, PID-20 licence...).
_SEGMENT_FIELDS: dict[str, dict[int, str]] = {
    "PID": {
        2: "MRN", 3: "MRN", 4: "MRN", 5: "NAME", 6: "NAME", 7: "DATE", 9: "NAME",
        11: "ADDRESS", 13: "PHONE", 14: "PHONE", 18: "ACCOUNT", 19: "SSN", 20: "LICENSE",
        21: "NAME", 23: "LOCATION", 29: "DATE",
    },
    "NK1": {2: "NAME", 4: "ADDRESS", 5: "PHONE", 6: "PHONE", 30: "NAME", 31: "PHONE"},
    "GT1": {3: "NAME", 5: "ADDRESS", 6: "PHONE", 7: "PHONE", 8: "DATE", 12: "SSN"},
    "IN1": {16: "NAME", 18: "DATE", 19: "ADDRESS", 36: "HEALTH_PLAN", 49: "HEALTH_PLAN"},
    "PV1": {7: "NAME", 8: "NAME", 9: "NAME", 17: "NAME", 19: "ACCOUNT"},
}  # fmt: skip
_SEGMENT_RE = re.compile(r"(?m)^[ \t]*(PID|NK1|GT1|IN1|PV1)\|[^\n]*")
# "street^other^city^ST^zip" (XAD) anywhere: "4402 Linh Way^^Garden Grove^CA^92844".
_XAD_RE = re.compile(
    r"(?<![\w^])(\d+[^^|\n]{2,40})\^[^^|\n]*\^([^^|\n]{2,30})\^([A-Z]{2})\^(\d{5}(?:-\d{4})?)(?![\d-])"
)


@recognizer(
    "hl7",
    ("MRN", "NAME", "DATE", "ADDRESS", "PHONE", "ACCOUNT", "SSN", "LOCATION"),
    "Identifying fields of HL7 v2 segments (PID, NK1, GT1, IN1, PV1) and HL7 addresses.",
)
def find_hl7_fields(ctx: TextContext) -> Iterator[PHISpan]:
    text = ctx.text
    if "^" not in text and "|" not in text:
        return
    for m in _SEGMENT_RE.finditer(text):
        fields = _SEGMENT_FIELDS[m.group(1)]
        pos = m.start(1)
        for index, field in enumerate(m.group().lstrip().split("|")):
            label = fields.get(index)
            value = field.split("~")[0]
            if label and value.strip("^ ") and index:
                if label in ("MRN", "ACCOUNT", "SSN", "LICENSE", "HEALTH_PLAN"):
                    value = value.split("^")[0]  # the id, without its assigning authority
                if value:
                    yield make_span(ctx, pos, pos + len(value.rstrip("^")), label, "hl7")
            pos += len(field) + 1
    for m in _XAD_RE.finditer(text):
        yield make_span(ctx, *m.span(1), "ADDRESS", "hl7")
        yield make_span(ctx, *m.span(2), "LOCATION", "hl7")
        yield make_span(ctx, *m.span(4), "LOCATION", "hl7")
