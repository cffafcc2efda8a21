"""Data quality checks: one function per check, looked up by name in ``CHECKS``.

Each check takes the checker running it and a :class:`RecordView` of one record, and returns
``None`` (pass) or a short reason. Checks are looked up by name (an unknown name is an error
listing the valid ones):

==================  =============================================================================
``schema``          a JSON object with ``messages`` (stage 1/2) or ``prompt``/``chosen``/``rejected``
                    (stage 3); a malformed JSON line fails here, with its line number
``message_structure`` roles, order and ``role``/``content`` fields of every message
``empty_content``   no message has empty or blank content
``code_format``     the answer is ``CODE_TYPE: CODE (description)`` in canonical form and the code
                    matches its system's format; stage 3: ``chosen`` and ``rejected`` both, and
                    ``rejected`` differs from ``chosen``
``unknown_code``    a well-formed code that is not in the code database (``chosen`` for stage 3)
``reasoning_tags``  stage 1: no ``<think>`` tags; stage 2/3: exactly one ``<think>…</think>``
                    before the answer, not empty (stage 3: ``chosen``; ``rejected`` may lack one,
                    as "missing reasoning" is a realistic mistake, but any tags must be well formed)
``narrative_length`` narrative length between 10 and 2000 characters
``phi``             PHI detected in the narrative (:class:`thce.data.phi.PHIScrubber`)
``duplicate``       the same narrative (case and whitespace aside) appeared earlier in the file;
                    the first occurrence passes. Only 8-byte hashes are kept, never texts.
==================  =============================================================================

The checker that runs them over records and files, and its report, are in
:mod:`thce.data.quality` (which re-exports the names here).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from thce.data.formats import (
    THINK_CLOSE,
    THINK_OPEN,
    ParsedAnswer,
    format_answer,
    get_narrative,
    parse_answer,
    split_reasoning,
)
from thce.errors import DataError

CHECK_NAMES: tuple[str, ...] = (
    "schema",
    "message_structure",
    "empty_content",
    "code_format",
    "unknown_code",
    "reasoning_tags",
    "narrative_length",
    "phi",
    "duplicate",
)
STAGES: tuple[int, ...] = (1, 2, 3)
MIN_NARRATIVE_CHARS = 10
MAX_NARRATIVE_CHARS = 2000

_WS_RE = re.compile(r"\s+")


def validate_stage(stage: int | str) -> int:
    """Return ``stage`` as 1, 2 or 3, or raise :class:`DataError`."""
    try:
        value = int(stage)
    except (TypeError, ValueError):
        value = -1
    if value not in STAGES:
        raise DataError(f"invalid stage {stage!r}; use 1, 2 or 3")
    return value


def resolve_check_names(
    checks: Iterable[str] | None = None, skip: Iterable[str] | None = None
) -> tuple[str, ...]:
    """The checks to run: ``checks`` (default all) minus ``skip``, in registry order.

    Raises :class:`DataError` for an unknown name, listing the valid ones.
    """
    chosen = list(CHECK_NAMES) if checks is None else [c.strip() for c in checks]
    skipped = [] if skip is None else [s.strip() for s in skip]
    unknown = [name for name in (*chosen, *skipped) if name not in CHECK_NAMES]
    if unknown:
        raise DataError(
            f"unknown quality check(s): {', '.join(unknown)}; valid checks: {', '.join(CHECK_NAMES)}"
        )
    return tuple(name for name in CHECK_NAMES if name in chosen and name not in skipped)


class Checker(Protocol):
    """What a check may use of the checker running it.

    That is :class:`thce.data.quality.DataQualityChecker`; this module does not import it.
    """

    min_length: int
    max_length: int
    _seen: dict[int, int]  # the duplicate check's memory: narrative hash -> first line
    _current_line: int | None

    def classify_code(self, code_type: str | None, code: str | None) -> tuple[str, str | None]:
        """``("valid" | "unknown" | "malformed", message)`` for a code of a given system."""
        ...

    def has_phi(self, text: str) -> bool:
        """Whether ``text`` holds PHI."""
        ...


@dataclass
class RecordView:
    """What the checks look at, extracted once per record."""

    record: dict[str, Any] | None
    stage: int
    parse_error: str | None = None
    narrative: str | None = None
    # (label, answer text) pairs: ("answer", …) for stage 1/2; ("chosen", …), ("rejected", …).
    answers: list[tuple[str, str]] = field(default_factory=list)
    parsed: dict[str, ParsedAnswer] = field(default_factory=dict)
    message_lists: dict[str, Any] = field(default_factory=dict)


def _assistant_text(messages: Any) -> str | None:
    if not isinstance(messages, list):
        return None
    texts = [
        m.get("content")
        for m in messages
        if isinstance(m, dict)
        and m.get("role") == "assistant"
        and isinstance(m.get("content"), str)
    ]
    return texts[-1] if texts else None


def make_view(record: dict[str, Any] | None, stage: int, parse_error: str | None) -> RecordView:
    """Extract what the checks look at from one record (``None``: a line that did not parse)."""
    view = RecordView(record=record, stage=stage, parse_error=parse_error)
    if record is None:
        return view
    if stage == 3:
        view.message_lists = {k: record.get(k) for k in ("prompt", "chosen", "rejected")}
        labels = ("chosen", "rejected")
    else:
        view.message_lists = {"messages": record.get("messages")}
        labels = ("answer",)
    try:
        view.narrative = get_narrative(record)
    except (AttributeError, TypeError):
        view.narrative = None
    for label in labels:
        source = record.get("messages") if label == "answer" else record.get(label)
        text = _assistant_text(source)
        if text is not None:
            view.answers.append((label, text))
            view.parsed[label] = parse_answer(text)
    return view


# --------------------------------------------------------------------------- checks
# Each check returns None (pass, or not applicable because a more basic check covers the
# missing piece) or a short reason. They never raise on odd input.

CheckFn = Callable[[Checker, RecordView], str | None]


def _check_schema(_: Checker, view: RecordView) -> str | None:
    if view.record is None:
        return view.parse_error or "not a JSON object"
    record = view.record
    if view.stage == 3:
        missing = [k for k in ("prompt", "chosen", "rejected") if k not in record]
        if missing:
            hint = " (this looks like a stage 1/2 record)" if "messages" in record else ""
            return f"missing key(s) {', '.join(missing)} for stage 3{hint}"
        wrong = [k for k in ("prompt", "chosen", "rejected") if not isinstance(record[k], list)]
        if wrong:
            return f"{', '.join(wrong)} must be a list of messages"
    else:
        if "messages" not in record:
            hint = " (this looks like a stage-3 record)" if "chosen" in record else ""
            return f"missing key 'messages'{hint}"
        if not isinstance(record["messages"], list):
            return f"'messages' must be a list, got {type(record['messages']).__name__}"
    if "metadata" in record and not isinstance(record["metadata"], dict):
        return f"'metadata' must be an object, got {type(record['metadata']).__name__}"
    if "id" in record and not isinstance(record["id"], str | int):
        return f"'id' must be a string or number, got {type(record['id']).__name__}"
    return None


_EXPECTED_ROLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "messages": (("system", "user", "assistant"), ("user", "assistant")),
    "prompt": (("system", "user"), ("user",)),
    "chosen": (("assistant",),),
    "rejected": (("assistant",),),
}


def _check_message_structure(_: Checker, view: RecordView) -> str | None:
    problems = []
    for key, messages in view.message_lists.items():
        if not isinstance(messages, list):
            continue  # schema reports it
        roles = []
        for index, message in enumerate(messages):
            if not isinstance(message, dict):
                problems.append(f"{key}[{index}] is not an object")
                break
            missing = [f for f in ("role", "content") if f not in message]
            if missing:
                problems.append(f"{key}[{index}] has no {' or '.join(missing)}")
                break
            if not isinstance(message["content"], str):
                problems.append(f"{key}[{index}].content must be a string")
                break
            roles.append(message["role"])
        else:
            expected = _EXPECTED_ROLES[key]
            if tuple(roles) not in expected:
                want = " or ".join("/".join(roles_) for roles_ in expected)
                problems.append(
                    f"{key} roles are {'/'.join(map(str, roles)) or 'empty'}, expected {want}"
                )
    return "; ".join(problems) or None


def _check_empty_content(_: Checker, view: RecordView) -> str | None:
    empty = []
    for key, messages in view.message_lists.items():
        if not isinstance(messages, list):
            continue
        for index, message in enumerate(messages):
            content = message.get("content") if isinstance(message, dict) else None
            if isinstance(content, str) and not content.strip():
                empty.append(f"{key}[{index}] ({message.get('role')})")
    return f"empty content in {', '.join(empty)}" if empty else None


def _answer_line(text: str) -> str:
    _, answer_part, _ = split_reasoning(text)
    return answer_part.strip()


def _check_code_format(checker: Checker, view: RecordView) -> str | None:
    problems = []
    for label, text in view.answers:
        parsed = view.parsed[label]
        if not parsed.well_formed:
            snippet = _answer_line(text)[:60]
            problems.append(f"{label}: no 'CODE_TYPE: CODE (description)' answer in {snippet!r}")
            continue
        status, message = checker.classify_code(parsed.code_type, parsed.code)
        if status == "malformed":
            problems.append(
                f"{label}: {parsed.code_type} code {parsed.code!r} is malformed: {message}"
            )
            continue
        canonical = format_answer(parsed.code_type, parsed.code, parsed.description)
        if _answer_line(text) != canonical:
            problems.append(f"{label}: answer is not in canonical form; expected {canonical!r}")
    if "chosen" in view.parsed and "rejected" in view.parsed:
        chosen, rejected = dict(view.answers)["chosen"], dict(view.answers)["rejected"]
        if chosen.strip() == rejected.strip():
            problems.append("rejected answer is identical to chosen")
    return "; ".join(problems) or None


def _check_unknown_code(checker: Checker, view: RecordView) -> str | None:
    label = "chosen" if view.stage == 3 else "answer"
    parsed = view.parsed.get(label)
    if parsed is None or not parsed.well_formed:
        return None
    status, message = checker.classify_code(parsed.code_type, parsed.code)
    if status == "unknown":
        return f"{parsed.code_type} code {parsed.code} is not in the code database: {message}"
    return None


def _check_reasoning_tags(_: Checker, view: RecordView) -> str | None:
    problems = []
    for label, text in view.answers:
        has_tags = THINK_OPEN in text or THINK_CLOSE in text
        parsed = view.parsed[label]
        if view.stage == 1:
            if has_tags:
                problems.append(f"{label}: stage-1 answers must not contain <think> tags")
            continue
        if label == "rejected" and not has_tags:
            continue  # a rejected answer without reasoning is a legitimate preference pair
        if not has_tags:
            problems.append(f"{label}: missing <think>…</think> reasoning before the answer")
        elif not parsed.reasoning_well_formed:
            problems.append(
                f"{label}: needs exactly one <think>…</think> block at the start, closed, "
                "followed by the answer"
            )
        elif not (parsed.reasoning or "").strip():
            problems.append(f"{label}: <think> block is empty")
        elif not _answer_line(text):
            problems.append(f"{label}: no answer after </think>")
    return "; ".join(problems) or None


def _check_narrative_length(checker: Checker, view: RecordView) -> str | None:
    if view.narrative is None:
        return None
    length = len(view.narrative.strip())
    if length < checker.min_length:
        return f"narrative has {length} characters, minimum is {checker.min_length}"
    if length > checker.max_length:
        return f"narrative has {length} characters, maximum is {checker.max_length}"
    return None


def _check_phi(checker: Checker, view: RecordView) -> str | None:
    if not view.narrative:
        return None
    if checker.has_phi(view.narrative):
        return "possible PHI in the narrative (run `thce data preprocess` to scrub it)"
    return None


def _check_duplicate(checker: Checker, view: RecordView) -> str | None:
    if not view.narrative or not view.narrative.strip():
        return None
    key = narrative_hash(view.narrative)
    first = checker._seen.get(key)
    if first is not None:
        where = f"line {first}" if first > 0 else "an earlier record"
        return f"same narrative as {where}"
    checker._seen[key] = checker._current_line or 0
    return None


CHECKS: dict[str, CheckFn] = {
    "schema": _check_schema,
    "message_structure": _check_message_structure,
    "empty_content": _check_empty_content,
    "code_format": _check_code_format,
    "unknown_code": _check_unknown_code,
    "reasoning_tags": _check_reasoning_tags,
    "narrative_length": _check_narrative_length,
    "phi": _check_phi,
    "duplicate": _check_duplicate,
}
assert tuple(CHECKS) == CHECK_NAMES


def narrative_hash(narrative: str) -> int:
    """8-byte hash of a narrative, ignoring case and runs of whitespace (for duplicates)."""
    normalized = _WS_RE.sub(" ", narrative).strip().casefold()
    return int.from_bytes(
        hashlib.blake2b(normalized.encode("utf-8"), digest_size=8).digest(), "big"
    )


# ------------------------------------------------------------------ code layer adapter
def classify_code(
    code_type: str | None, code: str | None, validator: Any
) -> tuple[str, str | None]:
    """Classify a code of ``code_type`` as ``valid``, ``unknown`` (well-formed, not in the
    database) or ``malformed`` (does not match the system's format), with a reason."""
    if not code_type or not code:
        return "malformed", "no code"
    result = validator.validate(code, code_type)
    if result.is_valid:
        return "valid", None
    message = result.error_message or "not a valid code"
    if is_well_formed(code, code_type):
        return "unknown", message
    return "malformed", message


def is_well_formed(code: str, code_type: str) -> bool:
    """Whether ``code`` matches the format of ``code_type`` (from the code layer's rules)."""
    from thce.codes.formats import matches_format

    return matches_format(code, code_type)


__all__ = [
    "CHECKS",
    "CHECK_NAMES",
    "MAX_NARRATIVE_CHARS",
    "MIN_NARRATIVE_CHARS",
    "STAGES",
    "CheckFn",
    "Checker",
    "RecordView",
    "classify_code",
    "is_well_formed",
    "make_view",
    "narrative_hash",
    "resolve_check_names",
    "validate_stage",
]
