"""One HTTP/1.1 client connection: an `asyncio.Protocol` with httptools' response parser.

aiohttp's client spent ~450 µs of the gateway's ~1,200 µs CPU per request building request and
response objects, header multidicts and connector bookkeeping around what is, for our upstreams,
one small write and a parse. Here a request is one `transport.write` of precomputed header bytes
and the body, and a response is the parser's callbacks appending to a list: no task, no stream
reader, no header dict (headers stay raw byte pairs, looked up only on the rare error path).

The pool that owns these connections (limits, keep-alive, retries) is `backends/h1pool.py`; the
header view and content decoders are `backends/h1wire.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx
from httptools import HttpParserError, HttpResponseParser

from backends.h1wire import Headers, decoder_for

if TYPE_CHECKING:
    from backends.h1pool import Pool

#: Unread body bytes above which the socket stops being read (flow control); reading resumes once
#: the reader took them (it takes all that is buffered at once).
HIGH_WATER = 256 * 1024
#: How long a stream's connection may wait, after its reader stopped at the end of the content
#: (an SSE `[DONE]`), for the end of the HTTP framing, to go back to the pool instead of closing.
LINGER_SECONDS = 1.0
#: Body bytes a lingering connection may still discard; more means it was not the end after all.
LINGER_BYTES = 64 * 1024


#: How soon after the request was written a reused connection's close is still the keep-alive race (the server closed
#: it idle, and its FIN crossed our request: within a round trip). A close later than this came from a server that held
#: the request, may have processed it, and is an error the router sees (counted, budgeted, failed over by its rules).
STALE_RACE_SECONDS = 0.25


class StaleConnection(Exception):
    """A reused keep-alive connection closed before any byte of the response, within `STALE_RACE_SECONDS` of the
    request: the server closed it while idle (the keep-alive race), so the request was not processed and may be sent again."""


class Connection(asyncio.Protocol):
    """One keep-alive connection; carries at most one request at a time (no pipelining).

    Body chunks are buffered in `chunks` (decoded) until the response reads them; `waiter` is the
    one future a reader may be blocked on, woken by the parser's callbacks or the connection's end.
    """

    __slots__ = (
        "active", "buffered", "chunks", "closed", "decoder", "done", "draining", "error", "headers", "idle",
        "idle_since", "informational", "keep_alive", "last_read", "parser", "paused", "pool",
        "received", "reused", "status", "stream", "timer", "transport", "waiter",
    )  # fmt: skip

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport = None  # type: ignore[assignment]  # set in connection_made
        self.parser = HttpResponseParser(self)
        self.closed = self.active = self.reused = self.idle = self.stream = False
        self.idle_since = self.last_read = 0.0
        self.status = self.buffered = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.paused = self.done = self.keep_alive = self.received = self.informational = self.draining = False
        self.error: BaseException | None = None
        self.decoder: zlib._Decompress | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.timer: asyncio.TimerHandle | None = None

    # --- the request side -------------------------------------------------------------------

    def send(self, data: bytes, stream: bool, now: float) -> None:
        """Start one exchange: reset the response state and write the whole request at once."""
        self.active, self.stream, self.last_read = True, stream, now
        self.status = self.buffered = 0
        self.headers = []
        self.chunks = []
        self.done = self.keep_alive = self.received = self.draining = False
        self.error = self.decoder = None
        self.transport.write(data)
        if self.pool.read_timeout is not None:
            self.timer = self.pool.loop.call_at(now + self.pool.read_timeout, self._check_read)

    async def wait(self) -> None:
        """Until the parser or the connection's end has news for the reader."""
        waiter = self.waiter = self.pool.loop.create_future()
        await waiter

    def close(self) -> None:
        """Drop the connection now (its slot is freed at once); the socket closes on the next loop turn."""
        if self.active and not self.done:
            self._fail(httpx.ReadError("connection closed while the response was being read"))  # a waiting reader learns of it
        self.active = False
        if not self.closed:
            self.closed = True
            self._stop_timer()
            self.transport.abort()
            self.pool.lost(self)

    def take(self) -> list[bytes]:
        """The buffered body chunks, handed over; reading resumes if flow control paused it."""
        chunks = self.chunks
        self.chunks = []
        self.buffered = 0
        if self.paused and not self.closed:
            self.paused = False
            self.transport.resume_reading()
        return chunks

    def finish(self) -> None:
        """The exchange is over: keep the connection for the next request or close it."""
        if not self.active:  # finished or closed already: never released twice
            return
        self.active = False
        self._stop_timer()
        if self.done and self.keep_alive and self.error is None and not self.closed:
            self.pool.release(self)
        else:
            self.close()

    def linger(self) -> None:
        """The reader has all it wants and stopped before the body's framing ended (a stream's
        chunked terminator usually trails its `[DONE]` by a write): discard what still comes,
        and go back to the pool when the response completes — or close after `LINGER_SECONDS`
        or `LINGER_BYTES`, whichever comes first. Saves a reconnect (a TLS handshake to a remote
        API) per stream."""
        if self.closed or self.error is not None or not self.active:
            self.close()
            return
        self.draining = True
        self.chunks = []
        self.buffered = 0
        if self.paused:
            self.paused = False
            self.transport.resume_reading()
        self._stop_timer()
        self.timer = self.pool.loop.call_later(LINGER_SECONDS, self.close)

    # --- asyncio.Protocol -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if not self.active or self.done:
            self.close()  # bytes nobody asked for: the connection cannot be trusted with a request
            return
        self.received = True
        self.last_read = self.pool.loop.time()
        try:
            self.parser.feed_data(data)
        except HttpParserError as exc:
            if not self.done:
                self._fail(httpx.RemoteProtocolError(f"malformed HTTP response: {exc}"))
            self.close()

    def eof_received(self) -> bool:
        return False  # close the transport: connection_lost decides what the end means

    def connection_lost(self, exc: Exception | None) -> None:
        if self.active and not self.done and self.error is None:
            if self.status and exc is None and self._close_delimited():
                self._complete()  # a body delimited by the end of the connection ends here
            elif not self.received and self.reused and self.pool.loop.time() - self.last_read <= STALE_RACE_SECONDS:
                self.error = StaleConnection()  # `last_read` is the send time until a byte arrives
            elif exc is not None:
                self.error = httpx.ReadError(str(exc) or type(exc).__name__)
            elif self.received:
                self.error = httpx.RemoteProtocolError("server closed the connection in the middle of the response")
            else:
                self.error = httpx.RemoteProtocolError("server disconnected without sending a response")
            self._wake()
        self.keep_alive = False
        if not self.closed:
            self.closed = True
            self._stop_timer()
            self.pool.lost(self)

    # --- httptools callbacks ----------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self.done:  # (a complete response's headers are the Response's; later bytes are garbage)
            self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        if self.done:
            raise httpx.RemoteProtocolError("unexpected bytes after the response")
        status = self.parser.get_status_code()
        if status < 200:  # 1xx: an interim response, the real one follows on this connection
            self.informational = True
            self.headers = []
            return
        self.status = status
        try:
            self.decoder = decoder_for(self.headers)
        except httpx.DecodingError as exc:
            self.error = exc
            raise
        if self.stream:
            self._wake()

    def on_body(self, body: bytes) -> None:
        if self.decoder is not None:
            try:
                body = self.decoder.decompress(body)
            except zlib.error as exc:
                self.error = httpx.DecodingError(f"malformed compressed body: {exc}")
                raise self.error from exc
            if not body:
                return
        if self.draining:
            self.buffered += len(body)
            if self.buffered > LINGER_BYTES:
                self.close()
            return
        self.chunks.append(body)
        self.buffered += len(body)
        if self.stream:
            self._wake()
            if self.buffered > HIGH_WATER and not self.paused:
                self.paused = True
                self.transport.pause_reading()

    def on_message_complete(self) -> None:
        if self.informational:
            self.informational = False
            return
        self.keep_alive = self.parser.should_keep_alive()
        self._complete()

    # --- internals --------------------------------------------------------------------------

    def _complete(self) -> None:
        if self.decoder is not None:
            tail = self.decoder.flush()
            if tail:
                self.chunks.append(tail)
                self.buffered += len(tail)
        self.done = True
        self._stop_timer()
        if self.draining:
            self.finish()
            return
        self._wake()

    def _close_delimited(self) -> bool:
        """Whether the body ends with the connection (neither a length nor chunked framing)."""
        if self.status in (204, 304):
            return False
        for field, value in self.headers:
            name = field.lower()
            if name == b"content-length" or (name == b"transfer-encoding" and b"chunked" in value.lower()):
                return False
        return True

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def _fail(self, error: BaseException) -> None:
        if self.error is None:  # the first error is the cause (a decoding error raised in a callback)
            self.error = error
        self._wake()

    def _stop_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _check_read(self) -> None:
        """The read timeout: a reader waiting with nothing arriving for `read_timeout`. One timer per
        request, re-armed lazily, rather than one per read. A stream whose reader is busy elsewhere
        is not the upstream's gap: its clock restarts."""
        self.timer = None
        if self.done or self.closed or not self.active:
            return
        loop, timeout = self.pool.loop, self.pool.read_timeout or 0.0
        now = loop.time()
        if self.waiter is None:
            self.last_read = now
        due = self.last_read + timeout
        if due > now:
            self.timer = loop.call_at(due, self._check_read)
            return
        self._fail(httpx.ReadTimeout(f"no data from upstream for {timeout:g} s"))
        self.close()


