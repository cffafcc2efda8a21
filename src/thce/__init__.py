"""THCE: a toolkit for building small medical-coding language models.

Light on import: nothing here loads torch or transformers.

Used as a library, THCE logs nothing until you call :func:`thce.logging.setup_logging`
(the ``thce`` CLI does this itself). loguru's default handler prints DEBUG records, and THCE's
DEBUG records may quote clinical text, so the package follows loguru's advice for libraries
and disables its own logger on import.
"""

from loguru import logger as _logger

__version__ = "0.1.0"

_logger.disable("thce")
