"""``thce config validate``: check a training config and report every problem found.

Checks, in order, collecting rather than stopping: YAML syntax (with line numbers), sections
and their fields/types, ``trainer:`` keys against TRL's ``SFTConfig``/``DPOConfig`` (with a
"did you mean"), ranges, what TRL itself rejects, settings this machine cannot run, paths
that must exist, the first data record's format, and model/tokenizer availability.

A model that is a previous stage's output (``stage.init_from_stage``) and does not exist yet
is a *note* ("will exist after stage 1"), not an error: the stage-2 config is valid before
stage 1 has run. ``thce train`` refuses to start until it exists.

    >>> report = validate_config("post_training/config/thce_stage_1.yaml")  # doctest: +SKIP
    >>> report.valid  # doctest: +SKIP
    True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from thce.config import read_yaml
from thce.errors import ConfigError, THCEError
from thce.io import iter_jsonl
from thce.training.config import ConfigReport, TrainConfig, collect_problems
from thce.training.data import check_record
from thce.training.overrides import apply_overrides
from thce.training.trainer_checks import trl_config_class


def _check_trl(config: TrainConfig, report: ConfigReport, lines: dict[str, int]) -> None:
    from thce.training.args import effective_trainer_args, platform, platform_problems

    machine = platform()
    args = effective_trainer_args(config, machine)
    report.facts["platform"] = machine
    report.facts["bf16"] = args.get("bf16")
    for field_name, message in platform_problems(args, machine):
        report.add("error", field_name, message, lines.get(field_name))
    if any(p.field.startswith("trainer.") for p in report.errors):
        return  # TRL would only repeat the same complaint
    cls = trl_config_class(config.stage_type)
    try:
        trl_args = cls(**args)
    except (ValueError, TypeError) as exc:
        report.add("error", "trainer", f"TRL's {cls.__name__} rejected the settings: {exc}")
        return
    if config.stage_type == "sft" and trl_args.packing and not trl_args.max_length:
        report.add(
            "error", "trainer.max_length", "packing needs max_length", lines.get("trainer.packing")
        )
    if trl_args.eval_strategy != "no" and not config.dataset.eval_path:
        report.add(
            "error",
            "dataset.eval_path",
            f"trainer.eval_strategy is {trl_args.eval_strategy.value!r} but no dataset.eval_path is set",
            lines.get("trainer.eval_strategy"),
        )


def _check_stage_consistency(
    config: TrainConfig, report: ConfigReport, lines: dict[str, int]
) -> None:
    number, stage_type = config.stage.number, config.stage_type
    expected = "dpo" if number == 3 else "sft"
    if stage_type != expected:
        report.add(
            "warning",
            "stage.type",
            f"stage {number} usually runs {expected.upper()}, this config runs {stage_type.upper()}",
            lines.get("stage.type"),
        )
    template_stage = int(config.chat_template[-1])
    if (template_stage == 1) != (number == 1):
        report.add(
            "warning",
            "chat_template",
            f"stage {number} with template {config.chat_template}: stage 1 answers without "
            "reasoning, stages 2-3 with <think>",
            lines.get("chat_template"),
        )
    if config.lora is not None and config.stage.number > 1 and config.lora.merge_on_save is False:
        report.add(
            "warning",
            "lora.merge_on_save",
            "unmerged adapters cannot be the next stage's model; keep merge_on_save: true",
            lines.get("lora.merge_on_save"),
        )


def _check_data(config: TrainConfig, report: ConfigReport, lines: dict[str, int]) -> None:
    for key in ("path", "eval_path"):
        value = getattr(config.dataset, key)
        if key == "eval_path" and value is None:
            continue
        if key == "path":
            path = config.dataset_path()
        else:
            from thce.training.config import resolve_data_path

            path = resolve_data_path(value, config.config_dir)
        report.facts[f"dataset.{key}"] = str(path)
        file = path / ("train.jsonl" if key == "path" else "test.jsonl") if path.is_dir() else path
        if not file.is_file():
            report.add(
                "error",
                f"dataset.{key}",
                f"{path} not found (relative paths are tried from {Path.cwd()}"
                + (f" and {config.config_dir}" if config.config_dir else "")
                + ")",
                lines.get(f"dataset.{key}") or lines.get("dataset"),
            )
            continue
        # Peek at the first record only: a full check is `thce data check` (files can be large).
        for line, record, _raw, error in iter_jsonl(file):
            reason = error or check_record(record or {}, config.stage_type)
            if reason:
                report.add(
                    "error",
                    f"dataset.{key}",
                    f"{file} line {line}: {reason}",
                    lines.get(f"dataset.{key}") or lines.get("dataset"),
                )
            break


def _check_model(config: TrainConfig, report: ConfigReport, lines: dict[str, int]) -> None:
    from thce.models import BUILTIN_MODELS, resolve_model

    name = config.model.name_or_path
    previous = config.stage.init_from_stage
    is_builtin = name.strip().lower() in BUILTIN_MODELS
    if previous and not is_builtin and not Path(name).expanduser().exists():
        report.facts["model"] = {"name": name, "kind": "previous_stage_output", "exists": False}
        report.add(
            "note",
            "model",
            f"{name} does not exist yet: it will exist after stage {previous} "
            f"(thce train post_training/config/thce_stage_{previous}.yaml)",
            lines.get("model") or lines.get("model.name_or_path"),
        )
    else:
        try:
            resolved = resolve_model(name, materialize=False)
        except THCEError as exc:
            report.add(
                "error", "model", str(exc), lines.get("model") or lines.get("model.name_or_path")
            )
        else:
            report.facts["model"] = {
                "name": name,
                "kind": resolved.kind,
                "path_or_id": resolved.path_or_id,
                "note": resolved.note,
            }
            if resolved.kind in ("embedded_fallback", "hub"):
                report.add("note", "model", resolved.note, lines.get("model"))
    tokenizer = config.tokenizer.name_or_path
    if tokenizer and tokenizer.strip().lower() not in BUILTIN_MODELS:
        try:
            resolve_model(tokenizer, materialize=False)
        except THCEError as exc:
            report.add("error", "tokenizer", str(exc), lines.get("tokenizer"))


def validate_config(
    source: str | Path | dict[str, Any],
    overrides: list[str] | tuple[str, ...] = (),
    check_model: bool = True,
    check_data: bool = True,
    config_path: str | Path | None = None,
) -> ConfigReport:
    """Validate a config file (or already-read data); never raises for config mistakes.

    ``config_path`` names the file that in-memory data came from (relative dataset paths are
    also tried from its folder).
    """
    lines: dict[str, int] = {}
    if isinstance(source, dict):
        data, name = source, "<config>"
    else:
        name = str(source)
        try:
            data, lines = read_yaml(source, what="training config")
        except ConfigError as exc:
            report = ConfigReport(source=name)
            report.add("error", "", str(exc).removeprefix(f"invalid training config {name}: "))
            return report
    try:
        data = apply_overrides(data, list(overrides))
    except ConfigError as exc:
        report = ConfigReport(source=name)
        report.add("error", "--set", str(exc))
        return report
    report = collect_problems(data, name, lines)
    config = report.config
    if config is None:
        return report
    if not isinstance(source, dict):
        config._source = Path(source)
    elif config_path is not None:
        config._source = Path(config_path)
    report.facts["stage"] = config.stage.number
    report.facts["trainer"] = trl_config_class(config.stage_type).__name__
    report.facts["output_dir"] = str(config.output_dir)
    _check_stage_consistency(config, report, lines)
    if not report.errors:
        _check_trl(config, report, lines)
    if check_data:
        _check_data(config, report, lines)
    if check_model:
        _check_model(config, report, lines)
    return report


__all__ = ["validate_config"]
