"""Tool calls on the translated routes (`/v1/responses`, `/v1/messages`): what goes upstream, and parallel
calls whose pieces an upstream interleaves (router/chunk_translator.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backends.request_hints import NO_HINTS, RequestHints
from router.anthropic_api import chat_request as messages_chat_request
from router.anthropic_stream import AnthropicStream
from router.chunk_translator import ChunkTranslator
from router.responses_api import chat_request, request_hints
from router.responses_stream import ResponsesStream
from tests.router._responses_api_helpers import events_of
from tests.router._sse_helpers import calls, chunk, frames_of

IMAGE = "data:image/png;base64,iVBORw0KGgo="


@pytest.mark.parametrize("tools", [[], [{"type": "web_search"}]])
def test_no_tool_left_sends_no_tools_field(tools: list[dict[str, Any]]) -> None:
    """The Agents SDK sends `tools: []` for an agent without tools; vLLM (0.32) and OpenAI's chat API refuse an
    empty array with a 400, and a server-side tool the gateway leaves out leaves none either."""
    chat = chat_request({"model": "auto", "input": "hi", "tools": tools, "tool_choice": "auto", "parallel_tool_calls": True})
    assert not {"tools", "tool_choice", "parallel_tool_calls"} & chat.keys()
    chat = messages_chat_request({"model": "auto", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}], "tools": [],
                                  "tool_choice": {"type": "auto"}})
    assert not {"tools", "tool_choice"} & chat.keys()


def test_images_a_tool_returned_follow_the_run_of_outputs_as_the_user_s() -> None:
    """A chat tool message holds text only (OpenAI: "Image URLs are only allowed for messages with role 'user'"):
    a screenshot tool's image goes in a user message after the last output of the run, which must stay together."""
    chat = chat_request({"model": "auto", "input": [
        {"role": "user", "content": "What is on screen, and the time?"},
        {"type": "function_call", "call_id": "c1", "name": "screenshot", "arguments": "{}"},
        {"type": "function_call", "call_id": "c2", "name": "clock", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": [
            {"type": "input_text", "text": "the screen:"}, {"type": "input_image", "image_url": IMAGE}]},
        {"type": "function_call_output", "call_id": "c2", "output": "12:00"},
        {"role": "user", "content": "Thanks."}]})
    roles = [(m["role"], m.get("tool_call_id")) for m in chat["messages"]]
    assert roles == [("user", None), ("assistant", None), ("tool", "c1"), ("tool", "c2"), ("user", None), ("user", None)]
    assert chat["messages"][2]["content"] == "the screen:"
    assert chat["messages"][4]["content"] == [{"type": "image_url", "image_url": {"url": IMAGE}}]
    ending = chat_request({"model": "auto", "input": [
        {"type": "function_call", "call_id": "c1", "name": "screenshot", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": [{"type": "input_image", "image_url": IMAGE}]}]})
    assert [m["role"] for m in ending["messages"]] == ["assistant", "tool", "user"] and ending["messages"][1]["content"] == ""


def test_max_output_tokens_is_the_whole_cap_as_openai_counts_the_reasoning_in_it() -> None:
    """OpenAI: "an upper bound for the number of tokens that can be generated for a response, including visible output
    tokens and reasoning tokens" — no thinking reserve is added to it (`RequestHints.cap_includes_reasoning`, as `/v1/messages`
    with thinking on), which rides beside the chat body, not in it."""
    capped = {"model": "auto", "input": "hi", "max_output_tokens": 100}
    assert request_hints(capped) == RequestHints(cap_includes_reasoning=True) and request_hints(capped | {"max_output_tokens": None}) == NO_HINTS
    assert chat_request(capped).keys() == {"model", "messages", "max_completion_tokens"}


def _interleaved() -> list[dict[str, Any]]:
    """Two calls opened in one chunk, their argument pieces alternating (the chat protocol allows it), then the finish."""
    def piece(index: int, arguments: str) -> dict[str, Any]:
        return {"index": index, "function": {"arguments": arguments}}
    return [
        calls({"index": 0, "id": "call_a", "type": "function", "function": {"name": "weather", "arguments": ""}},
               {"index": 1, "id": "call_b", "type": "function", "function": {"name": "weather", "arguments": ""}}),
        calls(piece(0, '{"city":')), calls(piece(1, '{"city":')), calls(piece(0, '"Oslo"}')), calls(piece(1, '"Rome"}')),
        chunk(finish="tool_calls")]


def test_interleaved_parallel_calls_stream_whole_one_after_the_other_on_responses() -> None:
    stream = ResponsesStream({"model": "auto"})
    events = events_of((stream.frames(frames_of(*_interleaved())) + stream.end({"usage": None})).decode())
    arguments: dict[int, str] = {}
    done: set[int] = set()
    for event in events:
        index = event.get("output_index")
        assert index not in done or event["type"] == "response.output_item.done", f"{event['type']} after its item was done"
        if event["type"] == "response.function_call_arguments.delta":
            arguments[index] = arguments.get(index, "") + event["delta"]
        elif event["type"] == "response.function_call_arguments.done":
            assert event["arguments"] == arguments[index]
            done.add(index)
    assert [json.loads(arguments[i]) for i in (0, 1)] == [{"city": "Oslo"}, {"city": "Rome"}]
    output = events[-1]["response"]["output"]
    assert [(item["call_id"], json.loads(item["arguments"])) for item in output] == [("call_a", {"city": "Oslo"}), ("call_b", {"city": "Rome"})]


def test_interleaved_parallel_calls_stream_whole_one_after_the_other_on_messages() -> None:
    stream = AnthropicStream({"model": "auto"})
    stream.begin(10)
    events = events_of((stream.frames(frames_of(*_interleaved())) + stream.end({"usage": None})).decode())
    inputs: dict[int, str] = {}
    stopped: set[int] = set()
    for event in events:
        index = event.get("index")
        assert index not in stopped, f"{event['type']} after its block stopped"
        if event["type"] == "content_block_delta":
            inputs[index] = inputs.get(index, "") + event["delta"]["partial_json"]
        elif event["type"] == "content_block_stop":
            stopped.add(index)
    assert [json.loads(inputs[i]) for i in (0, 1)] == [{"city": "Oslo"}, {"city": "Rome"}]
    assert events[-2]["delta"]["stop_reason"] == "tool_use"


@pytest.mark.parametrize("translator", [ResponsesStream, AnthropicStream])
def test_the_first_call_streams_as_it_comes(translator: type[ChunkTranslator]) -> None:
    """Only the calls after the first wait for the calls to be over: one call's arguments reach the client piece by piece."""
    stream = translator({"model": "auto"})
    if isinstance(stream, AnthropicStream):
        stream.begin(10)
    stream.frames(frames_of(calls({"index": 0, "id": "call_a", "type": "function", "function": {"name": "weather", "arguments": ""}})))
    assert b'{\\"city\\":' in stream.frames(frames_of(calls({"index": 0, "function": {"arguments": '{"city":'}})))
    assert stream.frames(frames_of(calls({"index": 1, "id": "call_b", "type": "function", "function": {"name": "t", "arguments": "{}"}}))) == b""
    assert b"call_b" in stream.frames(frames_of(chunk(finish="tool_calls")))


def test_a_failed_stream_still_lists_the_calls_held_until_then() -> None:
    """A second call held while the first streams, then the upstream fails: `response.failed` lists both, as it did when
    every call streamed at once (review of session 33's diff)."""
    from router.protocol import APIError

    stream = ResponsesStream({"model": "auto"})
    sent = stream.frames(frames_of(
        calls({"index": 0, "id": "call_a", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Oslo"}'}}),
        calls({"index": 1, "id": "call_b", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Rome"}'}})))
    events = events_of((sent + stream.error(APIError(502, "upstream broke off"))).decode())
    assert [e["type"] for e in events][-2:] == ["error", "response.failed"]
    assert [item["call_id"] for item in events[-1]["response"]["output"]] == ["call_a", "call_b"]
    assert [item["status"] for item in events[-1]["response"]["output"]] == ["incomplete", "incomplete"], "cut with the stream"
    assert all(e["item"]["status"] == "incomplete" for e in events if e["type"] == "response.output_item.done")
