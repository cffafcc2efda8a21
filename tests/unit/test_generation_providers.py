"""Provider helpers: inference, keys, redaction, Retry-After, error classes, the retry loop."""

from __future__ import annotations

import asyncio
import email.utils
import random

import pytest

from thce.errors import GenerationError
from thce.generation.providers import (
    Completion,
    ErrorInfo,
    FatalRequestError,
    RequestFailed,
    RetryPolicy,
    call_with_retries,
    fatal_error,
    infer_provider,
    load_api_key,
    make_provider,
    parse_retry_after,
    redact,
)


@pytest.mark.parametrize(
    ("model", "provider", "expected"),
    [
        ("claude-sonnet-4-5", None, "anthropic"),
        ("Claude-3-haiku", None, "anthropic"),
        ("gpt-4o", None, "openai"),
        ("meta-llama/Llama-3-8B", None, "openai"),
        ("claude-x", "OpenAI", "openai"),
    ],
)
def test_infer_provider(model, provider, expected):
    assert infer_provider(model, provider) == expected


def test_unknown_provider():
    with pytest.raises(GenerationError, match="openai, anthropic"):
        infer_provider("gpt-4o", "cohere")


def test_api_key_from_env_then_dotenv(tmp_path):
    assert (
        load_api_key("openai", env={"OPENAI_API_KEY": " sk-env "}, dotenv_path=tmp_path / ".env")
        == "sk-env"
    )
    dotenv = tmp_path / ".env"
    dotenv.write_text("ANTHROPIC_API_KEY=sk-ant-from-file\n")
    assert load_api_key("anthropic", env={}, dotenv_path=dotenv) == "sk-ant-from-file"


def test_missing_key_names_the_variable(tmp_path):
    with pytest.raises(GenerationError, match="ANTHROPIC_API_KEY"):
        load_api_key("anthropic", env={}, dotenv_path=tmp_path / "missing.env")


def test_redact():
    assert "secret-value" not in redact("bad key secret-value!", "secret-value")
    assert redact("key sk-proj-abcdefghijkl rejected") == "key *** rejected"


def test_parse_retry_after_forms():
    assert parse_retry_after(None) is None
    assert parse_retry_after({}) is None
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert parse_retry_after({"Retry-After": "0.2"}) == 0.2
    assert parse_retry_after({"retry-after": "-3"}) == 0.0
    assert parse_retry_after({"retry-after-ms": "soon", "retry-after": "4"}) == 4.0
    assert parse_retry_after({"retry-after": "whenever"}) is None
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=1_000_000) == pytest.approx(30)


def test_backoff_grows_with_jitter_and_cap():
    policy = RetryPolicy(max_retries=5, base_delay=1.0, max_delay=8.0)
    rng = random.Random(0)
    for attempt, ceiling in [(0, 1), (1, 2), (2, 4), (3, 8), (6, 8)]:
        delays = [policy.backoff(attempt, rng) for _ in range(200)]
        assert min(delays) >= ceiling / 2 and max(delays) <= ceiling
        assert len(set(delays)) > 100  # jittered, not constant


def _run(coro):
    return asyncio.run(coro)


class ApiError(Exception):
    def __init__(self, info):
        super().__init__(info.message)
        self.info = info


def classify(exc):
    return exc.info if isinstance(exc, ApiError) else None


def _script(*outcomes):
    """A call returning/raising the outcomes in order, and the list of its calls."""
    queue = list(outcomes)
    calls = []

    async def call():
        calls.append(1)
        item = queue.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    return call, calls


def test_retry_honours_retry_after_then_backoff():
    ok = Completion("{}", 1, 1)
    sleeps = []

    async def fake_sleep(delay):
        sleeps.append(delay)

    info_429 = ErrorInfo(True, "http_429", 429, 0.25, "slow down")
    info_500 = ErrorInfo(True, "http_500", 500, None, "boom")
    call, calls = _script(ApiError(info_429), ApiError(info_500), ok)
    retried = []
    result = _run(
        call_with_retries(
            call,
            classify,
            RetryPolicy(3, 0.01, 0.02),
            lambda i, d: retried.append(i.kind),
            fake_sleep,
        )
    )
    assert result is ok and len(calls) == 3
    assert sleeps[0] == 0.25 and 0.01 <= sleeps[1] <= 0.02  # 2nd retry: base * 2
    assert retried == ["http_429", "http_500"]


def test_retries_run_out():
    info = ErrorInfo(True, "timeout", None, None, "timed out")
    call, calls = _script(*[ApiError(info)] * 3)

    async def no_sleep(delay):
        return None

    with pytest.raises(RequestFailed) as failed:
        _run(call_with_retries(call, classify, RetryPolicy(2, 0.0, 0.0), sleep=no_sleep))
    assert failed.value.attempts == 3 and len(calls) == 3


def test_non_retryable_fails_at_once():
    info = ErrorInfo(False, "http_401", 401, None, "bad key")
    call, calls = _script(ApiError(info), Completion("x", 1, 1))
    with pytest.raises(FatalRequestError):
        _run(call_with_retries(call, classify, RetryPolicy(5, 0.0, 0.0)))
    assert len(calls) == 1


def test_unknown_exceptions_propagate():
    call, _calls = _script(ZeroDivisionError())
    with pytest.raises(ZeroDivisionError):
        _run(call_with_retries(call, classify, RetryPolicy(5, 0.0, 0.0)))


@pytest.mark.parametrize(
    ("status", "needle"),
    [
        (401, "check OPENAI_API_KEY"),
        (403, "may use model"),
        (404, "check --model"),
        (400, "rejected the request"),
    ],
)
def test_fatal_errors_are_clear(status, needle):
    info = ErrorInfo(False, f"http_{status}", status, None, "details")
    error = fatal_error(info, "openai", "gpt-4o", "http://127.0.0.1:9")
    assert needle in str(error) and isinstance(error, GenerationError)


def test_make_provider_builds_sdk_clients():
    openai_provider = make_provider("openai", "gpt-4o", "sk-test", base_url="http://127.0.0.1:9/v1")
    anthropic_provider = make_provider(
        "anthropic", "claude-x", "sk-test", base_url="http://127.0.0.1:9"
    )
    assert (openai_provider.name, anthropic_provider.name) == ("openai", "anthropic")
    _run(openai_provider.close())
    _run(anthropic_provider.close())


def test_missing_sdk_is_a_clear_error(monkeypatch):
    import sys

    # A None entry in sys.modules makes every import of the module fail, as if not installed.
    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(GenerationError, match=r"thce\[api\]"):
        make_provider("openai", "gpt-4o", "sk-test")
