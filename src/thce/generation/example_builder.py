"""Turning a model's parsed reply into a checked training example (:class:`ExampleBuilder`).

The answer is THCE's (built with :mod:`thce.data.formats`), never the model's text; the
example must pass the quality checker, must not name its code in the narrative, and a
stage-3 wrong code must be a real, different code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from thce.generation.prompts import ReplyError, Target

STAGE_CODE_TYPES: tuple[str, ...] = ("ICD10", "CPT", "HCPCS")


def _bare_code(raw: str, code_type: str) -> str:
    """The code in a model's ``rejected_code``: ``"E11.65"``, ``"ICD10: E11.65 (...)"``,
    ``"E11.65 (Type 2 ...)"`` all give ``E11.65``."""
    from thce.data.formats import parse_answer

    text = raw.strip()
    if ":" in text:
        parsed = parse_answer(text)
        if parsed.well_formed and parsed.code_type == code_type and parsed.code:
            return parsed.code
    return text.split()[0] if text.split() else text


def _code_pattern(code: str) -> re.Pattern[str]:
    variants = {re.escape(code), re.escape(code.replace(".", ""))}
    return re.compile(
        r"(?<![A-Za-z0-9])(?:" + "|".join(sorted(variants)) + r")(?![A-Za-z0-9])", re.IGNORECASE
    )


class ExampleBuilder:
    """Turn a parsed reply into a checked example, or raise :class:`ReplyError`."""

    def __init__(self, stage: int, provider: str, model: str, checker: Any = None) -> None:
        from thce.codes import CodeValidator
        from thce.data.quality import DataQualityChecker

        self.stage = stage
        self.provider = provider
        self.model = model
        # Duplicates are checked by the generator against the whole output (resumed part
        # included), so the checker's own per-run duplicate memory is not needed.
        self.checker = checker if checker is not None else DataQualityChecker(skip=["duplicate"])
        self.validator = CodeValidator()

    def warm_up(self) -> None:
        """Load the PHI model and code databases now, before requests are in flight.

        Loading spaCy takes seconds; doing it inside the event loop at the first reply would
        stall every open request (and could make them time out).
        """
        if "phi" in getattr(self.checker, "check_names", ()):
            self.checker.has_phi("Warm-up sentence without identifiers.")
        for code_type in STAGE_CODE_TYPES:
            self.validator.validate("0", code_type)

    def describe(self, code_type: str, code: str) -> str | None:
        """The database description of a code (``None`` when unknown)."""
        result = self.validator.validate(code, code_type)
        return result.description if result.is_valid else None

    def _check_rejected_code(self, target: Target, raw_code: str) -> tuple[str, str | None]:
        from thce.codes import get_database, normalize_code
        from thce.data.quality import classify_code

        code = normalize_code(_bare_code(raw_code, target.code_type), target.code_type)
        if code == target.code:
            raise ReplyError(
                "rejected_code_same", f"rejected_code {raw_code!r} is the target code itself"
            )
        status, message = classify_code(target.code_type, code, self.validator)
        if status == "malformed":
            raise ReplyError(
                "rejected_code_malformed",
                f"rejected_code {raw_code!r} is not a well-formed {target.code_type} code: {message}",
            )
        if status == "unknown" and get_database(target.code_type).is_full:
            raise ReplyError(
                "rejected_code_unknown",
                f"rejected_code {code!r} is not a real {target.code_type} code",
            )
        return code, self.describe(target.code_type, code)

    def build(self, target: Target, fields: Mapping[str, str], line_id: str) -> dict[str, Any]:
        """Build and check the example for ``target`` from the reply's ``fields``."""
        from thce.data import formats

        narrative = fields["narrative"]
        if _code_pattern(target.code).search(narrative):
            raise ReplyError(
                "narrative_names_code", f"the narrative states the target code {target.code}"
            )
        metadata = {
            "code_type": target.code_type,
            "specialty": target.specialty,
            "note_style": target.note_style,
            "source": "synthetic",
            "provider": self.provider,
            "model": self.model,
        }
        args = (target.code_type, target.code, target.description)
        if self.stage == 1:
            example = formats.build_stage_1_example(narrative, *args, id=line_id, metadata=metadata)
        elif self.stage == 2:
            example = formats.build_stage_2_example(
                narrative, fields["reasoning"], *args, id=line_id, metadata=metadata
            )
        else:
            wrong_code, wrong_description = self._check_rejected_code(
                target, fields["rejected_code"]
            )
            chosen = formats.format_reasoned_answer(fields["reasoning"], *args)
            rejected = formats.format_reasoned_answer(
                fields["rejected_reasoning"], target.code_type, wrong_code, wrong_description
            )
            metadata["rejected_code"] = wrong_code
            example = formats.build_stage_3_example(
                narrative, chosen, rejected, id=line_id, metadata=metadata
            )
        result = self.checker.check_example(example, self.stage)
        if not result.passed:
            first = next(iter(result.failures))
            detail = "; ".join(f"{name}: {why}" for name, why in result.failures.items())
            raise ReplyError(f"quality_{first}", detail)
        return example


__all__ = ["STAGE_CODE_TYPES", "ExampleBuilder"]
