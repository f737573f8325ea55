"""What the stream parity tests share (test_stream_parity_openai.py, test_stream_parity_anthropic.py): generated
names and arguments, texts cut into pieces, the openai and anthropic clients of an app, each API's reader (the
answer asked without and with streaming) and the books both readings must move alike."""

from __future__ import annotations

import contextlib
import importlib
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from router.app import create_app
from router.config import RouterConfig
from tests.router.hostile import serving

_NAMES = st.from_regex(r"[a-z][a-z_]{0,9}", fullmatch=True)
_ARGUMENTS = st.dictionaries(st.text("abxyz_", min_size=1, max_size=5), st.none() | st.booleans() | st.integers(-999, 999) | st.text(max_size=8),
                             max_size=3).map(lambda args: orjson.dumps(args).decode())


def _pieces(text: str, cuts: tuple[int, ...]) -> list[str]:
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(text)}), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds) if b > a]


@contextlib.asynccontextmanager
async def sdk_clients(config: RouterConfig, classifier: Any, transports: dict[str, httpx.AsyncBaseTransport]) -> AsyncIterator[tuple[Any, Any, CollectorRegistry]]:
    """The openai and anthropic clients of an app of ``config``, and its metrics registry."""
    from anthropic import AsyncAnthropic
    from openai import AsyncOpenAI

    registry = CollectorRegistry()
    app = create_app(config, classifier=classifier, transports=transports, registry=registry)
    async with serving(app) as http:
        sdk_httpx: Any = getattr(importlib.import_module("anthropic._base_client"), "httpx2", None) or httpx  # recent SDKs fork httpx
        async with sdk_httpx.AsyncClient(transport=sdk_httpx.ASGITransport(app=app), base_url="http://router.test") as anthropic_http:
            yield (AsyncOpenAI(base_url="http://router.test/v1", api_key="k", http_client=http, max_retries=0),
                   AsyncAnthropic(base_url="http://router.test", api_key="k", http_client=anthropic_http, max_retries=0), registry)


