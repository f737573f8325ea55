"""The request path's HTTP client: a lean HTTP/1.1 client of our own, without httpx's or aiohttp's objects.

Under load the httpx layer cost about a quarter of the gateway's CPU per request, and aiohttp's
client below it (request and response objects, header multidicts, payload registry, connector
bookkeeping) still ~38% once httpx was bypassed (docs/performance.md). `Backend` uses this client
for `post_json` when no transport was injected, i.e. in `serve`; an injected httpx transport (the
tests' in-process upstreams) keeps the httpx path, and `self.client` (httpx) still serves probes.
Both adapters (OpenAI-compatible, Anthropic) post through it, so both mark when a request is
written. The protocol and the pool are `backends/h1.py` and `backends/h1pool.py`: one
`transport.write` per request, httptools' parser, no task per request.
Against nginx at 16 concurrent requests this client costs 29 µs of CPU per request where aiohttp
used directly cost 169 µs (streams: 40 vs 182 µs); the whole gateway in-process, 311-338 µs vs
486-547 µs per request (both alternating in one run, with a constant classifier).

What stays the same: the headers sent (the httpx client's, including credentials and configured
headers, with Accept-Encoding: gzip, deflate and Content-Type: application/json), the timeouts
(httpx's connect, read as the gap between reads, and pool wait), the connection limit and
keep-alive expiry, certificate verification against httpx's CA bundle (`create_ssl_context`), no
redirects, no cookie jar, compressed bodies decoded for streams too, and the errors: httpx
exceptions the adapters already handle, so `map_transport_error` is unchanged.
Different from aiohttp: a connection cut before or during the response is a `RemoteProtocolError`
or `ReadError` (kind "protocol", as on the httpx path; aiohttp's table made a disconnect before
the response a `ConnectTimeout`); a keep-alive connection the server closed while idle is retried
once on a fresh connection only when no byte of the response arrived; HTTP/1.1 only, no proxies.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx

from backends.h1 import Response
from backends.h1pool import UPSTREAM_REQUEST_ID, Pool

if TYPE_CHECKING:
    from backends.base import Backend

#: What the client decodes (zlib only: brotli and zstd would need optional packages).
ACCEPT_ENCODING = "gzip, deflate"
#: Headers this client writes itself (the body's framing, the host) or overrides.
_OWN = {b"host", b"content-length", b"transfer-encoding", b"accept", b"accept-encoding", b"content-type"}
#: What each kind of request accepts (`post_json`'s `stream`): an upstream, or a benchmark's canned one, may answer by it.
ACCEPT = {False: b"Accept: application/json", True: b"Accept: text/event-stream"}

DirectResponse = Response


class DirectClient:
    """POSTs JSON to one backend on a pool of keep-alive connections, created on first use (in the loop)."""

    __slots__ = ("_headers", "_host", "_limits", "_path", "_pool", "_port", "_prefixes", "_timeout", "_tls")

    def __init__(self, backend: Backend) -> None:
        client = backend.client
        url = client.base_url  # httpx ends its path with "/"
        if url.scheme not in ("http", "https"):
            raise ValueError(f"unsupported URL scheme {url.scheme!r} for backend {backend.name!r}")
        self._tls = url.scheme == "https"
        self._host = url.host
        self._port = url.port or (443 if self._tls else 80)
        self._path = url.raw_path
        lines = [b"Host: " + url.netloc]
        lines += [name + b": " + value for name, value in client.headers.raw if name.lower() not in _OWN]
        lines += [b"Accept-Encoding: " + ACCEPT_ENCODING.encode(), b"Content-Type: application/json"]
        if any(b"\r" in line or b"\n" in line for line in lines):
            raise ValueError(f"a header of backend {backend.name!r} contains a line break")
        self._headers = {stream: b"\r\n".join([lines[0], accept, *lines[1:]]) + b"\r\n" for stream, accept in ACCEPT.items()}
        self._timeout = client.timeout
        limits = getattr(backend.transport, "limits", None) or httpx.Limits()
        self._limits = (backend.config.max_connections, limits.keepalive_expiry)
        self._pool: Pool | None = None
        self._prefixes: dict[tuple[str, bool], bytes] = {}

    def _open(self) -> Pool:
        limit, expiry = self._limits
        timeout = self._timeout
        self._pool = Pool(
            self._host, self._port,
            ssl_context=httpx.create_ssl_context(trust_env=False) if self._tls else None,
            limit=limit, keepalive_expiry=expiry,
            connect_timeout=timeout.connect, read_timeout=timeout.read, pool_timeout=timeout.pool,
        )  # fmt: skip
        return self._pool

    async def post_json(self, path: str, content: bytes, *, stream: bool = False, headers: dict[str, str] | None = None) -> Response:
        pool = self._pool
        if pool is None or pool.loop is not asyncio.get_running_loop():
            pool = self._open()
        prefix = self._prefixes.get((path, stream))
        if prefix is None:
            target = self._path + path.lstrip("/").encode()
            prefix = self._prefixes[(path, stream)] = b"POST " + target + b" HTTP/1.1\r\n" + self._headers[stream]
        request_id = UPSTREAM_REQUEST_ID.get()  # [A-Za-z0-9._:-] only (router/request_info.py)
        named = b"X-Request-Id: %b\r\n" % request_id.encode() if request_id else b""
        if headers:
            named += _header_lines(headers)
        return await pool.request(b"%b%bContent-Length: %d\r\n\r\n%b" % (prefix, named, len(content), content), stream=stream)

    async def aclose(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _header_lines(headers: dict[str, str]) -> bytes:
    """A request's own headers as lines; a line break in one would smuggle in another header (httpx refuses it too)."""
    lines = b"".join(b"%b: %b\r\n" % (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())
    if lines.count(b"\n") != len(headers) or lines.count(b"\r") != len(headers):
        raise httpx.LocalProtocolError("a request header contains a line break")
    return lines
