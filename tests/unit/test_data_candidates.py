"""Candidates in examples (thce.data.candidates) and the candidate format (thce.data.formats)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from thce.codes.retrieval import Candidate, RetrievalConfig
from thce.data.candidates import arrange, closest_rival, explain_choice, with_candidates
from thce.data.formats import (
    CANDIDATE_SYSTEM_PROMPTS,
    CandidateLine,
    build_stage_1_example,
    get_answer_text,
    get_candidates,
    get_gold,
    get_narrative,
    grade,
    parse_answer,
    render_candidates,
    split_candidates,
)

GOLD = CandidateLine("ICD10", "M17.12", "Unilateral primary osteoarthritis, left knee")
RIGHT = CandidateLine("ICD10", "M17.11", "Unilateral primary osteoarthritis, right knee")
OTHERS = [CandidateLine("CPT", f"2744{i}", f"Knee procedure {i}") for i in range(7)]


def example(narrative="67F, L knee OA, worse on stairs", line=GOLD):
    return build_stage_1_example(narrative, line.code_type, line.code, line.description, id="x")


def fake_retrieved(lines: list[CandidateLine]) -> list[Candidate]:
    return [Candidate(c.code_type, c.code, c.description, 1.0, i + 1) for i, c in enumerate(lines)]


def test_candidate_format_round_trips_through_parse_and_grade():
    lines = [RIGHT, GOLD, *OTHERS[:2]]
    content = render_candidates("67F, L knee OA", lines)
    narrative, parsed = split_candidates(content)
    assert narrative == "67F, L knee OA"
    assert parsed == lines
    record = build_stage_1_example(
        "67F, L knee OA", "ICD10", "M17.12", GOLD.description, candidates=lines
    )
    assert record["messages"][0]["content"] == CANDIDATE_SYSTEM_PROMPTS[1]
    assert get_narrative(record) == "67F, L knee OA" and get_candidates(record) == lines
    gold = get_gold(record)
    assert (gold.code_type, gold.code, gold.description) == ("ICD10", "M17.12", GOLD.description)
    assert grade(parse_answer(GOLD.line()), gold).exact
    assert not grade(parse_answer(RIGHT.line()), gold).exact
    assert split_candidates("plain narrative") == ("plain narrative", [])


def test_training_inserts_a_missed_gold_uniformly_and_shuffles():
    config = RetrievalConfig(k=8)
    positions = Counter()
    for seed in range(400):
        lines, rank = arrange([*list(OTHERS), RIGHT], GOLD, random.Random(seed), config)
        assert rank is None and len(lines) == 8 and lines.count(GOLD) == 1
        positions[lines.index(GOLD)] += 1
    assert set(positions) == set(range(8))
    assert max(positions.values()) < 2.5 * min(positions.values())  # no favoured position


def test_evaluation_never_inserts_the_gold():
    retrieved = [fake_retrieved([RIGHT, *OTHERS])]
    out = with_candidates(
        [example()], RetrievalConfig(k=8), 1, training=False, retrieved=retrieved
    )[0]
    assert GOLD not in get_candidates(out)
    assert get_candidates(out) == [RIGHT, *OTHERS]  # retrieval order kept
    assert out["metadata"]["retrieval"] == {"gold_rank": None, "k": 8}
    trained = with_candidates(
        [example()], RetrievalConfig(k=8), 1, training=True, retrieved=retrieved
    )[0]
    assert GOLD in get_candidates(trained) and trained["metadata"]["retrieval"]["gold_rank"] is None


def test_retrieved_gold_keeps_its_rank_in_metadata():
    retrieved = [fake_retrieved([RIGHT, GOLD, *OTHERS[:3]])]
    out = with_candidates([example()], RetrievalConfig(k=5), 1, training=True, retrieved=retrieved)[
        0
    ]
    assert out["metadata"]["retrieval"]["gold_rank"] == 2
    assert sorted(c.code for c in get_candidates(out)) == sorted(
        c.code for c in [RIGHT, GOLD, *OTHERS[:3]]
    )


def test_closest_rival_prefers_a_sibling_and_reasoning_names_the_axis():
    assert closest_rival(GOLD, [*OTHERS, RIGHT, GOLD]) == RIGHT
    reasoning = explain_choice("67F, L knee OA, worse on stairs", GOLD, [RIGHT, GOLD])
    assert "M17.12 fits" in reasoning and "M17.11 differs in side (right)" in reasoning
    assert "left" in reasoning and "osteoarthritis" in reasoning
    assert explain_choice("knee OA", GOLD, [GOLD]).endswith("M17.12 fits.")


@pytest.mark.parametrize("stage", [2, 3])
def test_stage_2_reasoning_and_stage_3_near_miss_pairs(stage):
    retrieved = [fake_retrieved([RIGHT, GOLD, *OTHERS[:3]])]
    out = with_candidates(
        [example()], RetrievalConfig(k=5), stage, training=True, retrieved=retrieved
    )[0]
    chosen = parse_answer(get_answer_text(out))
    assert chosen.reasoning_well_formed and chosen.code == "M17.12"
    assert "M17.11 differs in side" in chosen.reasoning
    if stage == 3:
        rejected = parse_answer(get_answer_text(out, "rejected"))
        assert rejected.code == "M17.11" and rejected.reasoning_well_formed
        assert out["metadata"]["mistake"] == "near_miss"


def test_hand_written_reasoning_and_pairs_are_kept():
    reasoned = {
        "messages": [
            {"role": "system", "content": "x"},
            {"role": "user", "content": "67F, L knee OA"},
            {"role": "assistant", "content": f"<think>\nHand written.\n</think>\n{GOLD.line()}"},
        ]
    }
    retrieved = [fake_retrieved([RIGHT, GOLD])]
    out = with_candidates([reasoned], RetrievalConfig(k=2), 2, training=False, retrieved=retrieved)[
        0
    ]
    assert parse_answer(get_answer_text(out)).reasoning == "Hand written."
    pair = {
        "prompt": [{"role": "user", "content": "67F, L knee OA"}],
        "chosen": [{"role": "assistant", "content": f"<think>\nA.\n</think>\n{GOLD.line()}"}],
        "rejected": [{"role": "assistant", "content": f"<think>\nB.\n</think>\n{RIGHT.line()}"}],
    }
    out = with_candidates([pair], RetrievalConfig(k=2), 3, training=False, retrieved=retrieved)[0]
    assert parse_answer(get_answer_text(out, "rejected")).reasoning == "B."
    assert get_candidates(out) == [RIGHT, GOLD]
