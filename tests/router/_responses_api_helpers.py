"""What the Responses tests share (test_responses_api*.py, test_responses_tools.py, test_translated_tool_calls.py, and the
Messages and LangChain tests that borrow them): a stream's events, the openai client of a harness, and chat upstreams
that answer with a tool call."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from tests.router._sse_helpers import calls, chunk, frames_of
from tests.router.conftest import Harness


def events_of(text: str) -> list[dict[str, Any]]:
    """The payloads of a Responses stream; each event's name is its payload's type."""
    events = []
    for block in filter(None, text.split("\n\n")):
        if block.startswith(":"):  # a comment: the stream is alive
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        payload = orjson.loads(lines["data"])
        if "event" in lines:
            assert lines["event"] == payload["type"]
        events.append(payload)
    return events


def sdk(harness: Harness) -> Any:
    from openai import AsyncOpenAI

    return AsyncOpenAI(base_url="http://router.test/v1", api_key="unused", http_client=harness.client, max_retries=0)


def tool_upstream(requests: list[dict[str, Any]]) -> httpx.MockTransport:
    """Answers with a call to `weather` (arguments in two pieces when streamed)."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        requests.append(body)
        usage = {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42}
        call = {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Oslo"}'}}
        if not body.get("stream"):
            return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 5, "model": "m", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": None, "tool_calls": [call]}, "finish_reason": "tool_calls"}], "usage": usage})
        base = {"id": "c", "object": "chat.completion.chunk", "created": 5, "model": "m"}
        frames = [
            {"choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [
                {"index": 0, "id": "call_1", "type": "function", "function": {"name": "weather", "arguments": ""}}]}, "finish_reason": None}]},
            {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]}, "finish_reason": None}]},
            {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '"Oslo"}'}}]}, "finish_reason": None}]},
            {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
            {"choices": [], "usage": usage},
        ]
        data = b"".join(b"data: " + orjson.dumps(base | frame) + b"\n\n" for frame in frames) + b"data: [DONE]\n\n"
        return httpx.Response(200, stream=httpx.ByteStream(data), headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(handler)


def tool_call_upstream(requests: list[dict[str, Any]], call: dict[str, Any]) -> httpx.MockTransport:
    """Answers every request with the chat tool ``call``, streamed or not; keeps the request bodies."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        requests.append(body)
        usage = {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42}
        if not body.get("stream"):
            return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 5, "model": "m", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": None, "tool_calls": [call]}, "finish_reason": "tool_calls"}], "usage": usage})
        frames = frames_of(calls({"index": 0, **call}), {**chunk(finish="tool_calls"), "usage": usage}) + b"data: [DONE]\n\n"
        return httpx.Response(200, stream=httpx.ByteStream(frames), headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(handler)
