"""Lookups the validator makes by the million, kept apart from :class:`CodeDatabase`'s API.

    >>> from thce.codes import get_database
    >>> db = get_database("ICD10")
    >>> db.spellings()["E119"], db.current_row("E11.9")[2], db.continuations("E11")
    ('E11.9', True, '012345689A')

Each answers an already normalised code or an exact spelling without normalising it, and
builds what it needs on first use: ``spellings`` (~30 ms for ICD-10-CM), the sorted dot-free
spellings behind ``continuations`` (memo bounded by the number of code prefixes).
"""

from __future__ import annotations

import bisect


class ValidationLookups:
    """Mixed into :class:`~thce.codes.database.CodeDatabase` (uses its columns)."""

    code_type: str
    _codes: list[str]  # (properties on CodeDatabase)
    _index: dict[str, int]
    _descriptions: list[str]
    _billable: str
    _common: set[str]
    _terminations: dict[str, str]

    def _init_lookups(self) -> None:
        self._spellings: dict[str, str] | None = None
        self._current_spellings: dict[str, bool] | None = None
        self._bare_sorted: list[str] | None = None
        self._continuations: dict[str, str] = {}

    def _category_at(self, i: int, code: str | None = None) -> str:  # from CodeDatabase
        raise NotImplementedError

    def _parent_at(self, i: int, code: str | None = None) -> str | None:  # from CodeDatabase
        raise NotImplementedError

    def _terminated(self, normalized: str) -> bool:  # provided by CodeDatabase
        raise NotImplementedError

    def current_row(self, normalized_code: str) -> tuple[str, str, bool, str | None] | None:
        """``(description, category, billable, parent_code)`` of a current code, else ``None``.

        The subset of :meth:`entry` a valid validation result needs, without building an
        :class:`Entry` (batch validation calls this once per distinct code).
        """
        i = self._index.get(normalized_code)
        if i is None or (self._terminations and self._terminated(normalized_code)):
            return None
        return (
            self._descriptions[i],
            self._category_at(i, normalized_code),
            self._billable[i] == "1",
            self._parent_at(i, normalized_code),
        )

    def current_flags(self, normalized_code: str) -> tuple[bool, bool] | None:
        """``(common, billable)`` of a current code; ``None`` if unknown or terminated.

        The cheap subset of :meth:`entry` that ranking typo suggestions needs.
        """
        i = self._index.get(normalized_code)
        if i is None or (self._terminations and self._terminated(normalized_code)):
            return None
        return normalized_code in self._common, self._billable[i] == "1"

    def spellings(self) -> dict[str, str]:
        """Exact spelling -> code: each code, and for ICD-10-CM also its dot-free form.

        ``E11.9`` and ``E119`` both map to ``E11.9``. Built on first use (~30 ms for
        ICD-10-CM) and kept: batch validation and typo suggestions look strings up here
        without normalising them first.
        """
        if self._spellings is None:
            spellings = dict(zip(self._codes, self._codes, strict=True))
            if self.code_type == "ICD10":
                bare = [c.replace(".", "") for c in self._codes]
                spellings.update(zip(bare, self._codes, strict=True))
            self._spellings = spellings
        return self._spellings

    def current_spellings(self) -> dict[str, bool]:
        """:meth:`spellings` of current (not terminated) codes, each mapped to ``True``.

        Built once; batch validity checks copy it (``dict.update`` is a C-level copy).
        """
        if self._current_spellings is None:
            spellings = self.spellings()
            if self._terminations:
                spellings = {k: v for k, v in spellings.items() if not self._terminated(v)}
            self._current_spellings = dict.fromkeys(spellings, True)
        return self._current_spellings

    def continuations(self, prefix: str) -> str:
        """The characters that follow ``prefix`` in some code's dot-free spelling.

        ``continuations("E11")`` is ``"012345689A"`` (E11.0 ... E11.9, E11.A); ``""`` when
        no code starts with ``prefix``. Typo suggestions use it to build only candidates that can
        be codes. Answers for real prefixes are remembered (at most one per prefix of a
        code, so the memory stays bounded).
        """
        known = self._continuations.get(prefix)
        if known is not None:
            return known
        bare = self._bare_sorted
        if bare is None:
            spellings = self.spellings()
            bare = self._bare_sorted = sorted(k for k in spellings if "." not in k)
        low = bisect.bisect_left(bare, prefix)
        if low == len(bare) or not bare[low].startswith(prefix):
            return ""
        # Codes are upper-case ASCII, so every code starting with prefix sorts below this.
        high = bisect.bisect_left(bare, prefix + "\x7f", low)
        depth = len(prefix)
        chars = "".join(sorted({code[depth] for code in bare[low:high] if len(code) > depth}))
        self._continuations[prefix] = chars
        return chars
