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

from loguru import logger
from pydantic import ValidationError

from thce.codes.retrieval import RetrievalConfig
from thce.config import resolve_path
from thce.errors import PipelineError
from thce.io import write_json
from thce.pipeline_config import (  # noqa: F401  (re-exported: the pipeline's public names)
    PipelineConfig,
    Profile,
    default_config_path,
    load_pipeline_config,
)

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
        self.training_profile = _training_profile(config.profile)
        self.state_dir = self.out / ".pipeline"
        self.results: dict[str, Any] = {}

    # ---- bookkeeping -------------------------------------------------------------------
    def _record_path(self, step: str) -> Path:
        return self.state_dir / f"{step}.json"

    def _choice_weights(self) -> dict[str, float | None]:
        """The choice's weights of the pipeline's ``retrieval:`` block (None without one)."""
        names = ("fusion_weight", "narrative_weight", "answer_weight")
        return {n: getattr(self.retrieval, n) if self.retrieval else None for n in names}

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
            config_path = resolve_path(getattr(self.config.data, stage), self.base)
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

        config_path = resolve_path(getattr(self.config.training, stage), self.base)
        overrides = self.training_overrides(stage)
        out = self.stage_output_dir(stage)
        inputs = {
            "config": _file_hash(config_path),
            "profile": self.training_profile,
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
                profile=self.training_profile,
            )
            return _as_dict(result)

        return self._run_step(
            stage, inputs, [out / "config.json", out / "train_metrics.json"], action
        )

    def test_sets(self) -> dict[str, Path]:
        """The held-out files by name (their file stem): ``{"test": ..., "test_hard": ...}``."""
        files = self.config.evaluation.test_data
        paths = [resolve_path(f, self.base) for f in ([files] if isinstance(files, str) else files)]
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
        train_data = resolve_path(section.train_data, self.base)
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
                    "choice_weights": self._choice_weights(),
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
                        **self._choice_weights(),
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


def _training_profile(name: str) -> str | None:
    """The training profile of the same name as the pipeline's profile, if one is defined."""
    from thce.training.profiles import known_profile

    found = known_profile(name)
    if found is None:
        logger.info(f"profile {name!r}: no training profile of that name; configs as written")
    return found


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return result
    if hasattr(result, "to_dict"):
        return result.to_dict()
    if hasattr(result, "__dict__"):
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(result).items()}
    return {"result": str(result)}
