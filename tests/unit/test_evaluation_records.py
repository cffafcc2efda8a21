"""Test-file loading, prediction records and parsing of odd model outputs."""

from __future__ import annotations

import json

import pytest

from thce.data.formats import build_stage_1_example, build_stage_3_example, format_reasoned_answer
from thce.errors import EvaluationError
from thce.evaluation.records import (
    Prediction,
    TestExample,
    load_predictions,
    load_test_examples,
    make_label,
    prediction_from_output,
    split_label,
)


def _write(path, rows):
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), "utf-8"
    )
    return path


def test_labels():
    assert make_label("icd-10-cm", " e11.9 ") == "ICD10:E11.9"
    assert make_label("snomed", "123") == "SNOMED:123"
    assert make_label(None, "E11.9") is None and make_label("ICD10", "") is None
    assert split_label("CPT:99213") == ("CPT", "99213")
    assert split_label(None) == (None, None) and split_label("nocolon") == (None, None)


def test_load_stage_1_and_stage_3_examples(tmp_path):
    stage1 = build_stage_1_example(
        "T2DM on metformin.", "ICD10", "E11.9", "Type 2 diabetes", id="a"
    )
    stage3 = build_stage_3_example(
        "Office visit, established patient.",
        format_reasoned_answer("Low complexity.", "CPT", "99213"),
        format_reasoned_answer("Wrong.", "CPT", "99215"),
    )
    path = _write(tmp_path / "t.jsonl", [stage1, "", stage3, stage1])
    examples = load_test_examples(path)
    assert [e.gold_label for e in examples] == ["ICD10:E11.9", "CPT:99213", "ICD10:E11.9"]
    assert examples[0].id == "a" and examples[1].id == "line-3"
    assert examples[2].id == "a#line-4"  # duplicate ids are made unique
    assert examples[1].gold_reasoning == "Low complexity."
    assert load_test_examples(path, max_samples=1)[0].narrative == "T2DM on metformin."


def test_bad_test_file_names_lines(tmp_path):
    good = build_stage_1_example("Asthma.", "ICD10", "J45.909")
    no_user = {"messages": [{"role": "assistant", "content": "ICD10: I10"}]}
    bad_gold = {
        "messages": [
            {"role": "user", "content": "x"},
            {"role": "assistant", "content": "I think it is hypertension"},
        ]
    }
    no_answer = {"messages": [{"role": "user", "content": "x"}]}
    path = _write(
        tmp_path / "bad.jsonl",
        [good, "{not json", no_user, bad_gold, "[1, 2]", no_answer, no_answer],
    )
    with pytest.raises(EvaluationError) as info:
        load_test_examples(path)
    message = str(info.value)
    assert "6 unusable line(s)" in message and "; the first 5:" in message
    assert "more)" not in message  # "(and 1 more)" read as 7 in all
    for line in (2, 3, 4, 5, 6):
        assert f"bad.jsonl:{line}:" in message
    assert (
        "invalid JSON" in message
        and "no user narrative" in message
        and "not 'CODE_TYPE: CODE" in message
    )


def test_missing_empty_and_bad_max_samples(tmp_path):
    with pytest.raises(EvaluationError, match="does not exist"):
        load_test_examples(tmp_path / "nope.jsonl")
    with pytest.raises(EvaluationError, match="holds no examples"):
        load_test_examples(_write(tmp_path / "empty.jsonl", [""]))
    with pytest.raises(EvaluationError, match="at least 1"):
        load_test_examples(
            _write(tmp_path / "one.jsonl", [build_stage_1_example("x", "CPT", "99213")]),
            max_samples=0,
        )


EXAMPLE = TestExample(
    id="e1", narrative="Diabetes type 2 on metformin.", gold_type="ICD10", gold_code="E11.9"
)


@pytest.mark.parametrize(
    ("raw", "label", "well_formed"),
    [
        ("ICD10: E11.9 (Type 2 diabetes mellitus without complications)", "ICD10:E11.9", True),
        ("  icd-10-cm:  e119 (T2DM", "ICD10:E11.9", True),  # lower case, no dot, unclosed paren
        ("The answer is CPT code: 99213.", "CPT:99213", True),  # text around the answer
        ("HCPCS Level II: J1100\nHCPCS: J3301", "HCPCS:J1100", True),  # first answer wins
        ("<think>\nT2DM\n</think>\nICD10: E11.9", "ICD10:E11.9", True),
        ("<think>\nnever closed ICD10: E11.9", None, False),  # unclosed reasoning: no answer
        ("E11.9", None, False),  # a code without its type
        ("", None, False),
        ("ICD10: \n", None, False),
        ("SNOMED: 44054006", None, False),  # unknown system
    ],
)
def test_prediction_from_odd_outputs(raw, label, well_formed):
    record = prediction_from_output(EXAMPLE, raw, stage=1)
    assert record.pred_label == label
    assert record.well_formed is well_formed
    assert record.candidates == ([label] if label else [])
    assert record.raw_output == raw and record.gold_label == "ICD10:E11.9"


def test_prediction_candidates_put_the_answer_first_without_repeats():
    record = prediction_from_output(
        EXAMPLE,
        "ICD10: E11.65",
        stage=1,
        candidates=["ICD10:E11.9", "ICD10:E11.65", "ICD10:E11.9"],
        candidate_scores=[-1.0, -2.0, -3.0],
        confidence=0.4,
    )
    assert record.candidates == ["ICD10:E11.65", "ICD10:E11.9"]
    assert record.candidate_scores == [-2.0, -1.0]
    unscored = prediction_from_output(
        EXAMPLE, "ICD10: I10", stage=1, candidates=["ICD10:E11.9"], candidate_scores=[-1.0]
    )
    assert unscored.candidate_scores == [None, -1.0]
    assert not unscored.correct and unscored.confidence is None


def test_prediction_round_trip_and_load_errors(tmp_path):
    record = prediction_from_output(
        EXAMPLE, "<think>\nx\n</think>\nICD10: E11.9", stage=2, confidence=0.7
    )
    assert Prediction.from_dict(json.loads(json.dumps(record.to_dict()))) == record
    minimal = {
        "id": 1,
        "gold_type": "CPT",
        "gold_code": "99213",
        "pred_type": "CPT",
        "pred_code": "99213",
    }
    loaded = Prediction.from_dict(minimal)
    assert loaded.correct and loaded.well_formed and loaded.candidates == [] and loaded.stage == 1
    path = _write(tmp_path / "p.jsonl", [record.to_dict(), minimal])
    assert len(load_predictions(path)) == 2
    with pytest.raises(EvaluationError, match=r"p2.jsonl:2: missing field 'gold_code'"):
        load_predictions(_write(tmp_path / "p2.jsonl", [minimal, {"id": "x", "gold_type": "CPT"}]))
    with pytest.raises(EvaluationError, match=r"p3.jsonl:1: .*JSON"):
        load_predictions(_write(tmp_path / "p3.jsonl", ["{oops"]))
    with pytest.raises(EvaluationError, match="must be a list"):
        load_predictions(_write(tmp_path / "p4.jsonl", [{**minimal, "candidates": "CPT:99213"}]))
    with pytest.raises(EvaluationError, match="does not exist"):
        load_predictions(tmp_path / "missing.jsonl")
    with pytest.raises(EvaluationError, match="is empty"):
        load_predictions(_write(tmp_path / "p5.jsonl", [""]))
