"""A finished chat completion as a chat stream: a sampled tier streams its chosen sample once the samples are drawn
(router/ttc.py), in the chunks an OpenAI-compatible server would have sent."""

from __future__ import annotations

import time
from typing import Any

import orjson

from backends.base import ChatResult, ChatStream, stream_of
from backends.reasoning import reasoning_text
from router.strategies import choice_text

STREAM_PIECE_CHARS = 64  # the chosen text goes out in pieces of this size


def as_stream(result: ChatResult) -> ChatStream:
    """OpenAI chunks for the completion's first choice: role, reasoning, content, refusal, tool calls, finish."""
    body = result.body
    base = {"id": body.get("id"), "object": "chat.completion.chunk", "created": body.get("created") or int(time.time()), "model": body.get("model")}
    choice = body["choices"][0]
    message = choice.get("message") or {}
    frames = [_chunk(base, {"role": "assistant", "content": ""})]
    if thought := reasoning_text(message):  # under the names the upstream used (vLLM writes both): each piece once
        names = [key for key in ("reasoning", "reasoning_content") if message.get(key) == thought]
        frames += [_chunk(base, dict.fromkeys(names, piece)) for piece in _pieces(thought)]
    if content := choice_text(choice):  # content written as parts too
        frames += [_chunk(base, {"content": piece}) for piece in _pieces(content)]
    if isinstance(message.get("refusal"), str) and message["refusal"]:
        frames += [_chunk(base, {"refusal": piece}) for piece in _pieces(message["refusal"])]
    for index, call in enumerate(message.get("tool_calls") or ()):
        frames.append(_chunk(base, {"tool_calls": [{"index": index, **call}]}))
    frames.append(_chunk(base, {}, choice.get("finish_reason") or "stop"))
    return stream_of(frames, usage=result.usage, meta={"id": base["id"], "model": base["model"], "created": base["created"]})


def _chunk(base: dict[str, Any], delta: dict[str, Any], finish: str | None = None) -> bytes:
    return b"data: " + orjson.dumps({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}) + b"\n\n"


def _pieces(text: str) -> list[str]:
    return [text[i : i + STREAM_PIECE_CHARS] for i in range(0, len(text), STREAM_PIECE_CHARS)] or [""]


