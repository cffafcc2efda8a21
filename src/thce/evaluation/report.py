"""Write an evaluation report: ``report.json``, ``report.md`` (tables for people) and PNG plots.

Plots (matplotlib, Agg backend, so no display is needed):

- ``accuracy_by_code_type.png``: exact match per code system with 95 % bootstrap error bars;
- ``calibration.png``: reliability diagram (accuracy vs confidence per bucket) with the ECE;
- ``error_categories.png``: how many errors fall in each category;
- ``comparison.png`` (with baselines): exact match and top-3 of the model and each baseline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from thce.evaluation.schema import EvaluationReport, Interval, validate_report
from thce.io import atomic_write, write_json
from thce.logging import logger
from thce.markdown import interval
from thce.markdown import num as _num
from thce.markdown import p_value as _p
from thce.markdown import pct as _pct
from thce.markdown import table as _table

PLOT_NAMES = (
    "accuracy_by_code_type.png",
    "calibration.png",
    "error_categories.png",
    "comparison.png",
)


def _ci(bounds: Interval | None, percent: bool = True) -> str:
    """A confidence interval of ``report.json`` as ``[low, high]``."""
    if bounds is None:
        return interval(None, None)
    return interval(bounds.low, bounds.high, percent=percent)


def as_report(report: EvaluationReport | dict[str, Any]) -> EvaluationReport:
    """``report`` as the typed model (a dict is validated: an unknown or missing key raises)."""
    if isinstance(report, EvaluationReport):
        return report
    return validate_report(report, EvaluationReport, "evaluation report does not match its schema")


def render_markdown(report: EvaluationReport | dict[str, Any]) -> str:
    """``report.md``: the numbers of ``report.json`` as tables a person reads."""
    report = as_report(report)
    metrics = report.metrics
    cis = report.confidence_intervals
    lines = [
        f"# THCE evaluation: {report.system}",
        "",
        f"- test data: `{report.test_data}` ({report.n} examples)",
        f"- stage: {report.stage}, top-k: {report.top_k}, "
        f"constrained: {report.constrained}, engine: {report.engine or '-'}",
    ]
    timing = report.timing
    if timing.seconds is not None:
        lines.append(
            f"- inference: {timing.seconds:.1f} s ({timing.examples_per_second or 0:.2f} examples/s)"
        )
    retrieval = report.retrieval
    if retrieval is not None:
        lines.append(
            f"- candidates: K = {retrieval.k} retrieved; the gold among them (recall@K, the "
            f"ceiling): {_pct(retrieval.recall_at_k)}"
        )
        if retrieval.choice_accuracy is not None:
            right = round(retrieval.choice_accuracy * (retrieval.answerable or 0))
            lines.append(
                f"- chosen right when the gold was a candidate: {right} of "
                f"{retrieval.answerable} ({_pct(retrieval.choice_accuracy)})"
            )
    lines += ["", "Metric definitions: see `docs/EVALUATION.md`.", "", "## Summary", ""]
    rows = [
        ["exact match", _pct(metrics.exact_match), _ci(cis.exact_match)],
        *[[f"top-{k}", _pct(v), _ci(cis.top(k))] for k, v in metrics.top_k.items()],
        ["micro F1", _num(metrics.micro.f1), _ci(cis.micro_f1, percent=False)],
        ["macro F1", _num(metrics.macro.f1), _ci(cis.macro_f1, percent=False)],
        ["category match (partial credit)", _pct(metrics.category_match), _ci(cis.category_match)],
        ["parent match", _pct(metrics.parent_match), "–"],
        ["graded partial credit", _num(metrics.partial_credit), "–"],
        ["code-type accuracy", _pct(metrics.code_type_accuracy), "–"],
        ["invalid-code rate", _pct(metrics.invalid_code_rate), "–"],
        ["format-failure rate", _pct(metrics.format_failure_rate), "–"],
    ]
    calibration = metrics.calibration
    if calibration.ece is not None:
        rows.append(["expected calibration error", _num(calibration.ece), "–"])
    lines += _table(["metric", "value", "95% CI"], rows)
    lines += ["Micro/macro precision and recall:", ""]
    lines += _table(
        ["average", "precision", "recall", "F1"],
        [
            [name, _num(avg.precision), _num(avg.recall), _num(avg.f1)]
            for name, avg in (("micro", metrics.micro), ("macro", metrics.macro))
        ],
    )
    lines += ["## By code type", ""]
    by_type_ci = cis.by_code_type
    lines += _table(
        ["code type", "n", "exact match", "95% CI", "category match", "type accuracy", "macro F1"],
        [
            [
                code_type,
                str(row.n),
                _pct(row.exact_match),
                _ci(by_type_ci[code_type].exact_match if code_type in by_type_ci else None),
                _pct(row.category_match),
                _pct(row.code_type_accuracy),
                _num(row.macro.f1),
            ]
            for code_type, row in metrics.by_code_type.items()
        ],
    )
    if metrics.reasoning_quality is not None:
        rq = metrics.reasoning_quality
        lines += ["## Reasoning quality", ""]
        lines += _table(
            ["present", "well-formed", "evidence", "consistent", "score"],
            [[_num(v) for v in (rq.present, rq.well_formed, rq.evidence, rq.consistent, rq.score)]],
        )
    if calibration.n:
        lines += ["## Calibration", ""]
        lines += _table(
            ["confidence bucket", "n", "accuracy", "mean confidence"],
            [
                [f"{b.lower:.1f}–{b.upper:.1f}", str(b.n), _pct(b.accuracy), _pct(b.confidence)]
                for b in calibration.bins
                if b.n
            ],
        )
    free = report.metrics_unconstrained
    if free is not None:
        sig = report.constrained_vs_unconstrained
        lines += ["## Constrained vs unconstrained decoding", ""]
        lines += _table(
            ["metric", "constrained", "unconstrained", "p-value"],
            [
                [
                    "exact match",
                    _pct(metrics.exact_match),
                    _pct(free.exact_match),
                    _p(sig.exact_match.p_value if sig else None),
                ],
                [
                    "top-3",
                    _pct(metrics.top_k.get(3)),
                    _pct(free.top_k.get(3)),
                    _p(sig.top_3.p_value if sig else None),
                ],
                [
                    "category match",
                    _pct(metrics.category_match),
                    _pct(free.category_match),
                    _p(sig.category_match.p_value if sig else None),
                ],
                [
                    "invalid-code rate",
                    _pct(metrics.invalid_code_rate),
                    _pct(free.invalid_code_rate),
                    "–",
                ],
                [
                    "format-failure rate",
                    _pct(metrics.format_failure_rate),
                    _pct(free.format_failure_rate),
                    "–",
                ],
            ],
        )
    if report.baselines:
        lines += [
            "## Baselines",
            "",
            "p-values: McNemar (exact match), paired permutation (top-3), "
            "paired bootstrap (macro F1); system vs baseline on the same examples.",
            "",
        ]
        rows = [
            [
                f"**{report.system}**",
                _pct(metrics.exact_match),
                "",
                _pct(metrics.top_k.get(3)),
                "",
                _num(metrics.macro.f1),
                "",
                _pct(metrics.category_match),
            ]
        ]
        significance = report.significance or {}
        for name, result in report.baselines.items():
            m = result.metrics
            sig = significance.get(name)
            rows.append(
                [
                    name,
                    _pct(m.exact_match),
                    _p(sig.exact_match.p_value if sig else None),
                    _pct(m.top_k.get(3)),
                    _p(sig.top_3.p_value if sig else None),
                    _num(m.macro.f1),
                    _p(sig.macro_f1.p_value if sig else None),
                    _pct(m.category_match),
                ]
            )
        lines += _table(
            ["system", "exact match", "p", "top-3", "p", "macro F1", "p", "category match"], rows
        )
    errors = report.error_categories
    if errors:
        lines += [
            "## Errors by category",
            "",
            "Details: `analysis.json` and `errors.jsonl` (`thce analyze`).",
            "",
        ]
        lines += _table(["category", "count"], [[c, str(n)] for c, n in errors.items()])
    if report.plots:
        lines += ["## Plots", ""] + [f"![{p}]({p})" for p in report.plots] + [""]
    return "\n".join(lines)


def write_plots(report: EvaluationReport, output_dir: Path) -> list[str]:
    """Draw the PNG plots into ``output_dir``; return their file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written: list[str] = []
    metrics = report.metrics
    cis = report.confidence_intervals.by_code_type

    types = list(metrics.by_code_type)
    values = [metrics.by_code_type[t].exact_match for t in types]
    bounds = [cis[t].exact_match if t in cis else None for t in types]
    lows = [v - (b.low if b else v) for v, b in zip(values, bounds, strict=True)]
    highs = [(b.high if b else v) - v for v, b in zip(values, bounds, strict=True)]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.bar(types, values, yerr=[lows, highs], capsize=6, color="#4C72B0")
    ax.set_ylim(0, 1)
    ax.set_ylabel("exact match")
    ax.set_title("Exact match by code type (95% CI)")
    for i, t in enumerate(types):
        ax.text(i, 0.02, f"n={metrics.by_code_type[t].n}", ha="center", color="white", fontsize=8)
    fig.tight_layout()
    fig.savefig(output_dir / PLOT_NAMES[0], dpi=100)
    plt.close(fig)
    written.append(PLOT_NAMES[0])

    calibration = metrics.calibration
    if calibration.n:
        bins = [b for b in calibration.bins if b.n]
        fig, ax = plt.subplots(figsize=(4.5, 4.5))
        ax.plot([0, 1], [0, 1], "--", color="gray", label="perfect calibration")
        ax.plot(
            [b.confidence for b in bins],
            [b.accuracy for b in bins],
            "o-",
            color="#C44E52",
            label="model",
        )
        for b in bins:
            ax.annotate(
                str(b.n),
                (b.confidence, b.accuracy),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence")
        ax.set_ylabel("accuracy")
        ax.set_title(f"Calibration (ECE {calibration.ece:.3f})")
        ax.legend(loc="upper left", fontsize=8)
        fig.tight_layout()
        fig.savefig(output_dir / PLOT_NAMES[1], dpi=100)
        plt.close(fig)
        written.append(PLOT_NAMES[1])

    errors = report.error_categories
    if errors:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        names = list(errors)
        ax.barh(names, [errors[n] for n in names], color="#DD8452")
        ax.invert_yaxis()
        ax.set_xlabel("errors")
        ax.set_title("Errors by category")
        fig.tight_layout()
        fig.savefig(output_dir / PLOT_NAMES[2], dpi=100)
        plt.close(fig)
        written.append(PLOT_NAMES[2])

    if report.baselines:
        systems = [report.system, *report.baselines]
        all_metrics = [metrics, *(b.metrics for b in report.baselines.values())]
        exact = [m.exact_match for m in all_metrics]
        top3 = [m.top_k.get(3, 0.0) for m in all_metrics]
        positions = range(len(systems))
        fig, ax = plt.subplots(figsize=(7, 3.5))
        ax.bar([p - 0.2 for p in positions], exact, width=0.4, label="exact match", color="#4C72B0")
        ax.bar([p + 0.2 for p in positions], top3, width=0.4, label="top-3", color="#55A868")
        ax.set_xticks(list(positions), systems, rotation=20, ha="right", fontsize=8)
        ax.set_ylim(0, 1)
        ax.legend(fontsize=8)
        ax.set_title("Model vs baselines")
        fig.tight_layout()
        fig.savefig(output_dir / PLOT_NAMES[3], dpi=100)
        plt.close(fig)
        written.append(PLOT_NAMES[3])
    return written


def write_report(
    report: EvaluationReport | dict[str, Any], output_dir: str | Path, plots: bool = True
) -> dict[str, Any]:
    """Write ``report.json``, ``report.md`` and (``plots=True``) the PNG plots to ``output_dir``.

    ``report`` is validated against :class:`~thce.evaluation.schema.EvaluationReport` (a key
    the schema does not know, or a missing one, raises), the plot file names go to its
    ``plots``, and ``report.json`` is its ``model_dump(mode="json")``, which is also returned.
    """
    model = as_report(report)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    if plots:
        model.plots = write_plots(model, output_dir)
    data = model.model_dump(mode="json")
    write_json(output_dir / "report.json", data)
    with atomic_write(output_dir / "report.md") as handle:
        handle.write(render_markdown(model))
    logger.info(f"report written to {output_dir / 'report.md'}")
    return data


__all__ = ["PLOT_NAMES", "as_report", "render_markdown", "write_plots", "write_report"]
