"""Shared test fixtures. Keep this light: no torch/transformers import at module level.

Nothing in the tests may need the network: the hub is marked offline for the whole session,
so ``HuggingFaceTB/SmolLM2-135M-Instruct`` resolves to the embedded copy.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from loguru import logger

import thce  # noqa: F401  (imported first so its logger.disable("thce") runs before the enable)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

# The package disables its loguru records until setup_logging(); tests read library log
# records directly (sinks of their own), so turn them back on for the whole session.
logger.enable("thce")

REPO_ROOT = Path(__file__).resolve().parents[1]

# (narrative, code type, code, description, reasoning) for small training files.
_TRAINING_CASES = [
    (
        "58 yo with type 2 diabetes, no complications, here for follow-up.",
        "ICD10",
        "E11.9",
        "Type 2 diabetes mellitus without complications",
        "Type 2 diabetes is documented and no complication is mentioned.",
    ),
    (
        "Established patient office visit of low complexity for a blood pressure check.",
        "CPT",
        "99213",
        "Office visit, established patient, low complexity",
        "An established patient visit with low-complexity decision making.",
    ),
    (
        "Patient received an intramuscular injection of ceftriaxone 250 mg in clinic.",
        "HCPCS",
        "J0696",
        "Injection, ceftriaxone sodium, per 250 mg",
        "Ceftriaxone given by injection is billed per 250 mg.",
    ),
    (
        "Essential hypertension, well controlled on lisinopril, no organ damage.",
        "ICD10",
        "I10",
        "Essential (primary) hypertension",
        "Primary hypertension without heart or kidney involvement.",
    ),
]


@pytest.fixture(scope="session")
def tiny_model_dir() -> Path:
    """The cached ``thce:tiny`` model folder (built once per cache, ~5 s the first time)."""
    from thce.models import tiny_model_dir as build

    return build()


@pytest.fixture(scope="session")
def training_data(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Small stage 1/2/3 JSONL files built with the project's own formatters."""
    from thce.data.formats import (
        build_stage_1_example,
        build_stage_2_example,
        build_stage_3_example,
        format_reasoned_answer,
    )

    root = tmp_path_factory.mktemp("training_data")
    rows: dict[int, list[dict]] = {1: [], 2: [], 3: []}
    for i, (narrative, code_type, code, desc, reasoning) in enumerate(_TRAINING_CASES):
        wrong = _TRAINING_CASES[(i + 1) % len(_TRAINING_CASES)]
        rows[1].append({"id": f"s1-{i}", **build_stage_1_example(narrative, code_type, code, desc)})
        rows[2].append(
            {"id": f"s2-{i}", **build_stage_2_example(narrative, reasoning, code_type, code, desc)}
        )
        rows[3].append(
            {
                "id": f"s3-{i}",
                **build_stage_3_example(
                    narrative,
                    format_reasoned_answer(reasoning, code_type, code, desc),
                    format_reasoned_answer(wrong[4], wrong[1], wrong[2], wrong[3]),
                ),
            }
        )
    paths = {}
    for stage, records in rows.items():
        path = root / f"stage_{stage}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        paths[stage] = path
    return paths


def predictions(answers, *, system="model", candidates=None, stage=1, raw_missing="no answer"):
    """Prediction records from ``(gold label, predicted label or None)`` pairs (ids ``x0, x1,
    ...``, so the systems of one test set pair up); ``candidates``: one ranked list per answer
    (default: the answer alone)."""
    from thce.evaluation.records import Prediction

    records = []
    for i, (gold, pred) in enumerate(answers):
        gold_type, gold_code = gold.split(":")
        pred_type, pred_code = pred.split(":") if pred else (None, None)
        records.append(
            Prediction(
                id=f"x{i}",
                gold_type=gold_type,
                gold_code=gold_code,
                pred_type=pred_type,
                pred_code=pred_code,
                candidates=candidates[i] if candidates else ([pred] if pred else []),
                raw_output=f"{pred_type}: {pred_code}" if pred else raw_missing,
                reasoning=None,
                confidence=None,
                well_formed=pred is not None,
                narrative="A clinical note.",
                stage=stage,
                system=system,
            )
        )
    return records


@pytest.fixture
def make_eval_report(tmp_path: Path):
    """Build a real ``thce eval`` report from answers, the way ``thce eval`` writes it.

    ``make_eval_report(name, answers, folder=...)`` with ``answers`` a list of
    ``(gold label, predicted label or None)`` runs :func:`~thce.evaluation.evaluate.finish_report`
    (no plots, 50 bootstrap resamples) into ``tmp_path/<folder>/<name>`` and returns
    ``(report loaded from report.json, path of its predictions.jsonl)``. Example ids are
    ``x0, x1, ...`` so the systems of one test set pair up. ``candidates`` (one ranked list per
    answer) defaults to the answer alone; other keywords go to ``finish_report``.
    """
    from thce.evaluation.evaluate import finish_report
    from thce.evaluation.schema import load_evaluation_report

    def make(name, answers, *, folder="eval", candidates=None, top_k=1, stage=1, **kwargs):
        records = predictions(answers, system=name, candidates=candidates, stage=stage)
        out = tmp_path / folder / name
        finish_report(
            records,
            out,
            system=name,
            test_data="test.jsonl",
            stage=stage,
            top_k=top_k,
            plots=False,
            n_bootstrap=50,
            **kwargs,
        )
        return load_evaluation_report(out / "report.json"), out / "predictions.jsonl"

    return make
