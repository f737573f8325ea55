"""What `POST /v1/messages` cannot serve and how failures reach a Messages client: Anthropic's error shapes
and types, an overloaded upstream (before, at and after the stream's start), a stream cut short and what it is
charged, a context overflow worded so Claude Code compacts, and refusals the SDKs must not retry."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import orjson
import pytest

from router.anthropic_errors import error_payload
from router.anthropic_stream import AnthropicStream
from router.limits import seconds_to_period_end
from router.protocol import APIError
from tests.router._anthropic_api_helpers import claude_high_tier, events_of, sdk
from tests.router._sse_helpers import chunk, frames_of
from tests.router.conftest import CONFIG, Harness, make_config

pytestmark = pytest.mark.anyio


async def test_an_overloaded_upstream_is_overloaded_to_the_client(make_harness: Any, spare_handler: list[Any]) -> None:
    """Anthropic's 529 `overloaded_error`, before or after the first byte, is the client's overloaded_error (Claude Code tells
    its user so and retries), not a generic api_error; chat clients get a 503."""
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    spare_handler[0] = lambda request: httpx.Response(529, json=overloaded)
    harness = await make_harness(claude_high_tier())
    ask = {"model": "auto", "max_tokens": 100, "messages": [{"role": "user", "content": "hard [score=0.9]"}]}
    response = await harness.client.post("/v1/messages", json=ask)
    assert response.status_code == 503 and response.json()["error"]["type"] == "overloaded_error"
    assert (await harness.chat("hard [score=0.9]")).status_code == 503

    start = {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "content": [],
                                                  "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 9, "output_tokens": 1}}}
    events = [start, {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
              {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"}}, overloaded]
    body = b"".join(b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n" for e in events)
    spare_handler[0] = lambda request: httpx.Response(200, stream=httpx.ByteStream(body), headers={"content-type": "text/event-stream"})
    streamed = events_of((await harness.client.post("/v1/messages", json=ask | {"stream": True})).text)
    assert streamed[-1] == {"type": "error", "error": {"type": "overloaded_error", "message": "upstream failed: Overloaded"}}


async def test_an_overload_right_after_message_start_is_fallen_back_from(make_harness: Any, spare_handler: list[Any]) -> None:
    """`message_start` carries nothing Claude wrote; it had committed the stream, so an `overloaded_error` right after it
    reached the client in-stream where the tier's fallback could serve (router/first_output.py)."""
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    start = {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "content": [],
                                                  "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 9, "output_tokens": 1}}}
    body = b"".join(b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n" for e in (start, {"type": "ping"}, overloaded))
    spare_handler[0] = lambda request: httpx.Response(200, stream=httpx.ByteStream(body), headers={"content-type": "text/event-stream"})
    config = claude_high_tier()
    config.tiers["high"].fallbacks = ["small"]
    harness = await make_harness(config)
    ask = {"model": "auto", "max_tokens": 100, "stream": True, "messages": [{"role": "user", "content": "hard [score=0.9]"}]}
    response = await harness.client.post("/v1/messages", json=ask)
    assert response.status_code == 200 and response.headers["x-router-model"] == "small"
    assert "overloaded_error" not in response.text and events_of(response.text)[-1] == {"type": "message_stop"}


@pytest.mark.parametrize(("fields", "param"), [
    ({"max_tokens": None}, "max_tokens"),
    ({"mcp_servers": [{"type": "url", "url": "https://mcp.example"}]}, "mcp_servers"),
    ({"tools": [{"type": "web_search_20250305", "name": "web_search"}]}, "tools[0]"),
    ({"messages": [{"role": "user", "content": [{"type": "container_upload", "file_id": "f"}]}]}, "messages[0].content[0]"),
    ({"messages": [{"role": "tool", "content": "x"}]}, "messages[0].role"),
    ({"messages": [{"role": "system", "content": "x"}]}, "messages"),
    ({"output_config": {"effort": "extreme"}}, "output_config.effort"),
    ({"messages": []}, "messages"),
    ({"thinking": {"type": "enabled"}}, "thinking"),
    ({"tool_choice": {"type": "sometimes"}}, "tool_choice"),
])
async def test_what_cannot_be_served_is_a_400_naming_it(harness: Harness, fields: dict[str, Any], param: str) -> None:
    body = {"model": "auto", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]} | fields
    response = await harness.client.post("/v1/messages", json=body)
    assert response.status_code == 400, response.text
    error = response.json()  # Anthropic's shape, the field named in the message
    assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error" and f"'{param}" in error["error"]["message"]
    assert response.headers["request-id"] == response.headers["x-request-id"]
    assert not harness.upstream.requests


def test_an_error_after_the_first_byte_is_anthropic_s_error_event_and_reasoning_pings() -> None:
    stream = AnthropicStream({"model": "auto"})
    thinking = {"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"reasoning": "hmm"}, "finish_reason": None}]}
    assert events_of(stream.frames(frames_of(thinking)).decode())[-1] == {"type": "ping"}
    assert stream.frames(frames_of(thinking, thinking)) == b"", "a keep-alive at most once a second, not one a chunk"
    sent = stream.frames(frames_of(chunk("Hi"))) + stream.error(APIError(502, "upstream failed: reset", code="connect"))
    assert events_of(sent.decode())[-1] == {"type": "error", "error": {"type": "api_error", "message": "upstream failed: reset"}}
    assert stream.end(None) == b"" and stream.frames(frames_of(chunk("more"))) == b""


@pytest.mark.parametrize(("status", "kind"), [(502, "api_error"), (503, "overloaded_error"), (504, "timeout_error"), (413, "request_too_large"),
                                             (405, "invalid_request_error"), (500, "api_error")])
def test_error_types_are_anthropic_s_by_status(status: int, kind: str) -> None:
    """An upstream that timed out is the SDK's `timeout_error` (the gateway's 504), no capacity is overloaded."""
    assert error_payload("x", status)["error"]["type"] == kind


async def test_errors_no_route_raised_have_anthropic_s_shape_under_v1_messages(harness: Harness) -> None:
    """A method `/v1/messages` does not serve, or a path under it that does not exist, answers as
    Anthropic would (the SDK reads `error.type`); other paths keep OpenAI's shape."""
    from anthropic import NotFoundError

    got = await harness.client.get("/v1/messages")
    assert got.status_code == 405 and got.json()["type"] == "error" and got.json()["error"]["type"] == "invalid_request_error"
    missing = await harness.client.post("/v1/messages/batches", json={})
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found_error"
    with pytest.raises(NotFoundError):
        await sdk(harness).messages.batches.list()
    other = await harness.client.get("/v1/chat/completions")
    assert other.status_code == 405 and other.json()["error"]["code"] == "method_not_allowed" and "type" not in other.json()
    assert (await harness.client.get("/v1/messagesx")).json()["error"]["code"] == "not_found"


def _cut_stream(words: int) -> Any:
    """An Anthropic upstream that streams `words` text deltas and then fails (an `overloaded_error` event)."""
    start = {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "content": [],
                                                  "stop_reason": None, "stop_sequence": None,
                                                  "usage": {"input_tokens": 900, "cache_read_input_tokens": 100, "output_tokens": 1}}}
    events = [start, {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}]
    events += [{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": f" w{i}"}} for i in range(words)]
    events.append({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    body = b"".join(b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n" for e in events)
    return lambda request: httpx.Response(200, stream=httpx.ByteStream(body), headers={"content-type": "text/event-stream"})


async def test_an_anthropic_stream_cut_short_is_charged_what_it_relayed(make_harness: Any, spare_handler: list[Any]) -> None:
    """message_start's usage (output 1) was taken as final: 300 words relayed, then an error, were booked as 1 token.
    Now the prompt as the upstream counted it (cache reads included) and a token per event relayed, marked estimated."""
    spare_handler[0] = _cut_stream(300)
    harness = await make_harness(claude_high_tier())
    response = await harness.chat("hard [score=0.9]", stream=True, stream_options={"include_usage": True})
    assert "error" in response.text
    labels = {"tier": "high", "model": "claude", "backend": "spare"}
    assert harness.metric("router_tokens_total", **labels, kind="completion") == 300
    assert harness.metric("router_tokens_total", **labels, kind="prompt") == 1000
    assert harness.metric("router_tokens_total", **labels, kind="cached_prompt") == 100
    assert harness.metric("router_cost_usd_total", **labels) == pytest.approx((900 * 3.0 + 100 * 0.3 + 300 * 15.0) / 1e6)


EASY_MESSAGE = {"model": "auto", "max_tokens": 100, "messages": [{"role": "user", "content": "easy [score=0.1] q"}]}


async def test_a_context_overflow_is_worded_as_anthropic_words_it(make_harness: Any) -> None:
    """Claude Code compacts and retries only on `prompt is too long: N tokens > M maximum`: the gateway's own overflow (OpenAI's
    wording) and vLLM's, passed through, failed every turn of a long session on a local model until a manual `/compact`."""
    models = {name: {**spec, "context_window": 2000} for name, spec in CONFIG["models"].items()}
    harness = await make_harness(make_config(models=models))
    long = {**EASY_MESSAGE, "messages": [{"role": "user", "content": "easy [score=0.1] " + "word " * 5000}]}
    for body in (long, long | {"stream": True}):
        response = await harness.client.post("/v1/messages", json=body)
        assert response.status_code == 400 and response.json()["error"]["type"] == "invalid_request_error"
        message = response.json()["error"]["message"]
        found = re.match(r"prompt is too long: (\d+) tokens > (\d+) maximum", message)
        assert found is not None and int(found[2]) == 2000 and int(found[1]) > 2000, message
    vllm = {"object": "error", "message": "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens "
            "(38000 in the messages, 2000 in the completion).", "type": "BadRequestError", "param": None, "code": 400}
    harness = await make_harness(sim_transport=httpx.MockTransport(lambda request: httpx.Response(400, json=vllm)))
    response = await harness.client.post("/v1/messages", json=EASY_MESSAGE)
    assert response.status_code == 400 and response.json()["error"]["message"].startswith("prompt is too long: 38000 tokens > 32768 maximum")
    chat = await harness.client.post("/v1/chat/completions", json={"model": "auto", "messages": [{"role": "user", "content": "q"}]})
    assert chat.json()["error"]["message"] == vllm["message"], "OpenAI clients keep the upstream's words"
    capped = {**vllm, "message": "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens (8000 in the messages, "
              "32000 in the completion)."}  # a cap too large: compacting would not mend it
    harness = await make_harness(sim_transport=httpx.MockTransport(lambda request: httpx.Response(400, json=capped)))
    message = (await harness.client.post("/v1/messages", json=EASY_MESSAGE)).json()["error"]["message"]
    assert message.startswith("input length and `max_tokens` exceed context limit: 8000 + 32000 > 32768"), message


async def test_a_permanent_refusal_tells_the_sdks_not_to_retry(make_harness: Any, fake_classifier: Any) -> None:
    """A spent budget's 429 said Retry-After: the seconds to the period's end — anthropic-python obeys any Retry-After and
    slept for weeks instead of raising; a wrong upstream key (the gateway's) was a 502 the SDKs retried, routed again each
    time. Both SDKs obey `x-should-retry: false` before any status rule, and raise at once."""
    import asyncio

    from anthropic import InternalServerError, RateLimitError

    from tests.opskit import gateway
    from tests.router._limits_helpers import KEY_A, ops_config

    calls: list[httpx.Request] = []

    def refused(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(401, json={"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})

    harness = await make_harness(sim_transport=httpx.MockTransport(refused))
    with pytest.raises(InternalServerError) as failed:
        await sdk(harness).with_options(max_retries=2).messages.create(**EASY_MESSAGE)
    assert failed.value.response.headers["x-should-retry"] == "false" and len(calls) == 1, "asked once, not three times"

    async with gateway(ops_config(limits={"default": {"budget_usd": 0.00001, "budget_period": "month"}}), fake_classifier) as gw:
        assert (await gw.chat("[score=0.9] prove it", key=KEY_A)).status_code == 200
        await gw.settle()
        harness.client = gw.client
        with pytest.raises(RateLimitError) as limited:
            await asyncio.wait_for(sdk(harness, api_key=KEY_A).with_options(max_retries=2).messages.create(**EASY_MESSAGE), timeout=5)
        until_month_end = seconds_to_period_end("month", time.time())  # not "> 3600": false in a month's last hour
        assert limited.value.response.headers["x-should-retry"] == "false"
        assert abs(int(limited.value.response.headers["retry-after"]) - until_month_end) <= 3
