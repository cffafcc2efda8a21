"""From a config's ``trainer:`` section to TRL's ``SFTConfig``/``DPOConfig``, with platform defaults.

The YAML says *what* to train; this module fills in what depends on *where*: TRL defaults to
``bf16=True``, which fails on a CPU without ``use_cpu`` (and bf16 on old GPUs), so unless the
config decides, bf16 is turned off where it cannot run. Values the config sets always win.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from thce.errors import ConfigError
from thce.training.config import TrainConfig
from thce.training.trainer_checks import trl_config_class

# Trainer defaults THCE sets unless the config says otherwise, with the reason.
PROJECT_DEFAULTS: dict[str, dict[str, Any]] = {
    # Loss on the assistant reply (+ <|im_end|>) only, through our templates' generation markers.
    "sft": {"assistant_only_loss": True, "report_to": "none"},
    "dpo": {"report_to": "none"},
}
_REPORTERS = {
    "tensorboard": "tensorboard",
    "wandb": "wandb",
    "mlflow": "mlflow",
    "comet_ml": "comet_ml",
}


def platform(cuda: bool | None = None) -> dict[str, bool]:
    """What the machine can do: ``cuda`` and ``bf16`` (imports torch)."""
    import torch

    has_cuda = torch.cuda.is_available() if cuda is None else cuda
    bf16 = bool(has_cuda and torch.cuda.is_bf16_supported()) if has_cuda else False
    return {"cuda": has_cuda, "bf16": bf16}


def effective_trainer_args(
    config: TrainConfig, machine: dict[str, bool] | None = None
) -> dict[str, Any]:
    """The ``trainer:`` values THCE passes to TRL: the config's, plus project/platform defaults."""
    machine = machine or platform()
    args = dict(config.trainer)
    args.setdefault("output_dir", str(config.output_dir))
    if "gradient_checkpointing" not in args and "activation_checkpointing" not in args:
        # TRL's default (on), under transformers 5's name, so the deprecated alias stays quiet.
        args["activation_checkpointing"] = True
    for key, value in PROJECT_DEFAULTS[config.stage_type].items():
        args.setdefault(key, value)
    if not machine["cuda"]:
        args.setdefault("dataloader_pin_memory", False)  # pinning needs an accelerator
    if "bf16" not in args:
        cpu_bf16 = not machine["cuda"] and bool(args.get("use_cpu"))
        args["bf16"] = bool(machine["bf16"] or cpu_bf16) and not args.get("fp16")
    return args


def platform_problems(args: dict[str, Any], machine: dict[str, bool]) -> list[tuple[str, str]]:
    """``(field, message)`` for settings this machine cannot run."""
    problems: list[tuple[str, str]] = []
    if not machine["cuda"]:
        if args.get("bf16") and not args.get("use_cpu"):
            problems.append(
                (
                    "trainer.bf16",
                    "bf16 on a machine without a GPU needs use_cpu: true (or bf16: false)",
                )
            )
        if args.get("fp16"):
            problems.append(
                (
                    "trainer.fp16",
                    "fp16 needs a CUDA GPU; use bf16 with use_cpu: true, or fp16: false",
                )
            )
    elif args.get("bf16") and not machine["bf16"]:
        problems.append(("trainer.bf16", "this GPU does not support bf16; set fp16: true instead"))
    reporters = args.get("report_to") or []
    reporters = [reporters] if isinstance(reporters, str) else list(reporters)
    for name in reporters:
        module = _REPORTERS.get(name)
        if module and importlib.util.find_spec(module) is None:
            problems.append(
                ("trainer.report_to", f"report_to {name!r} needs `pip install {module}`")
            )
    deepspeed = args.get("deepspeed")
    if isinstance(deepspeed, str) and not deepspeed.strip().startswith("{"):
        from pathlib import Path

        if not Path(deepspeed).is_file():
            problems.append(("trainer.deepspeed", f"DeepSpeed config {deepspeed} not found"))
    return problems


def build_trl_args(config: TrainConfig, machine: dict[str, bool] | None = None) -> Any:
    """Instantiate TRL's config class; raise :class:`ConfigError` with TRL's own message."""
    machine = machine or platform()
    args = effective_trainer_args(config, machine)
    problems = platform_problems(args, machine)
    if problems:
        raise ConfigError("; ".join(f"{f}: {m}" for f, m in problems))
    cls = trl_config_class(config.stage_type)
    try:
        return cls(**args)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"trainer: TRL's {cls.__name__} rejected the settings: {exc}") from exc


__all__ = [
    "PROJECT_DEFAULTS",
    "build_trl_args",
    "effective_trainer_args",
    "platform",
    "platform_problems",
]
