"""The three code databases: loading, caching and lookups.

    >>> db = get_database("ICD10")
    >>> db.get("E11.9")["description"]
    'Type 2 diabetes mellitus without complications'
    >>> "E11.9" in db, db.parent_of("E11.9"), db.category_of("E11.9")
    (True, 'E11', 'E11')

Where each database comes from (first match wins):

- ICD10: ``data/code_databases/icd10cm.json.gz`` (the full FY2026 release, shipped).
- CPT: ``$THCE_HOME/code_databases/cpt_full.json.gz`` (a user's licensed file, see
  ``thce codes import-cpt``), else the shipped ``cpt.json`` (~500 common codes, THCE's own
  unofficial descriptions).
- HCPCS: ``$THCE_HOME/code_databases/hcpcs_full.json.gz`` (imported from a CMS ANWEB file,
  see ``thce codes import-hcpcs``), else the shipped ``hcpcs.json`` (common codes).

Files load with the standard library only (gzip + json, ~0.15 s for ICD-10-CM) and are
cached per process; a re-import is picked up because the cache key includes the file's
modification time.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from thce.codes.formats import CODE_TYPES, clean_code, icd10_with_dot, parse_code_type
from thce.errors import CodeError
from thce.resources import shipped_path, thce_home

RECORD_FIELDS: tuple[str, ...] = ("code", "description", "category", "billable", "parent_code")
# Row layout used in memory (and in the gzipped files): the seed fields, then extras. Rows
# may stop early: missing trailing fields are empty (only ICD-10-CM categories carry a block).
ROW_FIELDS: tuple[str, ...] = (*RECORD_FIELDS, "common", "termination_date", "block")
_CODE, _DESC, _CAT, _BILL, _PARENT, _COMMON, _TERM, _BLOCK = range(8)

SHIPPED_FILES: dict[str, str] = {"ICD10": "icd10cm.json.gz", "CPT": "cpt.json", "HCPCS": "hcpcs.json"}
FULL_FILES: dict[str, str] = {"CPT": "cpt_full.json.gz", "HCPCS": "hcpcs_full.json.gz"}


def user_database_dir() -> Path:
    """Where imported (full) databases live: ``$THCE_HOME/code_databases``."""
    return thce_home() / "code_databases"


class CodeDatabase:
    """All codes of one system, keyed by normalised code.

    Records are dicts with the seed schema (``code``, ``description``, ``category``,
    ``billable``, ``parent_code``) plus ``common`` (in THCE's common-codes list) and, for
    imported HCPCS files, ``termination_date``. ICD-10-CM categories also carry ``block``
    and ``chapter``.
    """

    def __init__(
        self,
        code_type: str,
        rows: dict[str, list[Any]],
        metadata: dict[str, Any],
        *,
        source: Path | None = None,
        chapters: dict[str, str] | None = None,
        blocks: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.code_type = code_type
        self.metadata = metadata
        self.source = source
        self._rows = rows
        self._chapters = chapters or {}
        self._blocks = blocks or {}
        self._children: dict[str, list[str]] | None = None

    # -- basic access -------------------------------------------------------------------
    @property
    def is_full(self) -> bool:
        """True for a complete code set (ICD-10-CM, imported CPT/HCPCS), False for samples."""
        return bool(self.metadata.get("complete", False))

    @property
    def is_official(self) -> bool:
        """True when descriptions are the publisher's (False for THCE's own CPT wording)."""
        return bool(self.metadata.get("official", False))

    def normalize(self, code: str) -> str:
        """Normalise ``code`` the way this system stores it (ICD-10-CM gets its dot)."""
        text = clean_code(code)
        return icd10_with_dot(text) if self.code_type == "ICD10" else text

    def row(self, normalized_code: str) -> list[Any] | None:
        """Internal row for an already normalised code (fast path for the validator)."""
        return self._rows.get(normalized_code)

    def get(self, code: str) -> dict[str, Any] | None:
        """The record for ``code`` (any spelling: ``e119`` works), or ``None``."""
        row = self._rows.get(self.normalize(code))
        return None if row is None else self._record(row)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.normalize(code) in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        kind = "full" if self.is_full else "partial"
        return f"CodeDatabase({self.code_type}, {len(self)} codes, {kind})"

    def codes(self) -> Iterator[str]:
        """Every code, in file order (sorted for the shipped files)."""
        return iter(self._rows)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record as a dict (see the class docstring)."""
        return (self._record(row) for row in self._rows.values())

    def description(self, code: str) -> str | None:
        """Description of ``code`` or ``None`` when unknown."""
        row = self._rows.get(self.normalize(code))
        return None if row is None else row[_DESC]

    def is_billable(self, code: str) -> bool:
        """True when ``code`` exists and is billable (an ICD-10-CM leaf, a current code)."""
        row = self._rows.get(self.normalize(code))
        return bool(row and row[_BILL])

    def is_common(self, code: str) -> bool:
        """True when ``code`` is in THCE's list of common codes for this system."""
        row = self._rows.get(self.normalize(code))
        return bool(row and row[_COMMON])

    def common_codes(self) -> list[str]:
        """Codes flagged common (~500 for ICD-10-CM; the curated lists for CPT/HCPCS)."""
        return [code for code, row in self._rows.items() if row[_COMMON]]

    def _record(self, row: list[Any]) -> dict[str, Any]:
        record = {
            "code": row[_CODE],
            "description": row[_DESC],
            "category": row[_CAT],
            "billable": bool(row[_BILL]),
            "parent_code": row[_PARENT],
            "common": bool(row[_COMMON]),
        }
        terminated = termination_date(row)
        if terminated:
            record["termination_date"] = terminated
        if self.code_type == "ICD10":
            block = self._block_code(row[_CAT])
            if block:
                record["block"] = block
                record["chapter"] = self._blocks.get(block, {}).get("chapter")
        return record

    def _block_code(self, category: str) -> str | None:
        row = self._rows.get(category)
        return row[_BLOCK] if row is not None and len(row) > _BLOCK else None

    # -- hierarchy (ICD-10-CM) --------------------------------------------------------------
    def category_of(self, code: str) -> str:
        """Three-character category (``E11.9`` -> ``E11``); for CPT/HCPCS the section name."""
        row = self._rows.get(self.normalize(code))
        if row is not None:
            return row[_CAT]
        return self.normalize(code).replace(".", "")[:3] if self.code_type == "ICD10" else ""

    def parent_of(self, code: str) -> str | None:
        """Parent code (``E11.9`` -> ``E11``; categories and CPT/HCPCS codes have none)."""
        row = self._rows.get(self.normalize(code))
        return None if row is None else row[_PARENT]

    def children_of(self, code: str) -> list[str]:
        """Direct children of ``code`` (``E11`` -> ``E11.0``, ``E11.1``, ...)."""
        if self._children is None:
            children: dict[str, list[str]] = {}
            for child, row in self._rows.items():
                if row[_PARENT]:
                    children.setdefault(row[_PARENT], []).append(child)
            self._children = children
        return list(self._children.get(self.normalize(code), []))

    def billable_descendants(self, code: str, limit: int | None = None) -> list[str]:
        """Billable codes under ``code``: common first, then shorter, then in code order."""
        found: list[str] = []
        stack = list(reversed(self.children_of(code)))
        while stack:
            current = stack.pop()
            row = self._rows[current]
            if row[_BILL]:
                found.append(current)
            stack.extend(reversed(self.children_of(current)))
        # Common codes first, then the most general (shortest), then "unspecified" (.9)
        # codes, which are the usual default when nothing more is documented.
        found.sort(key=lambda c: (not self._rows[c][_COMMON], len(c), not c.endswith("9"), c))
        return found[:limit] if limit else found

    def block_of(self, code: str) -> tuple[str, str] | None:
        """``(block, description)`` of an ICD-10-CM code, e.g. ``('E08-E13', ...)``."""
        block = self._block_code(self.category_of(code))
        if not block:
            return None
        return block, self._blocks.get(block, {}).get("description", "")

    def chapter_of(self, code: str) -> tuple[str, str] | None:
        """``(chapter number, title)`` of an ICD-10-CM code, e.g. ``('4', 'Endocrine...')``."""
        block = self._block_code(self.category_of(code))
        chapter = self._blocks.get(block or "", {}).get("chapter")
        if not chapter:
            return None
        return chapter, self._chapters.get(chapter, "")


