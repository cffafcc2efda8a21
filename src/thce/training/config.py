"""Training configs: YAML → typed objects, ``--set`` overrides, and a report of every problem.

A config has the project's own sections (``stage``, ``model``, ``tokenizer``, ``dataset``,
``chat_template``, ``special_tokens``, ``lora``, ``retrieval``), checked by pydantic models
with ``extra="forbid"``, and a ``trainer:`` section checked by TRL's own ``SFTConfig`` or
``DPOConfig`` (:mod:`thce.training.trainer_checks`). Files are read and problems explained by
the one settings layer, :mod:`thce.config`.

Two public entry points: :func:`load_config` (raises on any error; for running) and
:func:`thce.training.validate.validate_config` (reports everything; ``thce config validate``).

    >>> cfg = load_config("post_training/config/thce_stage_1.yaml",
    ...                   overrides=["trainer.max_steps=5", "model=thce:tiny"])  # doctest: +SKIP
    >>> cfg.trainer["max_steps"]  # doctest: +SKIP
    5

Loading this module imports only pydantic/yaml; TRL is imported by the ``trainer:`` checks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from thce.codes.retrieval import RetrievalConfig
from thce.config import Problem, config_error, explain, read_yaml, resolve_path, suggest
from thce.errors import ConfigError
from thce.resources import shipped_path
from thce.training.overrides import apply_overrides
from thce.training.trainer_checks import check_trainer_section, trainer_fields

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
class Finding:
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
    problems: list[Finding] = field(default_factory=list)
    config: TrainConfig | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when no problem is an error."""
        return self.config is not None and not any(p.level == "error" for p in self.problems)

    @property
    def errors(self) -> list[Finding]:
        """The problems that make the config invalid."""
        return [p for p in self.problems if p.level == "error"]

    def add(self, level: str, field_name: str, message: str, line: int | None = None) -> None:
        """Record a problem."""
        self.problems.append(Finding(level, field_name, message, line))  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``thce config validate --json``)."""
        return {
            "source": self.source,
            "valid": self.valid,
            "problems": [dataclasses.asdict(p) for p in self.problems],
            "facts": self.facts,
        }


# --------------------------------------------------------------------------- parsing


def collect_problems(
    data: dict[str, Any], source: str = "<config>", lines: dict[str, int] | None = None
) -> ConfigReport:
    """Every problem of a config's plain data: sections by pydantic, ``trainer:`` by TRL."""
    lines = lines or {}
    report = ConfigReport(source=source)
    for key in data:
        if key in TOP_LEVEL_KEYS:
            continue
        hint = suggest(str(key), TOP_LEVEL_KEYS)
        msg = "unknown section" + (f"; did you mean {hint!r}?" if hint else "")
        if any(key in trainer_fields(kind) for kind in ("sft", "dpo")):
            msg += f" (trainer options go under trainer:, e.g. trainer.{key})"
        report.add("error", str(key), msg, lines.get(str(key)))
    known = {k: v for k, v in data.items() if k in TOP_LEVEL_KEYS}
    trainer = known.get("trainer")
    if trainer is not None and not isinstance(trainer, dict):
        report.add(
            "error", "trainer", "trainer must be a mapping of TRL options", lines.get("trainer")
        )
        known["trainer"] = trainer = {}
    try:
        report.config = TrainConfig.model_validate(known)
    except ValidationError as exc:
        for problem in explain(TrainConfig, exc, lines):
            report.add("error", problem.path, problem.message, problem.line)
    stage_type = report.config.stage_type if report.config else _raw_stage_type(data)
    checked, problems = check_trainer_section(trainer or {}, stage_type, lines)
    for problem in problems:
        report.add("error", problem.path, problem.message, problem.line)
    if report.config is not None:
        report.config.trainer = checked
    return report


def _raw_stage_type(data: dict[str, Any]) -> str:
    """The trainer type a possibly invalid config asks for (``sft`` when unclear)."""
    stage = data.get("stage")
    if isinstance(stage, dict):
        if stage.get("type") in ("sft", "dpo"):
            return str(stage["type"])
        if stage.get("number") in STAGE_TYPES:
            return STAGE_TYPES[stage["number"]]
    return "sft"


def load_config(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> TrainConfig:
    """Read, override and check a config; raise :class:`ConfigError` listing every error.

    Checks sections and ``trainer:`` (by TRL's config class);
    :func:`thce.training.validate.validate_config` adds paths, models and the machine.
    """
    data, lines = read_yaml(path, what="training config")
    data = apply_overrides(data, list(overrides))
    report = collect_problems(data, str(path), lines)
    if report.errors or report.config is None:
        raise ConfigError(format_errors(report))
    report.config._source = Path(path)
    return report.config


def format_errors(report: ConfigReport) -> str:
    """One message listing every error of a report, in :mod:`thce.config`'s style."""
    problems = [Problem(p.field, p.message, p.line) for p in report.errors]
    return str(config_error("training config", report.source, problems))


def default_dataset_path(stage: int) -> Path:
    """The shipped example file for a stage."""
    return shipped_path("examples", f"sample_stage_{stage}.jsonl")


def resolve_data_path(value: str | Path, config_dir: Path | None = None) -> Path:
    """Find a dataset path by :func:`thce.config.resolve_path`: absolute; else the config's
    folder, the working directory, the repository root, the shipped examples
    (``data/examples/<file>``), so the shipped configs work from any folder and a wheel."""
    return resolve_path(value, config_dir)


__all__ = [
    "STAGE_TYPES",
    "ConfigReport",
    "DatasetSection",
    "LoraSection",
    "ModelSection",
    "StageSection",
    "TokenizerSection",
    "TrainConfig",
    "default_dataset_path",
    "format_errors",
    "load_config",
    "resolve_data_path",
]
