"""Is this a real code, what does it mean, and what did the user probably mean?

    >>> v = CodeValidator()
    >>> r = v.validate("e119")
    >>> r.is_valid, r.code, r.code_type, r.description
    (True, 'E11.9', 'ICD10', 'Type 2 diabetes mellitus without complications')
    >>> v.validate("E11.99").error_message
    'E11.99 is not an ICD-10-CM code; did you mean E11.9?'
    >>> [x.code_type for x in [v.validate("J1100"), *v.validate("J1100").alternatives]]
    ['ICD10', 'HCPCS']

Results are cached per validator and shared between calls: treat them as read-only.
:meth:`CodeValidator.validate_batch` validates each distinct string once and maps the rest
through the cache, which is what makes it fast on real data (codes repeat a lot).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from thce.codes.database import CodeDatabase, get_database
from thce.codes.formats import (
    CODE_TYPES,
    FORMAT_HINTS,
    FORMAT_RES,
    SYSTEM_NAMES,
    clean_code,
    detect_clean,
    detect_code_type,
    icd10_with_dot,
    parse_code_type,
)

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# Characters people and OCR confuse, both ways (letter O for digit 0, I/l for 1, ...).
_CONFUSABLE: dict[str, str] = {
    "O": "0",
    "0": "O",
    "I": "1",
    "L": "1",
    "1": "I",
    "S": "5",
    "5": "S",
    "Z": "2",
    "2": "Z",
    "B": "8",
    "8": "B",
    "G": "6",
    "Q": "0",
}
_MAX_CACHE = 1_000_000
_MODIFIER_SPLIT = re.compile(r"[^A-Z0-9.]")
_MAX_SUGGESTIONS = 5
_FULL_IMPORT_HINT = {
    "CPT": "THCE ships only common CPT codes; load your licensed file with "
    "`thce codes import-cpt FILE` to check every code",
    "HCPCS": "THCE ships only common HCPCS codes; import the full CMS file with "
    "`thce codes import-hcpcs FILE` to check every code",
}


@dataclass(slots=True)
class ValidationResult:
    """Outcome of validating one code.

    ``code`` is the normalised code (``E11.9``); ``input`` what was given. For a string
    that is valid in two systems (``A0100``: ICD-10-CM ``A01.00`` and HCPCS ``A0100``) the
    result describes one system and ``alternatives`` holds the other(s).
    """

    is_valid: bool
    code: str
    code_type: str | None
    description: str | None = None
    category: str | None = None
    billable: bool | None = None
    parent_code: str | None = None
    error_message: str | None = None
    suggestions: list[str] = field(default_factory=list)
    alternatives: list[ValidationResult] = field(default_factory=list)
    input: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready) with the field names above; alternatives nested."""
        data = asdict(self)
        data["alternatives"] = [alt.to_dict() for alt in self.alternatives]
        return data

    def flatten(self) -> list[ValidationResult]:
        """This result followed by its alternatives (one entry per system)."""
        return [self, *self.alternatives]

    def __bool__(self) -> bool:
        return self.is_valid


