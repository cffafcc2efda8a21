"""Run one training stage from a config: the single code path for SFT stages 1-2 and DPO stage 3.

    thce train post_training/config/thce_stage_1.yaml --profile cpu
    accelerate launch --config_file configs/accelerate/multi_gpu.yaml -m thce train CONFIG

The story of :func:`train`: load and validate the config → load model and tokenizer → set up
the tokenizer for the stage (template, ``<think>``, EOS/pad) → load the data and fit it to
``max_length`` (never cutting an answer) → build TRL's trainer (``SFTTrainer`` with
assistant-only loss, or ``DPOTrainer``) → resume from the last checkpoint → train → save the
model, the tokenizer with its chat template, ``resolved_config.yaml`` and ``train_metrics.json``.
"""

from __future__ import annotations

import platform as _platform
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from thce._malloc import tune_malloc
from thce.config import read_yaml
from thce.data.formats import get_candidates
from thce.errors import ConfigError, TrainingError
from thce.io import atomic_write, write_json
from thce.logging import logger
from thce.models import BUILTIN_MODELS, load_model_and_tokenizer
from thce.training.config import TrainConfig, format_errors, resolve_data_path
from thce.training.overrides import apply_overrides
from thce.training.profiles import profile_overrides

METRICS_FILE = "train_metrics.json"
RESOLVED_CONFIG_FILE = "resolved_config.yaml"


@dataclass
class TrainResult:
    """What a stage produced. ``metrics`` is the content of ``train_metrics.json``."""

    output_dir: Path
    config: TrainConfig
    metrics: dict[str, Any] = field(default_factory=dict)
    resumed_from: str | None = None
    dry_run: bool = False

    @property
    def model_dir(self) -> Path:
        """Folder holding the trained model and tokenizer (the next stage's ``model:``)."""
        return self.output_dir


def dataset_retrieval(path: Path) -> Any:
    """The ``retrieval`` settings a built dataset was made with (its ``metadata.json``), if any."""
    import json

    from thce.codes.retrieval import RetrievalConfig

    folder = path if path.is_dir() else path.parent
    meta = folder / "metadata.json"
    if not meta.is_file():
        return None
    try:
        block = json.loads(meta.read_text(encoding="utf-8")).get("retrieval")
        return RetrievalConfig.model_validate(block) if block else None
    except (ValueError, AttributeError):
        logger.warning(f"{meta}: unreadable retrieval settings; the model is saved without them")
        return None


def freeze_layers(model: Any, trainable_layers: int | None, keep_embeddings: bool = False) -> int:
    """Freeze all but the top ``trainable_layers`` decoder layers (and the final norm).

    Embeddings stay frozen too, unless ``keep_embeddings`` (new tokens were added and must
    learn). Returns the number of frozen parameters (0 when ``trainable_layers`` is None).
    """
    if not trainable_layers:
        return 0
    decoder = getattr(model, "model", None)
    layers = getattr(decoder, "layers", None)
    if layers is None:
        raise TrainingError(
            f"model.trainable_layers needs a decoder with .model.layers; {type(model).__name__} "
            "has none: remove model.trainable_layers"
        )
    keep = set(range(max(0, len(layers) - trainable_layers), len(layers)))
    frozen = 0
    for index, layer in enumerate(layers):
        for parameter in layer.parameters():
            parameter.requires_grad = index in keep
            frozen += 0 if index in keep else parameter.numel()
    embeddings = model.get_input_embeddings()
    for parameter in embeddings.parameters():
        parameter.requires_grad = keep_embeddings
        frozen += 0 if keep_embeddings else parameter.numel()
    logger.info(
        f"training the top {len(keep)} of {len(layers)} layers ({frozen:,} parameters frozen)"
    )
    return frozen


def _stage_of(data: dict[str, Any]) -> int:
    stage = data.get("stage")
    number = stage.get("number") if isinstance(stage, dict) else None
    return number if number in (1, 2, 3) else 1


def _resolve_config(
    config: str | Path | TrainConfig,
    overrides: list[str] | tuple[str, ...] = (),
    output_dir: str | Path | None = None,
    profile: str | None = None,
) -> TrainConfig:
    """Load + validate a config with profile and user overrides; raise ConfigError on any error."""
    from thce.training.validate import validate_config

    overrides = list(overrides)
    if isinstance(config, TrainConfig):
        data = config.to_yaml_dict()
        source: str | Path | dict[str, Any] = data
    else:
        data, _ = read_yaml(config, what="training config")
        source = config
    stage = _stage_of(apply_overrides(data, overrides))
    all_overrides = profile_overrides(profile, stage) + overrides
    report = validate_config(
        source,
        all_overrides,
        config_path=config.source if isinstance(config, TrainConfig) else None,
    )
    from thce.models import _logged_notes

    for problem in report.problems:
        if problem.level != "error" and problem.message not in _logged_notes:
            _logged_notes.add(problem.message)
            logger.info(f"config {problem.level}: {problem.field}: {problem.message}")
    if not report.valid or report.config is None:
        raise ConfigError(format_errors(report))
    resolved = report.config
    if output_dir is not None:
        resolved.trainer["output_dir"] = str(output_dir)
    return resolved


