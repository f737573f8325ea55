"""Usage normalisation across providers and cost to the cent."""

from __future__ import annotations

import pytest

from backends.usage import Usage
from router.config import ModelConfig
from router.pricing import cost_usd


def test_openai_usage_keeps_cached_inside_prompt() -> None:
    usage = Usage.from_openai({"prompt_tokens": 1000, "completion_tokens": 500, "prompt_tokens_details": {"cached_tokens": 800},
                               "completion_tokens_details": {"reasoning_tokens": 300}})
    assert (usage.prompt_tokens, usage.cached_prompt_tokens, usage.completion_tokens, usage.reasoning_tokens) == (1000, 800, 500, 300)


def test_anthropic_usage_adds_cache_reads_and_writes_to_prompt() -> None:
    usage = Usage.from_anthropic({"input_tokens": 200, "output_tokens": 50, "cache_read_input_tokens": 800, "cache_creation_input_tokens": 100})
    assert usage.prompt_tokens == 1100 and usage.cached_prompt_tokens == 800 and usage.cache_creation_tokens == 100
    assert usage.to_openai()["prompt_tokens_details"] == {"cached_tokens": 800, "cache_write_tokens": 100}, "OpenAI's name for cache writes"
    assert Usage.from_openai(usage.to_openai()) == usage, "and read back from it (the Messages and Responses usage)"


@pytest.mark.parametrize("raw", [None, {}, {"prompt_tokens": None}, {"prompt_tokens": -3, "completion_tokens": "7"}, {"prompt_tokens_details": 5}])
def test_garbage_usage_is_zero_not_a_crash(raw: object) -> None:
    assert Usage.from_openai(raw).total_tokens == 0  # type: ignore[arg-type]


def test_cost_uses_cached_and_cache_write_prices() -> None:
    model = ModelConfig(backend="b", input=1.10, cached_input=0.275, output=4.40)
    usage = Usage(prompt_tokens=1_000_000, cached_prompt_tokens=400_000, completion_tokens=250_000)
    assert cost_usd(model, usage) == pytest.approx(0.6 * 1.10 + 0.4 * 0.275 + 0.25 * 4.40)
    claude = ModelConfig(backend="b", input=3.0, output=15.0, cached_input=0.3, cache_write=3.75)
    usage = Usage.from_anthropic({"input_tokens": 1000, "output_tokens": 100, "cache_read_input_tokens": 2000, "cache_creation_input_tokens": 500})
    assert cost_usd(claude, usage) == pytest.approx((1000 * 3.0 + 2000 * 0.3 + 500 * 3.75 + 100 * 15.0) / 1e6)


def test_unpriced_model_costs_none_not_zero() -> None:
    assert cost_usd(ModelConfig(backend="b", input=1.0), Usage(prompt_tokens=10)) is None
    assert cost_usd(ModelConfig(backend="b", input=0.0, output=0.0), Usage(prompt_tokens=10)) == 0.0


def test_writes_to_the_one_hour_cache_are_priced_apart() -> None:
    """Anthropic bills a write to its 1-hour cache at 2x input (the 5-minute one at 1.25x): priced at `cache_write` they
    were 37 % short."""
    claude = ModelConfig(backend="b", input=3.0, output=15.0, cached_input=0.3, cache_write=3.75, cache_write_1h=6.0)
    raw = {"input_tokens": 10, "output_tokens": 5, "cache_creation_input_tokens": 10_000,
           "cache_creation": {"ephemeral_5m_input_tokens": 4_000, "ephemeral_1h_input_tokens": 6_000}}
    usage = Usage.from_anthropic(raw)
    assert usage.cache_creation_tokens == 10_000 and usage.cache_creation_1h_tokens == 6_000 and usage.prompt_tokens == 10_010
    assert cost_usd(claude, usage) == pytest.approx((10 * 3.0 + 4_000 * 3.75 + 6_000 * 6.0 + 5 * 15.0) / 1e6)
    without = ModelConfig(backend="b", input=3.0, output=15.0, cache_write=3.75)
    assert cost_usd(without, usage) == pytest.approx((10 * 3.0 + 10_000 * 3.75 + 5 * 15.0) / 1e6), "unpriced: at cache_write"
    assert (usage + usage).cache_creation_1h_tokens == 12_000
    kinds = usage.by_kind()  # as router_tokens_total counts them: the cost must be derivable from the counts
    derived = ((kinds["prompt"] - kinds["cached_prompt"] - kinds["cache_write"]) * 3.0 + kinds["cached_prompt"] * 0.3
               + (kinds["cache_write"] - kinds["cache_write_1h"]) * 3.75 + kinds["cache_write_1h"] * 6.0 + kinds["completion"] * 15.0) / 1e6
    assert derived == pytest.approx(cost_usd(claude, usage)), "the 1-hour writes are counted apart, as they are priced"


def test_a_service_tier_s_prices_replace_those_it_names() -> None:
    """OpenAI's flex processing at half price (its own cached price), priority above the standard; a tier the
    model does not price, or none, is the standard."""
    model = ModelConfig(backend="b", input=2.0, cached_input=0.5, output=8.0,
                        service_tiers={"flex": {"input": 1.0, "cached_input": 0.25, "output": 4.0}, "priority": {"output": 14.0}})
    usage = Usage(prompt_tokens=1_000_000, cached_prompt_tokens=200_000, completion_tokens=100_000)
    standard = 0.8 * 2.0 + 0.2 * 0.5 + 0.1 * 8.0
    assert cost_usd(model, usage) == cost_usd(model, usage, "default") == cost_usd(model, usage, "auto") == pytest.approx(standard)
    assert cost_usd(model, usage, "flex") == pytest.approx(standard / 2)
    assert cost_usd(model, usage, "priority") == pytest.approx(0.8 * 2.0 + 0.2 * 0.5 + 0.1 * 14.0), "unset prices stay the model's"
    assert cost_usd(ModelConfig(backend="b", service_tiers={"flex": {"input": 1.0, "output": 4.0}}), usage, "flex") == pytest.approx(1.4), (
        "a tier may price a model that has no standard price")


