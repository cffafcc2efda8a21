"""Is this a real code, what does it mean, and what did the user probably mean?

    >>> v = CodeValidator()
    >>> r = v.validate("e119")
    >>> r.is_valid, r.code, r.code_type, r.description
    (True, 'E11.9', 'ICD10', 'Type 2 diabetes mellitus without complications')
    >>> v.validate("E11.99").error_message
    'E11.99 is not an ICD-10-CM code; did you mean E11.9?'
    >>> [x.code_type for x in [v.validate("J1100"), *v.validate("J1100").alternatives]]
    ['ICD10', 'HCPCS']

Results are cached per validator (a bounded cache) and shared between calls: treat them as
read-only. Typo suggestions, and the error message that quotes the first of them, are
computed when a caller first reads ``suggestions`` or ``error_message``: a million codes
validate without paying for suggestions nobody reads.

Speed comes from three things: :meth:`CodeValidator.validate_batch` validates each distinct
string once and maps the rest through the cache; a string spelled exactly like a code
(``E11.9``, ``E119``, ``99213``) is found by one dictionary lookup per system, with no
normalising; and :meth:`CodeValidator.is_valid_batch` answers validity alone with one
dictionary lookup per string (no result objects), the fastest way to check many codes.
"""

from __future__ import annotations

import gc
import itertools
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
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
    shorten,
)
from thce.codes.results import Pending, ValidationResult
from thce.codes.suggest import MAX_SUGGESTIONS, suggest

# Results kept per validator and code system. A batch may overshoot it by its own distinct
# strings; the oldest entries go first. ~250 bytes a result: 200k results ~ 50 MB.
DEFAULT_MAX_CACHE = 200_000
_MODIFIER_SPLIT = re.compile(r"[^A-Z0-9.]")
_FULL_IMPORT_HINT = {
    "CPT": "THCE ships only common CPT codes; load your licensed file with "
    "`thce codes import-cpt FILE` to check every code",
    "HCPCS": "THCE ships only common HCPCS codes; import the full CMS file with "
    "`thce codes import-hcpcs FILE` to check every code",
}


