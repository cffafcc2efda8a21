"""Preprocessing (thce.data.preprocess): each step, accounting and the file API."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from thce.data.formats import (
    build_stage_1_example,
    build_stage_2_example,
    build_stage_3_example,
    format_answer,
    format_reasoned_answer,
    parse_answer,
)
from thce.data.preprocess import (
    QUALITY_WEIGHTS,
    STEPS,
    Preprocessor,
    default_rejects_path,
    normalize_text,
    preprocess_file,
    quality_components,
    quality_score,
    record_from_raw,
)
from thce.data.quality import DataQualityChecker
from thce.errors import DataError

NARRATIVE = "58 yo with type 2 diabetes mellitus, no complications documented at this visit."
DESC = "Type 2 diabetes mellitus without complications"
REASONING = (
    "Type 2 diabetes is documented and no complication is mentioned, so the unspecified code fits."
)


class FakeScrubber:
    """Replaces 'John Smith' with [NAME] and 'MRN 123456' with [MRN]; counts batch calls."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def scrub(self, text: str) -> str:
        return re.sub(r"MRN \d+", "[MRN]", text.replace("John Smith", "[NAME]"))

    def scrub_batch(self, texts: list[str]) -> list[str]:
        self.batches.append(len(texts))
        return [self.scrub(t) for t in texts]


def pre(**kwargs) -> Preprocessor:
    kwargs.setdefault("phi_scrubber", FakeScrubber())
    return Preprocessor(**kwargs)


def raw(**fields):
    record = {"narrative": NARRATIVE, "code": "E11.9", "code_type": "ICD10"}
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


# ----------------------------------------------------------------------------- normalize_text
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BP\u00a0140/90 ,  HbA1c 8.2 %", "BP 140/90, HbA1c 8.2 %"),
        ("\u201cchest pain\u201d \u2013 \u2018acute\u2019", "\"chest pain\" - 'acute'"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("a\tb\x07c", "a bc"),
        ("line one  \r\n\r\n\r\n\r\n  line two", "line one\n\nline two"),
        ("pain !!  really ??", "pain! really?"),
        ("wait.....", "wait..."),
        ("take .5 mg of drug", "take .5 mg of drug"),
        ("1,000 mg; 25/100 mg; 3.5 cm", "1,000 mg; 25/100 mg; 3.5 cm"),
        ("\uff21\uff11\uff43 \u00bd", "A1c 1/2"),  # NFKC: full-width letters, vulgar fraction
        ("  MS and CO  ", "MS and CO"),
    ],
)
def test_normalize_text(text, expected):
    assert normalize_text(text) == expected


def test_normalize_text_lowercase_is_opt_in():
    assert normalize_text("COPD Pt") == "COPD Pt"
    assert normalize_text("COPD Pt", lowercase=True) == "copd pt"


# ----------------------------------------------------------------------------- quality score
def test_quality_components_and_score():
    comps = quality_components(NARRATIVE + " Seen today.", True, True, 1.0, None)
    assert set(comps) == set(QUALITY_WEIGHTS) - {"reasoning"}
    assert all(0.0 <= v <= 1.0 for v in comps.values())
    assert quality_score(comps) == 1.0
    weak = quality_components("x1 x1 x1 9 9", False, False, 0.2, "short")
    assert 0.0 <= quality_score(weak) < 0.5
    assert weak["description"] == 0.0 and weak["specificity"] == 0.5 and weak["reasoning"] == 0.04
    assert quality_components("y" * 2000, True, None, 1.0, None)["length"] == 0.5
    assert quality_components("", True, None, 1.0, None)["alpha"] == 0.0


def test_quality_score_is_weighted_mean():
    assert quality_score({"length": 1.0, "description": 0.0}) == round(0.25 / 0.40, 3)


# ----------------------------------------------------------------------------- raw records
def test_raw_record_becomes_stage_1_with_standard_code_and_description():
    outcome = pre().process_example(
        raw(code="e119", code_type="icd-10-cm", id="r1", specialty="endocrinology", site="A")
    )
    record = outcome.record
    assert outcome.kept and outcome.input_format == "raw"
    assert record["id"] == "r1"
    assert record["messages"][2]["content"] == format_answer("ICD10", "E11.9", DESC)
    assert record["metadata"]["code_type"] == "ICD10"
    assert record["metadata"]["specialty"] == "endocrinology"
    assert record["metadata"]["site"] == "A"  # unknown raw columns kept under metadata
    assert 0.0 <= record["metadata"]["quality_score"] <= 1.0
    assert "code" in outcome.changed
    assert DataQualityChecker(skip=["phi"]).check_example(record, 1).passed


