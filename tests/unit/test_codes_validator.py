"""Validation, suggestions and batch validation (thce.codes.validator)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thce.codes import CodeValidator, ValidationResult, clear_cache
from thce.errors import CodeError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VALID = json.loads((FIXTURES / "valid_codes.json").read_text(encoding="utf-8"))["codes"]
INVALID = json.loads((FIXTURES / "invalid_codes.json").read_text(encoding="utf-8"))["codes"]


@pytest.fixture(autouse=True, scope="module")
def _no_imported_databases(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("THCE_HOME", str(tmp_path_factory.mktemp("home")))
    clear_cache()
    yield
    mp.undo()
    clear_cache()


@pytest.fixture(scope="module")
def validator():
    return CodeValidator()


def test_fixture_sizes():
    assert len(VALID) >= 100 and {r["code_type"] for r in VALID} == {"ICD10", "CPT", "HCPCS"}
    assert len(INVALID) >= 50 and all(r["reason"] for r in INVALID)


@pytest.mark.parametrize("case", VALID, ids=lambda c: f"{c['code_type']}-{c['code']}")
def test_valid_codes(validator, case):
    result = validator.validate(case["code"], case["code_type"])
    assert result.is_valid, result.error_message
    for key in ("code", "code_type", "description", "category", "billable", "parent_code"):
        assert getattr(result, key) == case[key], key
    # The same code in lower case and without its dot is found too.
    loose = validator.validate(case["code"].lower().replace(".", ""), case["code_type"])
    assert loose.is_valid and loose.code == case["code"]


@pytest.mark.parametrize("case", INVALID, ids=lambda c: f"{c['code_type']}-{c['code']!r}")
def test_invalid_codes(validator, case):
    result = validator.validate(case["code"], case["code_type"])
    assert not result.is_valid
    assert result.error_message
    if case["code_type"]:
        assert result.code_type == case["code_type"]
    if "suggestion" in case:
        assert result.suggestions[0] == case["suggestion"]
        assert case["suggestion"] in result.error_message


def test_invalid_code_type_raises(validator):
    with pytest.raises(CodeError, match="Unknown code type 'ICD9'"):
        validator.validate("E11.9", "ICD9")
    with pytest.raises(CodeError):
        validator.validate_batch(["E11.9"], "snomed")


def test_code_type_is_case_insensitive(validator):
    assert validator.validate("e11.9", "icd10").is_valid
    assert validator.validate("j1100", "hcpcs").code == "J1100"


def test_error_messages_match_the_issue(validator):
    assert (
        validator.validate("E11.99").error_message
        == "E11.99 is not an ICD-10-CM code; did you mean E11.9?"
    )
    header = validator.validate("E11")
    assert header.is_valid and header.billable is False
    assert header.error_message.startswith("ICD-10-CM E11 is a category header, not billable")
    assert header.suggestions[0] == "E11.9"  # header -> its billable children
    sub = validator.validate("E11.3")
    assert "subcategory header" in sub.error_message
    assert all(code.startswith("E11.3") for code in sub.suggestions)


def test_partial_sets_say_so(validator):
    message = validator.validate("99999", "CPT").error_message
    assert "bundled set" in message and "import-cpt" in message
    message = validator.validate("J9998", "HCPCS").error_message
    assert "bundled set" in message and "import-hcpcs" in message


def test_dual_system_strings_report_both(validator):
    result = validator.validate("A0100")
    assert result.is_valid
    assert [r.code_type for r in result.flatten()] == ["ICD10", "HCPCS"]
    assert [r.code for r in result.flatten()] == ["A01.00", "A0100"]
    assert result.alternatives[0].description.startswith("Non-emergency transportation")
    as_dict = result.to_dict()
    assert as_dict["alternatives"][0]["code_type"] == "HCPCS"
    # With the system named, only that system answers.
    assert validator.validate("A0100", "HCPCS").alternatives == []
    assert validator.validate("A0100", "ICD10").code == "A01.00"


def test_dual_format_valid_in_one_system_only(validator):
    result = validator.validate("J9035")  # HCPCS bevacizumab; J90.35 is no ICD-10-CM code
    assert result.is_valid and result.code_type == "HCPCS" and result.alternatives == []
    both_bad = validator.validate("V9999")
    assert not both_bad.is_valid and both_bad.code_type is None
    assert "ICD-10-CM" in both_bad.error_message and "HCPCS" in both_bad.error_message


def test_wrong_system_mentions_the_right_one(validator):
    message = validator.validate("E11.9", "HCPCS").error_message
    assert "not a well-formed HCPCS Level II code" in message
    assert "E11.9 is a valid ICD-10-CM code" in message


@pytest.mark.parametrize(
    ("code", "code_type", "expected"),
    [
        ("I1O", None, "I10"),  # letter O for zero
        ("E1l.9", "ICD10", "E11.9"),  # lower-case L for one
        ("J45.9O9", "ICD10", "J45.909"),
        ("S02.0A", "ICD10", "S02.0XXA"),  # missing 7th-character placeholders
        ("S020A", None, "S02.0XXA"),
        ("E11.99", None, "E11.9"),  # extra character
        ("E11.56", "ICD10", "E11.65"),  # transposition
        ("E1.19", None, "E11.9"),  # misplaced dot
        ("M54.9X", "ICD10", "M54.9"),
        ("99231X", None, "99231"),
        ("99213-25", None, "99213"),  # modifier attached
        ("E0610", "HCPCS", "E0601"),  # transposition in a partial set
        ("JI100", "HCPCS", "J1100"),
        ("Z99.999", "ICD10", "Z99.2"),
    ],
)
def test_suggestions(validator, code, code_type, expected):
    result = validator.validate(code, code_type)
    assert not result.is_valid
    assert result.suggestions[0] == expected
    assert len(result.suggestions) <= 5


def test_no_suggestion_for_nonsense(validator):
    result = validator.validate("hello")
    assert result.suggestions == []
    assert "not a well-formed ICD-10-CM, CPT or HCPCS code" in result.error_message


@pytest.mark.parametrize("value", ["", "   ", None, "\t\n"])
def test_empty_input(validator, value):
    result = validator.validate(value)
    assert not result.is_valid and result.code == "" and "Empty code" in result.error_message


def test_non_string_input(validator):
    assert validator.validate(99213).code == "99213"  # e.g. CPT read as an int from a CSV
    unhashable = validator.validate(["E11.9"])
    assert not unhashable.is_valid


def test_batch_matches_single_and_keeps_order(validator):
    codes = [c["code"] for c in VALID] + [c["code"] for c in INVALID] + ["E11.9", None]
    batch = CodeValidator().validate_batch(codes)
    single = [validator.validate(code) for code in codes]
    assert [r.to_dict() for r in batch] == [r.to_dict() for r in single]
    assert [r.input for r in batch[: len(VALID)]] == [c["code"] for c in VALID]


def test_batch_accepts_iterables_and_unhashables(validator):
    results = validator.validate_batch(code for code in ["E11.9", "I10"])
    assert [r.code for r in results] == ["E11.9", "I10"]
    mixed = validator.validate_batch(["E11.9", ["x"]])
    assert [r.is_valid for r in mixed] == [True, False]


def test_results_are_cached(validator):
    first = validator.validate("E11.9")
    assert validator.validate("E11.9") is first
    assert validator.validate_batch(["E11.9"])[0] is first
    validator.clear_cache()
    assert validator.validate("E11.9") is not first


def test_result_helpers(validator):
    result = validator.validate("I10")
    assert bool(result) and validator.is_valid("I10") and not validator.is_valid("I1O")
    data = result.to_dict()
    assert set(data) == {
        "is_valid",
        "code",
        "code_type",
        "description",
        "category",
        "billable",
        "parent_code",
        "error_message",
        "suggestions",
        "alternatives",
        "input",
    }
    assert json.loads(json.dumps(data)) == data
    assert isinstance(result, ValidationResult)
    assert validator.database("icd10") is validator.database("ICD10")


# -- lazy suggestions, Unicode, long inputs, bounded cache, validity in bulk (issue 14) -------------
GOLDEN = json.loads((FIXTURES / "validator_golden.json").read_text(encoding="utf-8"))["cases"]


def _answer(result):
    data = result.to_dict()
    answer = {key: data[key] for key in GOLDEN[0]["expected"] if key != "alternatives"}
    answer["alternatives"] = [f"{a.code_type} {a.code}" for a in result.alternatives]
    return answer


def test_lazy_suggestions_match_the_eager_validator():
    """Same messages and suggestions as before suggestions became lazy, single and batch."""
    assert len(GOLDEN) >= 250
    single = CodeValidator()
    for case in GOLDEN:
        assert _answer(single.validate(case["input"], case["code_type"])) == case["expected"]
    batch = CodeValidator()
    by_type: dict = {}
    for case in GOLDEN:
        by_type.setdefault(case["code_type"], []).append(case)
    for code_type, cases in by_type.items():
        # Twice over, so that the batch takes its exact-spelling path (> 64 distinct).
        results = batch.validate_batch([c["input"] for c in cases] * 2, code_type)
        for case, result in zip(cases, results, strict=False):
            assert _answer(result) == case["expected"], case["input"]


def test_suggestions_wait_until_read():
    validator = CodeValidator()
    results = validator.validate_batch(["E11.99", "E11", "E11.9"] * 30)
    typo, header, fine = results[:3]
    assert not typo.suggestions_computed and not header.suggestions_computed
    assert fine.suggestions_computed and fine.error_message is None
    assert typo.error_message == "E11.99 is not an ICD-10-CM code; did you mean E11.9?"
    assert typo.suggestions_computed and typo.suggestions[0] == "E11.9"
    assert header.suggestions[0] == "E11.9" and "category header" in header.error_message
    assert results[3] is typo  # the same string shares one result: computed once


def test_results_compare_and_pickle_with_their_suggestions():
    import pickle

    first, second = CodeValidator().validate("I1O"), CodeValidator().validate("I1O")
    assert first == second and first.suggestions[0] == "I10"
    copy = pickle.loads(pickle.dumps(CodeValidator().validate("E11.99")))
    assert copy.suggestions[0] == "E11.9" and copy.error_message.endswith("E11.9?")
    assert "ValidationResult(is_valid=False" in repr(copy)


def test_setting_lazy_fields_keeps_the_new_value():
    result = CodeValidator().validate("E11.99")
    result.suggestions = ["X"]
    assert result.suggestions == ["X"] and "did you mean E11.9" in result.error_message
    result.error_message = "custom"
    assert result.error_message == "custom"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Ｅ１１．９", "E11.9"),  # fullwidth, as typed with an East Asian input method
        ("E11．9", "E11.9"),  # fullwidth dot only (suggested E11 first before NFKC)
        ("\u200bE11.9\ufeff", "E11.9"),  # zero-width space and BOM pasted with the code
        ("e11.9\u00a0", "E11.9"),  # no-break space
        ("９９２１３", "99213"),
    ],
)
def test_unicode_inputs_are_normalised(validator, text, code):
    result = validator.validate(text)
    assert result.is_valid and result.code == code and result.input == text


def test_long_inputs_are_cut_in_messages(validator):
    result = validator.validate("E" * 10_000)
    assert not result.is_valid and len(result.code) == 10_000  # the data stays whole
    assert len(result.error_message) < 200 and "(10000 characters)" in result.error_message
    typed = validator.validate("9" * 10_000, "CPT")
    assert len(typed.error_message) < 300


def test_cache_is_bounded_and_keeps_answers_right():
    validator = CodeValidator(max_cache=100)
    codes = [f"E11.{i}" for i in range(10)] + [f"Z{i:02d}.{j}" for i in range(30) for j in range(9)]
    first = validator.validate_batch(codes)
    assert all(len(cache) <= 100 for cache in validator._caches.values())
    again = validator.validate_batch(codes)
    assert [r.to_dict() for r in again] == [r.to_dict() for r in first]
    for code in codes[:150]:
        validator.validate(code)
    assert len(validator._caches[None]) <= 100


def test_is_valid_batch_matches_validate(validator):
    cases = [c["input"] for c in GOLDEN] + [
        "e119",
        " E11.9 ",
        "Ｅ１１．９",
        "",
        None,
        99213,
        "A0100",
    ]
    expected = [CodeValidator().validate(c).is_valid for c in cases]
    assert CodeValidator().is_valid_batch(cases) == expected
    assert CodeValidator().is_valid_batch(["E11.9", "e119", "99213"], "ICD10") == [
        True,
        True,
        False,
    ]
    assert validator.is_valid_batch([["unhashable"], "E11.9"]) == [False, True]
    assert validator.is_valid_batch([]) == []


def test_every_database_code_is_well_formed():
    """Exact-spelling lookups and suggestions rely on it (importers enforce it too)."""
    from thce.codes import get_database
    from thce.codes.formats import FORMAT_RES

    for system in ("ICD10", "CPT", "HCPCS"):
        pattern = FORMAT_RES[system]
        assert all(pattern.match(code) for code in get_database(system).codes()), system
