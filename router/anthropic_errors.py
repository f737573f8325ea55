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
#: The gateway's and vLLM's split of what was asked: "(38000 in the messages, 2000 in the completion)".
_SPLIT = re.compile(r"(\d+) in the messages, (\d+) in the completion")
#: vLLM's "'max_tokens' … is too large: 32000 … your request has 100 input tokens".
_CAP_TOO_LARGE = re.compile(r"too large: (\d+).*?has (\d+) input tokens", re.IGNORECASE | re.DOTALL)
#: Anthropic's own two wordings, which clients match as they are.
_ANTHROPIC_WORDS = ("prompt is too long", "input length and `max_tokens` exceed context limit")


def error_payload(message: str, status: int) -> dict[str, Any]:
    kind = ERROR_TYPES.get(status, "invalid_request_error" if status < 500 else "api_error")
    return {"type": "error", "error": {"type": kind, "message": overflow_message(message) if status == 400 else message}}


def error_response(exc: APIError) -> Response:
    """An HTTP error as Anthropic sends it (its `request-id` header too: the SDK's `request_id`)."""
    headers = exc.headers | ({"request-id": exc.headers["x-request-id"]} if "x-request-id" in exc.headers else {})
    return Response(orjson.dumps(error_payload(exc.message, exc.status)), status_code=exc.status, media_type="application/json", headers=headers)


def overflow_message(message: str) -> str:
    """A context overflow in Anthropic's words, other messages as they are: `prompt is too long: N tokens > M maximum`
    when the prompt alone does not fit — Claude Code compacts the conversation on it —, else `input length and
    max_tokens exceed context limit: P + C > M` — a cap too large, which compacting would not mend."""
    if message.startswith(_ANTHROPIC_WORDS) or not is_context_overflow(message):
        return message
    window = _WINDOW.search(message)
    if window is None:
        return f"prompt is too long: {message}"
    limit = int(window.group(1))
    split, cap = _SPLIT.search(message), _CAP_TOO_LARGE.search(message)
    prompt, completion = (int(split.group(1)), int(split.group(2))) if split else (int(cap.group(2)), int(cap.group(1))) if cap else (None, None)
    if prompt is not None and completion is not None and prompt <= limit:
        return (f"input length and `max_tokens` exceed context limit: {prompt} + {completion} > {limit}, "
                f"decrease input length or `max_tokens` and try again ({message})")
    asked = _ASKED.search(message)
    tokens = prompt if prompt is not None else int(asked.group(1)) if asked is not None else limit + 1
    return f"prompt is too long: {max(tokens, limit + 1)} tokens > {limit} maximum ({message})"
