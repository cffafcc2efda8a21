"""The model chooses among candidates (thce.evaluation.choice) — on a tiny random model."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from thce.data.formats import CandidateLine, parse_answer  # noqa: E402
from thce.evaluation.choice import ChoiceEngine, rank_prior, render_choice_prompt  # noqa: E402
from thce.models import build_tiny_model  # noqa: E402

CANDIDATES = [
    CandidateLine("ICD10", "E11.9", "Type 2 diabetes mellitus without complications"),
    CandidateLine("ICD10", "E11.65", "Type 2 diabetes mellitus with hyperglycemia"),
    CandidateLine("CPT", "99213", "Office visit, established patient, low complexity"),
    CandidateLine("HCPCS", "J1100", "Injection, dexamethasone sodium phosphate, 1 mg"),
]
NARRATIVES = [
    "58 yo with type 2 diabetes, no complications.",
    "A much longer narrative about an established patient seen in the office for several "
    "chronic problems, each discussed in detail, which makes its prompt longer.",
    "Dexamethasone 10 mg IM.",
]


@pytest.fixture(scope="module")
def tiny():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small ops on a busy 2-core VM (see test_evaluation_constrained.py)
    yield build_tiny_model(seed=3)
    torch.set_num_threads(threads)


def naive_scores(model, tokenizer, narrative, candidates, texts):
    """Each continuation's mean log-probability per token from its own full sequence: the
    slow reference for the batched tree-mask scoring."""
    prompt = render_choice_prompt(tokenizer, narrative, candidates, 1)
    ids = tokenizer(prompt, add_special_tokens=False, return_tensors="pt")["input_ids"]
    scores = []
    with torch.inference_mode():
        for text in texts:
            cont = tokenizer(text, add_special_tokens=False)["input_ids"]
            full = torch.cat([ids, torch.tensor([cont])], dim=1)
            logprobs = model(full).logits[0].float().log_softmax(-1)
            start = ids.shape[1] - 1
            total = sum(float(logprobs[start + k, cont[k]]) for k in range(len(cont)))
            scores.append(total / len(cont))
    return scores


def test_batched_tree_scoring_equals_one_sequence_per_candidate(tiny):
    model, tokenizer = tiny
    engine = ChoiceEngine(model, tokenizer, stage=1)
    lists = [CANDIDATES, CANDIDATES[:2], CANDIDATES[1:]]
    batched = engine.score_batch(NARRATIVES, lists)  # left-padded batch of three
    for narrative, candidates, (reasons, scores) in zip(NARRATIVES, lists, batched, strict=True):
        assert reasons == [None] * len(candidates)  # stage 1: the code alone is scored
        texts = [f"{c.code_type}: {c.code}" for c in candidates]
        expected = naive_scores(model, tokenizer, narrative, candidates, texts)
        assert scores == pytest.approx(expected, abs=1e-3)


def test_answers_are_always_candidates_with_database_descriptions(tiny):
    model, tokenizer = tiny
    engine = ChoiceEngine(model, tokenizer, stage=1)
    results = engine.choose(NARRATIVES * 3, [CANDIDATES] * 9, batch_size=4)
    labels = {c.label for c in CANDIDATES}
    for result in results:
        parsed = parse_answer(result.text)
        assert f"{parsed.code_type}:{parsed.code}" in labels
        assert parsed.description in {c.description for c in CANDIDATES}
        assert result.candidates[0] == f"{parsed.code_type}:{parsed.code}"
        assert sorted(result.candidates) == sorted(labels)
        assert 0.0 < result.confidence <= 1.0


def test_fusion_weight_moves_the_choice_towards_retrieval_order(tiny):
    model, tokenizer = tiny
    trust_retriever = ChoiceEngine(model, tokenizer, stage=1, fusion_weight=1000.0)
    for result in trust_retriever.choose(NARRATIVES, [CANDIDATES] * 3):
        assert result.candidates[0] == CANDIDATES[0].label
    assert rank_prior(1) == 0.0 and rank_prior(2) < rank_prior(1)


def test_empty_candidate_list_gives_no_answer(tiny):
    model, tokenizer = tiny
    result = ChoiceEngine(model, tokenizer, stage=1).choose(["x"], [[]])[0]
    assert result.text == "" and result.candidates == []


def test_reasoning_stages_score_whole_reasoned_answers(tiny):
    model, tokenizer = tiny
    engine = ChoiceEngine(model, tokenizer, stage=2)
    texts, reasons = engine.continuations(NARRATIVES[0], CANDIDATES)
    assert all(
        t.startswith("<think>\n") and t.endswith(f"{c.code_type}: {c.code}")
        for t, c in zip(texts, CANDIDATES, strict=True)
    )
    assert all(r and f"{c.code} fits" in r for r, c in zip(reasons, CANDIDATES, strict=True))
    results = engine.choose(NARRATIVES[:2], [CANDIDATES, CANDIDATES])
    for result in results:
        parsed = parse_answer(result.text)
        assert result.text.startswith("<think>\n") and parsed.reasoning_well_formed
        label = f"{parsed.code_type}:{parsed.code}"
        assert label in {c.label for c in CANDIDATES}
        # The reasoning shown is the winner's own: it names the chosen code.
        assert f"{parsed.code} fits" in parsed.reasoning
