"""Synthetic data generation through the OpenAI and Anthropic APIs (``thce generate``).

    >>> from thce.generation import GenerationConfig, estimate_cost
    >>> est = estimate_cost(GenerationConfig(stage=1, count=100, model="gpt-4o",
    ...                                      output="/tmp/none.jsonl", seed=0), env={})
    >>> est.requests
    100

See :mod:`thce.generation.generator` for the run itself and ``docs/DATA_PREPARATION.md``
("Synthetic data generation") for the guide.
"""

import importlib
from typing import Any

# Names resolve lazily (PEP 562) so that `thce --help`, which imports thce.generation.cli,
# does not pay for asyncio, the providers and the generator.
_EXPORTS = {
    "CostEstimate": "thce.generation.generator",
    "GenerationConfig": "thce.generation.generator",
    "GenerationSummary": "thce.generation.generator",
    "Generator": "thce.generation.generator",
    "estimate_cost": "thce.generation.generator",
    "generate": "thce.generation.generator",
    "Price": "thce.generation.prices",
    "resolve_price": "thce.generation.prices",
    "ReplyError": "thce.generation.prompts",
    "Target": "thce.generation.prompts",
    "build_messages": "thce.generation.prompts",
    "parse_reply": "thce.generation.prompts",
    "TargetSampler": "thce.generation.sampling",
    "parse_code_types": "thce.generation.sampling",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'thce.generation' has no attribute {name!r}")


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
