"""Provider error bodies read into `UpstreamError` (backends/errors.py)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from backends.errors import status_error
from backends.openai_compat import _stream_error

VLLM_OVERFLOW = ("This model's maximum context length is 2048 tokens. However, your request has 8 input tokens plus 2045 "
                 "'max_tokens'. Please reduce one or the other. (parameter=input_tokens, max_tokens, value=(8, 2045))")


@pytest.mark.parametrize(("body", "code"), [
    ({"type": "error", "error": {"type": "invalid_request_error", "message": "prompt is too long: 210000 tokens > 200000 maximum"}},
     "context_length_exceeded"),  # Anthropic: no code
    ({"error": {"message": VLLM_OVERFLOW, "type": "BadRequestError", "param": "input_tokens, max_tokens", "code": 400}},
     "context_length_exceeded"),  # vLLM: the status as its code
    ({"object": "error", "message": "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens",
      "type": "BadRequestError", "param": None, "code": 400}, "context_length_exceeded"),  # older vLLM, flat
    ({"error": {"message": "This model's maximum context length is 128000 tokens.", "type": "invalid_request_error",
                "code": "context_length_exceeded"}}, "context_length_exceeded"),  # OpenAI's own
    ({"type": "error", "error": {"type": "invalid_request_error", "message": "input length and `max_tokens` exceed context limit: "
      "188240 + 21333 > 200000, decrease input length or `max_tokens` and try again"}}, "context_length_exceeded"),
    ({"error": {"message": "The decoder prompt (length 8825) is longer than the maximum model length of 8192.", "code": 400}},
     "context_length_exceeded"),  # vLLM's engine-side check
    ({"error": {"message": "max_tokens must be at least 1, got -186.", "type": "BadRequestError", "code": 400}}, "400"),
    ({"error": {"message": "maximum context length is a string here", "code": "invalid_value"}}, "invalid_value"),  # a code of its own wins
])
def test_a_context_overflow_in_any_provider_s_words_is_context_length_exceeded(body: dict[str, Any], code: str) -> None:
    """Clients compact or trim a conversation on `code == "context_length_exceeded"` (the gateway's own context check
    says it): an overflow found by Anthropic (no code) or vLLM (`code: 400`) reached them without it."""
    error = status_error(400, httpx.Headers(), orjson.dumps(body))
    assert (error.status, error.code, error.retryable) == (400, code, False)


def test_only_a_400_is_read_as_an_overflow() -> None:
    body = {"type": "error", "error": {"type": "api_error", "message": "prompt is too long for the scheduler"}}
    assert status_error(500, httpx.Headers(), orjson.dumps(body)).code is None


@pytest.mark.parametrize(("status", "error"), [
    (429, {"message": "You exceeded your current quota, please check your plan and billing details.", "type": "insufficient_quota",
           "param": None, "code": "insufficient_quota"}),  # OpenAI's spent account
    (400, {"type": "invalid_request_error", "message": "Your credit balance is too low to access the Anthropic API."}),
])
def test_a_spent_provider_account_is_a_402_whatever_the_provider_says(status: int, error: dict[str, Any]) -> None:
    """Found in review: OpenAI's 429 `insufficient_quota` read as a rate limit — the client was told to retry (the SDK did,
    twice, each against the spent account) — though it is the gateway's account, which no wait mends."""
    assert status_error(status, httpx.Headers(), orjson.dumps({"error": error})).status == 402
    limited = {"message": "Rate limit reached for gpt-4o-mini on requests per min (RPM)", "type": "requests", "code": "rate_limit_exceeded"}
    assert status_error(429, httpx.Headers(), orjson.dumps({"error": limited})).status == 429


@pytest.mark.parametrize("error", [
    {"message": VLLM_OVERFLOW, "type": "BadRequestError", "param": "input_tokens, max_tokens", "code": 400},
    {"message": "The decoder prompt (length 8825) is longer than the maximum model length of 8192.", "code": 400},
])
def test_an_overflow_sent_in_stream_reads_as_the_same_error_sent_as_a_status(error: dict[str, Any]) -> None:
    """vLLM answers some bad requests with HTTP 200 and an error event: the overflow is the client's
    `context_length_exceeded` there too, not a failure on the error-rate alerts (status `error`)."""
    streamed, whole = _stream_error(error), status_error(400, httpx.Headers(), orjson.dumps({"error": error}))
    assert (streamed.status, streamed.code, streamed.client_fault) == (whole.status, whole.code, whole.client_fault) == (
        400, "context_length_exceeded", True)
