"""Upstream faults injected over real loopback sockets: 429 Retry-After, capacity (circuit.max_in_flight), and
what never crosses to or back from an upstream (client headers, echoed credentials)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.reliability._upstream_faults_helpers import _in_flight, fails
from tests.reliability.loopback_rig import Rig, serve_app
from tests.reliability.loopback_upstream import Behaviour

pytestmark = pytest.mark.anyio


# -- 429 ------------------------------------------------------------------------------------


async def test_rate_limited_backend_is_skipped_until_retry_after(rig: Rig) -> None:
    rig.a.script = fails(429, headers={"Retry-After": "1"})
    gateway = await rig.gateway()
    first = await gateway.chat()
    assert first.status_code == 200 and first.headers["x-router-backend"] == "b"
    assert gateway.metric("router_fallbacks_total", from_backend="a", to_backend="b", reason="status") == 1
    second = await gateway.chat()
    assert second.headers["x-router-backend"] == "b"
    assert len(rig.a.records) == 1, "skipped while its Retry-After runs"
    assert gateway.metric("router_fallbacks_total", from_backend="a", to_backend="b", reason="rate_limited") == 1
    alone = await gateway.chat(model="ma")  # no alternative: the client gets the 429, the provider no request
    assert alone.status_code == 429 and alone.headers["retry-after"] == "1"
    assert alone.json()["error"]["type"] == "rate_limit_error"
    assert len(rig.a.records) == 1
    assert gateway.metric("router_backend_up", backend="a") == 1, "a rate limit is not an outage"
    rig.a.script = lambda body, index: Behaviour()
    await asyncio.sleep(1.05)
    assert (await gateway.chat()).headers["x-router-backend"] == "a"


async def test_a_rate_limit_cools_down_its_model_not_the_backend_s_others(rig: Rig) -> None:
    """OpenAI and Anthropic limit each model: a 429 for one must not refuse another on the same account for minutes."""
    rig.a.script = lambda body, index: fails(429, headers={"Retry-After": "60"})(body, index) if body["model"] == "ma" else Behaviour()
    data = rig.config_data()
    data["models"]["ma-mini"] = {"backend": "a", "input": 0.1, "output": 0.2}
    gateway = await rig.gateway(data)
    assert (await gateway.chat(model="ma")).status_code == 429
    other = await gateway.chat(model="ma-mini")
    assert other.status_code == 200 and other.headers["x-router-backend"] == "a" and len(rig.a.records) == 2
    again = await gateway.chat(model="ma")
    assert again.status_code == 429 and len(rig.a.records) == 2, "the limited model is still skipped"


async def test_retry_after_is_capped(rig: Rig) -> None:
    rig.a.script = fails(429, headers={"Retry-After": "86400"})
    gateway = await rig.gateway(routing={"max_retry_after_seconds": 0.3})
    await gateway.chat()
    await asyncio.sleep(0.35)
    rig.a.script = lambda body, index: Behaviour()
    assert (await gateway.chat()).headers["x-router-backend"] == "a"


@pytest.mark.parametrize("status", [429, 503])
async def test_the_client_is_told_the_capped_retry_after(rig: Rig, status: int) -> None:
    """A provider's `Retry-After: 100000` went to the client whole, while the gateway itself waited the cap (a load review)."""
    rig.a.script = fails(status, headers={"Retry-After": "100000"})
    gateway = await rig.gateway(routing={"max_retry_after_seconds": 120})
    response = await gateway.chat(model="ma")
    assert response.status_code == status and response.headers["retry-after"] == "120"


async def test_client_headers_never_reach_the_upstream(rig: Rig) -> None:
    gateway = await rig.gateway()
    hostile = {
        "authorization": "Bearer client-key-1",
        "x-api-key": "client-key-2",
        "api-key": "client-key-3",
        "openai-organization": "org-client",
        "openai-project": "proj-client",
        "anthropic-version": "1999-01-01",
        "cookie": "session=client",
        "x-forwarded-host": "evil.test",
        "host": "evil.test",
    }
    body = {"model": "auto", "messages": [{"role": "user", "content": "hi"}]}
    for stream in (False, True):
        response = await gateway.client.post("/v1/chat/completions", json=body | {"stream": stream}, headers=hostile)
        assert response.status_code == 200
    for record in rig.a.records:
        assert record.headers["authorization"] == "Bearer sk-upstream-a-secret"
        sent = " ".join(record.headers.values())
        assert "client-key" not in sent and "org-client" not in sent and "proj-client" not in sent
        assert "evil.test" not in sent and "session=client" not in sent and "1999-01-01" not in sent
        assert {"x-api-key", "api-key", "openai-organization", "openai-project", "cookie", "x-forwarded-host"}.isdisjoint(record.headers)


