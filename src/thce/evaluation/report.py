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


def _ci(bounds: dict[str, float] | None, percent: bool = True) -> str:
    """A ``{"low": ..., "high": ...}`` confidence interval of ``report.json``."""
    if not bounds:
        return interval(None, None)
    return interval(bounds["low"], bounds["high"], percent=percent)


def render_markdown(report: dict[str, Any]) -> str:
    """``report.md``: the numbers of ``report.json`` as tables a person reads."""
    metrics = report["metrics"]
    cis = report.get("confidence_intervals", {})
    lines = [
        f"# THCE evaluation: {report.get('system', 'model')}",
        "",
        f"- test data: `{report.get('test_data')}` ({report['n']} examples)",
        f"- stage: {report.get('stage')}, top-k: {report.get('top_k')}, "
        f"constrained: {report.get('constrained', False)}, engine: {report.get('engine', '-')}",
    ]
    timing = report.get("timing") or {}
    if timing.get("seconds") is not None:
        lines.append(
            f"- inference: {timing['seconds']:.1f} s ({timing.get('examples_per_second', 0):.2f} examples/s)"
        )
    lines += ["", "Metric definitions: see `docs/EVALUATION.md`.", "", "## Summary", ""]
    rows = [
        ["exact match", _pct(metrics["exact_match"]), _ci(cis.get("exact_match"))],
        *[[f"top-{k}", _pct(v), _ci(cis.get(f"top_{k}"))] for k, v in metrics["top_k"].items()],
        ["micro F1", _num(metrics["micro"]["f1"]), _ci(cis.get("micro_f1"), percent=False)],
        ["macro F1", _num(metrics["macro"]["f1"]), _ci(cis.get("macro_f1"), percent=False)],
        [
            "category match (partial credit)",
            _pct(metrics["category_match"]),
            _ci(cis.get("category_match")),
        ],
        ["parent match", _pct(metrics.get("parent_match")), "–"],
        ["graded partial credit", _num(metrics.get("partial_credit")), "–"],
        ["code-type accuracy", _pct(metrics.get("code_type_accuracy")), "–"],
        ["invalid-code rate", _pct(metrics["invalid_code_rate"]), "–"],
        ["format-failure rate", _pct(metrics["format_failure_rate"]), "–"],
    ]
    calibration = metrics.get("calibration") or {}
    if calibration.get("ece") is not None:
        rows.append(["expected calibration error", _num(calibration["ece"]), "–"])
    lines += _table(["metric", "value", "95% CI"], rows)
    lines += ["Micro/macro precision and recall:", ""]
    lines += _table(
        ["average", "precision", "recall", "F1"],
        [
            [
                avg,
                _num(metrics[avg]["precision"]),
                _num(metrics[avg]["recall"]),
                _num(metrics[avg]["f1"]),
            ]
            for avg in ("micro", "macro")
        ],
    )
    lines += ["## By code type", ""]
    by_type_ci = cis.get("by_code_type", {})
    lines += _table(
        ["code type", "n", "exact match", "95% CI", "category match", "type accuracy", "macro F1"],
        [
            [
                code_type,
                str(row["n"]),
                _pct(row["exact_match"]),
                _ci(by_type_ci.get(code_type, {}).get("exact_match")),
                _pct(row["category_match"]),
                _pct(row["code_type_accuracy"]),
                _num(row["macro"]["f1"]),
            ]
            for code_type, row in metrics["by_code_type"].items()
        ],
    )
    if "reasoning_quality" in metrics:
        rq = metrics["reasoning_quality"]
        lines += ["## Reasoning quality", ""]
        lines += _table(
            ["present", "well-formed", "evidence", "consistent", "score"],
            [[_num(rq[k]) for k in ("present", "well_formed", "evidence", "consistent", "score")]],
        )
    if calibration.get("n"):
        lines += ["## Calibration", ""]
        lines += _table(
            ["confidence bucket", "n", "accuracy", "mean confidence"],
            [
                [
                    f"{b['lower']:.1f}–{b['upper']:.1f}",
                    str(b["n"]),
                    _pct(b["accuracy"]),
                    _pct(b["confidence"]),
                ]
                for b in calibration["bins"]
                if b["n"]
            ],
        )
    if "metrics_unconstrained" in report:
        free = report["metrics_unconstrained"]
        sig = report.get("constrained_vs_unconstrained", {})
        lines += ["## Constrained vs unconstrained decoding", ""]
        lines += _table(
            ["metric", "constrained", "unconstrained", "p-value"],
            [
                [
                    "exact match",
                    _pct(metrics["exact_match"]),
                    _pct(free["exact_match"]),
                    _p(sig.get("exact_match", {}).get("p_value")),
                ],
                [
                    "top-3",
                    _pct(metrics["top_k"].get("3")),
                    _pct(free["top_k"].get("3")),
                    _p(sig.get("top_3", {}).get("p_value")),
                ],
                [
                    "category match",
                    _pct(metrics["category_match"]),
                    _pct(free["category_match"]),
                    _p(sig.get("category_match", {}).get("p_value")),
                ],
                [
                    "invalid-code rate",
                    _pct(metrics["invalid_code_rate"]),
                    _pct(free["invalid_code_rate"]),
                    "–",
                ],
                [
                    "format-failure rate",
                    _pct(metrics["format_failure_rate"]),
                    _pct(free["format_failure_rate"]),
                    "–",
                ],
            ],
        )
    if report.get("baselines"):
        lines += [
            "## Baselines",
            "",
            "p-values: McNemar (exact match), paired permutation (top-3), "
            "paired bootstrap (macro F1); system vs baseline on the same examples.",
            "",
        ]
        rows = []
        for name, result in report["baselines"].items():
            m = result["metrics"]
            sig = report.get("significance", {}).get(name, {})
            rows.append(
                [
                    name,
                    _pct(m["exact_match"]),
                    _p(sig.get("exact_match", {}).get("p_value")),
                    _pct(m["top_k"].get("3")),
                    _p(sig.get("top_3", {}).get("p_value")),
                    _num(m["macro"]["f1"]),
                    _p(sig.get("macro_f1", {}).get("p_value")),
                    _pct(m["category_match"]),
                ]
            )
        rows.insert(
            0,
            [
                f"**{report.get('system', 'model')}**",
                _pct(metrics["exact_match"]),
                "",
                _pct(metrics["top_k"].get("3")),
                "",
                _num(metrics["macro"]["f1"]),
                "",
                _pct(metrics["category_match"]),
            ],
        )
        lines += _table(
            ["system", "exact match", "p", "top-3", "p", "macro F1", "p", "category match"], rows
        )
    errors = report.get("error_categories")
    if errors:
        lines += [
            "## Errors by category",
            "",
            "Details: `analysis.json` and `errors.jsonl` (`thce analyze`).",
            "",
        ]
        lines += _table(["category", "count"], [[c, str(n)] for c, n in errors.items()])
    if report.get("plots"):
        lines += ["## Plots", ""] + [f"![{p}]({p})" for p in report["plots"]] + [""]
    return "\n".join(lines)


