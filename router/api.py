"""Thin HTTP route handlers of the routed APIs: parse, hand to the gateway, write the response (the routes that
route nothing, token counts, models, health and metrics: router/service_api.py)."""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from backends.base import CONTEXT_LENGTH_EXCEEDED, GATEWAY_FAULT_STATUSES, ChatStream, UpstreamError
from backends.chat_shape import frame_has_output
from backends.h1pool import TRACE_CONTEXT
from backends.request_hints import NO_HINTS, RequestHints
from backends.sse import count_events
from router import anthropic_api, anthropic_errors, openapi, responses_api, text_completions
from router.anthropic_hints import request_hints
from router.anthropic_stream import AnthropicStream
from router.chunk_translator import UnreadableChunk
from router.decision import Decision
from router.gateway import Gateway
from router.limits import SHOULD_RETRY
from router.pricing import note_service_tier
from router.protocol import SSE_DONE, APIError, invalid, parse_json_body, sse_frame, validate_chat_request
from router.request_info import bearer_of, current_trace_id, header_map, new_request_id, state_of, trace_context
from router.responses_stream import ResponsesStream
from router.shed import SHED_HEADER, Shed
from router.streaming import RelayResponse, cancel_on_disconnect, finish, primed

api = APIRouter()

_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@dataclass(frozen=True, slots=True)
class Wire:
    """How a route's API maps onto the chat completions the gateway routes and forwards: the
    client's body as a chat request, and the chat answer (body, relayed frames, the end of the
    stream given the closing usage chunk when there is one) back in the route's format. A route
    makes one per request: a stream's translation may keep state (router/responses_stream.py)."""

    request: Callable[[dict[str, Any]], dict[str, Any]]
    body: Callable[[dict[str, Any]], dict[str, Any]]
    end: Callable[[dict[str, Any] | None], bytes]
    frames: Callable[[bytes], bytes] | None  # None: relayed byte for byte
    error: Callable[[APIError], bytes] = APIError.sse  # an upstream failure after the first byte
    key_header: str | None = None  # a header this API's clients send the key in, instead of a bearer token
    error_response: Callable[[APIError], Response] | None = None  # an HTTP error in this API's shape (default: OpenAI's)
    begin: Callable[[int], None] | None = None  # told a stream's prompt tokens as the gateway counted them, before its first frame
    hints: Callable[[dict[str, Any]], RequestHints] = lambda chat: NO_HINTS  # what the translated request's body cannot say


def _same(value: Any) -> Any:
    return value


def _chat_end(closing: dict[str, Any] | None) -> bytes:
    return (sse_frame(closing) if closing is not None else b"") + SSE_DONE


def _text_end(closing: dict[str, Any] | None) -> bytes:
    return _chat_end(None if closing is None else text_completions.text_chunk(closing) or closing)


def _remembering(chat_request: Callable[[dict[str, Any]], dict[str, Any]]) -> tuple[dict[str, Any], Callable[[dict[str, Any]], dict[str, Any]]]:
    """A translation that keeps the client's body, which the answer's translation reads too."""
    request: dict[str, Any] = {}

    def translate(body: dict[str, Any]) -> dict[str, Any]:
        request.update(body)
        return chat_request(body)

    return request, translate


def _responses_wire(headers: Mapping[str, str]) -> Wire:
    request, translate = _remembering(responses_api.chat_request)
    stream = ResponsesStream(request)
    return Wire(translate, lambda chat: responses_api.response_body(request, chat), stream.end, stream.frames, stream.error,
                hints=lambda chat: responses_api.request_hints(request))


def _anthropic_wire(headers: Mapping[str, str]) -> Wire:
    request, translate = _remembering(anthropic_api.chat_request)
    stream = AnthropicStream(request)
    return Wire(translate, lambda chat: anthropic_api.message_body(request, chat), stream.end, stream.frames, stream.error,
                key_header="x-api-key", error_response=anthropic_errors.error_response, begin=stream.begin,
                hints=partial(request_hints, client=request, betas=headers.get("anthropic-beta")))


CHAT = Wire(_same, _same, _chat_end, None)


def _text_wire(headers: Mapping[str, str]) -> Wire:
    return Wire(text_completions.chat_request, text_completions.text_completion, _text_end, text_completions.TextFrames())


