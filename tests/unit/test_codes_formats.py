"""Code-system names, format rules and normalisation (thce.codes.formats)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thce.codes import CODE_TYPES, detect_code_type, matches_format, normalize_code, parse_code_type
from thce.codes.formats import clean_code, cpt_category, hcpcs_category, icd10_category
from thce.errors import CodeError


@pytest.mark.parametrize(
    ("raw", "code_type", "expected"),
    [
        ("e119", None, "E11.9"),
        (" E11.9 ", None, "E11.9"),
        ("e11.9", "icd10", "E11.9"),
        ("E 11 9", None, "E11.9"),
        ("E11.", None, "E11"),
        ("s72001a", None, "S72.001A"),
        ("qa00", None, "QA0.0"),
        ("a0100", None, "A0100"),  # also HCPCS: no dot without a system
        ("a0100", "ICD10", "A01.00"),
        ("A01.00", None, "A01.00"),
        ("j1100", "HCPCS", "J1100"),
        ("3044f", None, "3044F"),
        ("99213", "cpt", "99213"),
        ("hello", None, "HELLO"),
        ("", None, ""),
    ],
)
def test_normalize_code(raw, code_type, expected):
    assert normalize_code(raw, code_type) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("E11.9", ["ICD10"]),
        ("e119", ["ICD10"]),
        ("QA0.0", ["ICD10"]),
        ("U07.1", ["ICD10"]),
        ("99213", ["CPT"]),
        ("0001U", ["CPT"]),
        ("3044F", ["CPT"]),
        ("J1100", ["ICD10", "HCPCS"]),  # J11.00 without its dot, and a HCPCS drug code
        ("A0100", ["ICD10", "HCPCS"]),
        ("W1234", ["ICD10"]),  # HCPCS letters stop at V
        ("I1O", []),
        ("", []),
        ("E11..9", []),
    ],
)
def test_detect_code_type(code, expected):
    assert detect_code_type(code) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ICD10", "ICD10"),
        ("icd-10-cm", "ICD10"),
        ("ICD 10", "ICD10"),
        ("cpt", "CPT"),
        ("CPT-4", "CPT"),
        ("hcpcs", "HCPCS"),
        ("HCPCS Level II", "HCPCS"),
        (None, None),
    ],
)
def test_parse_code_type(value, expected):
    assert parse_code_type(value) == expected


@pytest.mark.parametrize("value", ["icd9", "SNOMED", "", "LOINC"])
def test_parse_code_type_rejects_unknown_names(value):
    with pytest.raises(CodeError, match="valid code types: ICD10, CPT, HCPCS"):
        parse_code_type(value)


def test_matches_format_per_system():
    assert matches_format("E11.9", "ICD10")
    assert not matches_format("E11.9", "CPT")
    assert matches_format("99213", "CPT")
    assert matches_format("J1100", "HCPCS")
    assert not matches_format("Z1234", "HCPCS")
    assert matches_format("QA0.0", "ICD10")


def test_categories():
    assert icd10_category("e119") == "E11"
    assert cpt_category("99213") == "Evaluation and Management"
    assert cpt_category("00142") == "Anesthesia"
    assert cpt_category("27447") == "Surgery"
    assert cpt_category("71046") == "Radiology"
    assert cpt_category("80053") == "Pathology and Laboratory"
    assert cpt_category("90471") == "Medicine"
    assert cpt_category("3044F").startswith("Category II")
    assert cpt_category("0042T").startswith("Category III")
    assert cpt_category("00099") == "Unknown"
    assert cpt_category("ABCDE") == "Unknown"
    assert hcpcs_category("A0428") == "Transportation services including ambulance"
    assert hcpcs_category("J9035") == "Chemotherapy drugs"
    assert hcpcs_category("L5301") == "Prosthetic procedures and devices"
    assert hcpcs_category("E0601") == "Durable medical equipment"
    assert hcpcs_category("V5261") == "Hearing services"
    assert hcpcs_category("W0000") == "Unknown"


def test_clean_code_strips_whitespace_case_and_trailing_dot():
    assert clean_code("  e11.9.\t") == "E11.9"
    assert clean_code("j 1100") == "J1100"


_CODEISH = st.text(alphabet="ABEIJOQSZaeijoqsz0123456789. -", max_size=12)


@given(
    raw=st.one_of(_CODEISH, st.text(max_size=12)), code_type=st.sampled_from([None, *CODE_TYPES])
)
def test_normalize_code_is_idempotent(raw, code_type):
    once = normalize_code(raw, code_type)
    assert normalize_code(once, code_type) == once


@given(raw=_CODEISH)
def test_normalized_code_keeps_its_detected_systems(raw):
    # Normalising never makes a string valid for a system it did not fit before.
    assert set(detect_code_type(normalize_code(raw))) <= set(detect_code_type(raw)) | {"ICD10"}
