"""Prompts that ask an LLM for a synthetic narrative, and strict parsing of its reply.

The model is told the target code (sampled by THCE) and writes the narrative; it replies with
one JSON object whose keys depend on the stage:

- stage 1: ``{"narrative"}``
- stage 2: ``{"narrative", "reasoning"}``
- stage 3: ``{"narrative", "reasoning", "rejected_code", "rejected_reasoning"}``

Anything else (prose, several objects, a missing or empty field) is rejected with a reason.
The prompts are fixed instructions plus the code and its description: no real patient text
is ever put into them.

    >>> parse_reply('```json\\n{"narrative": "58 yo with T2DM."}\\n```', stage=1)
    {'narrative': '58 yo with T2DM.'}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

STAGE_FIELDS: dict[int, tuple[str, ...]] = {
    1: ("narrative",),
    2: ("narrative", "reasoning"),
    3: ("narrative", "reasoning", "rejected_code", "rejected_reasoning"),
}

# Note styles per code system, so narratives vary the way real documentation does.
NOTE_STYLES: dict[str, tuple[str, ...]] = {
    "ICD10": (
        "outpatient progress note",
        "emergency department note",
        "hospital discharge summary excerpt",
        "new patient consultation note",
        "telehealth follow-up note",
    ),
    "CPT": (
        "procedure note",
        "office visit note",
        "operative report excerpt",
        "diagnostic test report",
        "emergency department note",
    ),
    "HCPCS": (
        "office visit note documenting a supply, drug or service",
        "infusion or injection administration note",
        "durable medical equipment order note",
        "home health or transport note",
        "outpatient clinic note",
    ),
}

GENERATOR_SYSTEM_PROMPT = (
    "You write realistic, entirely fictional clinical documentation used to train medical-coding "
    "models. Every detail is invented: never include names, dates, ages above 89, addresses, "
    "phone numbers, e-mail addresses, record or account numbers, or any other identifier. "
    "Reply with exactly one JSON object and nothing else."
)

_FIELD_SPECS: dict[str, str] = {
    "narrative": (
        "the clinical narrative: 3 to 7 sentences (60 to 180 words) written as a clinician "
        "would document the encounter, with the history, findings and assessment that justify "
        "exactly this code (specificity, laterality, acuity, complications or encounter type as "
        "the code requires). Do not mention the code, the code system or the code's exact "
        "official wording."
    ),
    "reasoning": (
        "a coder's step-by-step reasoning, 2 to 5 sentences, from the documented findings to "
        "this code, explaining why it fits better than nearby codes"
    ),
    "rejected_code": (
        "a different, real {code_type} code that a coder could plausibly pick by mistake for "
        "this narrative (wrong specificity, laterality, acuity or a related condition or service)"
    ),
    "rejected_reasoning": (
        "2 to 5 sentences of plausible but flawed reasoning that leads to rejected_code"
    ),
}


@dataclass(frozen=True)
class Target:
    """What one request asks for: a code with its description, a specialty and a note style."""

    code_type: str
    code: str
    description: str | None
    specialty: str
    note_style: str

    def to_dict(self) -> dict[str, str | None]:
        """Plain-dict view (for rejects and metadata)."""
        return {
            "code_type": self.code_type,
            "code": self.code,
            "description": self.description,
            "specialty": self.specialty,
            "note_style": self.note_style,
        }


class ReplyError(ValueError):
    """A model reply that cannot become an example. ``reason`` is a short stable key."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def build_user_prompt(target: Target, stage: int) -> str:
    """The user message asking for one example of ``stage`` for ``target``.

    >>> t = Target("ICD10", "E11.9", "Type 2 diabetes mellitus without complications",
    ...            "endocrinology", "outpatient progress note")
    >>> "ICD10: E11.9 (Type 2 diabetes mellitus without complications)" in build_user_prompt(t, 1)
    True
    """
    if stage not in STAGE_FIELDS:
        raise ValueError(f"stage must be 1, 2 or 3, got {stage!r}")
    code_line = f"{target.code_type}: {target.code}"
    if target.description:
        code_line += f" ({target.description})"
    fields = STAGE_FIELDS[stage]
    spec_lines = [
        f'- "{name}": ' + _FIELD_SPECS[name].format(code_type=target.code_type) for name in fields
    ]
    skeleton = json.dumps({name: "..." for name in fields})
    return (
        f"Write a fictional {target.note_style} from {target.specialty} for which a professional "
        f"medical coder would assign exactly this code:\n{code_line}\n\n"
        "Reply with one JSON object with these keys:\n"
        + "\n".join(spec_lines)
        + f"\n\nReply with the JSON object only, shaped like {skeleton}"
    )


def build_messages(target: Target, stage: int) -> list[dict[str, str]]:
    """System and user messages for one generation request."""
    return [
        {"role": "system", "content": GENERATOR_SYSTEM_PROMPT},
        {"role": "user", "content": build_user_prompt(target, stage)},
    ]


_FENCE_RE = re.compile(r"^```[A-Za-z0-9_-]*[ \t]*\n(?P<body>.*?)\n?```$", re.DOTALL)


def strip_code_fence(text: str) -> str:
    """Remove one Markdown code fence wrapping the whole reply (```json ... ```), if any.

    >>> strip_code_fence('```json\\n{"a": 1}\\n```')
    '{"a": 1}'
    """
    stripped = text.strip()
    match = _FENCE_RE.match(stripped)
    return match.group("body").strip() if match else stripped


def parse_reply(text: str | None, stage: int) -> dict[str, str]:
    """Parse a model reply into the stage's fields, or raise :class:`ReplyError`.

    Extra keys are ignored (the answer is built by THCE, never taken from the model); the
    expected keys must hold non-empty strings.
    """
    if text is None or not text.strip():
        raise ReplyError("empty_reply", "the model returned no text")
    body = strip_code_fence(text)
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ReplyError(
            "not_json", f"reply is not one JSON object ({exc.msg} at column {exc.colno})"
        ) from None
    if not isinstance(value, dict):
        raise ReplyError(
            "not_an_object", f"reply is JSON {type(value).__name__}, expected an object"
        )
    fields: dict[str, str] = {}
    for name in STAGE_FIELDS[stage]:
        if name not in value:
            raise ReplyError(
                f"missing_{name}", f"reply has no {name!r} key (keys: {sorted(value)})"
            )
        field = value[name]
        if not isinstance(field, str):
            raise ReplyError(
                f"bad_{name}", f"{name!r} is {type(field).__name__}, expected a string"
            )
        if not field.strip():
            raise ReplyError(f"empty_{name}", f"{name!r} is empty")
        fields[name] = field.strip()
    return fields


__all__ = [
    "GENERATOR_SYSTEM_PROMPT",
    "NOTE_STYLES",
    "STAGE_FIELDS",
    "ReplyError",
    "Target",
    "build_messages",
    "build_user_prompt",
    "parse_reply",
    "strip_code_fence",
]
