"""Training configs: YAML → typed objects, ``--set`` overrides, and a report of every problem.

A config has the project's own sections (``stage``, ``model``, ``tokenizer``, ``dataset``,
``chat_template``, ``special_tokens``, ``lora``), checked by pydantic models with
``extra="forbid"``, and a ``trainer:`` section handed to TRL's ``SFTConfig`` or ``DPOConfig``.
The ``trainer:`` keys are checked against those dataclasses' fields by introspection (never a
hand-kept copy), with a "did you mean" for typos.

    >>> cfg = load_config("post_training/config/thce_stage_1.yaml",
    ...                   overrides=["trainer.max_steps=5", "model=thce:tiny"])  # doctest: +SKIP
    >>> cfg.trainer["max_steps"]  # doctest: +SKIP
    5

Loading this module imports only pydantic/yaml; TRL is imported by the functions that
inspect ``trainer:`` fields.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from rapidfuzz import fuzz, process

from thce.codes.retrieval import RetrievalConfig
from thce.errors import ConfigError
from thce.inputs import read_text
from thce.resources import shipped_path

STAGE_TYPES: dict[int, str] = {1: "sft", 2: "sft", 3: "dpo"}
TOP_LEVEL_KEYS = (
    "stage",
    "model",
    "tokenizer",
    "chat_template",
    "special_tokens",
    "dataset",
    "lora",
    "retrieval",
    "trainer",
)

# --------------------------------------------------------------------------- sections


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class StageSection(_Section):
    """Which stage this config runs and with which trainer."""

    number: Literal[1, 2, 3]
    type: Literal["sft", "dpo"] | None = None
    # The model is the output of this earlier stage: while that output does not exist yet,
    # validation reports a note ("will exist after stage N") instead of an error.
    init_from_stage: Literal[1, 2] | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _default_type(self) -> StageSection:
        if self.type is None:
            object.__setattr__(self, "type", STAGE_TYPES[self.number])
        if self.init_from_stage is not None and self.init_from_stage >= self.number:
            raise ValueError(
                f"init_from_stage ({self.init_from_stage}) must be an earlier stage than "
                f"number ({self.number})"
            )
        return self


class ModelSection(_Section):
    """The base model: a hub id, a local directory or a ``thce:`` built-in.

    Written either as a string (``model: thce:tiny``) or as a mapping with options.
    """

    name_or_path: str = Field(min_length=1)
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "float32"
    attn_implementation: str | None = None
    # Train only the top N transformer layers (and the final norm); the rest, embeddings
    # included, stay frozen. null: train everything. On a CPU this halves the backward pass
    # and keeps a small model's pretrained knowledge while it learns a narrow task.
    trainable_layers: int | None = Field(default=None, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"name_or_path": value} if isinstance(value, str) else value


class TokenizerSection(_Section):
    """Tokenizer source (default: the model's own) and its end/pad tokens."""

    name_or_path: str | None = None
    # Chat turns end with <|im_end|>: the model must learn to emit it to stop generating.
    eos_token: str = "<|im_end|>"
    # None: pick a pad token distinct from eos (see thce.training.tokenization.choose_pad_token).
    pad_token: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if value is None:
            return {}
        return {"name_or_path": value} if isinstance(value, str) else value


class DatasetSection(_Section):
    """Training data: a JSONL file, or a built dataset folder holding ``train.jsonl``."""

    # None: the shipped example file of this stage (data/examples/sample_stage_N.jsonl).
    path: str | None = None
    eval_path: str | None = None
    max_examples: int | None = Field(default=None, ge=1)
    # drop: leave out examples longer than trainer.max_length; truncate_prompt: shorten their
    # narrative instead. The answer is never cut either way.
    truncation: Literal["drop", "truncate_prompt"] = "drop"

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if value is None:
            return {}
        return {"path": value} if isinstance(value, str) else value


class LoraSection(_Section):
    """Optional LoRA adapters through peft (for larger base models)."""

    r: int = Field(default=16, ge=1)
    alpha: int = Field(default=32, ge=1)
    dropout: float = Field(default=0.05, ge=0.0, lt=1.0)
    target_modules: list[str] | str = "all-linear"
    modules_to_save: list[str] | None = None
    # Merge the adapters into the base weights when saving, so the next stage (and
    # evaluation) loads a plain model folder.
    merge_on_save: bool = True


class TrainConfig(_Section):
    """A whole training config. ``trainer`` is checked separately against TRL's config class."""

    stage: StageSection
    model: ModelSection
    tokenizer: TokenizerSection = Field(default_factory=TokenizerSection)
    chat_template: str = "stage_1"
    special_tokens: list[str] = Field(default_factory=list)
    dataset: DatasetSection = Field(default_factory=DatasetSection)
    lora: LoraSection | None = None
    # Candidate codes in the prompt (docs/ARCHITECTURE.md). Read from the built dataset's
    # metadata.json when null; saved with the model so evaluation uses the same settings.
    retrieval: RetrievalConfig | None = None
    trainer: dict[str, Any] = Field(default_factory=dict)
    _source: Path | None = PrivateAttr(default=None)

    @field_validator("chat_template")
    @classmethod
    def _known_template(cls, value: str) -> str:
        from thce.data.chat_templates import TEMPLATE_NAMES, _resolve_name
        from thce.errors import DataError

        try:
            return _resolve_name(value)
        except DataError:
            raise ValueError(
                f"unknown chat template {value!r}; valid: {', '.join(TEMPLATE_NAMES)}"
            ) from None

    @field_validator("special_tokens")
    @classmethod
    def _non_empty_tokens(cls, value: list[str]) -> list[str]:
        for token in value:
            if not token.strip() or token != token.strip():
                raise ValueError(f"special token {token!r} is empty or has surrounding spaces")
        return value

    @field_validator("trainer", mode="before")
    @classmethod
    def _trainer_mapping(cls, value: Any) -> Any:
        return {} if value is None else value

    @property
    def stage_type(self) -> str:
        """``sft`` or ``dpo``."""
        return str(self.stage.type)

    @property
    def output_dir(self) -> Path:
        """``trainer.output_dir``, or ``outputs/stage_N``."""
        return Path(self.trainer.get("output_dir") or f"outputs/stage_{self.stage.number}")

    @property
    def source(self) -> Path | None:
        """The YAML file this config came from (None when built in code)."""
        return self._source

    @property
    def config_dir(self) -> Path | None:
        """Folder of the YAML file (relative dataset paths are also tried from there)."""
        return self._source.parent if self._source else None

    def dataset_path(self) -> Path:
        """The training data file or folder this config points at (resolved, maybe missing)."""
        if self.dataset.path is None:
            return default_dataset_path(self.stage.number)
        return resolve_data_path(self.dataset.path, self.config_dir)

    def to_yaml_dict(self) -> dict[str, Any]:
        """Plain data for ``resolved_config.yaml``."""
        return self.model_dump(mode="json", exclude_none=False)


# --------------------------------------------------------------------------- problems


@dataclass
class Problem:
    """One finding: ``level`` is ``error`` (invalid), ``warning`` or ``note`` (still valid)."""

    level: Literal["error", "warning", "note"]
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{self.level}: {where}{self.field or '<config>'}: {self.message}"


@dataclass
class ConfigReport:
    """Everything found about one config. ``valid`` is False when any problem is an error."""

    source: str
    problems: list[Problem] = field(default_factory=list)
    config: TrainConfig | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when no problem is an error."""
        return self.config is not None and not any(p.level == "error" for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        """The problems that make the config invalid."""
        return [p for p in self.problems if p.level == "error"]

    def add(self, level: str, field_name: str, message: str, line: int | None = None) -> None:
        """Record a problem."""
        self.problems.append(Problem(level, field_name, message, line))  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``thce config validate --json``)."""
        return {
            "source": self.source,
            "valid": self.valid,
            "problems": [dataclasses.asdict(p) for p in self.problems],
            "facts": self.facts,
        }


# --------------------------------------------------------------------------- YAML + overrides


def _line_map(text: str) -> dict[str, int]:
    """Map dotted key paths (``trainer.learning_rate``) to 1-based line numbers."""
    lines: dict[str, int] = {}
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return lines

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
                lines[key] = key_node.start_mark.line + 1
                walk(value_node, key)

    walk(root, "")
    return lines


def read_yaml(path: str | Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Read a YAML mapping; return it with its key → line map.

    Raises :class:`ConfigError` naming the line and column of a syntax error.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} not found")
    text = read_text(path, what="config file", error=ConfigError)
    try:
        data = yaml.safe_load(text)
    except RecursionError:
        raise ConfigError(f"{path}: YAML nested too deeply; check the file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            f"{path}: YAML syntax error at {where}: {problem}; check indentation and quoting"
        ) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping of sections at the top, got {type(data).__name__}"
        )
    return data, _line_map(text)


