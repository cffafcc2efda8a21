"""Baselines: registry, each baseline's behaviour, and the shipped keyword map."""

from __future__ import annotations

import re

import pytest

from thce.codes import CodeValidator
from thce.errors import EvaluationError
from thce.evaluation import baselines as b
from thce.evaluation.records import TestExample, split_label


def _ex(narrative: str, label: str, i: int = 0) -> TestExample:
    code_type, code = label.split(":")
    return TestExample(id=str(i), narrative=narrative, gold_type=code_type, gold_code=code)


TRAIN = [
    _ex("type 2 diabetes follow-up", "ICD10:E11.9", 1),
    _ex("diabetes again", "ICD10:E11.9", 2),
    _ex("office visit established patient", "CPT:99213", 3),
    _ex("dexamethasone 10 mg injected", "HCPCS:J1100", 4),
    _ex("hypertension", "ICD10:I10", 5),
    _ex("new patient visit", "CPT:99203", 6),
]


def test_registry_lists_and_rejects_unknown_names():
    assert b.list_baselines() == [
        "most_frequent",
        "random",
        "keyword",
        "rule_based",
        "bm25",
        "retrieval",
    ]
    assert isinstance(b.get_baseline("Rule-Based"), b.RuleBasedBaseline)
    with pytest.raises(
        EvaluationError,
        match=r"unknown baseline 'keywrd' \(did you mean 'keyword'\?\); valid baselines: most_frequent, random",
    ):
        b.get_baseline("keywrd")
    with pytest.raises(EvaluationError, match="valid baselines"):
        b.get_baseline("zzzzzz")


def test_most_frequent_ranks_by_frequency_and_needs_training_data():
    baseline = b.get_baseline("most_frequent", top_k=3).fit(TRAIN)
    assert (
        baseline.predict(["anything", _ex("x", "CPT:99213")])
        == [["ICD10:E11.9", "CPT:99213", "HCPCS:J1100"]] * 2
    )
    with pytest.raises(EvaluationError, match="needs training data"):
        b.get_baseline("most_frequent").predict(["x"])


def test_random_is_seeded_and_draws_training_codes():
    first = b.get_baseline("random", seed=7).fit(TRAIN).predict(["a", "b", "c"])
    again = b.get_baseline("random", seed=7).fit(TRAIN).predict(["a", "b", "c"])
    other = b.get_baseline("random", seed=8).fit(TRAIN).predict(["a", "b", "c"])
    assert first == again and first != other
    pool = {e.gold_label for e in TRAIN}
    assert all(len(row) == len(set(row)) == 5 and set(row) <= pool for row in first)
    one = b.get_baseline("random", seed=7).fit(TRAIN)
    assert one.predict_one("a") == one.predict_one("a") and set(one.predict_one("a")) <= pool


def test_keyword_matches_longest_phrase_first_and_respects_negation():
    assert b.keyword_matches("Type 2 diabetes with hyperglycemia, A1c 9.1")[0] == "ICD10:E11.65"
    assert b.keyword_matches("Hypertension, no chest pain, denies palpitations") == ["ICD10:I10"]
    assert b.keyword_matches("The patient has HTN.", code_type="CPT") == []
    assert b.keyword_matches("nothing to see") == []
    baseline = b.get_baseline("keyword").fit(TRAIN)
    assert baseline.predict(["Asthma flare"])[0][:2] == [
        "ICD10:J45.909",
        "ICD10:E11.9",
    ]  # fallback fills
    assert b.get_baseline("keyword").predict(["nothing"]) == [[]]  # no training data: no fallback


def test_shipped_keyword_map_codes_are_real():
    validator = CodeValidator()
    entries = b.load_keyword_map()
    assert len({e.label for e in entries}) >= 200
    invalid = [
        e.label for e in entries if not validator.validate(*reversed(split_label(e.label))).is_valid
    ]
    assert invalid == []


