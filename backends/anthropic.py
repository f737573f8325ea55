"""Adapter for Anthropic's Messages API (and servers that mimic it, such as vLLM's `/v1/messages`).

The gateway speaks OpenAI chat completions; this adapter translates each request to
`POST {base_url}/v1/messages` (`anthropic_request`) and each response or stream back
(`anthropic_response`). `base_url` may be given with or without its trailing `/v1`.
Credentials are this backend's own `x-api-key`; a client's `Authorization` never reaches it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from backends.anthropic_request import DEFAULT_MAX_TOKENS, beta_header, to_anthropic_request
from backends.anthropic_response import StreamTranslator, completion_body
from backends.assemble import read_whole, whole_stream
from backends.base import (
    Backend,
    BackendConfig,
    ChatResult,
    ChatStream,
    UpstreamError,
    empty_frames,
    encode_body,
    map_transport_error,
    ratelimit_headers,
)
from backends.direct import DirectResponse
from backends.errors import raise_for_stream_status, response_json
from backends.request_hints import NO_HINTS, RequestHints
from backends.sse import SSEFramer

ANTHROPIC_VERSION = "2023-06-01"
#: The header that carries beta flags: the configured ones go with the client's on each request (`beta_header`).
BETA_HEADER = "anthropic-beta"


class AnthropicBackend(Backend):
    """`kind: anthropic` — OpenAI chat completions in, Anthropic Messages API upstream."""

    kind = "anthropic"
    default_answer_cap = DEFAULT_MAX_TOKENS  # Anthropic requires a `max_tokens`

    def __init__(self, name: str, config: BackendConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__(name, config, transport=transport)
        prefix = "" if config.base_url.rstrip("/").endswith("/v1") else "v1/"
        self.messages_path = prefix + "messages"
        self.probe_path = prefix + "models"
        self.configured_betas = next((value for name, value in config.headers.items() if name.lower() == BETA_HEADER), None)

    def settle_request(self, upstream: dict[str, Any], hints: RequestHints) -> None:
        """This adapter reads what a Messages client asked of Anthropic itself (backends/anthropic_extras.py), its cache
        breakpoints included: all kept (its beta flags and user id, `hints`, reach `chat`)."""

    @classmethod
    def asked_service_tier(cls, upstream: Mapping[str, Any]) -> str | None:
        """None: Anthropic is not sent OpenAI's `service_tier` (its answer names the tier that served it)."""
        return None

    def client_headers(self) -> dict[str, str]:
        return {name: value for name, value in super().client_headers().items() if name.lower() != BETA_HEADER}

    def _headers(self, hints: RequestHints) -> dict[str, str] | None:
        betas = beta_header(hints, self.configured_betas)
        return None if betas is None else {BETA_HEADER: betas}

    def auth_headers(self) -> dict[str, str]:
        key = self.config.api_key.get_secret_value() if self.config.api_key else ""
        headers = {"anthropic-version": ANTHROPIC_VERSION}
        if key:
            headers["x-api-key"] = key
        return headers

    async def chat(self, body: dict[str, Any], *, hints: RequestHints = NO_HINTS, output_limit: int | None = None) -> ChatResult:
        request = to_anthropic_request(body, stream=False, hints=hints, output_limit=output_limit)
        try:
            response = await self.post_json(self.messages_path, encode_body(request), headers=self._headers(hints))
        except httpx.HTTPError as exc:
            raise map_transport_error(exc) from exc
        return _completion(response, body)

    async def chat_stream(self, body: dict[str, Any], *, hints: RequestHints = NO_HINTS, output_limit: int | None = None) -> ChatStream:
        payload = encode_body(to_anthropic_request(body, stream=True, hints=hints, output_limit=output_limit))
        try:
            response = await self.post_json(self.messages_path, payload, stream=True, headers=self._headers(hints))
        except httpx.HTTPError as exc:
            raise map_transport_error(exc) from exc
        await raise_for_stream_status(response)
        if response.headers.get("content-type", "").startswith("application/json"):  # a whole message: a server ignoring `stream`
            await read_whole(response)
            return whole_stream(_completion(response, body))
        stream = ChatStream(frames=empty_frames(), close=response.aclose, headers=ratelimit_headers(response.headers))
        frames = _relay(response, StreamTranslator(stream, model=body.get("model")))
        # Wait for the first translated frame (the role chunk, sent on message_start): an `error`
        # event instead, such as an immediate overloaded_error, then raises here, where the
        # gateway can still retry or fall back, rather than in the middle of the client's stream.
        try:
            first = await anext(frames)
        except StopAsyncIteration:  # pragma: no cover - _relay raises rather than ending empty
            raise UpstreamError("stream", "upstream stream ended before message_stop") from None
        stream.frames = _prepend(first, frames)
        return stream


def _completion(response: httpx.Response | DirectResponse, body: dict[str, Any]) -> ChatResult:
    payload = response_json(response)
    if not isinstance(payload, dict):
        raise UpstreamError("protocol", "upstream response is not an Anthropic message")
    result, usage = completion_body(payload, model=body.get("model"))
    return ChatResult(body=result, usage=usage, headers=ratelimit_headers(response.headers))


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for frame in rest:
        yield frame


async def _relay(response: httpx.Response | DirectResponse, translator: StreamTranslator) -> AsyncIterator[bytes]:
    """Translate upstream events as they arrive; stop at `message_stop`."""
    stream = translator.stream
    framer = SSEFramer()
    try:
        async for chunk in response.aiter_bytes():
            for event in framer.feed(chunk):
                for frame in translator.feed(event):
                    yield frame
                if stream.meta.get("done"):
                    return
        rest = framer.flush()
        if rest.strip():
            for frame in translator.feed(rest + b"\n\n"):
                yield frame
    except httpx.HTTPError as exc:
        if not translator.finished:
            raise map_transport_error(exc) from exc
    except ValueError as exc:
        raise UpstreamError("protocol", str(exc)) from exc
    finally:
        await response.aclose()
    if not stream.meta.get("done") and not translator.finished:  # after message_delta's stop_reason only message_stop was lost
        raise UpstreamError("stream", "upstream stream ended before message_stop")
