"""OpenAI and Anthropic chat clients behind one small interface, with our own retry loop.

The official SDKs' async clients are created with ``max_retries=0`` so that retrying is done
here, in one place, the same way for both providers:

- retried with exponential backoff and jitter: HTTP 408, 409, 429, 5xx (incl. Anthropic's 529),
  timeouts and connection errors; a ``retry-after-ms`` or ``Retry-After`` header (seconds or an
  HTTP date) sets the wait instead of the backoff;
- never retried: any other 4xx (bad key, bad model, bad request), which cannot succeed by
  waiting: they raise :class:`~thce.errors.GenerationError` at once.

API keys come from the environment (or ``.env``) and never appear in messages or logs.

    >>> infer_provider("claude-sonnet-4-5")
    'anthropic'
    >>> infer_provider("gpt-4o")
    'openai'
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from thce.errors import GenerationError
from thce.logging import logger

PROVIDERS: tuple[str, ...] = ("openai", "anthropic")
API_KEY_ENV: dict[str, str] = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
RETRYABLE_STATUS = frozenset({408, 409, 429})
MAX_RETRY_AFTER_S = 300.0  # a server asking for longer than this is treated as this


def infer_provider(model: str, provider: str | None = None) -> str:
    """The provider for ``model``: the explicit one, else ``anthropic`` for ``claude*`` names.

    Every other name goes to ``openai``, whose wire format vLLM and most gateways speak.
    """
    if provider:
        name = provider.strip().lower()
        if name not in PROVIDERS:
            raise GenerationError(
                f"unknown provider {provider!r}; use one of: {', '.join(PROVIDERS)}"
            )
        return name
    return "anthropic" if model.strip().lower().startswith("claude") else "openai"


def load_api_key(
    provider: str, env: Mapping[str, str] | None = None, dotenv_path: Path | None = None
) -> str:
    """Read the provider's key from the environment, then from ``.env``; never print it.

    Raises :class:`GenerationError` naming the variable to set when it is missing.
    """
    var = API_KEY_ENV[provider]
    env = os.environ if env is None else env
    key = env.get(var, "").strip()
    if not key:
        from dotenv import dotenv_values

        path = dotenv_path if dotenv_path is not None else Path.cwd() / ".env"
        if path.is_file():
            key = (dotenv_values(path).get(var) or "").strip()
    if not key:
        raise GenerationError(
            f"no API key for {provider}: set {var} in the environment or in a .env file "
            f"(for a local OpenAI-compatible server without auth, any value such as {var}=EMPTY works)"
        )
    return key


_KEY_LIKE_RE = re.compile(r"\b(?:sk|sk-ant|sk-proj|key)[-_][A-Za-z0-9_\-*.]{6,}")


def redact(text: str, secret: str | None = None) -> str:
    """Remove an API key (and anything shaped like one) from ``text`` before it is shown.

    >>> redact("Incorrect API key provided: sk-abc123456789", "sk-abc123456789")
    'Incorrect API key provided: ***'
    """
    if secret:
        text = text.replace(secret, "***")
    return _KEY_LIKE_RE.sub("***", text)


@dataclass(frozen=True)
class Completion:
    """The text of one reply and the tokens it was billed for (``None`` when not reported)."""

    text: str | None
    input_tokens: int | None
    output_tokens: int | None


@dataclass(frozen=True)
class ErrorInfo:
    """What a failed call means for the retry loop."""

    retryable: bool
    kind: str  # "timeout", "connection", "http_<status>", "invalid_response"
    status: int | None
    retry_after: float | None
    message: str


class ChatProvider(Protocol):
    """What the generator needs from a provider."""

    name: str
    model: str

    async def complete(self, messages: list[dict[str, str]], max_tokens: int) -> Completion:
        """Send one chat request (system + user messages) and return the reply."""
        ...

    def classify(self, exc: BaseException) -> ErrorInfo | None:
        """Describe an SDK exception, or ``None`` if it is not an API error (a bug: re-raise)."""
        ...

    async def close(self) -> None:
        """Release the HTTP connections."""
        ...


def parse_retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds to wait according to ``retry-after-ms`` or ``Retry-After`` (seconds or a date).

    Fractional seconds are accepted in ``Retry-After`` too (some gateways send them).

    >>> parse_retry_after({"retry-after-ms": "250"})
    0.25
    >>> parse_retry_after({"Retry-After": "2"})
    2.0
    """
    if not headers:
        return None
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def _classify_sdk_error(exc: BaseException, sdk: Any, secret: str | None) -> ErrorInfo | None:
    """Shared classification: both SDKs expose the same exception family."""
    message = redact(str(exc), secret)
    if isinstance(exc, sdk.APITimeoutError):
        return ErrorInfo(True, "timeout", None, None, "request timed out")
    if isinstance(exc, sdk.APIConnectionError):
        return ErrorInfo(True, "connection", None, None, f"connection error: {message}")
    if isinstance(exc, sdk.APIStatusError):
        status = int(exc.status_code)
        headers = getattr(getattr(exc, "response", None), "headers", None)
        retryable = status in RETRYABLE_STATUS or status >= 500
        return ErrorInfo(retryable, f"http_{status}", status, parse_retry_after(headers), message)
    if isinstance(exc, sdk.APIResponseValidationError | sdk.APIError):
        return ErrorInfo(False, "invalid_response", None, None, message)
    return None


