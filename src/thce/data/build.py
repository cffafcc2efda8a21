"""Build a stage's train/test dataset from a data config.

    thce data build data/config/thce_stage_1.yaml --output outputs/data/stage_1

Reads every source of the config (see :mod:`thce.data.config`), takes ``entries`` records
from the start of each, renames columns, converts raw records to the stage format, runs the
quality checker over all of them (duplicates are caught across sources too), splits the
survivors with a seeded shuffle, stratified by code system when every system has at least two
records, and writes, each atomically:

- ``DIR/train.jsonl`` and ``DIR/test.jsonl``: stage-format examples, each with ``id`` (added
  as ``<source>-<n>`` when missing) and ``metadata.source``;
- ``DIR/rejects.jsonl``: ``{"source", "line", "record", "reasons"}`` for every record that failed
  a check, unchanged;
- ``DIR/metadata.json``: counts per source, per code system and split, rejects per check, the
  config hash (sha256 of the normalised, effective config), the date and the seed.

Sources: local ``.jsonl``/``.ndjson`` files are streamed line by line with
:func:`thce.io.iter_jsonl`, which keeps line numbers for the rejects file and lets one broken
line be rejected instead of failing the whole load. Hugging Face hub ids and local
``.json``/``.parquet``/``.csv``/``.arrow`` files go through ``datasets.load_dataset(...,
streaming=True)``, so large sources stream too (``datasets`` is imported only then).

    >>> meta = build_dataset("data/config/thce_stage_1.yaml", "outputs/data/stage_1")  # doctest: +SKIP
    >>> meta["counts"]                                                                  # doctest: +SKIP
    {'read': 50, 'kept': 50, 'rejected': 0, 'train': 40, 'test': 10}
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from thce.data.config import (
    STAGE_COLUMNS,
    DataConfig,
    DatasetSource,
    config_hash,
    load_data_config,
    resolve_source_path,
)
from thce.data.formats import get_answer_text, get_gold, parse_answer
from thce.data.quality import DataQualityChecker, batched
from thce.errors import AllRejectedError, DataError
from thce.inputs import guarded_rows, iter_csv
from thce.io import atomic_write, iter_jsonl, write_json
from thce.logging import logger

_LINE_FORMATS = (".jsonl", ".ndjson")
_DATASETS_FORMATS = {".json": "json", ".parquet": "parquet", ".csv": "csv", ".arrow": "arrow"}
UNKNOWN_TYPE = "UNKNOWN"


# ----------------------------------------------------------------------------- reading
def _load_with_datasets(source: DatasetSource, path: Path | None) -> Any:
    try:
        from datasets import load_dataset
    except ImportError as exc:
        raise DataError(
            f"dataset {source.name!r}: reading {'hub datasets' if path is None else path.suffix + ' files'} "
            "needs the `datasets` package (pip install 'thce[train]'), or convert it to JSONL"
        ) from exc
    try:
        if path is None:
            return load_dataset(source.hub_id, source.subset, split=source.split, streaming=True)
        builder = _DATASETS_FORMATS[path.suffix.lower()]
        return load_dataset(
            builder, data_files={source.split: str(path)}, split=source.split, streaming=True
        )
    except Exception as exc:  # datasets raises many types (network, format, missing split)
        where = source.hub_id if path is None else str(path)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(
            f"dataset {source.name!r}: cannot load {where} (split {source.split!r}): {first}"
        ) from exc


def iter_source(
    source: DatasetSource, config_path: str | Path
) -> Iterator[tuple[int, dict[str, Any] | None, str, str | None]]:
    """Stream a source as ``(line_or_row, record_or_None, raw_text, error_or_None)``.

    Rows from ``datasets`` are numbered from 1. Stops after ``source.entries`` records.
    """
    if source.synthetic is not None:
        from thce.data.synthetic import generate_examples

        spec = source.synthetic
        exclude = excluded_codes(spec.exclude_codes_from, config_path)
        records = generate_examples(spec.count, spec.seed, spec.mix, exclude)
        stream = ((n, record, "", None) for n, record in enumerate(records, start=1))
    elif source.hub_id:
        rows: Iterator[Any] = iter(_load_with_datasets(source, None))
        stream = ((n, row, "", None) for n, row in enumerate(rows, start=1))
    else:
        path = _local_path(source, config_path)
        if path.suffix.lower() in _LINE_FORMATS:
            stream = iter_jsonl(path)
        elif path.suffix.lower() == ".csv":  # any encoding, no `datasets` needed (thce.inputs)
            stream = iter_csv(path)
        else:
            rows = guarded_rows(_load_with_datasets(source, path), path, DataError)
            stream = ((n, dict(row), "", None) for n, row in enumerate(rows, start=1))
    yield from itertools.islice(stream, source.limit)


def excluded_codes(paths: list[str], config_path: str | Path) -> set[tuple[str, str]]:
    """``(code_type, code)`` of every answer in ``paths`` (stage 1/2/3 JSONL files)."""
    found: set[tuple[str, str]] = set()
    for raw in paths:
        path = resolve_source_path(DatasetSource(name="exclude", source_path=raw), config_path)
        for _, record, _, _ in iter_jsonl(path):
            if not isinstance(record, dict):
                continue
            for which in ("chosen", "rejected"):
                gold = parse_answer(get_answer_text(record, which) or "")
                if gold.code_type and gold.code:
                    found.add((gold.code_type, gold.code))
    return found


def map_columns(record: dict[str, Any], columns: dict[str, str]) -> dict[str, Any]:
    """Rename source columns to THCE columns; unmapped columns are kept as they are.

    >>> map_columns({"note": "x", "icd": "E11.9", "other": 1}, {"note": "narrative", "icd": "code"})
    {'narrative': 'x', 'code': 'E11.9', 'other': 1}
    """
    if not columns:
        return record
    return {columns.get(key, key): value for key, value in record.items()}


def to_stage_record(record: dict[str, Any], stage: int) -> dict[str, Any]:
    """A mapped record in stage format: stage-format records pass through; raw records
    (``narrative``/``text`` + ``code``…) are converted. Raises :class:`DataError` if neither."""
    if any(key in record for key in STAGE_COLUMNS):
        return record
    if stage == 3:
        raise DataError(
            "raw records (narrative + code) cannot make stage-3 examples: map columns to "
            "prompt, chosen and rejected"
        )
    from thce.data.preprocess import record_from_raw

    return record_from_raw(record)


# ----------------------------------------------------------------------------- splitting
def split_indices(labels: list[str], test_size: float, seed: int) -> tuple[set[int], bool]:
    """Choose test indices: ``round(n * test_size)`` records (at least 1 when ``test_size > 0``
    and ``n >= 2``, never all), seeded. Stratified by label (largest-remainder quotas) when
    there are several labels and each has at least two records. Returns ``(test, stratified)``.

    >>> sorted(split_indices(["A", "A", "B", "B"], 0.5, seed=1)[0]).__len__()
    2
    """
    n = len(labels)
    if test_size <= 0 or n < 2:
        return set(), False
    n_test = min(n - 1, max(1, round(n * test_size)))
    rng = random.Random(seed)
    groups: dict[str, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        groups[label].append(index)
    if len(groups) < 2 or any(len(members) < 2 for members in groups.values()):
        order = list(range(n))
        rng.shuffle(order)
        return set(order[:n_test]), False
    quotas = {label: len(members) * n_test / n for label, members in groups.items()}
    alloc = {label: int(quota) for label, quota in quotas.items()}
    leftover = n_test - sum(alloc.values())
    for label in sorted(quotas, key=lambda k: (-(quotas[k] - alloc[k]), k))[:leftover]:
        alloc[label] += 1
    test: set[int] = set()
    for label in sorted(groups):
        members = groups[label][:]
        rng.shuffle(members)
        # Keep at least one record of every system in train.
        test.update(members[: min(alloc[label], len(members) - 1)])
    return test, True


# ----------------------------------------------------------------------------- building
def _effective_config(
    config: DataConfig,
    test_size: float | None,
    seed: int | None,
    retrieval: Any = ...,
    synthetic_count: int | None = None,
) -> DataConfig:
    update: dict[str, Any] = {}
    if retrieval is not ...:
        update["retrieval"] = retrieval
    if synthetic_count is not None:
        if synthetic_count < 1:
            raise DataError(f"synthetic_count must be at least 1, got {synthetic_count}")
        update["datasets"] = [
            d.model_copy(
                update={"synthetic": d.synthetic.model_copy(update={"count": synthetic_count})}
            )
            if d.synthetic is not None
            else d
            for d in config.datasets
        ]
    if test_size is not None:
        if not 0.0 <= test_size < 1.0:
            raise DataError(f"--test-size must be in [0, 1), got {test_size}")
        update["test_size"] = float(test_size)
    if seed is not None:
        update["seed"] = int(seed)
    return config.model_copy(update=update)


def _local_path(source: DatasetSource, config_path: str | Path) -> Path:
    """The source's file, checked to exist and to be of a type we can read."""
    path = resolve_source_path(source, config_path)
    suffix = path.suffix.lower()
    if suffix not in _LINE_FORMATS and suffix not in _DATASETS_FORMATS:
        valid = ", ".join((*_LINE_FORMATS, *_DATASETS_FORMATS))
        raise DataError(
            f"dataset {source.name!r}: unsupported file type {path.suffix or '(none)'} for "
            f"{path}; use one of {valid}"
        )
    return path


