"""Synthetic data generation through the OpenAI and Anthropic APIs (``thce generate``).

    >>> from thce.generation import GenerationConfig, estimate_cost
    >>> est = estimate_cost(GenerationConfig(stage=1, count=100, model="gpt-4o",
    ...                                      output="/tmp/none.jsonl", seed=0), env={})
    >>> est.requests
    100

See :mod:`thce.generation.generator` for the run itself and ``docs/DATA_PREPARATION.md``
("Synthetic data generation") for the guide.
"""

from thce._lazy import lazy_exports

# Names resolve lazily (PEP 562) so that `thce --help`, which imports thce.generation.cli,
# does not pay for asyncio, the providers and the generator.
_EXPORTS = {
    "CostEstimate": "thce.generation.generator",
    "GenerationConfig": "thce.generation.generator",
    "GenerationSummary": "thce.generation.generator",
    "GenerateSettings": "thce.generation.settings",
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


__getattr__ = lazy_exports("thce.generation", _EXPORTS)


__all__ = [
    "CostEstimate",
    "GenerateSettings",
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