def fatal_error(
    info: ErrorInfo, provider: str, model: str, base_url: str | None
) -> GenerationError:
    """A clear, key-free error for a status that retrying cannot fix."""
    var = API_KEY_ENV[provider]
    where = f" at {base_url}" if base_url else ""
    if info.status == 401:
        return GenerationError(f"{provider} rejected the API key (HTTP 401){where}: check {var}")
    if info.status == 403:
        return GenerationError(
            f"{provider} refused access (HTTP 403){where}: check that {var} may use model {model!r}"
        )
    if info.status == 404:
        return GenerationError(
            f"{provider} answered HTTP 404 for model {model!r}{where}: check --model and --base-url"
        )
    return GenerationError(f"{provider} rejected the request ({info.kind}){where}: {info.message}")


class _SDKProvider:
    """What the two SDK adapters share: client set-up, error classification and closing.

    Both official SDKs (openai, anthropic) are generated from the same template, so their
    async clients take the same constructor arguments and raise the same exception family.
    SDK retries are off (``max_retries=0``): :func:`call_with_retries` owns the retry policy.
    """

    name: str
    #: import name of the SDK and the name of its async client class
    sdk_module: str
    client_class: str

    def __init__(
        self,
        model: str,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        temperature: float | None = None,
    ) -> None:
        import importlib

        sdk = importlib.import_module(self.sdk_module)
        self.model = model
        self._sdk = sdk
        self._key = api_key
        self._temperature = temperature
        self._client = getattr(sdk, self.client_class)(
            api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout
        )

    def classify(self, exc: BaseException) -> ErrorInfo | None:
        """See :class:`ChatProvider`."""
        return _classify_sdk_error(exc, self._sdk, self._key)

    async def close(self) -> None:
        """See :class:`ChatProvider`."""
        await self._client.close()


class OpenAIProvider(_SDKProvider):
    """Chat completions through ``openai.AsyncOpenAI`` (also vLLM and compatible gateways)."""

    name = "openai"
    sdk_module = "openai"
    client_class = "AsyncOpenAI"

    async def complete(self, messages: list[dict[str, str]], max_tokens: int) -> Completion:
        """One chat-completions request; returns the first choice's text and the usage."""
        kwargs: dict[str, Any] = {}
        if self._temperature is not None:
            kwargs["temperature"] = self._temperature
        response = await self._client.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]
            max_completion_tokens=max_tokens,
            **kwargs,
        )
        choices = getattr(response, "choices", None) or []
        text = choices[0].message.content if choices else None
        usage = getattr(response, "usage", None)
        return Completion(
            text,
            getattr(usage, "prompt_tokens", None),
            getattr(usage, "completion_tokens", None),
        )