def _preflight(config: DataConfig, config_path: Path) -> None:
    """Fail before reading anything when a local source is missing or of an unknown type."""
    for source in config.datasets:
        if source.source_path:
            _local_path(source, config_path)


def _location(source: DatasetSource) -> str:
    if source.synthetic is not None:
        spec = source.synthetic
        return f"synthetic(count={spec.count}, seed={spec.seed})"
    return source.hub_id or source.source_path or ""


def build_dataset(
    config_path: str | Path,
    output_dir: str | Path,
    test_size: float | None = None,
    seed: int | None = None,
    checker: DataQualityChecker | None = None,
    retrieval: Any = ...,
    synthetic_count: int | None = None,
) -> dict[str, Any]:
    """Build ``train.jsonl``, ``test.jsonl``, ``rejects.jsonl`` and ``metadata.json`` in
    ``output_dir`` from the data config at ``config_path``; return the metadata.

    ``test_size``/``seed`` override the config; so do ``retrieval`` (a
    :class:`~thce.codes.retrieval.RetrievalConfig`, or ``None`` for the candidate-free format)
    and ``synthetic_count`` (the size of every synthetic source), as the pipeline does. ``checker`` defaults to a
    :class:`DataQualityChecker` without the config's ``skip_checks``. Raises
    :class:`DataError` for a bad config or source, or when no record passes the checks.
    """
    config_path = Path(config_path)
    config = _effective_config(
        load_data_config(config_path), test_size, seed, retrieval, synthetic_count
    )
    checker = checker or DataQualityChecker(skip=config.skip_checks)
    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise DataError(f"--output {output_dir} exists and is not a folder")
    output_dir.mkdir(parents=True, exist_ok=True)
    stage = config.stage
    _preflight(config, config_path)

    labels: list[str] = []  # code system of each kept record, in order
    origins: list[int] = []  # source index of each kept record
    per_source: dict[str, Counter[str]] = {d.name: Counter() for d in config.datasets}
    rejected_by_check: Counter[str] = Counter()
    checker.reset()
    kept_path = output_dir / f".kept.{os.getpid()}.jsonl.tmp"
    try:
        with (
            atomic_write(output_dir / "rejects.jsonl") as rejects,
            open(kept_path, "w", encoding="utf-8") as kept,
        ):
            for source_index, source in enumerate(config.datasets):
                counts = per_source[source.name]
                logger.info("reading dataset {} ({})", source.name, _location(source))
                for batch in batched(iter_source(source, config_path), checker.batch_size):
                    prepared = [_prepare(item, source, stage) for item in batch]
                    if config.retrieval is not None:
                        prepared = _with_candidates(prepared, config, len(labels))
                    checked = iter(
                        checker.check_batch(
                            [
                                (item[0], example, None)
                                for item, example, bad in prepared
                                if bad is None
                            ],
                            stage,
                        )
                    )
                    for (line, record, raw, _), example, reasons in prepared:
                        counts["read"] += 1
                        if reasons is None:
                            reasons = next(checked).failures
                        if reasons or example is None:
                            counts["rejected"] += 1
                            rejected_by_check.update(reasons.keys())
                            entry = {
                                "source": source.name,
                                "line": line,
                                "record": record if record is not None else raw,
                                "reasons": reasons,
                            }
                            rejects.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
                            continue
                        counts["kept"] += 1
                        example = _annotate(example, source.name, counts["read"])
                        labels.append(get_gold(example).code_type or UNKNOWN_TYPE)
                        origins.append(source_index)
                        kept.write(json.dumps(example, ensure_ascii=False, default=str) + "\n")
        checker.reset()

        total_read = sum(c["read"] for c in per_source.values())
        if not total_read:
            (output_dir / "rejects.jsonl").unlink(missing_ok=True)  # empty: leave no output
            raise DataError(
                f"the sources of {config_path} hold no records (empty files?); check each "
                "dataset's source_path"
            )
        if not labels:
            raise AllRejectedError(
                f"no record of {config_path} passed the quality checks ({total_read} read, all "
                f"rejected; reasons in {output_dir / 'rejects.jsonl'})"
            )
        test, stratified = split_indices(labels, config.test_size, config.seed)
        split_counts: dict[str, Counter[str]] = {"train": Counter(), "test": Counter()}
        with (
            open(kept_path, encoding="utf-8") as kept_in,
            atomic_write(output_dir / "train.jsonl") as train_out,
            atomic_write(output_dir / "test.jsonl") as test_out,
        ):
            for index, line_text in enumerate(kept_in):
                split = "test" if index in test else "train"
                (test_out if split == "test" else train_out).write(line_text)
                split_counts[split][labels[index]] += 1
                per_source[config.datasets[origins[index]].name][split] += 1
    finally:
        with contextlib.suppress(FileNotFoundError):
            kept_path.unlink()

    metadata = _metadata(
        config, config_path, per_source, split_counts, rejected_by_check, stratified, checker
    )
    write_json(output_dir / "metadata.json", metadata)
    logger.info(
        "built {}: {} train, {} test, {} rejected -> {}",
        config.name,
        metadata["counts"]["train"],
        metadata["counts"]["test"],
        metadata["counts"]["rejected"],
        output_dir,
    )
    return metadata


