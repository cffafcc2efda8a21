"""Test/train leakage: `thce.data.overlap` and `thce data check FILE --against OTHER`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thce.cli import app
from thce.data.formats import build_stage_1_example, build_stage_3_example
from thce.data.overlap import find_leaks, find_overlaps, read_narratives, shingles
from thce.errors import DataError

DIABETES = "58 yo man with type 2 diabetes on metformin, A1c 6.8 percent, no complications today."
ASTHMA = "19 yo student with asthma since childhood uses albuterol twice a week, lungs clear."
KNEE = "61 yo with right knee pain worse on stairs; x-rays show medial joint space narrowing."
# Shares one run of eight words with ASTHMA, and nothing longer.
COPIED_CLAUSE = (
    "Hand eczema follow-up with steroid cream and emollients; history: student with asthma "
    "since childhood uses albuterol twice daily, skin better."
)
GOUT = "Acute gout flare in the left first toe after a holiday feast; colchicine started."


def example(narrative: str) -> dict:
    return build_stage_1_example(narrative, "ICD10", "E11.9", "Type 2 diabetes mellitus")


def write(path: Path, narratives: list[str], extra_lines: list[str] = ()) -> Path:
    lines = [json.dumps(example(n)) for n in narratives] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_identical_case_and_whitespace_aside():
    found = find_overlaps(
        [
            "  58 YO man with type 2 diabetes  on metformin, A1c 6.8 percent, "
            "no complications today."
        ],
        [ASTHMA, DIABETES],
    )
    assert [(o.index, o.other_index, o.why) for o in found] == [(0, 1, "identical")]


def test_near_duplicate_by_edit_similarity():
    edited = DIABETES.replace("6.8", "7.1").replace("today", "now")
    [found] = find_overlaps([edited], [KNEE, DIABETES])
    assert found.other_index == 1 and found.why.startswith("similarity ")
    assert 85 <= float(found.why.split()[1]) < 100


def test_shared_word_run_counts_as_overlap():
    [found] = find_overlaps([COPIED_CLAUSE], [DIABETES, ASTHMA])
    assert found.other_index == 1
    assert found.why == "shares 'student with asthma since childhood uses albuterol twice'"


def test_independent_narratives_do_not_overlap():
    assert find_overlaps([GOUT, KNEE], [DIABETES, ASTHMA]) == []
    assert find_overlaps([], [DIABETES]) == [] and find_overlaps([DIABETES], []) == []


def test_shingles_are_lowercased_word_runs():
    assert shingles("One two, THREE", size=2) == {("one", "two"), ("two", "three")}
    assert shingles("too short", size=8) == set()


def test_read_narratives_keeps_line_numbers_and_skips_bad_lines(tmp_path):
    stage_3 = build_stage_3_example(KNEE, "ICD10: M17.11", "ICD10: M17.10")
    path = write(tmp_path / "a.jsonl", [DIABETES], ["{not json", "", json.dumps(stage_3)])
    assert read_narratives(path) == ([1, 4], [DIABETES, KNEE])
    with pytest.raises(DataError, match="data file not found"):
        read_narratives(tmp_path / "missing.jsonl")


def test_find_leaks_reports_both_line_numbers_per_file(tmp_path):
    test = write(tmp_path / "test.jsonl", [GOUT, DIABETES, COPIED_CLAUSE])
    train_1 = write(tmp_path / "train_1.jsonl", [KNEE, DIABETES])
    train_2 = write(tmp_path / "train_2.jsonl", [ASTHMA, GOUT.upper()])
    leaks = find_leaks(test, [train_1, train_2])
    assert [(lk.line, Path(lk.other).name, lk.other_line, lk.why) for lk in leaks] == [
        (1, "train_2.jsonl", 2, "identical"),
        (2, "train_1.jsonl", 2, "identical"),
        (
            3,
            "train_2.jsonl",
            1,
            "shares 'student with asthma since childhood uses albuterol twice'",
        ),
    ]
    assert leaks[0].to_dict() == {
        "line": 1,
        "against": str(train_2),
        "against_line": 2,
        "why": "identical",
    }


runner = CliRunner()


def check(*args: str):
    return runner.invoke(app, ["data", "check", "--stage", "1", "--skip", "phi", *args])


def test_cli_against_lists_leaks_and_exits_1(tmp_path):
    test = write(tmp_path / "test.jsonl", [GOUT, DIABETES])
    train = write(tmp_path / "train.jsonl", [KNEE, DIABETES])
    result = check(str(test), "--against", str(train))
    assert result.exit_code == 1, result.output
    assert "1 narrative(s) of" in result.output
    assert f"{test}:2 ~ {train}:2  identical" in result.output


def test_cli_against_json_and_repeatable(tmp_path):
    test = write(tmp_path / "test.jsonl", [GOUT, COPIED_CLAUSE])
    train_1 = write(tmp_path / "train_1.jsonl", [KNEE])
    train_2 = write(tmp_path / "train_2.jsonl", [ASTHMA])
    result = check(str(test), "--against", str(train_1), "--against", str(train_2), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["passed"] == 2 and data["against"] == [str(train_1), str(train_2)]
    assert data["leaks"] == [
        {
            "line": 2,
            "against": str(train_2),
            "against_line": 1,
            "why": "shares 'student with asthma since childhood uses albuterol twice'",
        }
    ]


def test_cli_against_clean_file_passes(tmp_path):
    test = write(tmp_path / "test.jsonl", [GOUT])
    train = write(tmp_path / "train.jsonl", [KNEE, ASTHMA])
    result = check(str(test), "--against", str(train))
    assert result.exit_code == 0, result.output
    assert "Leakage: none" in result.output
    data = json.loads(check(str(test), "--against", str(train), "--json").stdout)
    assert data["leaks"] == []
    # Without --against the JSON report keeps its documented keys.
    assert "leaks" not in json.loads(check(str(test), "--json").stdout)


def test_cli_against_missing_file_exits_2(tmp_path):
    test = write(tmp_path / "test.jsonl", [GOUT])
    result = check(str(test), "--against", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert "--against file" in result.output and "does not exist" in result.output
