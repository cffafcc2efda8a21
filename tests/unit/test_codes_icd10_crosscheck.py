"""The shipped ICD-10-CM database against simple-icd-10-cm: every code, billable flag,
description and parent. Runs where the package is installed (it is, in the dev extra)."""

from __future__ import annotations

import pytest

from thce.codes import clear_cache, get_database


@pytest.fixture(scope="module")
def sicd():
    # Imported by the test, not at collection: its import loads its whole table (~3 s), which
    # every pytest-xdist worker would otherwise pay.
    return pytest.importorskip("simple_icd_10_cm")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("THCE_HOME", str(tmp_path_factory.mktemp("home")))
    clear_cache()
    yield get_database("ICD10")
    mp.undo()
    clear_cache()


def _reference_codes(sicd) -> list[str]:
    # Blocks named like their only category (B20) appear twice; keep codes, drop chapters
    # and pure blocks.
    seen: dict[str, None] = {}
    for code in sicd.get_all_codes(True):
        if sicd.is_chapter(code) or (sicd.is_block(code) and not sicd.is_category(code)):
            continue
        seen.setdefault(code)
    return list(seen)


def test_every_code_billable_flag_description_and_parent(db, sicd):
    reference = _reference_codes(sicd)
    assert set(db.codes()) == set(reference)
    assert len(db) == len(reference)
    mismatches = []
    for code in reference:
        entry = db.entry(code)  # the validator's view of the record
        expected_parent = None if len(code) == 3 else sicd.get_parent(code)
        if (
            entry.billable != sicd.is_leaf(code)
            or entry.description != sicd.get_description(code)
            or entry.parent_code != expected_parent
            or entry.category != code[:3]
        ):
            mismatches.append(code)
    assert mismatches == []


def test_chapters_and_blocks(db, sicd):
    for code in ("E11.9", "I10", "S02.0XXA", "QA0.0", "B20"):
        ancestors = sicd.get_ancestors(code)
        assert db.chapter_of(code)[0] == ancestors[-1]
        assert db.block_of(code)[0] == ancestors[-2]
