"""Quality checker (thce.data.quality): every check, valid and invalid, and file handling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thce.data.formats import (
    build_stage_1_example,
    build_stage_2_example,
    build_stage_3_example,
    format_answer,
    format_reasoned_answer,
)
from thce.data.quality import (
    CHECK_NAMES,
    DataQualityChecker,
    QualityResult,
    check_example,
    check_file,
    classify_code,
    generate_report,
    narrative_hash,
    resolve_check_names,
    validate_stage,
)
from thce.errors import DataError

NARRATIVE = "58 yo with type 2 diabetes mellitus, no complications documented."
DESC = "Type 2 diabetes mellitus without complications"
REASONING = (
    "Type 2 diabetes is documented and no complication is mentioned, so the unspecified code fits."
)


def fake_phi(text: str) -> bool:
    """Stand-in PHI detector (the real one is exercised in the integration tests)."""
    return "John Smith" in text or "MRN" in text


def checker(**kwargs) -> DataQualityChecker:
    kwargs.setdefault("phi_detector", fake_phi)
    return DataQualityChecker(**kwargs)


def stage1(
    narrative: str = NARRATIVE,
    code_type: str = "ICD10",
    code: str = "E11.9",
    desc: str | None = DESC,
):
    return build_stage_1_example(narrative, code_type, code, desc)


def stage2(narrative: str = NARRATIVE, reasoning: str = REASONING, code: str = "E11.9"):
    return build_stage_2_example(narrative, reasoning, "ICD10", code, DESC)


def stage3(narrative: str = NARRATIVE, chosen: str | None = None, rejected: str | None = None):
    chosen = chosen or format_reasoned_answer(REASONING, "ICD10", "E11.9", DESC)
    rejected = rejected or format_reasoned_answer(
        REASONING, "ICD10", "E11.8", "Type 2 diabetes mellitus with unspecified complications"
    )
    return build_stage_3_example(narrative, chosen, rejected)


def failures(example, stage: int, **kwargs) -> dict[str, str]:
    return checker(**kwargs).check_example(example, stage).failures


def with_answer(example: dict, content: str) -> dict:
    example["messages"][-1]["content"] = content
    return example


# ----------------------------------------------------------------------------- valid examples
@pytest.mark.parametrize(
    ("example", "stage"),
    [
        (stage1(), 1),
        (stage1(code_type="CPT", code="99213", desc="Office visit, established patient"), 1),
        (
            stage1(
                code_type="HCPCS",
                code="J1100",
                desc="Injection, dexamethasone sodium phosphate, 1 mg",
            ),
            1,
        ),
        (stage1(desc=None), 1),
        (stage1(narrative="x" * 10), 1),
        (stage1(narrative="x" * 2000), 1),
        (stage2(), 2),
        (stage3(), 3),
        (stage3(rejected="ICD10: E11.8"), 3),  # rejected without reasoning is a valid pair
        (stage3(rejected=format_answer("CPT", "99213")), 3),  # wrong code type
        ({"id": 7, "metadata": {"specialty": "endocrinology"}, **stage1()}, 1),
        ({"messages": stage1()["messages"][1:]}, 1),  # no system message
    ],
)
def test_valid_examples_pass_every_check(example, stage):
    result = checker().check_example(example, stage)
    assert result.passed, result.failures
    assert result.to_dict() == {"line": None, "passed": True, "failures": {}}


# ----------------------------------------------------------------------------- schema
@pytest.mark.parametrize(
    ("example", "stage", "fragment"),
    [
        ({"text": NARRATIVE}, 1, "missing key 'messages'"),
        (stage3(), 1, "looks like a stage-3 record"),
        (stage1(), 3, "looks like a stage 1/2 record"),
        ({"messages": "hello"}, 2, "must be a list"),
        ({**stage3(), "chosen": "ICD10: E11.9"}, 3, "chosen must be a list"),
        ({**stage1(), "metadata": "x"}, 1, "'metadata' must be an object"),
        ({**stage1(), "id": [1]}, 1, "'id' must be a string or number"),
    ],
)
def test_schema_failures(example, stage, fragment):
    found = failures(example, stage)
    assert fragment in found["schema"]


def test_non_dict_example_is_schema_failure():
    result = checker().check_example(["not", "a", "dict"], 1)  # type: ignore[arg-type]
    assert list(result.failures) == ["schema"]
    assert "expected a JSON object" in result.failures["schema"]


# ----------------------------------------------------------------------------- message_structure
@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda m: m.reverse(), "roles are assistant/user/system"),
        (lambda m: m.pop(), "expected system/user/assistant or user/assistant"),
        (
            lambda m: m.append({"role": "assistant", "content": "ICD10: E11.9"}),
            "roles are system/user/assistant/assistant",
        ),
        (lambda m: m[1].pop("content"), "messages[1] has no content"),
        (lambda m: m[1].pop("role"), "messages[1] has no role"),
        (lambda m: m[2].update(content=["x"]), "messages[2].content must be a string"),
        (lambda m: m.__setitem__(0, "system"), "messages[0] is not an object"),
        (lambda m: m.clear(), "roles are empty"),
    ],
)
def test_message_structure_failures(mutate, fragment):
    example = stage1()
    mutate(example["messages"])
    assert fragment in failures(example, 1)["message_structure"]


def test_message_structure_stage_3():
    example = stage3()
    example["chosen"].append({"role": "assistant", "content": "again"})
    example["prompt"] = example["prompt"][::-1]
    reason = failures(example, 3)["message_structure"]
    assert (
        "prompt roles are user/system" in reason
        and "chosen roles are assistant/assistant" in reason
    )


# ----------------------------------------------------------------------------- empty_content
def test_empty_content():
    example = stage1()
    example["messages"][0]["content"] = "   "
    assert "messages[0] (system)" in failures(example, 1)["empty_content"]
    example = stage3()
    example["rejected"][0]["content"] = ""
    found = failures(example, 3)
    assert "rejected[0] (assistant)" in found["empty_content"]


# ----------------------------------------------------------------------------- code_format
@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        ("I think it is diabetes.", "no 'CODE_TYPE: CODE (description)' answer"),
        ("ICD10: 99213 (Office visit)", "ICD10 code '99213' is malformed"),
        ("CPT: E11.9", "CPT code 'E11.9' is malformed"),
        ("HCPCS: 99213", "HCPCS code '99213' is malformed"),
        (f"icd10: e11.9 ({DESC})", "not in canonical form"),
        (f"ICD10: E119 ({DESC})", "not in canonical form"),
        (f"ICD10: E11.9 ({DESC}). Done.", "not in canonical form"),
    ],
)
def test_code_format_failures(answer, fragment):
    found = failures(with_answer(stage1(), answer), 1)
    assert fragment in found["code_format"]
    assert "unknown_code" not in found


def test_code_format_stage_3_checks_both_answers():
    bad_rejected = stage3(rejected="ICD10: nonsense!")
    assert "rejected:" in failures(bad_rejected, 3)["code_format"]
    same = format_reasoned_answer(REASONING, "ICD10", "E11.9", DESC)
    assert "identical to chosen" in failures(stage3(chosen=same, rejected=same), 3)["code_format"]


# ----------------------------------------------------------------------------- unknown_code
def test_unknown_code_is_well_formed_but_not_in_database():
    found = failures(stage1(code="E11.999", desc="Made up"), 1)
    assert list(found) == ["unknown_code"]
    assert "E11.999" in found["unknown_code"] and "did you mean E11.9" in found["unknown_code"]
    found = failures(stage1(code_type="CPT", code="99999", desc="Made up"), 1)
    assert list(found) == ["unknown_code"]


def test_unknown_code_stage_3_only_for_chosen():
    rejected_unknown = stage3(rejected=format_answer("ICD10", "E11.999", "Near miss"))
    assert checker().check_example(rejected_unknown, 3).passed
    chosen_unknown = stage3(chosen=format_reasoned_answer(REASONING, "ICD10", "E11.999", "x"))
    assert "unknown_code" in failures(chosen_unknown, 3)


def test_classify_code():
    from thce.codes import CodeValidator

    validator = CodeValidator()
    assert classify_code("ICD10", "E11.9", validator) == ("valid", None)
    assert classify_code("ICD10", "E11.999", validator)[0] == "unknown"
    assert classify_code("CPT", "E11.9", validator)[0] == "malformed"
    assert classify_code(None, None, validator) == ("malformed", "no code")


# ----------------------------------------------------------------------------- reasoning_tags
@pytest.mark.parametrize(
    ("answer", "stage", "fragment"),
    [
        (format_reasoned_answer(REASONING, "ICD10", "E11.9", DESC), 1, "must not contain <think>"),
        (format_answer("ICD10", "E11.9", DESC), 2, "missing <think>"),
        (f"<think>\n{REASONING}\nICD10: E11.9 ({DESC})", 2, "exactly one"),
        (f"<think>a</think>\n<think>b</think>\nICD10: E11.9 ({DESC})", 2, "exactly one"),
        (f"ICD10: E11.9 ({DESC})\n<think>\n{REASONING}\n</think>", 2, "exactly one"),
        (f"<think>\n  \n</think>\nICD10: E11.9 ({DESC})", 2, "is empty"),
        (f"<think>\n{REASONING}\n</think>\n", 2, "no answer after </think>"),
    ],
)
def test_reasoning_tags_failures(answer, stage, fragment):
    example = stage1() if stage == 1 else stage2()
    assert fragment in failures(with_answer(example, answer), stage)["reasoning_tags"]


def test_reasoning_tags_stage_3():
    no_reasoning = stage3(chosen=format_answer("ICD10", "E11.9", DESC))
    assert "chosen: missing <think>" in failures(no_reasoning, 3)["reasoning_tags"]
    broken_rejected = stage3(rejected="<think>\nunclosed\nICD10: E11.8")
    assert "rejected: needs exactly one" in failures(broken_rejected, 3)["reasoning_tags"]


# ----------------------------------------------------------------------------- narrative_length
@pytest.mark.parametrize(("length", "fragment"), [(9, "minimum is 10"), (2001, "maximum is 2000")])
def test_narrative_length(length, fragment):
    assert fragment in failures(stage1(narrative="y" * length), 1)["narrative_length"]


def test_narrative_length_bounds_are_configurable():
    assert "maximum is 20" in failures(stage1(), 1, min_length=5, max_length=20)["narrative_length"]


# ----------------------------------------------------------------------------- phi
def test_phi_uses_detector_on_narrative_only():
    found = failures(
        stage1(narrative="John Smith, 58 yo, type 2 diabetes without complications."), 1
    )
    assert "PHI" in found["phi"]
    assert "phi" not in failures(with_answer(stage1(), f"ICD10: E11.9 ({DESC})"), 1)


def test_phi_defaults_to_phi_scrubber(monkeypatch):
    import thce.data.phi as phi_module

    class FakeScrubber:
        def has_phi(self, text: str) -> bool:
            return "Jane" in text

    monkeypatch.setattr(phi_module, "PHIScrubber", FakeScrubber, raising=False)
    plain = DataQualityChecker()
    assert (
        "phi"
        in plain.check_example(stage1(narrative="Jane is 58 with type 2 diabetes."), 1).failures
    )


# ----------------------------------------------------------------------------- duplicate
def test_duplicate_second_occurrence_fails_and_reset_forgets(tmp_path):
    chk = checker()
    assert chk.check_example(stage1(), 1, line=1).passed
    again = chk.check_example(
        stage1(narrative="  " + NARRATIVE.upper().replace(" ", "   ")), 1, line=5
    )
    assert again.failures == {"duplicate": "same narrative as line 1"}
    chk.reset()
    assert chk.check_example(stage1(), 1).passed
    assert "an earlier record" in chk.check_example(stage1(), 1).failures["duplicate"]


def test_narrative_hash_ignores_case_and_whitespace():
    assert narrative_hash("A  b\nC") == narrative_hash("a b c")
    assert narrative_hash("a b c") != narrative_hash("a b d")


# ----------------------------------------------------------------------------- registry & collection
def test_checks_collect_every_failure():
    example = stage1(narrative="MRN 12")
    example["messages"][-1]["content"] = "ICD10: 99213"
    example["messages"][0]["content"] = ""
    found = failures(example, 1)
    assert set(found) == {"empty_content", "code_format", "narrative_length", "phi"}


def test_select_and_skip_checks_by_name():
    example = stage1(narrative="MRN 12")
    assert set(failures(example, 1, skip=["phi"])) == {"narrative_length"}
    assert set(failures(example, 1, checks=["phi"])) == {"phi"}
    assert resolve_check_names(["duplicate", "schema"]) == ("schema", "duplicate")
    assert resolve_check_names(skip=["phi"]) == tuple(n for n in CHECK_NAMES if n != "phi")


def test_unknown_check_name_lists_valid_ones():
    with pytest.raises(
        DataError, match=r"unknown quality check.*nope.*valid checks: schema, message_structure"
    ):
        DataQualityChecker(checks=["nope"])
    with pytest.raises(DataError, match="typo"):
        DataQualityChecker(skip=["typo"])


@pytest.mark.parametrize("stage", [0, 4, "two", None])
def test_invalid_stage(stage):
    with pytest.raises(DataError, match="use 1, 2 or 3"):
        validate_stage(stage)


def test_module_level_helpers():
    assert check_example(stage1(), 1, phi_detector=fake_phi).passed
    assert not check_example(stage1(), 2, phi_detector=fake_phi).passed


# ----------------------------------------------------------------------------- files
def write_lines(path: Path, lines: list) -> Path:
    path.write_text(
        "".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines),
        encoding="utf-8",
    )
    return path


def test_check_file_reports_lines_and_goes_on_after_bad_json(tmp_path):
    path = write_lines(
        tmp_path / "data.jsonl",
        [
            stage1(),
            "{not json",
            "",
            stage1(narrative="short"),
            "[1, 2]",
            stage1(),
            stage1(narrative="Another 60 yo patient with type 2 diabetes and no complications."),
        ],
    )
    report = checker().check_file(path, 1)
    assert (report.total, report.passed, report.failed) == (6, 2, 4)
    data = report.to_dict()
    assert set(data) == {"file", "stage", "total", "passed", "failed", "checks"}
    assert list(data["checks"]) == list(CHECK_NAMES)
    assert data["checks"]["schema"] == {"failed": 2, "lines": [2, 5]}
    assert data["checks"]["narrative_length"] == {"failed": 1, "lines": [4]}
    assert data["checks"]["duplicate"] == {"failed": 1, "lines": [6]}
    assert data["checks"]["phi"] == {"failed": 0, "lines": []}
    assert not report.ok
    text = generate_report(report)
    assert (
        "total 6, passed 2, failed 4" in text and "schema             2 failed (lines 2, 5)" in text
    )
    assert "e.g. line 2: invalid JSON" in text


def test_check_file_rejects_hold_original_records_and_reasons(tmp_path):
    bad = stage1(narrative="short")
    path = write_lines(tmp_path / "data.jsonl", [stage1(), bad, "{oops"])
    rejects = tmp_path / "out" / "rejects.jsonl"
    report = check_file(path, 1, phi_detector=fake_phi, rejects_path=rejects)
    assert report.failed == 2
    rows = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert (
        rows[0]["line"] == 2
        and rows[0]["record"] == bad
        and "narrative_length" in rows[0]["reasons"]
    )
    assert rows[1] == {
        "line": 3,
        "record": "{oops",
        "reasons": {"schema": rows[1]["reasons"]["schema"]},
    }
    assert sorted(p.name for p in rejects.parent.iterdir()) == ["rejects.jsonl"]  # no temp files


def test_check_file_resets_duplicates_between_files(tmp_path):
    chk = checker()
    path = write_lines(tmp_path / "a.jsonl", [stage1()])
    assert chk.check_file(path, 1).ok
    assert chk.check_file(path, 1).ok


def test_check_file_errors(tmp_path):
    with pytest.raises(DataError, match="data file not found"):
        checker().check_file(tmp_path / "missing.jsonl", 1)
    binary = tmp_path / "bin.jsonl"  # a UTF-16 byte-order mark and two odd characters
    binary.write_bytes(b"\xff\xfe\x00bad")
    report = checker().check_file(binary, 1)
    assert report.failed == report.checks["schema"].failed == 1
    binary.write_bytes(b"\xff\xfe\x00")  # an odd number of UTF-16 bytes: not text at all
    with pytest.raises(DataError, match=r"not valid UTF-16.*UTF-8"):
        checker().check_file(binary, 1)


def test_max_lines_caps_stored_lines_not_counts(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", ["{bad"] * 5)
    report = checker(max_lines=2).check_file(path, 1)
    assert report.checks["schema"].failed == 5 and report.checks["schema"].lines == [1, 2]


def test_generate_report_from_results():
    text = generate_report([QualityResult(line=1), QualityResult(line=2, failures={"phi": "PHI"})])
    assert "total 2, passed 1, failed 1" in text and "phi                1 failed (lines 2)" in text


def test_files_are_checked_in_batches_with_one_phi_call_per_batch(tmp_path):
    calls: list[list[str]] = []

    def batch_detector(texts: list[str]) -> list[bool]:
        calls.append(texts)
        return [fake_phi(t) for t in texts]

    rows = [
        stage1(narrative=f"Patient {i} with type 2 diabetes mellitus, no complications.")
        for i in range(5)
    ]
    rows[3] = stage1(narrative="MRN 123 with type 2 diabetes mellitus, no complications.")
    path = write_lines(tmp_path / "d.jsonl", [*rows, "{bad"])
    chk = checker(phi_batch_detector=batch_detector, batch_size=4)
    report = chk.check_file(path, 1)
    assert [len(c) for c in calls] == [
        4,
        1,
    ]  # 6 lines in batches of 4; the bad line has no narrative
    assert report.checks["phi"].lines == [4] and report.checks["schema"].lines == [6]
    one_by_one = [checker().check_example(r, 1).failures.get("phi") is not None for r in rows]
    assert one_by_one == [False, False, False, True, False]
    results = list(
        checker(phi_batch_detector=batch_detector).check_records(
            [(1, rows[3], None), (2, None, "bad")], 1
        )
    )
    assert "phi" in results[0].failures and list(results[1].failures) == ["schema"]


def test_default_phi_batch_uses_find_batch(monkeypatch, tmp_path):
    import thce.data.phi as phi_module

    batches: list[int] = []

    class FakeScrubber:
        def has_phi(self, text: str) -> bool:
            raise AssertionError("file checks should use the batch path")

        def find_batch(self, texts: list[str]) -> list[list[str]]:
            batches.append(len(texts))
            return [["NAME"] if "Jane" in t else [] for t in texts]

    monkeypatch.setattr(phi_module, "PHIScrubber", FakeScrubber, raising=False)
    path = write_lines(
        tmp_path / "d.jsonl", [stage1(), stage1(narrative="Jane, 58, with type 2 diabetes.")]
    )
    report = DataQualityChecker().check_file(path, 1)
    assert batches == [2] and report.checks["phi"].lines == [2]
