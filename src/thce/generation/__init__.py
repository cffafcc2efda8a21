"""Synthetic data generation through the OpenAI and Anthropic APIs (``thce generate``).

    >>> from thce.generation import GenerationConfig, estimate_cost
    >>> est = estimate_cost(GenerationConfig(stage=1, count=100, model="gpt-4o",
    ...                                      output="/tmp/none.jsonl", seed=0), env={})
    >>> est.requests
    100

See :mod:`thce.generation.generator` for the run itself and ``docs/DATA_PREPARATION.md``
("Synthetic data generation") for the guide.
"""

from thce.generation.generator import (
    CostEstimate,
    GenerationConfig,
    GenerationSummary,
    Generator,
    estimate_cost,
    generate,
)
from thce.generation.prices import Price, resolve_price
from thce.generation.prompts import ReplyError, Target, build_messages, parse_reply
from thce.generation.sampling import TargetSampler, parse_code_types

__all__ = [
    "CostEstimate",
    "GenerationConfig",
    "GenerationSummary",
    "Generator",
    "Price",
    "ReplyError",
    "Target",
    "TargetSampler",
    "build_messages",
    "estimate_cost",
    "generate",
    "parse_code_types",
    "parse_reply",
    "resolve_price",
]
