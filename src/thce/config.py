"""One settings layer: every YAML config kind is read, validated and explained the same way.

THCE has four kinds of YAML a person writes: data configs (``data/config/``), training configs
(``post_training/config/``), profiles (``post_training/config/profiles.yaml``) and the
pipeline config (``configs/pipeline.yaml``), plus ``--config`` files of commands
(:mod:`thce.settings`). Each kind is a pydantic model; this module is the one way to load
them:

- :func:`read_yaml` reads a mapping and the line of every key (nested: ``trainer.max_steps``,
  ``datasets[0].name``); a missing file, bad encoding, a syntax error (line and column) or a
  document that is not a mapping is a clear error.
- :func:`explain` turns a pydantic ``ValidationError`` into :class:`Problem` s that name the
  line, the key path, the message, the bad value and, for an unknown key, the closest valid
  one ("did you mean").
- :func:`load_yaml_model` does both and raises one error in one style for every kind::

      invalid data config cfg.yaml: line 7, datasets[0].entrys: unknown key; did you mean
      'entries'? (valid keys: name, source_path, ...)

- :func:`resolve_path` is the one documented path search: an absolute path as it is; else the
  config file's folder, the working directory, the repository root, and last the package's
  shipped copy (``data/examples/x.jsonl`` → the installed examples), first that exists.

>>> suggest("learning_rte", ["learning_rate", "max_steps"])
'learning_rate'
>>> format_loc(("datasets", 0, "name"))
'datasets[0].name'
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from thce.errors import ConfigError, THCEError
from thce.resources import REPO_ROOT, shipped_path

M = TypeVar("M", bound=BaseModel)

# Repository folders whose files also ship inside the package (see thce.resources).
_SHIPPED_PREFIXES: tuple[tuple[str, str], ...] = (
    ("data/config/", "data_config"),
    ("data/examples/", "examples"),
    ("post_training/config/", "post_training_config"),
    ("configs/", "configs"),
)
# Parts of a pydantic error location that name a union member or validator, not a key.
_TAG = re.compile(r"function-.*|[a-z-]+\[.*\]|str|int|float|bool|list|dict|none|tuple")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a config: where (line, key path) and what."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.path or '(top level)'}: {self.message}"


def suggest(name: str, choices: Iterable[str], cutoff: float = 70) -> str | None:
    """The valid name closest to a typo, or ``None`` when none is close."""
    from rapidfuzz import fuzz, process  # imported on use: `thce --help` never needs it

    match = process.extractOne(name, list(choices), scorer=fuzz.WRatio, score_cutoff=cutoff)
    return match[0] if match else None


def format_loc(loc: Iterable[Any]) -> str:
    """A key path as people write it: ``datasets[0].name`` (pydantic's tags left out)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _TAG.fullmatch(str(part)):
            out += f".{part}" if out else str(part)
    return out


def line_map(text: str) -> dict[str, int]:
    """The 1-based line of every key and list item, by key path (``datasets[0].name``)."""
    import yaml  # imported on use: `thce --help` never needs it

    lines: dict[str, int] = {}
    try:
        root = yaml.compose(text)
    except (yaml.YAMLError, RecursionError):
        return lines

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
                lines[key] = key_node.start_mark.line + 1
                walk(value_node, key)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                key = f"{prefix}[{index}]"
                lines[key] = item.start_mark.line + 1
                walk(item, key)

    walk(root, "")
    return lines


def line_of(lines: dict[str, int], path: str) -> int | None:
    """The line of ``path`` or of its nearest enclosing key that has one."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def read_yaml(
    path: str | Path, *, what: str = "config", error: type[THCEError] = ConfigError
) -> tuple[dict[str, Any], dict[str, int]]:
    """A YAML mapping and the line of each key (see :func:`line_map`); empty file → ``{}``.

    Raises ``error`` naming the file for a missing or unreadable file, a syntax error (with
    its line and column) or a document that is not a mapping.
    """
    import yaml

    from thce.inputs import read_text

    path = Path(path)
    if not path.exists():
        raise error(f"{what} not found: {path} (check the path)")
    text = read_text(path, what=what, error=error)
    try:
        data = yaml.safe_load(text)
    except RecursionError:
        raise error(f"invalid {what} {path}: YAML nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(
            f"invalid {what} {path}: YAML syntax error at {where}: {problem} "
            "(check indentation and quoting)"
        ) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise error(
            f"invalid {what} {path}: expected a mapping of keys at the top, "
            f"got {type(data).__name__}"
        )
    return data, line_map(text)


def _nested_model(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The pydantic model inside an annotation, and whether a container (list/dict) holds it
    (then an error location has one extra part: the index or key)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            found, contained = _nested_model(arg)
            if found is not None:
                return found, contained
    elif origin in (list, tuple, set) and args:
        return _nested_model(args[0])[0], True
    elif origin is dict and len(args) == 2:
        return _nested_model(args[1])[0], True
    return None, False


def fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The valid keys of the section that holds the key at ``loc`` (for "did you mean")."""
    current: type[BaseModel] | None = model
    parts = [p for p in loc[:-1] if not _TAG.fullmatch(str(p))]
    index = 0
    while index < len(parts):
        if current is None or str(parts[index]) not in current.model_fields:
            return []
        nested, contained = _nested_model(current.model_fields[str(parts[index])].annotation)
        current = nested
        index += 2 if contained else 1
    return list(current.model_fields) if current is not None else []


def explain(
    model: type[BaseModel], exc: ValidationError, lines: dict[str, int] | None = None
) -> list[Problem]:
    """Every error of a pydantic validation, as :class:`Problem` s in the project's style."""
    lines = lines or {}
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = format_loc(loc)
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            valid = fields_at(model, loc)
            hint = suggest(str(loc[-1]), valid) if valid else None
            message = "unknown key" + (f"; did you mean {hint!r}?" if hint else "")
            if valid:
                message += f" (valid keys: {', '.join(valid)})"
        elif err["type"] == "missing":
            message = "required key is missing"
        elif "input" in err and not isinstance(err["input"], dict):
            message += f" (got {err['input']!r})"
        problems.append(Problem(path, message, line_of(lines, path)))
    return problems


def config_error(
    what: str, source: str | Path, problems: list[Problem], error: type[THCEError] = ConfigError
) -> THCEError:
    """One error listing every problem: ``invalid <what> <source>: <problem>`` (one line for
    one problem, a list for more)."""
    if len(problems) == 1:
        return error(f"invalid {what} {source}: {problems[0]}")
    listed = "".join(f"\n  - {p}" for p in problems)
    return error(f"invalid {what} {source}: {len(problems)} problems{listed}")


def validate_model(
    model: type[M],
    data: Any,
    *,
    what: str = "config",
    source: str | Path = "<config>",
    lines: dict[str, int] | None = None,
    error: type[THCEError] = ConfigError,
) -> M:
    """``data`` validated by ``model``; every problem reported at once (see :func:`explain`)."""
    if not isinstance(data, dict):
        raise error(
            f"invalid {what} {source}: expected a mapping of keys, got {type(data).__name__}"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise config_error(what, source, explain(model, exc, lines), error) from None


def load_yaml_model(
    model: type[M],
    path: str | Path,
    *,
    what: str = "config",
    error: type[THCEError] = ConfigError,
) -> M:
    """Read the YAML file ``path`` and validate it by ``model`` (errors name file and line)."""
    data, lines = read_yaml(path, what=what, error=error)
    return validate_model(model, data, what=what, source=path, lines=lines, error=error)


def path_candidates(value: str | Path, base: Path | None = None) -> list[Path]:
    """Where :func:`resolve_path` looks for ``value``, in order."""
    path = Path(value).expanduser()
    if path.is_absolute():
        return [path]
    roots = [base] if base is not None else []
    candidates = [root / path for root in (*roots, Path.cwd(), REPO_ROOT)]
    text = path.as_posix()
    for prefix, area in _SHIPPED_PREFIXES:
        if text.startswith(prefix):
            candidates.append(shipped_path(area, text.removeprefix(prefix)))
    return list(dict.fromkeys(candidates))


def resolve_path(value: str | Path, base: Path | None = None) -> Path:
    """The one path search of every config: absolute as it is; else the first that exists of
    ``base`` (the config file's folder), the working directory, the repository root and the
    package's shipped copy; when none exists, the first candidate (so errors name it)."""
    candidates = path_candidates(value, base)
    return next((c for c in candidates if c.exists()), candidates[0])


__all__ = [
    "Problem",
    "config_error",
    "explain",
    "fields_at",
    "format_loc",
    "line_map",
    "line_of",
    "load_yaml_model",
    "path_candidates",
    "read_yaml",
    "resolve_path",
    "suggest",
    "validate_model",
]
