"""One code system's codes in memory: :class:`CodeDatabase` (lookups, records, hierarchy).

The data is held column-wise and records are built on demand; which file a database comes
from, and the per-process cache, are :mod:`thce.codes.database`.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from thce.codes.formats import clean_code, cpt_category, hcpcs_category, icd10_with_dot
from thce.codes.lookups import ValidationLookups
from thce.errors import CodeError

RECORD_FIELDS: tuple[str, ...] = ("code", "description", "category", "billable", "parent_code")


def today_ymd() -> str:
    """Today's date as ``YYYYMMDD`` (what termination dates are compared with)."""
    return dt.date.today().strftime("%Y%m%d")


class Entry(NamedTuple):
    """One code's data as the validator needs it (a light, tuple-shaped record)."""

    code: str
    description: str
    category: str
    billable: bool
    parent_code: str | None
    common: bool
    termination_date: str | None

    def is_terminated(self, today: str | None = None) -> bool:
        """True when the code's termination date has passed (``YYYYMMDD`` strings)."""
        return bool(self.termination_date) and str(self.termination_date) < (today or today_ymd())


class CodeDatabase(ValidationLookups):
    """All codes of one system, keyed by normalised code.

    Records (:meth:`get`, :meth:`records`) are dicts with the seed schema (``code``,
    ``description``, ``category``, ``billable``, ``parent_code``) plus ``common`` (in THCE's
    common-codes list); imported HCPCS codes may add ``termination_date``, ICD-10-CM codes
    add ``block`` and ``chapter``. Data is held column-wise and records are built on demand,
    which keeps loading the 98k ICD-10-CM codes fast.
    """

    def __init__(
        self,
        code_type: str,
        codes: list[str] | str,
        descriptions: list[str] | str,
        billable: str,
        metadata: dict[str, Any],
        *,
        categories: list[str] | None = None,
        parents: list[str | None] | None = None,
        common: set[str] | None = None,
        terminations: dict[str, str] | None = None,
        source: Path | None = None,
        chapters: dict[str, str] | None = None,
        blocks: dict[str, dict[str, str]] | None = None,
        category_blocks: dict[str, str] | None = None,
        inclusion_terms: dict[str, list[str]] | None = None,
    ) -> None:
        n_codes, n_descriptions = _length(codes), _length(descriptions)
        if not (n_codes == n_descriptions == len(billable)):
            raise CodeError(
                f"Code database {source}: columns differ in length ({n_codes} codes, "
                f"{n_descriptions} descriptions, {len(billable)} billable flags); re-create it."
            )
        self.code_type = code_type
        self.metadata = metadata
        self.source = source
        self._billable = billable
        self._categories = categories
        self._parents = parents
        self._common = common or set()
        self._terminations = terminations or {}
        self._chapters = chapters or {}
        self._blocks = blocks or {}
        self._category_blocks = category_blocks or {}
        self._inclusion_terms = inclusion_terms or {}
        self._children: dict[str, list[str]] | None = None
        self._descendants: dict[tuple[str, int | None], list[str]] = {}
        self._init_lookups(codes, descriptions)  # columns may stay text until bulk use
        self.load_seconds: float | None = None  # set by get_database (shown by `codes stats`)

    # -- basic access -------------------------------------------------------------------
    @property
    def is_full(self) -> bool:
        """True for a complete code set (ICD-10-CM, imported CPT/HCPCS), False for samples."""
        return bool(self.metadata.get("complete", False))

    @property
    def is_official(self) -> bool:
        """True when descriptions are the publisher's (False for THCE's own wording)."""
        return bool(self.metadata.get("official", False))

    def normalize(self, code: str) -> str:
        """Normalise ``code`` the way this system stores it (ICD-10-CM gets its dot)."""
        text = clean_code(code)
        return icd10_with_dot(text) if self.code_type == "ICD10" else text

    def entry(self, normalized_code: str) -> Entry | None:
        """The :class:`Entry` for an already normalised code (the validator's fast path)."""
        i = self._find(normalized_code)
        if i is None:
            return None
        return Entry(
            normalized_code,
            self._description_at(i),
            self._category_at(i, normalized_code),
            self._billable[i] == "1",
            self._parent_at(i, normalized_code),
            normalized_code in self._common,
            self._terminations.get(normalized_code),
        )

    def has_code(self, normalized_code: str) -> bool:
        """True when an already normalised code is in the database (no normalising)."""
        return normalized_code in self._index

    def get(self, code: str) -> dict[str, Any] | None:
        """The record for ``code`` (any spelling: ``e119`` works), or ``None``."""
        entry = self.entry(self.normalize(code))
        return None if entry is None else self._record(entry)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.normalize(code) in self._index

    def __len__(self) -> int:
        return len(self._codes)

    def __repr__(self) -> str:
        kind = "full" if self.is_full else "partial"
        return f"CodeDatabase({self.code_type}, {len(self)} codes, {kind})"

    def codes(self) -> Iterator[str]:
        """Every code, in file order (sorted for the shipped files)."""
        return iter(self._codes)

    def descriptions(self) -> list[str]:
        """Descriptions in the order of :meth:`codes` (a copy)."""
        return list(self._descriptions)

    def current_entries(self) -> Iterator[tuple[str, str, bool]]:
        """``(code, description, billable)`` for every code that is not terminated (fast)."""
        today = today_ymd()
        terminations = self._terminations
        for code, description, flag in zip(
            self._codes, self._descriptions, self._billable, strict=True
        ):
            if terminations and str(terminations.get(code) or "99999999") < today:
                continue
            yield code, description, flag == "1"

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record as a dict (see the class docstring)."""
        return (self._record(self.entry(code)) for code in self._codes)  # type: ignore[arg-type]

    def description(self, code: str) -> str | None:
        """Description of ``code`` or ``None`` when unknown."""
        i = self._index.get(self.normalize(code))
        return None if i is None else self._descriptions[i]

    def is_billable(self, code: str) -> bool:
        """True when ``code`` exists, is billable (an ICD-10-CM leaf) and is not terminated."""
        normalized = self.normalize(code)
        i = self._index.get(normalized)
        if i is None or self._billable[i] != "1":
            return False
        return not self._terminated(normalized)

    def billable_codes(self) -> list[str]:
        """Every billable, current code (fast; e.g. 74.7k for ICD-10-CM)."""
        codes = [c for c, flag in zip(self._codes, self._billable, strict=True) if flag == "1"]
        return [c for c in codes if not self._terminated(c)] if self._terminations else codes

    def _terminated(self, normalized: str) -> bool:
        date = self._terminations.get(normalized)
        return bool(date) and str(date) < today_ymd()

    def is_common(self, code: str) -> bool:
        """True when ``code`` is in THCE's list of common codes for this system."""
        return self.normalize(code) in self._common

    def common_codes(self) -> list[str]:
        """Codes flagged common (~500 for ICD-10-CM; the curated lists for CPT/HCPCS)."""
        return [code for code in self._codes if code in self._common]

    def mark_common(self, codes: Iterable[str]) -> None:
        """Flag ``codes`` (those present) as common."""
        self._common.update(code for code in codes if code in self._index)

    def _category_at(self, i: int, code: str | None = None) -> str:
        if self._categories is not None:
            return self._categories[i]
        code = code or self._codes[i]
        if self.code_type == "ICD10":
            return code[:3]
        return cpt_category(code) if self.code_type == "CPT" else hcpcs_category(code)

    def _parent_at(self, i: int, code: str | None = None) -> str | None:
        if self._parents is not None:
            return self._parents[i]
        if self.code_type != "ICD10":
            return None
        # The parent is the longest shorter prefix that is itself a code: E11.65 -> E11.6,
        # S02.0XXA -> S02.0 (placeholder X's are not codes), E11.9 -> E11.
        code = code or self._codes[i]
        if len(code) <= 3:
            return None
        candidate = code[:-1].rstrip(".")
        if self._text_lookups_left > 0:
            while len(candidate) > 3 and self._find(candidate) is None:
                candidate = candidate[:-1].rstrip(".")
            return candidate
        index = self._index
        while len(candidate) > 3 and candidate not in index:
            candidate = candidate[:-1].rstrip(".")
        return candidate

    def _record(self, entry: Entry) -> dict[str, Any]:
        record: dict[str, Any] = {
            "code": entry.code,
            "description": entry.description,
            "category": entry.category,
            "billable": entry.billable and not entry.is_terminated(),
            "parent_code": entry.parent_code,
            "common": entry.common,
        }
        if entry.termination_date:
            record["termination_date"] = entry.termination_date
        if self.code_type == "ICD10":
            block = self._category_blocks.get(entry.category)
            if block:
                record["block"] = block
                record["chapter"] = self._blocks.get(block, {}).get("chapter")
        return record

    def inclusion_terms(self, code: str, inherited: bool = True) -> list[str]:
        """Synonyms the tabular list gives for ``code`` (ICD-10-CM inclusion terms).

        With ``inherited`` the terms of every ancestor follow the code's own: ``I50.22``
        inherits "Heart failure with reduced ejection fraction [HFrEF]" from ``I50.2``.
        Other systems have none.
        """
        normalized = self.normalize(code)
        terms = list(self._inclusion_terms.get(normalized, ()))
        if inherited:
            parent = self.parent_of(normalized)
            while parent:
                terms += self._inclusion_terms.get(parent, ())
                parent = self.parent_of(parent)
        return terms

    # -- hierarchy (ICD-10-CM) --------------------------------------------------------------
    def category_of(self, code: str) -> str:
        """Three-character category (``E11.9`` -> ``E11``); for CPT/HCPCS the section name."""
        normalized = self.normalize(code)
        i = self._index.get(normalized)
        if i is not None:
            return self._category_at(i)
        return normalized.replace(".", "")[:3] if self.code_type == "ICD10" else ""

    def parent_of(self, code: str) -> str | None:
        """Parent code (``E11.9`` -> ``E11``; categories and CPT/HCPCS codes have none)."""
        i = self._index.get(self.normalize(code))
        return None if i is None else self._parent_at(i)

    def children_of(self, code: str) -> list[str]:
        """Direct children of ``code`` (``E11`` -> ``E11.0``, ``E11.1``, ...)."""
        if self._children is None:
            children: dict[str, list[str]] = {}
            for i, child in enumerate(self._codes):
                parent = self._parent_at(i)
                if parent:
                    children.setdefault(parent, []).append(child)
            self._children = children
        return list(self._children.get(self.normalize(code), []))

    def billable_descendants(self, code: str, limit: int | None = None) -> list[str]:
        """Billable codes under ``code``: common first, then shorter, then in code order."""
        key = (code, limit)
        found = self._descendants.get(key)
        if found is None:  # headers recur in data: each is worked out once (a few thousand)
            found = self._descendants[key] = self._billable_descendants(code, limit)
        return list(found)

    def _billable_descendants(self, code: str, limit: int | None) -> list[str]:
        self.children_of(code)  # builds the child lists on first use
        children = self._children or {}
        billable, index = self._billable, self._index
        found: list[str] = []
        # Walk the stored child lists directly: normalising every node (children_of) made
        # a large category such as S72 cost milliseconds, and headers are common in data.
        stack = list(children.get(self.normalize(code), ()))
        while stack:
            current = stack.pop()
            if billable[index[current]] == "1":
                found.append(current)
            below = children.get(current)
            if below:
                stack.extend(below)

        # Common codes first, then the most general (shortest), then "unspecified" (.9)
        # codes, which are the usual default when nothing more is documented.
        def key(c: str) -> tuple[bool, int, bool, str]:
            return (c not in self._common, len(c), not c.endswith("9"), c)

        if limit:
            return heapq.nsmallest(limit, found, key=key)
        found.sort(key=key)
        return found

    def block_of(self, code: str) -> tuple[str, str] | None:
        """``(block, description)`` of an ICD-10-CM code, e.g. ``('E08-E13', ...)``."""
        block = self._category_blocks.get(self.category_of(code))
        if not block:
            return None
        return block, self._blocks.get(block, {}).get("description", "")

    def chapter_of(self, code: str) -> tuple[str, str] | None:
        """``(chapter number, title)`` of an ICD-10-CM code, e.g. ``('4', 'Endocrine...')``."""
        block = self._category_blocks.get(self.category_of(code))
        chapter = self._blocks.get(block or "", {}).get("chapter")
        if not chapter:
            return None
        return chapter, self._chapters.get(chapter, "")


def _length(column: list[str] | str) -> int:
    return column.count("\n") + 1 if isinstance(column, str) else len(column)


__all__ = ["RECORD_FIELDS", "CodeDatabase", "Entry", "today_ymd"]
