"""The pipeline's comparison report: every stage and baseline side by side, per test set.

Writes ``report.json``, ``report.md`` and ``exact_match.png``. For each test set
(``test_sets[<name>]``): the retriever's recall@K (the ceiling of a model that chooses
among K candidates), each system's headline numbers, the final stage against the best
baseline (McNemar's exact test with the "only one right" counts), and every stage against
every baseline. Per-system details (predictions, plots, error analysis) stay in
``eval/<test set>/<system>/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from thce.io import atomic_write, iter_jsonl, write_json
from thce.markdown import MISSING, num, pct, table

STAGE_NAMES = ("stage_1", "stage_2", "stage_3")


def _ci(report: dict[str, Any], metric: str = "exact_match") -> tuple[float, float] | None:
    interval = (report.get("confidence_intervals") or {}).get(metric)
    if isinstance(interval, dict) and interval.get("low") is not None:
        return interval["low"], interval["high"]
    return None


def system_summary(report: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of one system's evaluation report (``thce eval``'s report.json)."""
    metrics = report.get("metrics", {})
    top = metrics.get("top_k") or {}
    return {
        "n": report.get("n"),
        "exact_match": metrics.get("exact_match"),
        "exact_match_ci": _ci(report),
        "top_3": top.get("3"),
        "category_match": metrics.get("category_match"),
        "invalid_code_rate": metrics.get("invalid_code_rate"),
        "micro_f1": (metrics.get("micro") or {}).get("f1"),
        "macro_f1": (metrics.get("macro") or {}).get("f1"),
        "recall_at_k": (report.get("retrieval") or {}).get("recall_at_k"),
    }


def correct_by_id(predictions: Path) -> dict[str, bool]:
    """``{example id: exact match}`` from a ``predictions.jsonl`` (graded by the one grader)."""
    from thce.evaluation.records import Prediction

    out: dict[str, bool] = {}
    if not predictions.exists():
        return out
    for line, row, _, error in iter_jsonl(predictions):
        if error is None and isinstance(row, dict):
            record = Prediction.from_dict(row)
            out[record.id or f"line-{line}"] = record.correct
    return out


def compare(a: dict[str, bool], b: dict[str, bool]) -> dict[str, Any] | None:
    """McNemar's test of two systems on the examples both answered (``None``: none shared)."""
    from thce.evaluation.metrics import mcnemar_test

    shared = sorted(set(a) & set(b))
    if not shared:
        return None
    result = mcnemar_test([a[i] for i in shared], [b[i] for i in shared])
    return {**result, "n": len(shared)}


def test_set_report(
    systems: dict[str, dict[str, Any]], predictions: dict[str, Path]
) -> dict[str, Any]:
    """Summaries, recall@K, final-vs-best-baseline and stage-vs-baseline tests for one set."""
    results = {name: system_summary(report) for name, report in systems.items()}
    correct = {name: correct_by_id(path) for name, path in predictions.items()}
    stages = [name for name in STAGE_NAMES if name in results]
    baselines = [name for name in results if name not in STAGE_NAMES]
    significance: dict[str, Any] = {}
    for stage in stages:
        for other in [*baselines, *[s for s in stages if s > stage]]:
            test = compare(correct.get(stage, {}), correct.get(other, {}))
            if test is not None:
                significance[f"{stage}_vs_{other}"] = test
    headline: dict[str, Any] | None = None
    if stages and baselines:
        final = stages[-1]
        best = max(baselines, key=lambda b: results[b]["exact_match"] or 0.0)
        test = compare(correct.get(final, {}), correct.get(best, {}))
        headline = {
            "final": final,
            "best_baseline": best,
            "final_exact_match": results[final]["exact_match"],
            "baseline_exact_match": results[best]["exact_match"],
            "difference": (results[final]["exact_match"] or 0.0)
            - (results[best]["exact_match"] or 0.0),
            "mcnemar": test,
        }
    recall = next(
        (results[s]["recall_at_k"] for s in stages if results[s]["recall_at_k"] is not None), None
    )
    sizes = {r["n"] for r in results.values() if r["n"] is not None}
    return {
        "n": max(sizes) if sizes else None,
        "recall_at_k": recall,
        "results": results,
        "final_vs_best_baseline": headline,
        "significance": significance,
    }


SUMMARY_COLUMNS = ("system", "exact match", "95% CI", "top-3", "category match", "invalid codes")


def summary_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    """Rows for the summary tables, one value per :data:`SUMMARY_COLUMNS` entry."""
    rows = []
    for name, summary in results.items():
        ci = summary.get("exact_match_ci")
        ci_text = MISSING if not ci else f"[{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"
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


