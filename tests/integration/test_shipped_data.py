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
    "tests/fixtures/sample_stage_1.jsonl",
    "tests/fixtures/sample_stage_2.jsonl",
    "tests/fixtures/sample_stage_3.jsonl",
}
DATA_FILES = sorted([*EXAMPLES.glob("*.jsonl"), *FIXTURES.glob("sample_stage_*.jsonl")])


def stage_of(path: Path) -> int:
    """Stage from the file name: ``sample_stage_N`` -> N, ``test.jsonl`` (held-out) -> 1."""
    match = re.search(r"stage_([123])", path.name)
    if match:
        return int(match.group(1))
    if path.name == "test.jsonl":
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


def test_held_out_narratives_not_in_training_files():
    test_file = EXAMPLES / "test.jsonl"
    assert test_file.is_file()
    held_out = {narrative_hash(get_narrative(r)): line for line, r, _, _ in iter_jsonl(test_file)}
    assert len(held_out) >= 60
    for path in sorted(EXAMPLES.glob("sample_stage_*.jsonl")):
        for line, record, _, _ in iter_jsonl(path):
            key = narrative_hash(get_narrative(record))
            assert key not in held_out, (
                f"{path.name}:{line} repeats test.jsonl line {held_out[key]}"
            )
