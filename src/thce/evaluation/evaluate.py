"""The evaluation pipeline as a Python API (``thce eval`` and ``thce pipeline`` call it).

    >>> from thce.evaluation.evaluate import evaluate_model, evaluate_baseline
    >>> report = evaluate_model("outputs/stage_3", "data/examples/test.jsonl", "outputs/eval",
    ...                         compare_baseline=True)                          # doctest: +SKIP
    >>> report["metrics"]["exact_match"]                                        # doctest: +SKIP
    >>> evaluate_baseline("rule_based", "data/examples/test.jsonl", "outputs/eval_rules")  # doctest: +SKIP

Both write to ``output_dir``: ``predictions.jsonl``, ``report.json``, ``report.md``, the PNG
plots, ``analysis.json`` and ``errors.jsonl`` — and return the report dict.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from thce import __version__
from thce.data.formats import format_answer
from thce.errors import EvaluationError
from thce.evaluation.analysis import write_analysis
from thce.evaluation.baselines import get_baseline, list_baselines
from thce.evaluation.metrics import (
    DEFAULT_KS,
    compare_systems,
    compute_confidence_intervals,
    compute_metrics,
)
from thce.evaluation.model_dir import (
    retrieval_of_model,
    stage_from_model_dir,
    stage_from_tokenizer,
)
from thce.evaluation.records import (
    Prediction,
    TestExample,
    load_test_examples,
    prediction_from_output,
    split_label,
)
from thce.evaluation.report import write_report
from thce.evaluation.schema import BaselineResult, EvaluationReport, Timing
from thce.io import write_jsonl
from thce.logging import logger

DEFAULT_TOP_K = 5
ENGINES = ("hf", "vllm")


def default_train_data() -> Path:
    """The shipped stage-1 examples, used to fit baselines that learn from data."""
    from thce.resources import shipped_path

    return shipped_path("examples", "sample_stage_1.jsonl")


def _baseline_predictions(
    name: str,
    examples: Sequence[TestExample],
    train: Sequence[TestExample],
    top_k: int,
    retrieval: Any = None,
) -> list[Prediction]:
    options: dict[str, Any] = {"top_k": top_k}
    if name == "retrieval" and retrieval is not None:
        options["config"] = retrieval  # the same retriever settings as the models
    baseline = get_baseline(name, **options).fit(train)
    start = time.perf_counter()
    ranked = baseline.predict(examples)
    logger.debug(f"baseline {name}: {len(examples)} examples in {time.perf_counter() - start:.2f}s")
    records = []
    for example, labels in zip(examples, ranked, strict=True):
        raw = ""
        if labels:
            code_type, code = split_label(labels[0])
            raw = format_answer(code_type or "", code or "")
        records.append(
            prediction_from_output(
                example, raw, stage=1, candidates=labels, system=f"baseline:{name}"
            )
        )
    return records


def _load_train(
    train_data: str | Path | None, examples: Sequence[TestExample]
) -> list[TestExample]:
    path = Path(train_data) if train_data is not None else default_train_data()
    if not path.is_file():
        raise EvaluationError(
            f"training data {path} for the baselines does not exist; pass --train-data FILE "
            "(stage 1/2/3 JSONL) or reinstall THCE to get the shipped examples"
        )
    train = load_test_examples(path)
    overlap = {e.narrative for e in train} & {e.narrative for e in examples}
    if overlap:
        logger.warning(
            f"{len(overlap)} test narrative(s) also appear in the baseline training data {path}: "
            "baseline scores are optimistic"
        )
    return train


def _summarize(
    records: Sequence[Prediction], ks: Sequence[int], stage: int, n_bootstrap: int, seed: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    metrics = compute_metrics(records, ks, stage=stage)
    intervals = compute_confidence_intervals(records, ks, n_resamples=n_bootstrap, seed=seed)
    return metrics, intervals


def _timing(n: int, seconds: float | None) -> Timing:
    return Timing(seconds=seconds, examples_per_second=(n / seconds) if seconds else None)


def finish_report(
    records: Sequence[Prediction],
    output_dir: str | Path,
    *,
    system: str,
    test_data: str | Path,
    stage: int,
    top_k: int,
    constrained: bool = False,
    engine: str | None = None,
    seconds: float | None = None,
    compare_baseline: bool = False,
    train_data: str | Path | None = None,
    examples: Sequence[TestExample] | None = None,
    extra: dict[str, Any] | None = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    plots: bool = True,
) -> dict[str, Any]:
    """Metrics, CIs, optional baselines + significance, error analysis and all output files.

    ``extra``: further :class:`~thce.evaluation.schema.EvaluationReport` fields (``model_path``,
    ``retrieval``, ``metrics_unconstrained``...); a key the schema does not know raises.
    Returns ``report.json`` as a dict.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    # Report top-k only for the k this system actually ranked: a greedy run (top_k 1) has one
    # candidate, and calling its top-1 hit rate "top-3" would mislead. Baselines rank 5.
    ranked = max([top_k, *(len(r.candidates) for r in records)])
    ks = tuple(k for k in DEFAULT_KS if k <= ranked) or (1,)
    write_jsonl(output_dir / "predictions.jsonl", (r.to_dict() for r in records))
    metrics, intervals = _summarize(records, ks, stage, n_bootstrap, seed)
    fields: dict[str, Any] = dict(extra or {})
    if compare_baseline:
        if examples is None:
            raise EvaluationError("compare_baseline needs the test examples")
        train = _load_train(train_data, examples)
        fields["train_data"] = str(train_data or default_train_data())
        fields["baselines"], fields["significance"] = {}, {}
        for name in list_baselines():
            baseline_records = _baseline_predictions(
                name, examples, train, max(top_k, max(DEFAULT_KS))
            )
            write_jsonl(
                output_dir / f"predictions_baseline_{name}.jsonl",
                (r.to_dict() for r in baseline_records),
            )
            b_metrics, b_intervals = _summarize(baseline_records, DEFAULT_KS, 1, n_bootstrap, seed)
            fields["baselines"][name] = BaselineResult(
                metrics=b_metrics, confidence_intervals=b_intervals
            )
            fields["significance"][name] = compare_systems(records, baseline_records, seed=seed)
    analysis = write_analysis(records, output_dir, stage)
    report = EvaluationReport(
        system=system,
        n=len(records),
        test_data=str(test_data),
        stage=stage,
        top_k=top_k,
        constrained=constrained,
        engine=engine,
        timing=_timing(len(records), seconds),
        metrics=metrics,
        confidence_intervals=intervals,
        error_categories=analysis["categories"],
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        thce_version=__version__,
        **fields,
    )
    return write_report(report, output_dir, plots=plots)


