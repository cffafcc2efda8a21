"""Every shipped data file passes the quality checker (all checks, real PHI scrubber), every
code in it is valid, and the held-out test narratives never appear in the training files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from thce.codes import CodeValidator
from thce.data.formats import get_answer_text, get_narrative, parse_answer
from thce.data.quality import DataQualityChecker, generate_report, narrative_hash
from thce.io import iter_jsonl
from thce.resources import REPO_ROOT

EXAMPLES = REPO_ROOT / "data" / "examples"
FIXTURES = REPO_ROOT / "tests" / "fixtures"
EXPECTED = {
    "data/examples/sample_stage_1.jsonl",
    "data/examples/sample_stage_2.jsonl",
    "data/examples/sample_stage_3.jsonl",
    "data/examples/test.jsonl",
    "data/examples/test_hard.jsonl",
    "data/examples/dev_hard.jsonl",
    "tests/fixtures/sample_stage_1.jsonl",
    "tests/fixtures/sample_stage_2.jsonl",
    "tests/fixtures/sample_stage_3.jsonl",
}
# Stage-1 files never trained on: the test sets, and the development set used for tuning.
HELD_OUT = ("test.jsonl", "test_hard.jsonl", "dev_hard.jsonl")
DATA_FILES = sorted([*EXAMPLES.glob("*.jsonl"), *FIXTURES.glob("sample_stage_*.jsonl")])


def stage_of(path: Path) -> int:
    """Stage from the file name: ``sample_stage_N`` -> N, ``test.jsonl`` (held-out) -> 1."""
    match = re.search(r"stage_([123])", path.name)
    if match:
        return int(match.group(1))
    if path.name in HELD_OUT:
        return 1
    raise AssertionError(f"cannot tell the stage of shipped data file {path}; name it *stage_N*")


def test_all_expected_files_are_found():
    found = {str(p.relative_to(REPO_ROOT)) for p in DATA_FILES}
    assert found >= EXPECTED, f"missing: {sorted(EXPECTED - found)}"


@pytest.fixture(scope="module")
def checker() -> DataQualityChecker:
    return DataQualityChecker()  # every check, including the real PHI scrubber


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_shipped_file_passes_every_check(path, checker):
    report = checker.check_file(path, stage_of(path))
    assert report.total > 0
    assert report.failed == 0, generate_report(report)


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_code_validates(path):
    validator = CodeValidator()
    stage = stage_of(path)
    for line, record, _, error in iter_jsonl(path):
        assert error is None, f"{path}:{line}: {error}"
        gold = parse_answer(get_answer_text(record))
        result = validator.validate(gold.code, gold.code_type)
        assert result.is_valid, f"{path}:{line}: {result.error_message}"
        if stage == 3:
            rejected = parse_answer(get_answer_text(record, "rejected"))
            assert rejected.well_formed, f"{path}:{line}: rejected answer has no code"


def _answers(path: Path) -> set[tuple[str, str]]:
    found = set()
    for _, record, _, _ in iter_jsonl(path):
        for which in ("chosen", "rejected"):
            parsed = parse_answer(get_answer_text(record, which) or "")
            if parsed.well_formed:
                found.add((parsed.code_type, parsed.code))
    return found


@pytest.mark.parametrize("name", HELD_OUT)
def test_held_out_narratives_not_in_training_files(name):
    test_file = EXAMPLES / name
    assert test_file.is_file()
    held_out = {narrative_hash(get_narrative(r)): line for line, r, _, _ in iter_jsonl(test_file)}
    assert len(held_out) >= 60
    for path in sorted(EXAMPLES.glob("sample_stage_*.jsonl")):
        for line, record, _, _ in iter_jsonl(path):
            key = narrative_hash(get_narrative(record))
            assert key not in held_out, f"{path.name}:{line} repeats {name} line {held_out[key]}"


@pytest.mark.parametrize("name", ["test_hard.jsonl", "dev_hard.jsonl"])
def test_hard_sets_hold_no_keyword_map_or_training_code(name):
    from thce.evaluation.baselines import load_keyword_map
    from thce.evaluation.records import split_label

    keyword_codes = {split_label(e.label) for e in load_keyword_map()}
    training = set().union(*(_answers(p) for p in EXAMPLES.glob("sample_stage_*.jsonl")))
    hard = _answers(EXAMPLES / name)
    assert not hard & keyword_codes, sorted(hard & keyword_codes)
    assert not hard & training, sorted(hard & training)


def test_test_hard_mix_and_disjoint_from_dev():
    from collections import Counter

    types = Counter(code_type for code_type, _ in _answers(EXAMPLES / "test_hard.jsonl"))
    assert sum(types.values()) >= 80
    assert types["ICD10"] >= 40 and types["CPT"] >= 20 and types["HCPCS"] >= 20
    # Tuning on dev_hard cannot leak test_hard codes: the two sets share none.
    assert not _answers(EXAMPLES / "test_hard.jsonl") & _answers(EXAMPLES / "dev_hard.jsonl")
