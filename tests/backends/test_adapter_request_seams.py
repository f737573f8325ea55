"""What each adapter makes of a body's Anthropic-only parts and its route's hints (`Backend.settle_request`) and of the service tier a
request asks for (`Backend.asked_service_tier`): the gateway asks the candidate's adapter, never tests its kind."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from backends.anthropic_extras import POSITION
from backends.base import Backend, BackendConfig
from backends.registry import BACKEND_KINDS, create_backend
from backends.request_hints import NO_HINTS, RequestHints

MARKED = [{"role": "user", "content": [{"type": "text", "text": "long prefix", "cache_control": {"type": "ephemeral"}}]},
          {"role": "assistant", "content": "ok", "thinking_blocks": [{"type": "thinking", "thinking": "t", "signature": "s", POSITION: 1}]}]


def adapter(kind: str) -> Backend:
    return create_backend("b", BackendConfig(kind=kind, base_url="http://upstream.test"), transport=httpx.MockTransport(lambda _: httpx.Response(500)))


def marked_body() -> dict[str, Any]:
    return {"model": "m", "messages": MARKED, "service_tier": "flex"}


def test_an_openai_compatible_upstream_gets_none_of_what_only_anthropic_reads() -> None:
    """A strict OpenAI-compatible server refuses a field it does not define: breakpoints and positions go,
    and the client's messages (shared by every attempt) are left as they were."""
    upstream = marked_body()
    adapter("openai").settle_request(upstream, RequestHints(cache_marks=True))
    assert upstream == {"model": "m", "service_tier": "flex", "messages": [
        {"role": "user", "content": [{"type": "text", "text": "long prefix"}]},
        {"role": "assistant", "content": "ok", "thinking_blocks": [{"type": "thinking", "thinking": "t", "signature": "s"}]}]}
    assert MARKED[0]["content"][0]["cache_control"] == {"type": "ephemeral"} and MARKED[1]["thinking_blocks"][0][POSITION] == 1


def test_the_anthropic_adapter_keeps_them() -> None:
    upstream = marked_body()
    adapter("anthropic").settle_request(upstream, RequestHints(cache_marks=True))
    assert upstream == marked_body()


MESSAGE = {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [{"type": "text", "text": "ok"}],
           "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}}


def wire_adapter(kind: str, sent: list[httpx.Request]) -> Backend:
    """An adapter whose upstream records each request and answers in its API's shape."""
    def upstream(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=MESSAGE if kind == "anthropic" else {"choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}]})
    return create_backend("b", BackendConfig(kind=kind, base_url="http://upstream.test"), transport=httpx.MockTransport(upstream))


@pytest.mark.anyio
@pytest.mark.parametrize(("limit", "cap"), [(32_000, 32_000), (None, 32_000 + 4_096)])
async def test_the_model_s_output_limit_bounds_the_cap_the_anthropic_adapter_writes(limit: int | None, cap: int) -> None:
    """The model's `max_output_tokens` reaches the adapter as an argument, not a body field: the cap it writes (the
    thinking budget and its default answer) stays under it, and the body it was given is sent nothing more."""
    sent: list[httpx.Request] = []
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "thinking": {"type": "enabled", "budget_tokens": 32_000}}
    await wire_adapter("anthropic", sent).chat(dict(body), output_limit=limit)
    wire = orjson.loads(sent[0].content)
    assert wire["max_tokens"] == cap and not [key for key in wire if key.startswith("_router_")]


CLIENT_HINTS = RequestHints(betas=("context-1m-2025-08-07", "interleaved-thinking-2025-05-14"), user_id="user_" + "a" * 80)


@pytest.mark.anyio
async def test_a_messages_client_s_betas_and_user_id_reach_the_anthropic_wire_from_its_hints() -> None:
    """What a Messages client asked of Anthropic itself rides beside the body (`RequestHints.betas` / `user_id`), not as
    a `_router_` field in it: the adapter sends the flags as its header, beside the backend's own, and the id as
    `metadata.user_id` over the body's `user`."""
    sent: list[httpx.Request] = []
    backend = create_backend("b", BackendConfig(kind="anthropic", base_url="http://upstream.test", headers={"anthropic-beta": "flag-a"}),
                             transport=httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200, json=MESSAGE)))
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "user": "u1"}
    await backend.chat(dict(body), hints=CLIENT_HINTS)
    await backend.chat(dict(body))
    assert sent[0].headers["anthropic-beta"] == "flag-a,context-1m-2025-08-07,interleaved-thinking-2025-05-14"
    assert orjson.loads(sent[0].content)["metadata"] == {"user_id": CLIENT_HINTS.user_id}
    assert sent[1].headers["anthropic-beta"] == "flag-a" and orjson.loads(sent[1].content)["metadata"] == {"user_id": "u1"}
    assert not [key for key in orjson.loads(sent[0].content) if key.startswith("_router_")]


@pytest.mark.anyio
async def test_an_openai_compatible_upstream_is_sent_the_body_as_the_gateway_wrote_it() -> None:
    """Neither the model's limit (the gateway capped the body already) nor a Messages client's Anthropic options."""
    sent: list[httpx.Request] = []
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 100}
    await wire_adapter("openai", sent).chat(dict(body), hints=CLIENT_HINTS, output_limit=50)
    assert orjson.loads(sent[0].content) == {**body, "stream": False} and "anthropic-beta" not in sent[0].headers


def test_a_chat_client_s_own_cache_control_passes_to_an_openai_compatible_upstream() -> None:
    """Only breakpoints a Messages client marked (`RequestHints.cache_marks`) are the gateway's to remove: a chat client
    that writes `cache_control` itself (LiteLLM's shape, for a proxy in front of Claude) has it sent as it wrote it."""
    upstream = {"model": "m", "messages": MARKED[:1]}
    adapter("openai").settle_request(upstream, NO_HINTS)
    assert upstream == {"model": "m", "messages": MARKED[:1]}


def test_the_asked_service_tier_is_the_one_the_adapter_sends() -> None:
    """Priced at the asked tier until the answer names one; Anthropic is not sent OpenAI's `service_tier`."""
    assert adapter("openai").asked_service_tier({"service_tier": "flex"}) == "flex"
    assert adapter("openai").asked_service_tier({"service_tier": ""}) is None
    assert adapter("anthropic").asked_service_tier({"service_tier": "flex"}) is None
    assert [kind.asked_service_tier({"service_tier": "flex"}) for kind in BACKEND_KINDS.values()] == ["flex", None], "the cost estimate asks the class"