def _prepare(
    item: tuple[int, dict[str, Any] | None, str, str | None], source: DatasetSource, stage: int
) -> tuple[
    tuple[int, dict[str, Any] | None, str, str | None], dict[str, Any] | None, dict[str, str] | None
]:
    """``(item, stage example, None)`` or ``(item, None, reasons)`` when it cannot be read."""
    _, record, _, error = item
    if record is None:
        return item, None, {"schema": error or "not a JSON object"}
    try:
        return item, to_stage_record(map_columns(record, source.columns), stage), None
    except DataError as exc:
        return item, None, {"schema": str(exc)}


def _with_candidates(prepared: list, config: DataConfig, offset: int) -> list:
    """Put retrieved candidates into every readable example of a batch (training layout:
    gold inserted when missed, order shuffled; the seed depends on the position)."""
    from thce.data.candidates import with_candidates

    assert config.retrieval is not None
    readable = [i for i, (_, example, bad) in enumerate(prepared) if bad is None]
    if not readable:
        return prepared
    try:
        converted = with_candidates(
            [prepared[i][1] for i in readable],
            config.retrieval,
            config.stage,
            training=True,
            seed=config.retrieval.seed * 1_000_003 + config.seed + offset,
        )
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        raise DataError(f"cannot add retrieval candidates to this batch: {exc}") from exc
    out = list(prepared)
    for i, example in zip(readable, converted, strict=True):
        out[i] = (prepared[i][0], example, None)
    return out


