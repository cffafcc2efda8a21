"""Specificity cues read from notes and from code descriptions (thce.codes.specificity)."""

from __future__ import annotations

import pytest

from thce.codes.specificity import AGREE, cue_agreement, cue_kinds, description_cues, narrative_cues


def test_every_cue_kind_has_both_sides():
    kinds = {kind.name: kind for kind in cue_kinds()}
    assert {"laterality", "encounter", "trimester", "ckd_stage", "ulcer_stage", "acuity"} <= set(
        kinds
    )
    for kind in kinds.values():
        assert kind.narrative and kind.description, kind.name


@pytest.mark.parametrize(
    ("note", "kind", "value"),
    [
        ("Fell on outstretched L hand", "laterality", "left"),
        ("rt knee effusion", "laterality", "right"),
        ("b/l knee OA", "laterality", "bilateral"),
        ("ED visit today after a fall", "encounter", "initial"),
        ("here for f/u, healing well", "encounter", "subsequent"),
        ("residual weakness, late effect of an old injury", "encounter", "sequela"),
        ("callus forming, delayed union", "healing", "delayed"),
        ("open fx with bone exposed", "fracture", "open"),
        ("G2P1 at 31 wks", "trimester", "third"),
        ("G1 at 10 weeks gestation", "trimester", "first"),
        ("CKD 3b, eGFR 38", "ckd_stage", "3b"),
        ("on hemodialysis MWF", "ckd_stage", "esrd"),
        ("sacral pressure injury, stage 3", "ulcer_stage", "3"),
        ("acute on chronic systolic HF", "acuity", "acute_on_chronic"),
        ("recurrent MDD, moderate", "episode", "recurrent"),
        ("CT head without contrast", "contrast", "without"),
        ("new patient visit", "patient_status", "new"),
    ],
)
def test_narrative_cues(note, kind, value):
    assert narrative_cues(note).get(kind) == value


def test_conflicting_values_signal_nothing():
    # Both sides, no "bilateral": the note names no single side.
    assert "laterality" not in narrative_cues("R ankle sprain, L wrist abrasion")
    # A follow-up wins over the "today" most notes contain.
    assert narrative_cues("seen today for f/u")["encounter"] == "subsequent"


def test_description_cues():
    cues = dict(
        description_cues("Displaced fracture of left radius, initial encounter for open fracture")
    )
    assert cues["laterality"] == ("left",)
    assert cues["encounter"] == ("initial",)
    assert cues["fracture"] == ("open",)
    assert dict(description_cues("Pain in unspecified knee"))["laterality"] == ("unspecified",)


def test_agreement_rewards_little_and_punishes_conflicts():
    cues = narrative_cues("L ankle sprain, ED visit today")
    good, reasons = cue_agreement(cues, "Sprain of left ankle, initial encounter")
    assert good == pytest.approx(2 * AGREE) and "laterality=left" in reasons
    bad, reasons = cue_agreement(cues, "Sprain of right ankle, subsequent encounter")
    assert bad == -2 and "!laterality=right" in reasons
    assert cue_agreement({}, "anything") == (0, [])
    # A description that states no side is neither rewarded nor punished.
    assert cue_agreement(cues, "Sprain of ankle")[0] == 0
