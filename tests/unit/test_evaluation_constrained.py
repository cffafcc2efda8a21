"""Constrained decoding: prefix index, answer grammar, and a processor that never lets an
invalid code through (random walks over allowed tokens, and a tiny random model sampling)."""

from __future__ import annotations

import random
from collections import OrderedDict

import pytest

torch = pytest.importorskip("torch")

from thce.codes import CodeValidator  # noqa: E402
from thce.data.chat_templates import format_conversation  # noqa: E402
from thce.data.formats import parse_answer, prompt_messages  # noqa: E402
from thce.evaluation.constrained import (  # noqa: E402
    CodeConstraintProcessor,
    CodeIndex,
    TokenTable,
    answer_phase,
    code_indexes,
    loose_answer_done,
    split_generation,
)
from thce.models import build_tiny_model  # noqa: E402

SMALL = {
    "ICD10": CodeIndex(
        ["E11", "E11.9", "E11.65", "E11.649", "I10", "J45.909", "S72.001A", "A01.00"]
    ),
    "CPT": CodeIndex(["99213", "99214", "3044F"]),
    "HCPCS": CodeIndex(["J1100", "A0100"]),
}


@pytest.fixture(scope="module")
def tiny():
    # One thread: on a busy 2-core machine, thread hand-offs make each small full-vocabulary op
    # ~100x slower than the op itself.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    model, tokenizer = build_tiny_model(seed=3)
    yield model, tokenizer, TokenTable(tokenizer)
    torch.set_num_threads(threads)


def test_code_index_prefix_queries():
    index = SMALL["ICD10"]
    assert len(index) == 8
    assert index.has_prefix("") and index.has_prefix("E11.6") and index.has_prefix("S72.001")
    assert not index.has_prefix("E12") and not index.has_prefix("E11.99")
    assert index.is_code("E11") and index.is_code("E11.9") and not index.is_code("E11.6")
    assert not CodeIndex([]).has_prefix("")


@pytest.mark.parametrize(
    ("answer", "phase"),
    [
        ("", "header"),
        ("\n", "header"),
        ("IC", "header"),
        ("ICD10: ", "header"),
        ("HCPCS: A01", "code"),
        ("ICD10: A01", "code"),
        ("ICD10: E11", "complete"),  # a real code that can still grow
        ("ICD10: E11.6", "code"),
        ("ICD10: E11.65", "complete"),
        ("ICD10: E11.65 (", "done"),
        ("CPT: 3044F\n", "done"),
        ("ICD10: E11.6 (", "invalid"),  # ended before the code was complete
        ("ICD10: E12", "invalid"),
        ("ICD10:  E11", "invalid"),
        ("icd10: E11.9", "invalid"),
        ("   ICD10: E11.9", "invalid"),  # too much leading whitespace
        ("CPT: E11.9", "invalid"),  # a code of another system
    ],
)
def test_answer_phase(answer, phase):
    assert answer_phase(answer, SMALL) == phase


def test_loose_answer_done_and_split_generation():
    assert loose_answer_done("icd10: e11.9 (")
    assert loose_answer_done("No code here\n")
    assert not loose_answer_done("ICD10: E11.9")
    assert not loose_answer_done("ICD10:")
    assert loose_answer_done("ICD10: (nothing)")
    assert split_generation("ICD10: E1", 1).phase == "answer"
    assert split_generation("", 2).phase == "opening"
    assert split_generation(" <th", 2).phase == "opening"
    assert split_generation("<think>\nhmm", 2).phase == "reasoning"
    done = split_generation("<think>\nx\n</think>\nICD10: E", 2)
    assert done.phase == "answer" and done.answer == "\nICD10: E"
    assert split_generation("ICD10: E11", 3).answer == "ICD10: E11"  # skipped the reasoning
    assert split_generation("<think>x", 2, answer_only=True).phase == "answer"


def _walk(processor, tokenizer, table, start: str, rng: random.Random, steps: int = 24) -> str:
    generated = tokenizer(start, add_special_tokens=False)["input_ids"] if start else []
    for _ in range(steps):
        scores = torch.zeros(1, len(tokenizer))
        allowed = torch.isfinite(processor(torch.tensor([generated], dtype=torch.long), scores)[0])
        choices = torch.nonzero(allowed).flatten().tolist()
        assert choices, "the constraint left no token"
        token = rng.choice(choices)
        if token in table.eos_ids:
            break
        generated.append(token)
    return tokenizer.decode(generated)


