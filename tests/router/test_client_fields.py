"""A client's body fields are its own, whatever their name: the gateway reserves none. What a route knows beyond the
chat body rides beside it (`RequestHints`, backends/request_hints.py), so a client cannot set it by naming a field,
and a field the gateway does not read goes upstream as it came, as LiteLLM and vLLM forward one."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from tests.router._anthropic_api_helpers import claude_high_tier, recording_claude

pytestmark = pytest.mark.anyio

ROUTES = ["/v1/chat/completions", "/v1/completions", "/v1/responses", "/v1/messages"]
#: Each route's request, routed by score to the high tier (`claude_high_tier`: Anthropic) or, as `auto:medium`, to
#: the simulated vLLM at the tier's effort (its thinking reserve goes on the cap unless the cap counts the thinking).
BODIES: dict[str, dict[str, Any]] = {
    "/v1/chat/completions": {"model": "auto", "max_tokens": 40, "messages": [{"role": "user", "content": "hard [score=0.9]"}]},
    "/v1/completions": {"model": "auto", "prompt": "hard [score=0.9]", "max_tokens": 40},
    "/v1/responses": {"model": "auto", "input": "hard [score=0.9]"},
    "/v1/messages": {"model": "auto", "max_tokens": 40, "messages": [{"role": "user", "content": "hard [score=0.9]"}]},
}
#: The names the gateway's own body fields had (its private `_router_` prefix, and the one before it): an OpenAI
#: client's `_anthropic_client_options` reached Anthropic as beta flags (1M context, at its premium) and a spoofed user id.
OLD_OPTIONS = ("_anthropic_client_options", "_router_anthropic_options")
#: The flags that said a cap counts the thinking, an effort was translated, adaptive thinking's default, a breakpoint.
OLD_FLAGS = {"_router_cap_includes_reasoning": True, "_router_effort_translated": True, "_router_default_effort": "max",
             "_router_cache_breakpoints": True}


@pytest.mark.parametrize("route", ROUTES)
async def test_no_client_sends_an_anthropic_upstream_options_a_route_did_not_give(make_harness: Any, spare_handler: list[Any], route: str) -> None:
    """Beta flags and a user id reach Anthropic only from a Messages client's header and `metadata` (the route's hints):
    the fields that once carried them are a client's unknown fields like any other, which the adapter does not send."""
    seen: list[httpx.Request] = []
    spare_handler[0] = recording_claude(seen, whole_request=True)
    harness = await make_harness(claude_high_tier())
    injected = {key: {"betas": ["context-1m-2025-08-07"], "user_id": "spoofed-user"} for key in OLD_OPTIONS}
    assert (await harness.client.post(route, json=BODIES[route] | injected)).status_code == 200
    sent = orjson.loads(seen[-1].content)
    assert "anthropic-beta" not in seen[-1].headers and "metadata" not in sent and not set(OLD_OPTIONS) & sent.keys()


@pytest.mark.parametrize("route", ROUTES)
async def test_a_client_s_field_of_any_name_is_forwarded_and_steers_nothing(make_harness: Any, route: str) -> None:
    """Found in design56: with no gateway field left in a chat body, dropping a client's `_router_…` fields protected
    nothing and lost what a client meant for its upstream. They now go on as sent, and the cap and effort are as without
    them: the old flags mean nothing to the gateway."""
    harness = await make_harness()
    body = BODIES[route] | {"model": "auto:medium"}
    assert (await harness.client.post(route, json=body)).status_code == 200
    plain = harness.upstream.requests[-1]
    assert (await harness.client.post(route, json=body | OLD_FLAGS)).status_code == 200
    assert harness.upstream.requests[-1] == plain | OLD_FLAGS
