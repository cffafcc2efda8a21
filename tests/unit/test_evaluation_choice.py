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


def naive_narrative_scores(model, tokenizer, narrative, candidates, limit):
    """The note's mean log-probability per token after each candidate's prefix, one full
    unpadded sequence at a time: the reference for the padded, chunked scoring."""
    from thce.data.formats import narrative_prefix

    note = tokenizer(narrative, add_special_tokens=False)["input_ids"][:limit]
    scores = []
    with torch.inference_mode():
        for cand in candidates:
            head = tokenizer(narrative_prefix(cand), add_special_tokens=False)["input_ids"]
            logprobs = model(torch.tensor([head + note])).logits[0].float().log_softmax(-1)
            total = sum(float(logprobs[len(head) - 1 + k, note[k]]) for k in range(len(note)))
            scores.append(total / len(note))
    return scores


def test_narrative_scores_equal_one_unpadded_sequence_per_candidate(tiny):
    model, tokenizer = tiny
    engine = ChoiceEngine(model, tokenizer, stage=1)
    engine.sequences_per_pass = 3  # passes that cut across examples, with padding in each
    engine.max_narrative_tokens = 12  # the long narrative is cut
    lists = [CANDIDATES, CANDIDATES[:2], CANDIDATES[1:]]
    scored = engine.narrative_scores(NARRATIVES, lists)
    assert [len(s) for s in scored] == [4, 2, 3]
    for narrative, candidates, scores in zip(NARRATIVES, lists, scored, strict=True):
        expected = naive_narrative_scores(model, tokenizer, narrative, candidates, 12)
        assert scores == pytest.approx(expected, abs=1e-3)
    # The same candidate scores differently after different notes, and the list's order
    # does not move a candidate's score (each pair is read on its own).
    reordered = engine.narrative_scores(NARRATIVES[:1], [CANDIDATES[::-1]])[0]
    assert reordered[::-1] == pytest.approx(scored[0], abs=1e-3)


def test_narrative_weight_decides_and_answer_pass_is_skipped_at_weight_zero(tiny, monkeypatch):
    model, tokenizer = tiny
    engine = ChoiceEngine(model, tokenizer, stage=2, answer_weight=0.0, narrative_weight=1.0)

    def no_answer_pass(*args, **kwargs):
        raise AssertionError("the answer pass ran although its weight is 0")

    monkeypatch.setattr(engine, "score_batch", no_answer_pass)
    results = engine.choose(NARRATIVES, [CANDIDATES] * 3)
    notes = engine.narrative_scores(NARRATIVES, [CANDIDATES] * 3)
    for result, scores in zip(results, notes, strict=True):
        best = max(range(len(CANDIDATES)), key=scores.__getitem__)
        parsed = parse_answer(result.text)
        assert f"{parsed.code_type}:{parsed.code}" == CANDIDATES[best].label
        assert result.candidate_scores[0] == pytest.approx(scores[best], abs=1e-3)
        # Stage 2's reasoning is still written, for the winner.
        assert parsed.reasoning_well_formed and f"{parsed.code} fits" in parsed.reasoning


def test_weights_add_up_in_the_fused_score(tiny):
    model, tokenizer = tiny
    engine = ChoiceEngine(
        model, tokenizer, stage=1, fusion_weight=0.5, answer_weight=2.0, narrative_weight=3.0
    )
    answers = engine.score_batch(NARRATIVES[:1], [CANDIDATES])[0][1]
    notes = engine.narrative_scores(NARRATIVES[:1], [CANDIDATES])[0]
    expected = {
        c.label: 2.0 * a + 3.0 * t + 0.5 * rank_prior(k + 1)
        for k, (c, a, t) in enumerate(zip(CANDIDATES, answers, notes, strict=True))
    }
    result = engine.choose(NARRATIVES[:1], [CANDIDATES])[0]
    got = dict(zip(result.candidates, result.candidate_scores, strict=True))
    assert got == pytest.approx(expected, abs=1e-3)
    assert result.candidates[0] == max(expected, key=expected.get)
