"""Named training profiles: the same configs at another size (e.g. a CPU demo).

A profile is a list of ``--set`` overrides per stage, applied before the user's own overrides
(which win). They are data, authored in ``post_training/config/profiles.yaml`` beside the
training configs: ``thce train CONFIG --profile cpu-demo`` is exactly
``thce train CONFIG --set <each override of cpu-demo for that stage>``.

>>> "trainer.max_steps=2" in profile_overrides("smoke", 1)
True
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from thce.errors import ConfigError
from thce.resources import shipped_path

PROFILES_FILE = "profiles.yaml"


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    all: list[str] = Field(default_factory=list)
    stage_1: list[str] = Field(default_factory=list)
    stage_2: list[str] = Field(default_factory=list)
    stage_3: list[str] = Field(default_factory=list)


class _ProfilesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profiles: dict[str, _Profile]


def profiles_path() -> Path:
    """The shipped profiles file (``post_training/config/profiles.yaml``)."""
    return shipped_path("post_training_config", PROFILES_FILE)


@lru_cache(maxsize=4)
def load_profiles(path: str | None = None) -> dict[str, dict[int, tuple[str, ...]]]:
    """Every profile: ``{name: {stage: overrides}}`` (``all`` first, then the stage's own)."""
    source = Path(path) if path else profiles_path()
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        parsed = _ProfilesFile.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"training profiles {source}: {exc}") from None
    return {
        name: {stage: (*profile.all, *getattr(profile, f"stage_{stage}")) for stage in (1, 2, 3)}
        for name, profile in parsed.profiles.items()
    }


def profile_overrides(name: str | None, stage: int) -> list[str]:
    """The overrides of profile ``name`` for ``stage`` (empty for None)."""
    if name is None:
        return []
    profiles = load_profiles()
    key = name.strip().lower().replace("_", "-")
    if key not in profiles:
        raise ConfigError(f"unknown profile {name!r}; valid: {', '.join(sorted(profiles))}")
    return list(profiles[key][stage])


def __getattr__(name: str) -> object:
    # ``PROFILES`` stays importable (read from the YAML file on first use).
    if name == "PROFILES":
        return load_profiles()
    raise AttributeError(name)


__all__ = ["load_profiles", "profile_overrides", "profiles_path"]  # and PROFILES, lazily
