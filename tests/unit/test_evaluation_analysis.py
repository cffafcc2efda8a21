"""Error analysis (each category) and the report writer (markdown, JSON, plots)."""

from __future__ import annotations

import json

import pytest

from thce.evaluation.analysis import (
    ERROR_CATEGORIES,
    analyze_file,
    analyze_predictions,
    categorize,
    gold_rank,
)
from thce.evaluation.metrics import (
    compare_systems,
    compute_confidence_intervals,
    compute_metrics,
)
from thce.evaluation.records import Prediction
from thce.evaluation.report import render_markdown, write_report

NARRATIVE = "58 yo with type 2 diabetes on metformin, A1c 9.2, hyperglycemia documented."


def _rec(
    gold: str,
    pred: str | None,
    stage: int = 1,
    reasoning: str | None = None,
    well_formed_reasoning: bool = True,
    **kw,
) -> Prediction:
    gold_type, gold_code = gold.split(":")
    pred_type, pred_code = pred.split(":") if pred else (None, None)
    return Prediction(
        id=kw.pop("id", f"{gold}>{pred}>{stage}"),
        gold_type=gold_type,
        gold_code=gold_code,
        pred_type=pred_type,
        pred_code=pred_code,
        candidates=kw.pop("candidates", [pred] if pred else []),
        raw_output=kw.pop("raw_output", f"{pred_type}: {pred_code}" if pred else "hmm"),
        reasoning=reasoning,
        confidence=kw.pop("confidence", 0.5),
        well_formed=pred is not None,
        reasoning_well_formed=reasoning is not None and well_formed_reasoning,
        narrative=NARRATIVE,
        stage=stage,
    )


GOOD_REASONING = "Type 2 diabetes on metformin with hyperglycemia, A1c 9.2: E11.65."


@pytest.mark.parametrize(
    ("record", "category"),
    [
        (_rec("ICD10:E11.65", "ICD10:E11.65"), None),
        (_rec("ICD10:E11.65", None), "invalid_format"),
        (_rec("ICD10:E11.65", "CPT:99213"), "wrong_code_type"),
        (_rec("ICD10:E11.65", "ICD10:E11.9"), "wrong_specificity"),  # same category E11
        (_rec("ICD10:E11.9", "ICD10:E11"), "wrong_specificity"),  # ancestor
        (_rec("ICD10:E11.65", "ICD10:I10"), "wrong_code"),
        # Codes that do not exist are invalid, not wrong codes or wrong specificity.
        (_rec("ICD10:I10", "ICD10:I1O"), "invalid_format"),  # letter O for zero
        (_rec("ICD10:E11.65", "ICD10:E11.99"), "invalid_format"),  # same family, not a code
        (_rec("CPT:99213", "CPT:E11.9"), "invalid_format"),  # not a CPT code
        (_rec("ICD10:E11.65", "ICD10:E11.99", stage=2, reasoning=GOOD_REASONING), "invalid_format"),
        (
            _rec("ICD10:E11.65", "ICD10:E11.65", stage=2),
            "missing_reasoning",
        ),  # right code, no think
        (
            _rec(
                "ICD10:E11.65", "ICD10:E11.65", stage=2, reasoning="x", well_formed_reasoning=False
            ),
            "missing_reasoning",
        ),
        (_rec("ICD10:E11.65", "ICD10:E11.65", stage=2, reasoning=GOOD_REASONING), None),
        (
            _rec("ICD10:E11.65", "ICD10:I10", stage=2, reasoning="Nothing relevant here."),
            "incorrect_reasoning",
        ),
        (
            _rec(
                "ICD10:E11.65",
                "ICD10:I10",
                stage=2,
                reasoning="Diabetes with hyperglycemia on metformin: E11.65.",
            ),
            "incorrect_reasoning",
        ),
        (
            _rec(
                "ICD10:E11.65",
                "ICD10:I10",
                stage=2,
                reasoning="Diabetes with hyperglycemia on metformin.",
            ),
            "wrong_code",
        ),
        (_rec("ICD10:E11.65", None, stage=2, reasoning=GOOD_REASONING), "invalid_format"),
    ],
)
def test_each_error_category(record, category):
    assert categorize(record) == category


def test_stage_override_and_gold_rank():
    record = _rec("ICD10:E11.65", "ICD10:E11.65", stage=1)
    assert categorize(record, stage=2) == "missing_reasoning"
    ranked = _rec("ICD10:E11.65", "ICD10:E11.9", candidates=["ICD10:E11.9", "ICD10:E11.65"])
    assert gold_rank(ranked) == 2 and gold_rank(_rec("ICD10:E11.65", "ICD10:I10")) is None