def write_plots(report: dict[str, Any], output_dir: Path) -> list[str]:
    """Draw the PNG plots into ``output_dir``; return their file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written: list[str] = []
    metrics = report["metrics"]
    cis = report.get("confidence_intervals", {}).get("by_code_type", {})

    types = list(metrics["by_code_type"])
    values = [metrics["by_code_type"][t]["exact_match"] for t in types]
    lows = [
        values[i] - cis.get(t, {}).get("exact_match", {}).get("low", values[i])
        for i, t in enumerate(types)
    ]
    highs = [
        cis.get(t, {}).get("exact_match", {}).get("high", values[i]) - values[i]
        for i, t in enumerate(types)
    ]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.bar(types, values, yerr=[lows, highs], capsize=6, color="#4C72B0")
    ax.set_ylim(0, 1)
    ax.set_ylabel("exact match")
    ax.set_title("Exact match by code type (95% CI)")
    for i, t in enumerate(types):
        ax.text(
            i, 0.02, f"n={metrics['by_code_type'][t]['n']}", ha="center", color="white", fontsize=8
        )
    fig.tight_layout()
    fig.savefig(output_dir / PLOT_NAMES[0], dpi=100)
    plt.close(fig)
    written.append(PLOT_NAMES[0])

    calibration = metrics.get("calibration") or {}
    if calibration.get("n"):
        bins = [b for b in calibration["bins"] if b["n"]]
        fig, ax = plt.subplots(figsize=(4.5, 4.5))
        ax.plot([0, 1], [0, 1], "--", color="gray", label="perfect calibration")
        ax.plot(
            [b["confidence"] for b in bins],
            [b["accuracy"] for b in bins],
            "o-",
            color="#C44E52",
            label="model",
        )
        for b in bins:
            ax.annotate(
                str(b["n"]),
                (b["confidence"], b["accuracy"]),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence")
        ax.set_ylabel("accuracy")
        ax.set_title(f"Calibration (ECE {calibration['ece']:.3f})")
        ax.legend(loc="upper left", fontsize=8)
        fig.tight_layout()
        fig.savefig(output_dir / PLOT_NAMES[1], dpi=100)
        plt.close(fig)
        written.append(PLOT_NAMES[1])

    errors = report.get("error_categories")
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

    if report.get("baselines"):
        systems = [report.get("system", "model"), *report["baselines"]]
        all_metrics = [metrics, *(b["metrics"] for b in report["baselines"].values())]
        exact = [m["exact_match"] for m in all_metrics]
        top3 = [m["top_k"].get("3", 0.0) for m in all_metrics]
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
    report: dict[str, Any], output_dir: str | Path, plots: bool = True
) -> dict[str, Any]:
    """Write ``report.json``, ``report.md`` and (``plots=True``) the PNG plots to ``output_dir``.

    The plot file names are added to ``report["plots"]``. Returns the report.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    if plots:
        report["plots"] = write_plots(report, output_dir)
    write_json(output_dir / "report.json", report)
    with atomic_write(output_dir / "report.md") as handle:
        handle.write(render_markdown(report))
    logger.info(f"report written to {output_dir / 'report.md'}")
    return report


__all__ = ["PLOT_NAMES", "render_markdown", "write_plots", "write_report"]
