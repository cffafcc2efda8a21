"""Logging setup with loguru.

Levels come from (highest priority first) the CLI's ``--verbose``/``--quiet`` flags, the
``THCE_LOG_LEVEL`` environment variable, then ``INFO``. Console output is coloured on a TTY;
``THCE_LOG_FILE`` (or ``setup_logging(log_file=...)``) adds a rotating file sink.

Privacy rule: never log narrative text or API keys at INFO or above. Use DEBUG for any
message that could contain clinical text.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from loguru import logger

from thce._logging_hook import VALID_LEVELS, resolve_level
from thce._logging_hook import apply_pending as _apply_pending

_CONSOLE_FORMAT = (
    "<green>{time:HH:mm:ss}</green> | <level>{level: <7}</level> | <level>{message}</level>"
)
_FILE_FORMAT = "{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <8} | {name}:{function}:{line} | {message}"


def setup_logging(
    level: str = "INFO",
    log_file: str | Path | None = None,
    rotation: str = "10 MB",
    retention: int = 5,
) -> None:
    """Configure loguru: a coloured stderr sink at ``level`` and an optional rotating file sink.

    ``log_file`` defaults to ``$THCE_LOG_FILE`` when set. Safe to call more than once. Also
    re-enables THCE's records, which the package disables on import (see :mod:`thce`).
    """
    logger.enable("thce")
    logger.remove()
    logger.add(sys.stderr, level=level, format=_CONSOLE_FORMAT, colorize=None, backtrace=False)
    log_file = log_file or os.environ.get("THCE_LOG_FILE")
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        logger.add(
            str(log_file),
            level="DEBUG",
            format=_FILE_FORMAT,
            rotation=rotation,
            retention=retention,
            enqueue=False,
            encoding="utf-8",
        )


# loguru may have been imported first by this module: a CLI setup waiting for it runs now.
_apply_pending()

__all__ = ["VALID_LEVELS", "logger", "resolve_level", "setup_logging"]
