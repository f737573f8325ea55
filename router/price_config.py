"""A model's price sets in the config: its service tiers' and its long-context rates (router/pricing.py applies them).

Apart from router/config.py so that the pricing rules' shapes read in one place: each set names only the prices that
differ (USD per million tokens); what it leaves unset is the model's own.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Prices(BaseModel):
    """Prices that replace those of the same name: unset, the model's own."""

    model_config = ConfigDict(extra="forbid")

    input: float | None = Field(None, ge=0)
    cached_input: float | None = Field(None, ge=0)
    cache_write: float | None = Field(None, ge=0)
    cache_write_1h: float | None = Field(None, ge=0)
    output: float | None = Field(None, ge=0)

    def replacing(self) -> tuple[float | None, ...]:
        """In router/pricing.py's order: input, cached input, cache writes, 1-hour writes, output."""
        return self.input, self.cached_input, self.cache_write, self.cache_write_1h, self.output


class LongContextPrices(Prices):
    """A model's prices for a call whose prompt is over `above_prompt_tokens` (cached and cache-written tokens included):
    Anthropic's 1M-context Sonnet over 200K input tokens ($6 / $22.50), Gemini 2.5 Pro's over 200K; unset: the model's own."""

    above_prompt_tokens: int = Field(ge=1)


class ServiceTierPrices(Prices):
    """A model's prices under one of its provider's service tiers (OpenAI's `flex`, `priority`…); unset: the model's own.
    Its `long_context` rates are those of a call over the model's `long_context.above_prompt_tokens` under this tier
    (without them such a call is priced at the tier's prices over the model's long-context ones)."""

    long_context: Prices | None = Field(
        None, description="this tier's rates for a call over the model's long_context.above_prompt_tokens; unset: the tier's "
        "prices over the model's long-context ones")


def check_long_context_tiers(long_context: LongContextPrices | None, tiers: dict[str, ServiceTierPrices]) -> None:
    """A tier's long-context rates need the model's bound: without it they would never apply, a config that reads as
    billing what it does not."""
    if long_context is None:
        for name, tier in tiers.items():
            if tier.long_context is not None:
                raise ValueError(f"service_tiers.{name}.long_context needs the model's long_context.above_prompt_tokens")

