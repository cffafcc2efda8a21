"""Example formats, answer parsing and chat templates (thce.data.formats, thce.data.chat_templates)."""

from __future__ import annotations

import pytest

from thce.data.chat_templates import (
    TEMPLATE_NAMES,
    format_conversation,
    get_stage_1_template,
    get_stage_2_template,
    get_stage_3_template,
    get_template,
    render_template,
    validate_template,
)
from thce.data.formats import (
    CODE_TYPES,
    SYSTEM_PROMPTS,
    build_stage_1_example,
    build_stage_2_example,
    build_stage_3_example,
    canonical_code_type,
    code_category,
    format_answer,
    format_reasoned_answer,
    get_answer_text,
    get_gold,
    get_narrative,
    get_system_prompt,
    grade,
    parse_answer,
    prompt_messages,
    split_reasoning,
)
from thce.errors import DataError

NARRATIVE = "58 yo with type 2 diabetes, no complications."
DESC = "Type 2 diabetes mellitus without complications"


# ----------------------------------------------------------------------------- parse_answer
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ICD10: E11.9 (Type 2 diabetes mellitus without complications)", ("ICD10", "E11.9", DESC)),
        ("  icd10 :   e119   (T2DM)  ", ("ICD10", "E11.9", "T2DM")),
        ("CPT: 99213", ("CPT", "99213", None)),
        ("cpt-4: 99213 (Office visit", ("CPT", "99213", "Office visit")),
        ("HCPCS Level II: j1100 (Dexamethasone)", ("HCPCS", "J1100", "Dexamethasone")),
        (
            "ICD-10-CM code: I10 (Essential (primary) hypertension)",
            ("ICD10", "I10", "Essential (primary) hypertension"),
        ),
        (
            "The answer is ICD10: J44.1 (COPD with (acute) exacerbation) as documented.",
            ("ICD10", "J44.1", "COPD with (acute) exacerbation"),
        ),
        ("ICD10: E11.9 ()", ("ICD10", "E11.9", None)),
        ("ICD10=E11.9", ("ICD10", "E11.9", None)),
    ],
)
def test_parse_answer_tolerates_variants(text, expected):
    parsed = parse_answer(text)
    assert parsed.well_formed
    assert (parsed.code_type, parsed.code, parsed.description) == expected
    assert parsed.reasoning is None
    assert parsed.raw == text


@pytest.mark.parametrize(
    "text", ["", None, "no code here", "E11.9", "ICD11: E11.9", "<think>\nE11.9\n</think>\n"]
)
def test_parse_answer_not_well_formed(text):
    parsed = parse_answer(text)
    assert not parsed.well_formed
    assert parsed.code is None and parsed.code_type is None


def test_parse_answer_reads_reasoning_and_first_answer_after_it():
    text = "<think>\nICD10: Z00.00 is wrong here; no complications.\n</think>\nICD10: E11.9 (T2DM)\nCPT: 99213"
    parsed = parse_answer(text)
    assert (parsed.code_type, parsed.code) == ("ICD10", "E11.9")
    assert parsed.reasoning == "ICD10: Z00.00 is wrong here; no complications."
    assert parsed.reasoning_well_formed


@pytest.mark.parametrize(
    ("text", "reasoning", "answer", "ok"),
    [
        ("<think>a</think>\nX", "a", "\nX", True),
        ("  <think>a</think>X", "a", "X", True),
        ("pre <think>a</think>X", "a", "X", False),
        ("<think>a</think><think>b</think>X", "a", "X", False),
        ("<think>never closed", "never closed", "", False),
        ("stray</think>ICD10: E11.9", None, "ICD10: E11.9", False),
        ("plain", None, "plain", False),
    ],
)
def test_split_reasoning(text, reasoning, answer, ok):
    assert split_reasoning(text) == (reasoning, answer, ok)


def test_to_dict_round_trip():
    data = parse_answer("CPT: 99213 (visit)").to_dict()
    assert (
        data["code"] == "99213"
        and data["well_formed"] is True
        and data["raw"] == "CPT: 99213 (visit)"
    )


# ----------------------------------------------------------------------------- formatting
def test_format_answer_and_reasoned_answer():
    assert format_answer("icd-10-cm", "e119", DESC) == f"ICD10: E11.9 ({DESC})"
    assert format_answer("HCPCS", "J1100") == "HCPCS: J1100"
    text = format_reasoned_answer("  Diabetes, no complications.  ", "ICD10", "E11.9", DESC)
    assert text == f"<think>\nDiabetes, no complications.\n</think>\nICD10: E11.9 ({DESC})"
    with pytest.raises(ValueError, match="unknown code type"):
        format_answer("ICD9", "250.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("icd10", "ICD10"),
        ("ICD-10-CM", "ICD10"),
        ("Cpt4", "CPT"),
        ("hcpcs level ii", "HCPCS"),
        ("snomed", None),
        (None, None),
    ],
)
def test_canonical_code_type(value, expected):
    assert canonical_code_type(value) == expected


