"""Medical vocabulary: words that NER-only name and place hits are checked against.

spaCy's small English model tags capitalised clinical words as people or places
("Hemoglobin was 9.1", "Diffuse wheezing", "Mycoplasma pneumonia"). A hit without any name
cue (title, "patient", "daughter", credentials...) whose every word is medical vocabulary is
dropped. The vocabulary is built on first use, once per process, from:

- the descriptions of the shipped code databases (``thce.codes.get_database`` for ICD10, CPT
  and HCPCS; ~98k ICD-10-CM descriptions give ~8k clinical words): every word written in
  lower case, plus the capitalised first word of a description unless it is an eponym
  ("Wheezing" is kept, "Alport syndrome" and "Parkinson's disease" are not);
- THCE's own word lists (``thce.data.phi.clinical_terms``): clinical note words, lab names and
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

from thce.data.phi.clinical_terms import (
    CLINICAL_WORDS,
    COMMON_CAPITALIZED,
    DEVICE_NAMES,
    DRUG_NAMES,
    MEDICAL_SUFFIX_RE,
    ORGANISM_GENERA,
)
from thce.data.phi.lexicon import EPONYM_HEADS, KNOWN_EPONYMS, NAME_LIKE_WORDS
from thce.data.phi.words import is_non_name_word
from thce.logging import logger

CODE_SYSTEMS: tuple[str, ...] = ("ICD10", "CPT", "HCPCS")

# Descriptions are tokenised as ASCII bytes: every byte but letters and the apostrophe becomes
# a space, and the unique tokens are filtered. On 7 MB of ICD-10-CM text this is ~2x faster
# than a regex with look-arounds ("Parkinson's" stays one token, so it gives no "s").
_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'")
_TO_SPACES = bytes(c if c in _LETTERS else 32 for c in range(256))
# A capitalised first word ("Wheezing"); hyphenated and possessive ones are eponyms.
_FIRST_WORD_RE = re.compile(r"[A-Z][a-z]+,?")
_LEADING_LETTERS_RE = re.compile(r"[A-Za-z]*")
_PART_RE = re.compile(r"[A-Za-z]+")

_LOCK = threading.Lock()
_VOCABULARY: frozenset[str] | None = None
# Seconds the last build took (~0.2 s once the code databases are loaded; see docs/PHI.md).
build_seconds: float | None = None


def description_words(descriptions: Iterable[str]) -> set[str]:
    """Lower-cased clinical words of code descriptions (see the module docstring).

    >>> sorted(description_words(["Wheezing", "Alport syndrome", "Pain in left knee"]))
    ['in', 'knee', 'left', 'pain', 'syndrome', 'wheezing']
    """
    texts = descriptions if isinstance(descriptions, list) else list(descriptions)
    data = "\n".join(texts).encode("ascii", "replace").translate(_TO_SPACES)
    words = {token.strip(b"'").decode() for token in set(data.split()) if token.islower()}
    words = {w for w in words if len(w) > 1 and w.isalpha()}
    # The first word of a description is capitalised: kept unless an eponym ("Alport
    # syndrome", "Reye's syndrome", "Budd-Chiari").
    for pair in {tuple(text.split(None, 2)[:2]) for text in texts}:
        first = pair[0] if pair else ""
        if not _FIRST_WORD_RE.fullmatch(first) or first.rstrip(",") in KNOWN_EPONYMS:
            continue
        following = _LEADING_LETTERS_RE.match(pair[1] if len(pair) > 1 else "")
        if following is None or following.group().lower() not in EPONYM_HEADS:
            words.add(first.rstrip(",").lower())
    return words


def medical_vocabulary() -> frozenset[str]:
    """The lower-cased medical vocabulary, built on first use and cached for the process.

    If a code database cannot be loaded, the word lists of ``thce.data.phi.clinical_terms`` are
    used alone (logged at DEBUG): PHI detection never fails because of it.
    """
    global _VOCABULARY, build_seconds
    if _VOCABULARY is not None:
        return _VOCABULARY
    with _LOCK:
        if _VOCABULARY is None:
            started = time.perf_counter()
            words = set(CLINICAL_WORDS) | set(COMMON_CAPITALIZED) | set(DRUG_NAMES)
            words |= DEVICE_NAMES
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
    # Plurals of medical words ("Radiographs", "Comedones").
    low = bare.lower()
    if (
        len(parts) == 1
        and len(low) > 6
        and low.endswith("s")
        and (low[:-1] in vocabulary or (low.endswith("es") and low[:-2] in vocabulary))
    ):
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
