"""The one place that formats training examples and reads model answers back.

Every other module (quality checker, dataset builder, generator, trainer, evaluator) uses
these functions; there is no second regex for answers anywhere in THCE.

Answer layout (stage 1)::

    ICD10: E11.9 (Type 2 diabetes mellitus without complications)

Stage 2 and 3 answers start with a reasoning block::

    <think>
    Patient has type 2 diabetes ... no complications documented.
    </think>
    ICD10: E11.9 (Type 2 diabetes mellitus without complications)

With retrieval (the default design, docs/ARCHITECTURE.md) the user turn carries the narrative and
then the candidate codes, one per line in the answer's own layout; the answer is one of them::

    58 yo with type 2 diabetes, no complications.

    Candidates:
    ICD10: E11.9 (Type 2 diabetes mellitus without complications)
    ICD10: E11.65 (Type 2 diabetes mellitus with hyperglycemia)
    ...

Example::

    >>> ex = build_stage_1_example("58 yo with type 2 diabetes, no complications.",
    ...                            "ICD10", "E11.9", "Type 2 diabetes mellitus without complications")
    >>> parse_answer(ex["messages"][-1]["content"]).code
    'E11.9'
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from thce.codes.formats import parse_code_type
from thce.errors import CodeError

CODE_TYPES: tuple[str, ...] = ("ICD10", "CPT", "HCPCS")

STAGE_1_SYSTEM_PROMPT = (
    "You are a medical coding assistant. Read the clinical narrative and answer with the single "
    "most appropriate code in the format CODE_TYPE: CODE (description), where CODE_TYPE is "
    "ICD10, CPT or HCPCS."
)
STAGE_2_SYSTEM_PROMPT = (
    "You are a medical coding expert. Use <think> tags to reason step by step about the clinical "
    "narrative, then answer with the single most appropriate code in the format "
    "CODE_TYPE: CODE (description), where CODE_TYPE is ICD10, CPT or HCPCS."
)
# Stage 3 (DPO) prefers between reasoned answers, so it shares stage 2's prompt.
STAGE_3_SYSTEM_PROMPT = STAGE_2_SYSTEM_PROMPT
SYSTEM_PROMPTS: dict[int, str] = {
    1: STAGE_1_SYSTEM_PROMPT,
    2: STAGE_2_SYSTEM_PROMPT,
    3: STAGE_3_SYSTEM_PROMPT,
}
# With candidates the prompts are short on purpose: every token of a prompt is paid for at
# each training step and each evaluation on a CPU.
CANDIDATE_SYSTEM_PROMPTS: dict[int, str] = {
    1: "Choose the code for this clinical narrative from the candidates. "
    "Answer as CODE_TYPE: CODE (description).",
    2: "Choose the code for this clinical narrative from the candidates. Reason briefly in "
    "<think> tags, then answer as CODE_TYPE: CODE (description).",
}
CANDIDATE_SYSTEM_PROMPTS[3] = CANDIDATE_SYSTEM_PROMPTS[2]
CANDIDATES_HEADER = "Candidates:"

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"

# The narrative-likelihood layout (the "noisy channel" direction of the choice): a candidate's
# description, then the note. The chooser scores how likely the note is after each candidate
# (docs/EVALUATION.md); this plain-text layout, not the chat template, is what was measured.
NARRATIVE_HEADS: dict[str, str] = {
    "ICD10": "Diagnosis",
    "CPT": "Procedure",
    "HCPCS": "Supply or service",
}

_ANSWER_RE = re.compile(
    r"(?P<type>ICD[\s_-]?10(?:[\s_-]?CM)?|CPT(?:[\s_-]?4)?|HCPCS(?:[\s_-]?(?:LEVEL[\s_-]?)?II)?)"
    r"\s*(?:code)?\s*[:=\-]\s*"
    r"(?P<code>[A-Za-z0-9][A-Za-z0-9.]*)"
    r"(?:[ \t]*\((?P<desc>[^\n]*?)(?:\)[ \t]*$|\)|$))?",
    re.IGNORECASE | re.MULTILINE,
)
_THINK_RE = re.compile(r"<think>(?P<body>.*?)</think>", re.DOTALL)


def canonical_code_type(value: str | None) -> str | None:
    """Map a code-type spelling (``icd-10-cm``, ``Cpt``, ``HCPCS Level II``) to ICD10/CPT/HCPCS.

    Returns ``None`` when the value names no known system (the code layer's
    :func:`~thce.codes.formats.parse_code_type` owns the spellings; it raises instead).

    >>> canonical_code_type("icd-10-cm")
    'ICD10'
    """
    if value is None:
        return None
    try:
        return parse_code_type(value)
    except CodeError:
        return None


def _normalize(code: str, code_type: str | None) -> str:
    """Normalise a code with the code layer (dot placement etc.); plain upper-case as fallback."""
    cleaned = code.strip().rstrip(".").upper()
    try:
        from thce.codes import normalize_code
    except ImportError:  # pragma: no cover - the code layer is part of the package
        return cleaned
    return normalize_code(cleaned, code_type)


@dataclass(frozen=True)
class ParsedAnswer:
    """An assistant answer read back into its parts.

    ``well_formed`` is True when a ``CODE_TYPE: CODE`` pair was found. ``reasoning`` is the text
    inside ``<think>…</think>`` (``None`` when absent); ``reasoning_well_formed`` says whether
    the answer holds exactly one closed think block placed before the code.
    """

    code_type: str | None
    code: str | None
    description: str | None
    reasoning: str | None
    well_formed: bool
    reasoning_well_formed: bool
    raw: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict view (for JSON outputs)."""
        return asdict(self)


