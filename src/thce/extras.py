"""Optional extras: say which one a command needs instead of failing on an import.

    >>> extra_of("trl")
    'train'

``pip install -e .`` gives the code databases, the data tools and the CLI without torch.
Commands that train or load a model need the ``train`` extra, ``thce generate`` the ``api``
extra. :func:`require_extra` checks, cheaply and without importing anything, that a
command's packages are installed, and raises one :class:`~thce.errors.MissingExtraError`
(exit 2) naming the extra and the install command. :func:`missing_module_message` turns a
``ModuleNotFoundError`` that slips through into the same message.
"""

from __future__ import annotations

import importlib.util
import sys

from thce.errors import MissingExtraError

# Import name -> the extra that installs it (see pyproject.toml).
EXTRA_MODULES: dict[str, str] = {
    "torch": "train",
    "transformers": "train",
    "trl": "train",
    "peft": "train",
    "accelerate": "train",
    "datasets": "train",
    "gguf": "train",
    "openai": "api",
    "anthropic": "api",
    "tiktoken": "api",
    "httpx": "api",
}
TRAIN_MODULES = ("torch", "transformers", "trl")
MODEL_MODULES = ("torch", "transformers")


def extra_of(module: str) -> str | None:
    """The extra that installs top-level module ``module`` (``None``: not an extra's)."""
    return EXTRA_MODULES.get(module.split(".")[0])


def is_installed(module: str) -> bool:
    """True when ``module`` can be imported (it is not imported here)."""
    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def install_hint(extra: str) -> str:
    """The install command for ``extra``."""
    return f'pip install "thce[{extra}]" (or, in a clone, make install)'


def require_extra(command: str, modules: tuple[str, ...] = TRAIN_MODULES) -> None:
    """Raise :class:`MissingExtraError` when a package ``command`` needs is not installed."""
    missing = [module for module in modules if not is_installed(module)]
    if not missing:
        return
    extras = sorted({extra_of(module) or module for module in missing})
    raise MissingExtraError(
        f"`{command}` needs the {' and '.join(extras)} extra ({', '.join(missing)} "
        f"{'is' if len(missing) == 1 else 'are'} not installed): "
        + "; ".join(install_hint(extra) for extra in extras)
    )


def missing_module_message(exc: ModuleNotFoundError) -> str | None:
    """A one-line fix for an import of an extra's package that failed, else ``None``."""
    name = exc.name or ""
    extra = extra_of(name)
    if extra is None:
        return None
    return f"{name} is not installed; it comes with the {extra} extra: {install_hint(extra)}"


__all__ = [
    "EXTRA_MODULES",
    "MODEL_MODULES",
    "TRAIN_MODULES",
    "extra_of",
    "install_hint",
    "is_installed",
    "missing_module_message",
    "require_extra",
]
