"""A record on its way through preprocessing: read from its input format, written back out.

:func:`to_work` reads a raw record or a stage 1/2/3 example into a :class:`Work` (narrative
plus one :class:`Answer`, or ``chosen`` and ``rejected`` for stage 3); the steps in
:mod:`thce.data.preprocess_steps` change it or raise :class:`Rejected`; :func:`build_record`
writes it back as a stage-format example (raw input becomes stage 1, or stage 2 with
reasoning). The run itself is :class:`thce.data.preprocess.Preprocessor`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thce.data.config import RAW_COLUMNS
from thce.data.formats import (
    THINK_CLOSE,
    THINK_OPEN,
    build_stage_1_example,
    build_stage_2_example,
    format_answer,
    format_reasoned_answer,
    parse_answer,
)

RAW_NARRATIVE_COLUMNS: tuple[str, ...] = ("narrative", "text")
# The raw columns a data config may map onto, plus the two every record may carry.
RAW_KNOWN_COLUMNS: tuple[str, ...] = (*RAW_COLUMNS, "id", "metadata")


class Rejected(Exception):
    """Raised by a step that removes the record; ``step`` and ``reason`` go to the rejects file."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(reason)
        self.step, self.reason = step, reason


@dataclass
class Answer:
    """One assistant answer being processed (``answer``, or ``chosen``/``rejected``)."""

    label: str
    code_type: str | None
    code: str | None
    description: str | None
    reasoning: str | None
    original: str | None = None  # the text it came from (stage-format input)


@dataclass
class Work:
    """A record on its way through the steps."""

    line: int | None
    original: dict[str, Any]
    input_format: str  # raw, stage_1, stage_2, stage_3
    narrative: str
    answers: list[Answer]
    changed: list[str] = field(default_factory=list)
    billable: bool | None = None
    language_reason: str = ""

    def mark(self, step: str) -> None:
        if step not in self.changed:
            self.changed.append(step)


# ---------------------------------------------------------------------------- reading
def _message_content(messages: Any, role: str) -> tuple[int, str] | None:
    if isinstance(messages, list):
        for index, message in enumerate(messages):
            if isinstance(message, dict) and message.get("role") == role:
                content = message.get("content")
                if isinstance(content, str):
                    return index, content
    return None


def _answer_from_text(label: str, text: str) -> Answer:
    parsed = parse_answer(text)
    if not parsed.well_formed:
        raise Rejected("code", f"{label}: no 'CODE_TYPE: CODE' answer found")
    has_think = THINK_OPEN in text or THINK_CLOSE in text
    reasoning = parsed.reasoning if has_think else None
    return Answer(label, parsed.code_type, parsed.code, parsed.description, reasoning, text)


def to_work(record: Any, line: int | None) -> Work:
    """Read a stage 1/2/3 example or a raw record; :class:`Rejected` (``parse`` or ``code``)
    when it is neither, or its answer has no ``CODE_TYPE: CODE`` line."""
    if not isinstance(record, dict):
        raise Rejected("parse", f"expected a JSON object, got {type(record).__name__}")
    if "prompt" in record or "chosen" in record:
        user = _message_content(record.get("prompt"), "user")
        chosen = _message_content(record.get("chosen"), "assistant")
        rejected = _message_content(record.get("rejected"), "assistant")
        if user is None or chosen is None or rejected is None:
            raise Rejected(
                "parse", "stage-3 record needs prompt (with a user message), chosen and rejected"
            )
        answers = [
            _answer_from_text("chosen", chosen[1]),
            _answer_from_text("rejected", rejected[1]),
        ]
        return Work(line, record, "stage_3", user[1], answers)
    if "messages" in record:
        user = _message_content(record["messages"], "user")
        assistant = _message_content(record["messages"], "assistant")
        if user is None or assistant is None:
            raise Rejected("parse", "messages need a user and an assistant message")
        answer = _answer_from_text("answer", assistant[1])
        kind = "stage_2" if answer.reasoning is not None else "stage_1"
        return Work(line, record, kind, user[1], [answer])
    narrative_key = next((k for k in RAW_NARRATIVE_COLUMNS if k in record), None)
    if narrative_key is None or "code" not in record:
        raise Rejected(
            "parse",
            "record is neither a stage example (messages / prompt+chosen+rejected) nor a raw "
            "record with 'narrative' (or 'text') and 'code'",
        )
    narrative = record[narrative_key]
    if not isinstance(narrative, str):
        raise Rejected("parse", f"{narrative_key!r} must be a string")
    if not isinstance(record["code"], str | int) or not str(record["code"]).strip():
        raise Rejected("parse", f"'code' must be a non-empty string, got {record['code']!r}")
    reasoning = record.get("reasoning")
    description = record.get("description")
    if reasoning is not None and not isinstance(reasoning, str):
        raise Rejected("parse", "'reasoning' must be a string")
    if description is not None and not isinstance(description, str):
        raise Rejected("parse", "'description' must be a string")
    code_type = record.get("code_type")
    answer = Answer(
        "answer",
        str(code_type) if code_type not in (None, "") else None,
        str(record["code"]),
        description or None,
        reasoning if reasoning and reasoning.strip() else None,
    )
    return Work(line, record, "raw", narrative, [answer])


