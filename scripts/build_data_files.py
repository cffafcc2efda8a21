"""Build the shipped example data and the test fixtures from their hand-written YAML sources.

    python scripts/build_data_files.py            # (re)write every generated file
    python scripts/build_data_files.py --check    # exit 1 if a committed file differs

Sources are reviewed as data; the generated files are never edited by hand:

    data/examples/source/sample_stage_1.yaml  -> data/examples/sample_stage_1.jsonl (s1-...)
    data/examples/source/sample_stage_2.yaml  -> data/examples/sample_stage_2.jsonl (s2-...)
    data/examples/source/sample_stage_3.yaml  -> data/examples/sample_stage_3.jsonl (s3-...)
    data/examples/source/test.yaml            -> data/examples/test.jsonl (t-..., held out)
    data/examples/source/test_hard.yaml       -> data/examples/test_hard.jsonl (ids in source)
    data/examples/source/dev_hard.yaml        -> data/examples/dev_hard.jsonl (ids in source)
    tests/fixtures/source/stage_1.yaml        -> tests/fixtures/sample_stage_1.jsonl (fx1-...)
    tests/fixtures/source/stage_2_3.yaml      -> tests/fixtures/sample_stage_{2,3}.jsonl
    both fixture sources                      -> tests/fixtures/sample_narratives.json (n-...)

A source is a list of cases::

    - code_type: ICD10            # ICD10, CPT or HCPCS
      code: E11.65
      specialty: endocrinology
      narrative: >-
        64 yo woman with type 2 diabetes, poorly controlled ...
      reasoning: >-               # stage 2 and 3: the coder's 2-5 sentence rationale
        The note documents ...
      mistake: wrong_specificity  # stage 3: what the rejected answer gets wrong
      rejected: {code_type: ICD10, code: E11.9, reasoning: ...}   # no reasoning for
                                                                  # missing_reasoning

Descriptions are never typed: they come from THCE's code databases, and a code that is not
there (or an ICD-10-CM header) stops the script. Where a source has no ids, ids follow the
file order, in which code types are interleaved (ICD10, CPT, HCPCS, ICD10, ...). The script
also stops on a wrong code-type mix, a narrative used twice, a bad length, an inconsistent
preference pair, or a held-out narrative that repeats a training one (``thce.data.overlap``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from thce.codes import CodeValidator
from thce.data.formats import (
    build_stage_1_example,
    build_stage_2_example,
    build_stage_3_example,
    canonical_code_type,
    format_answer,
    format_reasoned_answer,
    get_answer_text,
    get_narrative,
    parse_answer,
)
from thce.data.overlap import find_overlaps
from thce.io import atomic_write

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "data" / "examples"
FIXTURES = REPO_ROOT / "tests" / "fixtures"

#: the order code types take when a file mixes them
TYPE_ORDER = ("ICD10", "CPT", "HCPCS")
# Required mixes (issue 3): 40 % ICD-10-CM, 30 % CPT, 30 % HCPCS.
MIX_50 = {"ICD10": 20, "CPT": 15, "HCPCS": 15}
MIX_TEST = {"ICD10": 30, "CPT": 23, "HCPCS": 22}
MISTAKES = (
    "wrong_specificity",
    "near_miss_code",
    "wrong_code_type",
    "symptom_instead_of_diagnosis",
    "missing_reasoning",
)
WORDS = (20, 120)  # narrative length bounds, in words
KEYS = {"id", "code_type", "code", "specialty", "specificity", "narrative", "reasoning"}
KEYS |= {"mistake", "rejected"}


@dataclass(frozen=True)
class Case:
    """One authored example: a narrative, its gold code and, for stages 2-3, more."""

    where: str  # "file.yaml case N", for error messages
    code_type: str
    code: str
    narrative: str
    specialty: str | None = None
    id: str | None = None
    specificity: list[str] = field(default_factory=list)
    reasoning: str | None = None
    mistake: str | None = None
    rejected: dict[str, str] = field(default_factory=dict)


def fail(message: str) -> None:
    """Stop the build with a readable message (exit status 1)."""
    raise SystemExit(message)


def text(value: object) -> str:
    """A folded YAML string with runs of whitespace collapsed."""
    return " ".join(str(value).split())


def load_cases(path: Path, needs: tuple[str, ...] = ()) -> list[Case]:
    """The cases of one YAML source; ``needs`` names the keys every case must have."""
    cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(cases, list):
        fail(f"{path}: expected a list of cases")
    name = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    loaded = []
    for n, raw in enumerate(cases, 1):
        where = f"{name} case {n}"
        unknown = sorted(set(raw) - KEYS)
        if unknown:
            fail(f"{where}: unknown key(s) {', '.join(unknown)}; valid: {', '.join(sorted(KEYS))}")
        missing = [k for k in ("code_type", "code", "narrative", *needs) if not raw.get(k)]
        if missing:
            fail(f"{where}: lacks {', '.join(missing)}")
        code_type = canonical_code_type(str(raw["code_type"]))
        if code_type is None:
            fail(f"{where}: unknown code_type {raw['code_type']!r}")
        rejected = {k: str(v) for k, v in (raw.get("rejected") or {}).items()}
        if rejected:
            rejected["code_type"] = canonical_code_type(rejected.get("code_type")) or ""
            if "reasoning" in rejected:
                rejected["reasoning"] = text(rejected["reasoning"])
        loaded.append(
            Case(
                where,
                code_type,
                str(raw["code"]),
                text(raw["narrative"]),
                raw.get("specialty"),
                raw.get("id"),
                list(raw.get("specificity") or []),
                text(raw["reasoning"]) if raw.get("reasoning") else None,
                raw.get("mistake"),
                rejected,
            )
        )
    return loaded


def check_cases(cases: list[Case], mix: dict[str, int] | None) -> None:
    """Fail loudly on a source mistake: wrong mix, bad length, inconsistent pair."""
    counts = dict(Counter(case.code_type for case in cases))
    if mix is not None and counts != mix:
        fail(f"{cases[0].where.split()[0]}: code-type counts {counts} != {mix}")
    for case in cases:
        words = len(case.narrative.split())
        if not WORDS[0] <= words <= WORDS[1]:
            fail(f"{case.where} ({case.code}): narrative has {words} words {WORDS}")
        if case.mistake is not None:
            check_pair(case)


def check_pair(case: Case) -> None:
    """A pair's rejected answer must be a different code and match its declared mistake."""
    where = f"{case.where} ({case.code_type} {case.code})"
    rejected_type, rejected_code = case.rejected.get("code_type"), case.rejected.get("code")
    if case.mistake not in MISTAKES:
        fail(f"{where}: unknown mistake {case.mistake!r}; use one of {', '.join(MISTAKES)}")
    if not rejected_type or not rejected_code:
        fail(f"{where}: rejected needs a code_type and a code")
    if (rejected_type, rejected_code) == (case.code_type, case.code):
        fail(f"{where}: rejected code equals the chosen code")
    if (case.mistake == "missing_reasoning") == ("reasoning" in case.rejected):
        fail(f"{where}: only missing_reasoning pairs have no rejected reasoning")
    if (case.mistake == "wrong_code_type") != (rejected_type != case.code_type):
        fail(f"{where}: only wrong_code_type pairs change the code system")
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", case.reasoning or "") if s]
    if not 2 <= len(sentences) <= 5:
        fail(f"{where}: reasoning has {len(sentences)} sentences (2-5)")


