"""The cost estimate before dispatch: the upstream calls a request makes, each priced.

A request is one call, whose answer tokens are multiplied by the client's `n`. A tier that samples
(router/strategies) makes `samples` answers — in one call with `n` (`use_n`, the prompt billed once)
or in one call each (the prompt billed each time) — and `best_of_n` then asks its judge, whose prompt
holds the request and every sample (each cut to `max_judge_chars`) and whose answer is one number.
The prompt count and the per-answer forecast come from router/context.py and router/forecast.py.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from backends.usage import Usage
from router.pricing import cost_usd
from router.ttc_config import SAMPLED_KINDS

if TYPE_CHECKING:
    from router.config import RouterConfig
    from router.policy import Candidate

#: The judge's instructions and numbering around the samples, in tokens (JUDGE_SYSTEM and judge_prompt).
JUDGE_OVERHEAD_TOKENS = 80
#: The judge's answer: one number (its request's `max_tokens`).
JUDGE_ANSWER_TOKENS = 16
#: The request field that asks an upstream for a service tier (OpenAI's; `Backend.asked_service_tier` reads it).
SERVICE_TIER = "service_tier"
#: What a model that refuses `service_tier` is asked for: none, whatever the client and the tier's params say.
_UNSENT_TIER: Mapping[str, Any] = MappingProxyType({SERVICE_TIER: None})


def answers_requested(body: Mapping[str, Any]) -> int:
    """The client's `n`: how many answers one call returns (1 when absent or malformed)."""
    n = body.get("n")
    return n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 1


def upstream_calls(config: RouterConfig, candidate: Candidate, body: Mapping[str, Any], prompt_tokens: int,
                   answer_tokens: int) -> list[tuple[str, int, int]]:
    """(model, prompt tokens, completion tokens) of the calls a request on ``candidate`` makes."""
    tier = config.tiers.get(candidate.tier)
    strategy = tier.strategy if tier is not None else None
    if strategy is None or strategy.kind not in SAMPLED_KINDS:
        return [(candidate.model, prompt_tokens, answer_tokens * answers_requested(body))]
    samples = strategy.samples
    calls = [(candidate.model, prompt_tokens * (1 if strategy.use_n else samples), answer_tokens * samples)]
    if strategy.kind == "best_of_n" and strategy.judge is not None:
        shown = min(answer_tokens, strategy.max_judge_chars // 4)
        calls.append((strategy.judge, prompt_tokens + samples * shown + JUDGE_OVERHEAD_TOKENS, JUDGE_ANSWER_TOKENS))
    return calls


def sent_service_tier(config: RouterConfig, model: str, params: Mapping[str, Any], body: Mapping[str, Any]) -> str | None:
    """The service tier a call of ``model`` is priced at until its answer names one, as the attempt prices it
    (`Backend.asked_service_tier` of the body it sends: the client's fields over the tier's ``params``, less the fields
    the model refuses). Its adapter's answer, not the asked tier's: Anthropic is sent no `service_tier`, and a `flex`
    asked of Claude was estimated (and held to `x-router-max-cost-usd`) at flex prices, then charged at standard ones —
    as was one asked of a model whose `drop_fields` leave `service_tier` out. Of the refused fields only that one names a
    tier, and this runs on every request: the body is read, never copied."""
    if SERVICE_TIER in config.models[model].refused_fields:
        return config.adapter(model).asked_service_tier(ChainMap(_UNSENT_TIER, body, params))
    return config.adapter(model).asked_service_tier(ChainMap(body, params))


def estimate_cost(config: RouterConfig, candidate: Candidate, body: Mapping[str, Any], prompt_tokens: int,
                  answer_tokens: int) -> float | None:
    """Expected USD of a request on ``candidate``: every call at its model's prices; None when a model
    has no prices (the cost would be unknown too)."""
    total = 0.0
    asked = sent_service_tier(config, candidate.model, candidate.params, body)
    for index, (model, prompt, completion) in enumerate(upstream_calls(config, candidate, body, prompt_tokens, answer_tokens)):
        service_tier = asked if index == 0 else None  # the answer's call; the judge's asks none
        cost = cost_usd(config.models[model], Usage(prompt_tokens=prompt, completion_tokens=completion), service_tier)
        if cost is None:
            return None
        total += cost
    return round(total, 10)  # to the 1e-10 each call is priced at: 0.1 + 0.2 read 0.30000000000000004, over a cap of 0.3