class CodeValidator:
    """Validate ICD-10-CM, CPT and HCPCS codes against THCE's databases.

    ``max_cache`` bounds the results kept per code system (oldest dropped first).

    >>> CodeValidator().validate("I1O").suggestions[:2]
    ['I10', 'I11']
    """

    def __init__(self, max_cache: int = DEFAULT_MAX_CACHE) -> None:
        self.max_cache = max(1, int(max_cache))
        self._dbs: dict[str, CodeDatabase] = {}
        self._caches: dict[str | None, dict[Any, ValidationResult]] = {
            None: {},
            **{system: {} for system in CODE_TYPES},
        }
        # For is_valid_batch: string -> valid?, primed with the exact spellings of current
        # codes (True); other strings met on the way are added (bounded by max_cache).
        self._verdicts: dict[str | None, defaultdict[Any, bool]] = {}
        self._base_verdicts: dict[str | None, int] = {}
        self._suggested: dict[tuple[str, str], list[str]] = {}

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
            if len(cache) >= self.max_cache:
                self._evict(cache, len(cache) - self.max_cache + 1)
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
            return _lookup_all(cache, items)
        except (KeyError, TypeError):
            pass
        try:
            distinct = set(items)
        except TypeError:  # unhashable items: take the slow path for all
            return [self.validate(item, system) for item in items]
        todo = distinct.difference(cache)
        room = self.max_cache - len(cache)
        if len(todo) > room:  # make room, oldest first; a huge batch overshoots for a moment
            self._evict(cache, min(len(cache), len(todo) - room))
            todo = distinct.difference(cache)
        exact = self._exact_lookup(system) if len(todo) > 64 else None
        # Building many results triggers the cyclic garbage collector again and again, and
        # each full pass walks every object alive (the databases too): up to half the time
        # of a cold batch. Nothing here needs it; it runs as usual afterwards.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for item in todo:
                result = exact(item) if exact is not None and item.__class__ is str else None
                if result is None:
                    result = self._validate_uncached(item, system)
                cache[item] = result
            results = _lookup_all(cache, items)
        finally:
            if gc_was_enabled:
                gc.enable()
        if len(cache) > self.max_cache:
            self._evict(cache, len(cache) - self.max_cache)
        return results

    def is_valid(self, code: str, code_type: str | None = None) -> bool:
        """Shortcut for ``validate(code, code_type).is_valid``."""
        return self.validate(code, code_type).is_valid

    def is_valid_batch(self, codes: Iterable[str], code_type: str | None = None) -> list[bool]:
        """``[validate(c, code_type).is_valid for c in codes]``, without building results.

        Strings spelled exactly like a current code are answered by one dictionary lookup
        each; only the others (lower case, spaces, typos) go through :meth:`validate`, once.

        >>> CodeValidator().is_valid_batch(["E11.9", "e119", "E11.99"])
        [True, True, False]
        """
        system = parse_code_type(code_type)
        items = codes if isinstance(codes, list | tuple) else list(codes)
        if not items:
            return []
        verdicts = self._verdicts.get(system)
        if verdicts is None or len(verdicts) > self._base_verdicts[system] + self.max_cache:
            verdicts = self._verdicts[system] = self._build_verdicts(system)
        before = len(verdicts)
        try:
            # One C-level pass: a string never seen is added (as False) by the defaultdict,
            # so the new strings are exactly the keys past `before`, in insertion order.
            mask = (
                list(operator.itemgetter(*items)(verdicts))
                if len(items) > 1
                else [verdicts[items[0]]]
            )
        except TypeError:  # unhashable items
            return [self.validate(item, system).is_valid for item in items]
        if len(verdicts) == before:
            return mask
        new = list(itertools.islice(verdicts, before, None))
        # A string already in clean form (upper case, no spaces) that is not spelled like a
        # code cannot become one by normalising: it is invalid without a closer look. Most
        # new strings are typos in clean form: check them all at once first.
        if _all_clean(new):
            return mask
        rescued = {
            item
            for item in new
            if not (item.__class__ is str and clean_code(item) == item)
            and self.validate(item, system).is_valid
        }
        if not rescued:
            return mask
        for item in rescued:  # e119, " E11.9 ": valid spellings from now on
            verdicts[item] = True
        # Patch those rows: found by a C-level pass against the (small) rescued set.
        for i in itertools.compress(range(len(items)), map(rescued.__contains__, items)):
            mask[i] = True
        return mask

    def clear_cache(self) -> None:
        """Drop cached results and databases (e.g. after importing a full HCPCS file)."""
        self._dbs.clear()
        self._verdicts.clear()
        self._suggested.clear()
        for cache in self._caches.values():
            cache.clear()

    # -- cache and exact lookups -----------------------------------------------------------------
    @staticmethod
    def _evict(cache: dict[Any, ValidationResult], count: int) -> None:
        """Drop the ``count`` oldest entries (dicts keep insertion order)."""
        if count >= len(cache):
            cache.clear()
            return
        for key in list(itertools.islice(cache, count)):
            del cache[key]

    def _systems(self, system: str | None) -> tuple[str, ...]:
        return CODE_TYPES if system is None else (system,)

    def _exact_lookup(self, system: str | None) -> Callable[[str], ValidationResult | None]:
        """A function answering strings spelled exactly like a code, else ``None``.

        It gives the result the full path would give: same system order for strings valid
        in two systems, same header messages. Terminated codes are left to the full path.
        """
        tables = [(s, self.database(s)) for s in self._systems(system)]
        tables = [(s, db, db.spellings(), db.current_row) for s, db in tables]
        finish_header = self._finish_header

        def exact(raw: str) -> ValidationResult | None:
            found = None
            for s, _db, spellings, current_row in tables:
                code = spellings.get(raw)
                if code is None:
                    continue
                row = current_row(code)
                if row is None:  # terminated: the full path explains
                    return None
                description, category, billable, parent = row
                pending = (finish_header, code) if not billable and s == "ICD10" else None
                result = ValidationResult(
                    True,
                    code,
                    s,
                    description,
                    category,
                    billable,
                    parent,
                    None,
                    None,
                    None,
                    raw,
                    pending=pending,
                )
                if found is None:
                    found = result
                else:
                    found.alternatives.append(result)
            return found

        return exact

    def _build_verdicts(self, system: str | None) -> defaultdict[Any, bool]:
        """Every exact spelling of a current code in ``system`` (all systems for ``None``)."""
        verdicts: defaultdict[Any, bool] = defaultdict(bool)
        for s in self._systems(system):
            verdicts.update(self.database(s).current_spellings())
        self._base_verdicts[system] = len(verdicts)
        return verdicts

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
            return ValidationResult(
                False, text, None, input=raw, pending=(self._finish_no_format, text)
            )
        if len(systems) == 1:
            return self._check(text, systems[0], raw)
        # Valid in two formats (J1100): valid in either system wins; else merge both answers.
        results = [self._check(text, s, raw) for s in systems]
        valid = [r for r in results if r.is_valid]
        if valid:
            primary = valid[0]
            primary.alternatives = [r for r in valid if r is not primary]
            return primary
        return ValidationResult(
            False, text, None, input=raw, pending=(self._finish_merged, results)
        )

    def _entry_result(self, system: str, code: str, raw: str) -> ValidationResult | None:
        """The valid result for a code known to be in ``system`` (``None`` if terminated)."""
        entry = self.database(system).entry(code)
        if entry is None or entry.is_terminated():
            return None
        pending = None
        if not entry.billable and system == "ICD10":
            pending = (self._finish_header, code)
        return ValidationResult(
            True,
            code,
            system,
            entry.description,
            entry.category,
            entry.billable,
            entry.parent_code,
            input=raw,
            pending=pending,
        )

    def _check(self, text: str, system: str, raw: str) -> ValidationResult:
        # Messages for invalid codes are built when first read (with their suggestions).
        if not FORMAT_RES[system].match(text):
            return ValidationResult(
                False, text, system, input=raw, pending=(self._finish_typo, (True, text, system))
            )
        db = self.database(system)
        code = icd10_with_dot(text) if system == "ICD10" else text
        entry = db.entry(code)
        if entry is None:
            return ValidationResult(
                False, code, system, input=raw, pending=(self._finish_typo, (False, code, system))
            )
        if entry.is_terminated():
            name = SYSTEM_NAMES[system]
            return ValidationResult(
                False,
                code,
                system,
                entry.description,
                entry.category,
                False,
                entry.parent_code,
                error_message=f"{name} {code} was terminated on {_date(entry.termination_date)} "
                "and is not a current code",
                input=raw,
            )
        return self._entry_result(system, code, raw)  # type: ignore[return-value]

    def _note_other_systems(self, result: ValidationResult, text: str, system: str) -> None:
        """A code checked as the wrong system: say where it is valid (when the message is read)."""
        pending = result._pending
        if pending is None:  # a terminated code: its message is already there
            result.error_message = f"{result.error_message}{self._other_systems_note(text, system)}"
        else:  # the note comes after the (not yet computed) "did you mean ...?"
            result._pending = (self._finish_with_note, (pending, text, system))

    def _other_systems_note(self, text: str, system: str) -> str:
        note = ""
        for other in detect_code_type(text):
            if other == system:
                continue
            code = icd10_with_dot(text) if other == "ICD10" else text
            if self.database(other).entry(code) is not None:
                note += f"; note: {code} is a valid {SYSTEM_NAMES[other]} code (--type {other})"
        return note

    # -- deferred parts (run on first read of error_message / suggestions) ------------------------
    def _suggest(self, code: str, system: str) -> list[str]:
        """:func:`suggest`, remembered: a string met typed and untyped is worked out once."""
        key = (system, code)
        found = self._suggested.get(key)
        if found is None:
            if len(self._suggested) >= self.max_cache:
                self._suggested.clear()
            found = self._suggested[key] = suggest(self.database(system), code, system)
        return list(found)

    def _finish_typo(self, args: tuple[bool, str, str]) -> tuple[str, list[str]]:
        malformed, code, system = args
        name = SYSTEM_NAMES[system]
        if malformed:
            message = (
                f"{shorten(code)} is not a well-formed {name} code "
                f"(expected {FORMAT_HINTS[system]})"
            )
        else:
            message = f"{code} is not {_article(name)} {name} code"
            if not self.database(system).is_full:
                message += f" in THCE's bundled set ({_FULL_IMPORT_HINT[system]})"
        suggestions = self._suggest(code, system)
        if suggestions:
            message += f"; did you mean {suggestions[0]}?"
        return message, suggestions

    def _finish_header(self, code: str) -> tuple[str, list[str]]:
        suggestions = self.database("ICD10").billable_descendants(code, limit=MAX_SUGGESTIONS)
        level = "category" if len(code) == 3 else "subcategory"
        message = f"ICD-10-CM {code} is a {level} header, not billable"
        if suggestions:
            message += f"; use a more specific code such as {suggestions[0]}"
        return message, suggestions

    def _finish_with_note(self, args: tuple[Pending, str, str]) -> tuple[str, list[str]]:
        (function, argument), text, system = args
        message, suggestions = function(argument)
        return f"{message}{self._other_systems_note(text, system)}", suggestions

    def _finish_merged(self, results: list[ValidationResult]) -> tuple[str, list[str]]:
        merged = list(dict.fromkeys(s for r in results for s in r.suggestions))
        message = "; ".join(r.error_message or "" for r in results)
        return message, merged[:MAX_SUGGESTIONS]

    def _finish_no_format(self, text: str) -> tuple[str, list[str]]:
        suggestions: list[str] = []
        head = _MODIFIER_SPLIT.split(text, maxsplit=1)[0]
        if head != text:  # "99213-25", "J1100 JW": a code followed by a modifier
            suggestions += [r.code for r in self.validate(head).flatten() if r.is_valid]
        for system in CODE_TYPES:
            suggestions += self._suggest(text, system)
        suggestions = list(dict.fromkeys(suggestions))[:MAX_SUGGESTIONS]
        message = f"{shorten(text)} is not a well-formed ICD-10-CM, CPT or HCPCS code"
        message += (
            f"; did you mean {suggestions[0]}?" if suggestions else " (e.g. E11.9, 99213, J1100)"
        )
        return message, suggestions


# Anything clean_code() would change in an ASCII string: whitespace, lower case, a final dot
# (items are joined with NUL, so "a final dot" is one before a NUL or at the very end).
_UNCLEAN = re.compile(r"\s|[a-z]|\.(?:\x00|\Z)")


def _all_clean(items: set[Any]) -> bool:
    """True when every item is an ASCII string that :func:`clean_code` leaves as it is."""
    try:
        joined = "\x00".join(items)  # one C-level scan instead of a call per item
    except TypeError:  # not all strings
        return False
    return joined.isascii() and _UNCLEAN.search(joined) is None


def _lookup_all(table: dict[Any, ValidationResult], items: list | tuple) -> list:
    """``[table[item] for item in items]``, in C.

    ``itemgetter`` fills a tuple of known size: about twice as fast as ``list(map(...))``
    on a million items, which grows its list step by step.
    """
    if len(items) > 1:
        return list(operator.itemgetter(*items)(table))
    return [table[item] for item in items]


def _article(name: str) -> str:
    return "an" if name.startswith("ICD") else "a"


def _date(value: str | None) -> str:
    text = str(value)
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if len(text) == 8 and text.isdigit() else text
