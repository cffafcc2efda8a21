"""Keep loguru out of start-up until something logs.

Importing loguru costs ~60 ms (it imports asyncio and multiprocessing), a sixth of a cold
``thce codes validate E11.9``, and most commands never log. So ``import thce`` does not
import it; instead THCE watches for loguru's first import and, right after it, does what it
would have done up front: switch THCE's records off (used as a library, THCE stays quiet
until :func:`thce.logging.setup_logging`) and apply the CLI's ``--verbose``/``--log-file``
setup if one is waiting.

    >>> import sys, thce
    >>> "loguru" in sys.modules or any(isinstance(f, _LoguruWatcher) for f in sys.meta_path)
    True
"""

from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import Any

VALID_LEVELS = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
_pending: tuple[str, str | None] | None = None


def resolve_level(
    verbose: bool = False, quiet: bool = False, env: dict[str, str] | None = None
) -> str:
    """Return the log level implied by CLI flags and ``THCE_LOG_LEVEL``.

    >>> resolve_level(verbose=True)
    'DEBUG'
    """
    if verbose:
        return "DEBUG"
    if quiet:
        return "WARNING"
    env = os.environ if env is None else env
    level = env.get("THCE_LOG_LEVEL", "INFO").strip().upper()
    return level if level in VALID_LEVELS else "INFO"


def request_setup(level: str, log_file: str | None = None) -> None:
    """:func:`thce.logging.setup_logging` now if loguru is loaded, else on its first import."""
    global _pending
    if "loguru" in sys.modules or log_file or os.environ.get("THCE_LOG_FILE"):
        # A log file is created at setup even if nothing is logged: keep that promise.
        from thce.logging import setup_logging

        setup_logging(level, log_file=log_file)
    else:
        _pending = (level, log_file)


def install() -> None:
    """Switch THCE's loguru records off now, or as soon as loguru is imported."""
    if "loguru" in sys.modules:
        sys.modules["loguru"].logger.disable("thce")
    elif not any(isinstance(finder, _LoguruWatcher) for finder in sys.meta_path):
        sys.meta_path.insert(0, _LoguruWatcher())


def _after_import(module: ModuleType) -> None:
    module.logger.disable("thce")
    logging_module = sys.modules.get("thce.logging")
    if logging_module is not None and not hasattr(logging_module, "setup_logging"):
        # loguru is being imported by thce.logging itself, which is not finished yet: it
        # calls apply_pending() at its end.
        return
    apply_pending()


def apply_pending() -> None:
    """Run a waiting :func:`request_setup` (called once loguru and thce.logging are loaded)."""
    global _pending
    if _pending is not None:
        level, log_file = _pending
        _pending = None
        from thce.logging import setup_logging

        setup_logging(level, log_file=log_file)


class _LoguruWatcher:
    """A meta-path finder that only notices loguru's import, then removes itself."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "loguru":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        from importlib.util import find_spec

        spec = find_spec(name)  # found by the usual finders (this one is gone)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            _after_import(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec
