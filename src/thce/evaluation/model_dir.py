"""What a model folder says about how to evaluate it: its training stage and its retrieval
settings (both from the ``resolved_config.yaml`` that ``thce train`` saves next to the
weights), or the stage of the THCE chat template its tokenizer carries.

``thce eval`` uses these when ``--stage`` is not given and to evaluate a stage trained with
candidates the way it was trained. Re-exported by :mod:`thce.evaluation.evaluate`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from thce.errors import EvaluationError
from thce.logging import logger

RESOLVED_CONFIG = "resolved_config.yaml"  # written by thce.training.run


def _resolved_config(model_path: str | Path) -> tuple[Path, Any]:
    """The path of a folder's ``resolved_config.yaml`` and its parsed content (None: no file).

    Raises ``yaml.YAMLError`` for a file that is not YAML.
    """
    config = Path(model_path) / RESOLVED_CONFIG
    if not config.is_file():
        return config, None
    import yaml

    return config, yaml.safe_load(config.read_text("utf-8")) or {}


def stage_from_model_dir(model_path: str | Path) -> int | None:
    """The training stage a model folder's ``resolved_config.yaml`` records (``stage.number``,
    the :class:`~thce.training.config.StageSection` that ``thce train`` writes).

    ``None`` when the folder has no such file (a hub model) or the file does not hold a stage
    number: the caller then falls back to the tokenizer's template, then to stage 1.
    """
    import yaml

    try:
        config, data = _resolved_config(model_path)
    except yaml.YAMLError as exc:
        logger.warning(
            f"cannot read {Path(model_path) / RESOLVED_CONFIG} ({exc}); "
            "assuming stage 1 unless --stage is given"
        )
        return None
    if data is None:
        return None
    stage = data.get("stage") if isinstance(data, dict) else None
    number = stage.get("number") if isinstance(stage, dict) else None
    if number in (1, 2, 3):
        return number
    logger.warning(
        f"{config} has no stage.number of 1, 2 or 3 (stage: {stage!r}); "
        "assuming stage 1 unless --stage is given"
    )
    return None


def retrieval_of_model(model_path: str | Path) -> Any:
    """The ``retrieval:`` settings a trained stage was saved with (``None``: no candidates)."""
    import yaml

    config = Path(model_path) / RESOLVED_CONFIG
    if not config.is_file():
        return None
    from thce.codes.retrieval import RetrievalConfig

    try:
        _, data = _resolved_config(model_path)
        block = data.get("retrieval") if isinstance(data, dict) else None
        return RetrievalConfig.model_validate(block) if block else None
    except (yaml.YAMLError, ValueError) as exc:
        raise EvaluationError(
            f"{config}: unreadable retrieval settings ({exc}); fix the file or retrain the stage"
        ) from None


def stage_from_tokenizer(tokenizer: Any) -> int | None:
    """The stage whose THCE chat template the tokenizer carries (None for any other template)."""
    from thce.data.chat_templates import get_template

    template = getattr(tokenizer, "chat_template", None)
    for stage in (3, 2, 1):
        if template and template == get_template(stage):
            return stage
    return None


__all__ = ["RESOLVED_CONFIG", "retrieval_of_model", "stage_from_model_dir", "stage_from_tokenizer"]
