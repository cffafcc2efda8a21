"""Batched inference on a tiny random model: prompts, ordering, batching, candidates, stages."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from thce.data.chat_templates import get_template  # noqa: E402
from thce.errors import EvaluationError  # noqa: E402
from thce.evaluation.constrained import CodeIndex  # noqa: E402
from thce.evaluation.evaluate import stage_from_model_dir, stage_from_tokenizer  # noqa: E402
from thce.evaluation.inference import (  # noqa: E402
    HFEngine,
    answer_token_span,
    check_vllm_available,
    render_prompt,
)
from thce.models import build_tiny_model  # noqa: E402

INDEXES = {
    "ICD10": CodeIndex(["E11.9", "E11.65", "I10", "J45.909"]),
    "CPT": CodeIndex(["99213", "99214"]),
    "HCPCS": CodeIndex(["J1100"]),
}
NARRATIVES = [
    "58 yo with type 2 diabetes.",
    "Office visit for an established patient with a much longer narrative than the others, "
    "discussing several chronic problems in detail.",
    "Dexamethasone 10 mg IM.",
    "Asthma.",
    "Hypertension follow-up.",
]


@pytest.fixture(scope="module")
def tiny():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # see test_evaluation_constrained.py
    yield build_tiny_model(seed=5)
    torch.set_num_threads(threads)


def test_render_prompt_uses_the_chat_template(tiny):
    _, tokenizer = tiny
    prompt = render_prompt(tokenizer, "T2DM", 1)
    assert (
        prompt.endswith("<|im_start|>assistant\n")
        and "T2DM" in prompt
        and "medical coding assistant" in prompt
    )
    saved = tokenizer.chat_template
    try:
        tokenizer.chat_template = (
            None  # no template: THCE's own stage template renders the same layout
        )
        assert "medical coding expert" in render_prompt(tokenizer, "T2DM", 2)
    finally:
        tokenizer.chat_template = saved


def test_answer_token_span():
    assert answer_token_span(
        ["IC", "D", "1", "0", ":", " E", "1", "1", ".", "9", " (", "Type"], 1
    ) == (0, 10)
    assert answer_token_span(
        ["<think>", "x", "</think>", "\n", "CPT", ":", " 9", "9", "<|im_end|>"], 2
    ) == (4, 8)
    assert answer_token_span(["<think>", "never closed"], 2) is None
    assert answer_token_span([], 1) is None


def test_batched_equals_one_at_a_time_and_keeps_order(tiny):
    model, tokenizer = tiny
    engine = HFEngine(
        model, tokenizer, stage=1, top_k=1, constrained=True, max_new_tokens=12, indexes=INDEXES
    )
    batched = engine.generate(NARRATIVES, batch_size=4, show_progress=False)
    single = [engine.generate([n], batch_size=1, show_progress=False)[0] for n in NARRATIVES]
    assert [r.text for r in batched] == [r.text for r in single]
    for a, b in zip(batched, single, strict=True):
        assert a.confidence == pytest.approx(b.confidence, rel=1e-3, abs=1e-9)
    assert all(r.candidates == [] for r in batched)  # top_k=1: no beam search


def test_constrained_top_k_candidates_are_valid_and_ranked(tiny):
    model, tokenizer = tiny
    engine = HFEngine(
        model, tokenizer, stage=1, top_k=3, constrained=True, max_new_tokens=12, indexes=INDEXES
    )
    calls = []
    results = engine.generate(
        NARRATIVES[:3], batch_size=2, show_progress=False, on_batch=calls.append
    )
    assert calls == [2, 1]
    for result in results:
        assert 0.0 < result.confidence <= 1.0
        assert 1 <= len(result.candidates) <= 3
        assert len(set(result.candidates)) == len(result.candidates)
        assert result.candidate_scores == sorted(result.candidate_scores, reverse=True)
        for label in result.candidates:
            code_type, code = label.split(":")
            assert INDEXES[code_type].is_code(code)


def test_stage_2_constrained_answers_follow_the_grammar(tiny):
    model, tokenizer = tiny
    engine = HFEngine(
        model, tokenizer, stage=2, top_k=2, constrained=True, max_new_tokens=16, indexes=INDEXES
    )
    from thce.data.formats import parse_answer

    for result in engine.generate(NARRATIVES[:2], batch_size=2, show_progress=False):
        parsed = parse_answer(result.text)
        if parsed.well_formed:
            assert INDEXES[parsed.code_type].is_code(parsed.code), result.text


def test_unconstrained_random_model_runs_and_bad_arguments(tiny):
    model, tokenizer = tiny
    engine = HFEngine(model, tokenizer, stage=1, top_k=2, max_new_tokens=6)
    assert engine.indexes is None
    results = engine.generate(NARRATIVES[:2], batch_size=8, show_progress=False)
    assert len(results) == 2 and all(isinstance(r.text, str) for r in results)
    with pytest.raises(EvaluationError, match="--top-k"):
        HFEngine(model, tokenizer, top_k=0)
    with pytest.raises(EvaluationError, match="--batch-size"):
        engine.generate(["x"], batch_size=0)


def test_beam_search_keeps_live_beams_when_none_finish(tiny):
    model, tokenizer = tiny
    engine = HFEngine(model, tokenizer, stage=1, top_k=2, constrained=True, indexes=INDEXES)
    hypotheses = engine._beam_search([render_prompt(tokenizer, "x", 1)], beams=2, max_steps=1)
    assert len(hypotheses) == 1 and 1 <= len(hypotheses[0]) <= 2
    assert all(len(tokens) == 1 for _, tokens in hypotheses[0])


def test_stage_resolution(tmp_path, tiny):
    _, tokenizer = tiny
    (tmp_path / "resolved_config.yaml").write_text("stage:\n  number: 2\n  type: sft\n", "utf-8")
    assert stage_from_model_dir(tmp_path) == 2
    (tmp_path / "resolved_config.yaml").write_text("stage: stage_3\n", "utf-8")
    assert stage_from_model_dir(tmp_path) is None  # only stage.number, as thce train writes it
    (tmp_path / "resolved_config.yaml").write_text("stage: [unclosed\n", "utf-8")
    assert stage_from_model_dir(tmp_path) is None
    assert stage_from_model_dir(tmp_path / "missing") is None
    saved = tokenizer.chat_template
    try:
        tokenizer.chat_template = get_template("stage_2")
        assert stage_from_tokenizer(tokenizer) == 2
        tokenizer.chat_template = "{{ messages }}"
        assert stage_from_tokenizer(tokenizer) is None
    finally:
        tokenizer.chat_template = saved


def test_vllm_engine_needs_vllm_and_a_gpu():
    import importlib.util

    if importlib.util.find_spec("vllm") is not None and torch.cuda.is_available():
        pytest.skip("vLLM and a GPU are present")
    with pytest.raises(EvaluationError, match="vllm"):
        check_vllm_available()
