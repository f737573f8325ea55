"""AnthropicBackend's streams against a fake Messages API: a recorded stream translated into chat chunks whatever its
byte boundaries, its usage, streams cut or failing, and the official SDK's reading of the same stream."""

from __future__ import annotations

import importlib
import itertools
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backends.base import ChatStream, UpstreamError
from backends.usage import Usage
from tests.backends._anthropic_helpers import MESSAGE, RECORDED, chat_body, collect, delta, make_backend, sse, streaming_backend

pytestmark = pytest.mark.anyio


EXPECTED_USAGE = Usage(prompt_tokens=2272, completion_tokens=89, cached_prompt_tokens=1800)


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    return [data[start:end] for start, end in itertools.pairwise(points)]


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
