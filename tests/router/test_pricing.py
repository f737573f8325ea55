"""Cost from usage and a model's prices (router/pricing.py): cache reads and writes, service tiers, long-context rates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from backends.usage import Usage
from router.config import ModelConfig
from router.pricing import cost_usd

#: Claude Sonnet 4 with its 1M context window: over 200K input tokens every price is the long-context one.
SONNET = ModelConfig(backend="anthropic", input=3.0, cached_input=0.30, cache_write=3.75, cache_write_1h=6.0, output=15.0,
                     long_context={"above_prompt_tokens": 200_000, "input": 6.0, "cached_input": 0.60, "cache_write": 7.50,
                                   "cache_write_1h": 12.0, "output": 22.50})


def test_a_prompt_over_the_long_context_bound_is_priced_at_its_rates() -> None:
    """A 250K-token prompt on the 1M-context beta was charged at $3 / $15 where Anthropic bills $6 / $22.50 (a review)."""
    assert cost_usd(SONNET, Usage(prompt_tokens=250_000, completion_tokens=1_000)) == pytest.approx(250_000 * 6e-6 + 1_000 * 22.5e-6)
    assert cost_usd(SONNET, Usage(prompt_tokens=200_000, completion_tokens=1_000)) == pytest.approx(200_000 * 3e-6 + 1_000 * 15e-6)
    cached = Usage(prompt_tokens=250_000, cached_prompt_tokens=240_000, completion_tokens=10)  # cache reads count toward the bound
    assert cost_usd(SONNET, cached) == pytest.approx(10_000 * 6e-6 + 240_000 * 0.6e-6 + 10 * 22.5e-6)


def test_long_context_rates_it_leaves_unset_are_the_model_s_own_and_a_service_tier_goes_over_them() -> None:
    model = ModelConfig(backend="b", input=1.0, output=2.0, long_context={"above_prompt_tokens": 10, "input": 4.0},
                        service_tiers={"flex": {"output": 0.5}})
    usage = Usage(prompt_tokens=11, completion_tokens=3)
    assert cost_usd(model, usage) == pytest.approx((11 * 4.0 + 3 * 2.0) / 1e6)
    assert cost_usd(model, usage, "flex") == pytest.approx((11 * 4.0 + 3 * 0.5) / 1e6)


def test_a_service_tier_s_own_long_context_rates_price_a_long_call_under_it() -> None:
    """A tier's prices went over the long-context ones with no way to give the tier's own long rates: a priority call over
    the bound read at the tier's standard-length prices (a cost review)."""
    model = ModelConfig(backend="b", input=1.0, cached_input=0.1, output=2.0, long_context={"above_prompt_tokens": 10, "input": 2.0, "output": 3.0},
                        service_tiers={"priority": {"input": 1.5, "output": 4.0, "long_context": {"input": 3.5, "cached_input": 0.35}}})
    long, short = Usage(prompt_tokens=11, cached_prompt_tokens=4, completion_tokens=3), Usage(prompt_tokens=10, completion_tokens=3)
    assert cost_usd(model, long, "priority") == pytest.approx((7 * 3.5 + 4 * 0.35 + 3 * 4.0) / 1e6), "its long rates, the rest the tier's"
    assert cost_usd(model, short, "priority") == pytest.approx((10 * 1.5 + 3 * 4.0) / 1e6), "at the bound: the tier's own prices"
    assert cost_usd(model, long) == pytest.approx((7 * 2.0 + 4 * 0.1 + 3 * 3.0) / 1e6), "no tier: the model's long-context rates"
    assert cost_usd(model, long, "flex") == pytest.approx((7 * 2.0 + 4 * 0.1 + 3 * 3.0) / 1e6), "a tier it does not price"


def test_a_tier_s_long_context_rates_without_the_model_s_bound_fail_at_load() -> None:
    with pytest.raises(ValidationError, match=r"service_tiers\.priority\.long_context needs the model's long_context"):
        ModelConfig(backend="b", input=1.0, output=2.0, service_tiers={"priority": {"input": 2.0, "long_context": {"input": 4.0}}})


@given(st.integers(0, 10**7), st.integers(0, 10**6))
def test_without_long_context_prices_the_cost_is_the_plain_sum(prompt: int, completion: int) -> None:
    plain = ModelConfig(backend="b", input=3.0, output=15.0)
    assert cost_usd(plain, Usage(prompt_tokens=prompt, completion_tokens=completion)) == pytest.approx((prompt * 3.0 + completion * 15.0) / 1e6)
    assert cost_usd(ModelConfig(backend="b", input=3.0), Usage(prompt_tokens=prompt)) is None, "no output price: unknown, never 0"
