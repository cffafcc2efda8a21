"""Metrics: formulas, edge cases, scikit-learn agreement, CIs and significance tests."""

from __future__ import annotations

import json
import math
import random

import pytest

from thce.errors import EvaluationError
from thce.evaluation import metrics as m
from thce.evaluation.records import Prediction


def _pred(gold: str, pred: str | None, candidates=None, confidence=None, **kw) -> Prediction:
    gold_type, gold_code = gold.split(":")
    pred_type, pred_code = pred.split(":") if pred else (None, None)
    return Prediction(
        id=kw.pop("id", f"{gold}-{pred}"),
        gold_type=gold_type,
        gold_code=gold_code,
        pred_type=pred_type,
        pred_code=pred_code,
        candidates=candidates if candidates is not None else ([pred] if pred else []),
        raw_output=f"{pred_type}: {pred_code}" if pred else "no idea",
        reasoning=kw.pop("reasoning", None),
        confidence=confidence,
        well_formed=pred is not None,
        **kw,
    )


# ------------------------------------------------------------------ exact / top-k


def test_exact_match_basic_and_none_is_wrong():
    assert m.calculate_exact_match(
        ["ICD10:E11.9", None, "CPT:99213"], ["ICD10:E11.9", "ICD10:I10", "CPT:99214"]
    ) == pytest.approx(1 / 3)


def test_exact_match_edge_cases():
    assert m.calculate_exact_match([], []) == 0.0
    assert m.calculate_exact_match(["A:1", "A:2"], ["B:1", "B:2"]) == 0.0  # all wrong
    assert m.calculate_exact_match(["A:1"], ["A:1"]) == 1.0
    with pytest.raises(EvaluationError, match="differ in length"):
        m.calculate_exact_match(["A:1"], [])


def test_exact_match_needs_the_same_code_type():
    # A0100 exists as ICD-10-CM (A01.00 written without dot) and as HCPCS: different labels.
    assert m.calculate_exact_match(["ICD10:A0100"], ["HCPCS:A0100"]) == 0.0


def test_top_k_ranked_lists_and_duplicates():
    candidates = [["A:1", "A:2", "A:3"], ["A:9", "A:9", "A:9", "A:2"], [], ["A:5"]]
    golds = ["A:1", "A:2", "A:1", "A:4"]
    result = m.calculate_top_k_accuracy(candidates, golds, ks=(1, 2, 3))
    # Duplicates collapse: A:2 is rank 2 in the second list.
    assert result == {1: 0.25, 2: 0.5, 3: 0.5}


def test_top_k_monotone_in_k():
    rng = random.Random(1)
    labels = [f"A:{i}" for i in range(6)]
    candidates = [rng.sample(labels, 5) for _ in range(50)]
    golds = [rng.choice(labels) for _ in range(50)]
    result = m.calculate_top_k_accuracy(candidates, golds, ks=(1, 2, 3, 4, 5))
    values = [result[k] for k in (1, 2, 3, 4, 5)]
    assert values == sorted(values)


def test_top_k_ties_policies():
    candidates = [["A:1", "A:2", "A:3"]]
    scores = [[0.5, 0.5, 0.5]]
    gold = ["A:2"]
    assert m.calculate_top_k_accuracy(
        candidates, gold, ks=(1,), scores=scores, ties="optimistic"
    ) == {1: 1.0}
    assert m.calculate_top_k_accuracy(candidates, gold, ks=(1, 2), scores=scores, ties="order") == {
        1: 0.0,
        2: 1.0,
    }
    assert m.calculate_top_k_accuracy(
        candidates, gold, ks=(2, 3), scores=scores, ties="pessimistic"
    ) == {2: 0.0, 3: 1.0}
    # Scores re-rank: the list order is not used when scores differ.
    assert m.calculate_top_k_accuracy([["A:1", "A:2"]], ["A:2"], ks=(1,), scores=[[0.1, 0.9]]) == {
        1: 1.0
    }
    # A None / NaN score ranks last; a duplicate keeps its best score.
    assert m.calculate_top_k_accuracy(
        [["A:1", "A:2", "A:1"]], ["A:1"], ks=(1,), scores=[[None, 0.3, 0.8]]
    ) == {1: 1.0}
    assert m.calculate_top_k_accuracy([["A:1", "A:2"]], ["A:3"], ks=(1,), scores=[[0.1, 0.2]]) == {
        1: 0.0
    }


