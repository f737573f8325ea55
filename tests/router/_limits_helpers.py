"""What the per-key limit tests share (test_limits.py, test_count_limits.py, test_limit_log.py, test_decision_log.py,
test_budget_holds.py, test_limits_redis_faults.py, test_anthropic_api_errors.py): two API keys, a config that
knows them, and a token count asked with a key."""

from __future__ import annotations

from typing import Any

import httpx

from router.config import RouterConfig, parse_config
from tests.opskit import InProcessGateway

KEY_A, KEY_B = "sk-team-a-0123456789", "sk-team-b-9876543210"


def ops_config(**overrides: Any) -> RouterConfig:
    data: dict[str, Any] = {
        "server": {"api_keys": [KEY_A, KEY_B]},
        "backends": {"sim": {"kind": "openai", "base_url": "http://sim.test/v1"}},
        "models": {
            "small": {"backend": "sim", "reasoning": "qwen3", "input": 0.05, "output": 0.20},
            "big": {"backend": "sim", "reasoning": "openai", "input": 1.10, "output": 4.40},
        },
        "tiers": {
            "low": {"model": "small", "effort": "none", "max_score": 0.4},
            "medium": {"model": "small", "effort": "medium", "thinking_budget": 2048, "max_score": 0.75},
            "high": {"model": "big", "effort": "high"},
        },
    }
    data.update(overrides)
    return parse_config(data, env={})


_MESSAGE = {"model": "auto", "messages": [{"role": "user", "content": "hello"}]}


async def count_tokens(gw: InProcessGateway, key: str, content: bytes | None = None) -> httpx.Response:
    """`/v1/messages/count_tokens` asked with ``key`` as the anthropic client asks it: a one-line message, or ``content`` as is."""
    headers = {"x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json"}
    if content is not None:
        return await gw.client.post("/v1/messages/count_tokens", content=content, headers=headers)
    return await gw.client.post("/v1/messages/count_tokens", json=_MESSAGE, headers=headers)
