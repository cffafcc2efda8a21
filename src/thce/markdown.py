"""Markdown for reports: the one place that formats numbers and tables for people.

Used by ``thce eval``'s ``report.md`` (:mod:`thce.evaluation.report`) and the pipeline's
comparison report (:mod:`thce.pipeline_report`), so both read the same way.

>>> pct(0.4667), pct(None), p_value(0.0004), table(["a", "b"], [["1", "2"]])[1]
('46.7%', '—', '<0.001', '|---|---|')
"""

from __future__ import annotations

from collections.abc import Sequence

MISSING = "—"  # a value a system does not have (a baseline's confidence, a top-3 not ranked)


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal."""
    return MISSING if value is None else f"{100 * value:.1f}%"


def num(value: float | None, digits: int = 3) -> str:
    """A number with ``digits`` decimals."""
    return MISSING if value is None else f"{value:.{digits}f}"


def interval(low: float | None, high: float | None, percent: bool = True) -> str:
    """``[low, high]`` as percentages (or numbers)."""
    if low is None or high is None:
        return MISSING
    fmt = pct if percent else num
    return f"[{fmt(low)}, {fmt(high)}]"


def p_value(value: float | None) -> str:
    """A p-value: three decimals, ``<0.001`` below that."""
    if value is None:
        return MISSING
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A markdown table's lines (and a blank line after it)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


__all__ = ["MISSING", "interval", "num", "p_value", "pct", "table"]