def test_raw_record_with_reasoning_and_text_column_becomes_stage_2():
    outcome = pre().process_example(
        {
            "text": NARRATIVE,
            "code": "99213",
            "code_type": "cpt",
            "reasoning": REASONING,
            "description": "Office visit",
        }
    )
    answer = outcome.record["messages"][2]["content"]
    assert answer == format_reasoned_answer(REASONING, "CPT", "99213", "Office visit")
    assert "reasoning" in quality_components(NARRATIVE, True, True, 1.0, REASONING)
    assert DataQualityChecker(skip=["phi"]).check_example(outcome.record, 2).passed


def test_code_type_detected_when_absent_and_unambiguous():
    outcome = pre().process_example({"narrative": NARRATIVE, "code": "99213"})
    assert outcome.record["metadata"]["code_type"] == "CPT"


@pytest.mark.parametrize(
    ("record", "step", "fragment"),
    [
        (raw(code="J1100", code_type=None), "code", "could be ICD10 or HCPCS"),
        (raw(code="hello", code_type=None), "code", "matches no code system"),
        (raw(code_type="SNOMED"), "code", "unknown code type 'SNOMED'"),
        (raw(code="E11.999"), "code", "E11.999 is not an ICD-10-CM code"),
        (raw(code="99213"), "code", "not a well-formed ICD-10-CM code"),
        (raw(narrative="too short"), "length", "minimum is 10"),
        (raw(narrative="y" * 2001), "length", "maximum is 2000"),
        (
            raw(narrative="Paciente de 58 años con diabetes tipo 2 sin complicaciones."),
            "language",
            "looks es",
        ),
        ({"narrative": NARRATIVE}, "parse", "neither a stage example"),
        ({"narrative": 5, "code": "E11.9"}, "parse", "must be a string"),
        (raw(reasoning=["x"]), "parse", "'reasoning' must be a string"),
        (raw(code=""), "parse", "'code' must be a non-empty string"),
        ({"narrative": NARRATIVE, "code": None}, "parse", "'code' must be a non-empty string"),
        (raw(description=3), "parse", "'description' must be a string"),
        ([1, 2], "parse", "expected a JSON object"),
    ],
)
def test_records_removed_with_step_and_reason(record, step, fragment):
    outcome = pre().process_example(record)
    assert not outcome.kept
    assert outcome.step == step
    assert fragment in outcome.reason
    assert outcome.original == record


def test_clinical_shorthand_is_not_removed_as_foreign():
    outcome = pre().process_example(raw(narrative="Pt c/o SOB x 2d. CXR: RLL infiltrate. Dx CAP."))
    assert outcome.kept


def test_length_bounds_apply_after_cleaning():
    outcome = pre(min_length=20).process_example(raw(narrative="John Smith  has T2DM"))
    # "[NAME] has T2DM" is 15 characters once scrubbed and normalised.
    assert outcome.step == "length"


# ----------------------------------------------------------------------------- PHI and normalisation
def test_phi_scrubbed_in_narrative_and_reasoning_in_batches():
    scrubber = FakeScrubber()
    records = [
        (1, raw(narrative="John Smith, MRN 123456, has type 2 diabetes, no complications."), None),
        (2, raw(reasoning="John Smith has diabetes without complications documented today."), None),
        (3, raw(narrative="Another 60 yo with type 2 diabetes and no complications."), None),
    ]
    outcomes = list(Preprocessor(phi_scrubber=scrubber, batch_size=2).process_records(records))
    assert [o.line for o in outcomes] == [1, 2, 3]
    assert (
        outcomes[0].record["messages"][1]["content"]
        == "[NAME], [MRN], has type 2 diabetes, no complications."
    )
    assert (
        "phi" in outcomes[0].changed
        and "phi" in outcomes[1].changed
        and "phi" not in outcomes[2].changed
    )
    assert "[NAME] has diabetes" in outcomes[1].record["messages"][2]["content"]
    assert scrubber.batches == [
        3,
        1,
    ]  # batch 1: two narratives + one reasoning; batch 2: one narrative


def test_scrubber_without_batch_method():
    class Simple:
        def scrub(self, text: str) -> str:
            return text.replace("John Smith", "[NAME]")

    outcome = Preprocessor(phi_scrubber=Simple()).process_example(
        raw(narrative=f"John Smith: {NARRATIVE}")
    )
    assert outcome.record["messages"][1]["content"].startswith("[NAME]:")