def evaluate_baseline(
    name: str,
    test_data: str | Path,
    output_dir: str | Path,
    train_data: str | Path | None = None,
    max_samples: int | None = None,
    top_k: int = DEFAULT_TOP_K,
    n_bootstrap: int = 1000,
    seed: int = 0,
    plots: bool = True,
    retrieval: Any = None,
) -> dict[str, Any]:
    """Evaluate baseline ``name`` on ``test_data`` through the same metrics as a model.

    ``train_data`` (default: the shipped stage-1 examples) fits the baselines that learn;
    ``retrieval`` (a :class:`~thce.codes.retrieval.RetrievalConfig`) sets up the
    ``retrieval`` baseline like the models' candidates.
    """
    get_baseline(name)  # fail fast on an unknown name
    examples = load_test_examples(test_data, max_samples)
    train = _load_train(train_data, examples)
    start = time.perf_counter()
    records = _baseline_predictions(name, examples, train, max(top_k, max(DEFAULT_KS)), retrieval)
    seconds = time.perf_counter() - start
    return finish_report(
        records,
        output_dir,
        system=f"baseline:{name}",
        test_data=test_data,
        stage=1,
        top_k=top_k,
        engine="baseline",
        seconds=seconds,
        extra={"train_data": str(train_data or default_train_data())},
        n_bootstrap=n_bootstrap,
        seed=seed,
        plots=plots,
    )


_LOADED: dict[str, tuple[Any, Any, Any]] = {}


def _load_cached(model_path: str) -> tuple[Any, Any]:
    """Model and tokenizer, reused while the same folder (unchanged) is evaluated again: the
    pipeline evaluates each stage on several test sets in a row."""
    from thce.models import load_model_and_tokenizer

    folder = Path(model_path)
    stamp = (
        (folder / "config.json").stat().st_mtime_ns if (folder / "config.json").is_file() else None
    )
    cached = _LOADED.get(model_path)
    if cached is not None and stamp is not None and cached[2] == stamp:
        return cached[0], cached[1]
    _LOADED.clear()
    model, tokenizer = load_model_and_tokenizer(model_path)
    if stamp is not None:
        _LOADED[model_path] = (model, tokenizer, stamp)
    return model, tokenizer


def candidate_lists(examples: Sequence[TestExample], retrieval: Any) -> list[list[Any]]:
    """Retrieved candidates for each example, in retrieval order (the gold is never added)."""
    from thce.codes.retrieval import get_retriever
    from thce.data.candidates import candidate_lines

    found = get_retriever(retrieval).retrieve_batch([e.narrative for e in examples], k=retrieval.k)
    return [candidate_lines(c) for c in found]


