"""Load training examples for a stage from a JSONL file or a built dataset folder.

Stage 1/2 (SFT) records hold ``messages`` (system/user/assistant); stage 3 (DPO) records hold
``prompt``/``chosen``/``rejected`` (TRL's conversational preference format). A record that
does not fit is an error naming its line: training never drops data silently. Run
``thce data check FILE --stage N`` for a full quality report.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from thce.errors import DataError
from thce.io import iter_jsonl

if TYPE_CHECKING:  # pragma: no cover
    from datasets import Dataset

_MAX_LISTED = 8
_ROLES = ("system", "user", "assistant")


def training_file(path: Path, split: str = "train") -> Path:
    """``path`` itself for a file; ``path/<split>.jsonl`` for a built dataset folder."""
    if path.is_dir():
        candidate = path / f"{split}.jsonl"
        if not candidate.is_file():
            raise DataError(
                f"dataset folder {path} has no {split}.jsonl; build one with "
                "`thce data build CONFIG --output DIR` or point dataset.path at a JSONL file"
            )
        return candidate
    if not path.is_file():
        raise DataError(f"dataset {path} not found; check dataset.path in the config")
    return path


def _check_messages(messages: Any, key: str) -> str | None:
    if not isinstance(messages, list) or not messages:
        return f"{key} must be a non-empty list of messages"
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or set(message) - {"role", "content"}:
            return f"{key}[{i}] must be an object with role and content"
        if message.get("role") not in _ROLES:
            return f"{key}[{i}].role must be one of {', '.join(_ROLES)}"
        if not isinstance(message.get("content"), str) or not message["content"].strip():
            return f"{key}[{i}].content must be a non-empty string"
    return None


def check_record(record: dict[str, Any], stage_type: str) -> str | None:
    """Why a record cannot train a ``sft``/``dpo`` stage, or None when it can."""
    if stage_type == "sft":
        if "messages" not in record:
            if {"prompt", "chosen", "rejected"} <= set(record):
                return "this is a preference (DPO) record; use it with a stage 3 config"
            return "missing 'messages'"
        problem = _check_messages(record["messages"], "messages")
        if problem:
            return problem
        roles = [m["role"] for m in record["messages"]]
        if roles[-1] != "assistant":
            return "the last message must be the assistant's answer"
        if "user" not in roles:
            return "no user message (the narrative)"
        return None
    missing = [k for k in ("prompt", "chosen", "rejected") if k not in record]
    if missing:
        if "messages" in record:
            return "this is an SFT record (messages); stage 3 needs prompt/chosen/rejected"
        return f"missing {', '.join(missing)}"
    for key in ("prompt", "chosen", "rejected"):
        problem = _check_messages(record[key], key)
        if problem:
            return problem
    if record["prompt"][-1]["role"] != "user":
        return "prompt must end with the user message"
    for key in ("chosen", "rejected"):
        if [m["role"] for m in record[key]] != ["assistant"]:
            return f"{key} must be exactly one assistant message"
    return None


def load_examples(
    path: str | Path, stage_type: str, split: str = "train", max_examples: int | None = None
) -> list[dict[str, Any]]:
    """Read and check every record; raise :class:`DataError` listing bad lines.

    Returned examples keep only the training fields plus ``id`` and ``_line``.
    """
    file = training_file(Path(path), split)
    keys = ("messages",) if stage_type == "sft" else ("prompt", "chosen", "rejected")
    examples: list[dict[str, Any]] = []
    problems: list[str] = []
    bad = 0
    for line, record, _raw, error in iter_jsonl(file):
        reason = error or check_record(record or {}, stage_type)
        if reason:
            bad += 1
            if len(problems) < _MAX_LISTED:
                problems.append(f"line {line}: {reason}")
            continue
        assert record is not None
        example = {
            k: [{"role": m["role"], "content": m["content"]} for m in record[k]] for k in keys
        }
        example["id"] = str(record.get("id", f"line-{line}"))
        example["_line"] = line
        examples.append(example)
    if bad:
        more = f"\n  ... and {bad - len(problems)} more" if bad > len(problems) else ""
        raise DataError(
            f"{file}: {bad} record(s) cannot be used for a {stage_type.upper()} stage:\n  "
            + "\n  ".join(problems)
            + more
            + f"\nFix them or run `thce data check {file}` for a full report."
        )
    if not examples:
        raise DataError(f"{file} holds no examples")
    if max_examples is not None:
        examples = examples[:max_examples]
    return examples


def to_dataset(examples: list[dict[str, Any]]) -> Dataset:
    """A Hugging Face ``Dataset`` with only the training columns (no id/line bookkeeping)."""
    from datasets import Dataset

    columns = [k for k in examples[0] if k not in ("id", "_line")]
    return Dataset.from_dict({c: [e[c] for e in examples] for c in columns})


__all__ = ["check_record", "load_examples", "to_dataset", "training_file"]