def parse_override(override: str) -> tuple[list[str], Any]:
    """Split ``key.path=value``; the value is parsed as YAML (``1e-4`` → float, ``[a, b]`` → list).

    >>> parse_override("trainer.max_steps=20")
    (['trainer', 'max_steps'], 20)
    """
    if "=" not in override:
        raise ConfigError(f"--set {override!r}: expected key.path=value, e.g. trainer.max_steps=20")
    key, raw = override.split("=", 1)
    parts = [p.strip() for p in key.strip().split(".")]
    if not all(parts):
        raise ConfigError(f"--set {override!r}: empty key segment in {key!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return parts, _coerce_number(value)


def _coerce_number(value: Any) -> Any:
    """YAML 1.1 reads ``1e-5`` (no dot) as a string: turn such strings into floats."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return number if any(c in value.lower() for c in "e.") and math.isfinite(number) else value
    return value


def apply_overrides(data: dict[str, Any], overrides: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Return a copy of ``data`` with each ``key.path=value`` override applied in order.

    A scalar section written as a string (``model: thce:tiny``) becomes a mapping when an
    override names one of its fields (``model.dtype=bfloat16``).
    """
    result = copy.deepcopy(data)
    scalar_field = {"model": "name_or_path", "tokenizer": "name_or_path", "dataset": "path"}
    for override in overrides:
        parts, value = parse_override(override)
        node = result
        for depth, part in enumerate(parts[:-1]):
            child = node.get(part)
            if depth == 0 and part in scalar_field and (child is None or isinstance(child, str)):
                child = {} if child is None else {scalar_field[part]: child}
                node[part] = child
            elif child is None:
                child = {}
                node[part] = child
            elif not isinstance(child, dict):
                raise ConfigError(
                    f"--set {override!r}: {'.'.join(parts[: depth + 1])} is a value, not a section"
                )
            node = child
        node[parts[-1]] = value
    return result


# --------------------------------------------------------------------------- TRL introspection


def trl_config_class(stage_type: str) -> type:
    """TRL's ``SFTConfig`` or ``DPOConfig`` (imports TRL)."""
    if stage_type == "dpo":
        from trl import DPOConfig

        return DPOConfig
    from trl import SFTConfig

    return SFTConfig


@cache
def trainer_fields(stage_type: str) -> dict[str, Any]:
    """Field name → annotation of TRL's config dataclass for ``sft`` or ``dpo``."""
    cls = trl_config_class(stage_type)
    try:
        hints = typing.get_type_hints(cls)
    except Exception:
        hints = {}
    return {f.name: hints.get(f.name, f.type) for f in dataclasses.fields(cls) if f.init}


def suggest(name: str, choices: list[str] | tuple[str, ...], cutoff: float = 70) -> str | None:
    """Closest valid name to a typo, or None. ``suggest("learning_rte", [...]) -> "learning_rate"``."""
    match = process.extractOne(name, list(choices), scorer=fuzz.WRatio, score_cutoff=cutoff)
    return match[0] if match else None


def _base_types(annotation: Any) -> set[type]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        result: set[type] = set()
        for arg in typing.get_args(annotation):
            result |= _base_types(arg)
        return result
    if origin is not None:
        return {origin} if isinstance(origin, type) else set()
    return {annotation} if isinstance(annotation, type) else set()


def _check_type(key: str, value: Any, annotation: Any) -> tuple[Any, str | None]:
    """Coerce obvious cases (``"1e-5"`` → float); return (value, error message or None)."""
    allowed = _base_types(annotation)
    if not allowed or value is None:
        return value, None
    if isinstance(value, str):
        coerced = _coerce_number(value)
        if not isinstance(coerced, str) and float in allowed:
            return float(coerced), None
    if isinstance(value, bool):
        ok = bool in allowed
        if (
            not ok
            and value is False
            and (str in allowed or any(issubclass(t, str) for t in allowed))
        ):
            # YAML 1.1 reads a bare `no` as False: `save_strategy: no` means "no".
            value, ok = "no", True
    elif isinstance(value, int):
        ok = bool(allowed & {int, float, str})
        if int not in allowed and float in allowed:
            value = float(value)
    elif isinstance(value, float):
        ok = float in allowed or (int in allowed and value.is_integer())
        if ok and float not in allowed:
            value = int(value)
    elif isinstance(value, str):
        # TRL accepts a single string where it takes a list (loss_type: apo_zero).
        ok = (
            str in allowed
            or list in allowed
            or any(isinstance(t, type) and issubclass(t, str) for t in allowed)
        )  # str enums
    elif isinstance(value, list):
        ok = list in allowed or str in allowed
    elif isinstance(value, dict):
        ok = dict in allowed or str in allowed
    else:
        ok = False
    if ok:
        return value, None
    names = ", ".join(sorted(t.__name__ for t in allowed))
    return value, f"{key} must be {names}, got {type(value).__name__} {value!r}"


# Ranges the seed asks for, plus a few that catch common slips early.
_RANGES: dict[str, tuple[str, Any]] = {
    "learning_rate": ("open01", "learning rate must be in (0, 1), e.g. 2e-5"),
    "beta": ("pos", "beta must be > 0 (0.1 is a common DPO value)"),
    "per_device_train_batch_size": ("int>=1", "batch sizes must be integers >= 1"),
    "per_device_eval_batch_size": ("int>=1", "batch sizes must be integers >= 1"),
    "gradient_accumulation_steps": ("int>=1", "gradient_accumulation_steps must be >= 1"),
    "num_train_epochs": ("pos", "num_train_epochs must be > 0"),
    "max_length": ("int>=16", "max_length must be an integer >= 16 (or null for no limit)"),
    "max_grad_norm": ("nonneg", "max_grad_norm must be >= 0"),
    "weight_decay": ("nonneg", "weight_decay must be >= 0"),
    "warmup_steps": ("nonneg", "warmup_steps must be >= 0 (< 1: a share of the steps)"),
    "logging_steps": ("pos", "logging_steps must be > 0"),
}


def _check_range(key: str, value: Any) -> str | None:
    rule_msg = _RANGES.get(key)
    if rule_msg is None or value is None or isinstance(value, bool):
        return None
    rule, message = rule_msg
    if key == "max_steps":
        return None
    if not isinstance(value, int | float):
        return None
    bad = {
        "open01": lambda v: not (0 < v < 1),
        "pos": lambda v: not v > 0,
        "nonneg": lambda v: v < 0,
        "int>=1": lambda v: not (float(v).is_integer() and v >= 1),
        "int>=16": lambda v: not (float(v).is_integer() and v >= 16),
    }[rule](value)
    return f"{message}; got {value!r}" if bad else None


def check_trainer_section(
    trainer: dict[str, Any], stage_type: str, report: ConfigReport, lines: dict[str, int]
) -> dict[str, Any]:
    """Check ``trainer:`` keys, types and ranges; record problems; return coerced values."""
    fields = trainer_fields(stage_type)
    cls_name = trl_config_class(stage_type).__name__
    checked: dict[str, Any] = {}
    for key, value in trainer.items():
        where = lines.get(f"trainer.{key}")
        if key not in fields:
            hint = suggest(key, list(fields))
            other = "dpo" if stage_type == "sft" else "sft"
            elsewhere = key in trainer_fields(other)
            msg = f"unknown {cls_name} field {key!r}"
            if hint and not elsewhere:
                msg += f"; did you mean {hint!r}?"
            if elsewhere:
                msg += f" ({key!r} belongs to the {other.upper()} trainer: check stage.type)"
            report.add("error", f"trainer.{key}", msg, where)
            continue
        value, type_error = _check_type(key, value, fields[key])
        if type_error:
            report.add("error", f"trainer.{key}", type_error, where)
            continue
        range_error = _check_range(key, value)
        if range_error:
            report.add("error", f"trainer.{key}", range_error, where)
            continue
        checked[key] = value
    max_steps = trainer.get("max_steps")
    if isinstance(max_steps, int) and not isinstance(max_steps, bool) and max_steps == 0:
        report.add(
            "error",
            "trainer.max_steps",
            "max_steps 0 trains nothing; use -1 (epochs decide) or a positive number",
            lines.get("trainer.max_steps"),
        )
    return checked


# --------------------------------------------------------------------------- parsing


def _pydantic_problems(exc: ValidationError, report: ConfigReport, lines: dict[str, int]) -> None:
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        # Drop pydantic's internal union/function names from the path.
        path = ".".join(p for p in loc if not p.startswith("function-") and p not in ("str",))
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            section = ".".join(loc[:-1])
            parent_model = {
                "": TrainConfig,
                "stage": StageSection,
                "model": ModelSection,
                "tokenizer": TokenizerSection,
                "dataset": DatasetSection,
                "lora": LoraSection,
            }.get(section)
            valid = list(parent_model.model_fields) if parent_model else []
            hint = suggest(loc[-1], valid) if valid else None
            message = f"unknown key {loc[-1]!r}" + (f"; did you mean {hint!r}?" if hint else "")
            if valid:
                message += f" (valid: {', '.join(valid)})"
        elif err["type"] == "missing":
            message = "required field is missing"
        elif "input" in err and err["type"] != "missing":
            message += f" (got {err['input']!r})"
        line = lines.get(path) or lines.get(path.rsplit(".", 1)[0])
        report.add("error", path, message, line)


def parse_config(
    data: dict[str, Any], source: str = "<config>", lines: dict[str, int] | None = None
) -> ConfigReport:
    """Build a :class:`TrainConfig` from plain data; collect every problem (no TRL checks)."""
    lines = lines or {}
    report = ConfigReport(source=source)
    unknown_top = [k for k in data if k not in TOP_LEVEL_KEYS]
    for key in unknown_top:
        hint = suggest(str(key), TOP_LEVEL_KEYS)
        msg = f"unknown section {key!r}" + (f"; did you mean {hint!r}?" if hint else "")
        for stage_type in ("sft", "dpo"):
            try:
                if key in trainer_fields(stage_type):
                    msg += f" (trainer options go under trainer:, e.g. trainer.{key})"
                    break
            except ImportError:
                break
        report.add("error", str(key), msg, lines.get(str(key)))
    known = {k: v for k, v in data.items() if k in TOP_LEVEL_KEYS}
    if (
        "trainer" in known
        and known["trainer"] is not None
        and not isinstance(known["trainer"], dict)
    ):
        report.add(
            "error", "trainer", "trainer must be a mapping of TRL options", lines.get("trainer")
        )
        known["trainer"] = {}
    try:
        report.config = TrainConfig.model_validate(known)
    except ValidationError as exc:
        _pydantic_problems(exc, report, lines)
    return report


def raw_stage_type(data: dict[str, Any]) -> str:
    """The trainer type a possibly invalid config asks for (``sft`` when unclear)."""
    stage = data.get("stage")
    if isinstance(stage, dict):
        if stage.get("type") in ("sft", "dpo"):
            return str(stage["type"])
        if stage.get("number") in STAGE_TYPES:
            return STAGE_TYPES[stage["number"]]
    return "sft"


def check_config(
    data: dict[str, Any], source: str = "<config>", lines: dict[str, int] | None = None
) -> ConfigReport:
    """:func:`parse_config` plus the ``trainer:`` checks, even when other sections are invalid."""
    lines = lines or {}
    report = parse_config(data, source, lines)
    if report.config is not None:
        report.config.trainer = check_trainer_section(
            report.config.trainer, report.config.stage_type, report, lines
        )
    elif isinstance(data.get("trainer"), dict):
        check_trainer_section(data["trainer"], raw_stage_type(data), report, lines)
    return report


def load_config(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> TrainConfig:
    """Read, override and type-check a config; raise :class:`ConfigError` listing every error.

    Checks sections and ``trainer:`` keys/types/ranges; :func:`thce.training.validate.validate_config`
    adds paths, models and what TRL itself rejects.
    """
    data, lines = read_yaml(path)
    data = apply_overrides(data, list(overrides))
    report = check_config(data, str(path), lines)
    if report.errors or report.config is None:
        raise ConfigError(format_errors(report))
    report.config._source = Path(path)
    return report.config


def format_errors(report: ConfigReport) -> str:
    """One message listing every error of a report."""
    errors = report.errors
    head = f"{report.source}: {len(errors)} problem{'s' if len(errors) != 1 else ''}"
    return head + "".join(f"\n  - {p}" for p in errors)


def default_dataset_path(stage: int) -> Path:
    """The shipped example file for a stage."""
    return shipped_path("examples", f"sample_stage_{stage}.jsonl")


def resolve_data_path(value: str | Path, config_dir: Path | None = None) -> Path:
    """Find a dataset path: absolute; relative to the CWD; to the config's folder; shipped data.

    The last step maps ``data/examples/<file>`` to the shipped examples, so the shipped configs
    work from any directory and from a wheel install.
    """
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    candidates = [Path.cwd() / path]
    if config_dir is not None:
        candidates.append(config_dir / path)
    parts = path.parts
    if len(parts) >= 3 and parts[0] == "data" and parts[1] == "examples":
        candidates.append(shipped_path("examples", str(Path(*parts[2:]))))
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return candidates[0]


__all__ = [
    "STAGE_TYPES",
    "ConfigReport",
    "DatasetSection",
    "LoraSection",
    "ModelSection",
    "Problem",
    "StageSection",
    "TokenizerSection",
    "TrainConfig",
    "apply_overrides",
    "check_config",
    "check_trainer_section",
    "default_dataset_path",
    "format_errors",
    "load_config",
    "parse_config",
    "parse_override",
    "raw_stage_type",
    "read_yaml",
    "resolve_data_path",
    "suggest",
    "trainer_fields",
    "trl_config_class",
]
