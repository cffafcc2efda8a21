"""``--set key.path=value`` overrides of a training config (also a profile's lines).

Values are YAML (``1e-4`` → float, ``[a, b]`` → list); ``model=thce:tiny`` replaces a section
written as a string, ``model.dtype=bfloat16`` turns it into a mapping.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import yaml

from thce.errors import ConfigError


def parse_override(override: str) -> tuple[list[str], Any]:
    """Split ``key.path=value``; the value is parsed as YAML (``1e-4`` → float, ``[a, b]`` → list).

    >>> parse_override("trainer.max_steps=20")
    (['trainer', 'max_steps'], 20)
    """
    if "=" not in override:
        raise ConfigError(f"--set {override!r}: expected key.path=value, e.g. trainer.max_steps=20")
    key, raw = override.split("=", 1)
    parts = [p.strip() for p in key.strip().split(".")]
    if not all(parts):
        raise ConfigError(f"--set {override!r}: empty key segment in {key!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return parts, _coerce_number(value)


def _coerce_number(value: Any) -> Any:
    """YAML 1.1 reads ``1e-5`` (no dot) as a string: turn such strings into floats."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return number if any(c in value.lower() for c in "e.") and math.isfinite(number) else value
    return value


def apply_overrides(data: dict[str, Any], overrides: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Return a copy of ``data`` with each ``key.path=value`` override applied in order.

    A scalar section written as a string (``model: thce:tiny``) becomes a mapping when an
    override names one of its fields (``model.dtype=bfloat16``).
    """
    result = copy.deepcopy(data)
    scalar_field = {"model": "name_or_path", "tokenizer": "name_or_path", "dataset": "path"}
    for override in overrides:
        parts, value = parse_override(override)
        node = result
        for depth, part in enumerate(parts[:-1]):
            child = node.get(part)
            if depth == 0 and part in scalar_field and (child is None or isinstance(child, str)):
                child = {} if child is None else {scalar_field[part]: child}
                node[part] = child
            elif child is None:
                child = {}
                node[part] = child
            elif not isinstance(child, dict):
                raise ConfigError(
                    f"--set {override!r}: {'.'.join(parts[: depth + 1])} is a value, not a section"
                )
            node = child
        node[parts[-1]] = value
    return result


__all__ = ["apply_overrides", "parse_override"]
