"""Failures before and after the first byte, fallbacks, and request guards."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import orjson
import pytest

from tests.router._sse_helpers import sse_payloads
from tests.router.conftest import CONFIG, Handler, Harness, make_config

pytestmark = pytest.mark.anyio


def failing(status: int, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, json=body or {"error": {"message": "boom"}}, headers=headers))


async def test_retryable_failure_falls_back_to_the_next_model(make_harness: Callable[..., Any]) -> None:
    harness: Harness = await make_harness(sim_transport=failing(503))
    response = await harness.chat("hard [score=0.95]")
    assert response.status_code == 200
    assert response.headers["x-router-model"] == "spare-big"
    assert response.headers["x-router-backend"] == "spare"
    assert response.json()["router"]["attempts"] == 2
    assert response.json()["router"]["reason"] == "fallback"
    assert harness.metric("router_fallbacks_total", from_backend="sim", to_backend="spare", reason="status") == 1
    assert harness.metric("router_upstream_errors_total", backend="sim", kind="status") == 1
    assert harness.spare_requests[0].headers["authorization"] == "Bearer sk-upstream-secret"


async def test_each_upstream_attempt_carries_the_request_s_id(make_harness: Callable[..., Any]) -> None:
    """The upstream heard nothing of the gateway's request id, so vLLM's logs could not be matched to a request. Each attempt
    goes as `X-Request-Id`: the request's id (the client's, here) and a suffix of its own (a fallback's here; parallel
    samples': tests/router/test_strategies_sampling.py; the gateway tries each candidate once, so no two attempts share a candidate)."""
    named: list[str | None] = []

    def failing_named(request: httpx.Request) -> httpx.Response:
        named.append(request.headers.get("x-request-id"))
        return httpx.Response(503, json={"error": {"message": "boom"}})

    harness: Harness = await make_harness(sim_transport=httpx.MockTransport(failing_named))
    for stream in (False, True):
        body = {"model": "auto", "stream": stream, "messages": [{"role": "user", "content": "hard [score=0.95]"}]}
        response = await harness.client.post("/v1/chat/completions", json=body, headers={"x-request-id": f"trace-{stream}"})
        assert response.status_code == 200 and response.headers["x-router-backend"] == "spare"
        ids = [named[-1], harness.spare_requests[-1].headers.get("x-request-id")]
        assert all(re.fullmatch(rf"trace-{stream}-[0-9a-f]+", str(one)) for one in ids) and ids[0] != ids[1], ids


async def test_a_spent_openai_account_is_the_gateway_s_fault_not_a_rate_limit(make_harness: Callable[..., Any], spare_handler: list[Handler]) -> None:
    """OpenAI's 429 `insufficient_quota` is the gateway's account: tried on the fallbacks, then a 502 the SDK does not retry."""
    quota = {"error": {"message": "You exceeded your current quota, please check your plan and billing details.", "type": "insufficient_quota",
                       "param": None, "code": "insufficient_quota"}}
    harness: Harness = await make_harness(sim_transport=failing(429, quota))
    assert (await harness.chat("hard [score=0.95]")).headers["x-router-backend"] == "spare", "a fallback serves"
    spare_handler[0] = lambda request: httpx.Response(429, json=quota)
    response = await harness.chat("hard [score=0.95]")
    assert response.status_code == 502 and response.headers["x-should-retry"] == "false"


async def test_an_upstream_s_error_code_reaches_the_client(make_harness: Callable[..., Any], spare_handler: list[Handler]) -> None:
    """Found in review: an upstream 429 or 5xx came back with `code: "status"` (the gateway's failure kind) where OpenAI's
    clients branch on the provider's code (`rate_limit_exceeded` …); the kind stays where the upstream named none."""
    limited = {"error": {"message": "Rate limit reached for requests", "type": "requests", "param": None, "code": "rate_limit_exceeded"}}
    spare_handler[0] = lambda request: httpx.Response(429, json=limited)
    harness: Harness = await make_harness(sim_transport=failing(429, limited))
    response = await harness.chat("hard [score=0.95]")
    assert response.status_code == 429 and response.json()["error"]["code"] == "rate_limit_exceeded"
    spare_handler[0] = lambda request: httpx.Response(500, text="oops")
    harness = await make_harness(sim_transport=failing(500))
    assert (await harness.chat("hard [score=0.95]")).json()["error"]["code"] == "status"
    vllm = {"object": "error", "message": "EngineCore encountered an issue", "type": "InternalServerError", "param": None, "code": 500}
    spare_handler[0] = lambda request: httpx.Response(500, json=vllm)
    harness = await make_harness(sim_transport=failing(500, vllm))  # vLLM's code is its HTTP status: no code to keep
    assert (await harness.chat("hard [score=0.95]")).json()["error"]["code"] == "status"


async def test_client_errors_from_upstream_pass_through_without_fallback(make_harness: Callable[..., Any]) -> None:
    harness: Harness = await make_harness(
        sim_transport=failing(400, {"error": {"message": "max_tokens is too large", "type": "BadRequestError", "param": "max_tokens", "code": 400}})
    )
    response = await harness.chat("hard [score=0.95]")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == "max_tokens is too large" and error["param"] == "max_tokens"
    assert (error["type"], error["code"]) == ("invalid_request_error", None), (
        "OpenAI's shape: vLLM's type is its exception class and its code the HTTP status (a real-vLLM review)")
    assert not harness.spare_requests


@pytest.mark.parametrize("status", [401, 403, 404])
async def test_upstream_refusals_of_the_gateway_s_own_setup_fall_back_and_are_502(
        make_harness: Callable[..., Any], spare_handler: list[Handler], status: int) -> None:
    """The client's credentials are never forwarded: an upstream 401/403 is the backend's key, a 404 its
    configured model or address. Another backend may serve; the client never gets an
    `AuthenticationError` about its own, valid key."""
    refusal = failing(status, {"error": {"message": "Incorrect API key provided: sk-exp*****01", "type": "invalid_request_error", "code": "invalid_api_key"}})
    harness: Harness = await make_harness(sim_transport=refusal)
    served = await harness.chat("hard [score=0.95]")
    assert served.status_code == 200 and served.headers["x-router-backend"] == "spare"
    spare_handler[0] = lambda request: httpx.Response(status, json={"error": {"message": "no access"}})
    failed = await harness.chat("hard [score=0.95]")
    assert failed.status_code == 502 and failed.json()["error"]["type"] == "upstream_error"


@pytest.mark.parametrize("stream", [False, True])
async def test_a_first_stream_event_that_is_an_http_error_is_that_error(make_harness: Callable[..., Any], stream: bool) -> None:
    """vLLM, SGLang and llama.cpp answer some bad requests with 200 and an error event carrying the
    status: a 400 before the first byte is the client's 400 (not retried, not the backend's failure),
    as the same request without streaming gets."""
    event = b'data: {"error": {"message": "Invalid JSON schema in response_format", "type": "BadRequestError", "param": "response_format", "code": 400}}\n\n'
    bad = streaming([event]) if stream else failing(400, {"error": {"message": "Invalid JSON schema in response_format", "type": "BadRequestError",
                                                                       "param": "response_format", "code": 400}})
    harness: Harness = await make_harness(sim_transport=bad)
    response = await harness.chat("hard [score=0.95]", stream=stream)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "response_format"
    assert not harness.spare_requests
    assert harness.metric("router_backend_up", backend="sim") == 1


@pytest.mark.parametrize("stream", [False, True])
async def test_a_context_overflow_in_a_first_stream_event_is_the_client_s(make_harness: Callable[..., Any], stream: bool) -> None:
    """vLLM's overflow as a 200 stream's error event carried no `context_length_exceeded` (clients trim on that
    code) and counted as an upstream error of kind `status`, on the error alerts, where the same 400 reads `rejected`."""
    overflow = {"message": "This model's maximum context length is 4096 tokens. However, you requested 9000 tokens.", "code": 400}
    harness: Harness = await make_harness(sim_transport=streaming([b"data: " + orjson.dumps({"error": overflow}) + b"\n\n"]))
    response = await harness.chat("hard [score=0.95]", stream=stream)
    assert response.status_code == 400 and response.json()["error"]["code"] == "context_length_exceeded"
    assert (response.json()["error"]["type"], response.json()["error"]["param"]) == ("invalid_request_error", "messages"), (
        "worded as the gateway's own context check words it")
    assert harness.metric("router_upstream_errors_total", backend="sim", kind="rejected") == 1
    assert harness.metric("router_upstream_errors_total", backend="sim", kind="status") == 0


async def test_a_request_nested_deeper_than_can_be_forwarded_is_a_400(harness: Harness) -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(300):
        schema = {"type": "object", "properties": {"a": schema}}
    tools = [{"type": "function", "function": {"name": "deep", "parameters": schema}}]
    response = await harness.chat("hello", tools=tools)
    assert response.status_code == 400 and response.json()["error"]["type"] == "invalid_request_error"
    assert (await harness.chat("hello")).status_code == 200


@pytest.mark.parametrize(("body", "status"), [
    ({"model": "nope", "messages": [{"role": "user", "content": "x"}]}, 404),
    ({"model": "auto", "messages": []}, 400),
])
async def test_errors_before_routing_carry_the_request_id(harness: Harness, body: dict[str, Any], status: int) -> None:
    response = await harness.client.post("/v1/chat/completions", json=body, headers={"x-request-id": "client-id-42"})
    assert response.status_code == status and response.headers["x-request-id"] == "client-id-42"
    assert len((await harness.client.post("/v1/chat/completions", json=body)).headers["x-request-id"]) >= 16


async def test_all_candidates_failing_is_a_502_in_openai_format(make_harness: Callable[..., Any], spare_handler: list[Handler]) -> None:
    spare_handler[0] = lambda request: httpx.Response(500, text="not json")
    harness: Harness = await make_harness(sim_transport=failing(502))
    response = await harness.chat("hard [score=0.95]")
    assert response.status_code == 502
    assert response.json()["error"]["type"] == "upstream_error"
    assert harness.metric("router_requests_total", tier="high", model="spare-big", backend="spare", status="error") == 1
    # the failed route is named as on a success: the request id is what an operator looks up
    assert response.headers["x-request-id"] and response.headers["x-router-tier"] == "high"
    assert (response.headers["x-router-model"], response.headers["x-router-backend"]) == ("spare-big", "spare")


async def test_rate_limit_keeps_retry_after(make_harness: Callable[..., Any]) -> None:
    harness: Harness = await make_harness(sim_transport=failing(429, headers={"retry-after": "7"}))
    response = await harness.chat("easy")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7" and response.headers["x-router-tier"] == "low"


async def test_connection_failure_is_mapped(make_harness: Callable[..., Any]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    harness: Harness = await make_harness(sim_transport=httpx.MockTransport(refuse))
    response = await harness.chat("easy")
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "connect"
    assert harness.metric("router_upstream_errors_total", backend="sim", kind="connect") == 1


def streaming(events: list[bytes]) -> httpx.MockTransport:
    async def body() -> Any:
        for event in events:
            yield event

    return httpx.MockTransport(lambda request: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body()))


CHUNK = b'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n'


@pytest.mark.parametrize("error", [
    b'data: {"error": {"message": "engine died", "type": "InternalServerError"}}\n\n',
    b'data: {"object": "error", "error": {"message": "engine died", "type": "InternalServerError"}}\n\n',  # not first: was relayed as a chunk
    b'data: { "error": {"message": "engine died"}}\n\n',
])
async def test_error_after_first_byte_is_an_sse_error_then_done(make_harness: Callable[..., Any], error: bytes) -> None:
    harness: Harness = await make_harness(sim_transport=streaming([CHUNK, error]))
    response = await harness.chat(stream=True)
    assert response.status_code == 200
    payloads = sse_payloads(response.text)
    assert payloads[0] == orjson.loads(CHUNK[6:])
    assert isinstance(payloads[1], dict) and "engine died" in payloads[1]["error"]["message"]
    assert payloads[2] == "[DONE]"
    assert harness.metric("router_upstream_errors_total", backend="sim", kind="stream") == 1


ROLE = b'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n'


@pytest.mark.parametrize("stream", [False, True])
async def test_an_upstream_that_fails_after_a_role_only_chunk_is_fallen_back_from(make_harness: Callable[..., Any], stream: bool) -> None:
    """A role chunk carries nothing the model wrote; it had committed the stream, so an engine that died right after it
    (Anthropic's overloaded_error after message_start reads the same) reached the client as an in-stream error where a
    fallback could serve. It is held with the first output now."""
    died = b'data: {"error": {"message": "engine died", "type": "InternalServerError"}}\n\n'
    harness: Harness = await make_harness(sim_transport=streaming([ROLE, died]))
    response = await harness.chat("hard [score=0.95]", stream=stream)
    assert response.status_code == 200 and response.headers["x-router-backend"] == "spare"
    assert "engine died" not in response.text
    assert harness.metric("router_fallbacks_total", from_backend="sim", to_backend="spare", reason="stream") == 1


async def test_a_role_only_chunk_goes_out_with_the_first_output(make_harness: Callable[..., Any]) -> None:
    harness: Harness = await make_harness(sim_transport=streaming([ROLE, CHUNK, b"data: [DONE]\n\n"]))
    response = await harness.chat(stream=True)
    assert response.content == ROLE + CHUNK + b"data: [DONE]\n\n"
    assert harness.metric("router_requests_total", tier="low", model="small", backend="sim", status="ok") == 1


@pytest.mark.parametrize("tail", [[b'data: {"choices": [tr'], [], [b"data: not json\n\n"]])
async def test_truncated_or_malformed_stream_ends_with_error_event(make_harness: Callable[..., Any], tail: list[bytes]) -> None:
    harness: Harness = await make_harness(sim_transport=streaming([CHUNK, *tail]))
    payloads = sse_payloads((await harness.chat(stream=True)).text)
    assert isinstance(payloads[-2], dict) and "error" in payloads[-2]
    assert payloads[-1] == "[DONE]"
    assert harness.metric("router_requests_total", tier="low", model="small", backend="sim", status="error") == 1


async def test_stream_chunks_are_forwarded_byte_for_byte(make_harness: Callable[..., Any]) -> None:
    odd = b'data: {"id":"c1",  "object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}],"extra":1}\n\n'
    harness: Harness = await make_harness(sim_transport=streaming([odd[:30], odd[30:], b"data: [DONE]\n\n"]))
    response = await harness.chat(stream=True)
    assert response.content == odd + b"data: [DONE]\n\n"


@pytest.mark.parametrize(
    ("raw", "param"),
    [
        (b"{not json", None),
        (b'["a list"]', None),
        (b'{"model": "auto"}', "messages"),
        (b'{"model": "auto", "messages": [{"role": "wizard", "content": "x"}]}', "messages[0].role"),
        (b'{"model": "auto", "messages": [{"role": "user", "content": "x"}], "n": 100000}', "n"),
        (b'{"model": "auto", "messages": [{"role": "user", "content": "x"}], "max_tokens": -1}', "max_tokens"),
        (b'{"model": "auto", "messages": [{"role": "user", "content": "x"}], "api_base": "http://evil"}', "api_base"),
        (b'{"model": "auto", "messages": [{"role": "user", "content": "\xff\xfe"}]}', None),
    ],
)
async def test_bad_requests_are_400_in_openai_format(harness: Harness, raw: bytes, param: str | None) -> None:
    response = await harness.client.post("/v1/chat/completions", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert not harness.upstream.requests


async def test_body_size_limit_is_413(make_harness: Callable[..., Any]) -> None:
    config = make_config(server={"max_body_bytes": 2048})
    harness: Harness = await make_harness(config)
    response = await harness.chat("x" * 4096)
    assert response.status_code == 413


async def test_api_keys_plain_and_hashed(make_harness: Callable[..., Any]) -> None:
    import hashlib

    hashed = "sha256:" + hashlib.sha256(b"second-key").hexdigest()
    harness: Harness = await make_harness(make_config(server={"api_keys": ["first-key", hashed]}))
    body = {"model": "auto", "messages": [{"role": "user", "content": "x"}]}
    assert (await harness.client.post("/v1/chat/completions", json=body)).status_code == 401
    wrong = await harness.client.post("/v1/chat/completions", json=body, headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"
    for key in ("first-key", "second-key"):
        ok = await harness.client.post("/v1/chat/completions", json=body, headers={"authorization": f"Bearer {key}"})
        assert ok.status_code == 200
    assert "authorization" not in {k.lower() for k in harness.upstream.requests[-1]}, "client credentials never go upstream"


async def test_unknown_path_is_openai_error(harness: Harness) -> None:
    response = await harness.client.get("/v1/nothing")
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}


async def test_health_and_readiness(harness: Harness) -> None:
    assert (await harness.client.get("/healthz")).json() == {"status": "ok"}
    ready = await harness.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["backends"] == {"sim": True, "spare": True}


async def test_readiness_fails_when_a_tier_has_no_live_backend(make_harness: Callable[..., Any]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    harness: Harness = await make_harness(sim_transport=httpx.MockTransport(refuse))
    ready = await harness.client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["tiers"] == {"low": False, "medium": False, "high": True}


async def test_a_backend_that_does_not_gate_readiness_keeps_the_router_ready_while_it_is_down(make_harness: Callable[..., Any]) -> None:
    """`readiness: false` (a provider every replica shares): its outage is reported but takes no replica out of its Service."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    harness: Harness = await make_harness(make_config(backends={**CONFIG["backends"], "sim": {**CONFIG["backends"]["sim"], "readiness": False}}), sim_transport=httpx.MockTransport(refuse))
    ready = await harness.client.get("/readyz")
    assert ready.status_code == 200
    report = ready.json()
    assert report["ready"] and report["backends"] == {"sim": False, "spare": True} and report["ungated"] == ["sim"]
    assert report["tiers"] == {"low": False, "medium": False, "high": True}, "the tiers still say what answers"


async def test_readiness_probes_are_shared_by_the_calls_of_a_second(make_harness: Callable[..., Any]) -> None:
    """`/readyz` needs no key, and every call probed every backend with the provider's credentials: 50 calls were 50
    requests to each provider. One round of probes answers the calls of a second, concurrent ones included."""
    import asyncio

    probes: list[str] = []

    def count(request: httpx.Request) -> httpx.Response:
        probes.append(request.url.path)
        return httpx.Response(200, json={"data": []})

    harness: Harness = await make_harness(sim_transport=httpx.MockTransport(count))
    answers = await asyncio.gather(*(harness.client.get("/readyz") for _ in range(50)))
    assert all(answer.status_code == 200 for answer in answers)
    assert probes == ["/v1/models"], "one probe of the backend for fifty calls"


async def test_a_body_that_stops_arriving_is_a_408(make_harness: Callable[..., Any]) -> None:
    """A body that stopped coming held its connection and what it had sent (up to `max_body_bytes`) for ever, before
    any concurrency slot counted it: 20 such connections held 600 MB (a security review)."""
    harness: Harness = await make_harness(make_config(server={"client_body_timeout_seconds": 0.2}))
    gate = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield b'{"model": "auto", "messages": [{"role": "user", '
        await gate.wait()  # the rest never comes
        yield b'"content": "x"}]}'

    response = await asyncio.wait_for(harness.client.post("/v1/chat/completions", content=stalled()), 5)
    assert response.status_code == 408 and response.json()["error"]["code"] == "request_timeout"
    assert not harness.upstream.requests
    assert (await harness.chat("x")).status_code == 200


async def test_a_body_that_arrives_slowly_but_steadily_is_read(make_harness: Callable[..., Any]) -> None:
    """The timeout is between two pieces, not on the whole body: a slow uploader sending every 0.1 s is served."""
    harness: Harness = await make_harness(make_config(server={"client_body_timeout_seconds": 0.2}))

    async def slow() -> AsyncIterator[bytes]:
        for piece in (b'{"model": "auto", ', b'"messages": [{"role": "user", ', b'"content": "x"}]', b"}"):
            yield piece
            await asyncio.sleep(0.1)

    assert (await harness.client.post("/v1/chat/completions", content=slow())).status_code == 200


@pytest.mark.parametrize(("wait", "header"), [(4.4, "5"), (5.0, "5"), (0.2, "1"), (100.0, "100")])
def test_a_retry_after_goes_out_rounded_up(wait: float, header: str) -> None:
    """4.4 s left of every backend's cooldown went out as `Retry-After: 4`: a client that obeyed it was refused again
    (the gateway's own limits round up too; a mutation review)."""
    from backends.base import UpstreamError
    from router.api import upstream_api_error

    error = upstream_api_error(UpstreamError("status", "every backend for this request is rate limited", status=429, retry_after=wait))
    assert error.headers["Retry-After"] == header