def test_builders_make_each_stage_shape():
    one = build_stage_1_example(
        NARRATIVE, "ICD10", "E11.9", DESC, id="ex1", metadata={"specialty": "endocrinology"}
    )
    assert [m["role"] for m in one["messages"]] == ["system", "user", "assistant"]
    assert one["messages"][0]["content"] == SYSTEM_PROMPTS[1]
    assert one["id"] == "ex1" and one["metadata"] == {"specialty": "endocrinology"}
    two = build_stage_2_example(NARRATIVE, "No complications documented.", "ICD10", "E11.9", DESC)
    assert two["messages"][0]["content"] == SYSTEM_PROMPTS[2]
    assert two["messages"][2]["content"].startswith(
        "<think>\nNo complications documented.\n</think>\n"
    )
    chosen = format_reasoned_answer("r", "ICD10", "E11.9", DESC)
    three = build_stage_3_example(NARRATIVE, chosen, "ICD10: E11.8", system_prompt="custom")
    assert set(three) == {"prompt", "chosen", "rejected"}
    assert three["prompt"][0] == {"role": "system", "content": "custom"}
    assert three["chosen"] == [{"role": "assistant", "content": chosen}]
    assert prompt_messages(NARRATIVE, 3)[0]["content"] == SYSTEM_PROMPTS[3]


def test_accessors_for_every_stage():
    one = build_stage_1_example(NARRATIVE, "ICD10", "E11.9", DESC)
    three = build_stage_3_example(NARRATIVE, "ICD10: E11.9", "ICD10: E11.8")
    assert get_narrative(one) == NARRATIVE == get_narrative(three)
    assert get_system_prompt(one) == SYSTEM_PROMPTS[1]
    assert get_answer_text(one) == f"ICD10: E11.9 ({DESC})"
    assert get_answer_text(three) == "ICD10: E11.9"
    assert get_answer_text(three, "rejected") == "ICD10: E11.8"
    assert get_gold(three).code == "E11.9"
    assert get_narrative({"messages": "not a list"}) is None
    assert get_answer_text({"messages": [{"role": "user", "content": "x"}]}) is None


def test_grade_and_category():
    gold = parse_answer("ICD10: E11.65")
    assert grade(parse_answer("ICD10: E11.65"), gold).exact
    near = grade(parse_answer("icd10: E11.9"), gold)
    assert (near.exact, near.code_type_match, near.category_match) == (False, True, True)
    wrong_type = grade(parse_answer("CPT: 99213"), gold)
    assert not wrong_type.code_type_match and not wrong_type.category_match
    junk = grade(parse_answer("no idea"), gold)
    assert not junk.well_formed and not junk.exact
    assert code_category("HCPCS", "J1100") == "J11"
    assert code_category(None, "E11.9") is None


# ----------------------------------------------------------------------------- templates
def test_stage_1_renders_exactly_as_chatml():
    example = build_stage_1_example(NARRATIVE, "ICD10", "E11.9", DESC)
    expected = (
        f"<|im_start|>system\n{SYSTEM_PROMPTS[1]}<|im_end|>\n"
        f"<|im_start|>user\n{NARRATIVE}<|im_end|>\n"
        f"<|im_start|>assistant\nICD10: E11.9 ({DESC})<|im_end|>\n"
    )
    assert format_conversation(example["messages"], stage=1) == expected


def test_generation_prompt_and_default_system_prompt():
    prompt = format_conversation(
        [{"role": "user", "content": NARRATIVE}], stage=2, add_generation_prompt=True
    )
    assert prompt == (
        f"<|im_start|>system\n{SYSTEM_PROMPTS[2]}<|im_end|>\n"
        f"<|im_start|>user\n{NARRATIVE}<|im_end|>\n<|im_start|>assistant\n"
    )


@pytest.mark.parametrize("name", [*TEMPLATE_NAMES, 1, "2", "thce_stage_3", "stage_1.jinja"])
def test_shipped_templates_are_valid(name):
    assert validate_template(get_template(name)) == []


def test_stage_template_getters_and_markers():
    for text in (get_stage_1_template(), get_stage_2_template(), get_stage_3_template()):
        assert "{% generation %}" in text and "<|im_end|>" in text
    assert get_stage_2_template() != get_stage_1_template()


def test_unknown_template_name():
    with pytest.raises(DataError, match="valid names: stage_1, stage_2, stage_3"):
        get_template("stage_9")


def test_validate_template_reports_problems():
    assert validate_template("{% for m in messages %}")[0].startswith("syntax error")
    no_markers = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    problems = validate_template(no_markers)
    assert any("generation" in p for p in problems)
    assert any("add_generation_prompt" in p for p in problems)
    plain = "{% for m in messages %}{{ m['content'] }}{% endfor %}"
    assert any("system turn" in p for p in validate_template(plain))
    assert validate_template("{{ messages[5]['x'] }}")[0].startswith("render error")


def test_render_template_error_is_data_error():
    with pytest.raises(DataError, match="failed to render"):
        render_template("{{ messages[9]['role'] }}", [])


def test_code_types_constant():
    assert CODE_TYPES == ("ICD10", "CPT", "HCPCS")
