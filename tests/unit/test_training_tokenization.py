"""Tokenizer setup (templates, <think>, EOS/pad), assistant-only masks, token counts, truncation."""

from __future__ import annotations

import pytest

from thce.data.formats import (
    build_stage_1_example,
    build_stage_2_example,
    build_stage_3_example,
    format_reasoned_answer,
)
from thce.errors import TrainingError
from thce.models import load_model_and_tokenizer, load_tokenizer
from thce.training.tokenization import (
    assistant_token_mask,
    choose_pad_token,
    count_tokens,
    example_lengths,
    fit_examples,
    prepare_model_for_tokenizer,
    prepare_tokenizer,
)

NARRATIVE = "58 yo with type 2 diabetes, no complications, seen for routine follow-up today."
ANSWER = "ICD10: E11.9 (Type 2 diabetes mellitus without complications)"
REASONED = format_reasoned_answer(
    "Type 2 diabetes is documented without complications.",
    "ICD10",
    "E11.9",
    "Type 2 diabetes mellitus without complications",
)


@pytest.fixture()
def tokenizer():
    return load_tokenizer("thce:tiny")


def test_stage_1_sets_template_eos_and_distinct_pad(tokenizer):
    assert tokenizer.pad_token == tokenizer.eos_token  # SmolLM2 ships pad == eos
    added = prepare_tokenizer(tokenizer, "stage_1")
    assert added == []
    assert tokenizer.eos_token == "<|im_end|>"
    assert tokenizer.pad_token == "<|endoftext|>"
    assert tokenizer.pad_token_id != tokenizer.eos_token_id
    assert "{% generation %}" in tokenizer.chat_template


def test_stage_2_adds_think_tokens_once_and_keeps_them_on_decode(tokenizer):
    size = len(tokenizer)
    assert prepare_tokenizer(tokenizer, "stage_2") == ["<think>", "</think>"]
    assert len(tokenizer) == size + 2
    assert prepare_tokenizer(tokenizer, "stage_2") == []
    ids = tokenizer("<think>\nreason\n</think>", add_special_tokens=False)["input_ids"]
    assert tokenizer.convert_ids_to_tokens(ids[0]) == "<think>"
    assert tokenizer.decode(ids, skip_special_tokens=True).startswith("<think>")


def test_extra_tokens_and_explicit_pad(tokenizer):
    added = prepare_tokenizer(tokenizer, 1, extra_tokens=["<code>"], pad_token="<|pad|>")
    assert added == ["<code>", "<|pad|>"]
    assert tokenizer.pad_token == "<|pad|>"


def test_eos_missing_or_equal_to_pad_is_an_error(tokenizer):
    with pytest.raises(TrainingError, match="not in the tokenizer"):
        prepare_tokenizer(tokenizer, 1, eos_token="<eos-not-there>")
    with pytest.raises(TrainingError, match="never learn to stop"):
        prepare_tokenizer(tokenizer, 1, pad_token="<|im_end|>")


def test_choose_pad_token_keeps_a_distinct_existing_pad(tokenizer):
    tokenizer.pad_token = "<|im_start|>"
    assert choose_pad_token(tokenizer) == "<|im_start|>"


def test_model_resized_and_ids_mirrored():
    model, tokenizer = load_model_and_tokenizer("thce:tiny")
    rows = model.get_input_embeddings().weight.shape[0]
    prepare_tokenizer(tokenizer, "stage_2")
    assert prepare_model_for_tokenizer(model, tokenizer) is True
    assert model.get_input_embeddings().weight.shape[0] == rows + 2
    assert model.config.pad_token_id == tokenizer.pad_token_id
    assert model.generation_config.eos_token_id == tokenizer.eos_token_id
    assert prepare_model_for_tokenizer(model, tokenizer) is False


def test_new_token_embeddings_start_from_their_former_pieces():
    import torch

    model, tokenizer = load_model_and_tokenizer("thce:tiny")
    pieces = tokenizer("<think>", add_special_tokens=False)["input_ids"]
    assert len(pieces) == 3  # "<", "think", ">" before the token exists
    prepare_tokenizer(tokenizer, "stage_2")
    prepare_model_for_tokenizer(model, tokenizer)
    weight = model.get_input_embeddings().weight
    row = weight[tokenizer.convert_tokens_to_ids("<think>")]
    mean = weight[pieces].mean(dim=0)
    assert torch.allclose(row / row.norm(), mean / mean.norm(), atol=1e-5)
    typical = weight[: len(tokenizer) - 2].norm(dim=1).mean()
    assert torch.isclose(row.norm(), typical, rtol=1e-4)
    assert (
        model.get_output_embeddings().weight[tokenizer.convert_tokens_to_ids("<think>")].equal(row)
    )