def test_top_k_rejects_bad_arguments():
    with pytest.raises(EvaluationError, match="tie policy"):
        m.calculate_top_k_accuracy([["A:1"]], ["A:1"], ties="random")
    with pytest.raises(EvaluationError, match=">= 1"):
        m.calculate_top_k_accuracy([["A:1"]], ["A:1"], ks=(0,))
    assert m.calculate_top_k_accuracy([], [], ks=(1, 3)) == {1: 0.0, 3: 0.0}


# ------------------------------------------------------------------ P/R/F1 vs scikit-learn


@pytest.mark.parametrize("seed", range(8))
def test_precision_recall_f1_matches_sklearn(seed):
    rng = random.Random(seed)
    labels = [f"ICD10:C{i}" for i in range(rng.randint(2, 9))]
    n = rng.randint(1, 60)
    golds = [rng.choice(labels) for _ in range(n)]
    preds = [rng.choice([*labels, "CPT:99999", None]) if rng.random() < 0.6 else g for g in golds]
    ours = m.calculate_precision_recall_f1(preds, golds)
    seen = sorted({*golds, *(p for p in preds if p is not None)})
    y_pred = [p if p is not None else "__none__" for p in preds]
    from sklearn.metrics import precision_recall_fscore_support  # slow import: on use

    for average in ("micro", "macro"):
        p, r, f, _ = precision_recall_fscore_support(
            golds, y_pred, labels=seen, average=average, zero_division=0
        )
        assert ours[average]["precision"] == pytest.approx(p)
        assert ours[average]["recall"] == pytest.approx(r)
        assert ours[average]["f1"] == pytest.approx(f)
    assert ours["n_classes"] == len(seen)


