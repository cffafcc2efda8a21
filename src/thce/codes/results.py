"""The outcome of validating one code, with suggestions computed on first read.

>>> from thce.codes import CodeValidator
>>> result = CodeValidator().validate("E11.99")
>>> result.suggestions_computed
False
>>> result.error_message, result.suggestions_computed
('E11.99 is not an ICD-10-CM code; did you mean E11.9?', True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (function, argument): called once, on first read, to give (error_message, suggestions).
Pending = tuple[Callable[[Any], tuple[str | None, list[str]]], Any]
_FIELDS = (
    "is_valid",
    "code",
    "code_type",
    "description",
    "category",
    "billable",
    "parent_code",
    "error_message",
    "suggestions",
    "alternatives",
    "input",
)


class ValidationResult:
    """Outcome of validating one code.

    ``code`` is the normalised code (``E11.9``); ``input`` what was given. For a string
    that is valid in two systems (``A0100``: ICD-10-CM ``A01.00`` and HCPCS ``A0100``) the
    result describes one system and ``alternatives`` holds the other(s).

    ``error_message`` and ``suggestions`` may be computed on first read (typo suggestions
    cost tens of microseconds each; a batch of a million codes should not pay for them up
    front). Reading either fills in both.
    """

    __slots__ = (
        "_alternatives",
        "_error_message",
        "_pending",
        "_suggestions",
        "billable",
        "category",
        "code",
        "code_type",
        "description",
        "input",
        "is_valid",
        "parent_code",
    )
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __init__(
        self,
        is_valid: bool,
        code: str,
        code_type: str | None,
        description: str | None = None,
        category: str | None = None,
        billable: bool | None = None,
        parent_code: str | None = None,
        error_message: str | None = None,
        suggestions: list[str] | None = None,
        alternatives: list[ValidationResult] | None = None,
        input: str = "",
        *,
        pending: Pending | None = None,
    ) -> None:
        self.is_valid = is_valid
        self.code = code
        self.code_type = code_type
        self.description = description
        self.category = category
        self.billable = billable
        self.parent_code = parent_code
        self.input = input
        # Empty lists are created on first read: most results never need them.
        self._error_message = error_message
        self._suggestions = suggestions
        self._alternatives = alternatives
        self._pending = pending

    # -- lazily computed fields ----------------------------------------------------------
    def _resolve(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._error_message, self._suggestions = pending[0](pending[1])

    @property
    def error_message(self) -> str | None:
        """Why the code is not valid (or, for a header, not billable); ``None`` when fine."""
        if self._pending is not None:
            self._resolve()
        return self._error_message

    @error_message.setter
    def error_message(self, value: str | None) -> None:
        self._resolve()
        self._error_message = value

    @property
    def suggestions(self) -> list[str]:
        """Likely intended codes (typos) or billable codes under a header, best first."""
        if self._pending is not None:
            self._resolve()
        if self._suggestions is None:
            self._suggestions = []
        return self._suggestions

    @suggestions.setter
    def suggestions(self, value: list[str]) -> None:
        self._resolve()
        self._suggestions = value

    @property
    def alternatives(self) -> list[ValidationResult]:
        """The same string read in another system where it is also valid (``A0100``)."""
        if self._alternatives is None:
            self._alternatives = []
        return self._alternatives

    @alternatives.setter
    def alternatives(self, value: list[ValidationResult]) -> None:
        self._alternatives = value

    @property
    def suggestions_computed(self) -> bool:
        """False while suggestions wait for their first read (see the class docstring)."""
        return self._pending is None

    # -- conveniences ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready) with the field names above; alternatives nested."""
        data = {name: getattr(self, name) for name in _FIELDS}
        data["suggestions"] = list(self.suggestions)
        data["alternatives"] = [alt.to_dict() for alt in self.alternatives]
        return data

    def flatten(self) -> list[ValidationResult]:
        """This result followed by its alternatives (one entry per system)."""
        return [self, *self.alternatives]

    def __bool__(self) -> bool:
        return self.is_valid

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _FIELDS)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS)
        return f"ValidationResult({fields})"

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # Pickle the computed fields, never the pending closure (it holds the validator).
        return (self.__class__, tuple(getattr(self, name) for name in _FIELDS))
