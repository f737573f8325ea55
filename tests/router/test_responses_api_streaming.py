"""The Responses stream translation, mostly on its own (router/responses_stream.py): every character once and in its
item, items closed in order, reasoning as its own item or a summary when asked, split emoji joined, and an error
after the first byte as OpenAI's events."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from router.anthropic_stream import AnthropicStream
from router.chunk_translator import ChunkTranslator
from router.protocol import APIError
from router.responses_stream import ResponsesStream
from tests.router._responses_api_helpers import events_of, sdk
from tests.router._sse_helpers import calls, chunk, frames_of
from tests.router.conftest import Harness

pytestmark = pytest.mark.anyio


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=12), st.integers(1, 4))
def test_every_character_arrives_once_in_order(deltas: list[str], per_frame: int) -> None:
    stream = ResponsesStream({"model": "auto"})
    chunks = [chunk(text) for text in deltas] + [chunk(finish="stop")]
    out = b"".join(
        stream.frames(b"".join(b"data: " + orjson.dumps(c) + b"\n\n" for c in chunks[i:i + per_frame]))
        for i in range(0, len(chunks), per_frame)
    ) + stream.end({"usage": {"prompt_tokens": 1, "completion_tokens": len(deltas), "total_tokens": 1 + len(deltas)}})
    events = events_of(out.decode())
    assert "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta") == "".join(deltas)
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == "".join(deltas)
    assert events[-1]["response"]["usage"]["output_tokens"] == len(deltas)


@given(st.lists(st.tuples(st.booleans(), st.text(min_size=1, max_size=6)), min_size=1, max_size=12), st.booleans())
def test_reasoning_and_text_interleaved_keep_every_character_in_its_item(pieces: list[tuple[bool, str]], summarized: bool) -> None:
    """However reasoning and answer text alternate, each run is one item, closed before the next opens,
    and the items' texts are the deltas' in order (reasoning as content, and summary when asked for)."""
    request: dict[str, Any] = {"model": "auto", "reasoning": {"summary": "auto"} if summarized else None}
    stream = ResponsesStream(request)
    chunks = [_thought(text) if thought else chunk(text) for thought, text in pieces]
    events = events_of((stream.frames(frames_of(*chunks, chunk(finish="stop"))) + stream.end({"usage": None})).decode())
    runs: list[tuple[bool, str]] = []
    for thought, text in pieces:
        runs[-1:] = [(thought, runs[-1][1] + text)] if runs and runs[-1][0] == thought else [*runs[-1:], (thought, text)]
    output = events[-1]["response"]["output"]
    assert [(item["type"] == "reasoning", item["content"][0]["text"]) for item in output] == runs
    for item in output:
        if item["type"] == "reasoning":
            assert item["summary"] == ([{"type": "summary_text", "text": item["content"][0]["text"]}] if summarized else [])
    opened = [(e["type"], e["output_index"]) for e in events if e["type"] in ("response.output_item.added", "response.output_item.done")]
    assert opened == [(kind, index) for index in range(len(runs)) for kind in ("response.output_item.added", "response.output_item.done")]


@pytest.mark.parametrize("translator", [ResponsesStream, AnthropicStream])
def test_an_emoji_split_across_chunks_as_surrogate_escapes_arrives_whole(translator: type[ChunkTranslator]) -> None:
    """A UTF-16 server may send 😀 as `\\ud83d` in one chunk and `\\ude00` in the next: orjson refuses
    each half, Python's json reads it; the halves are joined, a half never completed is U+FFFD."""
    def raw(text_json: str, field: str = "content") -> bytes:
        return b'data: {"id":"c","created":1,"model":"m","choices":[{"index":0,"delta":{"' + field.encode() + b'":"' + text_json.encode() + b'"},"finish_reason":null}]}\n\n'

    stream = translator({"model": "auto"})
    sent = stream.frames(raw("Hi \\ud83d") + raw("\\ude00!") + raw("x\\udc00y") + frames_of(chunk(finish="stop"))) + stream.end({"usage": None})
    text = "".join(e["delta"] if isinstance(e.get("delta"), str) else (e.get("delta") or {}).get("text", "") for e in events_of(sent.decode())
                   if e["type"] in ("response.output_text.delta", "content_block_delta"))
    assert text == "Hi 😀!x\ufffdy"


def test_an_error_after_the_first_byte_is_openai_s_error_event_then_response_failed() -> None:
    """The upstream's own error event and a failure the relay reports end the stream alike; nothing follows."""
    upstream = ResponsesStream({"model": "auto"})
    sent = upstream.frames(frames_of(chunk("Hel"), {"error": {"message": "boom", "type": "upstream_error", "param": None, "code": 500}}))
    sent += upstream.frames(frames_of(chunk("lo"))) + upstream.end({"usage": None})
    kinds = [e["type"] for e in events_of(sent.decode())]
    assert kinds[-2:] == ["error", "response.failed"] and "response.completed" not in kinds
    failed = events_of(sent.decode())[-1]["response"]
    assert failed["status"] == "failed" and failed["error"] == {"code": "server_error", "message": "boom"}, "OpenAI's codes, a closed set"
    relayed = ResponsesStream({"model": "auto"})
    events = events_of((relayed.frames(frames_of(chunk("Hi"))) + relayed.error(APIError(502, "upstream failed: reset", code="connect"))).decode())
    assert [e["type"] for e in events][-2:] == ["error", "response.failed"] and events[-2]["code"] == "connect"
    throttled = ResponsesStream({"model": "auto"})
    events = events_of((throttled.frames(frames_of(chunk("Hi"))) + throttled.error(APIError(429, "slow down", error_type="rate_limit_error"))).decode())
    assert events[-1]["response"]["error"]["code"] == "rate_limit_exceeded", "the one code Codex reads a retry delay from"
    assert relayed.end({"usage": None}) == b""


