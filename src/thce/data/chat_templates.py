"""Chat templates for the three training stages, stored once as files in ``templates/``.

Configs reference a template by name (``stage_1``, ``stage_2``, ``stage_3``); the tokenizer
gets the same text (``tokenizer.chat_template = get_template("stage_1")``) so training,
evaluation and our own rendering agree byte for byte.

    >>> from thce.data.formats import build_stage_1_example
    >>> ex = build_stage_1_example("58 yo with type 2 diabetes, no complications.", "ICD10",
    ...                            "E11.9", "Type 2 diabetes mellitus without complications")
    >>> print(format_conversation(ex["messages"], stage=1))  # doctest: +ELLIPSIS
    <|im_start|>system
    You are a medical coding assistant. ...<|im_end|>
    <|im_start|>user
    58 yo with type 2 diabetes, no complications.<|im_end|>
    <|im_start|>assistant
    ICD10: E11.9 (Type 2 diabetes mellitus without complications)<|im_end|>
    <BLANKLINE>
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension

from thce.errors import DataError

TEMPLATE_NAMES: tuple[str, ...] = ("stage_1", "stage_2", "stage_3")
IM_START, IM_END = "<|im_start|>", "<|im_end|>"


class _GenerationTag(Extension):
    """``{% generation %}…{% endgeneration %}``: renders its body unchanged.

    transformers uses the same tag to build the assistant-token mask; for plain rendering we
    only need the text.
    """

    tags = {"generation"}  # noqa: RUF012 - jinja API

    def parse(self, parser: jinja2.parser.Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.Scope(body, lineno=lineno)


_ENV = jinja2.Environment(
    extensions=[_GenerationTag], trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False
)


def _resolve_name(name: str | int) -> str:
    key = str(name).strip().lower()
    if key.isdigit():
        key = f"stage_{key}"
    key = key.removeprefix("thce_").removesuffix(".jinja")
    if key not in TEMPLATE_NAMES:
        raise DataError(f"unknown chat template {name!r}; valid names: {', '.join(TEMPLATE_NAMES)}")
    return key


@cache
def get_template(name: str | int) -> str:
    """The template text for ``name`` (``"stage_1"``, ``2``, ``"thce_stage_3"``…)."""
    key = _resolve_name(name)
    return resources.files("thce.data").joinpath("templates", f"{key}.jinja").read_text("utf-8")


def get_stage_1_template() -> str:
    """Stage-1 template (answer only). Example: ``tokenizer.chat_template = get_stage_1_template()``."""
    return get_template("stage_1")


def get_stage_2_template() -> str:
    """Stage-2 template (``<think>`` reasoning, expert system prompt)."""
    return get_template("stage_2")


def get_stage_3_template() -> str:
    """Stage-3 (DPO) template: same layout and prompt as stage 2."""
    return get_template("stage_3")


@cache
def _compiled(template: str) -> jinja2.Template:
    return _ENV.from_string(template)


def render_template(
    template: str, messages: list[dict[str, str]], add_generation_prompt: bool = False
) -> str:
    """Render ``messages`` with a template string (ours or any ChatML-style one)."""
    try:
        return _compiled(template).render(
            messages=messages, add_generation_prompt=add_generation_prompt
        )
    except jinja2.TemplateError as exc:
        raise DataError(f"chat template failed to render: {exc}") from exc


def format_conversation(
    messages: list[dict[str, str]], stage: int | str = 1, add_generation_prompt: bool = False
) -> str:
    """Render a conversation with the stage's template.

    Use ``add_generation_prompt=True`` with system+user messages to build an inference prompt.
    """
    return render_template(get_template(stage), messages, add_generation_prompt)


def validate_template(template: str) -> list[str]:
    """Check a chat template; return a list of problems (empty when it is usable).

    Checks: it compiles; it renders a system/user/assistant conversation in ChatML with each
    turn closed by ``<|im_end|>``; assistant content sits inside ``{% generation %}`` markers
    (needed for assistant-only loss); ``add_generation_prompt`` opens an assistant turn.
    """
    problems: list[str] = []
    try:
        compiled = _ENV.from_string(template)
    except jinja2.TemplateSyntaxError as exc:
        return [f"syntax error at line {exc.lineno}: {exc.message}"]
    sample = [
        {"role": "system", "content": "SYS"},
        {"role": "user", "content": "USER"},
        {"role": "assistant", "content": "ANSWER"},
    ]
    try:
        text = compiled.render(messages=sample, add_generation_prompt=False)
        prompt = compiled.render(messages=sample[:2], add_generation_prompt=True)
    except jinja2.TemplateError as exc:
        return [f"render error: {exc}"]
    for role, content in (("system", "SYS"), ("user", "USER"), ("assistant", "ANSWER")):
        if f"{IM_START}{role}\n{content}{IM_END}" not in text:
            problems.append(f"{role} turn is not rendered as '{IM_START}{role}\\n…{IM_END}'")
    if "{% generation %}" not in template.replace("{%- generation %}", "{% generation %}"):
        problems.append("no {% generation %} markers: assistant-only loss cannot find the reply")
    if not prompt.endswith(f"{IM_START}assistant\n"):
        problems.append("add_generation_prompt does not open an assistant turn")
    return problems


__all__ = [
    "TEMPLATE_NAMES",
    "format_conversation",
    "get_stage_1_template",
    "get_stage_2_template",
    "get_stage_3_template",
    "get_template",
    "render_template",
    "validate_template",
]
