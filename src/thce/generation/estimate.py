"""Dry-run cost estimates of a generation run: tokens and USD, no network call.

>>> from thce.generation import GenerationConfig
>>> estimate = estimate_cost(GenerationConfig(stage=1, count=10, model="gpt-4o",
...                                           output="/tmp/none.jsonl", seed=0), env={})
>>> estimate.requests, estimate.output_tokens
(10, 220)
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from thce.generation.prices import Price, load_price_table, resolve_price
from thce.generation.prompts import build_messages
from thce.generation.providers import infer_provider
from thce.generation.run_config import GenerationConfig, resolve_seed
from thce.generation.sampling import TargetSampler, parse_code_types, parse_specialties
from thce.generation.tokens import count_message_tokens

# Typical reply sizes (tokens) per stage, used only for estimates: a 60-180 word narrative as a
# JSON string, plus reasoning (stage 2), plus a wrong code and its reasoning (stage 3).
EXPECTED_OUTPUT_TOKENS: dict[int, int] = {1: 220, 2: 360, 3: 480}
ESTIMATE_SAMPLE = 40  # targets sampled to average the prompt size in an estimate


@dataclass(frozen=True)
class CostEstimate:
    """A dry-run cost estimate (no network)."""

    requests: int
    prompt_tokens: int  # per example
    output_tokens: int  # per example (typical reply)
    max_output_tokens: int  # per example (the cap sent with each request)
    token_method: str
    price: Price | None

    @property
    def cost_per_example(self) -> float | None:
        """Typical cost of one request, or ``None`` without a price."""
        return self.price.cost(self.prompt_tokens, self.output_tokens) if self.price else None

    @property
    def total(self) -> float | None:
        """``requests`` x cost per example (rejected replies cost the same)."""
        per = self.cost_per_example
        return None if per is None else per * self.requests

    @property
    def worst_case_per_example(self) -> float | None:
        """Cost of one request if the reply used all of ``max_output_tokens``."""
        return self.price.cost(self.prompt_tokens, self.max_output_tokens) if self.price else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly view."""
        return {
            "requests": self.requests,
            "prompt_tokens_per_example": self.prompt_tokens,
            "output_tokens_per_example": self.output_tokens,
            "max_output_tokens": self.max_output_tokens,
            "token_method": self.token_method,
            "price_input_per_1m": self.price.input_per_1m if self.price else None,
            "price_output_per_1m": self.price.output_per_1m if self.price else None,
            "price_source": self.price.source if self.price else None,
            "cost_per_example_usd": self.cost_per_example,
            "total_usd": self.total,
        }


def estimate_cost(
    config: GenerationConfig,
    env: Mapping[str, str] | None = None,
    sampler: TargetSampler | None = None,
) -> CostEstimate:
    """Estimate tokens and cost of the requests a run would still make; no network call.

    Prompt tokens are averaged over sampled targets; output tokens are the stage's typical
    reply size (:data:`EXPECTED_OUTPUT_TOKENS`, capped by ``max_tokens``).
    """
    config.validate()
    env = os.environ if env is None else env
    provider = infer_provider(config.model, config.provider)
    price = resolve_price(config.model, config.price_input, config.price_output, env)
    existing = 0
    out = config.output_path
    if config.resume is not False and out.is_file():
        from thce.io import iter_jsonl

        existing = sum(1 for _, record, _, _ in iter_jsonl(out) if record is not None)
    sampler = sampler or TargetSampler(
        parse_code_types(config.code_types),
        seed=resolve_seed(config.seed),
        specialties=parse_specialties(config.specialties),
        pool=config.code_pool,
    )
    counts = []
    method = ""
    for _ in range(ESTIMATE_SAMPLE):
        counted = count_message_tokens(
            build_messages(sampler.sample(), config.stage), provider, config.model
        )
        counts.append(counted.tokens)
        method = counted.method
    prompt_tokens = math.ceil(sum(counts) / len(counts))
    output_tokens = min(EXPECTED_OUTPUT_TOKENS[config.stage], config.max_tokens)
    return CostEstimate(
        requests=max(0, config.count - existing),
        prompt_tokens=prompt_tokens,
        output_tokens=output_tokens,
        max_output_tokens=config.max_tokens,
        token_method=method,
        price=price,
    )


def price_table_date() -> str:
    """The date the shipped prices were taken."""
    return str(load_price_table()["taken_on"])


__all__ = [
    "ESTIMATE_SAMPLE",
    "EXPECTED_OUTPUT_TOKENS",
    "CostEstimate",
    "estimate_cost",
    "price_table_date",
]