def check_unique(cases: list[Case]) -> None:
    """No narrative may be used twice, in one source or across sources."""
    seen: dict[str, str] = {}
    for case in cases:
        if case.narrative in seen:
            fail(f"{case.where}: narrative already used in {seen[case.narrative]}")
        seen[case.narrative] = case.where


def check_held_out(held_out: list[Case], training: list[Case], what: str) -> None:
    """Stop with a readable list when held-out narratives repeat training ones."""
    found = find_overlaps([c.narrative for c in held_out], [c.narrative for c in training])
    if found:
        lines = [f"{len(found)} {what} narrative(s) overlap training data:"]
        for o in found:
            lines.append(
                f"  - {held_out[o.index].where} ~ {training[o.other_index].where}: {o.why}"
            )
        fail("\n".join(lines))


def interleave(cases: list[Case], order: tuple[str, ...] = TYPE_ORDER) -> list[Case]:
    """Spread code types evenly through a file (ICD10, CPT, HCPCS, ICD10, ...).

    Sorting on (position within its type / size of its type) keeps each type's authored order
    while mixing types, so the first lines of a file already show all three systems.
    """
    by_type: dict[str, list[Case]] = {}
    for case in cases:
        by_type.setdefault(case.code_type, []).append(case)
    rank = {code_type: i for i, code_type in enumerate(order)}
    keyed = [
        ((i + 0.5) / len(group), rank[code_type], case)
        for code_type, group in by_type.items()
        for i, case in enumerate(group)
    ]
    return [case for *_, case in sorted(keyed, key=lambda item: item[:2])]


