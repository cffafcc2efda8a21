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

The :class:`~thce.codes.code_database.CodeDatabase` class itself (lookups, records,
hierarchy) is in :mod:`thce.codes.code_database`; its names are importable from here too.
"""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

from thce.codes import db_cache
from thce.codes.code_database import RECORD_FIELDS, CodeDatabase, Entry, today_ymd
from thce.codes.formats import CODE_TYPES, parse_code_type
from thce.errors import CodeError
from thce.resources import shipped_path, thce_home

SHIPPED_FILES: dict[str, str] = {
    "ICD10": "icd10cm.json.gz",
    "CPT": "cpt.json",
    "HCPCS": "hcpcs.json",
}
FULL_FILES: dict[str, str] = {"CPT": "cpt_full.json.gz", "HCPCS": "hcpcs_full.json.gz"}


def user_database_dir() -> Path:
    """Where imported (full) databases live: ``$THCE_HOME/code_databases``."""
    return thce_home() / "code_databases"


# -- loading -------------------------------------------------------------------------------
def _read_json(path: Path) -> dict[str, Any]:
    cached = db_cache.load(path)  # ~4x faster than parsing a large file again
    if cached is not None:
        return cached
    data = _parse_json(path)
    db_cache.save(path, data)
    return data


def _parse_json(path: Path) -> dict[str, Any]:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                data = json.loads(handle.read())
        else:
            with open(path, "rb") as handle:
                data = json.loads(handle.read())
    except FileNotFoundError:
        raise CodeError(
            f"Code database {path} is missing; reinstall THCE or re-run the import command."
        ) from None
    except (OSError, ValueError, EOFError) as exc:
        raise CodeError(
            f"Code database {path} is unreadable ({exc}); delete it and import it again."
        ) from None
    if not isinstance(data, dict):
        raise CodeError(f"Code database {path} is not a JSON object; re-create it.")
    return data


def _text_column(column: str | list) -> str | list[str]:
    return column if isinstance(column, str) else [str(value) for value in column]


def _split(column: str | list | None) -> list | None:
    if column is None:
        return None
    return column.split("\n") if isinstance(column, str) else list(column)


def load_database_file(path: str | Path, code_type: str) -> CodeDatabase:
    """Load one database file (shipped or imported) for ``code_type``.

    Two layouts are accepted: ``records`` (a list of objects with the seed fields, as in the
    hand-curated ``cpt.json``/``hcpcs.json``) or ``columns`` (newline-joined ``code`` and
    ``description`` strings plus a ``billable`` string of 0/1 flags, as written by
    ``scripts/build_icd10_database.py`` and the importers).
    """
    path = Path(path)
    system = parse_code_type(code_type) or ""
    data = _read_json(path)
    metadata = dict(data.get("metadata") or {})
    common = set(data.get("common") or [])
    terminations = dict(data.get("termination_dates") or {})
    try:
        if "columns" in data:
            columns = data["columns"]
            # Left as text: CodeDatabase splits them on first bulk use.
            codes = _text_column(columns["code"])
            descriptions = _text_column(columns["description"])
            billable = str(columns["billable"])
            categories = _split(columns.get("category"))
            parents = _split(columns.get("parent_code"))
            if parents is not None:
                parents = [p or None for p in parents]
        elif isinstance(data.get("records"), list):
            records = data["records"]
            codes = [str(r["code"]) for r in records]
            descriptions = [str(r["description"]) for r in records]
            billable = "".join("1" if r.get("billable", True) else "0" for r in records)
            categories = [r.get("category") or "" for r in records]
            parents = [r.get("parent_code") for r in records]
            common |= {r["code"] for r in records if r.get("common")}
            terminations |= {
                r["code"]: r["termination_date"] for r in records if r.get("termination_date")
            }
        else:
            raise KeyError("records or columns")
    except (KeyError, TypeError, AttributeError) as exc:
        raise CodeError(
            f"Code database {path} is malformed (missing or bad {exc}); re-create it."
        ) from None
    return CodeDatabase(
        system,
        codes,
        descriptions,
        billable,
        metadata,
        categories=categories,
        parents=parents,
        common=common,
        terminations=terminations,
        source=path,
        chapters=data.get("chapters"),
        blocks=data.get("blocks"),
        category_blocks=data.get("category_blocks"),
        inclusion_terms=data.get("inclusion_terms"),
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
        started = time.perf_counter()
        db = load_database_file(path, system)
        shipped = shipped_path("code_databases", SHIPPED_FILES[system])
        if path != shipped:
            _mark_common_from_shipped(db, shipped)
        for old in [k for k in _CACHE if k[0] == system]:
            del _CACHE[old]
        _CACHE[key] = db
        db.load_seconds = time.perf_counter() - started
    return db


def _mark_common_from_shipped(db: CodeDatabase, shipped: Path) -> None:
    """An imported full file knows nothing about "common": borrow the shipped list."""
    db.mark_common(load_database_file(shipped, db.code_type).common_codes())


def clear_cache() -> None:
    """Forget loaded databases (tests, or after importing a new file)."""
    _CACHE.clear()


def common_codes(code_type: str) -> list[str]:
    """THCE's common codes for one system (the seed's "top 500" view for ICD-10-CM)."""
    return get_database(code_type).common_codes()


__all__ = [
    "FULL_FILES",
    "RECORD_FIELDS",
    "SHIPPED_FILES",
    "CodeDatabase",
    "Entry",
    "clear_cache",
    "common_codes",
    "database_path",
    "get_database",
    "load_database_file",
    "today_ymd",
    "user_database_dir",
]
