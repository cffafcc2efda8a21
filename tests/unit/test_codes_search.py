"""BM25 search over code descriptions (thce.codes.bm25)."""

from __future__ import annotations

import time

import pytest

from thce.codes import SearchHit, clear_cache, search
from thce.codes.bm25 import BM25Index, get_index, stem, tokenize
from thce.errors import CodeError


@pytest.fixture(autouse=True, scope="module")
def _no_imported_databases(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("THCE_HOME", str(tmp_path_factory.mktemp("home")))
    clear_cache()
    yield
    mp.undo()
    clear_cache()


@pytest.mark.parametrize(
    ("query", "code_type", "expected"),
    [
        ("type 2 diabetes without complications", "ICD10", "E11.9"),
        ("essential hypertension", "ICD10", "I10"),
        ("pain in left knee", "ICD10", "M25.562"),
        ("acute cystitis without hematuria", "ICD10", "N30.00"),
        ("COPD with acute exacerbation", "ICD10", "J44.1"),
        ("screening mammogram both breasts", "CPT", "77067"),
        ("total knee replacement", "CPT", "27447"),
        ("ambulance basic life support emergency", "HCPCS", "A0429"),
        ("CPAP device", "HCPCS", "E0601"),
        ("folding walker with wheels", "HCPCS", "E0143"),
    ],
)
def test_search_finds_the_obvious_code(query, code_type, expected):
    hits = search(query, code_type=code_type, top_k=5)
    assert hits[0].code == expected, [(h.code, h.description) for h in hits]
    assert all(h.code_type == code_type for h in hits)


def test_long_narratives_work_as_queries():
    narrative = (
        "45-year-old woman presents with burning on urination and urinary frequency for "
        "3 days. Denies fever or flank pain. Urinalysis positive for nitrites and leukocytes, "
        "no blood. Assessment: acute cystitis without hematuria. Plan: nitrofurantoin."
    )
    assert search(narrative, "ICD10", top_k=3)[0].code == "N30.00"
    # Abbreviations are expanded in queries: HTN -> hypertension.
    assert search("essential HTN", "ICD10", top_k=1)[0].code == "I10"
    assert search("pt w/ T2DM, no complications", "ICD10", top_k=1)[0].code == "E11.9"


def test_search_across_all_systems_and_ranking():
    hits = search("dexamethasone injection", top_k=10)
    assert {"J1100", "J1094"} <= {h.code for h in hits}
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    assert isinstance(hits[0], SearchHit)
    assert set(hits[0].to_dict()) == {"code", "code_type", "description", "score", "billable"}


def test_top_k_and_billable_only():
    assert len(search("diabetes", "ICD10", top_k=3)) == 3
    assert search("diabetes", "ICD10", top_k=0) == []
    hits = search("type 2 diabetes mellitus", "ICD10", top_k=20, billable_only=True)
    assert hits and all(h.billable for h in hits)


@pytest.mark.parametrize("query", ["", "   ", "the and of", "zzzqqq"])
def test_empty_or_unmatched_queries_give_nothing(query):
    assert search(query) == []


def test_bad_arguments():
    with pytest.raises(CodeError):
        search("diabetes", code_type="SNOMED")
    with pytest.raises(CodeError, match="top_k"):
        search("diabetes", top_k=-1)


def test_tokenizer():
    assert tokenize("Fractures of the femur, initial encounter") == [
        "fractur",
        "femur",
        "initial",
        "encounter",
    ]
    assert "2" in tokenize("type 2 diabetes")  # single digits are kept
    assert {"htn", "hypertension", "copd", "obstructiv"} <= set(
        tokenize("HTN and COPD", expand=True)
    )
    assert "nausea" in tokenize("n/v for two days", expand=True)
    assert stem("injuries") == "injury" and stem("glass") == "glass" and stem("is") == "is"


def test_index_is_cached_and_fast():
    index = get_index("ICD10")
    assert get_index("icd10") is index
    assert len(index) > 98_000
    started = time.perf_counter()
    for _ in range(10):
        search("acute myocardial infarction of anterior wall", "ICD10", top_k=10)
    assert (time.perf_counter() - started) / 10 < 0.1


def test_index_over_a_small_database():
    from thce.codes import get_database

    index = BM25Index([get_database("CPT")])
    hits = index.search("influenza vaccine", top_k=3)
    assert hits and all("nfluenza" in h.description for h in hits)
    assert index.search("influenza vaccine", top_k=3, code_type="HCPCS") == []