# -- loading -------------------------------------------------------------------------------
def _read_json(path: Path) -> dict[str, Any]:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                return json.loads(handle.read())
        with open(path, "rb") as handle:
            return json.loads(handle.read())
    except FileNotFoundError:
        raise CodeError(
            f"Code database {path} is missing; reinstall THCE or re-run the import command."
        ) from None
    except (OSError, ValueError, EOFError) as exc:
        raise CodeError(
            f"Code database {path} is unreadable ({exc}); delete it and import it again."
        ) from None


def termination_date(row: list[Any]) -> str | None:
    """The termination date of a row (imported HCPCS codes), or ``None``."""
    return row[_TERM] if len(row) > _TERM else None


def _rows_from(data: dict[str, Any], path: Path) -> dict[str, list[Any]]:
    """Accept both layouts: ``fields`` + list rows, or a list of record objects."""
    records = data.get("records")
    if not isinstance(records, list):
        raise CodeError(f"Code database {path} has no 'records' list; re-create it.")
    fields = data.get("fields")
    try:
        if fields and list(fields) == list(ROW_FIELDS[: len(fields)]):
            # THCE's own layout: the parsed rows are used as they are (fast: ~25 ms for 98k).
            return {item[0]: item for item in records}
        if fields:
            index = [fields.index(name) if name in fields else None for name in ROW_FIELDS]
            return {
                item[fields.index("code")]: [
                    None if i is None or i >= len(item) else item[i] for i in index
                ]
                for item in records
            }
        return {item["code"]: [item.get(name) for name in ROW_FIELDS] for item in records}
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise CodeError(
            f"Code database {path} has a malformed record ({exc!r}); re-create it."
        ) from None


