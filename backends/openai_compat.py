"""Adapter for any OpenAI-compatible server: vLLM, OpenAI, Together, Groq, …

Requests pass through unchanged apart from the fields the gateway set; streamed events are
forwarded byte for byte (those of one upstream read in one frame), and only events that can
carry usage or an error are parsed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson

from backends.assemble import read_whole, whole_stream
from backends.base import Backend, ChatResult, ChatStream, UpstreamError, empty_frames, encode_body, map_transport_error, ratelimit_headers
from backends.chat_shape import completion_problem
from backends.direct import DirectResponse
from backends.errors import detail_error, raise_for_stream_status, response_json, stream_event_json
from backends.request_hints import NO_HINTS, RequestHints
from backends.sse import SSEFramer, event_data
from backends.usage import Usage

_DONE = b"[DONE]"

#: The request fields of OpenAI's chat completions API (openai-python's `CompletionCreateParams`): with `fields: openai`
#: a backend gets these alone, as a routed client's vLLM extras (`top_k`, `chat_template_kwargs`…) are a 400 there.
OPENAI_CHAT_FIELDS = frozenset({
    "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "messages",
    "metadata", "modalities", "model", "moderation", "n", "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key",
    "prompt_cache_options", "prompt_cache_retention", "reasoning_effort", "response_format", "safety_identifier", "seed", "service_tier",
    "stop", "store", "stream", "stream_options", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user", "verbosity",
    "web_search_options",
})


class OpenAICompatibleBackend(Backend):
    """`kind: openai` — speaks chat completions natively."""

    kind = "openai"

    def auth_headers(self) -> dict[str, str]:
        key = self.config.api_key.get_secret_value() if self.config.api_key else ""
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _sent(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.config.fields == "openai":
            return {key: value for key, value in body.items() if key in OPENAI_CHAT_FIELDS}
        return body

    async def chat(self, body: dict[str, Any], *, hints: RequestHints = NO_HINTS, output_limit: int | None = None) -> ChatResult:
        body["stream"] = False
        body.pop("stream_options", None)
        try:
            response = await self.post_json("chat/completions", encode_body(self._sent(body)))
        except httpx.HTTPError as exc:
            raise map_transport_error(exc) from exc
        return _completion(response)

    async def chat_stream(self, body: dict[str, Any], *, hints: RequestHints = NO_HINTS, output_limit: int | None = None) -> ChatStream:
        body["stream"] = True
        options = dict(body.get("stream_options") or {})
        options["include_usage"] = True
        body["stream_options"] = options
        try:
            response = await self.post_json("chat/completions", encode_body(self._sent(body)), stream=True)
        except httpx.HTTPError as exc:
            raise map_transport_error(exc) from exc
        await raise_for_stream_status(response)
        if response.headers.get("content-type", "").startswith("application/json"):
            return await _whole_answer(response)
        stream = ChatStream(frames=empty_frames(), close=response.aclose, headers=ratelimit_headers(response.headers))
        if options.get("continuous_usage_stats"):  # vLLM's running usage on every chunk, which the client asked for
            stream.meta["continuous_usage"] = True
        stream.frames = _relay(response, stream)
        return stream


def _completion(response: httpx.Response | DirectResponse) -> ChatResult:
    payload = response_json(response)
    if (problem := completion_problem(payload)) is not None:
        raise UpstreamError("protocol", f"upstream response is not a chat completion: {problem}")
    return ChatResult(body=payload, usage=Usage.from_openai(payload.get("usage")), headers=ratelimit_headers(response.headers))


async def _whole_answer(response: httpx.Response | DirectResponse) -> ChatStream:
    """A server that ignores `stream` answers with one JSON completion: streamed on as the chunks that assemble to it."""
    await read_whole(response)
    return whole_stream(_completion(response))


async def _relay(response: httpx.Response, stream: ChatStream) -> AsyncIterator[bytes]:
    """Yield upstream events unchanged; keep the usage-only chunk and stop at `[DONE]`.

    The events that one upstream read completes go out as one frame (their bytes joined, each
    whole and unchanged): one ASGI message and one write to the client instead of one per event,
    which is most of the cost of relaying a burst. The stream's first event goes alone, before the
    rest of its read is inspected; an error event flushes the events before it, then raises.
    """
    framer = SSEFramer()
    opened = False
    try:
        async for chunk in response.aiter_raw():
            batch: list[bytes] = []
            for event in framer.feed(chunk):
                try:
                    forward = _inspect(event, stream)
                except UpstreamError:
                    if batch:
                        yield b"".join(batch)
                    raise
                if forward is not None:
                    if opened:
                        batch.append(forward)
                    else:
                        opened = True
                        yield forward
                if stream.meta.get("done"):
                    break
            if batch:
                yield batch[0] if len(batch) == 1 else b"".join(batch)
            if stream.meta.get("done"):
                return
    except httpx.HTTPError as exc:
        if stream.usage_chunk is None:
            raise map_transport_error(exc) from exc
    except ValueError as exc:
        raise UpstreamError("protocol", str(exc)) from exc
    finally:
        release = getattr(response, "aclose_at_end_of_content", None) if stream.meta.get("done") else None
        await (release() if release is not None else response.aclose())  # after [DONE]: the connection can be reused (backends/h1.py)
    if stream.usage_chunk is not None:  # only [DONE] was lost: the usage chunk follows every choice's finish, the answer is whole
        return  # (thrown away, it was billed twice: as a failed attempt and again on the fallback; a cost audit)
    # A final event without its blank line is a cut-off stream: never forward half an event.
    raise UpstreamError("stream", "upstream stream ended before [DONE]")


def _stream_error(error: Any) -> UpstreamError:
    """An error event. vLLM, SGLang and llama.cpp answer some bad requests with HTTP 200 and a first
    event `{"error": {..., "code": 400}}`: an HTTP status in `code` makes it that status error (a 400
    is the client's, not retried and not the backend's fault), as the same request without streaming gets."""
    detail = error if isinstance(error, dict) else {"message": str(error)}
    message = str(detail.get("message") or "upstream stream error")
    code = detail.get("code")
    status = int(code) if isinstance(code, int | str) and str(code).isdigit() and 400 <= int(code) <= 599 else None
    error_type = detail.get("type") if isinstance(detail.get("type"), str) else None
    if status is not None:
        return detail_error(status, detail)  # as the same error sent as an HTTP status: its code, a context overflow's included
    return UpstreamError("stream", message, error_type=error_type)


def _inspect(event: bytes, stream: ChatStream) -> bytes | None:
    """Account for one event; return what goes to the client (the event as is, almost always), or None."""
    data = event_data(event)
    if data is None:
        return None  # comments and keep-alives stay between us and the upstream
    if data == _DONE:
        stream.meta["done"] = True
        return None
    first = "id" not in stream.meta
    # Cheap structural check on every event; a full parse only where accounting needs one: the first, one
    # that may carry usage, one with an "error" key wherever it is written (a quote inside text is escaped).
    if not first and data[:1] == b"{" and data[-1:] == b"}" and b'"usage"' not in data and b'"error"' not in data:
        return event
    chunk = stream_event_json(data)
    if "error" in chunk and "choices" not in chunk:
        raise _stream_error(chunk["error"])
    if first:
        stream.meta.update(id=chunk.get("id"), model=chunk.get("model"), created=chunk.get("created"))
    if chunk.get("service_tier") is not None:  # the tier it was served under (priced by it): OpenAI names it in every chunk
        stream.meta["service_tier"] = chunk["service_tier"]
    usage = chunk.get("usage")
    if isinstance(usage, dict):
        stream.usage = Usage.from_openai(usage)
        if not chunk.get("choices"):
            stream.usage_chunk = chunk
            return None
    if usage is not None and chunk.get("choices") and not stream.meta.get("continuous_usage"):
        # Usage on a chunk with choices (Grok's last one, GLM's every one): the gateway sends the request's usage
        # once, in its own closing chunk, as OpenAI does; a client that adds up per-chunk usage (LangChain) counted it
        # twice. Unless the client asked for it there (vLLM's `stream_options.continuous_usage_stats`).
        return b"data: " + orjson.dumps({key: value for key, value in chunk.items() if key != "usage"}) + b"\n\n"
    return event
