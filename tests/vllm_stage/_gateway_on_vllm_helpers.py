"""What the gateway-on-vLLM tests share (test_gateway_on_vllm_openai.py, test_gateway_on_vllm_anthropic.py): the
answer cap, the conversation they ask, and vLLM's own counters."""

from __future__ import annotations

import re

import httpx

MAX_TOKENS = 24


def vllm_counter(vllm_url: str, name: str) -> float:
    """Sum of a vLLM counter across label sets, from its /metrics."""
    text = httpx.get(f"{vllm_url}/metrics", timeout=5).text
    pattern = re.compile(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? ([0-9.e+-]+)$", re.MULTILINE)
    return sum(float(value) for value in pattern.findall(text))


MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Name three colours."}]
