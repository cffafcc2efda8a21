"""Medical vocabulary: words that NER-only name and place hits are checked against.

spaCy's small English model tags capitalised clinical words as people or places
("Hemoglobin was 9.1", "Diffuse wheezing", "Mycoplasma pneumonia"). A hit without any name
cue (title, "patient", "daughter", credentials...) whose every word is medical vocabulary is
dropped. The vocabulary is built on first use, once per process, from:

- the descriptions of the shipped code databases (``thce.codes.get_database`` for ICD10, CPT
  and HCPCS; ~98k ICD-10-CM descriptions give ~8k clinical words): every word written in
  lower case, plus the capitalised first word of a description unless it is an eponym
  ("Wheezing" is kept, "Alport syndrome" and "Parkinson's disease" are not);
- THCE's own word lists (``thce.data.phi.lexicon``): clinical note words, lab names and
  abbreviations (Hb, Hgb, INR, eGFR...), drug names, organism genera.

Words that are also common given names or surnames (``NAME_LIKE_WORDS``: Black, Young, Iris,
Crystal...) never count as medical here, so a bare "Crystal Young" found by NER stays a name.

>>> is_medical_word("Hemoglobin"), is_medical_word("Mycoplasma"), is_medical_word("Okafor")
(True, True, False)
>>> is_medical_word("Young")  # a surname too: left to the other evidence
False
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable

from thce.data.phi.lexicon import (
    CLINICAL_WORDS,
    COMMON_CAPITALIZED,
    DRUG_NAMES,
    EPONYM_HEADS,
    KNOWN_EPONYMS,
    MEDICAL_SUFFIX_RE,
    NAME_LIKE_WORDS,
    ORGANISM_GENERA,
)
from thce.data.phi.words import is_non_name_word
from thce.logging import logger

CODE_SYSTEMS: tuple[str, ...] = ("ICD10", "CPT", "HCPCS")

# Lower-case words of two letters or more, not glued to a capitalised word or an apostrophe
# ("Parkinson's" gives no "s").
_LOWER_WORD_RE = re.compile(r"(?<![A-Za-z'’])[a-z]{2,}(?![A-Za-z])")
# The capitalised first word of a description and the word after it ("Wheezing", "Alport
# syndrome"); hyphenated and possessive first words are eponyms ("Budd-Chiari", "Reye's").
_FIRST_WORD_RE = re.compile(r"^([A-Z][a-z]+)(?![\w'’-])[ \t,]*([A-Za-z]*)")
_PART_RE = re.compile(r"[A-Za-z]+")

_LOCK = threading.Lock()
_VOCABULARY: frozenset[str] | None = None
# Seconds the last build took (shown in docs/PHI.md; ~0.1 s plus loading the databases).
build_seconds: float | None = None


def description_words(descriptions: Iterable[str]) -> set[str]:
    """Lower-cased clinical words of code descriptions (see the module docstring).

    >>> sorted(description_words(["Wheezing", "Alport syndrome", "Pain in left knee"]))
    ['in', 'knee', 'left', 'pain', 'syndrome', 'wheezing']
    """
    texts = list(descriptions)
    words = set(_LOWER_WORD_RE.findall("\n".join(texts)))
    for text in texts:
        m = _FIRST_WORD_RE.match(text)
        if not m:
            continue
        first, following = m.group(1), m.group(2).lower()
        if first in KNOWN_EPONYMS or following in EPONYM_HEADS:
            continue
        words.add(first.lower())
    return words


def medical_vocabulary() -> frozenset[str]:
    """The lower-cased medical vocabulary, built on first use and cached for the process.

    If a code database cannot be loaded, the word lists of ``thce.data.phi.lexicon`` are used
    alone (logged at DEBUG): PHI detection never fails because of it.
    """
    global _VOCABULARY, build_seconds
    if _VOCABULARY is not None:
        return _VOCABULARY
    with _LOCK:
        if _VOCABULARY is None:
            started = time.perf_counter()
            words = set(CLINICAL_WORDS) | set(COMMON_CAPITALIZED) | set(DRUG_NAMES)
            words |= {g.lower() for g in ORGANISM_GENERA}
            words |= description_words(_code_descriptions())
            _VOCABULARY = frozenset(words - NAME_LIKE_WORDS)
            build_seconds = time.perf_counter() - started
            logger.debug(
                "PHI medical vocabulary: {} words in {:.2f} s", len(_VOCABULARY), build_seconds
            )
    return _VOCABULARY


def _code_descriptions() -> list[str]:
    # Imported lazily: thce.codes is only needed once a vocabulary is built.
    from thce.codes import get_database
    from thce.errors import THCEError

    descriptions: list[str] = []
    for system in CODE_SYSTEMS:
        try:
            descriptions.extend(get_database(system).descriptions())
        except (THCEError, OSError) as exc:
            logger.debug("PHI vocabulary: no {} descriptions ({})", system, exc)
    return descriptions


def is_medical_word(word: str) -> bool:
    """Whether a capitalised word is medical vocabulary rather than a name or a place.

    True for the clinical words, abbreviations, drug names and endings that
    :func:`~thce.data.phi.words.is_non_name_word` knows, medical word endings ("-itis"),
    organism genera, and words of :func:`medical_vocabulary` other than common names
    (``NAME_LIKE_WORDS``). Hyphenated words are medical when every part is
    ("Ventilator-associated") or when a combining form precedes a medical word
    ("Gastro-esophageal").
    """
    bare = re.sub(r"['’]s$", "", word.strip(".,;:!?'’\"()[]"))
    if not bare or is_non_name_word(bare) or bare in ORGANISM_GENERA:
        return True
    if len(bare) > 5 and MEDICAL_SUFFIX_RE.search(bare):
        return True
    if bare.lower() in NAME_LIKE_WORDS:
        return False
    parts = _PART_RE.findall(bare)
    if not parts:
        return True  # digits and symbols only
    vocabulary = medical_vocabulary()
    if all(p.lower() in vocabulary or len(p) == 1 for p in parts):
        return True
    # A combining form before a medical word: "Gastro-esophageal", "Cardio-pulmonary".
    return (
        len(parts) == 2
        and "-" in bare
        and parts[0].lower().endswith("o")
        and parts[1].lower() in vocabulary
    )


def all_medical(words: Iterable[str]) -> bool:
    """Whether every word is :func:`is_medical_word` (False for no words).

    >>> all_medical(["Diffuse"]), all_medical(["Rose", "Okafor"])
    (True, False)
    """
    seen = False
    for word in words:
        seen = True
        if not is_medical_word(word):
            return False
    return seen
