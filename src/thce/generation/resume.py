"""Resuming a generation run: what an existing output file holds, and repairing a cut line.

A resumed run counts the examples already written and remembers their narratives (as
hashes), so it continues to ``count`` without duplicates; a line cut by an earlier crash is
moved to the rejects file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from thce.errors import GenerationError
from thce.logging import logger


@dataclass
class ExistingOutput:
    """What an existing output file holds."""

    count: int = 0
    hashes: set[int] = field(default_factory=set)
    bad_lines: list[tuple[int, str, str]] = field(default_factory=list)  # (line, raw, error)
    rejects_lines: int = 0


def narrative_hash(narrative: str) -> int:
    """The duplicate key of a narrative (case and whitespace aside)."""
    # The quality checker's hash, so both agree on "duplicate".
    from thce.data.quality import narrative_hash as quality_hash

    return quality_hash(narrative)


def scan_existing(output: Path, rejects: Path, stage: int) -> ExistingOutput:
    """Count the examples already in ``output`` and hash their narratives (streaming)."""
    from thce.data.formats import get_narrative
    from thce.io import iter_jsonl

    found = ExistingOutput()
    if output.is_file():
        for line, record, raw, err in iter_jsonl(output, GenerationError):
            if record is None:
                found.bad_lines.append((line, raw, err or "not a JSON object"))
                continue
            if found.count == 0:
                expected = "prompt" if stage == 3 else "messages"
                if expected not in record:
                    raise GenerationError(
                        f"{output} line {line} is not a stage-{stage} example (no {expected!r} key); "
                        "resume with the stage that wrote it, or choose another --output"
                    )
            narrative = get_narrative(record)
            if narrative:
                found.hashes.add(narrative_hash(narrative))
            found.count += 1
    if rejects.is_file():
        from thce.inputs import DecodedFile

        lines = DecodedFile(rejects, error=GenerationError).lines()
        found.rejects_lines = sum(1 for raw in lines if raw.strip())
    return found


def move_bad_lines(output: Path, rejects: Path, bad: list[tuple[int, str, str]]) -> None:
    """Move unparsable lines (a crash mid-write) from the output to the rejects file."""
    from thce.inputs import DecodedFile
    from thce.io import atomic_write

    bad_numbers = {line for line, _, _ in bad}
    source = DecodedFile(output, error=GenerationError)
    with atomic_write(output) as dst:
        for number, raw in enumerate(source.lines(), start=1):
            if number not in bad_numbers and raw.strip():
                dst.write(raw if raw.endswith("\n") else raw + "\n")
    rejects.parent.mkdir(parents=True, exist_ok=True)
    with open(rejects, "a", encoding="utf-8") as handle:
        for line, raw, err in bad:
            record = {
                "reason": "unreadable_output_line",
                "detail": f"line {line}: {err}",
                "raw": raw,
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    logger.warning(
        "moved {} unreadable line(s) of {} (an interrupted write) to {}", len(bad), output, rejects
    )


__all__ = ["ExistingOutput", "move_bad_lines", "narrative_hash", "scan_existing"]
