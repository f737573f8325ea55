"""The one seam every provider plugs into.

A `Backend` speaks OpenAI's chat-completions format to the gateway whatever its upstream speaks.
Foreign errors (httpx exceptions, provider error bodies) are mapped to `UpstreamError` at this
boundary, so the gateway handles one error type, as httpx's `_exceptions.py` does for transports.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from backends.usage import Usage

ErrorKind = Literal["connect", "timeout", "status", "protocol", "stream", "overloaded"]


class TimeoutSettings(BaseModel):
    """Per-backend timeouts in seconds."""

    model_config = ConfigDict(extra="forbid")

    connect: float = Field(5.0, gt=0)
    first_byte: float = Field(120.0, gt=0, description="until the response headers arrive, per attempt")
    idle: float = Field(120.0, gt=0, description="longest gap between two stream chunks")
    total: float = Field(900.0, gt=0, description="whole upstream exchange")


class BackendConfig(BaseModel):
    """One upstream endpoint. `kind` picks the adapter class from the registry."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    base_url: str
    api_key: SecretStr | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeouts: TimeoutSettings = Field(default_factory=TimeoutSettings)
    max_connections: int = Field(256, ge=1)


class UpstreamError(Exception):
    """Anything that went wrong talking to an upstream, in one vocabulary.

    `retryable` says whether another attempt (same or another backend) may succeed: connection
    failures, timeouts, 408/409/429 and 5xx are; a 4xx that the client caused is not.
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        error_type: str | None = None,
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.error_type = error_type
        self.code = code
        self.param = param

    @property
    def retryable(self) -> bool:
        if self.kind != "status" or self.status is None:
            return True
        return self.status in (408, 409, 429) or self.status >= 500

    @property
    def client_status(self) -> int:
        """The HTTP status the gateway's own client should see."""
        if self.kind == "status" and self.status is not None and not self.retryable:
            return self.status
        if self.kind == "timeout":
            return 504
        if self.status == 429:
            return 429
        return 502


@dataclass(slots=True)
class ChatResult:
    """A finished non-streaming chat completion in OpenAI format."""

    body: dict[str, Any]
    usage: Usage


@dataclass(slots=True)
class ChatStream:
    """A streaming chat completion whose response headers have arrived.

    Iterating `frames` yields complete SSE events in OpenAI chunk format (`data: {...}\\n\\n`),
    passed through byte for byte where the upstream already speaks OpenAI. The usage-only chunk
    and `data: [DONE]` are *not* yielded: after iteration `usage` and `usage_chunk` hold them,
    so the gateway decides whether the client sees usage.
    """

    frames: AsyncIterator[bytes]
    close: Callable[[], Any]
    usage: Usage | None = None
    usage_chunk: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    async def aclose(self) -> None:
        result = self.close()
        if hasattr(result, "__await__"):
            await result


class Backend(ABC):
    """An upstream that serves OpenAI-format chat completions to the gateway."""

    kind: ClassVar[str]

    def __init__(self, name: str, config: BackendConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.name = name
        self.config = config
        self.client = httpx.AsyncClient(
            base_url=config.base_url.rstrip("/") + "/",
            transport=transport or default_transport(config),
            timeout=httpx.Timeout(
                connect=config.timeouts.connect,
                read=max(config.timeouts.first_byte, config.timeouts.idle),
                write=config.timeouts.connect,
                pool=config.timeouts.connect,
            ),
            headers=self.auth_headers() | config.headers,
        )

    @abstractmethod
    def auth_headers(self) -> dict[str, str]:
        """Headers carrying this backend's own credentials (never the client's)."""

    @abstractmethod
    async def chat(self, body: dict[str, Any]) -> ChatResult:
        """Send a non-streaming request; `body` is OpenAI format with the upstream model name."""

    @abstractmethod
    async def chat_stream(self, body: dict[str, Any]) -> ChatStream:
        """Open a streaming request; returns once response headers arrived (errors before that raise)."""

    async def probe(self) -> bool:
        """Whether the upstream answers at all (used by `/readyz`)."""
        try:
            response = await self.client.get(self.probe_path, timeout=self.config.timeouts.connect)
        except httpx.HTTPError:
            return False
        return response.status_code < 500

    probe_path: ClassVar[str] = "models"

    async def aclose(self) -> None:
        await self.client.aclose()


def default_transport(config: BackendConfig) -> httpx.AsyncBaseTransport:
    """aiohttp's connection pool behind httpx's API: measurably faster under concurrency
    than httpx's own pool; httpx's pool is the fallback when aiohttp is absent."""
    limits = httpx.Limits(max_connections=config.max_connections, max_keepalive_connections=config.max_connections)
    try:
        from httpx_aiohttp import AiohttpTransport
    except ImportError:  # pragma: no cover - optional speed-up
        return httpx.AsyncHTTPTransport(limits=limits, retries=0)
    return AiohttpTransport(limits=limits, trust_env=False)


def map_transport_error(exc: httpx.HTTPError) -> UpstreamError:
    """httpx exception → `UpstreamError`, never leaking URLs with credentials."""
    if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
        return UpstreamError("timeout", f"upstream timed out ({type(exc).__name__})")
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return UpstreamError("connect", f"could not connect to upstream ({type(exc).__name__})")
    return UpstreamError("protocol", f"upstream connection failed ({type(exc).__name__})")
