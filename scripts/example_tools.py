"""Helpers shared by the example-data scripts (``make_examples_*.py``, ``make_fixtures.py``).

Kept beside the scripts, not in the package: they exist only to build the committed example
files and to check (``--check``) that those files still match their tables.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from thce.codes import CodeValidator
from thce.io import write_jsonl

#: the order code types take when a file mixes them
TYPE_ORDER = ("ICD10", "CPT", "HCPCS")


def describe(validator: CodeValidator, code_type: str, code: str) -> str:
    """Description of ``code`` from the shipped databases; stop if it is not a valid code."""
    result = validator.validate(code, code_type)
    if not result.is_valid or not result.description:
        raise SystemExit(
            f"{code_type} {code} is not in THCE's shipped databases ({result.error_message}); "
            "fix the table"
        )
    if code_type == "ICD10" and result.billable is False:
        raise SystemExit(f"ICD10 {code} is a header, not billable; use a more specific code")
    return result.description


def interleave(rows: list, order: tuple[str, ...] = TYPE_ORDER) -> list:
    """Spread code types evenly through a file (ICD10, CPT, HCPCS, ICD10, ...).

    Sorting on (position within its type / size of its type) keeps each type's authored order
    while mixing types, so the first lines of a file already show all three systems.
    """
    by_type: dict[str, list] = {}
    for row in rows:
        by_type.setdefault(row.code_type, []).append(row)
    rank = {code_type: i for i, code_type in enumerate(order)}
    keyed = [
        ((i + 0.5) / len(group), rank[code_type], row)
        for code_type, group in by_type.items()
        for i, row in enumerate(group)
    ]
    return [row for *_, row in sorted(keyed, key=lambda item: item[:2])]


def write_or_compare(outputs: dict[Path, list[dict]], check: bool) -> int:
    """Write every output, or with ``check`` report those that differ from the tables."""
    stale = []
    for path, records in outputs.items():
        if check:
            expected = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            if not path.exists() or path.read_text(encoding="utf-8") != expected:
                stale.append(path)
        else:
            write_jsonl(path, records)
            print(f"wrote {len(records)} examples to {path}")
    if stale:
        print("out of date (run without --check): " + ", ".join(map(str, stale)), file=sys.stderr)
        return 1
    return 0