class Response:
    """The part of `httpx.Response` the adapters use: status, headers, the body read or streamed."""

    __slots__ = ("_conn", "content", "headers", "status_code")

    def __init__(self, conn: Connection | None, status: int, headers: Headers, content: bytes | None = None) -> None:
        self._conn = conn
        self.status_code = status
        self.headers = headers
        self.content = content

    async def aread(self) -> bytes:
        if self.content is None:
            self.content = b"".join([chunk async for chunk in self.aiter_raw()])
        return self.content

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body as it arrives (decoded if the upstream compressed it); the connection goes back
        to the pool after the last byte, and is closed if iteration stops early or fails."""
        conn = self._conn
        if conn is None:
            if self.content:
                yield self.content
            return
        try:
            while self._conn is conn:  # (the response may be closed between two reads)
                if conn.chunks:
                    chunks = conn.take()
                    yield chunks[0] if len(chunks) == 1 else b"".join(chunks)
                elif conn.done:
                    self._conn = None
                    conn.finish()
                    return
                elif conn.error is not None:
                    raise conn.error
                else:
                    await conn.wait()
        except BaseException:
            if self._conn is conn:  # only while the connection is still this response's
                self._conn = None
                conn.finish() if conn.done else conn.close()
            raise
        raise httpx.ReadError("the response was closed while being read")

    #: httpx's decoded iteration: this one is already decoded.
    aiter_bytes = aiter_raw

    async def aclose(self) -> None:
        """Release the connection; one whose body was not read to the end is closed, not reused."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.finish() if conn.done else conn.close()

    async def aclose_at_end_of_content(self) -> None:
        """Release the connection when the caller stopped at the end of the content (an SSE
        stream's `[DONE]`): the framing still in flight is awaited in the background and the
        connection reused (`Connection.linger`). Only for a logical end: a reader that stops in
        the middle must `aclose`, which closes at once and stops the upstream generating."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.finish() if conn.done else conn.linger()

    def __del__(self) -> None:
        """A streamed response dropped without `aclose` (its caller cancelled before taking it over)
        must not hold its connection and pool slot until the server ends the stream."""
        conn = self._conn
        if conn is not None:
            self._conn = None
            with contextlib.suppress(Exception):  # the loop may be closed already
                conn.finish() if conn.done else conn.close()
