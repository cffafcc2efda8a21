"""Prices: table lookup, overrides by flag and environment, cost arithmetic."""

from __future__ import annotations

import pytest

from thce.errors import GenerationError
from thce.generation.prices import (
    ENV_PRICE_INPUT,
    ENV_PRICE_OUTPUT,
    Price,
    load_price_table,
    lookup_price,
    resolve_price,
)


def test_table_has_date_note_and_both_providers():
    table = load_price_table()
    assert table["taken_on"] and table["note"] and table["unit"] == "per 1M tokens"
    models = table["models"]
    assert any(name.startswith("gpt-") for name in models)
    assert any(name.startswith("claude-") for name in models)
    for name, price in models.items():
        assert price["input"] > 0 and price["output"] >= price["input"], name


@pytest.mark.parametrize(
    ("model", "entry"),
    [
        ("gpt-4o", "gpt-4o"),
        ("GPT-4o", "gpt-4o"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("claude-sonnet-4-20250514", "claude-sonnet-4"),
        ("claude-3-5-haiku-latest", "claude-3-5-haiku"),
    ],
)
def test_lookup_uses_longest_prefix(model, entry):
    assert lookup_price(model)[0] == entry


def test_lookup_does_not_match_partial_words():
    assert lookup_price("gpt-4oxyz") is None
    assert lookup_price("llama-3-8b") is None


def test_cost_arithmetic():
    price = Price(2.5, 10.0, "test")
    assert price.cost(1_000_000, 0) == pytest.approx(2.5)
    assert price.cost(0, 1_000_000) == pytest.approx(10.0)
    assert price.cost(250, 120) == pytest.approx((250 * 2.5 + 120 * 10.0) / 1e6)


def test_resolve_from_table():
    price = resolve_price("gpt-4o", env={})
    assert (price.input_per_1m, price.output_per_1m) == (2.5, 10.0)
    assert "prices.json" in price.source and load_price_table()["taken_on"] in price.source


def test_flag_beats_env_beats_table():
    env = {ENV_PRICE_INPUT: "1.0", ENV_PRICE_OUTPUT: "2.0"}
    from_env = resolve_price("gpt-4o", env=env)
    assert (from_env.input_per_1m, from_env.output_per_1m) == (1.0, 2.0)
    assert "THCE_PRICE" in from_env.source
    from_flag = resolve_price("gpt-4o", price_input=0.5, env=env)
    assert (from_flag.input_per_1m, from_flag.output_per_1m) == (0.5, 2.0)
    assert "--price-input" in from_flag.source and "THCE_PRICE" in from_flag.source


def test_unknown_model_needs_both_sides():
    assert resolve_price("my-local-model", env={}) is None
    assert resolve_price("my-local-model", price_input=1.0, env={}) is None
    price = resolve_price("my-local-model", price_input=1.0, price_output=3.0, env={})
    assert price.cost(1e6, 1e6) == pytest.approx(4.0)


@pytest.mark.parametrize("bad", ["abc", "-1"])
def test_bad_env_price_is_a_clear_error(bad):
    with pytest.raises(GenerationError, match=ENV_PRICE_OUTPUT):
        resolve_price("gpt-4o", env={ENV_PRICE_OUTPUT: bad})