def _without_ids(value: Any) -> Any:
    """``value`` less the ids the gateway mints per response (a message's, an item's; call ids are the upstream's and
    stay) and the ``parsed`` / ``parsed_arguments`` fields the openai client's stream helper adds."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items()
                if k not in ("parsed", "parsed_arguments") and (k != "id" or not isinstance(v, str) or v.startswith(("call_", "toolu_")))}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _reasoning(extra: dict[str, Any] | None) -> str:
    extra = extra or {}
    return extra.get("reasoning_content") or extra.get("reasoning") or ""


async def _chat(openai: Any, shown: bool, between: Callable[[], None] = lambda: None) -> tuple[Any, Any]:
    ask = {"model": "auto", "messages": [{"role": "user", "content": "hello"}]}
    whole = (await openai.chat.completions.create(**ask)).model_dump()
    between()
    text, refusal, reasoning, calls, finish, usage = "", "", "", {}, None, None
    async for chunk in await openai.chat.completions.create(**ask, stream=True, stream_options={"include_usage": True}):
        usage = chunk.usage or usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
            refusal += choice.delta.refusal or ""
            reasoning += _reasoning(choice.delta.model_extra)
            finish = choice.finish_reason or finish
            for call in choice.delta.tool_calls or []:
                entry = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
                entry["id"] += call.id or ""
                entry["name"] += (call.function and call.function.name) or ""
                entry["arguments"] += (call.function and call.function.arguments) or ""
    message, choice = whole["choices"][0]["message"], whole["choices"][0]
    called = [{"id": c["id"], "name": c["function"]["name"], "arguments": c["function"]["arguments"]} for c in message["tool_calls"] or []]
    return ((message["content"] or "", message["refusal"] or "", _reasoning(message), called, choice["finish_reason"], whole["usage"]),
            (text, refusal, reasoning, [calls[i] for i in sorted(calls)], finish, usage.model_dump()))


async def _responses(openai: Any, shown: bool, between: Callable[[], None] = lambda: None, custom: frozenset[str] = frozenset()
                     ) -> tuple[Any, Any]:
    """``custom``: names the request declares as custom tools (free-form input; their calls come back as
    `custom_tool_call` items)."""
    ask = {"model": "auto", "input": "hello", **({"reasoning": {"summary": "auto"}} if shown else {})}
    if custom:
        ask["tools"] = [{"type": "custom", "name": name} for name in sorted(custom)]
    whole = await openai.responses.create(**ask)
    between()
    async with openai.responses.stream(**ask) as events:
        async for event in events:  # the client accumulates a completed response; a cut one is in its last event
            last = event
        streamed = await events.get_final_response() if last.type == "response.completed" else last.response
    keep = ("output", "status", "incomplete_details", "usage", "error")
    return ({k: _without_ids(whole.model_dump())[k] for k in keep} | {"output_text": whole.output_text},
            {k: _without_ids(streamed.model_dump())[k] for k in keep} | {"output_text": streamed.output_text})


async def _messages(anthropic: Any, shown: bool, between: Callable[[], None] = lambda: None) -> tuple[Any, Any]:
    ask = {"model": "auto", "max_tokens": 2048, "messages": [{"role": "user", "content": "hello"}],
           **({"thinking": {"type": "enabled", "budget_tokens": 1024}} if shown else {})}
    whole = await anthropic.messages.create(**ask)
    between()
    async with anthropic.messages.stream(**ask) as events:
        streamed = await events.get_final_message()
    keep = ("content", "stop_reason", "stop_sequence", "role", "type")
    usage = ("input_tokens", "output_tokens", "cache_read_input_tokens")  # the stream's final counts are the upstream's (message_delta)
    return ({k: _without_ids(whole.model_dump())[k] for k in keep} | {k: getattr(whole.usage, k) for k in usage},
            {k: _without_ids(streamed.model_dump())[k] for k in keep} | {k: getattr(streamed.usage, k) for k in usage})


async def _completions(openai: Any, shown: bool, between: Callable[[], None] = lambda: None) -> tuple[Any, Any]:
    whole = await openai.completions.create(model="auto", prompt="hello")
    between()
    text, finish, usage = "", None, None
    async for chunk in await openai.completions.create(model="auto", prompt="hello", stream=True, stream_options={"include_usage": True}):
        usage = chunk.usage or usage
        for choice in chunk.choices:
            text += choice.text or ""
            finish = choice.finish_reason or finish
    return (whole.choices[0].text, whole.choices[0].finish_reason, whole.usage.model_dump()), (text, finish, usage.model_dump())


READERS = {"chat": _chat, "responses": _responses, "messages": _messages, "completions": _completions}


async def _read_both_ways(read: Any, client: Any, shown: bool, registry: CollectorRegistry) -> dict[tuple[str, str], float]:
    """Ask without and with streaming: the same answer, and the same tokens, cost and outcome on the books.
    Returns what one request put on them."""
    books = [_accounts(registry)]
    whole, streamed = await read(client, shown, lambda: books.append(_accounts(registry)))
    assert streamed == whole, _differences(whole, streamed)
    books.append(_accounts(registry))
    spent = [{k: after[k] - before.get(k, 0.0) for k in after} for before, after in itertools.pairwise(books)]
    assert spent[1] == pytest.approx(spent[0], rel=1e-9, abs=1e-15), _differences(spent[0], spent[1])
    return spent[0]


def _accounts(registry: CollectorRegistry) -> dict[tuple[str, str], float]:
    """Tokens by kind, cost and requests by status, summed over the other labels."""
    books: dict[tuple[str, str], float] = {}
    for metric in registry.collect():
        for sample in metric.samples:
            if sample.name in ("router_tokens_total", "router_cost_usd_total", "router_requests_total"):
                key = (sample.name, sample.labels.get("kind") or sample.labels.get("status") or "")
                books[key] = books.get(key, 0.0) + sample.value
    return books


def _differences(whole: Any, streamed: Any, path: str = "") -> list[str]:
    """Where two results differ: ``path: non-streamed != streamed``."""
    if isinstance(whole, dict) and isinstance(streamed, dict):
        return [d for k in sorted(set(whole) | set(streamed), key=str)
                for d in _differences(whole.get(k, "<missing>"), streamed.get(k, "<missing>"), f"{path}.{k}")]
    if isinstance(whole, list | tuple) and isinstance(streamed, list | tuple) and len(whole) == len(streamed):
        return [d for i, (a, b) in enumerate(zip(whole, streamed)) for d in _differences(a, b, f"{path}[{i}]")]
    return [] if whole == streamed else [f"{path}: {whole!r} != {streamed!r}"]