def _last_checkpoint(output_dir: Path) -> str | None:
    if not output_dir.is_dir():
        return None
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(str(output_dir))


def _load_data(
    config: TrainConfig, tokenizer: Any, max_length: int | None
) -> tuple[Any, Any, dict]:
    from thce.training.data import load_examples, to_dataset
    from thce.training.tokenization import fit_examples

    path = config.dataset_path()
    examples = load_examples(path, config.stage_type, "train", config.dataset.max_examples)
    if config.retrieval is not None and examples and not get_candidates(examples[0]):
        # A plain stage file with retrieval settings: candidates are added here, the way
        # `thce data build` adds them (gold inserted when missed, order shuffled).
        from thce.data.candidates import with_candidates

        logger.info(f"adding {config.retrieval.k} retrieved candidates to {len(examples)} examples")
        examples = with_candidates(examples, config.retrieval, config.stage.number, training=True)
    kept, report = fit_examples(tokenizer, examples, max_length, config.dataset.truncation)
    logger.info(f"Training data {path}: {report.summary()}")
    if not kept:
        raise TrainingError(
            f"no training example fits trainer.max_length={max_length} (longest: "
            f"{report.tokens['example'].get('max')} tokens); raise max_length or use "
            "dataset.truncation: truncate_prompt"
        )
    eval_ds = None
    info: dict[str, Any] = {"train_path": str(path), "truncation": report.to_dict()}
    if config.dataset.eval_path:
        eval_path = resolve_data_path(config.dataset.eval_path, config.config_dir)
        eval_examples = load_examples(eval_path, config.stage_type, "test")
        eval_kept, eval_report = fit_examples(
            tokenizer, eval_examples, max_length, config.dataset.truncation
        )
        info["eval_path"] = str(eval_path)
        info["eval_truncation"] = eval_report.to_dict()
        eval_ds = to_dataset(eval_kept) if eval_kept else None
    return to_dataset(kept), eval_ds, info


def _peft_config(config: TrainConfig) -> Any:
    if config.lora is None:
        return None
    try:
        from peft import LoraConfig
    except ImportError as exc:
        raise ConfigError("the lora: section needs peft: `pip install peft`") from exc
    lora = config.lora
    return LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=lora.target_modules,
        modules_to_save=lora.modules_to_save,
        task_type="CAUSAL_LM",
    )


def _build_trainer(
    config: TrainConfig,
    model: Any,
    tokenizer: Any,
    args: Any,
    train_ds: Any,
    eval_ds: Any,
    callbacks: list,
) -> Any:
    common = {
        "model": model,
        "args": args,
        "train_dataset": train_ds,
        "eval_dataset": eval_ds,
        "processing_class": tokenizer,
        "peft_config": _peft_config(config),
        "callbacks": callbacks,
    }
    if config.stage_type == "dpo":
        from trl import DPOTrainer

        return DPOTrainer(**common)
    from trl import SFTTrainer

    return SFTTrainer(**common)


def _is_sharded(trainer: Any) -> bool:
    """True under FSDP or DeepSpeed ZeRO-3, where no process holds the full weights."""
    if getattr(trainer, "is_fsdp_enabled", False):
        return True
    plugin = getattr(trainer.accelerator.state, "deepspeed_plugin", None)
    return bool(plugin is not None and plugin.zero_stage == 3)


def _save(trainer: Any, config: TrainConfig, tokenizer: Any, output_dir: Path) -> None:
    model = trainer.model
    mergeable = (
        config.lora is not None and config.lora.merge_on_save and hasattr(model, "merge_and_unload")
    )
    if mergeable and _is_sharded(trainer):
        logger.warning(
            "LoRA under FSDP/ZeRO-3: saving the adapter unmerged; merge it (peft "
            "merge_and_unload) before using the folder as the next stage's model"
        )
        mergeable = False
    if mergeable:
        if trainer.is_world_process_zero():
            merged = trainer.accelerator.unwrap_model(model).merge_and_unload()
            merged.save_pretrained(str(output_dir), safe_serialization=True)
            tokenizer.save_pretrained(str(output_dir))
        return
    trainer.save_model(str(output_dir))  # handles DeepSpeed/FSDP gathering; saves the tokenizer
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(output_dir))


