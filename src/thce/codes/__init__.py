"""Code systems: formats, databases, validation and search for ICD-10-CM, CPT and HCPCS.

    >>> from thce.codes import CodeValidator
    >>> CodeValidator().validate("E11.9").description
    'Type 2 diabetes mellitus without complications'

Everything here loads with the standard library; :func:`search` builds its BM25 index with
numpy on first use.
"""

from thce.codes.database import (
    CodeDatabase,
    clear_cache,
    common_codes,
    database_path,
    get_database,
    load_database_file,
    user_database_dir,
)
from thce.codes.formats import (
    CODE_TYPES,
    SYSTEM_NAMES,
    detect_code_type,
    matches_format,
    normalize_code,
    parse_code_type,
)
from thce.codes.validator import CodeValidator, ValidationResult

__all__ = [
    "CODE_TYPES",
    "SYSTEM_NAMES",
    "CodeDatabase",
    "CodeValidator",
    "SearchHit",
    "ValidationResult",
    "clear_cache",
    "common_codes",
    "database_path",
    "detect_code_type",
    "get_database",
    "import_cpt_csv",
    "import_hcpcs_anweb",
    "load_database_file",
    "matches_format",
    "normalize_code",
    "parse_code_type",
    "search",
    "user_database_dir",
]


def __getattr__(name: str):
    # search (numpy) and the importers load on first use, keeping `import thce.codes` light.
    if name in {"search", "SearchHit"}:
        from thce.codes import bm25

        return getattr(bm25, name)
    if name in {"import_hcpcs_anweb", "import_cpt_csv"}:
        from thce.codes import importers

        return getattr(importers, name)
    raise AttributeError(f"module 'thce.codes' has no attribute {name!r}")