def test_rule_labels_are_real_codes():
    validator = CodeValidator()
    labels = [label for _, label in b._COMBINATION_RULES]
    labels += [f"CPT:{c}" for c in (*b._NEW_PATIENT, *b._ESTABLISHED, *b._ED_LEVELS.values())]
    assert [
        label for label in labels if not validator.validate(*reversed(split_label(label))).is_valid
    ] == []


@pytest.mark.parametrize(
    ("narrative", "expected"),
    [
        ("Established patient office visit, moderate complexity medical decision making.", "CPT"),
        ("Standard manual wheelchair supplied for home use.", "HCPCS"),
        ("Ceftriaxone 1 g administered intramuscularly; drug supplied by the clinic.", "HCPCS"),
        ("Diagnosed with essential hypertension.", "ICD10"),
        ("Nothing specific here.", "ICD10"),
    ],
)
def test_code_type_detection(narrative, expected):
    assert b.detect_narrative_code_type(narrative)[0] == expected


@pytest.mark.parametrize(
    ("narrative", "expected"),
    [
        (
            "New patient office visit, 47 minutes total time, moderate medical decision making.",
            "CPT:99204",
        ),
        ("Established patient seen for follow-up, 25 minutes spent.", "CPT:99213"),
        ("Established patient follow-up; high complexity medical decision making.", "CPT:99215"),
        ("Emergency department visit with low complexity medical decision making.", "CPT:99283"),
        ("Type 2 diabetes, uncontrolled with hyperglycemia, diagnosed today.", "ICD10:E11.65"),
        ("Type 2 diabetes with diabetic peripheral neuropathy diagnosed.", "ICD10:E11.42"),
        ("Osteoarthritis of the right knee diagnosed.", "ICD10:M17.11"),
        ("Colonoscopy performed; a polyp was removed by snare technique.", "CPT:45385"),
        ("Standard manual wheelchair supplied for home use.", "HCPCS:K0001"),
    ],
)
def test_rule_based_top_answer(narrative, expected):
    assert b.get_baseline("rule_based").fit(TRAIN).predict([narrative])[0][0] == expected


def test_rule_based_ignores_negated_findings_and_falls_back_within_type():
    ranked = (
        b.get_baseline("rule_based")
        .fit(TRAIN)
        .predict_one("Type 2 diabetes on metformin. Dilated eye exam without retinopathy.")
    )
    assert ranked[0] == "ICD10:E11.9" and "ICD10:E11.319" not in ranked
    fallback = b.get_baseline("rule_based").fit(TRAIN).predict_one("Unremarkable note.")
    assert fallback[0].startswith("ICD10:")  # frequent training codes of the detected type first
    assert b.affirmed(re.compile("pain"), "no pain. Severe pain now.")  # second mention counts


def test_em_rule_without_status_and_ed_defaults():
    assert b._em_rule("Patient with cough.") == []
    assert b._em_rule("Seen in the emergency department.")[0] == "CPT:99284"
    assert b._em_rule("New patient.")[:2] == ["CPT:99203", "CPT:99204"]


def test_retrieval_uses_the_hybrid_retriever_and_bm25_the_plain_search():
    baseline = b.get_baseline("retrieval", top_k=5)
    ranked = baseline.predict(["Type 2 diabetes mellitus with hyperglycemia"])[0]
    assert 1 <= len(ranked) <= 5 and ranked[0] == "ICD10:E11.65"
    # Both read BPPV; only the hybrid keeps to billable codes (the plain search ranks the
    # H81.1 header first, which can never be a right answer).
    note = "pt w/ BPPV, room spins when rolling over"
    hybrid = b.get_baseline("retrieval", top_k=3).predict([note])[0]
    assert hybrid and all(label.startswith("ICD10:H81.1") for label in hybrid)
    assert "ICD10:H81.1" not in hybrid
    assert b.get_baseline("bm25", top_k=5).predict([note])[0][0] == "ICD10:H81.1"
    everywhere = b.get_baseline("bm25", top_k=3, detect_type=False).predict(
        ["Standard manual wheelchair"]
    )[0]
    assert len(everywhere) == 3 and all(split_label(label)[0] for label in everywhere)
