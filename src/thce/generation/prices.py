"""Model prices and cost arithmetic for synthetic generation.

Prices live in ``thce/generation/data/prices.json`` (USD per 1M tokens, with the date they
were taken). A flag or environment variable overrides them::

    >>> price = resolve_price("gpt-4o-2024-08-06", env={})
    >>> price.source
    'prices.json (gpt-4o, taken 2025-10-15)'
    >>> round(price.cost(1_000, 500), 6)
    0.0075
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from thce.errors import GenerationError

ENV_PRICE_INPUT = "THCE_PRICE_INPUT_PER_1M"
ENV_PRICE_OUTPUT = "THCE_PRICE_OUTPUT_PER_1M"


@dataclass(frozen=True)
class Price:
    """USD per 1M input and output tokens, and where the numbers came from."""

    input_per_1m: float
    output_per_1m: float
    source: str

    def cost(self, input_tokens: int | float, output_tokens: int | float) -> float:
        """Cost in USD of a request with these token counts."""
        return (input_tokens * self.input_per_1m + output_tokens * self.output_per_1m) / 1_000_000


@lru_cache(maxsize=1)
def load_price_table() -> dict[str, Any]:
    """The shipped price table: ``{"taken_on", "currency", "unit", "note", "models": {...}}``."""
    text = resources.files("thce.generation").joinpath("data", "prices.json").read_text("utf-8")
    return json.loads(text)


def lookup_price(model: str) -> tuple[str, dict[str, float]] | None:
    """Find ``model`` in the price table: exact name, else the longest listed prefix.

    >>> lookup_price("gpt-4o-mini-2024-07-18")[0]
    'gpt-4o-mini'
    >>> lookup_price("my-local-llama") is None
    True
    """
    models: dict[str, dict[str, float]] = load_price_table()["models"]
    name = model.strip().lower()
    if name in models:
        return name, models[name]
    prefixes = [key for key in models if name.startswith(key + "-") or name.startswith(key + "@")]
    if not prefixes:
        return None
    best = max(prefixes, key=len)
    return best, models[best]


def _parse_price(value: str | float | None, origin: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise GenerationError(
            f"{origin}={value!r} is not a number; give USD per 1M tokens, e.g. 2.5"
        ) from None
    if number < 0:
        raise GenerationError(f"{origin}={value!r} is negative; give USD per 1M tokens, e.g. 2.5")
    return number


def resolve_price(
    model: str,
    price_input: float | None = None,
    price_output: float | None = None,
    env: Mapping[str, str] | None = None,
) -> Price | None:
    """The price to use for ``model``: flags, then environment, then the shipped table.

    Returns ``None`` when the model is not in the table and no override covers both sides
    (the caller then reports cost as unknown, or refuses ``--max-cost``).
    """
    env = os.environ if env is None else env
    flag_in = _parse_price(price_input, "--price-input")
    flag_out = _parse_price(price_output, "--price-output")
    env_in = _parse_price(env.get(ENV_PRICE_INPUT), ENV_PRICE_INPUT)
    env_out = _parse_price(env.get(ENV_PRICE_OUTPUT), ENV_PRICE_OUTPUT)
    found = lookup_price(model)
    table_in = found[1]["input"] if found else None
    table_out = found[1]["output"] if found else None

    def pick(
        flag: float | None, from_env: float | None, table: float | None
    ) -> tuple[float | None, str]:
        if flag is not None:
            return flag, "flag"
        if from_env is not None:
            return from_env, "environment"
        return table, "table"

    value_in, origin_in = pick(flag_in, env_in, table_in)
    value_out, origin_out = pick(flag_out, env_out, table_out)
    if value_in is None or value_out is None:
        return None
    origins = {origin_in, origin_out}
    if origins == {"table"}:
        assert found is not None  # table values exist only when the model was found
        source = f"prices.json ({found[0]}, taken {load_price_table()['taken_on']})"
    else:
        parts = {"flag": "--price-input/--price-output", "environment": "THCE_PRICE_*_PER_1M"}
        source = " + ".join(parts.get(o, "prices.json") for o in sorted(origins))
    return Price(value_in, value_out, source)


__all__ = [
    "ENV_PRICE_INPUT",
    "ENV_PRICE_OUTPUT",
    "Price",
    "load_price_table",
    "lookup_price",
    "resolve_price",
]