def load_database_file(path: str | Path, code_type: str) -> CodeDatabase:
    """Load one database file (shipped or imported) for ``code_type``."""
    path = Path(path)
    system = parse_code_type(code_type)
    data = _read_json(path)
    rows = _rows_from(data, path)
    metadata = dict(data.get("metadata") or {})
    return CodeDatabase(
        system, rows, metadata, source=path, chapters=data.get("chapters"), blocks=data.get("blocks")
    )


def database_path(code_type: str) -> Path:
    """The file :func:`get_database` would load for ``code_type`` right now."""
    system = parse_code_type(code_type)
    if system in FULL_FILES:
        imported = user_database_dir() / FULL_FILES[system]
        if imported.is_file():
            return imported
    return shipped_path("code_databases", SHIPPED_FILES[system])


_CACHE: dict[tuple[str, str, int], CodeDatabase] = {}


def get_database(code_type: str) -> CodeDatabase:
    """The (cached) database for ``ICD10``, ``CPT`` or ``HCPCS`` (case-insensitive)."""
    system = parse_code_type(code_type)
    if system is None:
        raise CodeError(f"A code type is required here; valid: {', '.join(CODE_TYPES)}.")
    path = database_path(system)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = 0
    key = (system, str(path), stamp)
    db = _CACHE.get(key)
    if db is None:
        db = load_database_file(path, system)
        shipped = shipped_path("code_databases", SHIPPED_FILES[system])
        if path != shipped:
            _mark_common_from_shipped(db, shipped)
        for old in [k for k in _CACHE if k[0] == system]:
            del _CACHE[old]
        _CACHE[key] = db
    return db


def _mark_common_from_shipped(db: CodeDatabase, shipped: Path) -> None:
    """An imported full file knows nothing about "common": borrow the shipped list."""
    for code in load_database_file(shipped, db.code_type).common_codes():
        row = db.row(code)
        if row is not None:
            row[_COMMON] = 1


def clear_cache() -> None:
    """Forget loaded databases (tests, or after importing a new file)."""
    _CACHE.clear()


def common_codes(code_type: str) -> list[str]:
    """THCE's common codes for one system (the seed's "top 500" view for ICD-10-CM)."""
    return get_database(code_type).common_codes()
