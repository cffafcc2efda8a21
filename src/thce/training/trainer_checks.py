"""The ``trainer:`` section of a training config, checked by TRL's own config classes.

The keys must be fields of TRL's ``SFTConfig`` (stages 1-2) or ``DPOConfig`` (stage 3): an
unknown key gets a "did you mean" (or "belongs to the DPO trainer"). The values are then
checked by *constructing* that class through pydantic (``TypeAdapter``): pydantic checks each
value against TRL's own type annotations and TRL's ``__post_init__`` its own rules (``sometimes
is not a valid SaveStrategy``); their errors are translated into problems that name the key
and its line. On top, a few ranges TRL does not check but that are always mistakes
(``learning_rate`` outside (0, 1), ``max_steps: 0``...).

TRL is imported by these functions only: loading a config module stays light.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
import warnings
from functools import cache
from typing import Any

from thce.config import Problem, format_loc, suggest

# Ranges the seed asks for, plus a few that catch common slips early (TRL accepts them).
_RANGES: dict[str, tuple[str, str]] = {
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
_BAD = {
    "open01": lambda v: not (0 < v < 1),
    "pos": lambda v: not v > 0,
    "nonneg": lambda v: v < 0,
    "int>=1": lambda v: not (float(v).is_integer() and v >= 1),
    "int>=16": lambda v: not (float(v).is_integer() and v >= 16),
}


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
    except Exception:  # an annotation TRL cannot resolve itself: keep the raw one
        hints = {}
    return {f.name: hints.get(f.name, f.type) for f in dataclasses.fields(cls) if f.init}


@cache
def _adapter(stage_type: str) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(trl_config_class(stage_type))


def _accepts(annotation: Any, kind: type) -> bool:
    """Whether ``kind`` is one of the types an annotation allows (unions looked into)."""
    if annotation is kind or typing.get_origin(annotation) is kind:
        return True
    if isinstance(annotation, type) and issubclass(annotation, kind):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_accepts(arg, kind) for arg in typing.get_args(annotation))
    return False


def _as_written(value: Any, annotation: Any) -> Any:
    """What TRL itself accepts but its annotation does not say: YAML 1.1 reads a bare ``no``
    as False (``save_strategy: no`` means "no"), a single string where TRL takes a list
    (``loss_type: apo_zero``), and ``1e-5`` without a dot as a string."""
    if value is False and not _accepts(annotation, bool) and _accepts(annotation, str):
        return "no"
    if isinstance(value, str) and not _accepts(annotation, str) and _accepts(annotation, list):
        return [value]
    if isinstance(value, str) and _accepts(annotation, float) and not _accepts(annotation, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _range_problem(key: str, value: Any) -> str | None:
    rule = _RANGES.get(key)
    if rule is None or value is None or isinstance(value, bool):
        return None
    if not isinstance(value, int | float):
        return None
    return f"{rule[1]}; got {value!r}" if _BAD[rule[0]](value) else None


def _quoted_key(message: str, values: dict[str, Any]) -> str:
    """The one key whose name or string value a message quotes ('' when not exactly one)."""
    words = set(re.findall(r"[\w.-]+", message))
    quoted = [k for k, v in values.items() if k in words or (isinstance(v, str) and v in words)]
    return quoted[0] if len(quoted) == 1 else ""


def check_trainer_section(
    trainer: dict[str, Any], stage_type: str, lines: dict[str, int] | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The ``trainer:`` values as TRL reads them, and every problem found.

    Unknown keys first (with suggestions), then TRL's config class is built from the known
    ones (on a CPU setting: the machine's own limits are ``thce config validate``'s job).
    """
    from pydantic import ValidationError

    lines = lines or {}
    fields = trainer_fields(stage_type)
    cls_name = trl_config_class(stage_type).__name__
    problems: list[Problem] = []

    def add(key: str, message: str) -> None:
        path = f"trainer.{key}" if key else "trainer"
        problems.append(Problem(path, message, lines.get(path) or lines.get("trainer")))

    known: dict[str, Any] = {}
    for key, value in trainer.items():
        if key in fields:
            known[key] = _as_written(value, fields[key])
            continue
        other = "dpo" if stage_type == "sft" else "sft"
        if key in trainer_fields(other):
            add(key, f"unknown {cls_name} field {key!r} ({key!r} belongs to the "
                f"{other.upper()} trainer: check stage.type)")  # fmt: skip
        else:
            hint = suggest(str(key), fields)
            add(
                key,
                f"unknown {cls_name} field {key!r}" + (f"; did you mean {hint!r}?" if hint else ""),
            )
    for key, value in known.items():
        message = _range_problem(key, value)
        if message:
            add(key, message)
    if known.get("max_steps") == 0:
        add("max_steps", "max_steps 0 trains nothing; use -1 (epochs decide) or a positive number")
    # TRL checks the rest even when keys above are wrong, so every problem is reported at
    # once: its type checks first; its own rules (__post_init__) run only on well-typed
    # values, so a second pass leaves out the keys whose type was wrong.
    reported = {p.path for p in problems}
    probe = {"output_dir": "unused", **known, "use_cpu": True}
    built = None
    for _ in range(2):
        try:
            with warnings.catch_warnings():  # TRL's deprecation notices are not the user's
                warnings.simplefilter("ignore", FutureWarning)
                built = _adapter(stage_type).validate_python(probe)
            break
        except ValidationError as exc:
            typed_wrong = []
            for error in exc.errors():
                key = format_loc(error["loc"][:1]) if error["loc"] else ""
                message = error["msg"].removeprefix("Value error, ")
                if key:
                    typed_wrong.append(key)
                    message = f"{message} (got {error['input']!r})"
                else:  # TRL's __post_init__: name the key whose name or value it quotes
                    key = _quoted_key(message, known)
                    message = f"TRL's {cls_name} rejected the settings: {message}"
                if f"trainer.{key}" not in reported:
                    reported.add(f"trainer.{key}")
                    add(key, message)
            if not typed_wrong:
                break
            probe = {k: v for k, v in probe.items() if k not in typed_wrong}
    if problems or built is None:
        return known, problems
    # Numbers as TRL's annotations read them (``max_steps: 2.0`` → 2, ``"1e-5"`` → 1e-5);
    # everything else as written (TRL's __post_init__ turns strings into enums, "none" into []).
    values = {}
    for key, value in known.items():
        read = getattr(built, key, value)
        is_number = isinstance(read, int | float) and not isinstance(read, bool | enum.Enum)
        values[key] = read if is_number and key != "use_cpu" else value
    return values, problems


__all__ = ["check_trainer_section", "trainer_fields", "trl_config_class"]
