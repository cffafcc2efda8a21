"""The pipeline's comparison report: every stage and baseline side by side.

Writes ``report.json`` (results keyed by system: ``stage_1``, ``stage_2``, ``stage_3`` and
each baseline's registry name, plus paired significance of each stage against every
baseline), ``report.md`` and ``exact_match.png``. Per-system details (predictions, plots,
error analysis) stay in ``eval/<system>/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from thce.io import atomic_write, write_json

STAGE_NAMES = ("stage_1", "stage_2", "stage_3")


def _ci(report: dict[str, Any], metric: str = "exact_match") -> tuple[float, float] | None:
    interval = (report.get("confidence_intervals") or {}).get(metric)
    if isinstance(interval, dict):
        low, high = (
            interval.get("low", interval.get("lower")),
            interval.get("high", interval.get("upper")),
        )
        return (low, high) if low is not None and high is not None else None
    if isinstance(interval, list | tuple) and len(interval) == 2:
        return interval[0], interval[1]
    return None


def _top_k(metrics: dict[str, Any], k: int) -> float | None:
    top = metrics.get("top_k") or {}
    for key in (str(k), k, f"top_{k}", f"top{k}"):
        if key in top:
            return top[key]
    return None


def system_summary(report: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of one system's evaluation report."""
    metrics = report.get("metrics", {})
    return {
        "n": report.get("n"),
        "exact_match": metrics.get("exact_match"),
        "exact_match_ci": _ci(report),
        "top_3": _top_k(metrics, 3),
        "category_match": metrics.get("category_match"),
        "invalid_code_rate": metrics.get("invalid_code_rate"),
        "micro_f1": (metrics.get("micro") or {}).get("f1"),
        "macro_f1": (metrics.get("macro") or {}).get("f1"),
        "by_code_type": metrics.get("by_code_type"),
    }