class AnthropicProvider(_SDKProvider):
    """Messages API through ``anthropic.AsyncAnthropic``; the system prompt goes in ``system``."""

    name = "anthropic"
    sdk_module = "anthropic"
    client_class = "AsyncAnthropic"

    async def complete(self, messages: list[dict[str, str]], max_tokens: int) -> Completion:
        """One messages request; returns the concatenated text blocks and the usage."""
        system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        turns = [m for m in messages if m["role"] != "system"]
        kwargs: dict[str, Any] = {}
        if system:
            kwargs["system"] = system
        if self._temperature is not None:
            kwargs["temperature"] = self._temperature
        response = await self._client.messages.create(
            model=self.model,
            messages=turns,  # type: ignore[arg-type]
            max_tokens=max_tokens,
            **kwargs,
        )
        texts = [
            block.text
            for block in getattr(response, "content", None) or []
            if getattr(block, "type", "") == "text"
        ]
        usage = getattr(response, "usage", None)
        return Completion(
            "".join(texts) if texts else None,
            getattr(usage, "input_tokens", None),
            getattr(usage, "output_tokens", None),
        )


def make_provider(
    provider: str,
    model: str,
    api_key: str,
    base_url: str | None = None,
    timeout: float = 60.0,
    temperature: float | None = None,
) -> ChatProvider:
    """Create the client for ``provider`` (``openai`` or ``anthropic``)."""
    try:
        cls = {"openai": OpenAIProvider, "anthropic": AnthropicProvider}[provider]
        return cls(model, api_key, base_url=base_url, timeout=timeout, temperature=temperature)
    except ImportError as exc:
        raise GenerationError(
            f"the {provider} SDK is not installed: pip install 'thce[api]' ({exc.name} missing)"
        ) from None


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait between attempts.

    The wait before retry ``n`` (0-based) is ``base * 2**n`` capped at ``max_delay``, with
    "equal jitter" (a random value between half and all of it), unless the server sent a
    ``Retry-After``, which wins.
    """

    max_retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Jittered exponential delay before retry number ``attempt`` (0-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


class RequestFailed(Exception):
    """A retryable error persisted after every retry."""

    def __init__(self, info: ErrorInfo, attempts: int) -> None:
        super().__init__(f"{info.kind} after {attempts} attempts: {info.message}")
        self.info = info
        self.attempts = attempts


class FatalRequestError(Exception):
    """An error that no retry can fix (bad key, unknown model...)."""

    def __init__(self, info: ErrorInfo) -> None:
        super().__init__(info.message)
        self.info = info


async def call_with_retries(
    call: Callable[[], Awaitable[Completion]],
    classify: Callable[[BaseException], ErrorInfo | None],
    policy: RetryPolicy,
    on_retry: Callable[[ErrorInfo, float], None] | None = None,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> Completion:
    """Run ``call`` until it succeeds, retrying what :func:`classify` calls retryable.

    Raises :class:`FatalRequestError` at once for a non-retryable API error and
    :class:`RequestFailed` when retries run out; anything that is not an API error propagates.
    """
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as exc:
            info = classify(exc)
            if info is None:
                raise
            if not info.retryable:
                raise FatalRequestError(info) from None
            if attempt >= policy.max_retries:
                raise RequestFailed(info, attempt + 1) from None
            if info.retry_after is not None:
                delay = min(info.retry_after, MAX_RETRY_AFTER_S)
            else:
                delay = policy.backoff(attempt)
            logger.debug("retrying after {} (attempt {}) in {:.3f}s", info.kind, attempt + 1, delay)
            if on_retry is not None:
                on_retry(info, delay)
            await sleep(delay)
            attempt += 1


__all__ = [
    "API_KEY_ENV",
    "PROVIDERS",
    "AnthropicProvider",
    "ChatProvider",
    "Completion",
    "ErrorInfo",
    "FatalRequestError",
    "OpenAIProvider",
    "RequestFailed",
    "RetryPolicy",
    "call_with_retries",
    "fatal_error",
    "infer_provider",
    "load_api_key",
    "make_provider",
    "parse_retry_after",
    "redact",
]
