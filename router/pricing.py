"""Cost from token usage and the configured prices (USD per million tokens).

A provider may price one model by service tier (OpenAI: `flex` at half price, `priority` above the
standard): a model's `service_tiers` name those prices, and each upstream call is priced at the tier
its answer says it served (`service_tier`), else at the one it asked for (the client's, else its tier's
`params`; none through the Anthropic adapter, which does not send it). A call whose prompt passes a model's
`long_context.above_prompt_tokens` is priced at those rates (a service tier's prices, if any, over them, and that tier's
own `long_context` rates over those). A request of several calls (samples, a judge, an escalation, failed attempts)
prices each at its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backends.usage import Usage
from router.config import ModelConfig
from router.price_config import Prices

if TYPE_CHECKING:
    from router.decision import Decision

PER_TOKEN = 1e-6


def note_service_tier(call: Decision, named: Any) -> None:
    """The service tier the answer of `call` (a request's decision, or one sample's) says it was served under: it wins
    over the one asked."""
    if isinstance(named, str) and named:
        call.service_tier = named


def cost_usd(model: ModelConfig, usage: Usage, service_tier: str | None = None) -> float | None:
    """What `usage` cost on `model` (under `service_tier`, where the model prices it); None when the model has
    no price (never a misleading 0).

    Cached prompt tokens use `cached_input` and cache writes `cache_write` (those to Anthropic's 1-hour cache
    `cache_write_1h`, else `cache_write`) when priced, otherwise the plain input price; completion tokens include
    reasoning tokens.
    """
    prices: tuple[float | None, ...] = (model.input, model.cached_input, model.cache_write, model.cache_write_1h, model.output)
    long = model.long_context
    is_long = long is not None and usage.prompt_tokens > long.above_prompt_tokens
    if is_long:
        prices = _over(long, prices)
    tier = model.service_tiers.get(service_tier) if service_tier is not None and model.service_tiers else None
    if tier is not None:
        prices = _over(tier, prices)
        if is_long:
            prices = _over(tier.long_context, prices)
    return _cost(*prices, usage)


def _over(named: Prices | None, prices: tuple[float | None, ...]) -> tuple[float | None, ...]:
    """``prices`` with those ``named`` sets in their place (input, cached input, cache writes, 1-hour writes, output)."""
    if named is None:
        return prices
    return tuple(own if new is None else new for new, own in zip(named.replacing(), prices, strict=True))


def _cost(input_price: float | None, cached: float | None, write: float | None, write_1h: float | None, output: float | None,
          usage: Usage) -> float | None:
    if input_price is None or output is None:
        return None
    cached_price = input_price if cached is None else cached
    write_price = input_price if write is None else write
    write_1h_price = write_price if write_1h is None else write_1h
    uncached = max(0, usage.prompt_tokens - usage.cached_prompt_tokens - usage.cache_creation_tokens)
    total = (
        uncached * input_price
        + usage.cached_prompt_tokens * cached_price
        + (usage.cache_creation_tokens - usage.cache_creation_1h_tokens) * write_price
        + usage.cache_creation_1h_tokens * write_1h_price
        + usage.completion_tokens * output
    )
    return round(total * PER_TOKEN, 10)
