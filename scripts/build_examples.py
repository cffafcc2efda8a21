"""Build example JSONL files from the hand-authored YAML sources in ``data/examples/source/``.

    python scripts/build_examples.py              # (re)write every data/examples/<name>.jsonl
    python scripts/build_examples.py --check      # exit 1 if a committed file differs

A source file ``data/examples/source/<name>.yaml`` holds a list of cases::

    - id: th-001
      code_type: ICD10
      code: S52.521A
      specialty: orthopedics
      specificity: [laterality, encounter]    # what the narrative must signal (free words)
      narrative: >-
        8 yo fell off monkey bars, R wrist pain ...

Descriptions are never typed: they come from THCE's code databases, and a code that is not
there (or an ICD-10-CM header) stops the script. Each case becomes a stage-1 example
(``thce.data.formats.build_stage_1_example``) with the authored fields in ``metadata``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml
from example_tools import describe, write_or_compare

from thce.codes import CodeValidator
from thce.data.formats import build_stage_1_example, canonical_code_type

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = REPO_ROOT / "data" / "examples" / "source"
EXAMPLES_DIR = REPO_ROOT / "data" / "examples"
REQUIRED = ("id", "code_type", "code", "narrative")


def build_records(source: Path, validator: CodeValidator) -> list[dict]:
    """Stage-1 records for every case of one YAML source file."""
    cases = yaml.safe_load(source.read_text(encoding="utf-8")) or []
    if not isinstance(cases, list):
        raise SystemExit(f"{source}: expected a list of cases")
    records, seen = [], set()
    for n, case in enumerate(cases, 1):
        missing = [k for k in REQUIRED if not case.get(k)]
        if missing:
            raise SystemExit(f"{source}: case {n} lacks {', '.join(missing)}")
        if case["id"] in seen:
            raise SystemExit(f"{source}: duplicate id {case['id']}")
        seen.add(case["id"])
        code_type = canonical_code_type(str(case["code_type"]))
        if code_type is None:
            raise SystemExit(f"{source}: case {case['id']}: unknown code_type {case['code_type']}")
        code = str(case["code"])
        description = describe(validator, code_type, code)
        metadata = {"code_type": code_type, "source": "hand-written"}
        for key in ("specialty", "specificity"):
            if case.get(key):
                metadata[key] = case[key]
        narrative = " ".join(str(case["narrative"]).split())
        records.append(
            build_stage_1_example(
                narrative, code_type, code, description, id=case["id"], metadata=metadata
            )
        )
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("names", nargs="*", help="source names (default: all)")
    args = parser.parse_args(argv)
    validator = CodeValidator()
    sources = sorted(SOURCE_DIR.glob("*.yaml"))
    if args.names:
        sources = [SOURCE_DIR / f"{name}.yaml" for name in args.names]
    outputs = {EXAMPLES_DIR / f"{s.stem}.jsonl": build_records(s, validator) for s in sources}
    return write_or_compare(outputs, args.check)


if __name__ == "__main__":
    sys.exit(main())
