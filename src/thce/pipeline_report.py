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

from thce.evaluation.schema import (
    EvaluationReport,
    FinalVsBestBaseline,
    PairedMcNemarCount,
    PipelineReport,
    SystemSummary,
    TestSetComparison,
)
from thce.io import atomic_write, iter_jsonl, write_json
from thce.markdown import MISSING, num, pct, table

STAGE_NAMES = ("stage_1", "stage_2", "stage_3")


def system_summary(report: EvaluationReport) -> SystemSummary:
    """The headline numbers of one system's evaluation report (``thce eval``'s report.json)."""
    metrics = report.metrics
    ci = report.confidence_intervals.exact_match
    return SystemSummary(
        n=report.n,
        exact_match=metrics.exact_match,
        exact_match_ci=(ci.low, ci.high),
        top_3=metrics.top_k.get(3),
        category_match=metrics.category_match,
        invalid_code_rate=metrics.invalid_code_rate,
        micro_f1=metrics.micro.f1,
        macro_f1=metrics.macro.f1,
        recall_at_k=report.retrieval.recall_at_k if report.retrieval else None,
        choice_accuracy=report.retrieval.choice_accuracy if report.retrieval else None,
    )


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


def compare(a: dict[str, bool], b: dict[str, bool]) -> PairedMcNemarCount | None:
    """McNemar's test of two systems on the examples both answered (``None``: none shared)."""
    from thce.evaluation.metrics import mcnemar_test

    shared = sorted(set(a) & set(b))
    if not shared:
        return None
    result = mcnemar_test([a[i] for i in shared], [b[i] for i in shared])
    return PairedMcNemarCount(**result, n=len(shared))


def test_set_report(
    systems: dict[str, EvaluationReport], predictions: dict[str, Path]
) -> TestSetComparison:
    """Summaries, recall@K, final-vs-best-baseline and stage-vs-baseline tests for one set."""
    results = {name: system_summary(report) for name, report in systems.items()}
    correct = {name: correct_by_id(path) for name, path in predictions.items()}
    stages = [name for name in STAGE_NAMES if name in results]
    baselines = [name for name in results if name not in STAGE_NAMES]
    significance: dict[str, PairedMcNemarCount] = {}
    for stage in stages:
        for other in [*baselines, *[s for s in stages if s > stage]]:
            test = compare(correct.get(stage, {}), correct.get(other, {}))
            if test is not None:
                significance[f"{stage}_vs_{other}"] = test
    headline: FinalVsBestBaseline | None = None
    if stages and baselines:
        final = stages[-1]
        best = max(baselines, key=lambda b: results[b].exact_match)
        headline = FinalVsBestBaseline(
            final=final,
            best_baseline=best,
            final_exact_match=results[final].exact_match,
            baseline_exact_match=results[best].exact_match,
            difference=results[final].exact_match - results[best].exact_match,
            mcnemar=compare(correct.get(final, {}), correct.get(best, {})),
        )
    recall = next(
        (results[s].recall_at_k for s in stages if results[s].recall_at_k is not None), None
    )
    return TestSetComparison(
        n=max((r.n for r in results.values()), default=None),
        recall_at_k=recall,
        results=results,
        final_vs_best_baseline=headline,
        significance=significance,
    )


SUMMARY_COLUMNS = ("system", "exact match", "95% CI", "top-3", "category match", "invalid codes")


def summary_rows(results: dict[str, SystemSummary]) -> list[tuple[str, ...]]:
    """Rows for the summary tables, one value per :data:`SUMMARY_COLUMNS` entry."""
    rows = []
    for name, summary in results.items():
        low, high = summary.exact_match_ci
        rows.append(
            (
                name,
                pct(summary.exact_match),
                f"[{100 * low:.1f}, {100 * high:.1f}]",
                pct(summary.top_3),
                pct(summary.category_match),
                pct(summary.invalid_code_rate),
            )
        )
    return rows


def summary_table(results: dict[str, SystemSummary]) -> tuple[list[str], list[tuple[str, ...]]]:
    """Column names and rows, without the top-3 column when no system ranked candidates."""
    rows = summary_rows(results)
    top = SUMMARY_COLUMNS.index("top-3")
    keep = [
        i
        for i in range(len(SUMMARY_COLUMNS))
        if i != top or any(row[top] != MISSING for row in rows)
    ]
    return [SUMMARY_COLUMNS[i] for i in keep], [tuple(row[i] for i in keep) for row in rows]


