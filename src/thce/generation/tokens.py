"""Token counts for cost estimates, without any network access.

OpenAI models: ``tiktoken`` (``encoding_for_model``, falling back to ``o200k_base`` for names it
does not know), plus the chat-format overhead OpenAI documents (about 3 tokens per message and
3 to prime the reply). tiktoken downloads its BPE files on first use; THCE never lets it do so
(an estimate must not touch the network), so it is used only when the file is already in
tiktoken's cache (``$TIKTOKEN_CACHE_DIR``, else ``<tmp>/data-gym-cache``). Warm the cache once,
online, with ``python -c "import tiktoken; tiktoken.get_encoding('o200k_base')"``.
Otherwise the count is approximated as one token per 4 characters (OpenAI's rule of thumb for
English), and the estimate says so.

Anthropic models: Anthropic publishes no offline tokenizer for its current models; the count is
approximated as one token per 3.5 characters, which runs a little above the usage Anthropic
reports for English clinical prose (so the estimate errs on the expensive side).

    >>> count_message_tokens([{"role": "user", "content": "x" * 400}], "anthropic", "claude-x")
    TokenCount(tokens=121, method='approximation: 1 token per 3.5 characters (Anthropic)')
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

OPENAI_CHARS_PER_TOKEN = 4.0
ANTHROPIC_CHARS_PER_TOKEN = 3.5
# OpenAI's documented chat overhead: tokens per message and tokens priming the reply.
TOKENS_PER_MESSAGE = 3
TOKENS_REPLY_PRIMING = 3

_PATCH_LOCK = threading.Lock()


@dataclass(frozen=True)
class TokenCount:
    """A token count and how it was obtained (exact tokenizer or an approximation)."""

    tokens: int
    method: str


def _offline_encoding(name: str) -> Any | None:
    """Load a tiktoken encoding only from its local cache; ``None`` if that needs a download."""
    try:
        import tiktoken
        import tiktoken.load as tiktoken_load
    except ImportError:
        return None

    def refuse_download(blobpath: str) -> bytes:
        if "://" in blobpath:
            raise OSError(f"THCE does not download tokenizer files during an estimate ({blobpath})")
        with open(blobpath, "rb") as handle:
            return handle.read()

    # tiktoken reads through ``tiktoken.load.read_file`` after checking its cache; swapping that
    # function for the duration of the load turns a would-be download into a clean failure.
    with _PATCH_LOCK:
        original = tiktoken_load.read_file
        tiktoken_load.read_file = refuse_download
        try:
            return tiktoken.get_encoding(name)
        except Exception:  # no cached file, or tiktoken internals changed: approximate instead
            return None
        finally:
            tiktoken_load.read_file = original


@lru_cache(maxsize=16)
def openai_encoding(model: str) -> Any | None:
    """The tiktoken encoding for an OpenAI model, if available offline (else ``None``)."""
    try:
        import tiktoken

        name = tiktoken.encoding_name_for_model(model)
    except (ImportError, KeyError):
        name = "o200k_base"
    return _offline_encoding(name)


def count_text_tokens(text: str, provider: str, model: str) -> TokenCount:
    """Count (or approximate) the tokens of one piece of text for ``provider``/``model``."""
    if provider == "openai":
        encoding = openai_encoding(model)
        if encoding is not None:
            return TokenCount(len(encoding.encode(text)), f"tiktoken {encoding.name}")
        return TokenCount(
            math.ceil(len(text) / OPENAI_CHARS_PER_TOKEN),
            "approximation: 1 token per 4 characters (tiktoken BPE file not cached offline)",
        )
    return TokenCount(
        math.ceil(len(text) / ANTHROPIC_CHARS_PER_TOKEN),
        "approximation: 1 token per 3.5 characters (Anthropic)",
    )


def count_message_tokens(messages: list[dict[str, str]], provider: str, model: str) -> TokenCount:
    """Tokens of a chat request's input: every message's content plus the chat overhead."""
    total = TOKENS_REPLY_PRIMING
    method = ""
    for message in messages:
        counted = count_text_tokens(message["content"], provider, model)
        total += counted.tokens + TOKENS_PER_MESSAGE
        method = counted.method
    return TokenCount(total, method)


__all__ = [
    "ANTHROPIC_CHARS_PER_TOKEN",
    "OPENAI_CHARS_PER_TOKEN",
    "TokenCount",
    "count_message_tokens",
    "count_text_tokens",
    "openai_encoding",
]
