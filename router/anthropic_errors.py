"""Errors as Anthropic's Messages API sends them: `{"type": "error", "error": {"type", "message"}}` with its status, and
a `request-id` header (the SDK's `request_id`).

A context overflow is worded as Anthropic words it, `prompt is too long: N tokens > M maximum`, whoever found it (the
gateway's context check, vLLM, an OpenAI-compatible server): Claude Code compacts a conversation and retries on that
wording only — on OpenAI's or vLLM's it failed every turn until the user ran `/compact` by hand.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from starlette.responses import Response

from backends.errors import is_context_overflow
from router.protocol import APIError

ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error", 403: "permission_error",
               404: "not_found_error", 409: "conflict_error", 413: "request_too_large", 429: "rate_limit_error",
               503: "overloaded_error", 504: "timeout_error", 529: "overloaded_error"}
_WINDOW = re.compile(r"maximum (?:context|model) length (?:is |of )?(\d+)", re.IGNORECASE)
_ASKED = re.compile(r"(?:requested|request has|total of|input length(?: of)?) (?:about )?(\d+)", re.IGNORECASE)


def error_payload(message: str, status: int) -> dict[str, Any]:
    kind = ERROR_TYPES.get(status, "invalid_request_error" if status < 500 else "api_error")
    return {"type": "error", "error": {"type": kind, "message": overflow_message(message) if status == 400 else message}}


def error_response(exc: APIError) -> Response:
    """An HTTP error as Anthropic sends it (its `request-id` header too: the SDK's `request_id`)."""
    headers = exc.headers | ({"request-id": exc.headers["x-request-id"]} if "x-request-id" in exc.headers else {})
    return Response(orjson.dumps(error_payload(exc.message, exc.status)), status_code=exc.status, media_type="application/json", headers=headers)


def overflow_message(message: str) -> str:
    """A context overflow in Anthropic's words (the tokens asked for, more than the window), other messages as they are."""
    if message.startswith("prompt is too long") or not is_context_overflow(message):
        return message
    window, asked = _WINDOW.search(message), _ASKED.search(message)
    if window is None:
        return f"prompt is too long: {message}"
    limit = int(window.group(1))
    tokens = int(asked.group(1)) if asked is not None and int(asked.group(1)) > limit else limit + 1
    return f"prompt is too long: {tokens} tokens > {limit} maximum ({message})"
