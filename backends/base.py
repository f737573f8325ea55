"""The one seam every provider plugs into.

A `Backend` speaks OpenAI's chat-completions format to the gateway whatever its upstream speaks.
Foreign errors (httpx exceptions, provider error bodies) are mapped to `UpstreamError` at this
boundary, so the gateway handles one error type, as httpx's `_exceptions.py` does for transports.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from backends.anthropic_extras import without_anthropic_extras
from backends.direct import DirectClient, DirectResponse
from backends.h1pool import TRACE_CONTEXT, UPSTREAM_REQUEST_ID, mark_written
from backends.loadconfig import LoadConfig
from backends.request_hints import NO_HINTS, RequestHints
from backends.usage import Usage

#: OpenAI's code for a prompt over the model's window: clients compact or trim on it.
CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded"

ErrorKind = Literal["connect", "timeout", "status", "protocol", "stream", "overloaded", "shutdown"]


class TimeoutSettings(BaseModel):
    """Per-backend timeouts in seconds."""

    model_config = ConfigDict(extra="forbid")

    connect: float = Field(5.0, gt=0, description="TCP/TLS connection set-up")
    first_byte: float = Field(120.0, gt=0, description="until the first stream event with output, a role-only chunk held with it (with `non_streamed: whole`, a non-streamed request's whole "
                              "response), per attempt; never cuts the last attempt")
    idle: float = Field(120.0, gt=0, description="longest gap between two stream chunks")
    total: float = Field(900.0, gt=0, description="one attempt, from sending to the last byte")


class CircuitSettings(BaseModel):
    """Per-backend circuit breaker (see router/resilience.py)."""

    model_config = ConfigDict(extra="forbid")

    failures: int = Field(5, ge=1, description="consecutive failed attempts that open the circuit")
    cooldown_seconds: float = Field(30.0, gt=0, description="how long an open circuit skips the backend before a probe")
    max_in_flight: int | None = Field(
        None, ge=1, description="attempts on this backend at once, per worker (Envoy's max_requests): past it the backend is skipped "
        "like an open circuit, and a request with no other candidate gets 503 at once; a hung backend then holds at most this many "
        "of the router's slots (server.max_concurrency), not all of them. None: no limit of its own")


class BackendConfig(BaseModel):
    """One upstream endpoint. `kind` picks the adapter class from the registry."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    base_url: str
    api_key: SecretStr | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeouts: TimeoutSettings = Field(default_factory=TimeoutSettings)
    circuit: CircuitSettings = Field(default_factory=CircuitSettings)
    max_connections: int = Field(256, ge=1)
    fields: Literal["any", "openai"] = Field(
        "any", description="'openai': send only the request fields OpenAI's chat completions API defines (api.openai.com refuses any "
        "other with a 400, and a routed client may have written vLLM's: top_k, chat_template_kwargs); 'any': every field, as vLLM reads them")
    non_streamed: Literal["auto", "stream", "whole"] = Field(
        "auto", description="how a client's non-streamed request is sent upstream. 'stream': streamed and put back together "
        "(backends/assemble.py), so `first_byte` times the first token and `idle` the gaps, and a long answer is never cut for being "
        "long; 'auto': streamed when another attempt could follow it (where `first_byte` applies), else sent whole — the last "
        "attempt is bounded by `total` alone either way, and streaming costs the gateway a few microseconds a token; 'whole': "
        "never streamed, for an upstream that cannot stream (`first_byte` then bounds a whole answer that has a fallback)")
    readiness: bool = Field(
        True, description="whether `/readyz` waits for this backend to answer. false for an upstream every replica shares (a "
        "provider's API, a cluster-wide vLLM Service): its outage is the same on every replica, and failing them all would "
        "take the router out of its Service, the tiers other backends still serve with it; true for a pod's own vLLM sidecar")
    forward_trace_context: bool = Field(
        False, description="send the client's W3C trace context (traceparent, tracestate) upstream, so that a vLLM started with "
        "--otlp-traces-endpoint puts its spans into the client's trace; off by default, as LiteLLM's "
        "forward_traceparent_to_llm_provider: a provider's API has no use for your trace ids")
    load: LoadConfig | None = None  # vLLM /metrics pressure for the load knob (router/loadknob.py)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, url: str) -> str:
        """An http(s) URL: one without a scheme (or an unexpanded `${…}`) failed only when serve started, with a traceback."""
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http:// or https:// URL, not {url[:80]!r}")
        return url