def choice_split(records: Sequence[Prediction]) -> dict[str, Any]:
    """Exact match split into its two factors: how often the gold was among the candidates
    (``recall_at_k``, the retriever's share) and how often the model chose it when it was
    (``choice_accuracy`` over the ``answerable`` examples, the model's share; None without
    any). ``exact_match = recall_at_k * choice_accuracy``.

    >>> from thce.evaluation.records import Prediction
    >>> def row(pred, retrieved):
    ...     return Prediction("1", "ICD10", "I10", "ICD10", pred, [f"ICD10:{pred}"], "", None,
    ...                       None, True, retrieved=retrieved)
    >>> choice_split([row("I10", ["ICD10:I10"]), row("E78.5", ["ICD10:E78.5", "ICD10:I10"]),
    ...               row("E78.5", ["ICD10:E78.5"])])
    {'recall_at_k': 0.6667, 'answerable': 2, 'choice_accuracy': 0.5}
    """
    answerable = [r for r in records if r.gold_label in (r.retrieved or [])]
    right = sum(r.correct for r in answerable)
    return {
        "recall_at_k": round(len(answerable) / max(len(records), 1), 4),
        "answerable": len(answerable),
        # Not rounded: report.md turns it back into a count (choice_accuracy x answerable).
        "choice_accuracy": right / len(answerable) if answerable else None,
    }


def _choose(
    model: Any,
    tokenizer: Any,
    examples: Sequence[TestExample],
    stage: int,
    retrieval: Any,
    batch_size: int,
    max_new_tokens: int | None,
    show_progress: bool,
) -> dict[bool, tuple[list[Prediction], float]]:
    """The model chooses among retrieved candidates (:mod:`thce.evaluation.choice`)."""
    from thce.evaluation.choice import ChoiceEngine, inference_dtype

    model = inference_dtype(model)
    candidates = candidate_lists(examples, retrieval)
    engine = ChoiceEngine(
        model,
        tokenizer,
        stage,
        fusion_weight=retrieval.fusion_weight,
        answer_weight=retrieval.answer_weight,
        narrative_weight=retrieval.narrative_weight,
    )
    start = time.perf_counter()
    outputs = engine.choose([e.narrative for e in examples], candidates, batch_size, show_progress)
    seconds = time.perf_counter() - start
    records = _to_records(examples, outputs, stage)
    for record, cands in zip(records, candidates, strict=True):
        record.retrieved = [c.label for c in cands]
    return {True: (records, seconds)}


def _generate(
    model_path: str,
    examples: Sequence[TestExample],
    stage: int | None,
    engine: str,
    batch_size: int,
    top_k: int,
    constrained_modes: Sequence[bool],
    max_new_tokens: int | None,
    show_progress: bool,
    retrieval: Any = None,
) -> tuple[int, dict[bool, tuple[list[Prediction], float]]]:
    """Run generation once per constrained mode; return the stage and ``{mode: (records, seconds)}``."""
    narratives = [e.narrative for e in examples]
    results: dict[bool, tuple[list[Prediction], float]] = {}
    if engine == "vllm":
        from thce.evaluation.inference import VLLMEngine, check_vllm_available

        check_vllm_available()
        if any(constrained_modes):
            raise EvaluationError(
                "--constrained is not available with --engine vllm; use --engine hf"
            )
        from thce.models import resolve_model

        stage = stage or stage_from_model_dir(model_path) or 1
        engine_obj = VLLMEngine(resolve_model(model_path).path_or_id, stage, top_k, max_new_tokens)
        start = time.perf_counter()
        outputs = engine_obj.generate(narratives, batch_size, show_progress)
        seconds = time.perf_counter() - start
        results[False] = (_to_records(examples, outputs, stage), seconds)
        return stage, results
    from thce.evaluation.inference import HFEngine

    model, tokenizer = _load_cached(model_path)
    stage = stage or stage_from_model_dir(model_path) or stage_from_tokenizer(tokenizer) or 1
    if retrieval is not None:
        return stage, _choose(
            model, tokenizer, examples, stage, retrieval, batch_size, max_new_tokens, show_progress
        )
    indexes = None
    for constrained in constrained_modes:
        if constrained and indexes is None:
            from thce.evaluation.constrained import code_indexes

            indexes = code_indexes()
        hf = HFEngine(model, tokenizer, stage, top_k, constrained, max_new_tokens, indexes=indexes)
        start = time.perf_counter()
        outputs = hf.generate(narratives, batch_size, show_progress)
        seconds = time.perf_counter() - start
        results[constrained] = (_to_records(examples, outputs, stage), seconds)
    return stage, results


