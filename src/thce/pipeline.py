"""The main job: data -> quality gate -> three training stages -> evaluation -> report.

    thce pipeline                                  # embedded defaults, CPU demo size
    thce pipeline --config configs/pipeline.yaml --output-dir outputs/run1 --force

Each step records what it did in ``<output>/.pipeline/<step>.json`` with a hash of its inputs;
a re-run skips a step whose hash and outputs still match (``--force`` redoes everything,
``--from-stage`` restarts from a given step). Heavy libraries are imported by the steps.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from loguru import logger
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from thce.codes.retrieval import RetrievalConfig
from thce.errors import PipelineError
from thce.inputs import read_text
from thce.io import write_json
from thce.resources import REPO_ROOT, shipped_path

if TYPE_CHECKING:
    from thce.evaluation.schema import PipelineReport

STEPS: tuple[str, ...] = (
    "data",
    "quality_gate",
    "stage_1",
    "stage_2",
    "stage_3",
    "evaluation",
    "report",
)
STAGES = ("stage_1", "stage_2", "stage_3")


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
    # A named training profile (thce.training.profiles, e.g. cpu-demo), applied to every stage
    # before the overrides below.
    training_profile: str | None = None
    # Fields of the pipeline's retrieval block this profile changes (e.g. {k: 5}).
    retrieval: dict[str, Any] = Field(default_factory=dict)
    data: ProfileData = Field(default_factory=ProfileData)
    training: ProfileTraining = Field(default_factory=ProfileTraining)
    evaluation: ProfileEvaluation = Field(default_factory=ProfileEvaluation)


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
    """Load and validate a pipeline config; return it and the directory paths resolve against."""
    path = Path(path) if path else default_config_path()
    if not path.exists():
        raise PipelineError(f"pipeline config not found: {path}")
    text = read_text(path, what="pipeline config", error=PipelineError)
    try:
        raw = yaml.safe_load(text) or {}
    except RecursionError:
        raise PipelineError(f"{path}: invalid YAML: nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PipelineError(f"{path}:{where} invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    try:
        config = PipelineConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise PipelineError(f"{path}: {problems}") from exc
    # Shipped configs name repository-relative paths; a user's config names paths relative to it.
    base = REPO_ROOT if path.resolve() == default_config_path().resolve() else path.parent
    return config, base


def _resolve(base: Path, value: str) -> Path:
    """Resolve a config path: absolute, relative to ``base``, the CWD, or a shipped file."""
    candidate = Path(value)
    if candidate.is_absolute():
        return candidate
    for root in (base, Path.cwd(), REPO_ROOT):
        if (root / candidate).exists():
            return root / candidate
    for area, prefix in (
        ("data_config", "data/config/"),
        ("examples", "data/examples/"),
        ("post_training_config", "post_training/config/"),
        ("configs", "configs/"),
    ):
        if value.startswith(prefix):
            return shipped_path(area, value.removeprefix(prefix))
    return base / candidate


def _hash(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    if path.is_file():
        digest.update(path.read_bytes())
    elif path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix in (".yaml", ".yml", ".jsonl", ".json"):
                digest.update(child.name.encode())
                digest.update(child.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class StepRecord:
    """What a finished step recorded: input hash, outputs, timing and a small result."""

    step: str
    input_hash: str
    outputs: list[str]
    seconds: float
    result: dict[str, Any] = field(default_factory=dict)


class Pipeline:
    """Runs the pipeline steps in order, skipping finished ones.

    ``trainer``, ``model_evaluator`` and ``baseline_evaluator`` default to THCE's own
    implementations; tests may pass lighter ones.
    """

    def __init__(
        self,
        config: PipelineConfig,
        base_dir: Path,
        output_dir: Path | None = None,
        force: bool = False,
        from_step: str | None = None,
        extra_overrides: list[str] | None = None,
    ) -> None:
        self.config = config
        self.base = base_dir
        self.out = Path(output_dir or config.output_dir)
        self.force = force
        if from_step is not None and from_step not in STEPS:
            raise PipelineError(f"unknown step {from_step!r}; steps: {', '.join(STEPS)}")
        self.from_index = STEPS.index(from_step) if from_step else 0
        self.extra_overrides = list(extra_overrides or [])
        self.profile = config.active_profile()
        self.retrieval = config.retrieval
        if self.retrieval is not None and self.profile.retrieval:
            try:
                self.retrieval = RetrievalConfig.model_validate(
                    {**self.retrieval.model_dump(), **self.profile.retrieval}
                )
            except ValidationError as exc:
                raise PipelineError(f"profile {config.profile!r}: retrieval: {exc}") from exc
        self.state_dir = self.out / ".pipeline"
        self.results: dict[str, Any] = {}

    # ---- bookkeeping -------------------------------------------------------------------
    def _record_path(self, step: str) -> Path:
        return self.state_dir / f"{step}.json"

    def _load_record(self, step: str) -> StepRecord | None:
        path = self._record_path(step)
        if not path.exists():
            return None
        try:
            return StepRecord(**json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, TypeError):
            return None

    def _run_step(
        self,
        step: str,
        inputs: dict[str, Any],
        outputs: list[Path],
        action: Callable[[], dict],
        group: str | None = None,
    ) -> dict[str, Any]:
        """Run ``action`` unless a record with the same input hash and outputs exists.

        ``group`` is the pipeline step (one of :data:`STEPS`) this sub-step belongs to; it
        decides whether ``--from-stage`` forces a re-run.
        """
        input_hash = _hash(inputs)
        record = self._load_record(step)
        redo = self.force or (self.from_index > 0 and STEPS.index(group or step) >= self.from_index)
        if (
            not redo
            and record is not None
            and record.input_hash == input_hash
            and all(Path(p).exists() for p in record.outputs)
        ):
            logger.info(f"[{step}] up to date (inputs {input_hash}); skipped")
            self.results[step] = record.result
            return record.result
        logger.info(f"[{step}] running")
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
        logger.info(f"[{step}] done in {seconds:.1f} s")
        write_json(
            self._record_path(step),
            StepRecord(
                step, input_hash, [str(p) for p in outputs], round(seconds, 2), result
            ).__dict__,
        )
        self.results[step] = result
        return result

    # ---- steps -------------------------------------------------------------------------
    def stage_data_dir(self, stage: str) -> Path:
        """Where a stage's built dataset lives."""
        return self.out / "data" / stage

    def run_data(self) -> dict[str, Any]:
        """Build the three stage datasets from their data configs."""
        from thce.data.build import build_dataset

        summary: dict[str, Any] = {}
        for stage in STAGES:
            config_path = _resolve(self.base, getattr(self.config.data, stage))
            retrieval = self.retrieval.model_dump() if self.retrieval else None
            inputs = {
                "config": _file_hash(config_path),
                "test_size": self.config.data.test_size,
                "seed": self.config.data.seed,
                "retrieval": retrieval,
                "synthetic_count": self.profile.data.synthetic_count,
            }
            out = self.stage_data_dir(stage)

            def build(config_path: Path = config_path, out: Path = out) -> dict[str, Any]:
                return build_dataset(
                    config_path,
                    out,
                    test_size=self.config.data.test_size,
                    seed=self.config.data.seed,
                    retrieval=self.retrieval,
                    synthetic_count=self.profile.data.synthetic_count,
                )

            summary[stage] = self._run_step(
                f"data_{stage}", inputs, [out / "train.jsonl", out / "metadata.json"], build, "data"
            )
        return summary

    def run_quality_gate(self) -> dict[str, Any]:
        """Check every built training file; stop when the failure rate exceeds the gate."""
        paths = [self.stage_data_dir(stage) / "train.jsonl" for stage in STAGES]
        inputs = {
            "data": [_file_hash(p) for p in paths],
            "max_failure_rate": self.config.quality_gate.max_failure_rate,
        }
        return self._run_step("quality_gate", inputs, paths, self._check_quality)

    def _check_quality(self) -> dict[str, Any]:
        from thce.data.quality import DataQualityChecker

        checker = DataQualityChecker()
        report: dict[str, Any] = {}
        for number, stage in enumerate(STAGES, start=1):
            path = self.stage_data_dir(stage) / "train.jsonl"
            result = checker.check_file(path, stage=number)
            total, failed = result.total, result.failed
            rate = failed / total if total else 1.0
            report[stage] = {"total": total, "failed": failed, "failure_rate": round(rate, 4)}
            if total == 0 or rate > self.config.quality_gate.max_failure_rate:
                raise PipelineError(
                    f"quality gate: {path} has {failed}/{total} failing records "
                    f"(max allowed rate {self.config.quality_gate.max_failure_rate}); run "
                    f"`thce data check {path} --stage {number}` to see them, fix the source data, "
                    "then re-run `thce pipeline`"
                )
        return report

    def stage_output_dir(self, stage: str) -> Path:
        """Where a trained stage is saved."""
        return self.out / stage

    def training_overrides(self, stage: str) -> list[str]:
        """`--set` overrides for a stage: dataset, base model, profile, then the user's."""
        overrides = [f"dataset.path={self.stage_data_dir(stage) / 'train.jsonl'}"]
        index = STAGES.index(stage)
        if index > 0:
            overrides.append(f"model={self.stage_output_dir(STAGES[index - 1])}")
        elif self.config.base_model:
            overrides.append(f"model={self.config.base_model}")
        overrides += self.profile.training.all + getattr(self.profile.training, stage)
        # The user's overrides come last, but never replace the chain of stage models.
        return overrides + [o for o in self.extra_overrides if not o.startswith("model=")]

    def run_stage(self, stage: str) -> dict[str, Any]:
        """Train one stage through the shared training code path."""
        from thce.training import train

        config_path = _resolve(self.base, getattr(self.config.training, stage))
        overrides = self.training_overrides(stage)
        out = self.stage_output_dir(stage)
        inputs = {
            "config": _file_hash(config_path),
            "profile": self.profile.training_profile,
            "overrides": overrides,
            "data": _file_hash(self.stage_data_dir(stage) / "train.jsonl"),
        }
        index = STAGES.index(stage)
        if index > 0:
            previous = self._load_record(STAGES[index - 1])
            inputs["previous"] = previous.input_hash if previous else None

        def action() -> dict[str, Any]:
            result = train(
                config_path,
                overrides=overrides,
                output_dir=out,
                resume=not self.force,
                profile=self.profile.training_profile,
            )
            return _as_dict(result)

        return self._run_step(
            stage, inputs, [out / "config.json", out / "train_metrics.json"], action
        )

    def test_sets(self) -> dict[str, Path]:
        """The held-out files by name (their file stem): ``{"test": ..., "test_hard": ...}``."""
        files = self.config.evaluation.test_data
        paths = [_resolve(self.base, f) for f in ([files] if isinstance(files, str) else files)]
        names = [p.stem for p in paths]
        if len(set(names)) != len(names):
            raise PipelineError(
                f"evaluation.test_data: two files share a name ({', '.join(names)})"
            )
        return dict(zip(names, paths, strict=True))

    def eval_dir(self, test_set: str, system: str) -> Path:
        """Where one system's evaluation on one test set is written."""
        return self.out / "eval" / test_set / system

    def run_evaluation(self) -> dict[str, dict[str, Any]]:
        """Evaluate every stage and every baseline on every held-out test set."""
        from thce.evaluation.evaluate import evaluate_baseline, evaluate_model

        section = self.config.evaluation
        train_data = _resolve(self.base, section.train_data)
        batch_size = self.profile.evaluation.batch_size or section.batch_size
        max_samples = self.profile.evaluation.max_samples or section.max_samples
        top_k = self.profile.evaluation.top_k or section.top_k
        results: dict[str, dict[str, Any]] = {name: {} for name in self.test_sets()}
        # Stage by stage, each on every test set: the model is loaded once per stage.
        for number, stage in enumerate(STAGES, start=1):
            for test_name, test_data in self.test_sets().items():
                model_dir = self.stage_output_dir(stage)
                out = self.eval_dir(test_name, stage)
                record = self._load_record(stage)
                inputs = {
                    "model": record.input_hash if record else None,
                    "test": _file_hash(test_data),
                    "batch": batch_size,
                    "max": max_samples,
                    "top_k": top_k,
                    "max_new_tokens": section.max_new_tokens,
                    "constrained": section.constrained,
                    "plots": section.plots,
                    "fusion_weight": self.retrieval.fusion_weight if self.retrieval else None,
                }

                def action(
                    model_dir: Path = model_dir,
                    out: Path = out,
                    number: int = number,
                    test_data: Path = test_data,
                ) -> dict:
                    return evaluate_model(
                        str(model_dir),
                        test_data,
                        out,
                        batch_size=batch_size,
                        max_samples=max_samples,
                        constrained=section.constrained,
                        stage=number,
                        train_data=train_data,
                        top_k=top_k,
                        max_new_tokens=section.max_new_tokens,
                        fusion_weight=self.retrieval.fusion_weight if self.retrieval else None,
                        plots=section.plots,
                    )

                results[test_name][stage] = self._run_step(
                    f"eval_{test_name}_{stage}", inputs, [out / "report.json"], action, "evaluation"
                )
        for test_name, test_data in self.test_sets().items():
            systems = results[test_name]
            for name in section.baselines:
                out = self.eval_dir(test_name, name)
                inputs = {
                    "test": _file_hash(test_data),
                    "train": _file_hash(train_data),
                    "max": max_samples,
                    "top_k": top_k,
                    "retrieval": self.retrieval.model_dump() if self.retrieval else None,
                    "plots": section.plots,
                }

                def baseline(
                    name: str = name, out: Path = out, test_data: Path = test_data
                ) -> dict:
                    return evaluate_baseline(
                        name,
                        test_data,
                        out,
                        train_data=train_data,
                        max_samples=max_samples,
                        top_k=top_k,
                        retrieval=self.retrieval,
                        plots=section.plots,
                    )

                systems[name] = self._run_step(
                    f"eval_{test_name}_{name}",
                    inputs,
                    [out / "report.json"],
                    baseline,
                    "evaluation",
                )
        return results

    def run_report(self, results: dict[str, dict[str, Any]]) -> PipelineReport:
        """Write report.json / report.md / plots comparing every system on every test set.

        Each system's numbers come from its ``eval/<test set>/<system>/report.json``, read
        through the typed schema (:func:`thce.evaluation.schema.load_evaluation_report`).
        """
        from thce.evaluation.schema import load_evaluation_report
        from thce.pipeline_report import write_comparison_report

        reports = {
            test_name: {
                system: load_evaluation_report(self.eval_dir(test_name, system) / "report.json")
                for system in systems
            }
            for test_name, systems in results.items()
        }
        predictions = {
            test_name: {
                system: self.eval_dir(test_name, system) / "predictions.jsonl" for system in systems
            }
            for test_name, systems in results.items()
        }
        return write_comparison_report(
            reports,
            self.out,
            predictions=predictions,
            extra={
                "pipeline": self.config.name,
                "profile": self.config.profile,
                "retrieval": self.retrieval.model_dump() if self.retrieval else None,
                "steps": {s: r.get("seconds") for s, r in self.timings().items()},
            },
        )

    def timings(self) -> dict[str, dict[str, Any]]:
        """Seconds each recorded step took (from the step records)."""
        out: dict[str, dict[str, Any]] = {}
        if self.state_dir.exists():
            for path in sorted(self.state_dir.glob("*.json")):
                record = json.loads(path.read_text(encoding="utf-8"))
                out[record["step"]] = {"seconds": record["seconds"]}
        return out

    def run(self) -> PipelineReport:
        """Run every step in order and return the comparison report."""
        started = time.perf_counter()
        self.out.mkdir(parents=True, exist_ok=True)
        self.run_data()
        self.results["quality_gate"] = self.run_quality_gate()
        for stage in STAGES:
            self.run_stage(stage)
        systems = self.run_evaluation()
        report = self.run_report(systems)
        logger.info(f"pipeline finished in {time.perf_counter() - started:.1f} s: {self.out}")
        return report


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return result
    if hasattr(result, "to_dict"):
        return result.to_dict()
    if hasattr(result, "__dict__"):
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(result).items()}
    return {"result": str(result)}
