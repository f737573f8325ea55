"""Reading provider error responses into `UpstreamError`."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson

from backends.base import CONTEXT_LENGTH_EXCEEDED, UpstreamError


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """`Retry-After` as seconds (delta-seconds or an HTTP date), or None."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


#: How providers word a prompt that does not fit the model's window (OpenAI's own says `code: context_length_exceeded`;
#: vLLM's says "This model's maximum context length is …" or "… longer than the maximum model length of …" with `code: 400`,
#: Anthropic's "prompt is too long: …" or "input length and `max_tokens` exceed context limit: …" with none).
_CONTEXT_OVERFLOW = re.compile(r"maximum context length|maximum model length|prompt is too long|exceed context limit|"
                               r"context[ _]length[ _]exceeded|exceeds the context window", re.IGNORECASE)


#: A provider account out of credit, in words sent with a 400 (Anthropic's "Your credit balance is too low to access the
#: Anthropic API"): read as the 402 it means — the gateway's fault, not the client's (another backend may serve it).
_CREDIT_SPENT = re.compile(r"credit balance is too low|insufficient[ _]quota|billing hard limit", re.IGNORECASE)


def is_context_overflow(message: str) -> bool:
    """Whether an error message says, in any provider's words, that the prompt does not fit the model's window."""
    return _CONTEXT_OVERFLOW.search(message) is not None


def _code(status: int, code: str | None, message: str) -> str | None:
    """The error's code as OpenAI's clients read it: a context overflow in any provider's words is
    `context_length_exceeded` (clients compact or trim on it; the gateway's own check says so too)."""
    if status == 400 and (code is None or code.isdigit()) and is_context_overflow(message):
        return CONTEXT_LENGTH_EXCEEDED
    return code


def status_error(status: int, headers: httpx.Headers, content: bytes) -> UpstreamError:
    """An HTTP error response from any provider, whatever its error body looks like.

    Understands OpenAI's `{"error": {...}}`, vLLM's older flat `{"object": "error", "message"}`
    and Anthropic's `{"type": "error", "error": {"type", "message"}}`.
    """
    try:
        payload: Any = orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        payload = None
    detail: dict[str, Any] = {}
    if isinstance(payload, dict):
        detail = payload.get("error") if isinstance(payload.get("error"), dict) else payload
    return detail_error(status, detail, retry_after=retry_after_seconds(headers))


def detail_error(status: int, detail: dict[str, Any], *, retry_after: float | None = None) -> UpstreamError:
    """An error object (`{"message", "type", "code", "param"}`) with the HTTP status it stands for: the one mapping of
    an HTTP error body and of an in-stream error event that names a status (backends/openai_compat.py)."""
    message = detail["message"] if isinstance(detail.get("message"), str) else f"upstream returned HTTP {status}"
    error_type = detail.get("type") if isinstance(detail.get("type"), str) else None
    code = str(detail["code"]) if detail.get("code") is not None else None
    param = detail.get("param") if isinstance(detail.get("param"), str) else None
    if status in (400, 429) and _CREDIT_SPENT.search(" ".join((message, error_type or "", code or ""))):
        status = 402  # a spent account: Anthropic says it with a 400, OpenAI with a 429 `insufficient_quota`, which no wait mends
    return UpstreamError(
        "status", message, status=status, retry_after=retry_after, error_type=error_type, code=_code(status, code, message), param=param
    )


async def raise_for_stream_status(response: httpx.Response) -> None:
    """For a streamed upstream response with an HTTP error status: read its body (what arrives),
    close it and raise the mapped `UpstreamError`; return for a success status."""
    if response.status_code < 400:
        return
    try:
        content = await response.aread()
    except httpx.HTTPError:
        content = b""
    finally:
        await response.aclose()
    raise status_error(response.status_code, response.headers, content)


def response_json(response: httpx.Response) -> Any:
    """The parsed JSON body of a complete upstream response; an HTTP error status or a malformed
    body raises the mapped `UpstreamError`."""
    if response.status_code >= 400:
        raise status_error(response.status_code, response.headers, response.content)
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise UpstreamError("protocol", "upstream sent a malformed JSON response") from exc


def stream_event_json(data: bytes) -> dict[str, Any]:
    """The JSON object of one upstream SSE event's data; anything else is a protocol error."""
    try:
        payload = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise UpstreamError("protocol", "upstream sent a malformed stream event") from exc
    if not isinstance(payload, dict):
        raise UpstreamError("protocol", "upstream sent a malformed stream event")
    return payload