@pytest.mark.parametrize("stage", [1, 2])
def test_uniform_random_walks_only_produce_real_codes(tiny, stage):
    _, tokenizer, table = tiny
    rng = random.Random(stage)
    start = "<think>\nThe narrative mentions diabetes.\n</think>\n" if stage == 2 else ""
    cache = OrderedDict()
    for _ in range(25):
        processor = CodeConstraintProcessor(
            table, tokenizer, SMALL, stage, prompt_length=0, cache=cache
        )
        text = _walk(processor, tokenizer, table, start, rng)
        parsed = parse_answer(text)
        assert parsed.well_formed, text
        assert SMALL[parsed.code_type].is_code(parsed.code), text
    assert cache  # allowed sets were cached and shared


def test_stage_2_opening_allows_think_or_answer_and_tail_bans_new_tags(tiny):
    _, tokenizer, table = tiny
    processor = CodeConstraintProcessor(table, tokenizer, SMALL, 2, prompt_length=0)
    allowed = torch.isfinite(
        processor(torch.zeros(1, 0, dtype=torch.long), torch.zeros(1, len(tokenizer)))[0]
    )
    strings = {table.strings[i] for i in torch.nonzero(allowed).flatten().tolist()}
    assert "<" in strings and "IC" in strings and "The" not in strings
    # After the code, free text may not spell a new </think> (that would move the answer).
    text = "<think>\nx\n</think>\nICD10: I10 (Essential) </think"
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    scores = processor(torch.tensor([ids]), torch.zeros(1, len(tokenizer)))[0]
    closing = [i for i, s in enumerate(table.strings) if s.startswith(">")]
    assert closing and all(not torch.isfinite(scores[i]) for i in closing)
    assert torch.isfinite(scores[tokenizer(" the", add_special_tokens=False)["input_ids"][0]])


def test_stop_after_code_forces_eos(tiny):
    _, tokenizer, table = tiny
    for indexes in (SMALL, None):
        processor = CodeConstraintProcessor(
            table, tokenizer, indexes, 1, prompt_length=0, stop_after_code=True
        )
        ids = tokenizer("ICD10: E11.9 (", add_special_tokens=False)["input_ids"]
        scores = processor(torch.tensor([ids]), torch.zeros(1, len(tokenizer)))[0]
        assert torch.isfinite(scores).sum() == 1 and scores[table.eos_ids[0]] == 0.0
    # Finished rows (already holding EOS) are left alone.
    processor = CodeConstraintProcessor(table, tokenizer, SMALL, 1, prompt_length=0)
    finished = processor(torch.tensor([[table.eos_ids[0]]]), torch.zeros(1, len(tokenizer)))[0]
    assert torch.isfinite(finished).all()


def test_tiny_model_never_emits_an_invalid_code_under_the_constraint(tiny):
    """Sampling from a random tiny model with the real code databases: every answer is real."""
    model, tokenizer, table = tiny
    indexes = code_indexes()
    validator = CodeValidator()
    tokenizer.padding_side = "left"
    prompts = [
        format_conversation(prompt_messages(text, 1), 1, add_generation_prompt=True)
        for text in (
            "58 yo with type 2 diabetes.",
            "Office visit, established patient.",
            "Wheelchair supplied.",
        )
    ]
    enc = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
    torch.manual_seed(0)
    processor = CodeConstraintProcessor(table, tokenizer, indexes, 1, enc["input_ids"].shape[1])
    out = model.generate(
        **enc,
        do_sample=True,
        top_k=0,
        temperature=1.5,
        max_new_tokens=14,
        num_return_sequences=3,
        logits_processor=[processor],
        eos_token_id=table.eos_ids,
        pad_token_id=tokenizer.pad_token_id,
    )
    texts = tokenizer.batch_decode(out[:, enc["input_ids"].shape[1] :], skip_special_tokens=True)
    parsed = [parse_answer(t) for t in texts]
    complete = [p for p in parsed if p.well_formed]
    assert len(complete) >= 6, texts  # most samples finish their code within 14 tokens
    for p in complete:
        assert validator.validate(p.code, p.code_type).is_valid, p.raw
