"""AnthropicBackend end to end against a fake Messages API (`httpx.MockTransport`): the request on the wire, a whole
answer's translation, and errors."""

from __future__ import annotations

import httpx
import orjson
import pytest

from backends.anthropic import AnthropicBackend
from backends.assemble import CompletionAssembler
from backends.base import BackendConfig, UpstreamError
from backends.registry import create_backend
from backends.usage import Usage
from tests.backends._anthropic_helpers import MESSAGE, chat_body, make_backend

pytestmark = pytest.mark.anyio


# -- requests on the wire ------------------------------------------------------------------


@pytest.mark.parametrize("base_url", ["https://api.anthropic.com", "https://api.anthropic.com/", "http://127.0.0.1:8000/v1"])
async def test_request_url_headers_and_body(base_url: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=MESSAGE)

    backend = make_backend(handler, base_url)
    await backend.chat(chat_body(stream=True, stream_options={"include_usage": True}, temperature=0.5))
    await backend.aclose()
    request = seen[0]
    assert request.method == "POST"
    assert request.url.path == "/v1/messages"
    assert request.headers["x-api-key"] == "sk-test"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["content-type"] == "application/json" and request.headers["accept"] == "application/json"
    assert "authorization" not in request.headers
    sent = orjson.loads(request.content)
    assert sent["stream"] is False and sent["temperature"] == 0.5 and sent["max_tokens"] == 4096
    assert "stream_options" not in sent


