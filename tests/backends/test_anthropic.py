"""AnthropicBackend end to end against a fake Messages API (`httpx.MockTransport`)."""

from __future__ import annotations

import importlib
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backends.anthropic import AnthropicBackend
from backends.assemble import CompletionAssembler
from backends.base import BackendConfig, ChatStream, UpstreamError
from backends.registry import create_backend
from backends.usage import Usage

pytestmark = pytest.mark.anyio

Handler = Callable[[httpx.Request], httpx.Response]


def make_backend(handler: Handler, base_url: str = "https://api.anthropic.com") -> AnthropicBackend:
    config = BackendConfig(kind="anthropic", base_url=base_url, api_key="sk-test")
    return AnthropicBackend("anthropic", config, transport=httpx.MockTransport(handler))


def chat_body(**extra: Any) -> dict[str, Any]:
    return {"model": "claude-sonnet-4-20250514", "messages": [{"role": "user", "content": "Weather in Zürich?"}], **extra}


MESSAGE = {
    "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-20250514",
    "content": [
        {"type": "thinking", "thinking": "The user wants the weather.", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3h"},
        {"type": "text", "text": "Let me check "},
        {"type": "text", "text": "that."},
        {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": {"city": "Zürich", "unit": "c"}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {"input_tokens": 20, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 1000, "output_tokens": 55},
}


# -- requests on the wire ------------------------------------------------------------------


@pytest.mark.parametrize("base_url", ["https://api.anthropic.com", "https://api.anthropic.com/", "http://127.0.0.1:8000/v1"])
async def test_request_url_headers_and_body(base_url: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=MESSAGE)

    backend = make_backend(handler, base_url)
    await backend.chat(chat_body(stream=True, stream_options={"include_usage": True}, temperature=0.5))
    await backend.aclose()
    request = seen[0]
    assert request.method == "POST"
    assert request.url.path == "/v1/messages"
    assert request.headers["x-api-key"] == "sk-test"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["content-type"] == "application/json" and request.headers["accept"] == "application/json"
    assert "authorization" not in request.headers
    sent = orjson.loads(request.content)
    assert sent["stream"] is False and sent["temperature"] == 0.5 and sent["max_tokens"] == 4096
    assert "stream_options" not in sent


async def test_a_streamed_request_accepts_sse_and_a_whole_message_answering_it_is_read() -> None:
    """A server that ignores `stream` answers one message: the stream of its chunks (backends/assemble.py's `whole_stream`)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=MESSAGE)

    backend = make_backend(handler, "https://api.anthropic.com")
    stream = await backend.chat_stream(chat_body(stream=True))
    frames = [frame async for frame in stream.frames]
    await backend.aclose()
    assert seen[0].headers["accept"] == "text/event-stream" and orjson.loads(seen[0].content)["stream"] is True
    whole = await make_backend(lambda request: httpx.Response(200, json=MESSAGE), "https://api.anthropic.com").chat(chat_body())
    assembler = CompletionAssembler()
    for frame in frames:
        assembler.feed(frame)
    assert assembler.completion(stream.usage_chunk["usage"] if stream.usage_chunk else None)["choices"] == whole.body["choices"]
    assert stream.usage == whole.usage and stream.usage_chunk["usage"] == whole.body["usage"] and stream.meta["done"]


async def test_registry_builds_the_anthropic_adapter() -> None:
    config = BackendConfig(kind="anthropic", base_url="https://api.anthropic.com", api_key="sk-test")
    backend = create_backend("anthropic", config, transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"data": []})))
    assert isinstance(backend, AnthropicBackend)
    assert await backend.probe()
    await backend.aclose()


# -- non-streaming -------------------------------------------------------------------------


async def test_anthropic_s_rate_limit_headers_are_kept_for_the_client() -> None:
    limits = {"anthropic-ratelimit-requests-remaining": "49", "anthropic-ratelimit-tokens-reset": "2026-12-04T22:00:00Z", "request-id": "req_1"}
    backend = make_backend(lambda request: httpx.Response(200, json=MESSAGE, headers=limits))
    result = await backend.chat(chat_body())
    await backend.aclose()
    assert result.headers == {"anthropic-ratelimit-requests-remaining": "49", "anthropic-ratelimit-tokens-reset": "2026-12-04T22:00:00Z"}


async def test_response_translation_with_tool_calls_thinking_and_cached_usage() -> None:
    backend = make_backend(lambda request: httpx.Response(200, json=MESSAGE))
    result = await backend.chat(chat_body())
    await backend.aclose()
    body = result.body
    assert body["id"] == MESSAGE["id"] and body["object"] == "chat.completion"
    assert body["model"] == "claude-sonnet-4-20250514" and isinstance(body["created"], int)
    (choice,) = body["choices"]
    assert choice["finish_reason"] == "tool_calls"
    message = choice["message"]
    assert message["role"] == "assistant"
    assert message["content"] == "Let me check that."
    assert message["reasoning_content"] == "The user wants the weather."
    assert message["thinking_blocks"] == [MESSAGE["content"][0]]
    (call,) = message["tool_calls"]
    assert call["id"] == "toolu_01A09q90qw90lq917835lq9" and call["type"] == "function"
    assert call["function"]["name"] == "get_weather"
    assert orjson.loads(call["function"]["arguments"]) == {"city": "Zürich", "unit": "c"}
    assert result.usage == Usage(prompt_tokens=1120, completion_tokens=55, cached_prompt_tokens=1000, cache_creation_tokens=100)
    assert body["usage"] == {
        "prompt_tokens": 1120,
        "completion_tokens": 55,
        "total_tokens": 1175,
        "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 100},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
        ("pause_turn", "stop"),
        ("model_context_window_exceeded", "length"),  # cut by the context window: truncated, as max_tokens (mutation review)
        ("some_future_reason", "stop"),
        (None, "stop"),
    ],
)
async def test_finish_reason_mapping(stop_reason: str | None, finish: str) -> None:
    message = {**MESSAGE, "content": [], "stop_reason": stop_reason, "usage": {"input_tokens": 3, "output_tokens": 1}}
    backend = make_backend(lambda request: httpx.Response(200, json=message))
    result = await backend.chat(chat_body())
    await backend.aclose()
    assert result.body["choices"][0]["finish_reason"] == finish
    assert result.body["choices"][0]["message"]["content"] is None
    assert "tool_calls" not in result.body["choices"][0]["message"]


async def test_a_matched_stop_sequence_is_the_choice_s_stop_reason() -> None:
    """Where vLLM names the stop string it matched, so /v1/messages can report it again."""
    message = {**MESSAGE, "stop_reason": "stop_sequence", "stop_sequence": "END", "usage": {"input_tokens": 3, "output_tokens": 1}}
    backend = make_backend(lambda request: httpx.Response(200, json=message))
    result = await backend.chat(chat_body())
    await backend.aclose()
    assert result.body["choices"][0]["finish_reason"] == "stop" and result.body["choices"][0]["stop_reason"] == "END"


async def test_reported_thinking_tokens_become_reasoning_tokens() -> None:
    usage = {"input_tokens": 10, "output_tokens": 50, "output_tokens_details": {"thinking_tokens": 30}}
    backend = make_backend(lambda request: httpx.Response(200, json={**MESSAGE, "usage": usage}))
    result = await backend.chat(chat_body())
    await backend.aclose()
    assert result.usage.reasoning_tokens == 30 and result.usage.completion_tokens == 50


async def test_translation_400_is_raised_before_any_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    backend = make_backend(handler)
    with pytest.raises(UpstreamError) as info:
        await backend.chat(chat_body(n=3))
    await backend.aclose()
    assert info.value.client_status == 400 and info.value.param == "n"


# -- errors --------------------------------------------------------------------------------


def error_response(status: int, error_type: str, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"type": "error", "error": {"type": error_type, "message": message}}
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize("streaming", [False, True])
@pytest.mark.parametrize(
    ("status", "error_type", "headers", "retryable", "client_status", "retry_after"),
    [
        (400, "invalid_request_error", None, False, 400, None),
        (429, "rate_limit_error", {"retry-after": "12"}, True, 429, 12.0),
        (529, "overloaded_error", None, True, 503, None),  # overloaded: 503, which Messages clients read as overloaded_error
        (500, "api_error", None, True, 502, None),
    ],
)
async def test_error_bodies(
    streaming: bool, status: int, error_type: str, headers: dict[str, str] | None, retryable: bool, client_status: int, retry_after: float | None
) -> None:
    backend = make_backend(lambda request: error_response(status, error_type, f"{error_type} happened", headers))
    with pytest.raises(UpstreamError) as info:
        await (backend.chat_stream(chat_body()) if streaming else backend.chat(chat_body()))
    await backend.aclose()
    error = info.value
    assert (error.kind, error.status, error.error_type, error.message) == ("status", status, error_type, f"{error_type} happened")
    assert (error.retryable, error.client_status, error.retry_after) == (retryable, client_status, retry_after)


async def test_transport_errors_are_mapped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    backend = make_backend(handler)
    with pytest.raises(UpstreamError) as info:
        await backend.chat_stream(chat_body())
    await backend.aclose()
    assert info.value.kind == "connect" and info.value.retryable


# -- streaming -----------------------------------------------------------------------------


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\n".encode() + b"data: " + orjson.dumps(data) + b"\n\n"


def delta(index: int, **payload: Any) -> bytes:
    return sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": payload})


# A stream as the Messages API sends it: thinking, text, one tool call, a ping, cache usage.
RECORDED = b"".join(
    [
        sse(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_014p7gG3wDgGV9EUtLvnow3U",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-sonnet-4-20250514",
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": 472, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1800, "output_tokens": 2},
                },
            },
        ),
        sse(
            "content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}}
        ),
        sse("ping", {"type": "ping"}),
        delta(0, type="thinking_delta", thinking="The user asks about Zürich; "),
        delta(0, type="thinking_delta", thinking="I should call get_weather."),
        delta(0, type="signature_delta", signature="EqQBCgIYAhIM1gbcDa9GJwZA2b3h"),
        sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
        sse("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}),
        delta(1, type="text_delta", text="Ich prüfe das Wetter "),
        delta(1, type="text_delta", text="in Zürich ☀️…"),
        sse("content_block_stop", {"type": "content_block_stop", "index": 1}),
        sse(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 2,
                "content_block": {"type": "tool_use", "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "get_weather", "input": {}},
            },
        ),
        delta(2, type="input_json_delta", partial_json=""),
        delta(2, type="input_json_delta", partial_json='{"city": "Zür'),
        delta(2, type="input_json_delta", partial_json='ich", "unit": "c"}'),
        sse("content_block_stop", {"type": "content_block_stop", "index": 2}),
        sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None}, "usage": {"output_tokens": 89}}),
        sse("message_stop", {"type": "message_stop"}),
    ]
)

EXPECTED_USAGE = Usage(prompt_tokens=2272, completion_tokens=89, cached_prompt_tokens=1800)


def streaming_backend(pieces: list[bytes], status: int = 200) -> AnthropicBackend:
    async def body() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    def handler(request: httpx.Request) -> httpx.Response:
        assert orjson.loads(request.content)["stream"] is True
        return httpx.Response(status, headers={"content-type": "text/event-stream"}, content=body())

    return make_backend(handler)


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    return [data[start:end] for start, end in itertools.pairwise(points)]


async def collect(stream: ChatStream) -> list[dict[str, Any]]:
    chunks = []
    async for frame in stream.frames:
        assert frame.startswith(b"data: ") and frame.endswith(b"\n\n") and frame.count(b"\n\n") == 1
        assert frame != b"data: [DONE]\n\n"
        chunks.append(orjson.loads(frame[6:]))
    return chunks


def assemble(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """What an OpenAI client reconstructs from the chunks."""
    message: dict[str, Any] = {"content": "", "reasoning_content": "", "tool_calls": {}, "finish_reason": None, "thinking_blocks": []}
    for chunk in chunks:
        assert chunk["object"] == "chat.completion.chunk" and chunk["id"] == "msg_014p7gG3wDgGV9EUtLvnow3U"
        (choice,) = chunk["choices"]
        piece = choice["delta"]
        message["content"] += piece.get("content") or ""
        message["reasoning_content"] += piece.get("reasoning_content") or ""
        message["thinking_blocks"] += piece.get("thinking_blocks") or []
        for call in piece.get("tool_calls") or ():
            slot = message["tool_calls"].setdefault(call["index"], {"id": None, "name": None, "arguments": ""})
            slot["id"] = call.get("id") or slot["id"]
            function = call.get("function") or {}
            slot["name"] = function.get("name") or slot["name"]
            slot["arguments"] += function.get("arguments") or ""
        if choice["finish_reason"]:
            assert message["finish_reason"] is None, "only one finish chunk"
            message["finish_reason"] = choice["finish_reason"]
    return message


def check_recorded(chunks: list[dict[str, Any]], stream: ChatStream) -> None:
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert chunks[-1]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "tool_calls", "stop_reason": None}
    message = assemble(chunks)
    assert message["content"] == "Ich prüfe das Wetter in Zürich ☀️…"
    assert message["reasoning_content"] == "The user asks about Zürich; I should call get_weather."
    assert message["thinking_blocks"] == [{"index": 0, "type": "thinking", "thinking": message["reasoning_content"], "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3h"}]
    assert message["tool_calls"] == {
        0: {"id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "get_weather", "arguments": '{"city": "Zürich", "unit": "c"}'}
    }
    assert all(not chunk.get("usage") for chunk in chunks)
    assert stream.meta["done"] is True
    assert stream.usage == EXPECTED_USAGE
    assert stream.usage_chunk is not None
    assert stream.usage_chunk["choices"] == [] and stream.usage_chunk["object"] == "chat.completion.chunk"
    assert stream.usage_chunk["id"] == "msg_014p7gG3wDgGV9EUtLvnow3U" and stream.usage_chunk["model"] == "claude-sonnet-4-20250514"
    assert stream.usage_chunk["usage"] == EXPECTED_USAGE.to_openai()


async def test_recorded_stream_translation() -> None:
    backend = streaming_backend([RECORDED])
    stream = await backend.chat_stream(chat_body())
    chunks = await collect(stream)
    await stream.aclose()
    await backend.aclose()
    check_recorded(chunks, stream)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(RECORDED)), max_size=40))
async def test_stream_translation_is_independent_of_byte_boundaries(cuts: list[int]) -> None:
    backend = streaming_backend(split_at(RECORDED, cuts))
    stream = await backend.chat_stream(chat_body())
    chunks = await collect(stream)
    await backend.aclose()
    check_recorded(chunks, stream)


async def test_crlf_framed_stream() -> None:
    backend = streaming_backend([RECORDED.replace(b"\n", b"\r\n")])
    stream = await backend.chat_stream(chat_body())
    chunks = await collect(stream)
    await backend.aclose()
    check_recorded(chunks, stream)


async def test_stream_and_non_stream_usage_agree() -> None:
    message = {**MESSAGE, "usage": {"input_tokens": 472, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1800, "output_tokens": 89}}
    backend = make_backend(lambda request: httpx.Response(200, json=message))
    result = await backend.chat(chat_body())
    await backend.aclose()
    assert result.usage == EXPECTED_USAGE


async def test_message_delta_usage_overrides_message_start_counts() -> None:
    # vLLM's /v1/messages may only know the prompt size by the final message_delta.
    start = {"type": "message_start", "message": {"id": "msg_v", "model": "tiny", "content": [], "usage": {"input_tokens": 0, "output_tokens": 0}}}
    events = [
        sse("message_start", start),
        sse("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        delta(0, type="text_delta", text="hi"),
        sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
        sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": "max_tokens"}, "usage": {"input_tokens": 12, "output_tokens": 7}}),
        sse("message_stop", {"type": "message_stop"}),
    ]
    backend = streaming_backend(events)
    stream = await backend.chat_stream(chat_body())
    chunks = await collect(stream)
    await backend.aclose()
    assert [chunk["choices"][0]["finish_reason"] for chunk in chunks][-1] == "length"
    assert stream.usage == Usage(prompt_tokens=12, completion_tokens=7)


async def test_mid_stream_error_event_raises_after_earlier_frames() -> None:
    head = RECORDED.split(b"event: content_block_stop")[0]
    error = sse("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    backend = streaming_backend([head, error])
    stream = await backend.chat_stream(chat_body())
    frames = []
    with pytest.raises(UpstreamError) as info:
        async for frame in stream.frames:
            frames.append(frame)
    await backend.aclose()
    assert (info.value.kind, info.value.message, info.value.error_type) == ("stream", "Overloaded", "overloaded_error")
    assert info.value.retryable
    assert len(frames) >= 3  # the role chunk and the thinking deltas already went out
    # message_start's usage is partial (an output of 1): the relay estimates from it and the events, not takes it as final
    assert stream.usage is None and stream.meta["partial_usage"].prompt_tokens == 2272


async def test_stream_cut_before_its_stop_reason_is_an_error() -> None:
    truncated = RECORDED.split(b"event: message_delta")[0]
    backend = streaming_backend([truncated])
    stream = await backend.chat_stream(chat_body())
    with pytest.raises(UpstreamError) as info:
        await collect(stream)
    await backend.aclose()
    assert info.value.kind == "stream" and "message_stop" in info.value.message


async def test_a_stream_that_lost_only_its_message_stop_is_the_whole_answer() -> None:
    """After message_delta's stop_reason and usage only message_stop is left: the answer is whole (thrown away, it was
    billed as a failed attempt and generated again on the fallback; a cost audit)."""
    truncated = RECORDED.split(b"event: message_stop")[0]
    backend = streaming_backend([truncated])
    stream = await backend.chat_stream(chat_body())
    chunks = await collect(stream)
    await backend.aclose()
    assert assemble(chunks)["finish_reason"] == "tool_calls" and stream.usage == EXPECTED_USAGE


async def test_malformed_stream_event_is_a_protocol_error() -> None:
    head = RECORDED.split(b"event: content_block_stop")[0]
    backend = streaming_backend([head, b"event: content_block_stop\ndata: {not json\n\n"])
    stream = await backend.chat_stream(chat_body())
    with pytest.raises(UpstreamError) as info:
        await collect(stream)
    await backend.aclose()
    assert info.value.kind == "protocol"


async def test_error_before_message_start_raises_from_chat_stream() -> None:
    # Nothing reached the client yet, so the gateway may still retry or fall back.
    error = sse("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    backend = streaming_backend([sse("ping", {"type": "ping"}), error])
    with pytest.raises(UpstreamError) as info:
        await backend.chat_stream(chat_body())
    await backend.aclose()
    assert (info.value.kind, info.value.error_type, info.value.retryable) == ("stream", "overloaded_error", True)


@pytest.mark.slow  # importing the anthropic SDK takes seconds
async def test_recorded_stream_matches_the_official_sdk_and_the_non_streaming_translation() -> None:
    """The SDK accepts the recorded stream; its final message, translated without streaming,
    says what our streamed chunks say, and the token accounting is identical."""
    anthropic = pytest.importorskip("anthropic")
    # Recent SDKs ship their own fork of httpx (`httpx2`); older ones use httpx itself.
    base_client = importlib.import_module("anthropic._base_client")
    sdk_httpx: Any = getattr(base_client, "httpx2", None) or base_client.httpx

    def handler(request: Any) -> Any:
        return sdk_httpx.Response(200, headers={"content-type": "text/event-stream"}, content=RECORDED)

    async with sdk_httpx.AsyncClient(transport=sdk_httpx.MockTransport(handler)) as http:
        client = anthropic.AsyncAnthropic(api_key="sk-test", base_url="https://api.anthropic.com", http_client=http)
        async with client.messages.stream(model="recorded-model", max_tokens=4096, messages=[{"role": "user", "content": "x"}]) as sdk:
            final = await sdk.get_final_message()
    backend = make_backend(lambda request: httpx.Response(200, json=final.model_dump(mode="json", exclude_none=True)))
    whole = await backend.chat(chat_body())
    streaming = streaming_backend([RECORDED])
    stream = await streaming.chat_stream(chat_body())
    streamed = assemble(await collect(stream))
    await backend.aclose()
    await streaming.aclose()
    message = whole.body["choices"][0]["message"]
    assert message["content"] == streamed["content"]
    assert message["reasoning_content"] == streamed["reasoning_content"]
    assert message["thinking_blocks"] == [{k: v for k, v in b.items() if k != "index"} for b in streamed["thinking_blocks"]]  # index: a delta's
    (call,) = message["tool_calls"]
    assert orjson.loads(call["function"]["arguments"]) == orjson.loads(streamed["tool_calls"][0]["arguments"])
    assert (call["id"], call["function"]["name"]) == (streamed["tool_calls"][0]["id"], streamed["tool_calls"][0]["name"])
    assert whole.body["choices"][0]["finish_reason"] == streamed["finish_reason"]
    assert whole.usage == stream.usage == EXPECTED_USAGE
    assert whole.body["usage"] == stream.usage_chunk["usage"]


@pytest.mark.parametrize(("named", "tier"), [("standard", "default"), ("priority", "priority"), ("batch", "batch"), ("", None), (None, None)])
async def test_the_served_tier_is_named_as_openai_names_it(named: str | None, tier: str | None) -> None:
    """Anthropic's `usage.service_tier: standard` is OpenAI's `default` in the completion a client reads (mutation review:
    without the renaming the completion said "standard", a value no OpenAI client knows)."""
    from backends.anthropic_response import served_tier

    assert served_tier({"service_tier": named}) == tier
