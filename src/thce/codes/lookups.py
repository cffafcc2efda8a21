"""How :class:`CodeDatabase` finds codes fast: lazily split columns, exact spellings, prefixes.

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

_TEXT_LOOKUPS = 16  # code lookups by searching the text before splitting and indexing
_TEXT_DESCRIPTIONS = 3  # descriptions cut from the text (each costs O(row)) before splitting


class ValidationLookups:
    """Mixed into :class:`~thce.codes.database.CodeDatabase` (uses its columns)."""

    code_type: str
    _billable: str
    _common: set[str]
    _terminations: dict[str, str]

    def _init_lookups(self, codes: list[str] | str, descriptions: list[str] | str) -> None:
        # Columns may come as newline-joined text (the ICD-10-CM file): they are split, and
        # the code index built, on first bulk use. Until then the first few lookups search
        # the text (a cold `thce codes validate E11.9` needs three, not a 98k-entry index).
        self._codes_text = codes if isinstance(codes, str) else None
        self._codes_list = None if isinstance(codes, str) else codes
        self._descriptions_text = descriptions if isinstance(descriptions, str) else None
        self._descriptions_list = None if isinstance(descriptions, str) else descriptions
        self._index_dict: dict[str, int] | None = None
        self._text_lookups_left = _TEXT_LOOKUPS if self._codes_text is not None else 0
        self._text_descriptions_left = _TEXT_DESCRIPTIONS
        self._spellings: dict[str, str] | None = None
        self._current_spellings: dict[str, bool] | None = None
        self._bare_sorted: list[str] | None = None
        self._continuations: dict[str, str] = {}

    # -- columns, split on first use ----------------------------------------------------------
    @property
    def _codes(self) -> list[str]:
        if self._codes_list is None:
            self._codes_list = (self._codes_text or "").split("\n")
        return self._codes_list

    @property
    def _descriptions(self) -> list[str]:
        if self._descriptions_list is None:
            self._descriptions_list = (self._descriptions_text or "").split("\n")
        return self._descriptions_list

    @property
    def _index(self) -> dict[str, int]:
        if self._index_dict is None:
            codes = self._codes
            self._index_dict = dict(zip(codes, range(len(codes)), strict=True))
            self._text_lookups_left = 0
        return self._index_dict

    def _find(self, code: str) -> int | None:
        """Row of ``code``: from the index, or (first few times) by searching the text."""
        if self._text_lookups_left <= 0:
            return self._index.get(code)
        self._text_lookups_left -= 1
        if "\n" in code:  # would match across lines of the text
            return None
        text = self._codes_text or ""
        if text.startswith(code + "\n") or text == code:
            return 0
        at = text.find(f"\n{code}\n")
        if at < 0:
            if not text.endswith(f"\n{code}"):
                return None
            at = len(text) - len(code) - 1
        return text.count("\n", 0, at + 1)

    def _description_at(self, i: int) -> str:
        # Cutting the text up to row i costs in proportion to i: fine for the odd lookup of a
        # cold single-code run, not beyond; then the column is split once.
        if self._descriptions_list is None and self._text_descriptions_left > 0:
            self._text_descriptions_left -= 1
            return (self._descriptions_text or "").split("\n", i + 1)[i]
        return self._descriptions[i]

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
