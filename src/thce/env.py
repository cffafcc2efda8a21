"""``.env``: the settings file of a THCE checkout, read by the ``thce`` command at start.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / ".env"
    >>> _ = path.write_text("THCE_LOG_LEVEL=DEBUG\\nHF_TOKEN=\\n")
    >>> env = {}
    >>> load_env_file(path, env)
    ['THCE_LOG_LEVEL']
    >>> env
    {'THCE_LOG_LEVEL': 'DEBUG'}

Every variable in ``.env`` (in the working directory) is put into the environment of the
process, so THCE and the libraries it uses (huggingface_hub, wandb, the API SDKs) read it as
if it had been exported. A variable that is already set in the environment wins, and an
empty value (``HF_TOKEN=``, as in ``.env.example``) is skipped, so a blank template line
never overrides a default. Values are never printed or logged.
"""

from __future__ import annotations

import io
import os
from collections.abc import MutableMapping
from pathlib import Path


def load_env_file(
    path: str | Path | None = None, environ: MutableMapping[str, str] | None = None
) -> list[str]:
    """Put the non-empty variables of ``path`` (default ``./.env``) that are not set yet into
    ``environ`` (default ``os.environ``); return their names. A missing file is fine."""
    path = Path(path) if path is not None else Path.cwd() / ".env"
    environ = os.environ if environ is None else environ
    if not path.is_file():
        return []
    from dotenv import dotenv_values

    from thce.errors import THCEError
    from thce.inputs import read_text, warn

    try:
        values = dotenv_values(stream=io.StringIO(read_text(path, what=".env")))
    except THCEError as exc:  # an unreadable .env must not stop every command
        warn(f"{exc}; its settings are ignored")
        return []
    loaded = []
    for name, value in values.items():
        if value is None or not value.strip() or name in environ:
            continue
        environ[name] = value
        loaded.append(name)
    return loaded


__all__ = ["load_env_file"]
