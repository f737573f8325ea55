"""A keep-alive pool of `backends.h1.Connection`s to one upstream (host, port, TLS or not).

Semantics as httpx/aiohttp pools have them: at most `limit` connections; idle ones reused
last-in-first-out (the warmest) until `keepalive_expiry`; at the limit a request waits for a
connection or a free slot up to `pool_timeout`. One retry, on a fresh connection, and only for the
keep-alive race: a reused connection that the server closed before sending any byte of the
response, right after the request was written (`h1.STALE_RACE_SECONDS`) — the request was not processed. Never
otherwise: a POST may have side effects (a server that held it for seconds and then closed may have generated it).
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from contextvars import ContextVar

import httpx

from backends.h1 import Connection, Response, StaleConnection
from backends.h1wire import Headers

#: Set by the gateway around an attempt (router/resilience.py), marked once its request was written: an attempt
#: cut before — waiting for a connection or connecting — never reached the upstream and is not charged.
REQUEST_WRITTEN: ContextVar[list[bool] | None] = ContextVar("request_written", default=None)

#: The id an attempt goes upstream under, as `X-Request-Id` (Envoy's practice; vLLM names its request by it, in its logs
#: and traces): the gateway's request id and a suffix of its own, set around the attempt (router/resilience.py) — a
#: request's parallel samples and retries each need their own, as vLLM long refused a second request under a running id.
UPSTREAM_REQUEST_ID: ContextVar[str | None] = ContextVar("upstream_request_id", default=None)

#: The client's W3C trace context (`traceparent`, and `tracestate` with it), validated (router/request_info.py), set for
#: each request; a backend with `forward_trace_context` sends it on, so the upstream's spans join the client's trace.
TRACE_CONTEXT: ContextVar[dict[str, str] | None] = ContextVar("trace_context", default=None)


def mark_written(written: bool = True) -> None:
    """Tell the attempt in progress (if the gateway watches one) whether its request reached the upstream."""
    marker = REQUEST_WRITTEN.get()
    if marker is not None:
        marker[0] = written


class Pool:
    """Connections to one upstream; a slot is held from connecting until the connection closes."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        ssl_context: ssl.SSLContext | None,
        limit: int,
        keepalive_expiry: float | None,
        connect_timeout: float | None,
        read_timeout: float | None,
        pool_timeout: float | None,
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self.host, self.port = host, port
        self.ssl_context = ssl_context
        self.limit = limit
        self.keepalive_expiry = keepalive_expiry if keepalive_expiry is not None else float("inf")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.pool_timeout = pool_timeout
        self.count = 0  # open or connecting connections, i.e. slots taken
        self.idle: list[Connection] = []
        self.waiters: deque[asyncio.Future[Connection | None]] = deque()
        self.connections: set[Connection] = set()

    async def request(self, data: bytes, *, stream: bool) -> Response:
        """Send `data` (a whole request) and return once the headers (`stream`) or the whole body arrived."""
        conn = await self._acquire(fresh=False)
        try:
            return await self._exchange(conn, data, stream)
        except StaleConnection:
            pass
        conn = await self._acquire(fresh=True)
        return await self._exchange(conn, data, stream)

    async def _exchange(self, conn: Connection, data: bytes, stream: bool) -> Response:
        try:
            conn.send(data, stream, self.loop.time())
            mark_written()
            while not (conn.done or (stream and conn.status)):
                if conn.error is not None:
                    raise conn.error
                await conn.wait()
        except BaseException:
            conn.close()  # cancelled (the client went away), timed out or failed: the slot is freed now
            raise
        headers = Headers(conn.headers)
        if stream:
            return Response(conn, conn.status, headers)
        chunks = conn.chunks
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        status = conn.status
        conn.finish()
        return Response(None, status, headers, body)

    # --- slots and idle connections ----------------------------------------------------------

    async def _acquire(self, *, fresh: bool) -> Connection:
        deadline = None
        while True:
            idle = self.idle
            if idle and not fresh:
                now = self.loop.time()
                while idle:
                    conn = idle.pop()
                    conn.idle = False
                    if now - conn.idle_since < self.keepalive_expiry and not conn.transport.is_closing():
                        conn.reused = True
                        return conn
                    conn.close()
            if self.count < self.limit:
                self.count += 1
                return await self._connect()
            if fresh and idle:  # the retry: make room by closing the oldest idle connection, keeping its slot
                conn = idle.pop(0)
                conn.idle = False
                self.count += 1
                conn.close()
                return await self._connect()
            if deadline is None and self.pool_timeout is not None:
                deadline = self.loop.time() + self.pool_timeout
            got = await self._wait(deadline)
            if got is None:
                return await self._connect()  # a slot handed over
            if got.closed:  # lost between the hand-over and now: its slot went elsewhere
                continue
            if not fresh:
                got.reused = True
                return got
            self.count += 1  # closing `got` gives its slot back, which we take
            got.close()
            return await self._connect()

    async def _wait(self, deadline: float | None) -> Connection | None:
        waiter: asyncio.Future[Connection | None] = self.loop.create_future()
        self.waiters.append(waiter)
        try:
            if deadline is None:
                return await waiter
            async with asyncio.timeout_at(deadline):
                return await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():  # handed over just as we gave up: pass it on
                got = waiter.result()
                if got is None:
                    self._free_slot()
                else:
                    self.release(got)
            if isinstance(exc, TimeoutError):
                raise httpx.PoolTimeout(f"no connection to the upstream free within {self.pool_timeout:g} s") from None
            raise

    async def _connect(self) -> Connection:
        """A new connection in a slot already taken; the slot is given back if connecting fails."""
        try:
            try:
                async with asyncio.timeout(self.connect_timeout):
                    _, conn = await self.loop.create_connection(
                        lambda: Connection(self), self.host, self.port,
                        ssl=self.ssl_context, server_hostname=self.host if self.ssl_context else None,
                    )  # fmt: skip
            except TimeoutError:
                raise httpx.ConnectTimeout(f"connecting to the upstream took over {self.connect_timeout:g} s") from None
            except OSError as exc:  # refused, unreachable, DNS (socket.gaierror), TLS (ssl.SSLError)
                raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        except BaseException:
            self._free_slot()
            raise
        if conn.closed:  # lost as soon as made (its slot is already free)
            raise httpx.ConnectError("the upstream closed the connection at once")
        self.connections.add(conn)
        return conn

    def release(self, conn: Connection) -> None:
        """A connection whose exchange completed cleanly: to a waiter, or idle."""
        waiters = self.waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        conn.idle = True
        conn.idle_since = self.loop.time()
        self.idle.append(conn)

    def lost(self, conn: Connection) -> None:
        """A connection closed (by either side): forget it and free its slot."""
        self.connections.discard(conn)
        if conn.idle:
            conn.idle = False
            self.idle.remove(conn)
        self._free_slot()

    def _free_slot(self) -> None:
        waiters = self.waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes to the waiter, `count` unchanged
                return
        self.count -= 1

    def close(self) -> None:
        """Close every connection (shutdown); responses still being read fail with a read error."""
        for conn in list(self.connections):
            conn.close()