def split_reasoning(text: str) -> tuple[str | None, str, bool]:
    """Split ``text`` into ``(reasoning, answer_part, reasoning_well_formed)``.

    Well-formed means: exactly one ``<think>`` and one ``</think>``, in that order, with only
    whitespace before ``<think>``. An unclosed ``<think>`` makes the rest reasoning with an
    empty answer part.
    """
    n_open, n_close = text.count(THINK_OPEN), text.count(THINK_CLOSE)
    if n_open == 0 and n_close == 0:
        return None, text, False
    match = _THINK_RE.search(text)
    if match is None:
        if n_open and not n_close:
            return text.split(THINK_OPEN, 1)[1].strip(), "", False
        # A stray </think> without an opening tag: the answer is what follows it.
        return None, text.rsplit(THINK_CLOSE, 1)[1], False
    reasoning = match.group("body").strip()
    answer_part = text[text.rfind(THINK_CLOSE) + len(THINK_CLOSE) :]
    well_formed = n_open == 1 and n_close == 1 and not text[: match.start()].strip()
    return reasoning, answer_part, well_formed


def _balanced_parenthesis(text: str, open_pos: int) -> str:
    """Text inside the ``(`` at ``open_pos``, up to its matching ``)`` or the end of the line.

    >>> _balanced_parenthesis("E11.9 (Type 2 (T2DM) diabetes) tail", 6)
    'Type 2 (T2DM) diabetes'
    """
    depth = 0
    for pos in range(open_pos, len(text)):
        char = text[pos]
        if char == "\n":
            break
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return text[open_pos + 1 : pos]
    end = text.find("\n", open_pos)
    return text[open_pos + 1 : end if end != -1 else len(text)]


def parse_answer(text: str | None) -> ParsedAnswer:
    """Parse an assistant answer tolerantly.

    Accepts extra whitespace, a missing or unclosed description, lower-case or spelled-out
    code types (``icd-10-cm: e11.9``), and text around the answer. The first
    ``CODE_TYPE: CODE`` after the reasoning block wins.

    >>> a = parse_answer("<think>\\nno complications\\n</think>\\nicd10:  e119 (T2DM")
    >>> (a.code_type, a.code, a.description, a.reasoning)
    ('ICD10', 'E11.9', 'T2DM', 'no complications')
    """
    raw = text or ""
    reasoning, answer_part, reasoning_ok = split_reasoning(raw)
    for match in _ANSWER_RE.finditer(answer_part):
        code_type = canonical_code_type(match.group("type"))
        if code_type is None:
            continue
        code = _normalize(match.group("code"), code_type)
        desc = match.group("desc")
        if desc is not None:
            # The regex stops at the first ")"; descriptions may nest parentheses
            # ("COPD with (acute) exacerbation"), so re-read up to the matching one.
            desc = _balanced_parenthesis(answer_part, match.start("desc") - 1)
        desc = desc.strip() if desc and desc.strip() else None
        return ParsedAnswer(code_type, code, desc, reasoning, True, reasoning_ok, raw)
    return ParsedAnswer(None, None, None, reasoning, False, reasoning_ok, raw)


def format_answer(code_type: str, code: str, description: str | None = None) -> str:
    """Format the final answer line: ``CODE_TYPE: CODE (description)``.

    >>> format_answer("cpt", "99213", "Office visit, established patient, low complexity")
    'CPT: 99213 (Office visit, established patient, low complexity)'
    """
    canonical = canonical_code_type(code_type)
    if canonical is None:
        raise ValueError(f"unknown code type {code_type!r}; use one of {', '.join(CODE_TYPES)}")
    code = _normalize(code, canonical)
    return f"{canonical}: {code} ({description.strip()})" if description else f"{canonical}: {code}"