def summary_table(results: dict[str, Any]) -> tuple[list[str], list[tuple[str, ...]]]:
    """Column names and rows, without the top-3 column when no system ranked candidates."""
    rows = summary_rows(results)
    top = SUMMARY_COLUMNS.index("top-3")
    keep = [
        i
        for i in range(len(SUMMARY_COLUMNS))
        if i != top or any(row[top] != MISSING for row in rows)
    ]
    return [SUMMARY_COLUMNS[i] for i in keep], [tuple(row[i] for i in keep) for row in rows]


def _plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(report["test_sets"])
    fig, axes = plt.subplots(1, len(sets), figsize=(6 * len(sets), 4), squeeze=False)
    for ax, name in zip(axes[0], sets, strict=True):
        results = report["test_sets"][name]["results"]
        names = list(results)
        values = [results[n]["exact_match"] or 0.0 for n in names]
        low = [
            max(v - (results[n]["exact_match_ci"] or (v, v))[0], 0.0)
            for n, v in zip(names, values, strict=True)
        ]
        high = [
            max((results[n]["exact_match_ci"] or (v, v))[1] - v, 0.0)
            for n, v in zip(names, values, strict=True)
        ]
        colors = ["#1f77b4" if n in STAGE_NAMES else "#aaaaaa" for n in names]
        ax.bar(names, values, yerr=[low, high], capsize=4, color=colors)
        recall = report["test_sets"][name].get("recall_at_k")
        if recall is not None:
            ax.axhline(recall, color="#d62728", linestyle="--", label=f"recall@K {recall:.2f}")
            ax.legend(loc="upper right")
        ax.set_ylim(0, 1)
        ax.set_ylabel("exact match (95% CI)")
        ax.set_title(name)
        plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# THCE pipeline report: {report.get('pipeline', '')}",
        "",
        f"Profile `{report.get('profile')}`. Exact match = same code system and code as the "
        "reference; 95% CIs by bootstrap; McNemar's exact test on paired answers.",
    ]
    retrieval = report.get("retrieval")
    if retrieval:
        lines += [
            "",
            f"The stages choose among K = {retrieval.get('k')} retrieved candidates "
            f"(signals: {', '.join(retrieval.get('signals', []))}); recall@K is their ceiling.",
        ]
    for name, block in report["test_sets"].items():
        lines += ["", f"## {name} ({block.get('n')} examples)", ""]
        if block.get("recall_at_k") is not None:
            lines += [f"Recall@K of the retriever (ceiling): **{pct(block['recall_at_k'])}**", ""]
        columns, rows = summary_table(block["results"])
        columns += ["micro F1", "macro F1"]
        lines += table(
            columns,
            [
                [*row, num(summary.get("micro_f1")), num(summary.get("macro_f1"))]
                for row, summary in zip(rows, block["results"].values(), strict=True)
            ],
        )[:-1]
        headline = block.get("final_vs_best_baseline")
        if headline and headline.get("mcnemar"):
            test = headline["mcnemar"]
            lines += [
                "",
                f"**{headline['final']} vs the best baseline ({headline['best_baseline']})**: "
                f"{100 * headline['difference']:+.1f} points, McNemar p = {test['p_value']:.4f} "
                f"(only {headline['final']} right: {test['a_only']}, only "
                f"{headline['best_baseline']} right: {test['b_only']}).",
            ]
        if block.get("significance"):
            lines += [
                "",
                *table(
                    ["comparison", "p-value", "only first right", "only second right"],
                    [
                        [
                            comparison,
                            f"{test['p_value']:.4f}",
                            str(test["a_only"]),
                            str(test["b_only"]),
                        ]
                        for comparison, test in block["significance"].items()
                    ],
                )[:-1],
            ]
    lines += ["", "![exact match](exact_match.png)"]
    steps = report.get("steps") or {}
    if steps:
        lines += ["", "## Step times", ""]
        lines += table(["step", "seconds"], [[step, str(secs)] for step, secs in steps.items()])[
            :-1
        ]
    lines += ["", "Per-system details: `eval/<test set>/<system>/report.md`."]
    return "\n".join(lines) + "\n"


def write_comparison_report(
    test_sets: dict[str, dict[str, dict[str, Any]]],
    output_dir: Path,
    predictions: dict[str, dict[str, Path]],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write report.json / report.md / exact_match.png; ``test_sets`` maps a test set's name
    to ``{system: report}`` and ``predictions`` to ``{system: predictions.jsonl}``."""
    output_dir = Path(output_dir)
    report: dict[str, Any] = {
        **(extra or {}),
        "test_sets": {
            name: test_set_report(systems, predictions.get(name, {}))
            for name, systems in test_sets.items()
        },
    }
    write_json(output_dir / "report.json", report)
    _plot(report, output_dir / "exact_match.png")
    with atomic_write(output_dir / "report.md") as handle:
        handle.write(_markdown(report))
    return report


__all__ = [
    "STAGE_NAMES",
    "SUMMARY_COLUMNS",
    "compare",
    "correct_by_id",
    "summary_rows",
    "summary_table",
    "system_summary",
    "test_set_report",
    "write_comparison_report",
]