def _exact_by_id(predictions: Path) -> dict[str, bool]:
    from thce.data.formats import ParsedAnswer, grade

    out: dict[str, bool] = {}
    if not predictions.exists():
        return out
    with open(predictions, encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            if not line.strip():
                continue
            row = json.loads(line)
            pred = ParsedAnswer(
                row.get("pred_type"), row.get("pred_code"), None, None, True, False, ""
            )
            gold = ParsedAnswer(
                row.get("gold_type"), row.get("gold_code"), None, None, True, False, ""
            )
            out[str(row.get("id", index))] = grade(pred, gold).exact
    return out


def paired_significance(predictions: dict[str, Path]) -> dict[str, Any]:
    """McNemar's exact test of every stage against every other system, on shared examples."""
    from thce.evaluation.metrics import mcnemar_test

    correct = {name: _exact_by_id(path) for name, path in predictions.items()}
    results: dict[str, Any] = {}
    for stage in STAGE_NAMES:
        if stage not in correct:
            continue
        for other in correct:
            if other == stage or (other in STAGE_NAMES and other < stage):
                continue
            shared = sorted(set(correct[stage]) & set(correct[other]))
            if not shared:
                continue
            a = [correct[stage][i] for i in shared]
            b = [correct[other][i] for i in shared]
            results[f"{stage}_vs_{other}"] = mcnemar_test(a, b)
    return results


SUMMARY_COLUMNS = ("system", "exact match", "95% CI", "top-3", "category match", "invalid codes")


def summary_rows(report: dict[str, Any]) -> list[tuple[str, ...]]:
    """Rows for the terminal summary, one value per :data:`SUMMARY_COLUMNS` entry."""

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{100 * value:.1f}%"

    rows = []
    for name, summary in report.get("results", {}).items():
        ci = summary.get("exact_match_ci")
        ci_text = "—" if not ci else f"[{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"
        rows.append(
            (
                name,
                pct(summary.get("exact_match")),
                ci_text,
                pct(summary.get("top_3")),
                pct(summary.get("category_match")),
                pct(summary.get("invalid_code_rate")),
            )
        )
    return rows


def summary_table(report: dict[str, Any]) -> tuple[list[str], list[tuple[str, ...]]]:
    """Column names and rows of the summary, without the top-3 column when no system has it
    (a pipeline evaluated with ``top_k: 1``, as the CPU profile is, ranks no candidates)."""
    rows = summary_rows(report)
    top = SUMMARY_COLUMNS.index("top-3")
    keep = [
        i for i in range(len(SUMMARY_COLUMNS)) if i != top or any(row[top] != "—" for row in rows)
    ]
    return [SUMMARY_COLUMNS[i] for i in keep], [tuple(row[i] for i in keep) for row in rows]


def _plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(report["results"])
    values = [report["results"][n]["exact_match"] or 0.0 for n in names]
    errors = [[0.0] * len(names), [0.0] * len(names)]
    for i, name in enumerate(names):
        ci = report["results"][name].get("exact_match_ci")
        if ci:
            errors[0][i] = max(values[i] - ci[0], 0.0)
            errors[1][i] = max(ci[1] - values[i], 0.0)
    colors = ["#1f77b4" if n in STAGE_NAMES else "#aaaaaa" for n in names]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(names, values, yerr=errors, capsize=4, color=colors)
    ax.set_ylabel("exact match (95% CI)")
    ax.set_ylim(0, 1)
    ax.set_title("Exact match per system on the held-out test set")
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# THCE pipeline report: {report.get('pipeline', '')}",
        "",
        f"Profile `{report.get('profile')}`, {report.get('n')} held-out test examples. "
        "Exact match = same code system and code as the reference; 95% CIs by bootstrap.",
        "",
    ]
    columns, rows = summary_table(report)
    columns += ["micro F1", "macro F1"]
    lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for name, row in zip(report["results"], rows, strict=True):
        summary = report["results"][name]
        micro = summary.get("micro_f1")
        macro = summary.get("macro_f1")
        lines.append(
            "| " + " | ".join(row) + f" | {'—' if micro is None else f'{micro:.3f}'}"
            f" | {'—' if macro is None else f'{macro:.3f}'} |"
        )
    lines += [
        "",
        "![exact match](exact_match.png)",
        "",
        "## Paired significance (McNemar, exact match)",
        "",
    ]
    if report.get("significance"):
        lines += [
            "| comparison | p-value | only first right | only second right |",
            "|---|---|---|---|",
        ]
        for name, sig in report["significance"].items():
            p = sig.get("p_value")
            lines.append(
                f"| {name} | {'—' if p is None else f'{p:.4f}'} | {sig.get('b', sig.get('only_a', '—'))}"
                f" | {sig.get('c', sig.get('only_b', '—'))} |"
            )
    else:
        lines.append("No paired predictions available.")
    steps = report.get("steps") or {}
    if steps:
        lines += ["", "## Step times", "", "| step | seconds |", "|---|---|"]
        lines += [f"| {step} | {secs} |" for step, secs in steps.items()]
    lines += ["", "Per-system details: `eval/<system>/report.md`."]
    return "\n".join(lines) + "\n"


def write_comparison_report(
    systems: dict[str, dict[str, Any]],
    output_dir: Path,
    predictions: dict[str, Path] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write report.json / report.md / exact_match.png for ``systems`` and return the report."""
    output_dir = Path(output_dir)
    results = {name: system_summary(report) for name, report in systems.items()}
    sizes = {r["n"] for r in results.values() if r["n"] is not None}
    report: dict[str, Any] = {
        **(extra or {}),
        "n": max(sizes) if sizes else None,
        "results": results,
        "significance": paired_significance(predictions) if predictions else {},
    }
    write_json(output_dir / "report.json", report)
    _plot(report, output_dir / "exact_match.png")
    with atomic_write(output_dir / "report.md") as handle:
        handle.write(_markdown(report))
    return report
