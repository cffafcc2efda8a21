"""Exceptions for user mistakes, one type per area.

The CLI catches :class:`THCEError` and prints its message as one clear line (exit code 2);
``--verbose`` shows the traceback. Messages name the file, line, field, bad value and fix.
"""

from __future__ import annotations


class THCEError(Exception):
    """Base class for errors caused by user input or environment, not by a bug."""

    exit_code: int = 2


class CodeError(THCEError):
    """Bad code-system input: unknown code type, unreadable code file, bad import file."""


class DataError(THCEError):
    """Bad data file, data config or dataset source."""


class ConfigError(THCEError):
    """Bad training/pipeline configuration."""


class ModelError(THCEError):
    """A model or tokenizer cannot be resolved or loaded."""


class TrainingError(THCEError):
    """Training cannot start or continue."""


class EvaluationError(THCEError):
    """Evaluation inputs are unusable."""


class GenerationError(THCEError):
    """Synthetic generation cannot run (missing key, bad provider, cost ceiling...)."""


class PipelineError(THCEError):
    """The end-to-end pipeline stopped (e.g. data failed the quality gate)."""


class InputError(THCEError):
    """A user file cannot be read (missing, a folder, unreadable, not text)."""


class OutputError(THCEError):
    """An output path cannot be used (a file where a folder is needed, not writable...)."""


class MissingExtraError(THCEError):
    """A command needs an optional extra (``pip install "thce[train]"``) that is not installed."""


class AllRejectedError(DataError):
    """The input was read, but every record failed the checks: a result, not a usage error."""

    exit_code = 1
