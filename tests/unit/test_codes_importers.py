"""Importing a CMS HCPCS ANWEB file and a licensed CPT CSV (thce.codes.importers)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from thce.codes import CodeValidator, clear_cache, get_database, search
from thce.codes.importers import import_cpt_csv, import_hcpcs_anweb, parse_hcpcs_anweb
from thce.errors import CodeError

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "hcpcs_anweb_sample.txt"


@pytest.fixture
def thce_home(tmp_path, monkeypatch):
    monkeypatch.setenv("THCE_HOME", str(tmp_path / "home"))
    clear_cache()
    yield tmp_path / "home"
    clear_cache()


def test_fixture_has_the_cms_layout():
    raw = SAMPLE.read_bytes()
    assert b"\r\n" in raw  # CRLF line ends
    assert b"\xae" in raw  # a Latin-1 character (the registered sign)
    records = [line for line in raw.split(b"\r\n") if line[:1] not in (b"*", b"\t", b"\xa0", b"")]
    assert any(len(line) == 320 for line in records)


def test_parse_hcpcs_anweb():
    data, report = parse_hcpcs_anweb(SAMPLE, today=dt.date(2026, 1, 1))
    codes = data["columns"]["code"].split("\n")
    descriptions = dict(zip(codes, data["columns"]["description"].split("\n"), strict=True))
    assert codes == ["A0428", "A9280", "E0601", "G0202", "J1100", "J9999", "K0553"]
    # Continuation records (id 4) are joined onto the first line's description.
    assert descriptions["E0601"].endswith("needed for home use by the patient")
    assert "\u00e9" in descriptions["J1100"] and "\u00ae" in descriptions["J1100"]  # Latin-1
    assert data["termination_dates"] == {"G0202": "20171231", "J9999": "20991231"}
    assert report.current == 6 and report.terminated == 1  # J9999 ends in the future
    assert data["modifiers"]["25"].endswith("on the day of a procedure")  # ids 7 and 8
    assert set(data["modifiers"]) == {"25", "JW"}
    assert report.skipped_lines == 3  # the disclaimer lines
    reasons = {r["value"]: r["reason"] for r in report.rejects}
    assert reasons == {
        "L1833": "continuation line without a preceding first line",
        "99213": "not a HCPCS Level II code",
        "Q4081": "record is 200 characters, expected 320",
    }
    assert data["metadata"]["complete"] is True and data["metadata"]["total_codes"] == 7


def test_import_hcpcs_then_validation_and_search_use_it(thce_home):
    validator = CodeValidator()
    before = validator.validate("A9280", "HCPCS")
    assert not before.is_valid and "bundled set" in before.error_message
    report = import_hcpcs_anweb(SAMPLE)
    assert report.output == thce_home / "code_databases" / "hcpcs_full.json.gz"
    assert report.rejects_path.exists()
    rejects = [json.loads(line) for line in report.rejects_path.read_text().splitlines()]
    assert {r["line"] for r in rejects} == {r["line"] for r in report.rejects}
    assert "Imported 7 HCPCS codes (6 current, 1 terminated)" in report.summary()
    assert report.to_dict()["rejected"] == 3

    db = get_database("HCPCS")
    assert db.is_full and len(db) == 7 and db.is_common("J1100")
    fresh = CodeValidator()
    assert fresh.validate("A9280", "HCPCS").is_valid
    assert not db.is_common("A9280")
    terminated = fresh.validate("G0202", "HCPCS")
    assert not terminated.is_valid
    assert terminated.error_message == (
        "HCPCS Level II G0202 was terminated on 2017-12-31 and is not a current code"
    )
    assert terminated.description.startswith("Screening mammography")
    assert "not in THCE's bundled set" not in fresh.validate("J9998", "HCPCS").error_message
    assert search("continuous positive airway pressure", "HCPCS")[0].code == "E0601"
    assert search("screening mammography digital", "HCPCS") == []  # terminated: not searched


def test_import_to_an_explicit_output(tmp_path, thce_home):
    target = tmp_path / "elsewhere" / "h.json.gz"
    report = import_hcpcs_anweb(SAMPLE, target)
    assert report.output == target and target.exists()
    assert json.loads(gzip.decompress(target.read_bytes()))["metadata"]["code_type"] == "HCPCS"


def test_hcpcs_import_rejects_other_files(tmp_path):
    wrong = tmp_path / "codes.csv"
    wrong.write_text("code,description\n99213,visit\n")
    with pytest.raises(CodeError, match="No HCPCS records found"):
        import_hcpcs_anweb(wrong)
    with pytest.raises(CodeError, match="does not exist"):
        import_hcpcs_anweb(tmp_path / "missing.txt")


@pytest.mark.parametrize(
    "content",
    [
        "code,description\n99213,Office visit, established\n0001U,A lab test\n",
        "CPT Code\tLong Description\n99213\tOffice visit, established\n0001U\tA lab test\n",
        "99213|Office visit, established\n0001U|A lab test\n",
    ],
)
def test_import_cpt_csv_formats(thce_home, tmp_path, content):
    path = tmp_path / "cpt.txt"
    path.write_text(content, encoding="utf-8")
    report = import_cpt_csv(path)
    assert report.codes == 2 and not report.rejects
    db = get_database("CPT")
    assert db.is_full and db.is_official and db.get("0001U")["description"] == "A lab test"
    assert db.is_common("99213")  # borrowed from the curated list
    assert not CodeValidator().validate("99214", "CPT").is_valid  # the user's file is the truth


def test_import_cpt_csv_rejects_bad_rows(thce_home, tmp_path):
    path = tmp_path / "cpt.csv"
    path.write_text(
        "code,description\n99213,Visit\nABCDE,Bad code\n99213,Duplicate\n99214,\n99215\n\n",
        encoding="utf-8",
    )
    report = import_cpt_csv(path)
    assert report.codes == 1
    assert [r["reason"].split(" ")[0] for r in report.rejects] == [
        "not",
        "duplicate",
        "empty",
        "missing",
    ]
    assert report.rejects_path.name == "cpt_full.rejects.jsonl"
    assert "rejected 4 lines" in report.summary()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("name,text\nfoo,bar\n", "cannot find the code and description columns"),
        ("code,description\nXYZ,bad\n", "no valid CPT rows"),
    ],
)
def test_import_cpt_csv_errors(tmp_path, content, message):
    path = tmp_path / "cpt.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CodeError, match=message):
        import_cpt_csv(path)
