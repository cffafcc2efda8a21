"""Language detection for the preprocessing filter (English only).

Uses ``lingua`` built for a handful of languages: its models ship in the wheel,
so it works offline, and restricting the candidates keeps it accurate on short clinical
sentences. ``from_all_languages()`` would cost ~1 GB and mislabel clinical English.

Clinical shorthand ("Pt c/o SOB x 2d. CXR: RLL infiltrate.") is ambiguous to any detector, so
a text counts as foreign only when another language wins *clearly* (confidence at least
``min_confidence``, 0.5 by default); anything ambiguous stays English.

    >>> guess = detect_language("Paciente de 58 años con diabetes tipo 2 sin complicaciones.")
    >>> (guess.language, guess.is_english)
    ('es', False)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

# ISO 639-1 codes of the candidate languages: English plus the languages clinical notes in
# US/EU datasets most often come in. Few candidates = small memory and fewer mislabels.
CANDIDATE_LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "pt", "it")
DEFAULT_MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class LanguageGuess:
    """Result of :func:`detect_language`.

    ``language`` is the most likely ISO 639-1 code; ``confidence`` its probability;
    ``english_confidence`` the probability of English; ``is_english`` the filter's decision.
    """

    language: str
    confidence: float
    english_confidence: float
    is_english: bool


@cache
def _detector() -> Any:
    """Build the lingua detector once, on first use (loading models takes about a second)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    languages = [getattr(IsoCode639_1, code.upper()) for code in CANDIDATE_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*languages).build()


def detect_language(text: str, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> LanguageGuess:
    """Guess the language of ``text`` and decide whether it passes the English-only filter.

    Empty text or text without letters counts as English (nothing to judge; other filters
    handle it).
    """
    if not any(ch.isalpha() for ch in text):
        return LanguageGuess("en", 0.0, 0.0, True)
    return _guess(_detector().compute_language_confidence_values(text), min_confidence)


def detect_languages(
    texts: list[str], min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> list[LanguageGuess]:
    """:func:`detect_language` for many texts; lingua spreads the work over threads."""
    todo = [i for i, text in enumerate(texts) if any(ch.isalpha() for ch in text)]
    guesses = [LanguageGuess("en", 0.0, 0.0, True)] * len(texts)
    if not todo:
        return guesses
    batch = _detector().compute_language_confidence_values_in_parallel([texts[i] for i in todo])
    for index, values in zip(todo, batch, strict=True):
        guesses[index] = _guess(values, min_confidence)
    return guesses


def _guess(values: Any, min_confidence: float) -> LanguageGuess:
    top = values[0]
    top_code = top.language.iso_code_639_1.name.lower()
    english = next((v.value for v in values if v.language.iso_code_639_1.name.lower() == "en"), 0.0)
    is_english = top_code == "en" or top.value < min_confidence
    return LanguageGuess(top_code, float(top.value), float(english), is_english)


def english_score(guess: LanguageGuess) -> float:
    """How English a text looks, in [0, 1]: 1 when English wins, else its share of the winner.

    >>> english_score(LanguageGuess("es", 0.24, 0.18, True))
    0.75
    """
    if guess.language == "en" or guess.confidence <= 0:
        return 1.0
    return round(min(1.0, guess.english_confidence / guess.confidence), 3)


__all__ = [
    "CANDIDATE_LANGUAGES",
    "DEFAULT_MIN_CONFIDENCE",
    "LanguageGuess",
    "detect_language",
    "detect_languages",
    "english_score",
]