#: Upstream statuses that are the gateway's fault, never the client's: the client's credentials are
#: never forwarded, so a 401/403 means the backend's key is wrong or lacks access, and a 404 means the
#: configured upstream name or address is. Another backend may serve the request; the client gets a 502,
#: not an `AuthenticationError` about a key that is fine.
GATEWAY_FAULT_STATUSES = frozenset({401, 402, 403, 404})  # 402: the provider account's credit is spent


#: Longest a readiness probe waits for one backend (they run side by side: `/readyz` answers within this).
PROBE_SECONDS = 2.0


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
        return self.status in (408, 409, 429) or self.status >= 500 or self.status in GATEWAY_FAULT_STATUSES

    @property
    def client_fault(self) -> bool:
        """An upstream's refusal of the request as too large — a prompt over the model's window (`context_length_exceeded`),
        a body over its limit (413): the client must shorten it; no failure of the backend or the gateway to alert on.
        Other 4xx stay failures: a tier's `params` a provider refuses, a translation it rejects, are the operator's."""
        return self.kind == "status" and (self.status == 413 or (self.status == 400 and self.code == CONTEXT_LENGTH_EXCEEDED))

    @property
    def metric_kind(self) -> str:
        """The `kind` label of `router_upstream_errors_total`: `rejected` for a client's fault, else the kind."""
        return "rejected" if self.client_fault else self.kind

    @property
    def client_status(self) -> int:
        """The HTTP status the gateway's own client should see."""
        if self.kind == "status" and self.status is not None and not self.retryable:
            return self.status
        if self.kind == "timeout":
            return 504
        if self.status == 429:
            return 429
        if self.status in (503, 529) or self.error_type == "overloaded_error":
            return 503  # overloaded, as the upstream said (Anthropic's 529): the client's SDK backs off and tries again
        return 502


#: Provider rate-limit headers passed on to the client (OpenAI's `x-ratelimit-*`, Anthropic's `anthropic-ratelimit-*`):
#: clients and agent CLIs pace themselves by them, as they would talking to the provider (LiteLLM's proxy passes them too).
RATELIMIT_PREFIXES = ("x-ratelimit-", "anthropic-ratelimit-")


def ratelimit_headers(headers: Any) -> dict[str, str]:
    """The rate-limit headers of an upstream response (an `httpx.Headers` or `h1wire.Headers`)."""
    return {name.lower(): value for name, value in headers.items() if name.lower().startswith(RATELIMIT_PREFIXES)}


@dataclass(slots=True)
class ChatResult:
    """A finished non-streaming chat completion in OpenAI format."""

    body: dict[str, Any]
    usage: Usage
    headers: dict[str, str] = field(default_factory=dict)  # the provider's rate-limit headers (`ratelimit_headers`)


@dataclass(slots=True)
class ChatStream:
    """A streaming chat completion whose response headers have arrived.

    Iterating `frames` yields complete SSE events in OpenAI chunk format (`data: {...}\\n\\n`),
    passed through byte for byte where the upstream already speaks OpenAI; a frame may hold
    several whole events that arrived together (`backends.sse.events_of` splits it). The usage-only chunk
    and `data: [DONE]` are *not* yielded: after iteration `usage` and `usage_chunk` hold them,
    so the gateway decides whether the client sees usage.
    """

    frames: AsyncIterator[bytes]
    close: Callable[[], Awaitable[None]]  # closes the upstream response (a stream of frames in hand: nothing)
    usage: Usage | None = None
    usage_chunk: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # the provider's rate-limit headers (`ratelimit_headers`)
    # what its opener calls if it drops the stream before a relay reads it (its client left first): an escalated call
    # whose frames were held accounts itself there (router/escalation.py `replay`), as no relay will
    dropped: Callable[[], None] | None = None

    async def aclose(self) -> None:
        await self.close()


