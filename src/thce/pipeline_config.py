"""The pipeline config (``configs/pipeline.yaml``): its pydantic model and its loader.

A *profile* is a named set of overrides, the same word and the same names for ``thce train
--profile`` and ``thce pipeline --profile``. The pipeline config's ``profiles:`` block says
what a profile changes in the pipeline (retrieval, data sizes, evaluation); the training
overrides of the profile of the same name come from ``post_training/config/profiles.yaml``
(:mod:`thce.training.profiles`), so ``thce pipeline --profile cpu`` trains each stage exactly
as ``thce train CONFIG --profile cpu`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from thce.codes.retrieval import RetrievalConfig
from thce.config import load_yaml_model
from thce.errors import PipelineError
from thce.resources import REPO_ROOT, shipped_path


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataSection(_Strict):
    stage_1: str
    stage_2: str
    stage_3: str
    test_size: float = Field(0.0, ge=0.0, lt=1.0)
    seed: int = 42


class QualityGateSection(_Strict):
    max_failure_rate: float = Field(0.0, ge=0.0, le=1.0)


class TrainingSection(_Strict):
    stage_1: str
    stage_2: str
    stage_3: str


class EvaluationSection(_Strict):
    # One held-out file or several (each gets its own table in the report).
    test_data: str | list[str]
    train_data: str
    baselines: list[str] = Field(default_factory=list)
    batch_size: int = Field(16, ge=1)
    max_samples: int | None = Field(None, ge=1)
    # Candidates per example for top-k metrics (1 = greedy answer only, fastest).
    top_k: int = Field(3, ge=1, le=10)
    # Generation budget per answer (null: the evaluator's default for the stage).
    max_new_tokens: int | None = Field(None, ge=1)
    constrained: bool = False
    # PNG plots per system and test set (the comparison report is written either way).
    plots: bool = True


class ProfileTraining(_Strict):
    all: list[str] = Field(default_factory=list)
    stage_1: list[str] = Field(default_factory=list)
    stage_2: list[str] = Field(default_factory=list)
    stage_3: list[str] = Field(default_factory=list)


class ProfileEvaluation(_Strict):
    batch_size: int | None = Field(None, ge=1)
    top_k: int | None = Field(None, ge=1, le=10)
    max_samples: int | None = Field(None, ge=1)


class ProfileData(_Strict):
    # Size of every synthetic source of the data configs (null: the configs' own counts).
    synthetic_count: int | None = Field(None, ge=1)


class Profile(_Strict):
    """What a profile changes in the pipeline. Its training overrides are the training
    profile of the same name (``post_training/config/profiles.yaml``), then ``training``."""

    # Fields of the pipeline's retrieval block this profile changes (e.g. {k: 5}).
    retrieval: dict[str, Any] = Field(default_factory=dict)
    data: ProfileData = Field(default_factory=ProfileData)
    # Extra `--set` overrides after the training profile's (for a config's own profiles).
    training: ProfileTraining = Field(default_factory=ProfileTraining)
    evaluation: ProfileEvaluation = Field(default_factory=ProfileEvaluation)

    @model_validator(mode="before")
    @classmethod
    def _no_training_profile(cls, value: Any) -> Any:
        # Configs written before train and pipeline shared one set of profiles.
        if isinstance(value, dict) and "training_profile" in value:
            raise ValueError(
                "training_profile is no longer needed: a pipeline profile trains with the "
                "profile of the same name in post_training/config/profiles.yaml; remove "
                "training_profile (and name the profile after a training profile, or put "
                "overrides under training:)"
            )
        return value


class PipelineConfig(_Strict):
    """The pipeline YAML (see ``configs/pipeline.yaml``)."""

    name: str = "thce"
    output_dir: str = "outputs/pipeline"
    # Stage 1's base model (null: the one in the stage-1 training config). Stages 2 and 3
    # always start from the previous stage's output.
    base_model: str | None = None
    profile: str = "cpu"
    # The one retrieval setting of a run: candidates for data building, saved with every
    # trained stage, used by evaluation (RetrievalConfig; null: the candidate-free format).
    retrieval: RetrievalConfig | None = Field(default_factory=RetrievalConfig)
    data: DataSection
    quality_gate: QualityGateSection = Field(default_factory=QualityGateSection)
    training: TrainingSection
    evaluation: EvaluationSection
    profiles: dict[str, Profile] = Field(default_factory=dict)

    def active_profile(self) -> Profile:
        """The profile named by ``profile`` (empty when there are no profiles)."""
        if not self.profiles:
            return Profile()
        if self.profile not in self.profiles:
            raise PipelineError(
                f"profile {self.profile!r} is not defined; defined profiles: "
                f"{', '.join(sorted(self.profiles))} (set `profile:` or use --profile)"
            )
        return self.profiles[self.profile]


def default_config_path() -> Path:
    """The shipped default pipeline config."""
    return shipped_path("configs", "pipeline.yaml")


def load_pipeline_config(path: str | Path | None = None) -> tuple[PipelineConfig, Path]:
    """Load and validate a pipeline config; return it and the folder its paths resolve from
    (:func:`thce.config.resolve_path`)."""
    path = Path(path) if path else default_config_path()
    config = load_yaml_model(PipelineConfig, path, what="pipeline config", error=PipelineError)
    # Shipped configs name repository-relative paths; a user's config names paths relative to it.
    base = REPO_ROOT if path.resolve() == default_config_path().resolve() else path.parent
    return config, base


__all__ = [
    "DataSection",
    "EvaluationSection",
    "PipelineConfig",
    "Profile",
    "ProfileData",
    "ProfileEvaluation",
    "ProfileTraining",
    "QualityGateSection",
    "TrainingSection",
    "default_config_path",
    "load_pipeline_config",
]