class Builder:
    """Turns cases into records, describing every code from THCE's databases."""

    def __init__(self) -> None:
        self.validator = CodeValidator()

    def describe(self, code_type: str, code: str, where: str) -> str:
        """Description of ``code``; stop if it is not a valid, billable code."""
        result = self.validator.validate(code, code_type)
        if not result.is_valid or not result.description:
            fail(f"{where}: {code_type} {code} is not in THCE's databases ({result.error_message})")
        if code_type == "ICD10" and result.billable is False:
            fail(f"{where}: ICD10 {code} is a header, not billable; use a more specific code")
        return result.description

    def answer(self, case: Case) -> str:
        """The gold answer line (with the reasoning block when the case has one)."""
        description = self.describe(case.code_type, case.code, case.where)
        if case.reasoning is None:
            return format_answer(case.code_type, case.code, description)
        return format_reasoned_answer(case.reasoning, case.code_type, case.code, description)

    def rejected_answer(self, case: Case) -> str:
        """The ``rejected`` answer of a pair: a reasoned wrong answer, or a bare one."""
        code_type, code = case.rejected["code_type"], case.rejected["code"]
        description = self.describe(code_type, code, case.where)
        if "reasoning" not in case.rejected:
            return format_answer(code_type, code, description)
        return format_reasoned_answer(case.rejected["reasoning"], code_type, code, description)

    def records(
        self, cases: list[Case], stage: int, prefix: str, extra: dict[str, dict] | None = None
    ) -> list[dict]:
        """Interleaved records with ids ``<prefix>-NNN``; ``extra`` metadata keyed by where."""
        records = []
        for index, case in enumerate(interleave(cases), start=1):
            metadata = {"code_type": case.code_type, "specialty": case.specialty}
            if stage == 3:
                metadata["mistake"] = case.mistake
                metadata["rejected_code_type"] = case.rejected["code_type"]
                metadata["rejected_code"] = case.rejected["code"]
            metadata["source"] = "synthetic"
            metadata.update((extra or {}).get(case.where, {}))
            records.append({"id": f"{prefix}-{index:03d}", **self.record(case, stage, metadata)})
        return records

    def record(self, case: Case, stage: int, metadata: dict) -> dict:
        """One stage-``stage`` example (without its id)."""
        description = self.describe(case.code_type, case.code, case.where)
        if stage == 1:
            return build_stage_1_example(
                case.narrative, case.code_type, case.code, description, metadata=metadata
            )
        if case.reasoning is None:
            fail(f"{case.where}: a stage-{stage} case needs reasoning")
        if stage == 2:
            return build_stage_2_example(
                case.narrative,
                case.reasoning,
                case.code_type,
                case.code,
                description,
                metadata=metadata,
            )
        return build_stage_3_example(
            case.narrative, self.answer(case), self.rejected_answer(case), metadata=metadata
        )

    def hard_records(self, cases: list[Case]) -> list[dict]:
        """The hand-written hard sets: ids from the source, authored fields in metadata."""
        records = []
        for case in cases:
            if not case.id:
                fail(f"{case.where}: the hard sets need an id per case")
            metadata: dict = {"code_type": case.code_type, "source": "hand-written"}
            if case.specialty:
                metadata["specialty"] = case.specialty
            if case.specificity:
                metadata["specificity"] = case.specificity
            description = self.describe(case.code_type, case.code, case.where)
            records.append(
                build_stage_1_example(
                    case.narrative,
                    case.code_type,
                    case.code,
                    description,
                    id=case.id,
                    metadata=metadata,
                )
            )
        if len({case.id for case in cases}) != len(cases):
            fail(f"{cases[0].where.split()[0]}: an id is used twice")
        return records

    def narratives(self, cases: list[Case]) -> list[dict]:
        """The seed-schema list of ``sample_narratives.json`` (ids ``n-NNN`` in source order)."""
        return [
            {
                "id": f"n-{index:03d}",
                "narrative": case.narrative,
                "code_type": case.code_type,
                "code": case.code,
                "description": self.describe(case.code_type, case.code, case.where),
                "specialty": case.specialty,
            }
            for index, case in enumerate(cases, start=1)
        ]


