"""Anthropic stream shapes the recorded stream does not cover, checked the way an `openai` SDK user
reads them: through the SDK's own stream accumulator (`client.chat.completions.stream()`)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.lib.streaming.chat._completions import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk

from tests.backends._anthropic_helpers import chat_body, collect, delta, sse, streaming_backend

pytestmark = pytest.mark.anyio

START = sse("message_start", {"type": "message_start", "message": {
    "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-20250514", "content": [],
    "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 1}}})


def end(stop_reason: str) -> list[bytes]:
    return [sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None}, "usage": {"output_tokens": 12}}),
            sse("message_stop", {"type": "message_stop"})]


def block(index: int, content_block: dict[str, Any]) -> bytes:
    return sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": content_block})


def stop(index: int) -> bytes:
    return sse("content_block_stop", {"type": "content_block_stop", "index": index})


async def through_the_sdk(events: list[bytes]) -> Any:
    stream = await streaming_backend([b"".join(events)]).chat_stream(chat_body())
    chunks = await collect(stream)
    await stream.aclose()
    state = ChatCompletionStreamState()
    for chunk in chunks:
        state.handle_chunk(ChatCompletionChunk.model_validate(chunk))
    return state.get_final_completion().choices[0].message


async def test_a_tool_without_parameters_streams_empty_json_object_arguments() -> None:
    """Anthropic streams such a call as one empty `input_json_delta`; its arguments are "{}" as in
    the non-streamed answer, not "" (which `json.loads` in an agent loop refuses)."""
    message = await through_the_sdk([
        START,
        block(0, {"type": "tool_use", "id": "toolu_1", "name": "now", "input": {}}),
        delta(0, type="input_json_delta", partial_json=""),
        stop(0),
        block(1, {"type": "tool_use", "id": "toolu_2", "name": "weather", "input": {}}),
        delta(1, type="input_json_delta", partial_json='{"city": "Rome"}'),
        stop(1),
        *end("tool_use"),
    ])
    assert [json.loads(call.function.arguments) for call in message.tool_calls] == [{}, {"city": "Rome"}]


async def test_several_thinking_blocks_survive_the_sdk_stream_helper() -> None:
    """Each thinking block is a list entry of `thinking_blocks`; the SDK merges list entries by
    `index` and raised on a second entry without one."""
    message = await through_the_sdk([
        START,
        block(0, {"type": "thinking", "thinking": "", "signature": ""}),
        delta(0, type="thinking_delta", thinking="First."),
        delta(0, type="signature_delta", signature="SIG"),
        stop(0),
        block(1, {"type": "redacted_thinking", "data": "ENCRYPTED"}),
        stop(1),
        block(2, {"type": "text", "text": ""}),
        delta(2, type="text_delta", text="Hi"),
        stop(2),
        *end("end_turn"),
    ])
    assert message.content == "Hi"
    assert [(b["type"], b.get("thinking"), b.get("data")) for b in message.thinking_blocks] == [
        ("thinking", "First.", None), ("redacted_thinking", None, "ENCRYPTED")]


async def test_a_matched_stop_sequence_ends_the_stream_as_the_finish_chunk_s_stop_reason() -> None:
    stream = await streaming_backend([b"".join([
        START, block(0, {"type": "text", "text": ""}), delta(0, type="text_delta", text="one, two"), stop(0),
        sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": "stop_sequence", "stop_sequence": ", three"},
                              "usage": {"output_tokens": 4}}),
        sse("message_stop", {"type": "message_stop"})])]).chat_stream(chat_body())
    chunks = await collect(stream)
    await stream.aclose()
    (finish,) = [chunk["choices"][0] for chunk in chunks if chunk.get("choices") and chunk["choices"][0]["finish_reason"]]
    assert finish["finish_reason"] == "stop" and finish["stop_reason"] == ", three"
