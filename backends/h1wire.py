"""What the HTTP/1.1 client reads off the wire besides framing: the response's headers as a
lazy case-insensitive view, and the content decoders (gzip, deflate in both of its forms)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import httpx

__all__ = ["Headers", "decoder_for"]


class Headers:
    """Response headers as received: case-insensitive `.get` like `httpx.Headers`, decoded on demand."""

    __slots__ = ("raw",)

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self.raw = raw

    def get(self, name: str, default: str | None = None) -> str | None:
        key = name.lower().encode("latin-1")
        for field, value in self.raw:
            if field.lower() == key:
                return value.decode("latin-1")
        return default

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def items(self) -> Iterator[tuple[str, str]]:
        return ((field.decode("latin-1").lower(), value.decode("latin-1")) for field, value in self.raw)


def decoder_for(headers: list[tuple[bytes, bytes]]) -> zlib._Decompress | None:
    """The streaming decoder for the response's `Content-Encoding` (None: the body is as sent)."""
    for field, value in headers:
        if len(field) == 16 and field.lower() == b"content-encoding":
            coding = value.strip().lower()
            if coding == b"gzip" or coding == b"x-gzip":
                return zlib.decompressobj(zlib.MAX_WBITS | 16)
            if coding == b"deflate":
                return _Deflate()  # type: ignore[return-value]
            if coding in (b"", b"identity"):
                return None
            raise httpx.DecodingError(f"unsupported content-encoding {coding!r}")
    return None


class _Deflate:
    """`deflate` as servers send it: zlib-wrapped per the RFC, or raw deflate (as httpx accepts)."""

    __slots__ = ("_first", "_inner")

    def __init__(self) -> None:
        self._inner = zlib.decompressobj()
        self._first = True

    def decompress(self, data: bytes) -> bytes:
        if self._first:
            self._first = False
            try:
                return self._inner.decompress(data)
            except zlib.error:
                self._inner = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inner.decompress(data)

    def flush(self) -> bytes:
        return self._inner.flush()
