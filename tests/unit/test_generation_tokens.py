"""Token counting: offline tiktoken when cached, documented approximations otherwise."""

from __future__ import annotations

import math

import pytest

from thce.generation import tokens


def test_anthropic_approximation_is_chars_over_3_5():
    counted = tokens.count_text_tokens("x" * 700, "anthropic", "claude-sonnet-4-5")
    assert counted.tokens == 200
    assert "3.5" in counted.method


def test_openai_without_cached_bpe_falls_back_to_chars_over_4(monkeypatch, tmp_path):
    # An empty cache directory: tiktoken would have to download, which THCE refuses.
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    tokens.openai_encoding.cache_clear()
    try:
        counted = tokens.count_text_tokens("y" * 401, "openai", "gpt-4o")
    finally:
        tokens.openai_encoding.cache_clear()
    assert counted.tokens == math.ceil(401 / 4)
    assert "4 characters" in counted.method


def test_offline_loader_never_downloads(monkeypatch, tmp_path):
    import tiktoken.load

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    calls = []
    monkeypatch.setattr("requests.get", lambda *a, **k: calls.append(a) or pytest.fail("download"))
    assert tokens._offline_encoding("o200k_base") is None
    assert calls == []
    assert tiktoken.load.read_file.__name__ == "read_file"  # the patch was undone


def test_openai_uses_tiktoken_when_available(monkeypatch):
    class FakeEncoding:
        name = "o200k_base"

        def encode(self, text):
            return text.split()

    monkeypatch.setattr(tokens, "openai_encoding", lambda model: FakeEncoding())
    counted = tokens.count_text_tokens("one two three", "openai", "gpt-4o")
    assert counted == tokens.TokenCount(3, "tiktoken o200k_base")


def test_message_overhead():
    messages = [{"role": "system", "content": "x" * 35}, {"role": "user", "content": "x" * 70}]
    counted = tokens.count_message_tokens(messages, "anthropic", "claude-x")
    assert counted.tokens == 10 + 20 + 2 * tokens.TOKENS_PER_MESSAGE + tokens.TOKENS_REPLY_PRIMING
