"""Loading and querying the code databases (thce.codes.database)."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from thce.codes import CodeDatabase, clear_cache, common_codes, database_path, get_database
from thce.codes.database import load_database_file, user_database_dir
from thce.codes.formats import CPT_RE, HCPCS_RE, cpt_category, hcpcs_category
from thce.errors import CodeError
from thce.resources import shipped_path


@pytest.fixture
def thce_home(tmp_path, monkeypatch):
    """An empty THCE home, so no imported full database is picked up."""
    monkeypatch.setenv("THCE_HOME", str(tmp_path / "home"))
    clear_cache()
    yield tmp_path / "home"
    clear_cache()


def test_icd10_database_is_the_full_release(thce_home):
    db = get_database("icd10")
    assert isinstance(db, CodeDatabase)
    assert db.is_full and db.is_official
    assert len(db) == db.metadata["total_codes"] > 98_000
    assert len(db.billable_codes()) == db.metadata["billable_codes"] > 74_000
    for key in ("version", "total_codes", "last_updated", "source"):
        assert db.metadata[key]
    assert get_database("ICD10") is db  # cached


def test_icd10_record_has_the_seed_schema(thce_home):
    db = get_database("ICD10")
    record = db.get("e119")
    assert record == {
        "code": "E11.9",
        "description": "Type 2 diabetes mellitus without complications",
        "category": "E11",
        "billable": True,
        "parent_code": "E11",
        "common": True,
        "block": "E08-E13",
        "chapter": "4",
    }
    header = db.get("E11")
    assert header["billable"] is False and header["parent_code"] is None
    assert db.get("E11.99") is None
    assert "E11.9" in db and "e119" in db and "E11.99" not in db and 42 not in db


def test_icd10_hierarchy(thce_home):
    db = get_database("ICD10")
    assert db.category_of("E11.65") == "E11"
    assert db.category_of("E11.99") == "E11"  # unknown codes still have a category
    assert db.parent_of("E11.65") == "E11.6"
    assert db.parent_of("S02.0XXA") == "S02.0"  # placeholder X's are not codes
    assert db.parent_of("E11") is None
    assert db.parent_of("nope") is None
    assert db.children_of("E11")[:3] == ["E11.0", "E11.1", "E11.2"]
    assert "E11.9" in db.children_of("E11")
    assert db.children_of("E11.9") == []
    descendants = db.billable_descendants("E11")
    assert descendants[0] == "E11.9"  # common, shortest, unspecified first
    assert all(db.is_billable(code) for code in descendants)
    assert db.billable_descendants("E11", limit=3) == descendants[:3]
    assert db.block_of("E11.9") == ("E08-E13", "Diabetes mellitus (E08-E13)")
    assert db.chapter_of("E11.9")[0] == "4"
    assert db.chapter_of("ZZZ") is None and db.block_of("ZZZ") is None
    assert db.get("QA0.0")["parent_code"] == "QA0"  # FY2026 category breaking the pattern
    assert db.get("B20")["billable"] is True  # a category that is its own block


def test_icd10_common_codes_are_billable(thce_home):
    common = common_codes("ICD10")
    assert 450 <= len(common) <= 550
    db = get_database("ICD10")
    assert all(db.is_billable(code) and db.is_common(code) for code in common)
    assert {"E11.9", "I10", "J06.9", "Z00.00"} <= set(common)


@pytest.mark.parametrize(
    ("code_type", "pattern", "category", "minimum"),
    [("CPT", CPT_RE, cpt_category, 200), ("HCPCS", HCPCS_RE, hcpcs_category, 300)],
)
def test_curated_files_are_consistent(code_type, pattern, category, minimum):
    path = shipped_path("code_databases", f"{code_type.lower()}.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    records = data["records"]
    assert data["metadata"]["total_codes"] == len(records) >= minimum
    assert data["metadata"]["official"] is False and data["metadata"]["complete"] is False
    codes = [r["code"] for r in records]
    assert codes == sorted(set(codes)), "records must be unique and sorted by code"
    for record in records:
        assert set(record) == {
            "code",
            "description",
            "category",
            "billable",
            "parent_code",
            "common",
        }
        assert pattern.match(record["code"]), record
        assert record["category"] == category(record["code"]), record
        assert record["billable"] is True and record["common"] is True
        assert len(record["description"]) >= 5
    # One record per line, so diffs of the hand-curated files stay readable.
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(records) + 5


def test_curated_hcpcs_covers_the_required_sections():
    letters = {code[0] for code in get_database("HCPCS").codes()}
    assert {"A", "E", "G", "J", "K", "L", "Q"} <= letters


def test_cpt_descriptions_are_marked_unofficial(thce_home):
    db = get_database("CPT")
    assert not db.is_full and not db.is_official
    assert "unofficial" in db.metadata["source"] or "own" in db.metadata["source"]
    assert "American Medical Association" in db.metadata["license"]
    assert db.get("99213")["category"] == "Evaluation and Management"
    assert db.parent_of("99213") is None and db.children_of("99213") == []
    assert db.block_of("99213") is None


def test_get_database_rejects_bad_types():
    with pytest.raises(CodeError, match="Unknown code type"):
        get_database("SNOMED")
    with pytest.raises(CodeError, match="code type is required"):
        get_database(None)


def _write_columns(path, codes, descriptions, billable, **extra):
    data = {
        "metadata": {"version": "test", "complete": True, "official": True},
        "columns": {
            "code": "\n".join(codes),
            "description": "\n".join(descriptions),
            "billable": billable,
        },
        **extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(data, handle)


def test_imported_full_file_takes_precedence_and_borrows_common_flags(thce_home):
    assert database_path("HCPCS") == shipped_path("code_databases", "hcpcs.json")
    target = user_database_dir() / "hcpcs_full.json.gz"
    _write_columns(
        target,
        ["A0428", "J1100", "G0202"],
        ["BLS trip", "Dexamethasone", "Old mammography"],
        "111",
        termination_dates={"G0202": "20171231"},
    )
    db = get_database("HCPCS")
    assert database_path("HCPCS") == target
    assert db.is_full and len(db) == 3
    assert db.is_common("J1100")  # flag borrowed from the shipped curated list
    assert db.get("G0202")["termination_date"] == "20171231"
    assert not db.is_billable("G0202") and db.billable_codes() == ["A0428", "J1100"]
    assert [c for c, _, _ in db.current_entries()] == ["A0428", "J1100"]
    assert db.get("A0428")["category"] == hcpcs_category("A0428")


def test_rewritten_file_is_reloaded(thce_home):
    target = user_database_dir() / "cpt_full.json.gz"
    _write_columns(target, ["99213"], ["one"], "1")
    first = get_database("CPT")
    _write_columns(target, ["99213", "99214"], ["one", "two"], "11")
    import os

    os.utime(target, ns=(1, first.source.stat().st_mtime_ns + 10**9))
    assert len(get_database("CPT")) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "unreadable"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"metadata": {}}', "malformed"),
        (
            b'{"columns": {"code": "A\\nB", "description": "x", "billable": "11"}}',
            "differ in length",
        ),
        (b'{"records": [{"description": "no code"}]}', "malformed"),
    ],
)
def test_broken_files_raise_code_error(tmp_path, content, message):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(CodeError, match=message):
        load_database_file(path, "CPT")


def test_missing_file_raises_code_error(tmp_path):
    with pytest.raises(CodeError, match="missing"):
        load_database_file(tmp_path / "nope.json.gz", "ICD10")


def test_records_iterates_seed_records(thce_home):
    records = list(get_database("HCPCS").records())
    assert len(records) == len(get_database("HCPCS"))
    assert all(re.match(r"^[A-V]\d{4}$", r["code"]) for r in records)
    assert get_database("HCPCS").descriptions()[0] == records[0]["description"]
    assert repr(get_database("CPT")).startswith("CodeDatabase(CPT")


def test_large_databases_are_cached_for_the_next_process(tmp_path, monkeypatch):
    """A marshal copy under $THCE_HOME/cache makes the next load ~4x faster; same data."""
    from thce.codes import db_cache
    from thce.codes.database import _read_json
    from thce.resources import shipped_path

    monkeypatch.setenv("THCE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("THCE_CACHE_DIR", raising=False)
    source = shipped_path("code_databases", "icd10cm.json.gz")
    first = _read_json(source)
    copy = db_cache.cached_path(source)
    assert copy is not None and copy.is_file() and copy.is_relative_to(tmp_path)
    assert _read_json(source) == first == db_cache.load(source)
    copy.write_bytes(b"damaged")
    assert db_cache.load(source) is None and _read_json(source) == first  # falls back
    stale = copy.with_name(copy.name.replace(".marshal", "0.marshal"))
    stale.write_bytes(b"old version")
    db_cache.save(source, first)
    assert not stale.exists() and copy.is_file()
    assert db_cache.cached_path(shipped_path("code_databases", "cpt.json")) is None  # small


def test_text_lookups_before_the_index_give_the_same_entries():
    """A fresh ICD-10-CM database answers its first lookups from the column text."""
    from thce.codes.database import load_database_file
    from thce.resources import shipped_path

    path = shipped_path("code_databases", "icd10cm.json.gz")
    lazy, indexed = load_database_file(path, "ICD10"), load_database_file(path, "ICD10")
    indexed.has_code("E11.9")  # builds the index
    codes = list(indexed.codes())
    probes = [codes[0], codes[-1], "E11.9", "S02.0XXA", "E11", "E11.99", "A00.0\nA00.1", "QA0"]
    for code in probes * 4:  # more than the text-lookup budget: both paths are exercised
        assert lazy.entry(code) == indexed.entry(code), code
    assert lazy._index_dict is not None  # switched to the index once the budget ran out
