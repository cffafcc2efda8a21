"""Target sampling: code-type weights, reproducibility, specialties, code pools."""

from __future__ import annotations

from collections import Counter

import pytest
from scipy.stats import chisquare

from thce.errors import GenerationError
from thce.generation.prompts import NOTE_STYLES
from thce.generation.sampling import (
    DEFAULT_WEIGHTS,
    TargetSampler,
    default_specialties,
    load_code_pool,
    parse_code_types,
    parse_specialties,
)

POOLS = {
    "ICD10": [("E11.9", "Type 2 diabetes"), ("I10", "Hypertension"), ("J45.909", "Asthma")],
    "CPT": [("99213", "Office visit"), ("71046", "Chest X-ray")],
    "HCPCS": [("J1100", "Dexamethasone injection"), ("E0114", "Crutches")],
}


def _sampler(weights=None, seed=7, specialties=None):
    return TargetSampler(
        weights, seed=seed, specialties=specialties, pool_loader=lambda t, p: POOLS[t]
    )


def test_default_distribution_is_40_30_30():
    assert parse_code_types(None) == DEFAULT_WEIGHTS
    sampler = _sampler()
    n = 20_000
    counts = Counter(sampler.sample().code_type for _ in range(n))
    observed = [counts["ICD10"], counts["CPT"], counts["HCPCS"]]
    expected = [0.4 * n, 0.3 * n, 0.3 * n]
    assert chisquare(observed, expected).pvalue > 0.001
    for got, want in zip(observed, expected, strict=True):
        assert abs(got - want) / n < 0.02


def test_restricted_types_are_renormalised():
    weights = parse_code_types("cpt, HCPCS")
    assert weights == pytest.approx({"CPT": 0.5, "HCPCS": 0.5})
    sampler = _sampler(weights)
    counts = Counter(sampler.sample().code_type for _ in range(4_000))
    assert set(counts) == {"CPT", "HCPCS"}
    assert chisquare([counts["CPT"], counts["HCPCS"]]).pvalue > 0.001


def test_explicit_weights_and_aliases():
    assert parse_code_types("ICD-10-CM=3,HCPCS=1") == {"ICD10": 0.75, "HCPCS": 0.25}
    assert parse_code_types(["ICD10"]) == {"ICD10": 1.0}
    assert parse_code_types({"CPT": 2, "ICD10": 2}) == {"ICD10": 0.5, "CPT": 0.5}


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("ICD9", "unknown code type"),
        ("", "empty"),
        ("CPT=x", "not a number"),
        ("CPT=0", "positive"),
    ],
)
def test_bad_code_types(spec, needle):
    with pytest.raises(GenerationError, match=needle):
        parse_code_types(spec)


def test_same_seed_same_targets_other_seed_differs():
    first = [_sampler(seed=3).sample() for _ in range(1)]
    a, b, c = _sampler(seed=3), _sampler(seed=3), _sampler(seed=4)
    seq_a = [a.sample() for _ in range(50)]
    assert seq_a == [b.sample() for _ in range(50)]
    assert seq_a != [c.sample() for _ in range(50)]
    assert first[0] == seq_a[0]


def test_codes_are_spread_over_the_pool():
    sampler = _sampler({"ICD10": 1.0})
    counts = Counter(sampler.sample().code for _ in range(3_000))
    assert set(counts) == {"E11.9", "I10", "J45.909"}
    assert chisquare(list(counts.values())).pvalue > 0.001


def test_specialties_by_code_or_from_user():
    sampler = _sampler({"ICD10": 1.0})
    for _ in range(50):
        target = sampler.sample()
        assert target.specialty in default_specialties("ICD10", target.code)
        assert target.note_style in NOTE_STYLES["ICD10"]
        assert target.description == dict(POOLS["ICD10"])[target.code]
    user = _sampler(specialties=("geriatrics", "sports medicine"))
    assert {user.sample().specialty for _ in range(100)} == {"geriatrics", "sports medicine"}


@pytest.mark.parametrize(
    ("code_type", "code", "expected"),
    [
        ("ICD10", "C50.911", "oncology"),
        ("ICD10", "D50.9", "hematology"),
        ("ICD10", "D03.9", "oncology"),
        ("ICD10", "H66.90", "otolaryngology"),
        ("ICD10", "H40.9", "ophthalmology"),
        ("CPT", "99213", "family medicine"),
        ("CPT", "45378", "gastroenterology"),
        ("CPT", "00142", "anesthesiology"),
        ("HCPCS", "J1100", "oncology"),
        ("HCPCS", "L3908", "orthopedics"),
        ("HCPCS", "S9999", "family medicine"),
    ],
)
def test_default_specialties(code_type, code, expected):
    assert expected in default_specialties(code_type, code)


def test_parse_specialties():
    assert parse_specialties(None) is None
    assert parse_specialties(" , ") is None
    assert parse_specialties("cardiology, cardiology,oncology") == ("cardiology", "oncology")


def test_real_pools_from_the_code_databases():
    icd = load_code_pool("ICD10", "common")
    assert 100 <= len(icd) <= 5_000
    assert all(description for _, description in icd)
    assert len(load_code_pool("ICD10", "all")) > 50_000
    cpt = dict(load_code_pool("CPT"))
    assert "99213" in cpt
    assert load_code_pool("HCPCS")
    with pytest.raises(GenerationError, match="code pool"):
        load_code_pool("CPT", "rare")


def test_real_sampler_draws_billable_database_codes():
    from thce.codes.database import get_database

    sampler = TargetSampler(seed=1)
    for _ in range(30):
        target = sampler.sample()
        database = get_database(target.code_type)
        assert database.is_billable(target.code)
        assert target.description == database.description(target.code)
