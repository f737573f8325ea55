"""What the Anthropic adapter tests share (test_anthropic_chat.py, test_anthropic_stream.py, test_anthropic_response.py,
test_anthropic_hostile.py, test_anthropic_request_*.py, tests/router/test_hostile_bodies.py): a backend on a fake
Messages API (`httpx.MockTransport`), a recorded message and a recorded stream, a reader of the chunks it is
translated into, and the request translation with a default model and message."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import orjson

from backends.anthropic import AnthropicBackend
from backends.anthropic_request import to_anthropic_request
from backends.base import BackendConfig, ChatStream

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


def streaming_backend(pieces: list[bytes], status: int = 200) -> AnthropicBackend:
    async def body() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    def handler(request: httpx.Request) -> httpx.Response:
        assert orjson.loads(request.content)["stream"] is True
        return httpx.Response(status, headers={"content-type": "text/event-stream"}, content=body())

    return make_backend(handler)


async def collect(stream: ChatStream) -> list[dict[str, Any]]:
    chunks = []
    async for frame in stream.frames:
        assert frame.startswith(b"data: ") and frame.endswith(b"\n\n") and frame.count(b"\n\n") == 1
        assert frame != b"data: [DONE]\n\n"
        chunks.append(orjson.loads(frame[6:]))
    return chunks


def translate(output_limit: int | None = None, **body: Any) -> dict[str, Any]:
    body.setdefault("model", "claude-sonnet-4-20250514")
    body.setdefault("messages", [{"role": "user", "content": "Hi"}])
    return to_anthropic_request(body, stream=False, output_limit=output_limit)