def test_precision_recall_f1_zero_division_and_empty():
    empty = m.calculate_precision_recall_f1([], [])
    assert empty["micro"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert empty["macro"]["f1"] == 0.0
    no_answers = m.calculate_precision_recall_f1([None, None], ["A:1", "A:2"])
    assert no_answers["micro"]["precision"] == 0.0  # 0/0 -> 0
    assert no_answers["micro"]["recall"] == 0.0
    perfect = m.calculate_precision_recall_f1(["A:1", "A:2"], ["A:1", "A:2"])
    assert perfect["micro"]["f1"] == perfect["macro"]["f1"] == 1.0


def test_micro_f1_equals_accuracy_without_missing_answers():
    preds, golds = ["A:1", "A:2", "A:3", "A:1"], ["A:1", "A:1", "A:3", "A:2"]
    assert m.micro_f1(preds, golds) == pytest.approx(m.calculate_exact_match(preds, golds))


# ------------------------------------------------------------------ breakdown, category, validity


def test_code_type_breakdown_groups_by_gold_type_including_unknown():
    preds = ["ICD10:E11.9", "CPT:99213", "ICD10:I10", "ICD10:E11.9"]
    golds = ["ICD10:E11.9", "CPT:99214", "CPT:99213", "SNOMED:44054006"]
    cands = [[p] for p in preds]
    breakdown = m.calculate_code_type_breakdown(preds, golds, cands)
    assert set(breakdown) == {"CPT", "ICD10", "SNOMED"}
    assert breakdown["ICD10"]["n"] == 1 and breakdown["ICD10"]["exact_match"] == 1.0
    assert breakdown["CPT"]["n"] == 2
    assert breakdown["CPT"]["exact_match"] == 0.0
    assert breakdown["CPT"]["category_match"] == 0.5  # 99213 vs 99214 share family 992
    assert breakdown["CPT"]["code_type_accuracy"] == 0.5
    assert breakdown["SNOMED"]["exact_match"] == 0.0
    assert breakdown["ICD10"]["top_k"]["1"] == 1.0
    assert m.calculate_code_type_breakdown([None], [None])["UNKNOWN"]["n"] == 1


def test_category_parent_and_partial_credit():
    assert m.same_category("ICD10:E11.65", "ICD10:E11.9")
    assert not m.same_category("CPT:E11.65", "ICD10:E11.65")
    assert not m.same_category(None, "ICD10:E11.9")
    # E11.65 and E11.69 share the parent E11.6 in the database; E11 is an ancestor of E11.9.
    assert m.same_parent("ICD10:E11.65", "ICD10:E11.69")
    assert m.same_parent("ICD10:E11", "ICD10:E11.9")
    assert not m.same_parent("ICD10:E11.65", "ICD10:E11.9")
    assert not m.same_parent("ICD10:I10", "CPT:I10")
    assert m.partial_credit("ICD10:E11.9", "ICD10:E11.9") == 1.0
    assert m.partial_credit("ICD10:E11.65", "ICD10:E11.69") == 0.5
    assert m.partial_credit("ICD10:E11.65", "ICD10:E11.9") == 0.25
    assert m.partial_credit("ICD10:I10", "ICD10:E11.9") == 0.0
    preds, golds = ["ICD10:E11.65", "ICD10:I10", None], ["ICD10:E11.9", "ICD10:I10", "ICD10:I10"]
    assert m.calculate_category_match(preds, golds) == pytest.approx(2 / 3)
    assert m.calculate_parent_match(preds, golds) == pytest.approx(1 / 3)
    assert m.calculate_partial_credit(preds, golds) == pytest.approx((0.25 + 1.0) / 3)
    assert (
        m.calculate_category_match([], [])
        == m.calculate_partial_credit([], [])
        == m.calculate_parent_match([], [])
        == 0.0
    )


def test_invalid_code_and_format_failure_rates():
    preds = ["ICD10:E11.9", "ICD10:E11.99", None, "CPT:ABCDE", "SNOMED:123"]
    assert m.calculate_invalid_code_rate(preds) == pytest.approx(3 / 5)
    assert m.calculate_invalid_code_rate(preds, is_valid=lambda label: True) == pytest.approx(0.0)
    assert m.calculate_invalid_code_rate([]) == 0.0
    assert m.calculate_format_failure_rate([True, False, False, True]) == 0.5
    assert m.calculate_format_failure_rate([]) == 0.0


def test_code_type_accuracy():
    assert m.calculate_code_type_accuracy(
        ["ICD10:I10", "CPT:1", None], ["ICD10:E11.9", "HCPCS:J1100", "CPT:1"]
    ) == pytest.approx(1 / 3)
    assert m.calculate_code_type_accuracy([], []) == 0.0


# ------------------------------------------------------------------ calibration


def test_calibration_perfect_and_overconfident():
    perfect = m.calculate_calibration([1.0, 1.0, 0.0, 0.0], [True, True, False, False])
    assert perfect["ece"] == pytest.approx(0.0)
    over = m.calculate_calibration([0.9] * 10, [True] * 5 + [False] * 5, n_bins=10)
    assert over["ece"] == pytest.approx(0.4)
    assert over["mce"] == pytest.approx(0.4)
    assert over["brier"] == pytest.approx((5 * 0.01 + 5 * 0.81) / 10)
    filled = [b for b in over["bins"] if b["n"]]
    assert (
        len(filled) == 1
        and filled[0]["accuracy"] == 0.5
        and filled[0]["lower"] == pytest.approx(0.8)
    )


def test_calibration_skips_missing_confidences():
    result = m.calculate_calibration([None, float("nan"), 0.5], [True, False, True])
    assert result["n"] == 1 and result["n_missing"] == 2
    empty = m.calculate_calibration([None], [True])
    assert empty["ece"] is None and empty["brier"] is None
    assert len(empty["bins"]) == 10


# ------------------------------------------------------------------ reasoning quality


def test_reasoning_quality_parts():
    narrative = "58 yo with type 2 diabetes, metformin, A1c 6.8%, no complications."
    good = m.reasoning_quality(
        "Type 2 diabetes on metformin without complications: E11.9.", True, narrative, "E11.9"
    )
    assert good == {
        "present": 1.0,
        "well_formed": 1.0,
        "evidence": 1.0,
        "consistent": 1.0,
        "score": 1.0,
    }
    inconsistent = m.reasoning_quality(
        "Diabetes on metformin, code E11.65 fits.", True, narrative, "E11.9"
    )
    assert inconsistent["consistent"] == 0.0
    no_evidence = m.reasoning_quality("The answer follows.", True, narrative, "E11.9")
    assert no_evidence["evidence"] == 0.0 and no_evidence["consistent"] == 1.0
    missing = m.reasoning_quality(None, False, narrative, "E11.9")
    assert missing["score"] == 0.0
    malformed = m.reasoning_quality("diabetes metformin complications", False, narrative, None)
    assert (
        malformed["well_formed"] == 0.0
        and malformed["consistent"] == 0.0
        and malformed["evidence"] == 1.0
    )


def test_codes_mentioned_skips_vitamin_b12_and_finds_codes():
    assert m.codes_mentioned("Vitamin B12 low; code D51.0 or 99213 or J1100") == {
        "D51.0",
        "99213",
        "J1100",
    }
    assert m.codes_mentioned(None) == set()
    assert "metformin" in m.content_words(
        "Metformin was continued"
    ) and "the" not in m.content_words("the")


def test_calculate_reasoning_quality_means():
    records = [
        _pred(
            "ICD10:E11.9",
            "ICD10:E11.9",
            reasoning="diabetes metformin complications",
            reasoning_well_formed=True,
            narrative="diabetes metformin complications",
            stage=2,
        ),
        _pred("ICD10:E11.9", "ICD10:E11.9", stage=2),
    ]
    result = m.calculate_reasoning_quality(records)
    assert result["present"] == 0.5 and result["score"] == 0.5
    assert m.calculate_reasoning_quality([])["score"] == 0.0


# ------------------------------------------------------------------ bootstrap and significance


def test_bootstrap_ci_contains_estimate_and_is_seeded():
    preds = ["A:1"] * 30 + [None] * 20
    golds = ["A:1"] * 50
    first = m.bootstrap_ci(m.calculate_exact_match, preds, golds, n_resamples=300, seed=3)
    again = m.bootstrap_ci(m.calculate_exact_match, preds, golds, n_resamples=300, seed=3)
    assert first == again
    assert first["low"] < 0.6 < first["high"]
    assert first["estimate"] == pytest.approx(0.6)
    assert first["low"] > 0.4 and first["high"] < 0.8
    assert m.bootstrap_ci(m.calculate_exact_match, [], [])["low"] == 0.0


def test_mcnemar_exact_and_chi2():
    a = [True] * 10 + [False] * 2 + [True] * 5
    b = [False] * 10 + [True] * 2 + [True] * 5
    exact = m.mcnemar_test(a, b)
    assert exact["method"] == "mcnemar-exact" and (exact["a_only"], exact["b_only"]) == (10, 2)
    from scipy.stats import binomtest

    assert exact["p_value"] == pytest.approx(binomtest(10, 12, 0.5).pvalue)
    chi2 = m.mcnemar_test(a, b, exact=False)
    assert chi2["statistic"] == pytest.approx((abs(10 - 2) - 1) ** 2 / 12)
    same = m.mcnemar_test([True, False], [True, False])
    assert same["p_value"] == 1.0
    big = m.mcnemar_test([True] * 40 + [False] * 10, [False] * 40 + [True] * 10)
    assert big["method"] == "mcnemar-chi2" and big["p_value"] < 0.001


def test_paired_permutation_and_bootstrap_tests():
    a = [1.0] * 30 + [0.0] * 10
    b = [0.0] * 30 + [0.0] * 10
    result = m.paired_permutation_test(a, b, n_resamples=2000)
    assert result["difference"] == pytest.approx(0.75) and result["p_value"] < 0.01
    assert m.paired_permutation_test([1.0, 0.0], [1.0, 0.0])["p_value"] == 1.0
    golds = [f"A:{i % 5}" for i in range(40)]
    good = list(golds)
    bad = ["A:9"] * 40
    boot = m.paired_bootstrap_test(m.macro_f1, good, bad, golds, n_resamples=200)
    assert boot["difference"] > 0 and boot["p_value"] < 0.05
    reverse = m.paired_bootstrap_test(m.macro_f1, bad, good, golds, n_resamples=200)
    assert reverse["difference"] < 0 and reverse["p_value"] < 0.05
    assert m.paired_bootstrap_test(m.macro_f1, good, good, golds)["p_value"] == 1.0


# ------------------------------------------------------------------ everything together


def test_compute_metrics_and_intervals():
    records = [
        _pred("ICD10:E11.9", "ICD10:E11.9", ["ICD10:E11.9", "ICD10:I10"], confidence=0.9, id="1"),
        _pred("ICD10:I10", "ICD10:E11.9", ["ICD10:E11.9", "ICD10:I10"], confidence=0.8, id="2"),
        _pred("CPT:99213", None, [], id="3"),
        _pred("HCPCS:J1100", "HCPCS:J8888", ["HCPCS:J8888"], confidence=0.2, id="4"),
    ]
    metrics = m.compute_metrics(records)
    assert metrics["exact_match"] == 0.25
    assert metrics["top_k"] == {"1": 0.25, "3": 0.5, "5": 0.5}
    assert metrics["format_failure_rate"] == 0.25
    assert metrics["invalid_code_rate"] == 0.25  # J8888 is not a real HCPCS code
    assert set(metrics["by_code_type"]) == {"CPT", "HCPCS", "ICD10"}
    assert metrics["calibration"]["n"] == 3
    assert "reasoning_quality" not in metrics
    assert "reasoning_quality" in m.compute_metrics(records, stage=2)
    intervals = m.compute_confidence_intervals(records, n_resamples=50)
    assert {
        "exact_match",
        "top_1",
        "top_3",
        "top_5",
        "macro_f1",
        "micro_f1",
        "category_match",
        "by_code_type",
    } <= set(intervals)
    json.dumps(metrics)  # report-ready
    assert not any(isinstance(v, float) and math.isnan(v) for v in metrics.values())


def test_compare_systems_pairs_by_id_and_requires_same_examples():
    a = [_pred("ICD10:I10", "ICD10:I10", id=str(i)) for i in range(20)]
    b = [_pred("ICD10:I10", "ICD10:E11.9", id=str(i)) for i in reversed(range(20))]
    result = m.compare_systems(a, b)
    assert result["exact_match"]["a"] == 1.0 and result["exact_match"]["b"] == 0.0
    assert result["exact_match"]["p_value"] < 0.001
    assert {"top_3", "category_match", "macro_f1"} <= set(result)
    with pytest.raises(EvaluationError, match="missing"):
        m.compare_systems(a, b[:5])


def test_calculate_all_metrics_from_files(tmp_path):
    examples = tmp_path / "test.jsonl"
    examples.write_text(
        json.dumps(
            {
                "id": "x1",
                "messages": [
                    {"role": "user", "content": "T2DM"},
                    {"role": "assistant", "content": "ICD10: E11.9"},
                ],
            }
        )
        + "\n",
        "utf-8",
    )
    preds = tmp_path / "predictions.jsonl"
    # The predictions file claims gold I10; the test file's E11.9 must win.
    row = {
        "id": "x1",
        "gold_type": "ICD10",
        "gold_code": "I10",
        "pred_type": "ICD10",
        "pred_code": "E11.9",
        "candidates": ["ICD10:E11.9"],
    }
    preds.write_text(json.dumps(row) + "\n", "utf-8")
    assert m.calculate_all_metrics(preds, examples)["exact_match"] == 1.0
    assert m.calculate_all_metrics(preds)["exact_match"] == 0.0
    row["id"] = "other"
    preds.write_text(json.dumps(row) + "\n", "utf-8")
    with pytest.raises(EvaluationError, match="has no example"):
        m.calculate_all_metrics(preds, examples)


def test_report_holds_top_k_only_for_the_k_a_system_ranked(tmp_path):
    """A greedy run (one candidate) must not present its top-1 hit rate as "top-3"."""
    from thce.evaluation.evaluate import finish_report

    greedy = [_pred("ICD10:E11.9", "ICD10:E11.9"), _pred("CPT:99213", "CPT:99214")]
    report = finish_report(
        greedy,
        tmp_path / "greedy",
        system="m",
        test_data="t",
        stage=1,
        top_k=1,
        plots=False,
        n_bootstrap=20,
    )
    assert set(report["metrics"]["top_k"]) == {"1"}

    ranked = [
        _pred("ICD10:E11.9", "ICD10:E11.8", candidates=["ICD10:E11.8", "ICD10:E11.9", "ICD10:I10"]),
        _pred("CPT:99213", "CPT:99214", candidates=["CPT:99214", "CPT:99215", "CPT:99212"]),
    ]
    report = finish_report(
        ranked,
        tmp_path / "ranked",
        system="m",
        test_data="t",
        stage=1,
        top_k=3,
        plots=False,
        n_bootstrap=20,
    )
    assert report["metrics"]["top_k"] == {"1": 0.0, "3": 0.5}
