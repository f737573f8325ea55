"""Incremental Server-Sent Events framing.

Upstream bytes arrive in arbitrary TCP-sized pieces; the gateway forwards whole events, so it
only needs to find event boundaries (a blank line) — it never re-serialises an event it passes on.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

_BOUNDARIES = (b"\n\n", b"\r\n\r\n", b"\n\r\n", b"\r\n\n", b"\r\r")


class SSEFramer:
    """Cuts a byte stream into complete SSE events (each returned with its trailing blank line)."""

    __slots__ = ("_buffer", "max_event_bytes")

    def __init__(self, max_event_bytes: int = 16 * 1024 * 1024) -> None:
        self._buffer = b""
        self.max_event_bytes = max_event_bytes

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the events completed by them, in order."""
        buffer = self._buffer + data if self._buffer else data
        events: list[bytes] = []
        start = 0
        while True:
            end, size = _next_boundary(buffer, start)
            if end < 0:
                break
            events.append(buffer[start : end + size])
            start = end + size
        self._buffer = buffer[start:]
        if len(self._buffer) > self.max_event_bytes:
            raise ValueError("SSE event exceeds the size limit")
        return events

    def flush(self) -> bytes:
        """What is left when the stream ends (a final event without its blank line, or nothing)."""
        rest, self._buffer = self._buffer, b""
        return rest


def _next_boundary(buffer: bytes, start: int) -> tuple[int, int]:
    best, size = -1, 0
    for boundary in _BOUNDARIES:
        index = buffer.find(boundary, start)
        if index >= 0 and (best < 0 or index < best):
            best, size = index, len(boundary)
    return best, size


def event_data(event: bytes) -> bytes | None:
    """The joined `data:` payload of one event, or None for a comment/keep-alive-only event."""
    parts = [
        line[5:].lstrip(b" ") if line.startswith(b"data:") else None
        for line in event.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    ]
    data = [part for part in parts if part is not None]
    return b"\n".join(data) if data else None


def event_name(event: bytes) -> bytes | None:
    """The `event:` field of one event, if any."""
    for line in event.replace(b"\r\n", b"\n").split(b"\n"):
        if line.startswith(b"event:"):
            return line[6:].strip()
    return None


async def iter_events(chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """Complete SSE events from a chunked byte stream; a trailing partial event is yielded last."""
    framer = SSEFramer()
    async for chunk in chunks:
        for event in framer.feed(chunk):
            yield event
    rest = framer.flush()
    if rest.strip():
        yield rest
