"""Rule-based PHI recognizers, looked up by name in a registry.

Each recognizer takes a :class:`~thce.data.phi.context.TextContext` and yields
:class:`~thce.data.phi.spans.PHISpan` objects. They live in small modules by kind
(:mod:`.identifiers`, :mod:`.unique_ids`, :mod:`.dates`, :mod:`.places`, :mod:`.names`) and register themselves on
import; this module imports them all and is the one to use.

>>> from thce.data.phi.context import TextContext
>>> [s.label for s in RECOGNIZERS["ssn"].func(TextContext("SSN 123-45-6789"))]
['SSN']
>>> [s.label for s in RECOGNIZERS["date"].func(TextContext("BP 140/90, seen 3/14/2024"))]
['DATE']
"""

from __future__ import annotations

# Imported for their registrations, in the order recognizers run.
from thce.data.phi import (  # noqa: F401
    ages,
    dates,
    facilities,
    hl7,
    identifiers,
    names,
    places,
    tables,
    unique_ids,
)
from thce.data.phi.names import propagate_names
from thce.data.phi.registry import RECOGNIZERS, Recognizer, get_recognizers, register
from thce.data.phi.words import clean_name_tokens, is_non_name_word, looks_medical

__all__ = [
    "RECOGNIZERS",
    "Recognizer",
    "clean_name_tokens",
    "get_recognizers",
    "is_non_name_word",
    "looks_medical",
    "propagate_names",
    "register",
]