class CodeValidator:
    """Validate ICD-10-CM, CPT and HCPCS codes against THCE's databases.

    >>> CodeValidator().validate("I1O").suggestions[:2]
    ['I10', 'I11']
    """

    def __init__(self) -> None:
        self._dbs: dict[str, CodeDatabase] = {}
        self._caches: dict[str | None, dict[Any, ValidationResult]] = {
            None: {},
            **{system: {} for system in CODE_TYPES},
        }

    # -- public API --------------------------------------------------------------------------
    def database(self, code_type: str) -> CodeDatabase:
        """The database this validator uses for ``code_type`` (loaded on first use)."""
        db = self._dbs.get(code_type)  # fast path: already a canonical name
        if db is None:
            system = parse_code_type(code_type) or ""
            db = self._dbs.get(system)
            if db is None:
                db = self._dbs[system] = get_database(system)
        return db

    def validate(self, code: str, code_type: str | None = None) -> ValidationResult:
        """Validate one code; ``code_type`` (``ICD10``/``CPT``/``HCPCS``) or detect it.

        An unknown ``code_type`` raises :class:`~thce.errors.CodeError`; a bad code never
        raises, it gives ``is_valid=False`` with an ``error_message`` and ``suggestions``.
        """
        system = parse_code_type(code_type)
        cache = self._caches[system]
        try:
            result = cache.get(code)
        except TypeError:  # unhashable input such as a list
            return self._validate_uncached(code, system)
        if result is None:
            result = self._validate_uncached(code, system)
            if len(cache) >= _MAX_CACHE:
                cache.clear()
            cache[code] = result
        return result

    def validate_batch(
        self, codes: Iterable[str], code_type: str | None = None
    ) -> list[ValidationResult]:
        """Validate many codes; same results as :meth:`validate`, in input order.

        >>> [r.is_valid for r in CodeValidator().validate_batch(["E11.9", "99213", "nope"])]
        [True, True, False]
        """
        system = parse_code_type(code_type)
        items = codes if isinstance(codes, list | tuple) else list(codes)
        cache = self._caches[system]
        try:
            # Fast path: everything seen before -> one C-level pass over the cache.
            return list(map(cache.__getitem__, items))
        except (KeyError, TypeError):
            pass
        try:
            todo = set(items).difference(cache)
        except TypeError:  # unhashable items: take the slow path for all
            return [self.validate(item, system) for item in items]
        if len(cache) + len(todo) > _MAX_CACHE:
            cache.clear()
            todo = set(items)
        for item in todo:
            cache[item] = self._validate_uncached(item, system)
        return list(map(cache.__getitem__, items))

    def is_valid(self, code: str, code_type: str | None = None) -> bool:
        """Shortcut for ``validate(code, code_type).is_valid``."""
        return self.validate(code, code_type).is_valid

    def clear_cache(self) -> None:
        """Drop cached results and databases (e.g. after importing a full HCPCS file)."""
        self._dbs.clear()
        for cache in self._caches.values():
            cache.clear()

    # -- validation ----------------------------------------------------------------------------
    def _validate_uncached(self, code: Any, system: str | None) -> ValidationResult:
        raw = "" if code is None else str(code)
        text = clean_code(raw)
        if not text:
            return ValidationResult(
                False,
                "",
                system,
                error_message="Empty code: give an ICD-10-CM, CPT or HCPCS code such as "
                "E11.9, 99213 or J1100.",
                input=raw,
            )
        if system is not None:
            result = self._check(text, system, raw)
            if not result.is_valid:
                self._note_other_systems(result, text, system)
            return result
        systems = detect_clean(text)
        if not systems:
            return self._no_format(text, raw)
        if len(systems) == 1:
            return self._check(text, systems[0], raw)
        # Valid in two formats (J1100): look both up first, suggest only if neither is a code.
        results = [self._check(text, s, raw, suggest=False) for s in systems]
        valid = [r for r in results if r.is_valid]
        if valid:
            primary = valid[0]
            primary.alternatives = [r for r in valid if r is not primary]
            return primary
        results = [self._check(text, s, raw) for s in systems]
        merged = list(dict.fromkeys(s for r in results for s in r.suggestions))
        messages = "; ".join(r.error_message or "" for r in results)
        return ValidationResult(
            False,
            text,
            None,
            error_message=messages,
            suggestions=merged[:_MAX_SUGGESTIONS],
            input=raw,
        )

    def _check(self, text: str, system: str, raw: str, *, suggest: bool = True) -> ValidationResult:
        name = SYSTEM_NAMES[system]
        if not FORMAT_RES[system].match(text):
            suggestions = self._suggest(text, system) if suggest else []
            message = f"{text} is not a well-formed {name} code (expected {FORMAT_HINTS[system]})"
            if suggestions:
                message += f"; did you mean {suggestions[0]}?"
            return ValidationResult(
                False, text, system, error_message=message, suggestions=suggestions, input=raw
            )
        db = self.database(system)
        code = icd10_with_dot(text) if system == "ICD10" else text
        entry = db.entry(code)
        if entry is None:
            suggestions = self._suggest(code, system) if suggest else []
            message = f"{code} is not {_article(name)} {name} code"
            if not db.is_full:
                message += f" in THCE's bundled set ({_FULL_IMPORT_HINT[system]})"
            if suggestions:
                message += f"; did you mean {suggestions[0]}?"
            return ValidationResult(
                False, code, system, error_message=message, suggestions=suggestions, input=raw
            )
        description, category, billable, parent = (
            entry.description,
            entry.category,
            entry.billable,
            entry.parent_code,
        )
        if entry.is_terminated():
            return ValidationResult(
                False,
                code,
                system,
                description,
                category,
                False,
                parent,
                error_message=f"{name} {code} was terminated on {_date(entry.termination_date)} "
                "and is not a current code",
                input=raw,
            )
        message = None
        suggestions: list[str] = []
        if not billable and system == "ICD10":
            suggestions = db.billable_descendants(code, limit=_MAX_SUGGESTIONS)
            level = "category" if len(code) == 3 else "subcategory"
            message = f"ICD-10-CM {code} is a {level} header, not billable"
            if suggestions:
                message += f"; use a more specific code such as {suggestions[0]}"
        return ValidationResult(
            True,
            code,
            system,
            description,
            category,
            billable,
            parent,
            error_message=message,
            suggestions=suggestions,
            input=raw,
        )

    def _no_format(self, text: str, raw: str) -> ValidationResult:
        suggestions: list[str] = []
        head = _MODIFIER_SPLIT.split(text, maxsplit=1)[0]
        if head != text:  # "99213-25", "J1100 JW": a code followed by a modifier
            suggestions += [r.code for r in self.validate(head).flatten() if r.is_valid]
        for system in CODE_TYPES:
            suggestions += self._suggest(text, system)
        suggestions = list(dict.fromkeys(suggestions))[:_MAX_SUGGESTIONS]
        message = f"{text} is not a well-formed ICD-10-CM, CPT or HCPCS code"
        message += (
            f"; did you mean {suggestions[0]}?" if suggestions else " (e.g. E11.9, 99213, J1100)"
        )
        return ValidationResult(
            False, text, None, error_message=message, suggestions=suggestions, input=raw
        )

    def _note_other_systems(self, result: ValidationResult, text: str, system: str) -> None:
        """A code checked as the wrong system: say where it is valid."""
        for other in detect_code_type(text):
            if other == system:
                continue
            code = icd10_with_dot(text) if other == "ICD10" else text
            if self.database(other).entry(code) is not None:
                result.error_message = (
                    f"{result.error_message}; note: {code} is a valid {SYSTEM_NAMES[other]} "
                    f"code (--type {other})"
                )

    # -- suggestions -----------------------------------------------------------------------------
    def _suggest(self, code: str, system: str) -> list[str]:
        """Likely intended codes for a code that is not in ``system``'s database."""
        db = self.database(system)
        bare = code.replace(".", "")
        if not bare or len(bare) > 10:
            return []
        scores: dict[str, tuple[float, bool, bool, str]] = {}

        is_icd = system == "ICD10"
        known = db.has_code

        def add(candidate: str, cost: float) -> None:
            if is_icd and len(candidate) > 3:  # candidates are dot-free: place the dot
                candidate = f"{candidate[:3]}.{candidate[3:]}"
            if candidate == code or not known(candidate):  # cheap checks first
                return
            entry = db.entry(candidate)
            if entry is None or entry.is_terminated():
                return
            # Rank: cheaper edit, same category, common, billable.
            key = (
                cost + (0.0 if candidate[:3] == code[:3] else 1.5),
                not entry.common,
                not entry.billable,
                candidate,
            )
            if candidate not in scores or key < scores[candidate]:
                scores[candidate] = key

        add(bare, 0.0)  # only the dot was misplaced: E1.19 -> E11.9
        for candidate in _confusable_variants(bare):
            add(candidate, 0.0)
        if system == "ICD10" and bare[-1].isalpha() and 4 <= len(bare) < 7:
            # Missing 7th-character placeholder: S020A -> S02.0XXA.
            add(bare[:-1] + "X" * (7 - len(bare)) + bare[-1], 0.0)
        for i in range(len(bare) - 1):
            add(bare[:i] + bare[i + 1] + bare[i] + bare[i + 2 :], 1.0)
        for i in range(len(bare)):
            add(bare[:i] + bare[i + 1 :], 1.5)
            for ch in _ALPHABET:
                if ch != bare[i]:
                    add(bare[:i] + ch + bare[i + 1 :], 2.0)
        for i in range(len(bare) + 1):
            for ch in _ALPHABET:
                add(bare[:i] + ch + bare[i:], 2.5)
        ranked = sorted(scores, key=scores.__getitem__)[:_MAX_SUGGESTIONS]
        if ranked or system != "ICD10":
            return ranked
        # Nothing one edit away: offer billable codes under the nearest existing ancestor.
        for cut in range(len(bare) - 1, 2, -1):
            ancestor = icd10_with_dot(bare[:cut])
            if db.entry(ancestor) is not None:
                if db.is_billable(ancestor):
                    return [ancestor]
                return db.billable_descendants(ancestor, limit=_MAX_SUGGESTIONS)
        return []


def _confusable_variants(bare: str) -> list[str]:
    """Every way of swapping look-alike characters (at most 4 positions, 16 variants)."""
    positions = [i for i, ch in enumerate(bare) if ch in _CONFUSABLE][:4]
    variants = []
    for mask in itertools.product((False, True), repeat=len(positions)):
        if not any(mask):
            continue
        chars = list(bare)
        for flip, i in zip(mask, positions, strict=True):
            if flip:
                chars[i] = _CONFUSABLE[chars[i]]
        variants.append("".join(chars))
    return variants


def _article(name: str) -> str:
    return "an" if name.startswith("ICD") else "a"


def _date(value: str | None) -> str:
    text = str(value)
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if len(text) == 8 and text.isdigit() else text