@pytest.mark.parametrize(
    ("stage", "example", "answer"),
    [
        (
            1,
            build_stage_1_example(
                NARRATIVE, "ICD10", "E11.9", "Type 2 diabetes mellitus without complications"
            ),
            ANSWER,
        ),
        (
            2,
            build_stage_2_example(
                NARRATIVE,
                "Type 2 diabetes is documented without complications.",
                "ICD10",
                "E11.9",
                "Type 2 diabetes mellitus without complications",
            ),
            REASONED,
        ),
    ],
)
def test_assistant_mask_covers_exactly_answer_and_eos(tokenizer, stage, example, answer):
    prepare_tokenizer(tokenizer, f"stage_{stage}")
    ids, mask = assistant_token_mask(tokenizer, example["messages"])
    trained = [i for i, m in zip(ids, mask, strict=True) if m]
    assert tokenizer.decode(trained) == answer + "<|im_end|>"
    # The trained tokens are one contiguous span at the end (before the final newline).
    first = mask.index(1)
    assert all(mask[first : first + len(trained)])
    assert tokenizer.decode(ids[:first]).endswith("<|im_start|>assistant\n")


def test_lengths_of_sft_and_dpo_examples(tokenizer):
    prepare_tokenizer(tokenizer, "stage_2")
    sft = build_stage_2_example(NARRATIVE, "short reasoning", "ICD10", "E11.9", "desc")
    lengths = example_lengths(tokenizer, sft)
    assert lengths.narrative == count_tokens(tokenizer, NARRATIVE)
    assert lengths.total == lengths.prompt + lengths.answer
    assert lengths.prompt > lengths.narrative
    dpo = build_stage_3_example(NARRATIVE, REASONED, "ICD10: I10 (Essential hypertension)")
    dpo_lengths = example_lengths(tokenizer, dpo)
    assert dpo_lengths.total > dpo_lengths.prompt
    assert dpo_lengths.answer == count_tokens(tokenizer, REASONED + "<|im_end|>\n")


def _examples(n_long: int):
    short = build_stage_1_example(
        NARRATIVE, "ICD10", "E11.9", "Type 2 diabetes mellitus without complications"
    )
    long_narrative = " ".join([NARRATIVE] * 30)
    long = build_stage_1_example(
        long_narrative, "ICD10", "E11.9", "Type 2 diabetes mellitus without complications"
    )
    return [{**short, "_line": 1, "id": "a"}] + [
        {**long, "_line": 2 + i, "id": f"long{i}"} for i in range(n_long)
    ]


def test_fit_drop_reports_every_dropped_example(tokenizer):
    prepare_tokenizer(tokenizer, "stage_1")
    kept, report = fit_examples(tokenizer, _examples(2), max_length=160, policy="drop")
    assert [e["id"] for e in kept] == ["a"]
    assert (report.total, report.kept, report.dropped) == (3, 1, 2)
    assert report.reasons == {"longer than max_length": 2}
    assert [d["line"] for d in report.details] == [2, 3]
    assert report.tokens["example"]["max"] > 160
    assert "2 dropped" in report.summary()


def test_fit_truncate_prompt_keeps_the_answer_whole(tokenizer):
    prepare_tokenizer(tokenizer, "stage_1")
    kept, report = fit_examples(tokenizer, _examples(1), max_length=160, policy="truncate_prompt")
    assert report.prompt_truncated == 1 and report.dropped == 0
    shortened = kept[1]
    assert shortened["messages"][-1]["content"] == ANSWER
    assert shortened["messages"][1]["content"].endswith("…")
    assert example_lengths(tokenizer, shortened).total <= 160


def test_fit_truncate_prompt_drops_when_answer_alone_does_not_fit(tokenizer):
    prepare_tokenizer(tokenizer, "stage_1")
    kept, report = fit_examples(tokenizer, _examples(1), max_length=70, policy="truncate_prompt")
    assert report.dropped == 2
    assert "answer and prompt template alone exceed max_length" in report.reasons
    assert kept == []


def test_fit_without_limit_and_bad_policy(tokenizer):
    prepare_tokenizer(tokenizer, "stage_1")
    kept, report = fit_examples(tokenizer, _examples(1), max_length=None)
    assert len(kept) == 2 and report.dropped == 0
    with pytest.raises(TrainingError, match="unknown truncation policy"):
        fit_examples(tokenizer, _examples(0), 100, policy="cut")
