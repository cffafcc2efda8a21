"""Profiles: named sets of overrides that run the same configs at another size.

A profile is a list of ``--set`` overrides per stage, applied before the user's own overrides
(which win). They are data, authored in ``post_training/config/profiles.yaml`` beside the
training configs: ``thce train CONFIG --profile cpu`` is exactly
``thce train CONFIG --set <each override of cpu for that stage>``, and ``thce pipeline
--profile cpu`` trains every stage with the same overrides (:mod:`thce.pipeline_config`).

A profile may ``extends:`` another (its overrides first). ``aliases:`` keeps old names working.

>>> "trainer.max_steps=2" in profile_overrides("smoke", 1)
True
>>> profile_overrides("cpu-long", 1)[-1]
'trainer.max_steps=200'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from loguru import logger
from pydantic import BaseModel, ConfigDict, Field, model_validator

from thce.config import load_yaml_model, suggest
from thce.errors import ConfigError
from thce.resources import shipped_path

PROFILES_FILE = "profiles.yaml"
STAGE_NUMBERS = (1, 2, 3)


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    extends: str | None = None
    all: list[str] = Field(default_factory=list)
    stage_1: list[str] = Field(default_factory=list)
    stage_2: list[str] = Field(default_factory=list)
    stage_3: list[str] = Field(default_factory=list)


class ProfilesFile(BaseModel):
    """``profiles.yaml``: the profiles by name, and old names that still work."""

    model_config = ConfigDict(extra="forbid")
    profiles: dict[str, _Profile]
    aliases: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_references(self) -> ProfilesFile:
        for name, profile in self.profiles.items():
            if profile.extends is not None and profile.extends not in self.profiles:
                raise ValueError(f"profile {name!r} extends unknown profile {profile.extends!r}")
        for old, new in self.aliases.items():
            if new not in self.profiles:
                raise ValueError(f"alias {old!r} names unknown profile {new!r}")
        return self


def profiles_path() -> Path:
    """The shipped profiles file (``post_training/config/profiles.yaml``)."""
    return shipped_path("post_training_config", PROFILES_FILE)


def _overrides(parsed: ProfilesFile, name: str, stage: int, seen: tuple[str, ...] = ()) -> tuple:
    if name in seen:
        raise ConfigError(f"profiles: {' -> '.join((*seen, name))} extends itself")
    profile = parsed.profiles[name]
    inherited = _overrides(parsed, profile.extends, stage, (*seen, name)) if profile.extends else ()
    return (*inherited, *profile.all, *getattr(profile, f"stage_{stage}"))


@lru_cache(maxsize=4)
def _load(path: str | None = None) -> ProfilesFile:
    source = Path(path) if path else profiles_path()
    return load_yaml_model(ProfilesFile, source, what="profiles file")


def load_profiles(path: str | None = None) -> dict[str, dict[int, tuple[str, ...]]]:
    """Every profile: ``{name: {stage: overrides}}`` (the profile it extends first, then
    ``all``, then the stage's own)."""
    parsed = _load(path)
    return {
        name: {stage: _overrides(parsed, name, stage) for stage in STAGE_NUMBERS}
        for name in parsed.profiles
    }


def known_profile(name: str | None) -> str | None:
    """The profile's name as defined (aliases followed), or ``None`` when none has it."""
    if name is None:
        return None
    parsed = _load()
    key = name.strip().lower().replace("_", "-")
    if key in parsed.aliases:
        logger.warning(f"profile {name!r} is now called {parsed.aliases[key]!r}")
        key = parsed.aliases[key]
    return key if key in parsed.profiles else None


def profile_overrides(name: str | None, stage: int) -> list[str]:
    """The overrides of profile ``name`` for ``stage`` (empty for None)."""
    if name is None:
        return []
    key = known_profile(name)
    if key is None:
        names = sorted(_load().profiles)
        hint = suggest(name, names)
        raise ConfigError(
            f"unknown profile {name!r}"
            + (f"; did you mean {hint!r}?" if hint else "")
            + f" (profiles: {', '.join(names)}; defined in {profiles_path()})"
        )
    return list(load_profiles()[key][stage])


def __getattr__(name: str) -> object:
    # ``PROFILES`` stays importable (read from the YAML file on first use).
    if name == "PROFILES":
        return load_profiles()
    raise AttributeError(name)


__all__ = ["known_profile", "load_profiles", "profile_overrides", "profiles_path"]  # + PROFILES