def guess_format(record: Any) -> str:
    """The input format to count for a record that :func:`to_work` could not read."""
    if not isinstance(record, dict):
        return "invalid"
    if "prompt" in record or "chosen" in record:
        return "stage_3"
    return "stage" if "messages" in record else "raw"


# ---------------------------------------------------------------------------- writing
def answer_text(answer: Answer) -> str:
    """The assistant message for an answer: its reasoning in ``<think>`` (if any), then the
    ``CODE_TYPE: CODE (description)`` line."""
    assert answer.code_type and answer.code
    if answer.reasoning is not None:
        return format_reasoned_answer(
            answer.reasoning, answer.code_type, answer.code, answer.description
        )
    return format_answer(answer.code_type, answer.code, answer.description)


def build_record(work: Work, quality: float | None) -> dict[str, Any]:
    """The stage-format example for ``work``, with ``metadata.quality_score`` when ``quality``
    is given. The input record is never modified."""
    record = work.original
    main = work.answers[0]
    metadata = (
        dict(record.get("metadata") or {}) if isinstance(record.get("metadata"), dict) else {}
    )
    metadata["code_type"] = main.code_type
    if quality is not None:
        metadata["quality_score"] = quality
    if work.input_format == "raw":
        for key, value in record.items():
            if key not in RAW_KNOWN_COLUMNS:
                metadata.setdefault(key, value)
        if record.get("specialty") is not None:
            metadata["specialty"] = record["specialty"]
        extra: dict[str, Any] = {"id": record["id"]} if "id" in record else {}
        assert main.code_type and main.code
        if main.reasoning is not None:
            out = build_stage_2_example(
                work.narrative,
                main.reasoning,
                main.code_type,
                main.code,
                main.description,
                **extra,
            )
        else:
            out = build_stage_1_example(
                work.narrative, main.code_type, main.code, main.description, **extra
            )
        out["metadata"] = metadata
        return out
    # Copy the message lists (and their dicts) that get new content; the rest is shared
    # with the input record, which is never modified.
    out = dict(record)
    for key in ("messages", "prompt", "chosen", "rejected"):
        if isinstance(out.get(key), list):
            out[key] = [dict(m) if isinstance(m, dict) else m for m in out[key]]
    if work.input_format == "stage_3":
        _set_content(out["prompt"], "user", work.narrative)
        _set_content(out["chosen"], "assistant", answer_text(work.answers[0]))
        _set_content(out["rejected"], "assistant", answer_text(work.answers[1]))
    else:
        _set_content(out["messages"], "user", work.narrative)
        _set_content(out["messages"], "assistant", answer_text(main), last=True)
    out["metadata"] = metadata
    return out


def _set_content(
    messages: list[dict[str, Any]], role: str, content: str, last: bool = False
) -> None:
    indices = [i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == role]
    if indices:
        messages[indices[-1] if last else indices[0]]["content"] = content


__all__ = [
    "RAW_KNOWN_COLUMNS",
    "RAW_NARRATIVE_COLUMNS",
    "Answer",
    "Rejected",
    "Work",
    "answer_text",
    "build_record",
    "guess_format",
    "to_work",
]
