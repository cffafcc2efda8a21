"""Where THCE finds its shipped files and keeps its per-user data.

Shipped files (code databases, example data, configs) live in the repository under
``data/``, ``post_training/`` and ``configs/``. A wheel carries copies under
``thce/_data/`` (see ``pyproject.toml``); an editable install reads the repository.
:func:`shipped_path` hides the difference.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from thce.errors import THCEError

# Repository-relative location of each shipped area, and its name inside the wheel.
_AREAS: dict[str, tuple[str, str]] = {
    "code_databases": ("data/code_databases", "code_databases"),
    "examples": ("data/examples", "examples"),
    "data_config": ("data/config", "data_config"),
    "post_training_config": ("post_training/config", "post_training_config"),
    "configs": ("configs", "configs"),
}

REPO_ROOT = Path(__file__).resolve().parents[2]


def shipped_path(area: str, name: str = "") -> Path:
    """Return the path of a shipped file or folder, from the wheel or the repository.

    >>> shipped_path("code_databases", "icd10cm.json.gz").name
    'icd10cm.json.gz'
    """
    if area not in _AREAS:
        raise THCEError(f"Unknown shipped area {area!r}; valid: {', '.join(sorted(_AREAS))}")
    repo_rel, wheel_name = _AREAS[area]
    packaged = resources.files("thce").joinpath("_data", wheel_name)
    if packaged.is_dir():
        return Path(str(packaged)) / name if name else Path(str(packaged))
    return REPO_ROOT / repo_rel / name if name else REPO_ROOT / repo_rel


def thce_home() -> Path:
    """Per-user THCE data directory: ``$THCE_HOME`` or ``~/.local/share/thce`` (XDG)."""
    env = os.environ.get("THCE_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "thce"


def cache_dir() -> Path:
    """Directory for caches (converted models, etc.): ``$THCE_CACHE_DIR`` or ``$THCE_HOME/cache``."""
    env = os.environ.get("THCE_CACHE_DIR")
    return Path(env).expanduser() if env else thce_home() / "cache"


def output_dir() -> Path:
    """Default output root for runs: ``$THCE_OUTPUT_DIR`` or ``./outputs``."""
    return Path(os.environ.get("THCE_OUTPUT_DIR", "outputs"))
