"""The serving path's HTTP/1.1 client (backends/h1.py, h1pool.py, direct.py) against real loopback
servers: the request it writes, response framing, decoding and streaming."""

from __future__ import annotations

import asyncio
import gzip
import zlib

import httpx
import pytest

from backends import h1
from backends.anthropic import AnthropicBackend
from backends.base import Backend, BackendConfig, UpstreamError
from backends.h1pool import TRACE_CONTEXT, UPSTREAM_REQUEST_ID
from backends.request_hints import RequestHints
from tests.backends._h1_client_helpers import BODY, Peer, Upstream, _until, chunked, client, half_stream_then_wait, keep_answering, ok, pool_of

pytestmark = pytest.mark.anyio


# --- framing and decoding -------------------------------------------------------------------


async def test_the_anthropic_adapter_sends_its_credentials_once_and_its_beta_flags_per_request() -> None:
    """Serving, the Anthropic adapter is on this client too (it was on httpx's, which marked a request written before its
    wait for a connection): its key and version on every request, the configured and the client's beta flags once, in
    one header of the request's own; a flag with a line break is refused before anything is written."""
    answer = b'{"id":"m","type":"message","role":"assistant","model":"c","content":[{"type":"text","text":"hi"}],' \
             b'"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}'

    async def serve(peer: Peer) -> None:
        while True:
            await peer.request()
            await peer.send(ok(answer))

    async with Upstream(serve) as up:
        b = AnthropicBackend("a", BackendConfig(kind="anthropic", base_url=up.url(), api_key="sk-ant", headers={"Anthropic-Beta": "flag-a"},
                                                timeouts={"connect": 1.0, "total": 5.0}))
        try:
            assert b._direct is not None
            body = {"model": "c", "messages": [{"role": "user", "content": "hi"}]}
            result = await b.chat(body, hints=RequestHints(betas=("flag-b", "flag-a")))
            assert result.body["choices"][0]["message"]["content"] == "hi" and result.usage.prompt_tokens == 3
            await b.chat({"model": "c", "messages": [{"role": "user", "content": "hi"}]})
            with pytest.raises(UpstreamError):
                await b.chat(body, hints=RequestHints(betas=("x\r\nX-Injected: 1",)))
        finally:
            await b.aclose()
    (_, head, _), (_, plain, _) = up.requests
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /v1/messages HTTP/1.1"
    assert [line for line in lines if line.lower().startswith(("anthropic-", "x-api-key"))] == [
        "anthropic-version: 2023-06-01", "x-api-key: sk-ant", "anthropic-beta: flag-a,flag-b"]
    assert [line for line in plain.decode().split("\r\n") if line.lower().startswith("anthropic-beta")] == ["anthropic-beta: flag-a"]



async def test_the_request_is_written_with_exactly_the_httpx_clients_headers() -> None:
    """The httpx client's headers, but for those the request states itself: what it accepts (JSON, or SSE when streamed)."""
    async with Upstream(keep_answering) as up, client(up.url(), api_key="sk-secret", headers={"X-Extra": "1", "Accept-Encoding": "br"}) as b:
        response = await b.post_json("chat/completions", BODY)
        assert response.status_code == 200 and response.content == b'{"ok":true}'
        assert response.headers.get("content-type") == "application/json" and response.headers["Content-Length"] == "11"
    ((_, head, body),) = up.requests
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /v1/chat/completions HTTP/1.1" and body == BODY
    assert sorted(lines[1:-2]) == sorted([
        f"Host: 127.0.0.1:{up.port}", "Accept: application/json", "Connection: keep-alive", f"User-Agent: python-httpx/{httpx.__version__}",
        "Authorization: Bearer sk-secret", "X-Extra: 1", "Accept-Encoding: gzip, deflate", "Content-Type: application/json",
        f"Content-Length: {len(BODY)}",
    ])  # fmt: skip


async def test_the_attempt_s_request_id_is_a_header_of_its_own() -> None:
    """The gateway's id for an attempt (`UPSTREAM_REQUEST_ID`, set around it) goes as `X-Request-Id`; none without one."""
    async with Upstream(keep_answering) as up, client(up.url()) as b:
        naming = UPSTREAM_REQUEST_ID.set("req-1-0a0b0c")
        try:
            await b.post_json("chat/completions", BODY, stream=True)
        finally:
            UPSTREAM_REQUEST_ID.reset(naming)
        await b.post_json("chat/completions", BODY)
    (_, named, _), (_, plain, _) = up.requests
    assert named.decode().split("\r\n")[-4:-2] == ["X-Request-Id: req-1-0a0b0c", f"Content-Length: {len(BODY)}"]
    assert b"X-Request-Id" not in plain and plain.endswith(b"Content-Length: %d\r\n\r\n" % len(BODY))


async def test_the_client_s_trace_context_goes_upstream_only_where_forwarded() -> None:
    """`forward_trace_context`: the client's W3C headers (set per request: router/api.py) as lines of the request's own."""
    trace = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "congo=t61rcWkgMzE"}
    async with Upstream(keep_answering) as up:
        for forward in (True, False):
            async with client(up.url(), forward_trace_context=forward) as b:
                tracing = TRACE_CONTEXT.set(trace)
                try:
                    await b.post_json("chat/completions", BODY)
                finally:
                    TRACE_CONTEXT.reset(tracing)
    (_, forwarded, _), (_, kept, _) = up.requests
    assert [line for line in forwarded.decode().split("\r\n") if line.startswith("trace")] == [f"{k}: {v}" for k, v in trace.items()]
    assert b"trace" not in kept