def _annotate(example: dict[str, Any], source_name: str, number: int) -> dict[str, Any]:
    out = dict(example)
    if out.get("id") in (None, ""):
        out["id"] = f"{source_name}-{number:06d}"
    metadata = dict(out.get("metadata") or {})
    metadata.setdefault("source", source_name)
    out["metadata"] = metadata
    return out


def _metadata(
    config: DataConfig,
    config_path: Path,
    per_source: dict[str, Counter[str]],
    split_counts: dict[str, Counter[str]],
    rejected_by_check: Counter[str],
    stratified: bool,
    checker: DataQualityChecker,
) -> dict[str, Any]:
    from thce import __version__

    totals = Counter()
    for counts in per_source.values():
        totals.update({k: counts[k] for k in ("read", "kept", "rejected", "train", "test")})
    systems = sorted(set(split_counts["train"]) | set(split_counts["test"]))
    return {
        "name": config.name,
        "description": config.description,
        "stage": config.stage,
        "config": str(config_path),
        "config_hash": config_hash(config),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": config.seed,
        "test_size": config.test_size,
        "stratified": stratified,
        "checks": list(checker.check_names),
        "counts": {k: totals[k] for k in ("read", "kept", "rejected", "train", "test")},
        "sources": {
            source.name: {
                "location": _location(source),
                "entries": source.entries if source.entries is not None else "all",
                **{
                    k: per_source[source.name][k]
                    for k in ("read", "kept", "rejected", "train", "test")
                },
            }
            for source in config.datasets
        },
        "code_types": {
            split: {system: split_counts[split][system] for system in systems}
            for split in ("train", "test")
        },
        "rejected_by_check": dict(sorted(rejected_by_check.items())),
        "files": {"train": "train.jsonl", "test": "test.jsonl", "rejects": "rejects.jsonl"},
        "retrieval": config.retrieval.model_dump() if config.retrieval else None,
        "thce_version": __version__,
    }


__all__ = ["build_dataset", "iter_source", "map_columns", "split_indices", "to_stage_record"]