def _versions() -> dict[str, str]:
    import torch
    import transformers
    import trl

    return {
        "python": _platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "trl": trl.__version__,
    }


def _write_resolved_config(
    config: TrainConfig, args: dict[str, Any], output_dir: Path, extra: dict
) -> None:
    data = config.to_yaml_dict()
    data["trainer"] = dict(args)
    # Absolute paths, so the file reruns the same stage from any working directory.
    data["dataset"]["path"] = str(config.dataset_path().resolve())
    if config.dataset.eval_path:
        data["dataset"]["eval_path"] = str(
            resolve_data_path(config.dataset.eval_path, config.config_dir).resolve()
        )
    model_path = Path(config.model.name_or_path).expanduser()
    if model_path.is_dir():
        data["model"]["name_or_path"] = str(model_path.resolve())
    header = (
        "# Resolved THCE training config: the source config with profile/--set overrides and\n"
        "# platform defaults applied. Re-run with: thce train <this file>\n"
        + "".join(f"# {k}: {v}\n" for k, v in extra.items())
    )
    with atomic_write(output_dir / RESOLVED_CONFIG_FILE) as handle:
        handle.write(header)
        yaml.safe_dump(data, handle, sort_keys=False, allow_unicode=True)


def _throughput(
    callback: Any, stats: dict[str, Any], trainer: Any, config: TrainConfig
) -> dict[str, Any]:
    runtime = callback.summary.get("train_runtime") or callback.wall_time
    steps_done = trainer.state.global_step
    if callback.num_tokens is not None:
        tokens, source = callback.num_tokens, "trainer (non-padding tokens)"
    else:
        # Estimate from the data: examples processed x mean tokens per example; DPO forwards
        # both chosen and rejected sequences.
        example = stats["truncation"]["tokens"]["example"]
        per_example = example.get("mean", 0.0) * (2 if config.stage_type == "dpo" else 1)
        samples = (
            steps_done
            * trainer.args.per_device_train_batch_size
            * trainer.args.gradient_accumulation_steps
        )
        samples *= max(1, trainer.args.world_size)
        tokens, source = samples * per_example, "estimated from dataset token counts"
    return {
        "train_tokens": int(tokens),
        "tokens_per_second": round(tokens / runtime, 1) if runtime else None,
        "tokens_source": source,
        "train_runtime_s": round(runtime, 2),
        "steps": steps_done,
        "seconds_per_step": round(runtime / steps_done, 3) if steps_done else None,
    }


