"""Typo suggestions: which real codes is a string one edit away from?

    >>> from thce.codes.database import get_database
    >>> suggest(get_database("ICD10"), "E11.99", "ICD10")[:2]
    ['E11.9', 'E11.69']

Candidates are every string one edit away from the input (look-alike swaps such as O/0,
a missing 7th-character placeholder, a transposition, a deletion, a substitution or an
insertion), ranked by (edit cost, same category, common, billable, code). They are built as
sets and looked up among the database's spellings (:meth:`CodeDatabase.spellings`) in one
C-level pass per kind of edit, so a suggestion costs tens of microseconds rather than
hundreds; the validator still computes them only when a caller reads them (see
:class:`thce.codes.ValidationResult`).
"""

from __future__ import annotations

from thce.codes.database import CodeDatabase
from thce.codes.formats import icd10_with_dot

_DIGITS = "0123456789"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + _DIGITS
# The characters each position of a dot-free code can hold, from the format rules in
# thce.codes.formats (QA0 explains the A in ICD-10-CM's second position). A candidate with
# any other character cannot be a code, so it is never built: this is what keeps a
# suggestion cheap (e.g. 55 candidates instead of 180 for a CPT substitution).
POSITION_ALPHABETS: dict[str, tuple[str, ...]] = {
    "ICD10": (ALPHABET[:26], _DIGITS + "A", _DIGITS + "AB", *[ALPHABET] * 4),
    "CPT": (*[_DIGITS] * 4, _DIGITS + "FTUM"),
    "HCPCS": (ALPHABET[:22], *[_DIGITS] * 4),
}
MAX_SUGGESTIONS = 5
# Characters people and OCR confuse, both ways (letter O for digit 0, I/l for 1, ...).
CONFUSABLE: dict[str, str] = {
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
# Edit costs; a candidate outside the input's 3-character category pays CATEGORY_COST more.
_COST_EXACT, _COST_SWAP, _COST_DELETE, _COST_REPLACE, _COST_INSERT = 0.0, 1.0, 1.5, 2.0, 2.5
CATEGORY_COST = 1.5
_MAX_LENGTH = 10  # longer strings are not near any code: no candidates (and no work)


def suggest(db: CodeDatabase, code: str, system: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Likely intended codes for ``code`` (already cleaned), which is not in ``db``.

    ``system`` is ``db``'s code system. ICD-10-CM gets one more fallback: when nothing is
    one edit away, the billable codes under the nearest existing ancestor (``Z99.999`` ->
    ``Z99.2``...).
    """
    bare = code.replace(".", "")
    if not bare or len(bare) > _MAX_LENGTH:
        return []
    spellings = db.spellings()
    costs: dict[str, float] = {}

    def add(candidates: set[str] | list[str], cost: float) -> None:
        # filter() keeps the membership test in C; only real codes reach the Python loop.
        for spelling in filter(spellings.__contains__, candidates):
            candidate = spellings[spelling]
            if candidate not in costs or cost < costs[candidate]:
                costs[candidate] = cost

    add([bare], _COST_EXACT)  # only the dot was misplaced: E1.19 -> E11.9
    add(confusable_variants(bare), _COST_EXACT)
    if system == "ICD10" and bare[-1].isalpha() and 4 <= len(bare) < 7:
        # Missing 7th-character placeholder: S020A -> S02.0XXA.
        add([bare[:-1] + "X" * (7 - len(bare)) + bare[-1]], _COST_EXACT)
    n = len(bare)
    add({bare[:i] + bare[i + 1] + bare[i] + bare[i + 2 :] for i in range(n - 1)}, _COST_SWAP)
    add({bare[:i] + bare[i + 1 :] for i in range(n)}, _COST_DELETE)
    # Substitutions and insertions at position i: only characters that continue bare[:i]
    # in some code (see CodeDatabase.continuations), and none past a prefix no code has.
    # The empty prefix is continued by nearly every letter: the format's alphabet is cheaper.
    alphabets = POSITION_ALPHABETS.get(system) or (ALPHABET,) * _MAX_LENGTH
    replace: set[str] = set()
    insert: set[str] = set()
    for i in range(min(n + 1, len(alphabets))):
        chars = alphabets[i] if i < 1 else db.continuations(bare[:i])
        if not chars:
            break  # no code starts with bare[:i], nor with any longer prefix of bare
        head = bare[:i]
        if i < n:
            tail = bare[i + 1 :]
            replace.update([head + ch + tail for ch in chars])
        tail = bare[i:]
        insert.update([head + ch + tail for ch in chars])
    if n <= len(alphabets):  # a substitution keeps the length
        add(replace, _COST_REPLACE)
    if n < len(alphabets):  # an insertion adds one character
        add(insert, _COST_INSERT)

    prefix = code[:3]
    ranked: list[tuple[float, bool, bool, str]] = []
    for candidate, cost in costs.items():
        if candidate == code:
            continue
        flags = db.current_flags(candidate)
        if flags is None:  # terminated
            continue
        # Rank: cheaper edit, same category, common, billable.
        penalty = 0.0 if candidate[:3] == prefix else CATEGORY_COST
        ranked.append((cost + penalty, not flags[0], not flags[1], candidate))
    ranked.sort()
    found = [item[3] for item in ranked[:limit]]
    if found or system != "ICD10":
        return found
    # Nothing one edit away: offer billable codes under the nearest existing ancestor.
    for cut in range(len(bare) - 1, 2, -1):
        ancestor = icd10_with_dot(bare[:cut])
        if db.entry(ancestor) is not None:
            if db.is_billable(ancestor):
                return [ancestor]
            return db.billable_descendants(ancestor, limit=limit)
    return []


def confusable_variants(bare: str) -> list[str]:
    """Every way of swapping look-alike characters (at most 4 positions, 15 variants)."""
    variants = [bare]
    for i in [i for i, ch in enumerate(bare) if ch in CONFUSABLE][:4]:
        swapped = CONFUSABLE[bare[i]]
        variants += [v[:i] + swapped + v[i + 1 :] for v in variants]
    return variants[1:]