#: Paths whose clients expect another API's error body than OpenAI's, for the errors no route raised
#: (a method the path does not serve, a path under it that does not exist): the anthropic SDK reads
#: `{"type": "error", "error": {...}}`.
ERROR_SHAPES: dict[str, Callable[[APIError], Response]] = {"/v1/messages": anthropic_errors.error_response}


def error_shape(path: str) -> Callable[[APIError], Response]:
    """How an error outside the routes is rendered on ``path``: its API's shape, else OpenAI's."""
    return next((render for prefix, render in ERROR_SHAPES.items() if path == prefix or path.startswith(prefix + "/")),
                APIError.response)


@api.post("/v1/chat/completions", openapi_extra=openapi.CHAT_COMPLETIONS_OPENAPI)
async def chat_completions(request: Request) -> Response:
    return await _serve(request, "chat", lambda headers: CHAT)


@api.post("/v1/completions", openapi_extra=openapi.COMPLETIONS_OPENAPI)
async def completions(request: Request) -> Response:
    """The legacy text-completions API, routed and forwarded as a chat completion (router/text_completions.py)."""
    return await _serve(request, "completions", _text_wire)


@api.post("/v1/responses", openapi_extra=openapi.RESPONSES_OPENAPI)
async def responses(request: Request) -> Response:
    """OpenAI's Responses API, stateless, routed and forwarded as a chat completion (router/responses_api.py)."""
    return await _serve(request, "responses", _responses_wire)


@api.post("/v1/messages", openapi_extra=openapi.MESSAGES_OPENAPI)
async def messages(request: Request) -> Response:
    """Anthropic's Messages API, routed and forwarded as a chat completion (router/anthropic_api.py)."""
    return await _serve(request, "messages", _anthropic_wire)


async def _serve(request: Request, api_name: str, make_wire: Callable[[Mapping[str, str]], Wire]) -> Response:
    state_of(request).gateway.metrics.api_requests.labels(api_name).inc()
    headers = header_map(request)
    request_id = new_request_id(headers.get("x-request-id"))
    TRACE_CONTEXT.set(trace_context(headers))  # every request sets it: an ASGI test client runs requests in one task
    wire = make_wire(headers)
    try:
        return await _routed(request, wire, headers, request_id)
    except APIError as exc:  # refused before routing too (401, 400, 404, 413, 429): the id an operator greps for
        exc.headers.setdefault("x-request-id", request_id)
        if wire.error_response is not None:
            return wire.error_response(exc)
        raise


async def _routed(request: Request, wire: Wire, headers: Mapping[str, str], request_id: str) -> Response:
    state = state_of(request)
    authorization = bearer_of(headers, wire.key_header)
    state.authorize(authorization)
    state.ops.refuse_held(authorization, request_id)  # a key over its limit costs no body parse
    body = wire.request(parse_json_body(await state.read_body(request, headers.get("content-length"))))
    validate_chat_request(body)
    hints = wire.hints(body)
    state = state_of(request)  # a config reload may have swapped it while the body arrived (router/reload.py)
    release = state.admit()
    try:
        admission = await state.ops.admit(authorization, body, request_id)  # per-key limits: 429
        try:
            decision = await state.gateway.decide_priced(body, request_id, _max_cost(headers.get("x-router-max-cost-usd")),
                                                         max_tier=admission.max_tier, hints=hints)
        except APIError as exc:  # the cost cap or the context check: still a line in the decision log
            state.ops.refused(admission.key_id, "refused", exc, request_id, body)
            raise
        state.ops.attach(decision, admission, body)
        decision.context.escalate_header = headers.get("x-router-escalate")  # router/escalation.py
        decision.context.trace_id = current_trace_id()  # the decision log's line names the client's trace
        async with cancel_on_disconnect(request, state.drain):  # the client left before the response started: close the upstream now
            if body.get("stream"):
                return await _stream(state.gateway, body, decision, release, wire)
            return await _complete(state.gateway, body, decision, wire)
    except BaseException:
        release()  # idempotent; a stream that started owns its release, one that never started must give it back
        raise
    finally:
        if not body.get("stream"):
            release()


