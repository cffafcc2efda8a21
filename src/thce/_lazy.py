"""Lazy package exports (PEP 562), so importing a package does not import its heavy modules.

``thce --help`` imports each command's CLI module, which imports its package; a package that
re-exported its API eagerly would pull in torch, TRL or asyncio clients at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` that imports ``exports[name]`` on first use of ``name``."""

    def __getattr__(name: str) -> Any:
        if name in exports:
            return getattr(import_module(exports[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