async def test_a_streamed_request_accepts_sse_and_a_whole_message_answering_it_is_read() -> None:
    """A server that ignores `stream` answers one message: the stream of its chunks (backends/assemble.py's `whole_stream`)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=MESSAGE)

    backend = make_backend(handler, "https://api.anthropic.com")
    stream = await backend.chat_stream(chat_body(stream=True))
    frames = [frame async for frame in stream.frames]
    await backend.aclose()
    assert seen[0].headers["accept"] == "text/event-stream" and orjson.loads(seen[0].content)["stream"] is True
    whole = await make_backend(lambda request: httpx.Response(200, json=MESSAGE), "https://api.anthropic.com").chat(chat_body())
    assembler = CompletionAssembler()
    for frame in frames:
        assembler.feed(frame)
    assert assembler.completion(stream.usage_chunk["usage"] if stream.usage_chunk else None)["choices"] == whole.body["choices"]
    assert stream.usage == whole.usage and stream.usage_chunk["usage"] == whole.body["usage"] and stream.meta["done"]


async def test_registry_builds_the_anthropic_adapter() -> None:
    config = BackendConfig(kind="anthropic", base_url="https://api.anthropic.com", api_key="sk-test")
    backend = create_backend("anthropic", config, transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"data": []})))
    assert isinstance(backend, AnthropicBackend)
    assert await backend.probe()
    await backend.aclose()


# -- non-streaming -------------------------------------------------------------------------


async def test_anthropic_s_rate_limit_headers_are_kept_for_the_client() -> None:
    limits = {"anthropic-ratelimit-requests-remaining": "49", "anthropic-ratelimit-tokens-reset": "2026-12-04T22:00:00Z", "request-id": "req_1"}
    backend = make_backend(lambda request: httpx.Response(200, json=MESSAGE, headers=limits))
    result = await backend.chat(chat_body())
    await backend.aclose()
    assert result.headers == {"anthropic-ratelimit-requests-remaining": "49", "anthropic-ratelimit-tokens-reset": "2026-12-04T22:00:00Z"}


async def test_response_translation_with_tool_calls_thinking_and_cached_usage() -> None:
    backend = make_backend(lambda request: httpx.Response(200, json=MESSAGE))
    result = await backend.chat(chat_body())
    await backend.aclose()
    body = result.body
    assert body["id"] == MESSAGE["id"] and body["object"] == "chat.completion"
    assert body["model"] == "claude-sonnet-4-20250514" and isinstance(body["created"], int)
    (choice,) = body["choices"]
    assert choice["finish_reason"] == "tool_calls"
    message = choice["message"]
    assert message["role"] == "assistant"
    assert message["content"] == "Let me check that."
    assert message["reasoning_content"] == "The user wants the weather."
    assert message["thinking_blocks"] == [MESSAGE["content"][0]]
    (call,) = message["tool_calls"]
    assert call["id"] == "toolu_01A09q90qw90lq917835lq9" and call["type"] == "function"
    assert call["function"]["name"] == "get_weather"
    assert orjson.loads(call["function"]["arguments"]) == {"city": "Zürich", "unit": "c"}
    assert result.usage == Usage(prompt_tokens=1120, completion_tokens=55, cached_prompt_tokens=1000, cache_creation_tokens=100)
    assert body["usage"] == {
        "prompt_tokens": 1120,
        "completion_tokens": 55,
        "total_tokens": 1175,
        "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 100},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
        ("pause_turn", "stop"),
        ("model_context_window_exceeded", "length"),  # cut by the context window: truncated, as max_tokens (mutation review)
        ("some_future_reason", "stop"),
        (None, "stop"),
    ],
)
async def test_finish_reason_mapping(stop_reason: str | None, finish: str) -> None:
    message = {**MESSAGE, "content": [], "stop_reason": stop_reason, "usage": {"input_tokens": 3, "output_tokens": 1}}
    backend = make_backend(lambda request: httpx.Response(200, json=message))
    result = await backend.chat(chat_body())
    await backend.aclose()
    assert result.body["choices"][0]["finish_reason"] == finish
    assert result.body["choices"][0]["message"]["content"] is None
    assert "tool_calls" not in result.body["choices"][0]["message"]


async def test_a_matched_stop_sequence_is_the_choice_s_stop_reason() -> None:
    """Where vLLM names the stop string it matched, so /v1/messages can report it again."""
    message = {**MESSAGE, "stop_reason": "stop_sequence", "stop_sequence": "END", "usage": {"input_tokens": 3, "output_tokens": 1}}
    backend = make_backend(lambda request: httpx.Response(200, json=message))
    result = await backend.chat(chat_body())
    await backend.aclose()
    assert result.body["choices"][0]["finish_reason"] == "stop" and result.body["choices"][0]["stop_reason"] == "END"


async def test_reported_thinking_tokens_become_reasoning_tokens() -> None:
    usage = {"input_tokens": 10, "output_tokens": 50, "output_tokens_details": {"thinking_tokens": 30}}
    backend = make_backend(lambda request: httpx.Response(200, json={**MESSAGE, "usage": usage}))
    result = await backend.chat(chat_body())
    await backend.aclose()
    assert result.usage.reasoning_tokens == 30 and result.usage.completion_tokens == 50


async def test_translation_400_is_raised_before_any_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    backend = make_backend(handler)
    with pytest.raises(UpstreamError) as info:
        await backend.chat(chat_body(n=3))
    await backend.aclose()
    assert info.value.client_status == 400 and info.value.param == "n"


# -- errors --------------------------------------------------------------------------------


def error_response(status: int, error_type: str, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"type": "error", "error": {"type": error_type, "message": message}}
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize("streaming", [False, True])
@pytest.mark.parametrize(
    ("status", "error_type", "headers", "retryable", "client_status", "retry_after"),
    [
        (400, "invalid_request_error", None, False, 400, None),
        (429, "rate_limit_error", {"retry-after": "12"}, True, 429, 12.0),
        (529, "overloaded_error", None, True, 503, None),  # overloaded: 503, which Messages clients read as overloaded_error
        (500, "api_error", None, True, 502, None),
    ],
)
async def test_error_bodies(
    streaming: bool, status: int, error_type: str, headers: dict[str, str] | None, retryable: bool, client_status: int, retry_after: float | None
) -> None:
    backend = make_backend(lambda request: error_response(status, error_type, f"{error_type} happened", headers))
    with pytest.raises(UpstreamError) as info:
        await (backend.chat_stream(chat_body()) if streaming else backend.chat(chat_body()))
    await backend.aclose()
    error = info.value
    assert (error.kind, error.status, error.error_type, error.message) == ("status", status, error_type, f"{error_type} happened")
    assert (error.retryable, error.client_status, error.retry_after) == (retryable, client_status, retry_after)


async def test_transport_errors_are_mapped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    backend = make_backend(handler)
    with pytest.raises(UpstreamError) as info:
        await backend.chat_stream(chat_body())
    await backend.aclose()
    assert info.value.kind == "connect" and info.value.retryable


@pytest.mark.parametrize(("named", "tier"), [("standard", "default"), ("priority", "priority"), ("batch", "batch"), ("", None), (None, None)])
async def test_the_served_tier_is_named_as_openai_names_it(named: str | None, tier: str | None) -> None:
    """Anthropic's `usage.service_tier: standard` is OpenAI's `default` in the completion a client reads (mutation review:
    without the renaming the completion said "standard", a value no OpenAI client knows)."""
    from backends.anthropic_response import served_tier

    assert served_tier({"service_tier": named}) == tier