async def _complete(gateway: Gateway, body: dict[str, Any], decision: Decision, wire: Wire) -> Response:
    started = time.perf_counter()
    try:
        result = await gateway.complete(body, decision)
    except UpstreamError as exc:
        raise _upstream_failed(gateway, exc, decision, started, stream=False) from None
    except APIError:
        _account_paid(gateway, decision, started, stream=False)
        raise
    except asyncio.CancelledError:  # the client left while the upstream worked: it may bill the whole answer
        recorded = decision.context.usage_parts  # samples and escalated calls charge what they left themselves
        gateway.account(decision, None if recorded else gateway.abandoned_usage(decision, body), "cancelled", time.perf_counter() - started,
                        stream=False)
        raise
    gateway.account(decision, result.usage, "ok", time.perf_counter() - started, stream=False)
    result.body["router"] = decision.router_object()
    return Response(orjson.dumps(wire.body(result.body)), media_type="application/json", headers=result.headers | decision.headers(with_cost=True))


def _failed(exc: UpstreamError, decision: Decision) -> str:
    """The `status` of a request an upstream error ended: `shed` when the gateway refused it itself before any call
    upstream (every candidate rate limited or at `circuit.max_in_flight`: its own load shedding, which must not page as
    an outage); `client_error` when the upstream refused it as too large (a prompt over the window, a body over the
    limit: the client's to shorten); else `error`, which the error-rate alerts read."""
    if isinstance(exc, Shed) and not decision.context.attempted:
        return "shed"
    return "client_error" if exc.client_fault else "error"


def _upstream_failed(gateway: Gateway, exc: UpstreamError, decision: Decision, started: float, *, stream: bool) -> APIError:
    """A request an upstream error ended before its first byte, accounted; its client's error is marked `x-router-shed: true`
    when the gateway shed it itself (`_failed`), as Envoy marks its overflow `x-envoy-overloaded`: a client (or the soak)
    tells load shed from an upstream's failure, though both are a 503 (or a 429) with the routing headers."""
    status = _failed(exc, decision)
    gateway.account(decision, None, status, time.perf_counter() - started, stream=stream)
    error = upstream_api_error(exc, decision)
    if status == "shed":
        error.headers[SHED_HEADER] = "true"
    return error


def _account_paid(gateway: Gateway, decision: Decision, started: float, *, stream: bool) -> None:
    """A request refused after upstream calls were paid (an escalation whose target refused it, attempts that failed
    before the drain ended the last one) is still accounted."""
    if decision.context.usage_parts or decision.context.failed_attempts:
        gateway.account(decision, None, "error", time.perf_counter() - started, stream=stream)


async def _stream(gateway: Gateway, body: dict[str, Any], decision: Decision, release: Callable[[], None], wire: Wire) -> Response:
    """Open the upstream first, so a failure before the first byte is still an HTTP error."""
    started = time.perf_counter()
    options = body.get("stream_options") or {}
    include_usage = bool(options.get("include_usage"))
    try:
        stream = await gateway.open_stream(body, decision)
    except BaseException as exc:
        release()
        if isinstance(exc, UpstreamError):
            raise _upstream_failed(gateway, exc, decision, started, stream=True) from None
        if isinstance(exc, asyncio.CancelledError):  # the upstream had the prompt: charged, as a stream cut later is
            recorded = decision.context.usage_parts  # samples and held attempts charge what they left themselves
            usage = gateway.estimated_usage(decision, body, 0) if decision.model and not recorded else None
            gateway.account(decision, usage, "cancelled", time.perf_counter() - started, stream=True)
        elif isinstance(exc, APIError):
            _account_paid(gateway, decision, started, stream=True)
        raise
    if wire.begin is not None:
        wire.begin(gateway.counted_prompt_tokens(decision, body))
    return RelayResponse(  # closes the relay however the response ends, even before its first byte
        await primed(_relay(gateway, body, stream, decision, include_usage, started, release, wire)),
        media_type="text/event-stream",
        headers=stream.headers | decision.headers(with_cost=False) | _SSE_HEADERS,
        stall_seconds=gateway.config.server.client_stall_seconds,
    )


