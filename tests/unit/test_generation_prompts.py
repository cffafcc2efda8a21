"""Generation prompts and strict parsing of the model's JSON reply."""

from __future__ import annotations

import json
import re

import pytest

from thce.generation.prompts import (
    GENERATOR_SYSTEM_PROMPT,
    STAGE_FIELDS,
    ReplyError,
    Target,
    build_messages,
    build_user_prompt,
    parse_reply,
    strip_code_fence,
)

TARGET = Target(
    "ICD10",
    "E11.9",
    "Type 2 diabetes mellitus without complications",
    "endocrinology",
    "outpatient progress note",
)


@pytest.mark.parametrize("stage", [1, 2, 3])
def test_prompt_names_code_specialty_style_and_exact_keys(stage):
    prompt = build_user_prompt(TARGET, stage)
    assert "ICD10: E11.9 (Type 2 diabetes mellitus without complications)" in prompt
    assert "endocrinology" in prompt and "outpatient progress note" in prompt
    skeleton = json.loads(re.search(r"shaped like (\{.*\})", prompt).group(1))
    assert list(skeleton) == list(STAGE_FIELDS[stage])
    for key in STAGE_FIELDS[stage]:
        assert f'"{key}":' in prompt


def test_stage_3_asks_for_a_wrong_code_of_the_same_system():
    prompt = build_user_prompt(
        Target("CPT", "99213", None, "family medicine", "office visit note"), 3
    )
    assert "real CPT code" in prompt
    assert "CPT: 99213\n" in prompt  # no description: no empty parentheses


def test_messages_have_privacy_system_prompt():
    messages = build_messages(TARGET, 1)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == GENERATOR_SYSTEM_PROMPT
    assert "never include names" in GENERATOR_SYSTEM_PROMPT


def test_bad_stage():
    with pytest.raises(ValueError, match="stage"):
        build_user_prompt(TARGET, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', '{"a": 1}'),
        ('```json\n{"a": 1}\n```', '{"a": 1}'),
        ('```\n{"a": 1}```', '{"a": 1}'),
        ('  ```JSON\n{"a": 1}\n```  \n', '{"a": 1}'),
        ('Here: ```json\n{"a": 1}\n```', 'Here: ```json\n{"a": 1}\n```'),
    ],
)
def test_strip_code_fence(text, expected):
    assert strip_code_fence(text) == expected


def test_parse_reply_per_stage():
    assert parse_reply('{"narrative": " A note. "}', 1) == {"narrative": "A note."}
    two = parse_reply('```json\n{"narrative": "N", "reasoning": "R", "code": "X"}\n```', 2)
    assert two == {"narrative": "N", "reasoning": "R"}  # extra keys ignored
    three = {
        "narrative": "N",
        "reasoning": "R",
        "rejected_code": "E11.65",
        "rejected_reasoning": "W",
    }
    assert parse_reply(json.dumps(three), 3) == three


@pytest.mark.parametrize(
    ("text", "stage", "reason"),
    [
        (None, 1, "empty_reply"),
        ("   ", 1, "empty_reply"),
        ("Sure! Here is a narrative: ...", 1, "not_json"),
        ('{"narrative": "a"} {"narrative": "b"}', 1, "not_json"),
        ('["narrative"]', 1, "not_an_object"),
        ('{"text": "a"}', 1, "missing_narrative"),
        ('{"narrative": 3}', 1, "bad_narrative"),
        ('{"narrative": "  "}', 1, "empty_narrative"),
        ('{"narrative": "a"}', 2, "missing_reasoning"),
        (
            '{"narrative": "a", "reasoning": "b", "rejected_code": "X"}',
            3,
            "missing_rejected_reasoning",
        ),
    ],
)
def test_parse_reply_rejects_with_reason(text, stage, reason):
    with pytest.raises(ReplyError) as info:
        parse_reply(text, stage)
    assert info.value.reason == reason
    assert info.value.detail


def test_target_to_dict():
    assert TARGET.to_dict()["code"] == "E11.9"