def train(
    config: str | Path | TrainConfig,
    overrides: list[str] | tuple[str, ...] = (),
    output_dir: str | Path | None = None,
    resume: bool = True,
    profile: str | None = None,
    dry_run: bool = False,
) -> TrainResult:
    """Train one stage; return where the model went and the metrics.

    ``overrides`` are ``key.path=value`` strings (``--set``); ``profile`` names a set of
    overrides (``cpu``); ``resume`` continues from the last ``checkpoint-*`` in the output
    folder; ``dry_run`` does everything but the optimisation steps and the saving.

    >>> result = train("post_training/config/thce_stage_1.yaml",
    ...                overrides=["model=thce:tiny"], profile="smoke")  # doctest: +SKIP
    >>> (result.output_dir / "train_metrics.json").is_file()  # doctest: +SKIP
    True
    """
    started = time.perf_counter()
    cfg = _resolve_config(config, overrides, output_dir, profile)
    out = cfg.output_dir
    model_name = cfg.model.name_or_path
    if (
        cfg.stage.init_from_stage
        and model_name.lower() not in BUILTIN_MODELS
        and not Path(model_name).expanduser().exists()
    ):
        previous = cfg.stage.init_from_stage
        raise TrainingError(
            f"model {model_name} (stage {previous}'s output) does not exist yet: run stage {previous} "
            f"first (thce train post_training/config/thce_stage_{previous}.yaml) or set "
            "--set model=<a model>"
        )
    malloc_tuned = tune_malloc()
    # TRL 1.16 still calls transformers' deprecated gradient-checkpointing alias: not ours to fix.
    warnings.filterwarnings(
        "ignore", message=r".*gradient_checkpointing.*deprecated", category=FutureWarning
    )

    from thce.training.args import build_trl_args, effective_trainer_args, platform
    from thce.training.metrics import MetricsCallback, peak_memory_mb
    from thce.training.tokenization import prepare_model_for_tokenizer, prepare_tokenizer

    machine = platform()
    trl_args = build_trl_args(cfg, machine)
    logger.info(
        f"Stage {cfg.stage.number} ({cfg.stage_type.upper()}): model {model_name} -> {out} "
        f"[{'cuda' if machine['cuda'] else 'cpu'}, bf16={trl_args.bf16}]"
    )
    model, tokenizer = load_model_and_tokenizer(
        model_name,
        cfg.tokenizer.name_or_path,
        dtype=cfg.model.dtype,
        attn_implementation=cfg.model.attn_implementation,
    )
    model.train()
    # <think>/</think> become tokens for the stage-2/3 templates unless the config lists its
    # special tokens explicitly (special_tokens: [] keeps them plain text, as the CPU profile
    # does so that no new embeddings need training).
    think = None
    if "special_tokens" in cfg.model_fields_set:
        think = any(t in ("<think>", "</think>") for t in cfg.special_tokens)
    added = prepare_tokenizer(
        tokenizer,
        cfg.chat_template,
        add_think_tokens=think,
        extra_tokens=cfg.special_tokens,
        eos_token=cfg.tokenizer.eos_token,
        pad_token=cfg.tokenizer.pad_token,
    )
    resized = prepare_model_for_tokenizer(model, tokenizer)
    cfg.retrieval = cfg.retrieval or dataset_retrieval(cfg.dataset_path())
    frozen = freeze_layers(model, cfg.model.trainable_layers, keep_embeddings=bool(added))
    train_ds, eval_ds, data_info = _load_data(cfg, tokenizer, trl_args.max_length)

    callback = MetricsCallback()
    trainer = _build_trainer(cfg, model, tokenizer, trl_args, train_ds, eval_ds, [callback])
    checkpoint = _last_checkpoint(out) if resume else None
    if checkpoint:
        logger.info(f"Resuming from {checkpoint}")
    elif not resume and _last_checkpoint(out):
        logger.info(f"--no-resume: ignoring checkpoints in {out}")
    result = TrainResult(output_dir=out, config=cfg, resumed_from=checkpoint, dry_run=dry_run)
    base_metrics: dict[str, Any] = {
        "stage": cfg.stage.number,
        "stage_type": cfg.stage_type,
        "model": model_name,
        "output_dir": str(out),
        "added_tokens": added,
        "embeddings_resized": resized,
        "train_examples": len(train_ds),
        "eval_examples": len(eval_ds) if eval_ds is not None else 0,
        "max_length": trl_args.max_length,
        "dataset": data_info,
        "device": "cuda" if machine["cuda"] else "cpu",
        "bf16": bool(trl_args.bf16),
        "malloc_tuned": malloc_tuned,
        "frozen_parameters": frozen,
        "retrieval": cfg.retrieval.model_dump() if cfg.retrieval else None,
        "versions": _versions(),
    }
    if dry_run:
        result.metrics = {
            **base_metrics,
            "dry_run": True,
            "setup_s": round(time.perf_counter() - started, 2),
        }
        return result

    try:
        trainer.train(resume_from_checkpoint=checkpoint)
    except KeyboardInterrupt:
        raise TrainingError(
            f"training interrupted; checkpoints in {out} (if any) let `thce train` resume"
        ) from None
    except (RuntimeError, ValueError) as exc:
        if "out of memory" in str(exc).lower():
            raise TrainingError(
                f"out of memory: {exc}. Lower trainer.per_device_train_batch_size (raise "
                "gradient_accumulation_steps to keep the effective batch), lower max_length, or "
                "set activation_checkpointing: true"
            ) from exc
        raise
    losses = callback.losses()
    final_loss = callback.summary.get("train_loss")
    _save(trainer, cfg, tokenizer, out)
    result.metrics = {
        **base_metrics,
        **_throughput(callback, data_info, trainer, cfg),
        "final_train_loss": final_loss,
        "loss_curve": callback.curve,
        "first_logged_loss": losses[0] if losses else None,
        "last_logged_loss": losses[-1] if losses else None,
        "wall_time_s": round(time.perf_counter() - started, 2),
        "resumed_from": checkpoint,
        "memory": peak_memory_mb(),
        "trainer_summary": callback.summary,
    }
    if trainer.is_world_process_zero():
        args_used = effective_trainer_args(cfg, machine)
        source = cfg.source or "<in-memory config>"
        _write_resolved_config(cfg, args_used, out, {"source": source, "profile": profile})
        write_json(out / METRICS_FILE, result.metrics)
    logger.info(
        f"Stage {cfg.stage.number} done in {result.metrics['wall_time_s']:.0f}s: final loss "
        f"{final_loss if final_loss is None else round(final_loss, 4)}, "
        f"{result.metrics['tokens_per_second']} tokens/s -> {out}"
    )
    return result


__all__ = [
    "METRICS_FILE",
    "RESOLVED_CONFIG_FILE",
    "TrainResult",
    "train",
    "tune_malloc",
]
