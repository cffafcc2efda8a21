"""The typed report of ``thce eval`` (thce.evaluation.schema): writer and loader agree, a
malformed file is a clear error, and report.md shows the report's numbers cell by cell."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from thce.errors import EvaluationError
from thce.evaluation.evaluate import finish_report
from thce.evaluation.metrics import compare_systems, compute_confidence_intervals, compute_metrics
from thce.evaluation.model_dir import stage_from_model_dir
from thce.evaluation.records import Prediction
from thce.evaluation.schema import EvaluationReport, load_evaluation_report

GOLDS = ["ICD10:E11.9", "ICD10:I10", "CPT:99213", "HCPCS:J1100"]
WRONG = "ICD10:E78.5"  # a real code, in no gold's category
OPTIONAL_KEYS = EvaluationReport.OMITTED_WHEN_NONE


def _records(answers, candidates=None, system="model"):
    records = []
    for i, (gold, pred) in enumerate(zip(GOLDS, answers, strict=True)):
        gold_type, gold_code = gold.split(":")
        pred_type, pred_code = pred.split(":") if pred else (None, None)
        records.append(
            Prediction(
                id=f"x{i}",
                gold_type=gold_type,
                gold_code=gold_code,
                pred_type=pred_type,
                pred_code=pred_code,
                candidates=candidates[i] if candidates else ([pred] if pred else []),
                raw_output=f"{pred_type}: {pred_code}" if pred else "no idea",
                reasoning=None,
                confidence=None,
                well_formed=pred is not None,
                narrative="A clinical note.",
                system=system,
            )
        )
    return records


# The model: three right answers (ranked first of three candidates) and no answer for the
# HCPCS example. The keyword baseline (and the unconstrained run): only the HCPCS one right.
MODEL = _records(
    [GOLDS[0], GOLDS[1], GOLDS[2], None],
    candidates=[[g, WRONG, "CPT:99215"] for g in GOLDS[:3]] + [[]],
)
KEYWORD = _records([WRONG, WRONG, WRONG, GOLDS[3]], system="baseline:keyword")


def _full_report(tmp_path):
    """A report with every optional block: retrieval, unconstrained run, baselines."""
    return finish_report(
        MODEL,
        tmp_path,
        system="model:m",
        test_data="test.jsonl",
        stage=1,
        top_k=3,
        constrained=True,
        engine="hf",
        seconds=2.0,
        plots=False,
        n_bootstrap=50,
        extra={
            "model_path": "m",
            "batch_size": 8,
            "retrieval": {"k": 3, "signals": ["bm25"], "fusion_weight": 1.5, "recall_at_k": 0.75},
            "constrained_to": "candidates",
            "metrics_unconstrained": compute_metrics(KEYWORD),
            "timing_unconstrained": {"seconds": 1.0, "examples_per_second": 4.0},
            "constrained_vs_unconstrained": compare_systems(MODEL, KEYWORD),
            "train_data": "train.jsonl",
            "baselines": {
                "keyword": {
                    "metrics": compute_metrics(KEYWORD),
                    "confidence_intervals": compute_confidence_intervals(KEYWORD, n_resamples=50),
                }
            },
            "significance": {"keyword": compare_systems(MODEL, KEYWORD)},
        },
    )


def test_writer_and_loader_round_trip(tmp_path):
    returned = _full_report(tmp_path)
    on_disk = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert returned == on_disk
    report = load_evaluation_report(tmp_path / "report.json")
    assert report.model_dump(mode="json") == on_disk  # nothing lost or added on the way
    assert set(on_disk) >= OPTIONAL_KEYS - {"plots"}  # plots=False: no plot names
    assert report.metrics.top_k == {1: 0.75, 3: 0.75}
    assert on_disk["metrics"]["top_k"] == {"1": 0.75, "3": 0.75}  # JSON keys stay strings
    assert report.confidence_intervals.top(3) == report.confidence_intervals.top_3
    assert report.confidence_intervals.top(5) is None
    assert report.retrieval.recall_at_k == 0.75
    assert report.significance["keyword"].exact_match.a_only == 3
    assert report.baselines["keyword"].metrics.exact_match == 0.25


def test_a_plain_report_leaves_the_optional_keys_out(tmp_path):
    """Keys that do not apply are absent (not null), as before the schema existed."""
    finish_report(KEYWORD, tmp_path, system="baseline:keyword", test_data="t", stage=1, top_k=5)
    on_disk = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert not (set(on_disk) & (OPTIONAL_KEYS - {"plots"}))
    assert on_disk["plots"] == ["accuracy_by_code_type.png", "error_categories.png"]
    assert on_disk["engine"] is None and "reasoning_quality" not in on_disk["metrics"]
    assert on_disk["timing"] == {"seconds": None, "examples_per_second": None}
    assert load_evaluation_report(tmp_path / "report.json").model_dump(mode="json") == on_disk


def test_the_writer_refuses_a_key_the_schema_does_not_know(tmp_path):
    with pytest.raises(ValidationError, match="recall"):
        finish_report(
            KEYWORD, tmp_path, system="s", test_data="t", stage=1, top_k=1, extra={"recall": 1.0}
        )


def _broken(data):
    data["metrics"]["exact_match"] = "high"


def _unknown(data):
    data["metrics"]["exact_mach"] = data["metrics"].pop("exact_match")


def _missing(data):
    del data["confidence_intervals"]


def _bad_mcnemar(data):
    data["significance"]["keyword"]["exact_match"]["a_only"] = "three"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_broken, "metrics.exact_match: Input should be a valid number, unable to parse"),
        (_unknown, "metrics.exact_match: missing; metrics.exact_mach: unknown key"),
        (_missing, "confidence_intervals: missing"),
        (_bad_mcnemar, "significance.keyword.exact_match.a_only: Input should be a valid integer"),
    ],
)
def test_a_malformed_report_names_the_file_and_the_field(tmp_path, damage, message):
    _full_report(tmp_path)
    path = tmp_path / "report.json"
    data = json.loads(path.read_text("utf-8"))
    damage(data)
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(EvaluationError) as caught:
        load_evaluation_report(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: not a valid THCE evaluation report: ")
    assert message in text and "re-run `thce eval`" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"n": 1,\n  oops}', "line 2: invalid JSON"),
        ("[1, 2]", "expected a JSON object (a THCE evaluation report), got list"),
        (None, "does not exist"),
    ],
)
def test_an_unreadable_report_is_an_evaluation_error(tmp_path, content, message):
    path = tmp_path / "report.json"
    if content is not None:
        path.write_text(content, "utf-8")
    with pytest.raises(EvaluationError, match=r"report\.json") as caught:
        load_evaluation_report(path)
    assert message in str(caught.value)


def _table(lines, header):
    """The rows of the markdown table whose header line is ``header``."""
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_report_md_cells(tmp_path):
    _full_report(tmp_path)
    report = load_evaluation_report(tmp_path / "report.json")
    cis = report.confidence_intervals
    sig = report.significance["keyword"]

    def ci(interval, percent=True):
        fmt = (lambda v: f"{100 * v:.1f}%") if percent else (lambda v: f"{v:.3f}")
        return f"[{fmt(interval.low)}, {fmt(interval.high)}]"

    lines = (tmp_path / "report.md").read_text("utf-8").splitlines()
    assert lines[:5] == [
        "# THCE evaluation: model:m",
        "",
        "- test data: `test.jsonl` (4 examples)",
        "- stage: 1, top-k: 3, constrained: True, engine: hf",
        "- inference: 2.0 s (2.00 examples/s)",
    ]
    # One missing answer: micro precision 3/3, recall 3/4; macro over the 4 gold classes.
    assert _table(lines, "| metric | value | 95% CI |")[:6] == [
        f"| exact match | 75.0% | {ci(cis.exact_match)} |",
        f"| top-1 | 75.0% | {ci(cis.top_1)} |",
        f"| top-3 | 75.0% | {ci(cis.top_3)} |",
        f"| micro F1 | 0.857 | {ci(cis.micro_f1, percent=False)} |",
        f"| macro F1 | 0.750 | {ci(cis.macro_f1, percent=False)} |",
        f"| category match (partial credit) | 75.0% | {ci(cis.category_match)} |",
    ]
    assert "| invalid-code rate | 0.0% | – |" in lines
    assert "| format-failure rate | 25.0% | – |" in lines
    assert _table(lines, "| average | precision | recall | F1 |") == [
        "| micro | 1.000 | 0.750 | 0.857 |",
        "| macro | 0.750 | 0.750 | 0.750 |",
    ]
    header = "| code type | n | exact match | 95% CI | category match | type accuracy | macro F1 |"
    assert _table(lines, header) == [
        "| CPT | 1 | 100.0% | [100.0%, 100.0%] | 100.0% | 100.0% | 1.000 |",
        "| HCPCS | 1 | 0.0% | [0.0%, 0.0%] | 0.0% | 0.0% | 0.000 |",
        "| ICD10 | 2 | 100.0% | [100.0%, 100.0%] | 100.0% | 100.0% | 1.000 |",
    ]
    # McNemar: the model alone right 3 times, the keyword map alone once: p = 2 * 5/16.
    assert (sig.exact_match.a_only, sig.exact_match.b_only) == (3, 1)
    free = report.constrained_vs_unconstrained
    assert _table(lines, "| metric | constrained | unconstrained | p-value |") == [
        "| exact match | 75.0% | 25.0% | 0.625 |",
        f"| top-3 | 75.0% | 25.0% | {free.top_3.p_value:.3f} |",
        f"| category match | 75.0% | 25.0% | {free.category_match.p_value:.3f} |",
        "| invalid-code rate | 0.0% | 0.0% | – |",
        "| format-failure rate | 25.0% | 0.0% | – |",
    ]
    # keyword: 1 of 4 right; macro F1 over 5 classes (4 golds and its wrong answer).
    header = "| system | exact match | p | top-3 | p | macro F1 | p | category match |"
    assert _table(lines, header) == [
        "| **model:m** | 75.0% |  | 75.0% |  | 0.750 |  | 75.0% |",
        f"| keyword | 25.0% | 0.625 | 25.0% | {sig.top_3.p_value:.3f} | 0.200 | "
        f"{sig.macro_f1.p_value:.3f} | 25.0% |",
    ]
    assert _table(lines, "| category | count |")[:2] == [
        "| wrong_code | 0 |",
        "| wrong_specificity | 0 |",
    ]
    assert "| invalid_format | 1 |" in lines


def test_stage_comes_from_the_one_key_training_writes(tmp_path):
    """``thce train`` saves ``stage: {number: N, ...}``; nothing else is guessed."""
    config = tmp_path / "resolved_config.yaml"
    config.write_text("stage:\n  number: 2\n  type: sft\n  name: reasoning\n", "utf-8")
    assert stage_from_model_dir(tmp_path) == 2
    config.write_text("stage: stage_3\n", "utf-8")
    assert stage_from_model_dir(tmp_path) is None
    config.write_text("stage:\n  number: 7\n", "utf-8")
    assert stage_from_model_dir(tmp_path) is None
    config.write_text("stage: [unclosed\n", "utf-8")
    assert stage_from_model_dir(tmp_path) is None
    assert stage_from_model_dir(tmp_path / "missing") is None
