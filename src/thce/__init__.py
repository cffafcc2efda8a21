"""THCE: a toolkit for building small medical-coding language models.

Light on import: nothing here loads torch or transformers.

Used as a library, THCE logs nothing until you call :func:`thce.logging.setup_logging`
(the ``thce`` CLI does this itself). loguru's default handler prints DEBUG records, and THCE's
DEBUG records may quote clinical text, so the package follows loguru's advice for libraries
and disables its own logger: on import if loguru is already loaded, else the moment it is
(loguru itself loads only when something logs; see :mod:`thce._logging_hook`).
"""

from thce import _logging_hook

__version__ = "0.1.0"

_logging_hook.install()
