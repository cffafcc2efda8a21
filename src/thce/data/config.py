"""Data configs: which sources make up a stage's dataset, how many entries, how to split.

A data config is YAML in the seed's shape (``data/config/thce_stage_{1,2,3}.yaml``)::

    name: thce_stage_1
    description: Stage 1 SFT data (narrative -> code).
    stage: 1
    test_size: 0.2
    seed: 42
    datasets:
      - name: sample_stage_1
        source_path: ../examples/sample_stage_1.jsonl   # relative to this file
        split: train
        entries: all                                    # or a number
        columns: {}                                     # source column -> THCE column

Loaded into pydantic models with ``extra="forbid"``: a misspelt key is an error that names
the file, the key path and the closest valid key.

    >>> cfg = load_data_config(shipped_path("data_config", "thce_stage_1.yaml"))  # doctest: +SKIP
    >>> cfg.datasets[0].name                                                        # doctest: +SKIP
    'sample_stage_1'
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from thce.codes.retrieval import RetrievalConfig
from thce.config import load_yaml_model, path_candidates, validate_model
from thce.data.quality_checks import CHECK_NAMES
from thce.errors import DataError

# Columns a source may be mapped onto. Raw columns are converted to the stage format by
# ``thce.data.preprocess.record_from_raw``; stage-format columns are used as they are.
RAW_COLUMNS: tuple[str, ...] = (
    "narrative",
    "text",
    "code",
    "code_type",
    "description",
    "reasoning",
    "specialty",
)
STAGE_COLUMNS: tuple[str, ...] = ("messages", "prompt", "chosen", "rejected")
TARGET_COLUMNS: tuple[str, ...] = ("id", "metadata", *STAGE_COLUMNS, *RAW_COLUMNS)


class SyntheticSource(BaseModel):
    """Offline generated examples (:mod:`thce.data.synthetic`): no file, no API key."""

    model_config = ConfigDict(extra="forbid")

    count: int = Field(1000, ge=1, description="How many examples to generate.")
    seed: int = Field(0, description="Same seed, same examples.")
    mix: dict[str, float] = Field(
        default_factory=lambda: {"ICD10": 0.5, "CPT": 0.25, "HCPCS": 0.25},
        description="Share of each code system.",
    )
    exclude_codes_from: list[str] = Field(
        default_factory=list,
        description="Files (e.g. the test sets) whose answer codes are never generated.",
    )

    @field_validator("mix")
    @classmethod
    def _known_systems(cls, value: dict[str, float]) -> dict[str, float]:
        from thce.codes.formats import CODE_TYPES

        unknown = [k for k in value if k not in CODE_TYPES]
        if unknown or not value or any(v < 0 for v in value.values()) or sum(value.values()) <= 0:
            raise ValueError(
                f"mix needs non-negative shares of {', '.join(CODE_TYPES)} (got {value})"
            )
        return value


class DatasetSource(BaseModel):
    """One source of examples: a local file, a Hugging Face dataset or generated examples."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, description="Name used in metadata.json and ids.")
    source_path: str | None = Field(
        default=None,
        description="Local JSONL/JSON/Parquet/CSV file, relative to the config file's folder "
        "(then the working directory, then the repository).",
    )
    hub_id: str | None = Field(default=None, description="Hugging Face dataset id.")
    synthetic: SyntheticSource | None = Field(
        default=None, description="Generate examples offline from the code databases."
    )
    subset: str | None = Field(default=None, description="Dataset configuration (hub only).")
    split: str = Field(default="train", description="Split to read from the source.")
    entries: int | Literal["all"] | None = Field(
        default=None, description="How many records to take from the start; all/null = all."
    )
    columns: dict[str, str] = Field(
        default_factory=dict, description="Mapping from source column names to THCE columns."
    )

    @field_validator("entries")
    @classmethod
    def _positive_entries(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and value < 1:
            raise ValueError(f"must be a positive number or 'all', got {value}")
        return value

    @field_validator("columns")
    @classmethod
    def _known_targets(cls, value: dict[str, str]) -> dict[str, str]:
        for source, target in value.items():
            if target not in TARGET_COLUMNS:
                raise ValueError(
                    f"column {source!r} maps to unknown column {target!r}; "
                    f"valid targets: {', '.join(TARGET_COLUMNS)}"
                )
        return value

    @model_validator(mode="after")
    def _one_location(self) -> DatasetSource:
        given = [bool(self.source_path), bool(self.hub_id), self.synthetic is not None]
        if sum(given) != 1:
            raise ValueError(
                "give exactly one of source_path (local file), hub_id or synthetic (generated)"
            )
        return self

    @property
    def limit(self) -> int | None:
        """Number of entries to take, ``None`` for all."""
        return self.entries if isinstance(self.entries, int) else None


class DataConfig(BaseModel):
    """A stage's data config."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    stage: Literal[1, 2, 3] = 1
    test_size: float = Field(default=0.2, ge=0.0, lt=1.0)
    seed: int = 42
    skip_checks: list[str] = Field(
        default_factory=list, description="Quality checks to disable by name (e.g. phi)."
    )
    datasets: list[DatasetSource] = Field(min_length=1)
    retrieval: RetrievalConfig | None = Field(
        default=None,
        description="Put retrieved candidate codes in every prompt (null: the candidate-free "
        "format). Stage 2 records without reasoning get reasoning about the candidates; stage "
        "3 records without a rejected answer get the closest rival as one.",
    )

    @field_validator("skip_checks")
    @classmethod
    def _known_checks(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in CHECK_NAMES]
        if unknown:
            raise ValueError(
                f"unknown check(s) {', '.join(unknown)}; valid checks: {', '.join(CHECK_NAMES)}"
            )
        return value

    @model_validator(mode="after")
    def _unique_names(self) -> DataConfig:
        names = [d.name for d in self.datasets]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"dataset names must be unique; repeated: {', '.join(dupes)}")
        return self


def parse_data_config(
    data: Any, source: str | Path = "<config>", lines: dict[str, int] | None = None
) -> DataConfig:
    """Validate an already-parsed config mapping; errors name ``source``, the line and the key."""
    return validate_model(
        DataConfig, data, what="data config", source=source, lines=lines, error=DataError
    )


def load_data_config(path: str | Path) -> DataConfig:
    """Read and validate a data config YAML file (:func:`thce.config.load_yaml_model`).

    Raises :class:`DataError` naming the file, line and key for a missing file, bad YAML, an
    unknown key (with the closest valid one) or a bad value.
    """
    return load_yaml_model(DataConfig, path, what="data config", error=DataError)


def resolve_source_path(source: DatasetSource, config_path: str | Path) -> Path:
    """Find a source's local file by :func:`thce.config.resolve_path` (absolute; else the
    config's folder, the working directory, the repository root, the shipped copy). Raises
    :class:`DataError` listing where it looked."""
    assert source.source_path is not None
    base = Path(config_path).resolve().parent
    candidates = path_candidates(source.source_path, base)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise DataError(
        f"dataset {source.name!r} in {config_path}: source_path {source.source_path!r} not found "
        f"(looked in: {tried})"
    )


def config_hash(config: DataConfig) -> str:
    """sha256 of the normalised config (defaults filled in, keys sorted), as hex."""
    text = json.dumps(config.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


__all__ = [
    "RAW_COLUMNS",
    "STAGE_COLUMNS",
    "TARGET_COLUMNS",
    "DataConfig",
    "DatasetSource",
    "SyntheticSource",
    "config_hash",
    "load_data_config",
    "parse_data_config",
    "resolve_source_path",
]
