"""uvicorn's httptools protocol with a bound on a request's head (request line and headers).

httptools gathers a header value (and uvicorn the URL) by `bytes +=` with no limit, so a client streaming one endless
header (no key needed: the head is read before any route runs) grew the worker's memory without bound and, the copies
being quadratic, held its event loop (4 connections x 150 MB: /healthz unanswered for two minutes). h11 has a 16 KB
limit (`h11_max_incomplete_event_size`); this gives httptools one: past `MAX_HEAD_BYTES` before the headers end, a 400
and the connection closed."""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Bytes a request may send before its headers end (nginx's large_client_header_buffers allow 32 KB; Envoy 60 KiB).
MAX_HEAD_BYTES = 1 << 20


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` counting the bytes of each request's head; `serve` and `demo` name it as uvicorn's `http`."""

    _head_bytes = 0
    _in_head = True

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._in_head = False
                self.send_400_response("Request line or headers too large.")
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