def test_analysis_counts_hardest_and_reasoning_failures(tmp_path):
    records = [
        _rec("ICD10:E11.65", "ICD10:E11.65", stage=2, reasoning=GOOD_REASONING, id="ok"),
        _rec(
            "ICD10:E11.65",
            "ICD10:I10",
            stage=2,
            reasoning="Nothing relevant.",
            confidence=0.99,
            id="confident",
        ),
        _rec(
            "ICD10:E11.65",
            "ICD10:E11.9",
            stage=2,
            reasoning=GOOD_REASONING,
            confidence=0.3,
            id="close",
            candidates=["ICD10:E11.9", "ICD10:E11.65"],
        ),
        _rec("CPT:99213", None, stage=2, id="format", confidence=None),
        _rec("CPT:99213", "ICD10:E11.99", stage=2, reasoning=GOOD_REASONING, id="invalid"),
    ]
    analysis, errors = analyze_predictions(records)
    assert analysis["n"] == 5 and analysis["n_errors"] == 4 and analysis["stage"] == 2
    assert list(analysis["categories"]) == list(ERROR_CATEGORIES)
    assert analysis["categories"]["incorrect_reasoning"] == 1
    assert analysis["categories"]["wrong_specificity"] == 1
    # No answer, and an answer that is no code (E11.99): both invalid, even in another system.
    assert analysis["categories"]["invalid_format"] == 2
    assert analysis["categories"]["wrong_code_type"] == 0
    assert analysis["invalid_codes"] == 1
    assert analysis["by_code_type"]["CPT"]["invalid_format"] == 2
    # Gold not among the candidates first, then most confident.
    assert [h["id"] for h in analysis["hardest_examples"]][:2] == ["confident", "invalid"]
    assert (
        analysis["hardest_examples"][-1]["id"] == "close"
        and analysis["hardest_examples"][-1]["gold_rank"] == 2
    )
    assert analysis["reasoning_failures"]["count"] >= 2
    assert {e["category"] for e in errors} == {
        "incorrect_reasoning",
        "wrong_specificity",
        "invalid_format",
    }
    assert analysis["top_confusions"][0]["count"] == 1

    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in records), "utf-8")
    written = analyze_file(predictions, tmp_path / "out")
    assert written["categories"] == analysis["categories"]
    lines = (tmp_path / "out" / "errors.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == 4 and all("category" in json.loads(line) for line in lines)
    assert json.loads((tmp_path / "out" / "analysis.json").read_text("utf-8"))["n_errors"] == 4


def test_analysis_of_nothing():
    analysis, errors = analyze_predictions([])
    assert analysis["n"] == 0 and analysis["error_rate"] == 0.0 and errors == []


def _report(records, **extra):
    metrics = compute_metrics(records)
    report = {
        "system": "model:test",
        "n": len(records),
        "test_data": "t.jsonl",
        "stage": 1,
        "top_k": 5,
        "constrained": False,
        "engine": "hf",
        "timing": {"seconds": 2.0, "examples_per_second": 2.0},
        "metrics": metrics,
        "confidence_intervals": compute_confidence_intervals(records, n_resamples=20),
        "error_categories": analyze_predictions(records)[0]["categories"],
        "created": "2026-01-01T00:00:00+00:00",
        "thce_version": "0.0.0",
    }
    report.update(extra)
    return report


def test_report_markdown_json_and_plots(tmp_path):
    records = [
        _rec("ICD10:E11.65", "ICD10:E11.65", confidence=0.9, id="1"),
        _rec("CPT:99213", "CPT:99214", confidence=0.6, id="2"),
        _rec("HCPCS:J1100", None, confidence=None, id="3"),
    ]
    baseline = [_rec("ICD10:E11.65", "ICD10:I10", id=str(i)) for i in range(1, 4)]
    sig = compare_systems(records, baseline)
    sig["top_3"]["p_value"] = 0.0001  # shown as <0.001
    report = _report(
        records,
        baselines={
            "keyword": {
                "metrics": compute_metrics(baseline),
                "confidence_intervals": compute_confidence_intervals(baseline, n_resamples=20),
            }
        },
        significance={"keyword": sig},
        metrics_unconstrained=compute_metrics(records),
        constrained_vs_unconstrained=sig,
    )
    write_report(report, tmp_path)
    for name in (
        "report.json",
        "report.md",
        "accuracy_by_code_type.png",
        "calibration.png",
        "error_categories.png",
        "comparison.png",
    ):
        assert (tmp_path / name).stat().st_size > 0, name
    assert (tmp_path / "accuracy_by_code_type.png").read_bytes()[:4] == b"\x89PNG"
    saved = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert saved["plots"] == [
        "accuracy_by_code_type.png",
        "calibration.png",
        "error_categories.png",
        "comparison.png",
    ]
    markdown = (tmp_path / "report.md").read_text("utf-8")
    for heading in (
        "## Summary",
        "## By code type",
        "## Calibration",
        "## Baselines",
        "## Constrained vs unconstrained",
        "## Errors by category",
    ):
        assert heading in markdown
    assert (
        "| exact match | 33.3% |" in markdown and "<0.001" in markdown and "| keyword |" in markdown
    )


def test_report_without_confidences_or_extras(tmp_path):
    records = [_rec("ICD10:E11.65", "ICD10:E11.65", confidence=None, id="1")]
    report = _report(records, timing={"seconds": None, "examples_per_second": None})
    report["metrics"]["reasoning_quality"] = {
        "present": 1.0,
        "well_formed": 1.0,
        "evidence": 0.5,
        "consistent": 1.0,
        "score": 0.875,
    }
    write_report(report, tmp_path, plots=True)
    assert not (tmp_path / "calibration.png").exists()
    markdown = render_markdown(report)
    assert (
        "## Reasoning quality" in markdown
        and "## Calibration" not in markdown
        and "## Baselines" not in markdown
    )
