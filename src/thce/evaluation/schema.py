"""Typed reports: ``report.json`` of ``thce eval`` and the comparison ``report.json`` of
``thce pipeline``.

The writers build these models and write ``model.model_dump(mode="json")``; the readers (the
pipeline's comparison report, ``thce eval``'s console summary, the notebooks) load files with
:func:`load_evaluation_report` / :func:`load_pipeline_report` and use attributes. Every model
forbids keys it does not declare, so a key renamed on one side fails validation (and the tests)
instead of becoming a silent ``None`` on the other.

Keys listed in a model's ``OMITTED_WHEN_NONE`` are left out of the JSON when they do not apply
(``retrieval`` without candidates, ``baselines`` without ``--compare-baseline``...), exactly as
the files were written before these models existed; every other key is always written, ``null``
included.

    >>> from thce.evaluation.schema import load_evaluation_report
    >>> report = load_evaluation_report("outputs/eval/report.json")  # doctest: +SKIP
    >>> report.metrics.exact_match, report.confidence_intervals.exact_match.low  # doctest: +SKIP
    (0.4667, 0.3467)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
)

from thce.errors import EvaluationError

_MAX_LISTED_PROBLEMS = 5


class _Block(BaseModel):
    """A block of a report THCE writes: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    # Keys left out of the JSON when their value is None ("absent when not applicable").
    OMITTED_WHEN_NONE: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _drop_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        for key in self.OMITTED_WHEN_NONE:
            if data.get(key) is None:
                data.pop(key, None)
        return data


# --------------------------------------------------------------------------- thce eval


class PRF(_Block):
    """Precision, recall and F1 (micro- or macro-averaged)."""

    precision: float
    recall: float
    f1: float


class CodeTypeMetrics(_Block):
    """The metrics of the examples whose gold code is in one code system."""

    n: int
    exact_match: float
    category_match: float
    code_type_accuracy: float
    micro: PRF
    macro: PRF
    top_k: dict[int, float]


class CalibrationBin(_Block):
    """One confidence bucket ``(lower, upper]`` (``accuracy``/``confidence`` None when empty)."""

    lower: float
    upper: float
    n: int
    accuracy: float | None
    confidence: float | None


class Calibration(_Block):
    """Reliability of the confidences (``ece`` and the rest None without any confidence)."""

    n: int
    n_missing: int
    ece: float | None
    mce: float | None
    mean_confidence: float | None
    brier: float | None
    bins: list[CalibrationBin]


class ReasoningQuality(_Block):
    """Mean reasoning scores (stage 2+)."""

    present: float
    well_formed: float
    evidence: float
    consistent: float
    score: float


class MetricsBlock(_Block):
    """The ``metrics`` block (:func:`thce.evaluation.metrics.compute_metrics`).

    ``top_k`` maps k to top-k accuracy (``"3"`` in the JSON), for the k the system ranked.
    """

    OMITTED_WHEN_NONE: ClassVar[frozenset[str]] = frozenset({"reasoning_quality"})

    exact_match: float
    top_k: dict[int, float]
    micro: PRF
    macro: PRF
    n_classes: int
    category_match: float
    parent_match: float
    partial_credit: float
    code_type_accuracy: float
    invalid_code_rate: float
    format_failure_rate: float
    by_code_type: dict[str, CodeTypeMetrics]
    calibration: Calibration
    reasoning_quality: ReasoningQuality | None = None


class Interval(_Block):
    """A percentile-bootstrap confidence interval (:func:`~thce.evaluation.metrics.bootstrap_ci`)."""

    estimate: float
    low: float
    high: float
    confidence: float


class CodeTypeIntervals(_Block):
    """Confidence intervals of one code system."""

    exact_match: Interval


class ConfidenceIntervals(_Block):
    """The ``confidence_intervals`` block
    (:func:`thce.evaluation.metrics.compute_confidence_intervals`).

    ``top_<k>`` exists for the k of the ``metrics.top_k`` block (note the two spellings:
    ``metrics.top_k["3"]`` but ``confidence_intervals.top_3``); use :meth:`top`.
    """

    OMITTED_WHEN_NONE: ClassVar[frozenset[str]] = frozenset({"top_1", "top_3", "top_5"})

    exact_match: Interval
    category_match: Interval
    micro_f1: Interval
    macro_f1: Interval
    top_1: Interval | None = None
    top_3: Interval | None = None
    top_5: Interval | None = None
    by_code_type: dict[str, CodeTypeIntervals]

    def top(self, k: int) -> Interval | None:
        """The interval of top-``k`` accuracy (None when k was not ranked)."""
        return {1: self.top_1, 3: self.top_3, 5: self.top_5}.get(k)


