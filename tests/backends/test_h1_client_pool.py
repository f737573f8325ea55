"""The serving path's HTTP/1.1 client (backends/h1.py, h1pool.py, direct.py) against real loopback
servers: keep-alive and its one retry, pool limits, timeouts, cancellation."""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

import httpx
import pytest

from backends.base import map_transport_error
from backends.h1 import STALE_RACE_SECONDS
from tests.backends._h1_client_helpers import BODY, HALF_STREAM, Peer, Upstream, _until, client, half_stream_then_wait, keep_answering, ok, pool_of
from tests.ports import closed_port
from tests.reliability.loopback_rig import blackhole_port

pytestmark = pytest.mark.anyio


def answer_after(gate: asyncio.Event) -> Any:
    """An upstream that holds its first answer until `gate` is set, then answers every request."""

    async def serve(peer: Peer) -> None:
        await peer.request()
        await gate.wait()
        await peer.send(ok())
        await keep_answering(peer)

    return serve


# --- keep-alive and the one retry -----------------------------------------------------------


async def test_connections_are_reused_and_idle_ones_closed_by_the_server_are_dropped() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(ok())
        if peer.index == 0:
            await peer.request()
            await peer.send(ok())
            return  # the server closes the idle connection (its keep-alive timeout)
        await keep_answering(peer)

    async with Upstream(serve) as up, client(up.url()) as b:
        await b.post_json("p", BODY)
        await b.post_json("p", BODY)
        assert up.connections == 1
        await asyncio.wait_for(_until(lambda: not pool_of(b).idle), 1)  # the close is noticed while idle
        await b.post_json("p", BODY)
        assert up.connections == 2 and len(up.requests) == 3, "a fresh connection, no retry needed"


async def test_idle_connections_expire_after_the_keepalive_expiry() -> None:
    async with Upstream(keep_answering) as up, client(up.url()) as b:
        await b.post_json("p", BODY)
        pool_of(b).keepalive_expiry = 0.05  # httpx's default (5 s) is what serving uses
        await asyncio.sleep(0.1)
        await b.post_json("p", BODY)
        assert up.connections == 2 and pool_of(b).count == 1
        await asyncio.wait_for(_until(lambda: len(up.closed) == 1), 1)


async def test_a_reused_connection_closed_before_any_response_byte_is_retried_once_on_a_fresh_one() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        if peer.index == 0:
            await peer.send(ok())
            await peer.request()
            return  # the keep-alive race: closed as the next request arrived, nothing answered
        await peer.send(ok(b'{"retried":true}'))

    async with Upstream(serve) as up, client(up.url()) as b:
        await b.post_json("p", BODY)
        assert (await b.post_json("p", BODY)).content == b'{"retried":true}'
        assert [index for index, _, _ in up.requests] == [0, 0, 1]


async def test_a_reused_connection_closed_long_after_the_request_is_an_error_not_a_second_send() -> None:
    """A server that held the request for a while and then closed may have processed (generated, billed) it: not the
    keep-alive race, so not sent again behind the router's back (envoyproxy/envoy#10007, nginx's non_idempotent)."""
    async def serve(peer: Peer) -> None:
        await peer.request()
        if peer.index == 0:
            await peer.send(ok())
            await peer.request()
            await asyncio.sleep(STALE_RACE_SECONDS + 0.2)  # working on it, then gone
            return
        await peer.send(ok(b'{"retried":true}'))

    async with Upstream(serve) as up, client(up.url()) as b:
        await b.post_json("p", BODY)
        with pytest.raises(httpx.RemoteProtocolError):
            await b.post_json("p", BODY)
        assert len(up.requests) == 2, "sent once"


@pytest.mark.parametrize("partial", [b"H", b'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{"a"'])
async def test_no_retry_once_a_byte_of_the_response_arrived(partial: bytes) -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(ok())
        await peer.request()
        await peer.send(partial)

    async with Upstream(serve) as up, client(up.url()) as b:
        await b.post_json("p", BODY)
        with pytest.raises(httpx.RemoteProtocolError) as info:
            await b.post_json("p", BODY)
        assert map_transport_error(info.value).kind == "protocol"
        assert len(up.requests) == 2 and up.connections == 1


async def test_no_retry_when_a_fresh_connection_closes_without_an_answer() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()

    async with Upstream(serve) as up, client(up.url()) as b:
        with pytest.raises(httpx.RemoteProtocolError):
            await b.post_json("p", BODY)
        assert len(up.requests) == 1


async def test_a_server_cutting_the_body_is_an_error_for_reads_and_streams() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(HALF_STREAM)
        peer.writer.transport.abort()  # a reset, mid-body

    async with Upstream(serve) as up, client(up.url()) as b:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            await b.post_json("p", BODY)
        response = await b.post_json("p", BODY, stream=True)
        received = []
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            async for chunk in response.aiter_raw():
                received.append(chunk)
        assert received == [b"first"] and pool_of(b).count == 0 and up.connections == 2


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n", httpx.RemoteProtocolError),  # malformed response
        (ok(b"not gzip at all", "Content-Encoding: gzip"), httpx.DecodingError),  # malformed compressed body
    ],
)
async def test_a_malformed_answer_is_an_error_and_drops_the_connection(answer: bytes, error: type[Exception]) -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(answer)
        await peer.eof()

    async with Upstream(serve) as up, client(up.url()) as b:
        with pytest.raises(error):
            await b.post_json("p", BODY)
        assert pool_of(b).count == 0


