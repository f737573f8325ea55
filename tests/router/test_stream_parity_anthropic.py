"""A streamed answer is the answer, from an Anthropic upstream: generated messages (signed thinking, text and
tool_use blocks) served both whole and as an event stream cut at generated points reach every API's official
client as the same answer, with the same books (test_stream_parity_openai.py: an OpenAI-compatible upstream's);
and below the clients, the chat completion put together from the event stream is the message's own.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backends.anthropic_response import StreamTranslator, completion_body
from backends.assemble import CompletionAssembler
from backends.base import stream_of
from backends.sse import SSEFramer
from tests.router._stream_parity_helpers import _ARGUMENTS, _NAMES, READERS, _pieces, _read_both_ways, sdk_clients
from tests.router.conftest import make_config
from tests.router.hostile import WHOLE_APP


@st.composite
def anthropic_messages(draw: st.DrawFn) -> tuple[dict[str, Any], tuple[tuple[int, ...], ...]]:
    """An Anthropic message (signed thinking, text and tool_use blocks, in an order Claude writes them) and where its
    stream cuts each block's text."""
    blocks: list[dict[str, Any]] = []
    if draw(st.booleans()):
        blocks.append({"type": "thinking", "thinking": draw(st.text(min_size=1, max_size=20)), "signature": draw(st.text("abcXYZ09", min_size=1, max_size=12))})
    if draw(st.integers(0, 3)) == 3:
        blocks.append({"type": "redacted_thinking", "data": draw(st.text("abcXYZ09=", min_size=1, max_size=16))})
    if draw(st.booleans()):
        blocks.append({"type": "text", "text": draw(st.text(min_size=1, max_size=40))})
    for i, (name, arguments) in enumerate(draw(st.lists(st.tuples(_NAMES, _ARGUMENTS), max_size=2))):
        blocks.append({"type": "tool_use", "id": f"toolu_{i}", "name": name, "input": orjson.loads(arguments)})
    if not blocks:
        blocks.append({"type": "text", "text": draw(st.text(min_size=1, max_size=10))})
    calls = any(b["type"] == "tool_use" for b in blocks)
    stop = "tool_use" if calls else draw(st.sampled_from(["end_turn", "max_tokens", "stop_sequence"]))
    usage = {"input_tokens": draw(st.integers(1, 5000)), "output_tokens": draw(st.integers(1, 5000)),
             "cache_read_input_tokens": draw(st.integers(0, 100)), "cache_creation_input_tokens": draw(st.integers(0, 100))}
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-20250514", "content": blocks,
               "stop_reason": stop, "stop_sequence": "END" if stop == "stop_sequence" else None, "usage": usage}
    cuts = tuple(tuple(draw(st.lists(st.integers(1, 40), max_size=3))) for _ in blocks)
    return message, cuts


def anthropic_stream(message: dict[str, Any], cuts: tuple[tuple[int, ...], ...]) -> bytes:
    def event(kind: str, **data: Any) -> bytes:
        return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps({"type": kind, **data}) + b"\n\n"

    usage = message["usage"]
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None, "usage": {**usage, "output_tokens": 1}}
    out = [event("message_start", message=start)]
    for index, (block, cut) in enumerate(zip(message["content"], cuts)):
        empty = {"type": "thinking", "thinking": "", "signature": ""} if block["type"] == "thinking" else (
            {"type": "text", "text": ""} if block["type"] == "text" else {**block, "input": {}} if block["type"] == "tool_use" else block)
        out.append(event("content_block_start", index=index, content_block=empty))
        if block["type"] == "thinking":
            out += [event("content_block_delta", index=index, delta={"type": "thinking_delta", "thinking": p}) for p in _pieces(block["thinking"], cut)]
            out.append(event("content_block_delta", index=index, delta={"type": "signature_delta", "signature": block["signature"]}))
        elif block["type"] == "text":
            out += [event("content_block_delta", index=index, delta={"type": "text_delta", "text": p}) for p in _pieces(block["text"], cut)]
        elif block["type"] == "tool_use":
            arguments = orjson.dumps(block["input"]).decode()
            out += [event("content_block_delta", index=index, delta={"type": "input_json_delta", "partial_json": p}) for p in _pieces(arguments, cut)]
        out.append(event("content_block_stop", index=index))
    out.append(event("message_delta", delta={"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"]},
                     usage={"output_tokens": usage["output_tokens"]}))
    out.append(event("message_stop"))
    return b"".join(out)


@pytest.fixture(params=["auto", "stream"])
async def claude_clients(request: pytest.FixtureRequest, fake_classifier: Any) -> Any:
    """``clients``, every tier served by an Anthropic backend that answers with ``current[0]`` (message, cuts);
    with `non_streamed: stream`, a non-streamed request is put together from the event stream (backends/assemble.py)."""
    mode = request.param
    current: list[Any] = []

    async def body(raw: bytes) -> Any:
        yield raw

    def handle(request: httpx.Request) -> httpx.Response:
        message, cuts = current[0]
        if orjson.loads(request.content).get("stream"):
            return httpx.Response(200, content=body(anthropic_stream(message, cuts)), headers={"content-type": "text/event-stream"})
        if mode == "stream":  # every answer is put together from the stream
            return httpx.Response(500, json={"type": "error", "error": {"type": "api_error", "message": "asked unstreamed"}})
        return httpx.Response(200, json=message)

    config = make_config(backends={"claude": {"kind": "anthropic", "base_url": "http://claude.test", "api_key": "sk-ant-test",
                                              "non_streamed": mode}},
                         models={"sonnet": {"backend": "claude", "reasoning": "anthropic", "input": 3.0, "output": 15.0}},
                         tiers={"low": {"model": "sonnet", "effort": "none", "max_score": 0.5}, "high": {"model": "sonnet", "effort": "high"}})
    async with sdk_clients(config, fake_classifier, {"claude": httpx.MockTransport(handle)}) as (openai, anthropic, registry):
        yield openai, anthropic, current, registry


@pytest.mark.anyio
@WHOLE_APP
@given(case=anthropic_messages(), api=st.sampled_from(sorted(READERS)), shown=st.booleans())
async def test_an_anthropic_upstream_s_stream_accumulates_to_its_message(claude_clients: Any, case: Any, api: str, shown: bool) -> None:
    """From an Anthropic upstream: its event stream and its message reach every API's client as the same answer."""
    openai, anthropic, current, registry = claude_clients
    current[:] = [case]
    if api == "completions" and any(b["type"] == "tool_use" for b in case[0]["content"]):
        return
    spent = await _read_both_ways(READERS[api], anthropic if api == "messages" else openai, shown, registry)
    assert spent[("router_tokens_total", "completion")] == case[0]["usage"]["output_tokens"]


@settings(max_examples=300, deadline=None)
@given(case=anthropic_messages())
def test_an_anthropic_stream_put_together_is_the_message_s_own_chat_completion(case: Any) -> None:
    """Below the clients: the chat completion assembled from an Anthropic message's event stream (translated chunk by
    chunk) is exactly `completion_body` of the message — every field of every choice, `stop_reason` included."""
    message, cuts = case
    stream = stream_of([])  # frames in hand: nothing to close
    translator = StreamTranslator(stream, model="m")
    assembler = CompletionAssembler()
    for event in SSEFramer().feed(anthropic_stream(message, cuts)):
        for frame in translator.feed(event):
            assembler.feed(frame)
    whole, usage = completion_body(message, model="m")
    assert assembler.completion(stream.usage_chunk["usage"])["choices"] == whole["choices"] and stream.usage == usage