def check_records(records: list[dict], stage: int) -> None:
    """Re-read every written answer with the shared parser: gold must round-trip."""
    for record in records:
        for which in ("chosen", "rejected") if stage == 3 else ("chosen",):
            parsed = parse_answer(get_answer_text(record, which))
            if not parsed.well_formed:
                fail(f"{record['id']}: {which} answer does not parse")
            if which == "chosen" and stage >= 2 and not parsed.reasoning_well_formed:
                fail(f"{record['id']}: chosen answer lacks a well-formed <think>")
            if which == "chosen" and parsed.code_type != record["metadata"]["code_type"]:
                fail(f"{record['id']}: metadata code_type disagrees with the answer")
            if get_narrative(record) is None:
                fail(f"{record['id']}: no narrative")


def jsonl(records: list[dict]) -> str:
    """Records as JSON Lines, exactly as :func:`thce.io.write_jsonl` writes them."""
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def build_all() -> dict[Path, str]:
    """Every generated file and its content, after every check passed."""
    source, fixture_source = EXAMPLES / "source", FIXTURES / "source"
    stage_1 = load_cases(source / "sample_stage_1.yaml", ("specialty",))
    stage_2 = load_cases(source / "sample_stage_2.yaml", ("specialty", "reasoning"))
    stage_3 = load_cases(source / "sample_stage_3.yaml", ("specialty", "reasoning", "mistake"))
    test = load_cases(source / "test.yaml", ("specialty",))
    test_hard = load_cases(source / "test_hard.yaml", ("id",))
    dev_hard = load_cases(source / "dev_hard.yaml", ("id",))
    fixture_1 = load_cases(fixture_source / "stage_1.yaml", ("specialty",))
    fixture_23 = load_cases(fixture_source / "stage_2_3.yaml", ("specialty", "reasoning"))
    for cases, mix in [
        (stage_1, MIX_50),
        (stage_2, MIX_50),
        (stage_3, MIX_50),
        (test, MIX_TEST),
        (test_hard, None),
        (dev_hard, None),
        (fixture_1, MIX_50),
        (fixture_23, MIX_50),
    ]:
        check_cases(cases, mix)
    shipped = [*stage_1, *stage_2, *stage_3, *test]
    check_unique([*shipped, *test_hard, *dev_hard, *fixture_1, *fixture_23])
    training = [*stage_1, *stage_2, *stage_3]
    # Held-out sets repeat no training narrative; fixtures repeat no shipped one, so tests can
    # mix fixtures and examples without tripping the `duplicate` check.
    check_held_out(test, training, "test")
    check_held_out(test_hard, training, "test_hard")
    check_held_out(dev_hard, training, "dev_hard")
    # test_hard and dev_hard are not checked against each other: five dev cases are
    # deliberate siblings of test cases (same story, other side or trimester, other code).
    check_held_out([*fixture_1, *fixture_23], shipped, "fixture")

    build = Builder()
    trained = {(case.code_type, case.code) for case in training}
    seen = {c.where: {"code_in_training": (c.code_type, c.code) in trained} for c in test}
    share = sum(m["code_in_training"] for m in seen.values()) / len(seen)
    print(f"test codes also seen in training: {share:.0%}")
    files = {
        EXAMPLES / "sample_stage_1.jsonl": (build.records(stage_1, 1, "s1"), 1),
        EXAMPLES / "sample_stage_2.jsonl": (build.records(stage_2, 2, "s2"), 2),
        EXAMPLES / "sample_stage_3.jsonl": (build.records(stage_3, 3, "s3"), 3),
        EXAMPLES / "test.jsonl": (build.records(test, 1, "t", seen), 1),
        EXAMPLES / "test_hard.jsonl": (build.hard_records(test_hard), 1),
        EXAMPLES / "dev_hard.jsonl": (build.hard_records(dev_hard), 1),
        FIXTURES / "sample_stage_1.jsonl": (build.records(fixture_1, 1, "fx1"), 1),
        FIXTURES / "sample_stage_2.jsonl": (build.records(fixture_23, 2, "fx2"), 2),
        FIXTURES / "sample_stage_3.jsonl": (build.records(fixture_23, 3, "fx3"), 3),
    }
    outputs = {}
    for path, (records, stage) in files.items():
        check_records(records, stage)
        outputs[path] = jsonl(records)
    narratives = build.narratives([*fixture_1, *fixture_23])
    outputs[FIXTURES / "sample_narratives.json"] = (
        json.dumps(narratives, indent=2, ensure_ascii=False) + "\n"
    )
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for path, content in build_all().items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                stale.append(str(path.relative_to(REPO_ROOT)))
        elif not path.exists() or path.read_text(encoding="utf-8") != content:
            with atomic_write(path) as handle:
                handle.write(content)
            print(f"wrote {path.relative_to(REPO_ROOT)}")
    if stale:
        print("out of date (run without --check): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
