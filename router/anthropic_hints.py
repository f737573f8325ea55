"""What a Messages request's chat translation (router/anthropic_api.py `chat_request`) cannot say in the chat body: its
`RequestHints` (backends/request_hints.py), read by router/api.py's Messages wire from the translated body and from
what the client asked of Anthropic itself (its body's `metadata` and `thinking`, its `anthropic-beta` header)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backends.request_hints import RequestHints
from router.anthropic_api import shows_thinking
from router.protocol import type_of

#: Anthropic's effort when adaptive thinking names none.
_DEFAULT_EFFORT = "high"


def request_hints(chat: Mapping[str, Any], client: Mapping[str, Any] | None = None, betas: str | None = None) -> RequestHints:
    """A trailing assistant turn is the client's prefill: continued, not answered anew, where the server can be told.
    A chat part with `cache_control` is a breakpoint the client marked (the translation keeps it where LiteLLM does).
    The ``client``'s Messages body (its `metadata`, an object: the translation refused any other) names its user, and
    its ``betas`` header its flags. With thinking on, its `max_tokens` counts the thinking (Anthropic's rule). An
    effort in the chat body is the client's translated (its `thinking`, `output_config.effort`); adaptive thinking
    without one asks Anthropic's default of a model named directly."""
    client = client or {}
    messages = chat["messages"]
    marked = any(isinstance(message.get("content"), list) and any("cache_control" in part for part in message["content"]) for message in messages)
    user_id = (client.get("metadata") or {}).get("user_id")
    translated = "reasoning_effort" in chat
    return RequestHints(prefill=messages[-1]["role"] == "assistant", cache_marks=marked,
                        betas=tuple(flag.strip() for flag in (betas or "").split(",") if flag.strip()),
                        user_id=user_id if isinstance(user_id, str) and user_id else None,
                        cap_includes_reasoning=shows_thinking(client), effort_translated=translated,
                        default_effort=_DEFAULT_EFFORT if not translated and type_of(client.get("thinking")) == "adaptive" else None)