def test_default_scrubber_is_phi_module(monkeypatch):
    import thce.data.phi as phi_module

    monkeypatch.setattr(phi_module, "PHIScrubber", FakeScrubber, raising=False)
    outcome = Preprocessor().process_example(raw(narrative=f"John Smith: {NARRATIVE}"))
    assert outcome.record["messages"][1]["content"].startswith("[NAME]:")


def test_no_phi_and_no_normalize_leave_text():
    text = f"John Smith  {NARRATIVE}"
    outcome = Preprocessor(scrub_phi=False, normalize=False).process_example(
        raw(narrative=text, description=DESC)
    )
    assert outcome.record["messages"][1]["content"] == text
    assert outcome.changed == ()


def test_normalize_counts_and_lowercase_option():
    outcome = pre(lowercase=True).process_example(
        raw(
            narrative="  COPD   Pt with type 2 diabetes , no complications.",
            description="  Type 2 DM  ",
        )
    )
    assert (
        outcome.record["messages"][1]["content"]
        == "copd pt with type 2 diabetes, no complications."
    )
    assert (
        outcome.record["messages"][2]["content"] == "ICD10: E11.9 (Type 2 DM)"
    )  # description keeps case
    assert "normalize" in outcome.changed


# ----------------------------------------------------------------------------- stage-format input
def test_stage_1_record_passes_through_standardised():
    example = build_stage_1_example(
        NARRATIVE, "ICD10", "E11.9", None, id="s1", metadata={"specialty": "endo"}
    )
    example["messages"][2]["content"] = "icd10:  e119"
    outcome = pre().process_example(example)
    assert outcome.input_format == "stage_1"
    assert outcome.record["id"] == "s1"
    assert outcome.record["messages"][0] == example["messages"][0]
    assert outcome.record["messages"][2]["content"] == format_answer("ICD10", "E11.9", DESC)
    assert outcome.record["metadata"]["specialty"] == "endo"
    assert outcome.changed == ("code",)
    assert example["messages"][2]["content"] == "icd10:  e119"  # input not mutated


def test_canonical_stage_2_record_is_unchanged_apart_from_metadata():
    example = build_stage_2_example(NARRATIVE, REASONING, "ICD10", "E11.9", DESC)
    outcome = pre().process_example(example)
    assert outcome.input_format == "stage_2" and outcome.changed == ()
    assert outcome.record["messages"] == example["messages"]
    assert set(outcome.record["metadata"]) == {"code_type", "quality_score"}


def test_stage_3_record():
    chosen = format_reasoned_answer(REASONING, "ICD10", "E11.9", DESC)
    example = build_stage_3_example(NARRATIVE, chosen, "icd10: e11.8")
    outcome = pre().process_example(example)
    assert outcome.input_format == "stage_3"
    assert outcome.record["rejected"][0]["content"] == "ICD10: E11.8"
    assert outcome.record["chosen"][0]["content"] == chosen
    assert DataQualityChecker(skip=["phi"]).check_example(outcome.record, 3).passed


@pytest.mark.parametrize(
    ("chosen", "rejected", "step", "fragment"),
    [
        (
            format_answer("ICD10", "E11.9", DESC),
            format_answer("ICD10", "E11.9", DESC),
            "code",
            "identical to chosen",
        ),
        (
            format_answer("ICD10", "E11.9", DESC),
            "CPT: E11.9",
            "code",
            "rejected: CPT code 'E11.9' is malformed",
        ),
        (format_answer("ICD10", "E11.999"), "ICD10: E11.9", "code", "E11.999"),
        ("no answer", "ICD10: E11.9", "code", "chosen: no 'CODE_TYPE: CODE' answer"),
    ],
)
def test_stage_3_removals(chosen, rejected, step, fragment):
    outcome = pre().process_example(build_stage_3_example(NARRATIVE, chosen, rejected))
    assert (outcome.step, outcome.kept) == (step, False)
    assert fragment in outcome.reason


def test_incomplete_stage_records_are_parse_rejects():
    assert (
        pre().process_example({"messages": [{"role": "user", "content": NARRATIVE}]}).step
        == "parse"
    )
    assert pre().process_example({"prompt": [], "chosen": [], "rejected": []}).step == "parse"


def test_min_quality_removes_low_scores():
    outcome = pre(min_quality=0.99).process_example(raw(narrative="T2DM x1 x1 x1 9 9 9 9 9"))
    assert outcome.step == "quality" and "below 0.99" in outcome.reason


def test_invalid_settings():
    with pytest.raises(DataError, match="length bounds"):
        Preprocessor(min_length=50, max_length=10)
    with pytest.raises(DataError, match="min_quality"):
        Preprocessor(min_quality=2)