def _to_records(
    examples: Sequence[TestExample], outputs: Sequence[Any], stage: int
) -> list[Prediction]:
    return [
        prediction_from_output(
            example,
            out.text,
            stage,
            candidates=out.candidates,
            candidate_scores=out.candidate_scores,
            confidence=out.confidence,
        )
        for example, out in zip(examples, outputs, strict=True)
    ]


def evaluate_model(
    model_path: str | Path,
    test_data: str | Path,
    output_dir: str | Path,
    batch_size: int = 8,
    top_k: int = DEFAULT_TOP_K,
    constrained: bool = False,
    max_samples: int | None = None,
    compare_baseline: bool = False,
    train_data: str | Path | None = None,
    stage: int | None = None,
    engine: str = "hf",
    max_new_tokens: int | None = None,
    show_progress: bool = True,
    n_bootstrap: int = 1000,
    seed: int = 0,
    plots: bool = True,
    use_retrieval: bool = True,
    fusion_weight: float | None = None,
    narrative_weight: float | None = None,
    answer_weight: float | None = None,
) -> dict[str, Any]:
    """Evaluate a model (a saved stage folder, a hub id or a ``thce:`` built-in) on ``test_data``.

    A stage trained with candidates (``retrieval:`` in its ``resolved_config.yaml``) is
    evaluated the way it was trained: each narrative gets its retrieved candidates and the
    model chooses among them (``use_retrieval=False`` forces free generation;
    ``fusion_weight``, ``narrative_weight`` and ``answer_weight`` override the saved weights
    of the choice, :class:`thce.codes.retrieval.RetrievalConfig`).

    ``stage`` (prompt and reasoning format) defaults to the model folder's
    ``resolved_config.yaml``, then to the tokenizer's THCE chat template, then to 1. With
    ``constrained=True`` the model is run twice: the report's ``metrics`` are the constrained
    run and ``metrics_unconstrained`` the free one (with ``predictions_unconstrained.jsonl``
    and a significance test between the two in ``constrained_vs_unconstrained``).
    """
    if engine not in ENGINES:
        raise EvaluationError(f"unknown engine {engine!r}; valid: {', '.join(ENGINES)}")
    if stage is not None and stage not in (1, 2, 3):
        raise EvaluationError(f"--stage must be 1, 2 or 3, got {stage}")
    examples = load_test_examples(test_data, max_samples)
    if compare_baseline:
        _load_train(train_data, examples)  # fail before the slow part
    retrieval = retrieval_of_model(model_path) if use_retrieval else None
    weights = {
        "fusion_weight": fusion_weight,
        "narrative_weight": narrative_weight,
        "answer_weight": answer_weight,
    }
    if retrieval is not None and any(v is not None for v in weights.values()):
        retrieval = retrieval.model_copy(update={k: v for k, v in weights.items() if v is not None})
    if retrieval is not None and engine != "hf":
        raise EvaluationError("a model trained with candidates is evaluated with --engine hf")
    modes = [True] if retrieval is not None else ([True, False] if constrained else [False])
    stage, results = _generate(
        str(model_path),
        examples,
        stage,
        engine,
        batch_size,
        top_k,
        modes,
        max_new_tokens,
        show_progress,
        retrieval,
    )
    records, seconds = results[modes[0]]
    extra: dict[str, Any] = {"model_path": str(model_path), "batch_size": batch_size}
    if retrieval is not None:
        constrained = False  # the candidate list already constrains; no free run to compare
        extra["retrieval"] = {
            **retrieval.model_dump(
                include={"k", "signals", "fusion_weight", "narrative_weight", "answer_weight"}
            ),
            **choice_split(records),
        }
        extra["constrained_to"] = "candidates"
    if constrained:
        free_records, free_seconds = results[False]
        output_dir = Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        write_jsonl(
            output_dir / "predictions_unconstrained.jsonl", (r.to_dict() for r in free_records)
        )
        extra["metrics_unconstrained"] = compute_metrics(free_records, DEFAULT_KS, stage=stage)
        extra["timing_unconstrained"] = _timing(len(free_records), free_seconds)
        extra["constrained_vs_unconstrained"] = compare_systems(records, free_records, seed=seed)
    return finish_report(
        records,
        output_dir,
        system=f"model:{model_path}",
        test_data=test_data,
        stage=stage,
        top_k=top_k,
        constrained=constrained,
        engine=engine,
        seconds=seconds,
        compare_baseline=compare_baseline,
        train_data=train_data,
        examples=examples,
        extra=extra,
        n_bootstrap=n_bootstrap,
        seed=seed,
        plots=plots,
    )


__all__ = [
    "DEFAULT_TOP_K",
    "ENGINES",
    "default_train_data",
    "evaluate_baseline",
    "evaluate_model",
    "finish_report",
    "retrieval_of_model",
    "stage_from_model_dir",
    "stage_from_tokenizer",
]
