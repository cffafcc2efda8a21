"""Raw coded narratives -> preprocess -> quality check -> built dataset, with the real PHI
scrubber, language detector and code databases (seed task 3.7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from thce.cli import app
from thce.data.build import build_dataset
from thce.data.formats import get_gold, get_narrative
from thce.data.preprocess import Preprocessor
from thce.data.quality import DataQualityChecker

RAW = [
    # PHI everywhere; code written loosely.
    {"id": "p1", "narrative": "John Smith (MRN 12345678) was seen on 03/14/2024 in clinic. 58 yo with type 2 diabetes, no complications. Call 555-123-4567.", "code": "e119", "code_type": "icd-10-cm", "specialty": "endocrinology"},
    {"id": "p2", "narrative": "Follow-up for essential hypertension ,  BP 150/95 on lisinopril 10 mg daily ; no end-organ damage.", "code": "I10", "code_type": "ICD10", "specialty": "cardiology"},
    {"id": "p3", "text": "COPD with acute exacerbation: increased dyspnea and purulent sputum for 3 days, started prednisone.", "code": "J441", "code_type": "icd10", "specialty": "pulmonology"},
    {"id": "p4", "narrative": "Hyperlipidemia, LDL 182 mg/dL, started atorvastatin 40 mg; recheck lipids in 12 weeks.", "code": "E78.5", "specialty": "general medicine"},
    {"id": "p5", "narrative": "Established patient office visit, low complexity: refill of chronic medications, stable.", "code": "99213", "code_type": "CPT"},
    {"id": "p6", "narrative": "Routine 12-lead ECG performed with interpretation and report for palpitations.", "code": "93000", "code_type": "cpt"},
    {"id": "p7", "narrative": "Comprehensive metabolic panel drawn to monitor renal function on an ACE inhibitor.", "code": "80053", "code_type": "CPT"},
    {"id": "p8", "narrative": "Dexamethasone sodium phosphate 4 mg given IM for an acute gout flare in the knee.", "code": "j1100", "code_type": "HCPCS"},
    {"id": "p9", "narrative": "Influenza vaccine administered in the left deltoid during the annual visit.", "code": "G0008", "code_type": "hcpcs"},
    {"id": "p10", "narrative": "Ketorolac 30 mg injected IM for acute low back pain after lifting a box.", "code": "J1885", "code_type": "HCPCS"},
    # Duplicate of p5 (the checker/build reject it; preprocessing keeps both).
    {"id": "p11", "narrative": "Established  patient office visit, low complexity: refill of chronic medications, stable.", "code": "99213", "code_type": "CPT"},
    # Removed by preprocessing:
    {"id": "x1", "narrative": "Type 2 diabetes with a code that does not exist in the database.", "code": "E11.999", "code_type": "ICD10"},
    {"id": "x2", "narrative": "Paciente de 58 años con diabetes tipo 2 sin complicaciones.", "code": "E11.9", "code_type": "ICD10"},
    {"id": "x3", "narrative": "T2DM", "code": "E11.9", "code_type": "ICD10"},
    {"id": "x4", "narrative": "Injection given today.", "code": "J1100"},  # ambiguous: J11.00 or HCPCS J1100
]  # fmt: skip
PHI_STRINGS = ("John Smith", "12345678", "03/14/2024", "555-123-4567")


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    raw = root / "raw.jsonl"
    lines = [json.dumps(r) for r in RAW]
    lines.insert(5, "{this line is broken")
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    clean = root / "clean.jsonl"
    summary = Preprocessor().process_file(raw, clean)
    report = DataQualityChecker().check_file(clean, 1, rejects_path=root / "check_rejects.jsonl")
    config = root / "config" / "stage_1.yaml"
    config.parent.mkdir()
    config.write_text(
        yaml.safe_dump(
            {
                "name": "pipeline_stage_1",
                "description": "integration test",
                "stage": 1,
                "test_size": 0.3,
                "seed": 11,
                "datasets": [{"name": "clean", "source_path": "../clean.jsonl", "entries": "all"}],
            }
        )
    )
    meta = build_dataset(config, root / "built")
    return root, summary, report, meta


def test_preprocess_accounts_for_every_line(pipeline):
    root, summary, _, _ = pipeline
    assert summary.total == len(RAW) + 1
    assert summary.total == summary.written + summary.rejected
    assert (summary.written, summary.rejected) == (11, 5)
    rejects = [json.loads(x) for x in (root / "clean.rejects.jsonl").read_text().splitlines()]
    assert sorted(
        (r["step"], (r["record"] or {}).get("id") if isinstance(r["record"], dict) else "raw")
        for r in rejects
    ) == [
        ("code", "x1"),
        ("code", "x4"),
        ("language", "x2"),
        ("length", "x3"),
        ("parse", "raw"),
    ]
    steps = summary.to_dict()["steps"]
    assert (
        steps["phi"]["changed"] >= 1
        and steps["normalize"]["changed"] >= 2
        and steps["code"]["changed"] >= 4
    )


def test_preprocessed_records_are_clean(pipeline):
    root, _, _, _ = pipeline
    records = [json.loads(x) for x in (root / "clean.jsonl").read_text().splitlines()]
    first = next(r for r in records if r["id"] == "p1")
    narrative = get_narrative(first)
    assert not any(s in narrative for s in PHI_STRINGS)
    assert "[NAME]" in narrative and "type 2 diabetes" in narrative
    assert (
        first["messages"][2]["content"]
        == "ICD10: E11.9 (Type 2 diabetes mellitus without complications)"
    )
    assert first["metadata"]["specialty"] == "endocrinology"
    assert get_gold(next(r for r in records if r["id"] == "p3")).code == "J44.1"
    assert "BP 150/95" in get_narrative(next(r for r in records if r["id"] == "p2"))
    assert all(0 < r["metadata"]["quality_score"] <= 1 for r in records)


def test_checker_flags_only_the_duplicate(pipeline):
    root, _, report, _ = pipeline
    assert (report.total, report.failed) == (11, 1)
    assert {name for name, s in report.checks.items() if s.failed} == {"duplicate"}
    reject = json.loads((root / "check_rejects.jsonl").read_text())
    assert reject["record"]["id"] == "p11" and "duplicate" in reject["reasons"]


def test_build_splits_clean_records(pipeline):
    root, _, _, meta = pipeline
    built = root / "built"
    train = [json.loads(x) for x in (built / "train.jsonl").read_text().splitlines()]
    test = [json.loads(x) for x in (built / "test.jsonl").read_text().splitlines()]
    assert meta["counts"] == {"read": 11, "kept": 10, "rejected": 1, "train": 7, "test": 3}
    assert meta["stratified"] is True
    assert meta["code_types"]["test"] == {"CPT": 1, "HCPCS": 1, "ICD10": 1}
    assert {get_gold(r).code_type for r in train} == {"ICD10", "CPT", "HCPCS"}
    text = (built / "train.jsonl").read_text() + (built / "test.jsonl").read_text()
    assert not any(s in text for s in PHI_STRINGS)
    assert len({r["id"] for r in train + test}) == 10
    assert meta["rejected_by_check"] == {"duplicate": 1}


def test_cli_check_on_built_files(pipeline):
    root, _, _, _ = pipeline
    result = CliRunner().invoke(
        app, ["data", "check", str(root / "built" / "train.jsonl"), "--stage", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["failed"] == 0


def test_build_streams_csv_source_through_datasets(tmp_path: Path):
    pytest.importorskip("datasets")
    rows = [
        "note,icd",
        *(
            f"Adult patient {i} with essential hypertension seen for routine follow-up,I10"
            for i in range(4)
        ),
    ]
    (tmp_path / "notes.csv").write_text("\n".join(rows) + "\n")
    config = tmp_path / "c.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "name": "csv",
                "skip_checks": ["phi"],
                "datasets": [
                    {
                        "name": "csv",
                        "source_path": "notes.csv",
                        "entries": 3,
                        "columns": {"note": "narrative", "icd": "code"},
                    }
                ],
            }
        )
    )
    meta = build_dataset(config, tmp_path / "out", test_size=0)
    assert meta["counts"] == {"read": 3, "kept": 3, "rejected": 0, "train": 3, "test": 0}
