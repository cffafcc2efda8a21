"""The preprocessing steps, one function each, on a :class:`~thce.data.preprocess_records.Work`.

``phi`` (:func:`scrub_phi`), ``normalize`` (:func:`normalize_work`, text by
:func:`normalize_text`), ``code`` (:func:`standardise_codes`), ``length`` (:func:`check_length`),
``language`` (:func:`english_scores`) and the ``quality`` score (:func:`quality_components`,
:func:`quality_score`). A step changes the record in place and marks it changed, or raises
:class:`~thce.data.preprocess_records.Rejected`. Which steps run, in which order and with which
settings is :class:`thce.data.preprocess.Preprocessor`'s business.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from thce.data.formats import canonical_code_type, format_answer, split_reasoning
from thce.data.preprocess_records import Answer, Rejected, Work, answer_text
from thce.data.quality_checks import MIN_NARRATIVE_CHARS

# ---------------------------------------------------------------------------- normalisation
_PUNCT_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-", "\u2044": "/",
        "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
    }
)  # fmt: skip
# Unicode category Cc (C0 and C1 control characters) except tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE_RUN = re.compile(r"[^\S\n]+")
_SPACE_AROUND_NEWLINE = re.compile(r" *\n *")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,;:!?.])(?=\s|$)")
_REPEATED_PUNCT = re.compile(r"([!?,;])\1+")
_LONG_ELLIPSIS = re.compile(r"\.{4,}")
_WORD = re.compile(r"[^\W_]+")


def normalize_text(text: str, lowercase: bool = False) -> str:
    """Normalise unicode, whitespace and punctuation without touching clinical content.

    >>> normalize_text("BP\\u00a0140/90 ,  HbA1c 8.2 %\\u2014stable !!")
    'BP 140/90, HbA1c 8.2 %-stable!'
    """
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT_MAP)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SPACE_RUN.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    text = _REPEATED_PUNCT.sub(r"\1", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _LONG_ELLIPSIS.sub("...", text)
    text = text.strip()
    return text.lower() if lowercase else text


# ---------------------------------------------------------------------------- quality score
QUALITY_WEIGHTS: dict[str, float] = {
    "length": 0.25,
    "lexical": 0.15,
    "alpha": 0.10,
    "description": 0.15,
    "specificity": 0.15,
    "english": 0.10,
    "reasoning": 0.10,
}


def quality_components(
    narrative: str,
    has_description: bool,
    billable: bool | None,
    english: float,
    reasoning: str | None,
) -> dict[str, float]:
    """Each quality component in [0, 1] (see :func:`quality_score` for the formula)."""
    length = len(narrative)
    if length < 80:
        length_score = max(0.0, (length - MIN_NARRATIVE_CHARS) / 70)
    elif length <= 1500:
        length_score = 1.0
    else:
        length_score = max(0.5, 1.0 - 0.5 * (length - 1500) / 500)
    words = [w.casefold() for w in _WORD.findall(narrative)]
    lexical = min(1.0, (len(set(words)) / len(words)) / 0.5) if words else 0.0
    visible = len(narrative) - sum(map(str.isspace, narrative))
    letters = sum(map(str.isalpha, narrative))
    alpha = min(1.0, (letters / visible) / 0.6) if visible else 0.0
    components = {
        "length": length_score,
        "lexical": lexical,
        "alpha": alpha,
        "description": 1.0 if has_description else 0.0,
        "specificity": 0.5 if billable is False else 1.0,
        "english": max(0.0, min(1.0, english)),
    }
    if reasoning is not None:
        components["reasoning"] = min(1.0, len(_WORD.findall(reasoning)) / 25)
    return components


def quality_score(components: dict[str, float]) -> float:
    """Weighted mean of the components, rounded to 3 decimals.

    score = Σ wᵢ·sᵢ / Σ wᵢ over the components present, with weights
    length 0.25 (0 at 10 chars rising to 1 at 80, 1 up to 1500, down to 0.5 at 2000),
    lexical 0.15 (distinct/total words, full marks at 0.5), alpha 0.10 (letters among visible
    characters, full marks at 0.6), description 0.15 (the answer names the code), specificity
    0.15 (1 for billable/leaf codes, 0.5 for a non-billable category), english 0.10 (English's
    confidence relative to the top language) and, for reasoned examples only, reasoning 0.10
    (words in ``<think>``, full marks at 25).

    >>> quality_score({"length": 1.0, "description": 0.0})
    0.625
    """
    total = sum(QUALITY_WEIGHTS[name] for name in components)
    value = sum(QUALITY_WEIGHTS[name] * score for name, score in components.items()) / total
    return round(value, 3)


# ---------------------------------------------------------------------------- steps
def scrub_phi(works: list[Work], scrub_texts: Callable[[list[str]], list[str]]) -> None:
    """The ``phi`` step on a batch: narratives and reasonings go through ``scrub_texts`` at once."""
    texts: list[str] = []
    slots: list[tuple[Work, Answer | None]] = []
    for work in works:
        texts.append(work.narrative)
        slots.append((work, None))
        for answer in work.answers:
            if answer.reasoning:
                texts.append(answer.reasoning)
                slots.append((work, answer))
    if not texts:
        return
    for (work, answer), scrubbed in zip(slots, scrub_texts(texts), strict=True):
        if answer is None:
            if scrubbed != work.narrative:
                work.narrative = scrubbed
                work.mark("phi")
        elif scrubbed != answer.reasoning:
            answer.reasoning = scrubbed
            work.mark("phi")


def normalize_work(work: Work, lowercase: bool) -> None:
    """The ``normalize`` step: :func:`normalize_text` on the narrative, reasonings and
    descriptions (descriptions are never lower-cased)."""
    narrative = normalize_text(work.narrative, lowercase)
    if narrative != work.narrative:
        work.narrative = narrative
        work.mark("normalize")
    for answer in work.answers:
        if answer.reasoning:
            reasoning = normalize_text(answer.reasoning, lowercase)
            if reasoning != answer.reasoning:
                answer.reasoning = reasoning
                work.mark("normalize")
        if answer.description:
            # Descriptions keep their case: they are shown to the model as the answer.
            description = normalize_text(answer.description)
            if description != answer.description:
                answer.description = description
                work.mark("normalize")


def resolve_code_type(answer: Answer, get_validator: Callable[[], Any] | None) -> str:
    """The canonical code type of ``answer``: its own, or the one its code's format (and, when
    several fit, the code database) points to. ``get_validator=None``: no database look-up."""
    from thce.codes.formats import detect_code_type

    if answer.code_type:
        canonical = canonical_code_type(answer.code_type)
        if canonical is None:
            raise Rejected(
                "code", f"unknown code type {answer.code_type!r}; use ICD10, CPT or HCPCS"
            )
        return canonical
    candidates = detect_code_type(answer.code or "")
    if len(candidates) > 1 and get_validator is not None:
        validator = get_validator()
        candidates = [
            c for c in candidates if validator.validate(answer.code, c).is_valid
        ] or candidates
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise Rejected("code", f"code {answer.code!r} matches no code system's format")
    raise Rejected(
        "code",
        f"code {answer.code!r} could be {' or '.join(candidates)}; add a code_type column",
    )


def standardise_codes(work: Work, get_validator: Callable[[], Any] | None) -> None:
    """The ``code`` step: standard code types and codes, checked against the code database
    (``get_validator`` returns a :class:`thce.codes.CodeValidator`; ``None`` skips that check)."""
    from thce.codes.formats import matches_format, normalize_code

    before = [(a.code_type, a.code, a.description) for a in work.answers]
    for answer in work.answers:
        answer.code_type = resolve_code_type(answer, get_validator)
        answer.code = normalize_code(answer.code or "", answer.code_type)
        if answer.label == "rejected":
            if not matches_format(answer.code, answer.code_type):
                raise Rejected(
                    "code", f"rejected: {answer.code_type} code {answer.code!r} is malformed"
                )
            continue
        if get_validator is None:
            continue
        result = get_validator().validate(answer.code, answer.code_type)
        if not result.is_valid:
            message = result.error_message or "not a valid code"
            raise Rejected("code", f"{answer.code_type} code {answer.code}: {message}")
        answer.code = result.code or answer.code
        if not answer.description and result.description:
            answer.description = result.description
        work.billable = getattr(result, "billable", None)
    if len(work.answers) == 2:
        chosen, rejected = work.answers
        if answer_text(chosen).strip() == answer_text(rejected).strip():
            raise Rejected("code", "rejected answer is identical to chosen")
    if [(a.code_type, a.code, a.description) for a in work.answers] != before:
        work.mark("code")
    for answer in work.answers:
        # Stage-format input: the parser already canonicalised the parts, so compare the
        # answer line as written with its standard form.
        if answer.original is not None and answer.code_type and answer.code:
            written = split_reasoning(answer.original)[1].strip()
            if written != format_answer(answer.code_type, answer.code, answer.description):
                work.mark("code")


def check_length(work: Work, min_length: int, max_length: int) -> None:
    """The ``length`` step: the narrative has ``min_length`` to ``max_length`` characters."""
    length = len(work.narrative.strip())
    if length < min_length:
        raise Rejected("length", f"narrative has {length} characters, minimum is {min_length}")
    if length > max_length:
        raise Rejected("length", f"narrative has {length} characters, maximum is {max_length}")


def english_scores(works: list[Work], min_confidence: float) -> list[float | None]:
    """The ``language`` step: English score per record, ``None`` for a record the language
    filter removes (its ``language_reason`` says why).

    The detector runs on the whole batch at once (lingua spreads it over threads).
    """
    if not works:
        return []
    from thce.data.language import detect_languages, english_score

    scores: list[float | None] = []
    guesses = detect_languages([w.narrative for w in works], min_confidence)
    for work, guess in zip(works, guesses, strict=True):
        if guess.is_english:
            scores.append(english_score(guess))
        else:
            work.language_reason = (
                f"narrative looks {guess.language} ({guess.confidence:.2f}), not English"
            )
            scores.append(None)
    return scores


__all__ = [
    "QUALITY_WEIGHTS",
    "check_length",
    "english_scores",
    "normalize_text",
    "normalize_work",
    "quality_components",
    "quality_score",
    "resolve_code_type",
    "scrub_phi",
    "standardise_codes",
]