class Timing(_Block):
    """Inference time (None when not measured)."""

    seconds: float | None
    examples_per_second: float | None


class RetrievalSummary(_Block):
    """The candidates a stage trained with them chose from: settings, recall@K and the
    choice's accuracy when the gold was among them."""

    k: int
    signals: list[str]
    fusion_weight: float
    # Reports written before the narrative likelihood existed chose by the answer alone.
    narrative_weight: float = 0.0
    answer_weight: float = 1.0
    recall_at_k: float
    # exact match = recall_at_k x choice_accuracy: the examples whose gold is among the
    # candidates, and the share of them the model chose right (absent in older reports).
    answerable: int | None = None
    choice_accuracy: float | None = None


class McNemarTest(_Block):
    """:func:`~thce.evaluation.metrics.mcnemar_test`: ``a_only`` = only system A right,
    ``b_only`` = only system B right."""

    method: Literal["mcnemar-exact", "mcnemar-chi2"]
    a_only: int
    b_only: int
    statistic: float
    p_value: float


class _Paired(_Block):
    a: float
    b: float


class PairedMcNemar(_Paired):
    """Exact match of A and B with McNemar's test."""

    method: Literal["mcnemar-exact", "mcnemar-chi2"]
    a_only: int
    b_only: int
    statistic: float
    p_value: float


class PairedTest(_Paired):
    """A metric of A and B with a paired permutation or bootstrap test."""

    method: Literal["paired-permutation", "paired-bootstrap"]
    difference: float
    p_value: float


class SystemComparison(_Block):
    """:func:`~thce.evaluation.metrics.compare_systems`: system A against system B."""

    exact_match: PairedMcNemar
    top_3: PairedTest
    category_match: PairedTest
    macro_f1: PairedTest


class BaselineResult(_Block):
    """A baseline evaluated next to the system (``--compare-baseline``)."""

    metrics: MetricsBlock
    confidence_intervals: ConfidenceIntervals


class EvaluationReport(_Block):
    """``report.json`` of ``thce eval`` (:func:`thce.evaluation.evaluate.finish_report`).

    Keys of models only: ``model_path``, ``batch_size``; with candidates ``retrieval`` and
    ``constrained_to``; with ``--constrained`` ``metrics_unconstrained``,
    ``timing_unconstrained`` and ``constrained_vs_unconstrained``. Baselines have
    ``train_data``; with ``--compare-baseline`` also ``baselines`` and ``significance``
    (system A = this system, B = the baseline). ``plots`` only when plots were drawn.
    """

    OMITTED_WHEN_NONE: ClassVar[frozenset[str]] = frozenset(
        {
            "model_path",
            "batch_size",
            "retrieval",
            "constrained_to",
            "metrics_unconstrained",
            "timing_unconstrained",
            "constrained_vs_unconstrained",
            "train_data",
            "baselines",
            "significance",
            "plots",
        }
    )

    system: str
    n: int
    test_data: str
    stage: Literal[1, 2, 3]
    top_k: int
    constrained: bool
    engine: str | None
    timing: Timing
    metrics: MetricsBlock
    confidence_intervals: ConfidenceIntervals
    model_path: str | None = None
    batch_size: int | None = None
    retrieval: RetrievalSummary | None = None
    constrained_to: Literal["candidates"] | None = None
    metrics_unconstrained: MetricsBlock | None = None
    timing_unconstrained: Timing | None = None
    constrained_vs_unconstrained: SystemComparison | None = None
    train_data: str | None = None
    baselines: dict[str, BaselineResult] | None = None
    significance: dict[str, SystemComparison] | None = None
    error_categories: dict[str, int]
    created: str
    thce_version: str
    plots: list[str] | None = None


# --------------------------------------------------------------------------- thce pipeline


class SystemSummary(_Block):
    """One system's headline numbers in the pipeline report (from its ``thce eval`` report)."""

    n: int
    exact_match: float
    exact_match_ci: tuple[float, float]
    top_3: float | None
    category_match: float
    invalid_code_rate: float
    micro_f1: float
    macro_f1: float
    recall_at_k: float | None
    # Right when the gold was among the candidates (models that choose; None otherwise).
    choice_accuracy: float | None = None


class PairedMcNemarCount(McNemarTest):
    """McNemar's test of two systems on the ``n`` examples both answered."""

    n: int