async def empty_frames() -> AsyncIterator[bytes]:
    """No frames: a `ChatStream`'s placeholder until its relay is attached."""
    return
    yield b""  # pragma: no cover


def stream_of(frames: list[bytes], **fields: Any) -> ChatStream:
    """A `ChatStream` of frames already in hand (a whole answer streamed on, a synthesised one): nothing to close."""
    return ChatStream(frames=_each(frames), close=_nothing_to_close, **fields)


async def _each(frames: list[bytes]) -> AsyncIterator[bytes]:
    for frame in frames:
        yield frame


async def _nothing_to_close() -> None:
    return None


class Backend(ABC):
    """An upstream that serves OpenAI-format chat completions to the gateway."""

    kind: ClassVar[str]
    #: The answer cap the adapter writes on a request that sets none (the thinking reserve added): with the model's
    #: `max_output_tokens`, what bounds the cost estimate of such a request. None: the upstream's own, unknown.
    default_answer_cap: ClassVar[int | None] = None

    def __init__(self, name: str, config: BackendConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.name = name
        self.config = config
        self.transport = transport or default_transport(config)
        self.client = httpx.AsyncClient(
            base_url=config.base_url.rstrip("/") + "/",
            transport=self.transport,
            timeout=httpx.Timeout(
                connect=config.timeouts.connect,
                read=config.timeouts.total,  # a backstop: first byte and idle gaps are timed by router/resilience.py
                write=config.timeouts.connect,
                pool=config.timeouts.connect,
            ),
            headers=self.client_headers(),
        )
        # For `post_json`: the client's headers, timeouts and URLs merged once, not on every request.
        own = [(name, value) for name, value in self.client.headers.multi_items() if name.lower() != "accept"]
        self._json_headers = {stream: [*own, ("Accept", accept), ("Content-Type", "application/json")]
                              for stream, accept in ((False, "application/json"), (True, "text/event-stream"))}
        self._timeouts = {"timeout": self.client.timeout.as_dict()}
        self._urls: dict[str, httpx.URL] = {}
        # Serving (no injected transport): our own lean HTTP/1.1 client, no httpx or aiohttp objects (backends/direct.py).
        self._direct = DirectClient(self) if transport is None else None

    def client_headers(self) -> dict[str, str]:
        """The headers every request of this backend carries: its credentials and the configured headers (an adapter
        that sends one of them per request, merged with the client's, leaves it out here)."""
        return self.auth_headers() | self.config.headers

    async def post_json(self, path: str, content: bytes, *, stream: bool = False, headers: dict[str, str] | None = None
                        ) -> httpx.Response | DirectResponse:
        """POST a JSON body to `path` (relative to `base_url`) on the pooled transport.

        What `self.client.post` sends (the client's headers, timeouts, URL joining), without
        httpx.AsyncClient's per-request layers — URL merging, the cookie jar, auth and redirect
        handling — that cost a fifth of the gateway's CPU per request under load
        (docs/performance.md). Upstream cookies are not kept, and redirects not followed (as before).
        With `stream`, the caller reads and closes the response; it accepts `text/event-stream`, else `application/json`.
        The attempt's `UPSTREAM_REQUEST_ID`, when the gateway set one, goes as `X-Request-Id`; `headers` are this
        request's own (none of `client_headers`), and the client's trace context with them under `forward_trace_context`.
        """
        if self.config.forward_trace_context and (trace := TRACE_CONTEXT.get()):
            headers = {**headers, **trace} if headers else trace
        if self._direct is not None:
            return await self._direct.post_json(path, content, stream=stream, headers=headers)
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(str(self.client.base_url) + path.lstrip("/"))
        request_id = UPSTREAM_REQUEST_ID.get()
        sent = self._json_headers[stream] if request_id is None else [*self._json_headers[stream], ("X-Request-Id", request_id)]
        if headers:
            sent = [*sent, *headers.items()]
        request = httpx.Request("POST", url, headers=sent, content=content, extensions=self._timeouts)
        mark_written()  # handed to an injected transport (the tests' in-process upstreams): as good as written
        response = await self.transport.handle_async_request(request)
        response.request = request
        if not stream:
            try:
                await response.aread()
            finally:
                await response.aclose()
        return response

    def settle_request(self, upstream: dict[str, Any], hints: RequestHints) -> None:
        """``upstream`` (a candidate's own copy of the body) as this adapter reads it, given its route's ``hints``. An
        OpenAI-compatible upstream reads none of what a Messages client asked of Anthropic itself (its cache breakpoints
        and thinking-block positions: backends/anthropic_extras.py), and a strict one refuses them."""
        without_anthropic_extras(upstream, hints.cache_marks)

    @classmethod
    def asked_service_tier(cls, upstream: Mapping[str, Any]) -> str | None:
        """The service tier the call is priced at until its answer names one: the one ``upstream`` asks for, which an
        OpenAI-compatible adapter sends as it is. A class's answer: the cost estimate asks it before any call
        (router/estimate.py `sent_service_tier`)."""
        asked = upstream.get("service_tier")
        return asked if isinstance(asked, str) and asked else None

    @abstractmethod
    def auth_headers(self) -> dict[str, str]:
        """Headers carrying this backend's own credentials (never the client's)."""

    @abstractmethod
    async def chat(self, body: dict[str, Any], *, hints: RequestHints = NO_HINTS, output_limit: int | None = None) -> ChatResult:
        """Send a non-streaming request; `body` is OpenAI format with the upstream model name. ``hints`` are its route's
        (what a client asked of the provider itself, such as a Messages client's beta flags: sent by the adapter that
        reads them); ``output_limit`` is the model's `max_output_tokens`, already applied to the cap the gateway
        writes: an adapter that writes a cap of its own keeps that under it too."""

    @abstractmethod
    async def chat_stream(self, body: dict[str, Any], *, hints: RequestHints = NO_HINTS, output_limit: int | None = None) -> ChatStream:
        """Open a streaming request (``hints``, ``output_limit``: as `chat`'s); returns once response headers arrived (errors
        before that raise)."""

    async def probe(self) -> bool:
        """Whether the upstream answers at all (used by `/readyz`), within `PROBE_SECONDS`: a blackholed provider must
        not hold `/readyz` past a Kubernetes probe's own timeout (5 s in the manifests), which failed every replica."""
        try:
            response = await self.client.get(self.probe_path, timeout=min(self.config.timeouts.connect, PROBE_SECONDS))
        except httpx.HTTPError:
            return False
        return response.status_code < 500

    #: What `probe` asks for, relative to `base_url` (an adapter whose API lays out its paths differently sets its own).
    probe_path: str = "models"

    async def aclose(self) -> None:
        if self._direct is not None:
            await self._direct.aclose()
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


def encode_body(body: Any) -> bytes:
    """The JSON an upstream is sent. orjson encodes at most 254 levels of nesting, fewer than it
    parses (1,024): a request nested deeper (a tool schema, say) is the client's to fix, a 400, not a
    gateway failure."""
    try:
        return orjson.dumps(body)
    except TypeError as exc:
        raise UpstreamError("status", f"the request cannot be forwarded: {exc}", status=400, error_type="invalid_request_error") from None


def map_transport_error(exc: httpx.HTTPError) -> UpstreamError:
    """httpx exception → `UpstreamError`, never leaking URLs with credentials. A wait for a free connection
    that timed out sent nothing (the attempt is not charged: router/attempt_costs.py)."""
    if isinstance(exc, httpx.PoolTimeout):
        mark_written(False)
    if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
        return UpstreamError("timeout", f"upstream timed out ({type(exc).__name__})")
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return UpstreamError("connect", f"could not connect to upstream ({type(exc).__name__})")
    return UpstreamError("protocol", f"upstream connection failed ({type(exc).__name__})")
