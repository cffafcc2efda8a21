"""PHI detection and removal for clinical narratives (HIPAA Safe Harbor identifiers).

``PHIScrubber`` combines rule-based recognizers (looked up by name in ``RECOGNIZERS``) with
spaCy's small English NER, and replaces what it finds with typed placeholders
(``[NAME]``, ``[DATE]``, ``[PHONE]``... see ``PHI_LABELS``). It leaves medical content alone:
eponyms in context ("Parkinson disease", "Wilson disease"), codes (E11.9, 99213, J1100),
doses and vitals ("BP 140/90", "25/100 mg"), durations ("in 2 weeks"), ages up to 89 and
bare years. Design, choices and measured numbers: ``docs/PHI.md``.

Example::

    >>> from thce.data.phi import PHIScrubber
    >>> scrubber = PHIScrubber()  # doctest: +SKIP
    >>> scrubber.scrub("Dr. Smith saw Jane Roe (MRN: 12345678) on 3/14/2024 for Crohn's disease.")  # doctest: +SKIP
    'Dr. [NAME] saw [NAME] (MRN: [MRN]) on [DATE] for Crohn's disease.'
    >>> text, spans = scrubber.scrub_with_report("Call 555-123-4567")  # doctest: +SKIP
    >>> [(s.start, s.end, s.label) for s in spans]  # doctest: +SKIP
    [(5, 17, 'PHONE')]
"""

from __future__ import annotations

from thce.data.phi.evaluation import AnnotatedNote, PHIEvaluation, evaluate, load_annotated
from thce.data.phi.ner import SPACY_MODELS, load_nlp
from thce.data.phi.recognizers import RECOGNIZERS, Recognizer, get_recognizers
from thce.data.phi.scrubber import PHIScrubber, apply_placeholders
from thce.data.phi.spans import PHI_LABELS, PHISpan, merge_spans
from thce.data.phi.vocabulary import is_medical_word, medical_vocabulary


def available_recognizers() -> list[str]:
    """Names accepted by ``PHIScrubber(recognizers=[...])``.

    >>> "date" in available_recognizers()
    True
    """
    return sorted(RECOGNIZERS)


__all__ = [
    "PHI_LABELS",
    "RECOGNIZERS",
    "SPACY_MODELS",
    "AnnotatedNote",
    "PHIEvaluation",
    "PHIScrubber",
    "PHISpan",
    "Recognizer",
    "apply_placeholders",
    "available_recognizers",
    "evaluate",
    "get_recognizers",
    "is_medical_word",
    "load_annotated",
    "load_nlp",
    "medical_vocabulary",
    "merge_spans",
]
