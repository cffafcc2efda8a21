"""THCE training: validated YAML configs run through TRL (SFT stages 1-2, DPO stage 3).

    >>> from thce.training import train, validate_config
    >>> validate_config("post_training/config/thce_stage_1.yaml").valid  # doctest: +SKIP
    True

Exports load lazily so that ``import thce.training`` (done by the CLI) stays light.
"""

from __future__ import annotations

from thce._lazy import lazy_exports

_EXPORTS = {
    "train": "thce.training.run",
    "TrainResult": "thce.training.run",
    "validate_config": "thce.training.validate",
    "load_config": "thce.training.config",
    "TrainConfig": "thce.training.config",
    "ConfigReport": "thce.training.config",
    "prepare_tokenizer": "thce.training.tokenization",
    "PROFILES": "thce.training.profiles",
}


__getattr__ = lazy_exports("thce.training", _EXPORTS)


__all__ = sorted(_EXPORTS)
