"""The chat-completions stream both ways, as the router tests share it: `sse_payloads` reads a gateway's stream
as an SSE client does (the chat, text-completion, fallback and test-time-compute tests); `chunk`, `calls`
and `frames_of` write an upstream's (the Responses and Messages translation and streaming tests)."""

from __future__ import annotations

from typing import Any

import orjson


def sse_payloads(text: str) -> list[object]:
    """The data of each event, as an SSE client reads them (comments, the keep-alives, are skipped)."""
    events = [block for block in text.split("\n\n") if block.strip() and not block.startswith(":")]
    return [block[len("data: ") :] if block[len("data: ") :] == "[DONE]" else orjson.loads(block[len("data: ") :]) for block in events]


def chunk(text: str | None = None, finish: str | None = None) -> dict[str, Any]:
    delta = {"content": text} if text is not None else {}
    return {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def frames_of(*chunks: dict[str, Any]) -> bytes:
    return b"".join(b"data: " + orjson.dumps(chunk) + b"\n\n" for chunk in chunks)


def calls(*calls: dict[str, Any]) -> dict[str, Any]:
    return {"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"tool_calls": list(calls)}, "finish_reason": None}]}
