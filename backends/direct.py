"""The request path's HTTP client: aiohttp's pool used directly, without httpx's objects.

Under load the httpx layer above the aiohttp pool (request and response models, header and URL
objects, the transport adapter) cost about a quarter of the gateway's CPU per request — more
than everything else the gateway does except the classifier (docs/performance.md). `Backend`
uses this client for `post_json` when no transport was injected, i.e. in `serve`; an injected
httpx transport (the tests' in-process upstreams) keeps the httpx path, and `self.client`
(httpx) still serves probes and any adapter that uses it directly.

What stays the same as on the httpx path: the headers sent (the httpx client's, including
credentials and configured headers), the timeouts (httpx's connect/read/pool mapped onto
aiohttp's exactly as httpx-aiohttp maps them), the connection limit, certificate verification
against httpx's CA bundle, no redirects, no cookie jar, and the errors: aiohttp exceptions are
mapped by httpx-aiohttp's own table to the httpx exceptions the adapters already handle.
Different: compressed responses are decoded by aiohttp for streams too (the httpx path passed a
compressed event stream's raw bytes to the SSE framer).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import aiohttp
import httpx
from httpx_aiohttp.transport import map_aiohttp_exceptions
from multidict import CIMultiDict, CIMultiDictProxy

if TYPE_CHECKING:
    from backends.base import Backend

#: What aiohttp always decodes (brotli and zstd depend on optional packages).
ACCEPT_ENCODING = "gzip, deflate"


class DirectResponse:
    """The part of `httpx.Response` the adapters use, over an aiohttp response."""

    __slots__ = ("_response", "content", "headers", "status_code")

    def __init__(self, response: aiohttp.ClientResponse, content: bytes | None = None) -> None:
        self._response = response
        self.status_code: int = response.status
        self.headers: CIMultiDictProxy[str] = response.headers  # case-insensitive `.get`, like httpx.Headers
        self.content: bytes | None = content

    async def aread(self) -> bytes:
        if self.content is None:
            with map_aiohttp_exceptions():
                self.content = await self._response.read()
        return self.content

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body as it arrives (decoded if the upstream compressed it)."""
        with map_aiohttp_exceptions():
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        """Release the connection; one whose body was not read to the end is closed, not reused."""
        with map_aiohttp_exceptions():
            await self._response.__aexit__(None, None, None)


class DirectClient:
    """POSTs JSON to one backend on a pooled aiohttp session, created on first use (in the loop)."""

    __slots__ = ("_base_url", "_connector_args", "_headers", "_session", "_timeout", "_urls")

    def __init__(self, backend: Backend) -> None:
        client = backend.client
        self._base_url = str(client.base_url)  # httpx ends it with "/"
        headers = CIMultiDict(client.headers.multi_items())
        headers["Accept-Encoding"] = ACCEPT_ENCODING
        headers["Content-Type"] = "application/json"
        self._headers = CIMultiDictProxy(headers)
        timeout = client.timeout
        self._timeout = aiohttp.ClientTimeout(sock_connect=timeout.connect, sock_read=timeout.read, connect=timeout.pool)
        limits = getattr(backend.transport, "limits", None) or httpx.Limits()
        self._connector_args: dict[str, Any] = {"limit": backend.config.max_connections, "keepalive_timeout": limits.keepalive_expiry}
        self._session: aiohttp.ClientSession | None = None
        self._urls: dict[str, str] = {}

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(ssl=httpx.create_ssl_context(trust_env=False), **self._connector_args)
        self._session = aiohttp.ClientSession(connector=connector, headers=self._headers, timeout=self._timeout, trust_env=False)
        return self._session

    async def post_json(self, path: str, content: bytes, *, stream: bool = False) -> DirectResponse:
        session = self._session or self._open()
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = self._base_url + path.lstrip("/")
        with map_aiohttp_exceptions():
            response = await session.post(url, data=content, allow_redirects=False, compress=False)
        if stream:
            return DirectResponse(response)
        try:
            with map_aiohttp_exceptions():
                body = await response.read()
        finally:
            await DirectResponse(response).aclose()
        return DirectResponse(response, body)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