def format_reasoned_answer(
    reasoning: str, code_type: str, code: str, description: str | None = None
) -> str:
    """Format a stage-2/3 answer: ``<think>\\n…\\n</think>\\n`` followed by the answer line."""
    return f"{THINK_OPEN}\n{reasoning.strip()}\n{THINK_CLOSE}\n{format_answer(code_type, code, description)}"


@dataclass(frozen=True)
class CandidateLine:
    """One candidate code as the prompt lists it."""

    code_type: str
    code: str
    description: str

    @property
    def label(self) -> str:
        """``TYPE:CODE`` (the evaluation's label)."""
        return f"{self.code_type}:{self.code}"

    def line(self) -> str:
        """The prompt line: the answer layout, ``CODE_TYPE: CODE (description)``."""
        return format_answer(self.code_type, self.code, self.description)


def render_candidates(narrative: str, candidates: list[CandidateLine]) -> str:
    """The user turn with candidates: the narrative, a blank line, ``Candidates:``, one per line."""
    lines = "\n".join(c.line() for c in candidates)
    return f"{narrative.strip()}\n\n{CANDIDATES_HEADER}\n{lines}"


def narrative_prefix(candidate: CandidateLine) -> str:
    """The text the narrative follows when its likelihood under ``candidate`` is scored.

    >>> narrative_prefix(CandidateLine("ICD10", "E11.9", "Type 2 diabetes mellitus without complications"))
    'Diagnosis: Type 2 diabetes mellitus without complications\\nClinical note: '
    """
    head = NARRATIVE_HEADS.get(candidate.code_type, "Code")
    return f"{head}: {candidate.description}\nClinical note: "


def split_candidates(content: str) -> tuple[str, list[CandidateLine]]:
    """``(narrative, candidates)`` of a user turn; no candidate block gives ``(content, [])``.

    >>> text = render_candidates("Knee pain.", [CandidateLine("ICD10", "M25.561", "Pain in right knee")])
    >>> split_candidates(text)[1][0].code
    'M25.561'
    """
    marker = f"\n\n{CANDIDATES_HEADER}\n"
    if marker not in content:
        return content, []
    narrative, block = content.rsplit(marker, 1)
    candidates = []
    for line in block.splitlines():
        parsed = parse_answer(line)
        if parsed.well_formed and parsed.code_type and parsed.code:
            candidates.append(
                CandidateLine(parsed.code_type, parsed.code, parsed.description or "")
            )
    return narrative, candidates


def prompt_messages(
    narrative: str,
    stage: int = 1,
    system_prompt: str | None = None,
    candidates: list[CandidateLine] | None = None,
) -> list[dict[str, str]]:
    """System + user messages for a narrative (the model input at training and inference).

    With ``candidates`` (even an empty list) the candidate layout and its system prompt are
    used; ``None`` keeps the candidate-free format (``retrieval: null``).
    """
    if candidates is None:
        return [
            {"role": "system", "content": system_prompt or SYSTEM_PROMPTS[stage]},
            {"role": "user", "content": narrative},
        ]
    return [
        {"role": "system", "content": system_prompt or CANDIDATE_SYSTEM_PROMPTS[stage]},
        {"role": "user", "content": render_candidates(narrative, candidates)},
    ]