async def test_chunked_and_close_delimited_bodies_and_interim_responses() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(b"ab", b"cd"))
        await peer.request()
        await peer.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the")
        await peer.send(b" end")  # no length, not chunked: the body ends with the connection

    async with Upstream(serve) as up, client(up.url()) as b:
        assert (await b.post_json("p", BODY)).content == b"abcd"
        assert (await b.post_json("p", BODY)).content == b"until the end"
        assert up.connections == 1, "the chunked response left the connection reusable"


async def test_empty_204_response() -> None:
    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 204 No Content\r\n\r\n")
        await keep_answering(peer)

    async with Upstream(serve) as up, client(up.url()) as b:
        response = await b.post_json("p", BODY)
        assert (response.status_code, response.content) == (204, b"")
        assert (await b.post_json("p", BODY)).status_code == 200 and up.connections == 1


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate"])
async def test_compressed_bodies_are_decoded_for_reads_and_streams(coding: str) -> None:
    text = b"data: hello\n\n" * 200
    if coding == "gzip":
        packed = gzip.compress(text)
    else:
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS if coding == "raw-deflate" else zlib.MAX_WBITS)
        packed = packer.compress(text) + packer.flush()
    header = "Content-Encoding: " + coding.removeprefix("raw-")

    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(ok(packed, header))
        await peer.request()
        await peer.send(
            f"HTTP/1.1 200 OK\r\n{header}\r\nTransfer-Encoding: chunked\r\n\r\n".encode() + chunked(packed[:7], packed[7:50], packed[50:])
        )
        await peer.eof()

    async with Upstream(serve) as up, client(up.url()) as b:
        assert (await b.post_json("p", BODY)).content == text
        response = await b.post_json("p", BODY, stream=True)
        assert b"".join([chunk async for chunk in response.aiter_raw()]) == text
        await response.aclose()


async def test_a_stream_yields_each_chunk_as_it_arrives() -> None:
    release = asyncio.Event()

    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" + b"5\r\nfirst\r\n")
        await release.wait()
        await peer.send(b"6\r\nsecond\r\n0\r\n\r\n")
        await keep_answering(peer)

    async with Upstream(serve) as up, client(up.url()) as b:
        response = await b.post_json("p", BODY, stream=True)
        assert response.status_code == 200 and response.headers.get("content-type") == "text/event-stream"
        chunks = response.aiter_raw()
        assert await asyncio.wait_for(anext(chunks), 2) == b"first", "before the server sent more"
        release.set()
        assert [chunk async for chunk in chunks] == [b"second"]
        await response.aclose()
        assert (await b.post_json("p", BODY)).status_code == 200
        assert up.connections == 1, "a stream read to the end gives its connection back"


SSE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
SSE_EVENTS = b'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n' + b"data: [DONE]\n\n"


async def _stream_to_done(b: Backend) -> None:
    """A chat stream through the adapter, relayed to its `[DONE]` and closed as the gateway does."""
    stream = await b.chat_stream({"model": "m", "messages": []})
    assert b"".join([frame async for frame in stream.frames]).startswith(b'data: {"id":"c1"')
    await stream.aclose()


async def test_a_stream_ended_by_done_before_its_chunked_terminator_keeps_its_connection() -> None:
    terminator = asyncio.Event()

    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(SSE_HEAD + b"%x\r\n%s\r\n" % (len(SSE_EVENTS), SSE_EVENTS))  # [DONE], not yet the end
        await terminator.wait()
        await peer.send(b"0\r\n\r\n")
        await keep_answering(peer)

    async with Upstream(serve) as up, client(up.url()) as b:
        await _stream_to_done(b)
        assert pool_of(b).count == 1 and not pool_of(b).idle, "lingering for the framing's end, slot held"
        terminator.set()
        await asyncio.wait_for(_until(lambda: len(pool_of(b).idle) == 1), 1)
        assert (await b.post_json("p", BODY)).status_code == 200
        assert up.connections == 1, "the stream's connection was reused, not reopened"


async def test_a_lingering_connection_whose_framing_never_ends_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(h1, "LINGER_SECONDS", 0.05)

    async def serve(peer: Peer) -> None:
        await peer.request()
        await peer.send(SSE_HEAD + b"%x\r\n%s\r\n" % (len(SSE_EVENTS), SSE_EVENTS))
        await peer.eof()

    async with Upstream(serve) as up, client(up.url()) as b:
        await _stream_to_done(b)
        await asyncio.wait_for(_until(lambda: len(up.closed) == 1), 1)
        assert pool_of(b).count == 0


async def test_a_stream_closed_before_its_end_closes_its_connection() -> None:
    async with Upstream(half_stream_then_wait) as up, client(up.url()) as b:
        response = await b.post_json("p", BODY, stream=True)
        assert await anext(response.aiter_raw()) == b"first"
        await response.aclose()
        await asyncio.wait_for(_until(lambda: len(up.closed) == 1), 1)
        assert pool_of(b).count == 0 and not pool_of(b).idle