class FinalVsBestBaseline(_Block):
    """The last stage against the baseline with the best exact match
    (``mcnemar`` None without paired predictions)."""

    final: str
    best_baseline: str
    final_exact_match: float
    baseline_exact_match: float
    difference: float
    mcnemar: PairedMcNemarCount | None


class TestSetComparison(_Block):
    """Every system on one test set: summaries, recall@K and the McNemar tests
    (``significance["stage_1_vs_bm25"]``: A = the stage, B = the other system)."""

    __test__: ClassVar[bool] = False  # not a pytest test class despite the name

    n: int | None
    recall_at_k: float | None
    results: dict[str, SystemSummary]
    final_vs_best_baseline: FinalVsBestBaseline | None
    significance: dict[str, PairedMcNemarCount]


class PipelineRetrieval(BaseModel):
    """The run's retrieval settings: a :class:`~thce.codes.retrieval.RetrievalConfig` dump.

    Its other keys belong to that config, so they are allowed here (``extra="allow"``); the
    report reads only ``k`` and ``signals``.
    """

    model_config = ConfigDict(extra="allow")

    k: int
    signals: list[str]


class PipelineReport(_Block):
    """``report.json`` of ``thce pipeline`` (:func:`thce.pipeline_report.write_comparison_report`).

    ``pipeline``, ``profile``, ``retrieval`` and ``steps`` (seconds per step) are None when
    the report is written outside a pipeline run.
    """

    pipeline: str | None = None
    profile: str | None = None
    retrieval: PipelineRetrieval | None = None
    steps: dict[str, float | None] | None = None
    test_sets: dict[str, TestSetComparison]


# --------------------------------------------------------------------------- loading


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _explain(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        where = _where(tuple(err["loc"]))
        if err["type"] == "extra_forbidden":
            problems.append(f"{where}: unknown key")
        elif err["type"] == "missing":
            problems.append(f"{where}: missing")
        else:
            got = repr(err.get("input"))
            got = got if len(got) <= 40 else got[:37] + "..."
            problems.append(f"{where}: {err['msg']} (got {got})")
    more = len(problems) - _MAX_LISTED_PROBLEMS
    listed = "; ".join(problems[:_MAX_LISTED_PROBLEMS])
    return listed + (f"; and {more} more" if more > 0 else "")


def _load(path: str | Path, model: type[_Block], what: str, fix: str) -> Any:
    from thce.inputs import read_text

    path = Path(path)
    text = read_text(path, what=what, error=EvaluationError)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EvaluationError(
            f"{path}: line {exc.lineno}: invalid JSON ({exc.msg}); {fix}"
        ) from None
    if not isinstance(data, dict):
        raise EvaluationError(
            f"{path}: expected a JSON object (a {what}), got {type(data).__name__}; {fix}"
        )
    return validate_report(data, model, f"{path}: not a valid {what}", fix)


def validate_report(data: Any, model: type[Any], context: str, fix: str = "") -> Any:
    """``model.model_validate(data)``, a validation problem raised as :class:`EvaluationError`
    (``context``: the report's name) naming each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise EvaluationError(f"{context}: {_explain(exc)}" + (f"; {fix}" if fix else "")) from None


def load_evaluation_report(path: str | Path) -> EvaluationReport:
    """Read ``report.json`` of ``thce eval``; a missing, unreadable or malformed file raises
    :class:`~thce.errors.EvaluationError` naming the file and the bad fields."""
    return _load(
        path,
        EvaluationReport,
        "THCE evaluation report",
        "re-run `thce eval` to write it again",
    )


def load_pipeline_report(path: str | Path) -> PipelineReport:
    """Read the comparison ``report.json`` of ``thce pipeline`` (errors as
    :func:`load_evaluation_report`)."""
    return _load(
        path,
        PipelineReport,
        "THCE pipeline report",
        "re-run `thce pipeline` to write it again",
    )


__all__ = [
    "PRF",
    "BaselineResult",
    "Calibration",
    "CalibrationBin",
    "CodeTypeIntervals",
    "CodeTypeMetrics",
    "ConfidenceIntervals",
    "EvaluationReport",
    "FinalVsBestBaseline",
    "Interval",
    "McNemarTest",
    "MetricsBlock",
    "PairedMcNemar",
    "PairedMcNemarCount",
    "PairedTest",
    "PipelineReport",
    "PipelineRetrieval",
    "ReasoningQuality",
    "RetrievalSummary",
    "SystemComparison",
    "SystemSummary",
    "TestSetComparison",
    "Timing",
    "load_evaluation_report",
    "load_pipeline_report",
    "validate_report",
]