# -- capacity (circuit.max_in_flight) --------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False])
async def test_a_hung_backend_holds_at_most_max_in_flight_slots(rig: Rig, stream: bool) -> None:
    """Envoy's max_requests: past the cap the backend is skipped like an open circuit, and a request with no
    other candidate gets 503 at once — a hung backend cannot take every slot of the router (max_concurrency)."""
    rig.a.script = lambda body, index: Behaviour(header_delay=30)
    gateway = await rig.gateway(a={"circuit": {"failures": 100, "cooldown_seconds": 30, "max_in_flight": 2}})
    hung = [asyncio.create_task(gateway.chat(model="ma", stream=stream)) for _ in range(2)]
    await _in_flight(gateway, "a", 2)
    started = time.monotonic()
    refused = await gateway.chat(model="ma", stream=stream)
    assert time.monotonic() - started < 1.0
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert refused.json()["error"]["type"] == "overloaded_error" and "max_in_flight" in refused.json()["error"]["message"]
    moved = await gateway.chat(stream=stream)  # tier low: ma, then its fallback mb
    assert moved.status_code == 200 and moved.headers["x-router-backend"] == "b"
    assert gateway.metric("router_fallbacks_total", from_backend="a", to_backend="b", reason="at_capacity") == 1
    assert gateway.metric("router_backend_overflows_total", backend="a") == 2
    assert len(rig.a.records) == 2, "no request beyond the cap reached the hung backend"
    assert gateway.metric("router_backend_up", backend="a") == 1, "a full backend is not a failed one"
    for task in hung:
        task.cancel()
    await asyncio.gather(*hung, return_exceptions=True)
    await _in_flight(gateway, "a", 0)
    rig.a.script = lambda body, index: Behaviour()
    assert (await gateway.chat(model="ma", stream=stream)).status_code == 200


async def test_a_stream_holds_its_slot_until_it_ends(rig: Rig) -> None:
    rig.a.script = lambda body, index: Behaviour(words=40, chunk_delay=0.02)
    gateway = await rig.gateway(a={"circuit": {"max_in_flight": 1}})
    body = {"model": "ma", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    async with serve_app(gateway.app) as url, httpx.AsyncClient(base_url=url) as client:  # a real server: ASGITransport buffers
        async with client.stream("POST", "/v1/chat/completions", json=body) as response:
            assert response.status_code == 200
            await _in_flight(gateway, "a", 1)
            assert (await gateway.chat(model="ma")).status_code == 503, "the streaming answer still holds the only slot"
            await response.aread()
        await _in_flight(gateway, "a", 0)
        async with client.stream("POST", "/v1/chat/completions", json=body) as response:  # a client that leaves mid-stream
            async for _ in response.aiter_lines():
                break
        await _in_flight(gateway, "a", 0)
    for stream in (True, False):  # failed, finished and refused attempts all gave their slots back
        assert (await gateway.chat(model="ma", stream=stream)).status_code == 200
    rig.a.script = fails(500)
    assert (await gateway.chat(model="ma")).status_code == 502
    await _in_flight(gateway, "a", 0)


@pytest.mark.parametrize(("headers", "secret"), [
    ({"Authorization": "Bearer tok-live-4f9a8b7c6d"}, "tok-live-4f9a8b7c6d"),  # the token echoed without its scheme
    ({"Ocp-Apim-Subscription-Key": "apim-5e4d3c2b1a"}, "apim-5e4d3c2b1a"),  # Azure API Management
    ({"cf-aig-authorization": "Bearer cfaig-9z8y7x6w"}, "cfaig-9z8y7x6w"),  # Cloudflare AI Gateway
])
async def test_a_credential_configured_as_a_backend_header_is_masked_in_an_echoed_error(rig: Rig, headers: dict[str, str], secret: str) -> None:
    """Proxies in front of a model echo the credential they refuse; only the whole value of four header names was masked,
    so a Bearer token alone, an APIM subscription key or a Cloudflare gateway token reached the client in the 502."""
    rig.a.script = lambda body, index: Behaviour(status=401, json={"error": {"message": f"invalid credentials: {secret}"}})
    gateway = await rig.gateway(rig.config_data(a={"headers": headers}))
    response = await gateway.chat(model="ma")
    assert response.status_code == 502 and secret not in response.text and "invalid credentials: ***" in response.text


@pytest.mark.parametrize("stream", [False, True])
async def test_a_credential_echoed_in_an_error_s_param_code_or_type_is_masked(rig: Rig, stream: bool) -> None:
    """A 400 reaches the client with the provider's `param`, `code` and `type`: only its message was masked."""
    secret = "tok-live-4f9a8b7c6d"
    error = {"message": "bad", "param": f"key={secret}", "code": f"bad_key_{secret}", "type": f"t_{secret}"}
    rig.a.script = lambda body, index: Behaviour(status=400, json={"error": error})
    gateway = await rig.gateway(rig.config_data(a={"headers": {"Authorization": f"Bearer {secret}"}}))
    response = await gateway.chat(model="ma", stream=stream)
    assert response.status_code == 400 and secret not in response.text
    assert {k: response.json()["error"][k] for k in ("param", "code", "type")} == {
        "param": "key=***", "code": "bad_key_***", "type": "invalid_request_error"}  # "t_***" is no error type's name


async def test_every_candidate_rate_limited_is_a_429_with_the_soonest_retry_after(rig: Rig) -> None:
    """README / router/resilience.py: "If every candidate is rate limited the client gets 429 with the soonest
    Retry-After" — the earliest moment one of them can serve, not the latest (mutation review: `max` went unnoticed)."""
    rig.a.script = fails(429, headers={"Retry-After": "30"})
    rig.b.script = fails(429, headers={"Retry-After": "5"})
    gateway = await rig.gateway()
    assert (await gateway.chat()).status_code == 429  # both tried: each 429 starts its model's cooldown
    refused = await gateway.chat()
    assert refused.status_code == 429 and refused.headers["retry-after"] == "5"
    assert len(rig.a.records) == len(rig.b.records) == 1, "neither was asked again"