def build_stage_1_example(
    narrative: str,
    code_type: str,
    code: str,
    description: str | None = None,
    system_prompt: str | None = None,
    candidates: list[CandidateLine] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Stage-1 example: ``{"messages": [system, user, assistant]}`` plus any ``extra`` keys
    (with ``candidates``, the user turn lists them)."""
    messages = prompt_messages(narrative, 1, system_prompt, candidates)
    messages.append({"role": "assistant", "content": format_answer(code_type, code, description)})
    return {"messages": messages, **extra}


def build_stage_2_example(
    narrative: str,
    reasoning: str,
    code_type: str,
    code: str,
    description: str | None = None,
    system_prompt: str | None = None,
    candidates: list[CandidateLine] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Stage-2 example: like stage 1, with a ``<think>`` block before the answer."""
    messages = prompt_messages(narrative, 2, system_prompt, candidates)
    content = format_reasoned_answer(reasoning, code_type, code, description)
    messages.append({"role": "assistant", "content": content})
    return {"messages": messages, **extra}


def build_stage_3_example(
    narrative: str,
    chosen: str,
    rejected: str,
    system_prompt: str | None = None,
    candidates: list[CandidateLine] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Stage-3 example in TRL's conversational preference format.

    ``chosen`` and ``rejected`` are full assistant answers (see :func:`format_reasoned_answer`).
    """
    return {
        "prompt": prompt_messages(narrative, 3, system_prompt, candidates),
        "chosen": [{"role": "assistant", "content": chosen}],
        "rejected": [{"role": "assistant", "content": rejected}],
        **extra,
    }


def _first_content(messages: Any, role: str) -> str | None:
    if not isinstance(messages, list):
        return None
    for message in messages:
        if isinstance(message, dict) and message.get("role") == role:
            content = message.get("content")
            return content if isinstance(content, str) else None
    return None


def get_user_content(example: dict[str, Any]) -> str | None:
    """The whole user turn (narrative and, if present, its candidate block)."""
    if "messages" in example:
        return _first_content(example["messages"], "user")
    return _first_content(example.get("prompt"), "user")


def get_narrative(example: dict[str, Any]) -> str | None:
    """The user narrative of a stage 1/2 (``messages``) or stage 3 (``prompt``) example,
    without the candidate block."""
    content = get_user_content(example)
    return None if content is None else split_candidates(content)[0]


def get_candidates(example: dict[str, Any]) -> list[CandidateLine]:
    """The candidates listed in an example's prompt (``[]`` in the candidate-free format)."""
    content = get_user_content(example)
    return [] if content is None else split_candidates(content)[1]


def get_system_prompt(example: dict[str, Any]) -> str | None:
    """The system prompt of an example, if it has one."""
    return _first_content(example.get("messages", example.get("prompt")), "system")


def get_answer_text(example: dict[str, Any], which: str = "chosen") -> str | None:
    """The assistant answer: the last assistant message, or ``chosen``/``rejected`` for stage 3."""
    if "messages" in example and isinstance(example["messages"], list):
        answers = [
            m.get("content")
            for m in example["messages"]
            if isinstance(m, dict) and m.get("role") == "assistant"
        ]
        return answers[-1] if answers and isinstance(answers[-1], str) else None
    return _first_content(example.get(which), "assistant")


def get_gold(example: dict[str, Any]) -> ParsedAnswer:
    """Parse the reference answer of an example (``chosen`` for stage 3)."""
    return parse_answer(get_answer_text(example))


def code_category(code_type: str | None, code: str | None) -> str | None:
    """The family a code belongs to, used for partial credit.

    ICD-10-CM: the 3-character category (``E11.65`` → ``E11``). CPT: the first 3 digits
    (a range of related services). HCPCS: the letter and first two digits (``J1100`` → ``J11``).
    """
    if not code or not code_type:
        return None
    return code.replace(".", "")[:3]


@dataclass(frozen=True)
class Grade:
    """How a predicted answer compares with the gold one."""

    exact: bool  # same code type and same code
    code_type_match: bool
    category_match: bool  # same code type and same family (see code_category)
    well_formed: bool


def grade(pred: ParsedAnswer, gold: ParsedAnswer) -> Grade:
    """Grade ``pred`` against ``gold`` (exact match, code-type match, category match)."""
    type_match = pred.code_type is not None and pred.code_type == gold.code_type
    exact = type_match and pred.code is not None and pred.code == gold.code
    category = type_match and code_category(pred.code_type, pred.code) == code_category(
        gold.code_type, gold.code
    )
    return Grade(exact, type_match, category, pred.well_formed)


__all__ = [
    "CANDIDATES_HEADER",
    "CANDIDATE_SYSTEM_PROMPTS",
    "CODE_TYPES",
    "NARRATIVE_HEADS",
    "STAGE_1_SYSTEM_PROMPT",
    "STAGE_2_SYSTEM_PROMPT",
    "STAGE_3_SYSTEM_PROMPT",
    "SYSTEM_PROMPTS",
    "CandidateLine",
    "Grade",
    "ParsedAnswer",
    "build_stage_1_example",
    "build_stage_2_example",
    "build_stage_3_example",
    "canonical_code_type",
    "code_category",
    "format_answer",
    "format_reasoned_answer",
    "get_answer_text",
    "get_candidates",
    "get_gold",
    "get_narrative",
    "get_system_prompt",
    "get_user_content",
    "grade",
    "narrative_prefix",
    "parse_answer",
    "prompt_messages",
    "render_candidates",
    "split_candidates",
    "split_reasoning",
]