def test_record_from_raw():
    example = record_from_raw({"narrative": NARRATIVE, "code": "e119", "code_type": "ICD10"})
    assert parse_answer(example["messages"][2]["content"]).code == "E11.9"
    assert example["metadata"] == {"code_type": "ICD10"}
    # Without validation an unknown code is converted as is (the checker reports it).
    assert "E11.999" in record_from_raw(raw(code="E11.999"))["messages"][2]["content"]
    with pytest.raises(DataError, match="cannot convert raw record"):
        record_from_raw({"narrative": NARRATIVE})


# ----------------------------------------------------------------------------- files
def test_process_file_accounts_for_every_record(tmp_path):
    src = tmp_path / "raw.jsonl"
    lines = [
        json.dumps(raw(id="a", narrative=f"John Smith, {NARRATIVE}")),
        "{broken json",
        json.dumps(raw(id="b", code="E11.999")),
        "",
        json.dumps(raw(id="c", narrative="short")),
        json.dumps(
            build_stage_1_example(
                "Office visit for an established patient with stable hypertension.", "CPT", "99213"
            )
        ),
        json.dumps(
            raw(id="d", narrative="Paciente de 58 años con diabetes tipo 2 sin complicaciones.")
        ),
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "clean" / "clean.jsonl"
    summary = pre().process_file(src, out)
    assert summary.total == 6 == summary.written + summary.rejected
    assert (summary.written, summary.rejected) == (2, 4)
    written = [json.loads(x) for x in out.read_text().splitlines()]
    rejects = [json.loads(x) for x in default_rejects_path(out).read_text().splitlines()]
    assert len(written) == summary.written and len(rejects) == summary.rejected
    assert [(r["line"], r["step"]) for r in rejects] == [
        (2, "parse"),
        (3, "code"),
        (5, "length"),
        (7, "language"),
    ]
    assert rejects[0]["record"] == "{broken json"
    assert rejects[1]["record"] == raw(id="b", code="E11.999")
    data = summary.to_dict()
    assert data["steps"]["phi"] == {"changed": 1, "removed": 0}
    assert sum(s["removed"] for s in data["steps"].values()) == summary.rejected
    assert list(data["steps"]) == list(STEPS)
    assert data["input_formats"] == {"invalid": 1, "raw": 4, "stage_1": 1}
    assert 0 < data["mean_quality"] <= 1
    assert sorted(p.name for p in out.parent.iterdir()) == ["clean.jsonl", "clean.rejects.jsonl"]


def test_preprocess_file_errors(tmp_path):
    with pytest.raises(DataError, match="input file not found"):
        preprocess_file(tmp_path / "none.jsonl", tmp_path / "o.jsonl", scrub_phi=False)
    same = tmp_path / "same.jsonl"
    same.write_text("{}\n")
    with pytest.raises(DataError, match="overwrite the input"):
        preprocess_file(same, same, scrub_phi=False)
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")  # a UTF-16 byte-order mark, then an odd byte count
    with pytest.raises(DataError, match="not valid UTF-16"):
        preprocess_file(binary, tmp_path / "o.jsonl", scrub_phi=False)
    assert not (tmp_path / "o.jsonl").exists()  # atomic: nothing half-written


def test_explicit_rejects_path_and_empty_summary(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n\n")
    summary = preprocess_file(src, tmp_path / "o.jsonl", tmp_path / "r.jsonl", scrub_phi=False)
    assert (summary.total, summary.mean_quality) == (0, None)
    assert Path(summary.rejects).read_text() == ""


# ----------------------------------------------------------------------------- language
def test_language_detection_single_and_batch():
    from thce.data.language import LanguageGuess, detect_language, detect_languages, english_score

    spanish = "Paciente de 58 años con diabetes tipo 2 sin complicaciones."
    single = detect_language(spanish)
    assert (single.language, single.is_english) == ("es", False)
    assert detect_language("12/34 5.6") == LanguageGuess("en", 0.0, 0.0, True)
    batch = detect_languages([NARRATIVE, spanish, "123"])
    assert [g.is_english for g in batch] == [True, False, True]
    assert batch[1].language == single.language
    assert batch[1].confidence == pytest.approx(single.confidence)
    assert detect_languages(["1", "2"]) == [LanguageGuess("en", 0.0, 0.0, True)] * 2
    assert english_score(batch[0]) == 1.0 and english_score(single) < 0.1
    # A stricter threshold keeps text whose foreign guess is not confident enough.
    assert detect_language(spanish, min_confidence=0.999).is_english
