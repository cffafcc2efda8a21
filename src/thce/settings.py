"""Command settings in one place: a pydantic model gives a command its CLI options and its
``--config FILE`` YAML keys, with the same names, types, defaults, bounds and help.

A settings model declares each setting once with :func:`option`::

    class GreetSettings(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str = option("--name", "-n", help="Who to greet.")
        times: int = option("--times", default=1, ge=1, help="How often.")

:func:`settings_command` turns ``def greet(settings: GreetSettings, config: ...)`` into a typer
command with ``--name/-n`` and ``--times`` (and the function's own options, such as
``--config``). :func:`load_settings` merges a YAML file and the options given on the command
line (the command line wins) and validates the result; an unknown YAML key is an error that
names the file and line and suggests the closest setting.

>>> from pydantic import BaseModel, ConfigDict
>>> class Demo(BaseModel):
...     model_config = ConfigDict(extra="forbid")
...     count: int = option("--count", default=100, ge=1, help="How many.")
>>> load_settings(Demo, None, {"count": 5}).count
5
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, Field, ValidationError
from pydantic_core import PydanticUndefined

from thce.config import Problem, config_error, read_yaml, suggest

M = TypeVar("M", bound=BaseModel)


def option(*flags: str, default: Any = PydanticUndefined, help: str, **constraints: Any) -> Any:
    """A settings field that is also a CLI option spelled ``flags`` (no default: required)."""
    return Field(default, description=help, json_schema_extra={"flags": list(flags)}, **constraints)


def read_yaml_settings(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """A YAML mapping of settings and the 1-based line of each key (:func:`thce.config.read_yaml`)."""
    return read_yaml(path, what="settings file")


def load_settings(
    model: type[M], path: Path | None, given: dict[str, Any], *, flag_prefix: str = "--"
) -> M:
    """Settings from the YAML file ``path`` (if any), overridden by ``given`` values that are
    not ``None`` (the options typed on the command line), validated by ``model``.

    Every problem is reported at once in :mod:`thce.config`'s style, each naming where the
    value came from: the file and line, or the command-line option.
    """
    data, lines = read_yaml_settings(path) if path is not None else ({}, {})
    fields = list(model.model_fields)
    problems: list[Problem] = []
    for key in data:
        if str(key) not in fields:
            hint = suggest(str(key), fields)
            message = "unknown key" + (
                f"; did you mean {hint!r}?" if hint else f" (valid keys: {', '.join(fields)})"
            )
            problems.append(Problem(str(key), message, lines.get(str(key))))
    if problems:
        raise config_error("settings file", path or "", problems)
    from_cli = {k: v for k, v in given.items() if v is not None}
    try:
        return model.model_validate({**data, **from_cli})
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "?"
            flag = _flags(model, name)[0] if name in model.model_fields else name
            if error["type"] == "missing":
                fix = f"pass {flag}" + (f" or set '{name}:' in {path}" if path else "")
                problems.append(Problem(name, f"required setting is missing: {fix}"))
            elif name in from_cli:
                problems.append(Problem(flag, f"{error['msg']} (got {from_cli[name]!r})"))
            else:
                message = f"{error['msg']} (got {data.get(name)!r})"
                problems.append(Problem(name, message, lines.get(name)))
        raise config_error("settings", path or "(command line)", problems) from None


def _flags(model: type[BaseModel], name: str) -> list[str]:
    extra = model.model_fields[name].json_schema_extra
    flags = extra.get("flags") if isinstance(extra, dict) else None
    return list(flags) if flags else ["--" + name.replace("_", "-")]


def typer_parameters(model: type[BaseModel]) -> list[inspect.Parameter]:
    """One typer option per field of ``model``: flags, help, default and numeric bounds come
    from the field, so the command line checks ranges exactly as the model does.

    A required field becomes an optional option (default ``None``): its value may come from a
    settings file instead, and :func:`load_settings` reports it when it comes from neither.
    """
    parameters = []
    for name, field in model.model_fields.items():
        bounds: dict[str, Any] = {}
        for rule in field.metadata:  # annotated_types.Ge / Le, as pydantic stores ge= / le=
            if hasattr(rule, "ge"):
                bounds["min"] = rule.ge
            elif hasattr(rule, "le"):
                bounds["max"] = rule.le
        info = typer.Option(*_flags(model, name), help=field.description, **bounds)
        annotation = field.annotation if field.annotation is not None else Any
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None if field.is_required() else field.default,
                annotation=Annotated[annotation | None, info],
            )
        )
    return parameters


def settings_command(
    model: type[M], *, config: str = "config"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: give a command one CLI option per setting of ``model``.

    The decorated function keeps its own parameters (``config``, the path of the YAML file,
    among them) and receives ``settings``: the file's values overridden by the options typed
    on the command line (click tells typed options from defaults).
    """

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        own = [
            p
            for p in inspect.signature(func, eval_str=True).parameters.values()
            if p.name != "settings"
        ]
        names = set(model.model_fields)

        @functools.wraps(func)
        def command(_ctx: typer.Context, **values: Any) -> Any:
            given = {
                name: values.pop(name)
                for name in list(values)
                if name in names
                and (source := _ctx.get_parameter_source(name)) is not None
                and source.name != "DEFAULT"
            }
            for name in names:
                values.pop(name, None)
            settings = load_settings(model, values.get(config), given)
            return func(settings=settings, **values)

        context = inspect.Parameter(
            "_ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
        )
        parameters = [context, *own, *typer_parameters(model)]
        command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in parameters}
        return command

    return wrap


__all__ = [
    "load_settings",
    "option",
    "read_yaml_settings",
    "settings_command",
    "typer_parameters",
]
