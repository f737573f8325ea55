"""Cost from token usage and the configured prices (USD per million tokens)."""

from __future__ import annotations

from backends.usage import Usage
from router.config import ModelConfig

PER_TOKEN = 1e-6


def cost_usd(model: ModelConfig, usage: Usage) -> float | None:
    """What `usage` cost on `model`; None when the model has no price (never a misleading 0).

    Cached prompt tokens use `cached_input` and cache writes `cache_write` (those to Anthropic's 1-hour cache
    `cache_write_1h`, else `cache_write`) when priced, otherwise the plain input price; completion tokens include
    reasoning tokens.
    """
    if model.input is None or model.output is None:
        return None
    cached_price = model.input if model.cached_input is None else model.cached_input
    write_price = model.input if model.cache_write is None else model.cache_write
    write_1h_price = write_price if model.cache_write_1h is None else model.cache_write_1h
    uncached = max(0, usage.prompt_tokens - usage.cached_prompt_tokens - usage.cache_creation_tokens)
    total = (
        uncached * model.input
        + usage.cached_prompt_tokens * cached_price
        + (usage.cache_creation_tokens - usage.cache_creation_1h_tokens) * write_price
        + usage.cache_creation_1h_tokens * write_1h_price
        + usage.completion_tokens * model.output
    )
    return round(total * PER_TOKEN, 10)
