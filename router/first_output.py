"""Holding a stream until its first output: what keeps a stream that breaks off early retryable.

A stream is the client's once its first byte went out; until then a failed attempt can still fall back. An event that
carries nothing the model wrote — a role-only chunk (vLLM's before its first token, the one Anthropic's
`message_start` becomes), a usage-only or filter chunk — commits nothing, so it is held and goes out with the first
output (router/resilience.py awaits this under `first_byte`).
"""

from __future__ import annotations

import asyncio
import contextlib

from backends.base import ChatStream, UpstreamError
from backends.chat_shape import frame_has_output


async def first_output(stream: ChatStream, idle: float) -> bytes | None:
    """Wait for the stream's first output (what the model wrote, or its end), so that an upstream that fails right after
    its headers or a role-only chunk (an error event — Anthropic's overloaded_error after message_start —, a cut
    connection, a stall) can still be retried before the client sees a byte. The frames before it go out with it; the
    gap after each of them is bounded by `idle`, as any two stream events are (the caller's timeout bounds the first)."""
    held = b""
    with contextlib.suppress(StopAsyncIteration):
        frame = await anext(stream.frames)
        while not frame_has_output(frame):
            held += frame
            try:
                async with asyncio.timeout(idle):
                    frame = await anext(stream.frames)
            except TimeoutError:
                raise UpstreamError("timeout", f"upstream stream stalled for {idle:g} s (idle timeout)") from None
        held += frame
    return held or None
