"""Incremental Server-Sent Events framing.

Upstream bytes arrive in arbitrary TCP-sized pieces; the gateway forwards whole events, so it
only needs to find event boundaries (a blank line) — it never re-serialises an event it passes on.
"""

from __future__ import annotations

import re

_BOUNDARIES = (b"\n\n", b"\r\n\r\n", b"\n\r\n", b"\r\n\n", b"\r\r")
_BOUNDARY = re.compile(b"|".join(re.escape(boundary) for boundary in _BOUNDARIES))


class SSEFramer:
    """Cuts a byte stream into complete SSE events (each returned with its trailing blank line)."""

    __slots__ = ("_buffer", "max_event_bytes")

    def __init__(self, max_event_bytes: int = 16 * 1024 * 1024) -> None:
        self._buffer = b""
        self.max_event_bytes = max_event_bytes

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the events completed by them, in order."""
        buffer = self._buffer + data if self._buffer else data
        if b"\r" not in buffer:
            # Without a CR the only boundary is a blank "\n\n", and `split` finds the same leftmost,
            # non-overlapping boundaries as the scan below at C speed (the whole 14 KB burst of a
            # fast upstream is framed before its first event goes out).
            parts = buffer.split(b"\n\n")
            self._buffer = parts.pop()
            if len(self._buffer) > self.max_event_bytes:
                raise ValueError("SSE event exceeds the size limit")
            return [part + b"\n\n" for part in parts]
        events: list[bytes] = []
        start = 0
        # One left-to-right scan: at most one boundary kind can match at a given index, so the
        # leftmost match is the nearest boundary, as with one `find` per kind — which rescanned
        # the rest of the buffer for every event (a 14 KB burst of 70 events: 16% of streaming
        # CPU and most of the time to first token).
        for match in _BOUNDARY.finditer(buffer):
            end = match.end()
            events.append(buffer[start:end])
            start = end
        self._buffer = buffer[start:]
        if len(self._buffer) > self.max_event_bytes:
            raise ValueError("SSE event exceeds the size limit")
        return events

    def flush(self) -> bytes:
        """What is left when the stream ends (a final event without its blank line, or nothing)."""
        rest, self._buffer = self._buffer, b""
        return rest


def count_events(frame: bytes) -> int:
    """How many events a relayed frame of whole events holds: the one count behind the estimate of a
    stream that ended without usage (a token an event). Counting `data:` would also count the
    text `data:` inside an answer's JSON (a YAML or log answer billed 2-3x)."""
    found = frame.count(b"\n\n") if b"\r" not in frame else len(_BOUNDARY.findall(frame))
    return found or int(bool(frame))  # a frame without its blank line (a stream's last) is still one event


def events_of(frame: bytes) -> list[bytes]:
    """The events of a relayed frame, which holds one or more whole events."""
    framer = SSEFramer()
    events = framer.feed(frame)
    rest = framer.flush()
    return [*events, rest] if rest else events


def event_data(event: bytes) -> bytes | None:
    """The joined `data:` payload of one event, or None for a comment/keep-alive-only event."""
    if event.startswith(b"data:") and event.endswith(b"\n\n") and event.count(b"\n") == 2 and b"\r" not in event:
        return event[5:-2].lstrip(b" ")  # the usual one-line event, without splitting it into lines
    parts = [
        line[5:].lstrip(b" ") if line.startswith(b"data:") else None
        for line in event.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    ]
    data = [part for part in parts if part is not None]
    return b"\n".join(data) if data else None