async def _relay(
    gateway: Gateway, body: dict[str, Any], stream: ChatStream, decision: Decision, include_usage: bool, started: float,
    release: Callable[[], None], wire: Wire,
) -> AsyncIterator[bytes]:
    """Forward upstream events as they come; after the first byte, errors travel in-stream. A stream
    that ends without the upstream's usage (the client left, the upstream cut it, or never reports
    usage) is accounted from an estimate: the upstream billed what it generated."""
    metrics = gateway.metrics
    labels = (decision.tier, decision.model, decision.backend)
    convert = wire.frames
    status = "error"
    first = True
    events = 0
    try:
        yield b""  # primed: from here on, closing the relay runs the finally below (router/streaming.py)
        async for frame in stream.frames:
            events += count_events(frame)
            if first and frame_has_output(frame):  # the attempt that answered, to its first token (not a role chunk)
                attempt_started = decision.attempt_started
                metrics.ttft.labels(*labels).observe(time.perf_counter() - (started if attempt_started is None else attempt_started))
                first = False
            if convert is not None:
                frame = convert(frame)
                if not frame:
                    continue
            yield frame
        status = "ok"
    except UpstreamError as exc:
        metrics.upstream_errors.labels(decision.backend, exc.metric_kind).inc()
        status = _failed(exc, decision)
        yield (exc.translated if isinstance(exc, UnreadableChunk) else b"") + wire.error(upstream_api_error(exc))
        return
    except BaseException:
        status = "cancelled"  # the client went away: close the upstream at once (finally)
        raise
    finally:
        release()
        metrics.inflight.labels(decision.backend).dec()
        note_service_tier(decision, stream.meta.get("service_tier"))  # as the stream named it: its price
        if stream.usage is None:  # no usage, or the stream ended before it (the client left, the upstream broke off)
            stream.usage = gateway.estimated_usage(decision, body, events, stream.meta.get("partial_usage"))
        gateway.account(decision, stream.usage, status, time.perf_counter() - started, stream=True)
        await finish(stream.aclose())  # a cancelled client must not interrupt closing the upstream
    closing = None
    if include_usage:
        closing = dict(stream.usage_chunk or _usage_chunk(stream))
        closing["router"] = decision.router_object()
    yield wire.end(closing)


def _usage_chunk(stream: ChatStream) -> dict[str, Any]:
    usage = stream.usage.to_openai() if stream.usage else None
    meta = stream.meta
    return {"id": meta.get("id"), "object": "chat.completion.chunk", "created": meta.get("created"), "model": meta.get("model"), "choices": [], "usage": usage}


#: An error `type` as OpenAI and Anthropic name theirs (`invalid_request_error`), not a server's exception class.
_SNAKE_CASE = re.compile(r"[a-z]+(?:_[a-z]+)*")


def upstream_api_error(exc: UpstreamError, decision: Decision | None = None) -> APIError:
    """The client-facing form of an upstream failure; provider details that help stay, secrets never enter.
    With the ``decision``, the HTTP error carries its routing headers (``x-request-id``, the tier, model
    and backend that failed), as a success does: the request id is what an operator greps the logs for."""
    routed = decision.headers(with_cost=False) if decision is not None else {}
    status = exc.client_status
    if exc.kind == "status" and exc.status in GATEWAY_FAULT_STATUSES:  # the gateway's key, account or model name: no retry mends it
        routed[SHOULD_RETRY] = "false"
    if status < 500 and status != 429:
        # in OpenAI's shape as the gateway's own refusals are: vLLM's `code` is its HTTP status (400; OpenAI's is a name or
        # null) and its `type` a Python class (`BadRequestError`), and an overflow is the context check's 400 on `messages`
        code = exc.code if exc.code and not exc.code.isdigit() else None
        error_type = exc.error_type if exc.error_type and _SNAKE_CASE.fullmatch(exc.error_type) else "invalid_request_error"
        param = "messages" if code == CONTEXT_LENGTH_EXCEEDED else exc.param
        return APIError(status, exc.message, error_type=error_type, code=code, param=param, headers=routed)
    if exc.retry_after is not None:
        routed["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))  # rounded up: a client that obeys it is not refused again
    error_type = {429: "rate_limit_error", 503: "overloaded_error", 504: "timeout"}.get(status, "upstream_error")
    # the provider's (`rate_limit_exceeded`, …: clients branch on it), else how it failed (vLLM's code is its HTTP status)
    code = exc.code if exc.code and not exc.code.isdigit() else exc.kind
    return APIError(status, f"upstream failed: {exc.message}", error_type=error_type, code=code, headers=routed)


def _max_cost(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        cap = float(value)
    except ValueError:
        raise invalid("x-router-max-cost-usd must be a number of USD", param="x-router-max-cost-usd") from None
    if not cap >= 0:
        raise invalid("x-router-max-cost-usd must be a non-negative number", param="x-router-max-cost-usd")
    return cap