def _plot(report: PipelineReport, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(report.test_sets)
    fig, axes = plt.subplots(1, len(sets), figsize=(6 * len(sets), 4), squeeze=False)
    for ax, name in zip(axes[0], sets, strict=True):
        block = report.test_sets[name]
        names = list(block.results)
        summaries = [block.results[n] for n in names]
        values = [s.exact_match for s in summaries]
        low = [max(s.exact_match - s.exact_match_ci[0], 0.0) for s in summaries]
        high = [max(s.exact_match_ci[1] - s.exact_match, 0.0) for s in summaries]
        colors = ["#1f77b4" if n in STAGE_NAMES else "#aaaaaa" for n in names]
        ax.bar(names, values, yerr=[low, high], capsize=4, color=colors)
        if block.recall_at_k is not None:
            ax.axhline(
                block.recall_at_k,
                color="#d62728",
                linestyle="--",
                label=f"recall@K {block.recall_at_k:.2f}",
            )
            ax.legend(loc="upper right")
        ax.set_ylim(0, 1)
        ax.set_ylabel("exact match (95% CI)")
        ax.set_title(name)
        plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _markdown(report: PipelineReport) -> str:
    lines = [
        f"# THCE pipeline report: {report.pipeline or ''}",
        "",
        f"Profile `{report.profile}`. Exact match = same code system and code as the "
        "reference; 95% CIs by bootstrap; McNemar's exact test on paired answers.",
    ]
    if report.retrieval is not None:
        lines += [
            "",
            f"The stages choose among K = {report.retrieval.k} retrieved candidates "
            f"(signals: {', '.join(report.retrieval.signals)}); recall@K is their ceiling.",
        ]
    for name, block in report.test_sets.items():
        lines += ["", f"## {name} ({block.n} examples)", ""]
        if block.recall_at_k is not None:
            lines += [f"Recall@K of the retriever (ceiling): **{pct(block.recall_at_k)}**", ""]
            chosen = [
                f"{system} {pct(summary.choice_accuracy)}"
                for system, summary in block.results.items()
                if summary.choice_accuracy is not None
            ]
            retriever = block.results.get("retrieval")
            if retriever is not None and block.recall_at_k > 0:
                # The retriever's top-1 is right only when the gold is a candidate.
                chosen.append(f"retrieval {pct(retriever.exact_match / block.recall_at_k)}")
            if chosen:
                lines += [
                    "Chosen right when the gold was among the candidates: "
                    + ", ".join(chosen)
                    + ".",
                    "",
                ]
        columns, rows = summary_table(block.results)
        columns += ["micro F1", "macro F1"]
        lines += table(
            columns,
            [
                [*row, num(summary.micro_f1), num(summary.macro_f1)]
                for row, summary in zip(rows, block.results.values(), strict=True)
            ],
        )[:-1]
        headline = block.final_vs_best_baseline
        if headline is not None and headline.mcnemar is not None:
            test = headline.mcnemar
            lines += [
                "",
                f"**{headline.final} vs the best baseline ({headline.best_baseline})**: "
                f"{100 * headline.difference:+.1f} points, McNemar p = {test.p_value:.4f} "
                f"(only {headline.final} right: {test.a_only}, only "
                f"{headline.best_baseline} right: {test.b_only}).",
            ]
        if block.significance:
            lines += [
                "",
                *table(
                    ["comparison", "p-value", "only first right", "only second right"],
                    [
                        [comparison, f"{test.p_value:.4f}", str(test.a_only), str(test.b_only)]
                        for comparison, test in block.significance.items()
                    ],
                )[:-1],
            ]
    lines += ["", "![exact match](exact_match.png)"]
    if report.steps:
        lines += ["", "## Step times", ""]
        lines += table(
            ["step", "seconds"], [[step, str(secs)] for step, secs in report.steps.items()]
        )[:-1]
    lines += ["", "Per-system details: `eval/<test set>/<system>/report.md`."]
    return "\n".join(lines) + "\n"


def write_comparison_report(
    test_sets: dict[str, dict[str, EvaluationReport]],
    output_dir: Path,
    predictions: dict[str, dict[str, Path]],
    extra: dict[str, Any] | None = None,
) -> PipelineReport:
    """Write report.json / report.md / exact_match.png and return the report.

    ``test_sets`` maps a test set's name to ``{system: its thce eval report}``, ``predictions``
    to ``{system: predictions.jsonl}``; ``extra`` holds the other
    :class:`~thce.evaluation.schema.PipelineReport` fields (``pipeline``, ``profile``,
    ``retrieval``, ``steps``).
    """
    output_dir = Path(output_dir)
    report = PipelineReport(
        **(extra or {}),
        test_sets={
            name: test_set_report(systems, predictions.get(name, {}))
            for name, systems in test_sets.items()
        },
    )
    write_json(output_dir / "report.json", report.model_dump(mode="json"))
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
