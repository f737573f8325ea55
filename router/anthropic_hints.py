"""What a Messages request's chat translation (router/anthropic_api.py `chat_request`) cannot say in the chat body: its
`RequestHints` (backends/request_hints.py), read from the translated body by router/api.py's Messages wire."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backends.request_hints import RequestHints


def request_hints(chat: Mapping[str, Any]) -> RequestHints:
    """A trailing assistant turn is the client's prefill: continued, not answered anew, where the server can be told.
    A chat part with `cache_control` is a breakpoint the client marked (the translation keeps it where LiteLLM does)."""
    messages = chat["messages"]
    marked = any(isinstance(message.get("content"), list) and any("cache_control" in part for part in message["content"]) for message in messages)
    return RequestHints(prefill=messages[-1]["role"] == "assistant", cache_marks=marked)
