"""Benchmark the data layer: quality checker and preprocessing throughput, memory as the
file grows, and PHI notes/s next to Presidio's default analyzer.

    python benchmarks/bench_data.py                      # 100k examples, ~5-10 minutes on 2 cores
    python benchmarks/bench_data.py --sizes 2000 10000 --phi-notes 200 --json out.json

Each size (default 10k, 50k, 100k) is a file of synthetic stage-1 examples, generated here
and then checked (``DataQualityChecker.check_file``, every check except ``phi``) and
preprocessed (``Preprocessor.process_file``, every step except PHI scrubbing) in a fresh
process, which reports examples/s and its RSS: after warm-up (code databases and lingua models
loaded) and the most seen while checking and preprocessing (sampled every 20 ms). Streaming
keeps that growth flat as the file grows, apart from the duplicate check's table of 8-byte
hashes (never texts).

PHI detection is slower than everything else put together, so it is timed on
``--phi-notes`` notes with names, dates, MRNs and phone numbers: THCE's ``PHIScrubber`` and,
if installed, Presidio's ``AnalyzerEngine`` with its default recognizers (NLP engine pinned
to the same small spaCy model; ``AnalyzerEngine()`` alone would try to download a large one),
both through ``benchmarks/bench_phi.py``'s helpers when that file is there. Then the checker's
``phi`` check and preprocessing with PHI scrubbing on clean examples.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

CODES: list[tuple[str, str]] = [
    ("ICD10", "E11.9"), ("ICD10", "I10"), ("ICD10", "J44.1"), ("ICD10", "E78.5"),
    ("ICD10", "K21.9"), ("ICD10", "N39.0"), ("ICD10", "F32.9"), ("ICD10", "J06.9"),
    ("CPT", "99213"), ("CPT", "99214"), ("CPT", "93000"), ("CPT", "80053"), ("CPT", "71046"),
    ("HCPCS", "J1100"), ("HCPCS", "G0008"), ("HCPCS", "J3420"), ("HCPCS", "A4253"),
    ("HCPCS", "J1885"),
]  # fmt: skip
FINDINGS = [
    "blood pressure 142/88, heart rate 76, afebrile",
    "HbA1c 8.2% and fasting glucose 164 mg/dL",
    "lungs with scattered expiratory wheezes, SpO2 93% on room air",
    "mild epigastric tenderness without guarding",
    "dysuria and urinary frequency for three days, urinalysis positive for nitrites",
    "low mood, poor sleep and reduced appetite for six weeks",
    "LDL 171 mg/dL on diet alone",
    "ECG shows normal sinus rhythm without acute ST changes",
]
PLANS = [
    "continue metformin 1000 mg twice daily and recheck in 3 months",
    "start lisinopril 10 mg daily, home blood pressure log",
    "prednisone 40 mg for 5 days and a short-acting bronchodilator",
    "omeprazole 20 mg daily for 8 weeks",
    "nitrofurantoin 100 mg twice daily for 5 days",
    "start sertraline 50 mg daily and follow up in 4 weeks",
    "start atorvastatin 40 mg nightly",
    "reassurance and follow-up as needed",
]
FIRST = ["John", "Maria", "Wei", "Aisha", "Robert", "Elena", "Kwame", "Sofia", "David", "Priya"]
LAST = [
    "Smith",
    "Garcia",
    "Chen",
    "Okafor",
    "Johnson",
    "Rossi",
    "Mensah",
    "Novak",
    "Miller",
    "Patel",
]


def narrative(rng: random.Random, index: int) -> str:
    """A unique, realistic-looking clinical narrative (~200-300 characters)."""
    return (
        f"{rng.randint(25, 88)} yo {rng.choice(['male', 'female'])} seen in clinic (visit {index}). "
        f"Exam and results: {rng.choice(FINDINGS)}. Assessment documented in the chart. "
        f"Plan: {rng.choice(PLANS)}."
    )


def phi_note(rng: random.Random, index: int) -> str:
    """A note with PHI (name, date, MRN, phone) around medical content and eponyms."""
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    return (
        f"{name} (MRN {rng.randint(10**7, 10**8 - 1)}) was seen on {rng.randint(1, 12)}/"
        f"{rng.randint(1, 28)}/2024 by Dr. {rng.choice(LAST)}. {narrative(rng, index)} "
        f"History of Parkinson disease; BP 140/90, A1c 8.2%. Call {rng.randint(200, 999)}-555-"
        f"{rng.randint(1000, 9999)} with questions."
    )


def write_examples(path: Path, n: int, seed: int = 0) -> None:
    """``n`` stage-1 examples with valid codes and distinct narratives."""
    from thce.codes import CodeValidator
    from thce.data.formats import build_stage_1_example

    validator = CodeValidator()
    descriptions = {code: validator.validate(code, kind).description for kind, code in CODES}
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as handle:
        for index in range(n):
            kind, code = CODES[index % len(CODES)]
            example = build_stage_1_example(narrative(rng, index), kind, code, descriptions[code])
            handle.write(json.dumps(example) + "\n")


def rss_mb() -> float:
    """Current resident set size (Linux ``/proc``; peak RSS elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return pages * resource.getpagesize() / 2**20


class RSSSampler:
    """Samples the current RSS every 20 ms in a thread; ``max_mb`` is the highest seen."""

    def __init__(self) -> None:
        self.max_mb = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.max_mb = max(self.max_mb, rss_mb())

    def __enter__(self) -> RSSSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.max_mb = max(self.max_mb, rss_mb())


def _worker(data: Path, size: int) -> dict[str, Any]:
    """Runs in a fresh subprocess: check and preprocess ``data``; report times and peak RSS."""
    from thce.data.preprocess import Preprocessor
    from thce.data.quality import DataQualityChecker

    with tempfile.TemporaryDirectory() as tmp:
        checker = DataQualityChecker(skip=["phi"])
        pre = Preprocessor(scrub_phi=False)
        # Warm up lazy loads (code databases, lingua models) so they do not count as growth.
        warm = Path(tmp) / "warm.jsonl"
        write_examples(warm, 100, seed=1)
        checker.check_file(warm, 1)
        pre.process_file(warm, Path(tmp) / "warm_out.jsonl")
        gc.collect()
        baseline = rss_mb()

        with RSSSampler() as check_rss:
            start = time.perf_counter()
            report = checker.check_file(data, 1)
            check_s = time.perf_counter() - start
        with RSSSampler() as pre_rss:
            start = time.perf_counter()
            summary = pre.process_file(data, Path(tmp) / "out.jsonl")
            pre_s = time.perf_counter() - start
    assert report.failed == 0, f"generated data should be clean: {report.to_dict()['checks']}"
    assert summary.written == size, summary.to_dict()
    return {
        "size": size,
        "check_ex_per_s": round(size / check_s),
        "preprocess_ex_per_s": round(size / pre_s),
        "rss_mb_after_warmup": round(baseline, 1),
        "max_rss_mb_during_check": round(check_rss.max_mb, 1),
        "max_rss_mb_during_preprocess": round(pre_rss.max_mb, 1),
    }


def run_sizes(sizes: list[int]) -> list[dict[str, Any]]:
    """Generate each file here, then measure it in a fresh process so that peak RSS belongs
    to checking and preprocessing that file alone."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            data = Path(tmp) / f"data_{size}.jsonl"
            write_examples(data, size)
            out = subprocess.run(
                [sys.executable, __file__, "--worker", str(data), str(size)],
                check=True,
                capture_output=True,
                text=True,
            )
            data.unlink()
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{size:>7} examples: check {row['check_ex_per_s']:>7} ex/s, preprocess "
                f"{row['preprocess_ex_per_s']:>6} ex/s; RSS {row['rss_mb_after_warmup']} MB after "
                f"warm-up, max {row['max_rss_mb_during_check']} MB while checking, "
                f"{row['max_rss_mb_during_preprocess']} MB while preprocessing",
                flush=True,
            )
            results.append(row)
    return results


class _PresidioFallback:
    """Presidio's AnalyzerEngine with default recognizers on the small spaCy model (used when
    ``benchmarks/bench_phi.py``, which has the same thing, is not importable)."""

    def __init__(self) -> None:
        import importlib.util

        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        from thce.data.phi.ner import SPACY_MODELS

        model = next((m for m in SPACY_MODELS if importlib.util.find_spec(m)), SPACY_MODELS[0])
        provider = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": model}],
            }
        )
        self.engine = AnalyzerEngine(
            nlp_engine=provider.create_engine(), supported_languages=["en"]
        )

    def find_batch(self, texts: list[str]) -> list[list[Any]]:
        return [self.engine.analyze(text=text, language="en") for text in texts]


def _notes_per_second(finder: Any, notes: list[str]) -> dict[str, float]:
    """Wall and CPU notes/s of ``finder.find_batch`` (CPU time is robust to a busy machine)."""
    finder.find_batch(notes[:10])  # warm-up: lazy loads
    wall, cpu = time.perf_counter(), time.process_time()
    finder.find_batch(notes)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "notes_per_s_wall": round(len(notes) / wall, 1),
        "notes_per_cpu_s": round(len(notes) / cpu, 1),
    }


def bench_phi(n_notes: int, with_presidio: bool) -> dict[str, Any]:
    """PHI detection notes/s, THCE's PHIScrubber next to Presidio's default analyzer, plus the
    checker's phi check and preprocessing with PHI scrubbing on the same machine."""
    from thce.data.phi import PHIScrubber
    from thce.data.preprocess import Preprocessor
    from thce.data.quality import DataQualityChecker

    try:  # reuse the PHI benchmark's Presidio set-up and timing when it is there
        import bench_phi as shared  # type: ignore[import-not-found]

        presidio_factory = lambda: shared.PresidioFinder(shared._installed_model())  # noqa: E731
        measure = lambda finder, texts: shared.speed(finder, texts, 1)  # noqa: E731
    except (ImportError, AttributeError):
        presidio_factory, measure = _PresidioFallback, _notes_per_second

    rng = random.Random(3)
    notes = [phi_note(rng, i) for i in range(n_notes)]
    result: dict[str, Any] = {
        "notes": n_notes,
        "mean_note_chars": round(sum(map(len, notes)) / n_notes),
    }
    result["thce_phi_scrubber"] = measure(PHIScrubber(), notes)
    print(f"PHI on {n_notes} notes: THCE PHIScrubber {result['thce_phi_scrubber']}", flush=True)
    if with_presidio:
        try:
            result["presidio_default"] = measure(presidio_factory(), notes)
            print(
                f"PHI on {n_notes} notes: Presidio default analyzer {result['presidio_default']}",
                flush=True,
            )
        except Exception as exc:  # presidio is optional; say why it was skipped
            result["presidio_default"] = f"skipped: {type(exc).__name__}: {exc}"
            print(f"PHI: Presidio skipped ({type(exc).__name__}: {exc})", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "phi.jsonl"
        write_examples(path, n_notes, seed=5)
        checker, pre = DataQualityChecker(checks=["phi"]), Preprocessor()
        warm = Path(tmp) / "warm.jsonl"
        write_examples(warm, 20, seed=6)
        checker.check_file(warm, 1)
        pre.process_file(warm, Path(tmp) / "warm_out.jsonl")
        start = time.perf_counter()
        checker.check_file(path, 1)
        result["check_phi_only_ex_per_s"] = round(n_notes / (time.perf_counter() - start))
        start = time.perf_counter()
        pre.process_file(path, Path(tmp) / "out.jsonl")
        result["preprocess_with_phi_ex_per_s"] = round(n_notes / (time.perf_counter() - start))
    print(
        f"PHI: checker (phi check only) {result['check_phi_only_ex_per_s']} ex/s; preprocessing "
        f"with PHI scrubbing {result['preprocess_with_phi_ex_per_s']} ex/s",
        flush=True,
    )
    return result


def main() -> None:
    from thce.logging import setup_logging

    setup_logging("WARNING")  # keep DEBUG lines (batch sizes, spaCy loading) out of the numbers
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument(
        "--phi-notes", type=int, default=500, help="notes for the PHI timing (0 skips)"
    )
    parser.add_argument("--no-presidio", action="store_true", help="skip the Presidio comparison")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(Path(args.worker[0]), int(args.worker[1]))))
        return
    results: dict[str, Any] = {"sizes": run_sizes(args.sizes)}
    rows = results["sizes"]
    for row in rows:
        # Growth over the process's own baseline: the start-up footprint (lingua models, code
        # databases, thread pools) varies by a few MB between processes and is not growth.
        row["check_rss_growth_mb"] = round(
            row["max_rss_mb_during_check"] - row["rss_mb_after_warmup"], 1
        )
        row["preprocess_rss_growth_mb"] = round(
            row["max_rss_mb_during_preprocess"] - row["rss_mb_after_warmup"], 1
        )
        print(
            f"{row['size']:>7} examples: RSS growth while checking {row['check_rss_growth_mb']} MB, "
            f"while preprocessing {row['preprocess_rss_growth_mb']} MB"
        )
    if args.phi_notes:
        results["phi"] = bench_phi(args.phi_notes, not args.no_presidio)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
