"""`GET /v1/models` and `GET /v1/models/{id}`: the names a client may send as `model`, in one body
both SDKs read.

OpenAI's model list (`object`, `created`, `owned_by`) and Anthropic's Models API (`type`,
`display_name`, `created_at`, `max_input_tokens`, `max_tokens`; `has_more`, `first_id`, `last_id`)
use disjoint fields, so every entry carries both: the `openai` and `anthropic` SDKs parse it, as
does Claude Code's gateway model discovery, which reads only Anthropic's shape, and a client that
reads Anthropic's model limits learns each name's context window (`max_input_tokens`) instead of
assuming one.

The limits are what the gateway will serve, from the models' `context_window` and
`max_output_tokens`: for `auto` and `auto:<tier>` the largest window of any tier's models (the context
planner moves a prompt that does not fit its tier to one that holds it, router/context.py) and the
smallest output cap (the one every tier the request may land on can give); left out when a model's
limit is not configured.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from router.config import RouterConfig
from router.protocol import APIError

ROUTED_OWNER = "complexity-router"


#: Anthropic's page size bounds (`limit`); without one the whole list is sent (OpenAI's SDK asks no page).
PAGE_LIMITS = (1, 1000)


def model_list(config: RouterConfig, created: int, query: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The list body: every routable name, `auto` first; a page of it for Anthropic's `limit`, `after_id` or
    `before_id` (`has_more` then says whether names lie beyond it; they were ignored: `limit=1` got every name)."""
    names = model_names(config)
    page, has_more = _page(names, query or {})
    data = [model_entry(config, name, created) for name in page]
    return {"object": "list", "data": data, "has_more": has_more, "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None}


def _page(names: list[str], query: Mapping[str, str]) -> tuple[list[str], bool]:
    """The names of the page ``query`` asks for and whether more lie past it (after it, or before it for `before_id`)."""
    after, before, limit_text = query.get("after_id"), query.get("before_id"), query.get("limit")
    if after is not None and before is not None:
        raise APIError(400, "after_id and before_id cannot both be given", param="before_id")
    limit = len(names)
    if limit_text is not None:
        # ASCII digits, a few of them: "²" is a digit int() refuses, and 5,000 digits are past its limit (a 500 both)
        if not (limit_text.isascii() and limit_text.isdigit() and len(limit_text) <= 4) or not PAGE_LIMITS[0] <= int(limit_text) <= PAGE_LIMITS[1]:
            raise APIError(400, f"limit must be an integer from {PAGE_LIMITS[0]} to {PAGE_LIMITS[1]}", param="limit")
        limit = int(limit_text)
    cursor = after if after is not None else before
    if cursor is not None and cursor not in names:
        raise APIError(400, f"no model with id {cursor!r} to page from", param="after_id" if after is not None else "before_id")
    if before is not None:
        end = names.index(before)
        return names[max(0, end - limit):end], end - limit > 0
    start = names.index(after) + 1 if after is not None else 0
    return names[start:start + limit], start + limit < len(names)


def model_names(config: RouterConfig) -> list[str]:
    return ["auto", *(f"auto:{tier}" for tier in config.tiers), *config.models]


def model_entry(config: RouterConfig, name: str, created: int) -> dict[str, Any]:
    """One routable name's entry (the caller resolved it: ``Policy.target``)."""
    routed = name == "auto" or name.startswith("auto:")
    models = _routed_models(config) if routed else [name]
    windows = [config.models[m].context_window for m in models]
    caps = [config.models[m].max_output_tokens for m in models]
    entry: dict[str, Any] = {
        "id": name, "object": "model", "created": created, "owned_by": ROUTED_OWNER if routed else config.models[name].backend,
        "type": "model", "display_name": name, "created_at": datetime.fromtimestamp(created, UTC).isoformat().replace("+00:00", "Z"),
        "lifecycle": "active",
    }
    if all(w is not None for w in windows):
        entry["max_input_tokens"] = max(w for w in windows if w is not None)
    if all(c is not None for c in caps):
        entry["max_tokens"] = min(c for c in caps if c is not None)
    return entry


def _routed_models(config: RouterConfig) -> list[str]:
    """Every model a routed request may be served by: each tier's model and its fallbacks."""
    names = [m for tier in config.tiers.values() for m in (tier.model, *tier.fallbacks)]
    return list(dict.fromkeys(names))
