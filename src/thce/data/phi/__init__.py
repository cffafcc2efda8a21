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

Modules, bottom to top (a module imports only modules on its line or the lines above):

- ``lexicon``, ``clinical_terms`` (word lists) and ``spans`` (``PHISpan``, labels, merging)
- ``words``: what can be part of a name, and the cues that announce one
- ``vocabulary``: medical words (from the code databases, built on first use)
- ``context``: ``TextContext``, a text plus the medical eponyms it protects
- ``base`` (what a recognizer is) and ``headers`` (names in headers and tables)
- ``cues``, ``id_families`` (shared finders) and the recognizers by kind: ``names``, ``ages``,
  ``dates``, ``facilities``, ``hl7``, ``identifiers``, ``places``, ``tables``, ``unique_ids``
- ``recognizers``: every recognizer by name, in run order (the one place that says it)
- ``ner``, ``scrubber``, ``evaluation``: spaCy NER, the scrubber, scoring on annotated notes

The names below load lazily (PEP 562), so importing one module, e.g. ``thce.data.phi.spans``,
does not load spaCy or the recognizers.
"""

from __future__ import annotations

from thce._lazy import lazy_exports

_EXPORTS = {
    "AnnotatedNote": "thce.data.phi.evaluation",
    "PHIEvaluation": "thce.data.phi.evaluation",
    "evaluate": "thce.data.phi.evaluation",
    "load_annotated": "thce.data.phi.evaluation",
    "SPACY_MODELS": "thce.data.phi.ner",
    "load_nlp": "thce.data.phi.ner",
    "RECOGNIZERS": "thce.data.phi.recognizers",
    "Recognizer": "thce.data.phi.base",
    "get_recognizers": "thce.data.phi.recognizers",
    "PHIScrubber": "thce.data.phi.scrubber",
    "apply_placeholders": "thce.data.phi.scrubber",
    "PHI_LABELS": "thce.data.phi.spans",
    "PHISpan": "thce.data.phi.spans",
    "merge_spans": "thce.data.phi.spans",
    "is_medical_word": "thce.data.phi.vocabulary",
    "medical_vocabulary": "thce.data.phi.vocabulary",
}

__getattr__ = lazy_exports("thce.data.phi", _EXPORTS)


def available_recognizers() -> list[str]:
    """Names accepted by ``PHIScrubber(recognizers=[...])``.

    >>> "date" in available_recognizers()
    True
    """
    from thce.data.phi.recognizers import RECOGNIZERS

    return sorted(RECOGNIZERS)


__all__ = sorted([*_EXPORTS, "available_recognizers"])