def test_a_stream_with_no_chunk_still_completes() -> None:
    events = events_of(ResponsesStream({"model": "auto"}).end(None).decode())
    assert [e["type"] for e in events] == ["response.created", "response.in_progress", "response.completed"]


def _thought(text: str, field: str = "reasoning") -> dict[str, Any]:
    return {"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {field: text}, "finish_reason": None}]}


def test_streamed_reasoning_is_a_reasoning_item_before_the_message() -> None:
    """vLLM's reasoning (or DeepSeek's reasoning_content) streams as a reasoning item's reasoning_text
    deltas, closed before the answer's message item opens; no keep-alive comments are needed."""
    stream = ResponsesStream({"model": "auto"})
    sent = stream.frames(frames_of(_thought("Let me "), _thought("think.", "reasoning_content"), chunk("Four."), chunk(finish="stop")))
    sent += stream.end({"usage": None})
    assert b"\n:\n" not in b"\n" + sent
    events = events_of(sent.decode())
    kinds = [e["type"] for e in events]
    assert kinds[2:9] == ["response.output_item.added", "response.content_part.added", "response.reasoning_text.delta",
                          "response.reasoning_text.delta", "response.reasoning_text.done", "response.content_part.done",
                          "response.output_item.done"]
    assert kinds[9] == "response.output_item.added" and events[9]["item"]["type"] == "message" and events[9]["output_index"] == 1
    assert events[6]["text"] == "Let me think." and events[8]["item"]["status"] == "completed"
    reasoning, message = events[-1]["response"]["output"]
    assert reasoning["content"] == [{"type": "reasoning_text", "text": "Let me think."}] and reasoning["summary"] == []
    assert message["content"][0]["text"] == "Four."


async def test_a_client_that_asks_for_a_summary_gets_the_reasoning_as_one(harness: Harness) -> None:
    """Codex and LangChain show reasoning summaries only: asked for one (`reasoning.summary`), the
    reasoning in the clear is the item's summary too, streamed with OpenAI's summary events."""
    client = sdk(harness)
    ask: dict[str, Any] = {"model": "auto", "input": "hard [score=0.95]", "reasoning": {"effort": "high", "summary": "auto"}}
    summaries: list[str] = []
    async with client.responses.stream(**ask) as stream:
        async for event in stream:
            assert event.type != "response.reasoning_text.delta"
            if event.type == "response.reasoning_summary_text.delta":
                summaries.append(event.delta)
        final = await stream.get_final_response()
    reasoning = final.output[0]
    assert reasoning.type == "reasoning" and summaries and reasoning.summary[0].text == "".join(summaries) == reasoning.content[0].text
    plain = await client.responses.create(**ask)
    assert plain.output[0].summary[0].text == plain.output[0].content[0].text
    unasked = await client.responses.create(model="auto", input="hard [score=0.95]")
    assert unasked.output[0].summary == [] and unasked.output[0].content[0].text


def test_summary_events_follow_openai_s_order() -> None:
    stream = ResponsesStream({"model": "auto", "reasoning": {"summary": "detailed"}})
    sent = stream.frames(frames_of(_thought("Let me "), _thought("think."), chunk("Four."), chunk(finish="stop"))) + stream.end({"usage": None})
    events = events_of(sent.decode())
    assert [e["type"] for e in events[2:9]] == [
        "response.output_item.added", "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done", "response.reasoning_summary_part.done",
        "response.output_item.done"]
    assert events[2]["item"]["summary"] == [] and events[3]["part"] == {"type": "summary_text", "text": ""}
    assert events[6]["text"] == "Let me think." and events[8]["item"]["summary"] == [{"type": "summary_text", "text": "Let me think."}]


def test_each_item_is_done_before_the_next_and_calls_without_index_stay_apart() -> None:
    """Text then two calls, the calls numbered by id only (Gemini's OpenAI-compatible stream): three
    items, each closed before the next is added, each call whole."""
    stream = ResponsesStream({"model": "auto"})
    sent = stream.frames(frames_of(
        chunk("Let me check."),
        calls({"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city":'}}),
        calls({"function": {"arguments": '"Oslo"}'}}),
        calls({"id": "call_2", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Paris"}'}}),
        chunk(finish="tool_calls"),
    )) + stream.end({"usage": None})
    events = events_of(sent.decode())
    order = [(e["type"], e["output_index"]) for e in events if e["type"] in ("response.output_item.added", "response.output_item.done")]
    assert order == [("response.output_item.added", 0), ("response.output_item.done", 0), ("response.output_item.added", 1),
                     ("response.output_item.done", 1), ("response.output_item.added", 2), ("response.output_item.done", 2)]
    output = events[-1]["response"]["output"]
    assert [(i["type"], i.get("call_id"), i.get("name"), i.get("arguments")) for i in output[1:]] == [
        ("function_call", "call_1", "weather", '{"city":"Oslo"}'), ("function_call", "call_2", "weather", '{"city":"Paris"}')]