# --- limits, timeouts, cancellation ---------------------------------------------------------


async def test_the_pool_limit_queues_requests_and_the_pool_timeout_ends_the_wait() -> None:
    gate = asyncio.Event()
    serve = answer_after(gate)

    async with Upstream(serve) as up, client(up.url(), max_connections=1, timeouts={"connect": 0.2, "total": 5.0}) as b:
        first = asyncio.ensure_future(b.post_json("p", BODY))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(httpx.PoolTimeout):
            await b.post_json("p", BODY)
        assert 0.15 < time.monotonic() - started < 1.0
        queued = [asyncio.ensure_future(b.post_json("p", BODY)) for _ in range(3)]
        await asyncio.sleep(0.05)
        gate.set()
        assert (await first).status_code == 200
        assert [r.status_code for r in await asyncio.gather(*queued)] == [200] * 3
        assert up.connections == 1 and pool_of(b).count == 1


async def test_a_request_cancelled_while_queued_for_a_slot_leaves_the_pool_consistent() -> None:
    gate = asyncio.Event()
    serve = answer_after(gate)

    async with Upstream(serve) as up, client(up.url(), max_connections=1) as b:
        first = asyncio.ensure_future(b.post_json("p", BODY))
        await asyncio.sleep(0.05)
        queued = asyncio.ensure_future(b.post_json("p", BODY))
        await asyncio.sleep(0.05)
        queued.cancel()
        gate.set()
        assert (await first).status_code == 200
        assert queued.cancelled() and pool_of(b).count == 1 and len(pool_of(b).idle) == 1
        assert (await b.post_json("p", BODY)).status_code == 200 and up.connections == 1


async def test_many_concurrent_requests_stay_within_the_limit() -> None:
    async with Upstream(keep_answering) as up, client(up.url(), max_connections=4) as b:
        responses = await asyncio.gather(*(b.post_json("p", BODY) for _ in range(50)))
        assert {r.status_code for r in responses} == {200} and up.connections == 4 and len(pool_of(b).idle) == 4


async def test_connection_refused_is_a_connect_error() -> None:
    async with client(f"http://127.0.0.1:{closed_port()}/v1") as b:
        with pytest.raises(httpx.ConnectError) as info:
            await b.post_json("p", BODY)
        assert map_transport_error(info.value).kind == "connect" and pool_of(b).count == 0


async def test_a_connect_that_hangs_is_a_connect_timeout() -> None:
    port, held = blackhole_port()
    try:
        async with client(f"http://127.0.0.1:{port}/v1", timeouts={"connect": 0.2, "total": 5.0}) as b:
            started = time.monotonic()
            with pytest.raises(httpx.ConnectTimeout):
                await b.post_json("p", BODY)
            assert time.monotonic() - started < 1.0 and pool_of(b).count == 0
    finally:
        for sock in held:
            sock.close()


async def test_a_silent_upstream_is_a_read_timeout_before_and_during_the_body() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        if peer.index == 1:
            await peer.send(HALF_STREAM)
        await peer.eof()

    async with Upstream(serve) as up, client(up.url(), timeouts={"connect": 1.0, "total": 0.2}) as b:
        with pytest.raises(httpx.ReadTimeout) as info:
            await b.post_json("p", BODY)
        assert map_transport_error(info.value).kind == "timeout"
        response = await b.post_json("p", BODY, stream=True)
        chunks = response.aiter_raw()
        assert await anext(chunks) == b"first"
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            await anext(chunks)
        assert 0.15 < time.monotonic() - started < 1.0
        await asyncio.wait_for(_until(lambda: len(up.closed) == 2), 1)
        assert pool_of(b).count == 0


@pytest.mark.parametrize("stream", [False, True])
async def test_cancelling_a_request_closes_its_connection_at_once(stream: bool) -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        if stream:
            await peer.send(HALF_STREAM)
        await peer.eof()

    async with Upstream(serve) as up, client(up.url(), max_connections=1) as b:

        async def consume() -> None:
            response = await b.post_json("p", BODY, stream=stream)
            try:
                async for _ in response.aiter_raw():
                    pass
            finally:
                await response.aclose()

        task = asyncio.ensure_future(consume())
        await asyncio.wait_for(_until(lambda: len(up.requests) == 1), 1)
        await asyncio.sleep(0.05)
        task.cancel()
        cancelled = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pool_of(b).count == 0, "the slot is free at once"
        await asyncio.wait_for(_until(lambda: len(up.closed) == 1), 1)
        assert up.closed[0] - cancelled < 1.0


async def test_a_stream_response_dropped_without_aclose_frees_its_slot() -> None:
    async with Upstream(half_stream_then_wait) as up, client(up.url()) as b:
        response = await b.post_json("p", BODY, stream=True)
        assert pool_of(b).count == 1
        del response
        gc.collect()
        assert pool_of(b).count == 0
        await asyncio.wait_for(_until(lambda: len(up.closed) == 1), 1)