@pytest.mark.parametrize(("raw", "completion"), [
    ({"prompt_tokens": 20, "completion_tokens": 424, "total_tokens": 1016, "completion_tokens_details": {"reasoning_tokens": 572}}, 996),
    ({"prompt_tokens": 21, "completion_tokens": 0, "total_tokens": 81, "completion_tokens_details": {"reasoning_tokens": 60}}, 60),
    ({"prompt_tokens": 5, "completion_tokens": 10, "completion_tokens_details": {"reasoning_tokens": 300}}, 310),
    ({"prompt_tokens": 5, "completion_tokens": 310, "total_tokens": 315, "completion_tokens_details": {"reasoning_tokens": 300}}, 310),
    ({"prompt_tokens": 5, "completion_tokens": 10, "total_tokens": 12}, 10),
])
def test_reasoning_left_out_of_completion_tokens_is_counted_as_the_total_says(raw: dict[str, object], completion: int) -> None:
    """Gemini's and xAI's OpenAI-compatible usage bills thinking outside `completion_tokens` (in `total_tokens`): a thinking
    model's answer was charged for its visible text alone (996 tokens charged as 424). OpenAI's own usage is unchanged."""
    usage = Usage.from_openai(raw)
    assert usage.completion_tokens == completion and usage.prompt_tokens == raw["prompt_tokens"]
    assert usage.to_openai()["total_tokens"] == usage.prompt_tokens + completion


def test_deepseek_s_cache_hits_are_cached_prompt_tokens() -> None:
    """DeepSeek reports its cache in its own fields (`prompt_cache_hit_tokens` / `_miss_`), not OpenAI's `cached_tokens`:
    its hits were priced at the full input rate (ten times and more what DeepSeek bills)."""
    raw = {"prompt_tokens": 1000, "completion_tokens": 50, "total_tokens": 1050, "prompt_cache_hit_tokens": 900, "prompt_cache_miss_tokens": 100}
    usage = Usage.from_openai(raw)
    assert (usage.prompt_tokens, usage.cached_prompt_tokens) == (1000, 900)
    model = ModelConfig(backend="b", input=0.28, cached_input=0.028, output=0.42)
    assert cost_usd(model, usage) == pytest.approx((100 * 0.28 + 900 * 0.028 + 50 * 0.42) / 1e6)
    assert Usage.from_openai(raw | {"prompt_tokens_details": {"cached_tokens": 700}}).cached_prompt_tokens == 700, "OpenAI's field wins"
    assert Usage.from_openai(raw | {"prompt_cache_hit_tokens": 5000}).cached_prompt_tokens == 1000, "never more than the prompt"


def test_a_litellm_proxy_s_anthropic_cache_fields_are_read() -> None:
    """A LiteLLM proxy in front of Claude reports Anthropic's cache counts beside OpenAI's fields: its cache writes were
    priced as plain input (a cost audit)."""
    usage = Usage.from_openai({"prompt_tokens": 10_000, "completion_tokens": 300, "total_tokens": 10_300,
                               "prompt_tokens_details": {"cached_tokens": 0},
                               "cache_creation_input_tokens": 4_000, "cache_read_input_tokens": 5_000})
    assert (usage.prompt_tokens, usage.cached_prompt_tokens, usage.cache_creation_tokens) == (10_000, 5_000, 4_000)
    assert Usage.from_openai({"prompt_tokens": 10, "completion_tokens": 1, "cache_creation_input_tokens": 50}).cache_creation_tokens == 10


def test_a_total_that_agrees_with_the_completion_is_trusted_over_a_larger_reasoning_count() -> None:
    """With a `total_tokens` the completion is what the total says (the docstring's rule): reasoning above the completion
    is added only when no total is reported. Mutation review: dropping `not total` billed 300 tokens the total denies."""
    raw = {"prompt_tokens": 5, "completion_tokens": 10, "total_tokens": 15, "completion_tokens_details": {"reasoning_tokens": 300}}
    assert Usage.from_openai(raw).completion_tokens == 10
    assert Usage.from_openai({k: v for k, v in raw.items() if k != "total_tokens"}).completion_tokens == 310


def test_one_hour_cache_writes_never_exceed_the_writes() -> None:
    """An upstream reporting more 1-hour writes than writes must not make the 5-minute share negative (a negative
    price term, an under-bill): the 1-hour count is capped at the writes."""
    usage = Usage.from_anthropic({"input_tokens": 10, "output_tokens": 5, "cache_creation_input_tokens": 100,
                                  "cache_creation": {"ephemeral_1h_input_tokens": 5_000}})
    assert usage.cache_creation_1h_tokens == 100
    claude = ModelConfig(backend="b", input=3.0, output=15.0, cache_write=3.75, cache_write_1h=6.0)
    assert cost_usd(claude, usage) == pytest.approx((10 * 3.0 + 100 * 6.0 + 5 * 15.0) / 1e6)


@pytest.mark.parametrize("raw", [{"prompt_tokens": True, "completion_tokens": True, "total_tokens": True},
                                 {"prompt_tokens": 10, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": True}}])
def test_a_boolean_is_no_token_count(raw: dict[str, object]) -> None:
    """JSON `true` is a bool, which Python's `int` check accepts: it must count as no tokens, not as 1."""
    usage = Usage.from_openai(raw)
    assert usage.cached_prompt_tokens == 0 and usage.total_tokens == (11 if raw["prompt_tokens"] == 10 else 0)
