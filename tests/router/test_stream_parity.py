"""A streamed answer is the answer: through every API and its official client, what a client accumulates
from the stream equals what it gets without streaming, and the books (tokens, cost, outcome) move the same.

Generated upstream answers — text, reasoning, a refusal, up to three tool calls, any finish reason, any
usage — are served by an in-process upstream (httpx.MockTransport) both as one completion and as a stream cut
at generated points (each text and each call's arguments in pieces, as vLLM sends them); the same for an
Anthropic upstream's messages and event streams, and for a tier that samples or escalates. The openai client
(chat, text completions, Responses: `responses.stream(...).get_final_response()`) and the anthropic client
(`messages.stream(...).get_final_message()`) read both; their results must be equal but for the ids the
gateway mints per response.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from backends.anthropic_response import StreamTranslator, completion_body
from backends.assemble import CompletionAssembler
from backends.base import stream_of
from backends.sse import SSEFramer
from router.app import create_app
from router.config import RouterConfig
from tests.router.conftest import CONFIG, make_config
from tests.router.hostile import WHOLE_APP, serving

_NAMES = st.from_regex(r"[a-z][a-z_]{0,9}", fullmatch=True)
_ARGUMENTS = st.dictionaries(st.text("abxyz_", min_size=1, max_size=5), st.none() | st.booleans() | st.integers(-999, 999) | st.text(max_size=8),
                             max_size=3).map(lambda args: orjson.dumps(args).decode())


@dataclasses.dataclass(frozen=True)
class Answer:
    """What the upstream answers, and where its stream cuts each text."""

    text: str
    reasoning: str
    reasoning_names: tuple[str, ...]  # vLLM's older `reasoning_content`, its newer `reasoning`, or both (as vLLM sends it)
    refusal: str
    calls: tuple[tuple[str, str], ...]  # (name, arguments)
    finish: str
    usage: dict[str, Any]
    cuts: tuple[tuple[int, ...], ...]  # per text (answer, reasoning, refusal, each call's arguments): where a chunk ends


def _pieces(text: str, cuts: tuple[int, ...]) -> list[str]:
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(text)}), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds) if b > a]


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    calls = tuple(draw(st.lists(st.tuples(_NAMES, _ARGUMENTS), max_size=3)))
    text = draw(st.text(min_size=0 if calls else 1, max_size=40))
    reasoning = draw(st.text(max_size=20))
    refusal = "" if calls else draw(st.sampled_from(["", "", "", "I can't help with that."]))
    finish = "tool_calls" if calls else draw(st.sampled_from(["stop", "length", "content_filter"]))
    usage = {"prompt_tokens": draw(st.integers(1, 5000)), "completion_tokens": draw(st.integers(1, 5000))}
    if draw(st.booleans()):
        usage["prompt_tokens_details"] = {"cached_tokens": draw(st.integers(0, usage["prompt_tokens"]))}
        usage["completion_tokens_details"] = {"reasoning_tokens": draw(st.integers(0, usage["completion_tokens"]))}
    cuts = tuple(tuple(draw(st.lists(st.integers(1, max(len(t) - 1, 1)), max_size=4))) for t in (text, reasoning, refusal, *(a for _, a in calls)))
    return Answer(text, reasoning, draw(st.sampled_from([("reasoning_content",), ("reasoning",), ("reasoning", "reasoning_content")])), refusal, calls, finish, usage, cuts)


def completion(answer: Answer) -> bytes:
    message: dict[str, Any] = {"role": "assistant", "content": answer.text or None}
    if answer.reasoning:
        message |= dict.fromkeys(answer.reasoning_names, answer.reasoning)
    if answer.refusal:
        message["refusal"] = answer.refusal
    if answer.calls:
        message["tool_calls"] = [{"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": arguments}}
                                 for i, (name, arguments) in enumerate(answer.calls)]
    return orjson.dumps({"id": "c", "object": "chat.completion", "created": 1, "model": "m", "usage": answer.usage,
                         "choices": [{"index": 0, "message": message, "finish_reason": answer.finish}]})


def stream(answer: Answer) -> bytes:
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    deltas += [dict.fromkeys(answer.reasoning_names, piece) for piece in _pieces(answer.reasoning, answer.cuts[1])]
    deltas += [{"content": piece} for piece in _pieces(answer.text, answer.cuts[0])]
    deltas += [{"refusal": piece} for piece in _pieces(answer.refusal, answer.cuts[2])]
    for i, ((name, arguments), cuts) in enumerate(zip(answer.calls, answer.cuts[3:])):
        deltas.append({"tool_calls": [{"index": i, "id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": ""}}]})
        deltas += [{"tool_calls": [{"index": i, "function": {"arguments": piece}}]} for piece in _pieces(arguments, cuts)]
    chunks = [{"choices": [{"index": 0, "delta": delta, "finish_reason": None}]} for delta in deltas]
    chunks += [{"choices": [{"index": 0, "delta": {}, "finish_reason": answer.finish}]}, {"choices": [], "usage": answer.usage}]
    frames = (b"data: " + orjson.dumps({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", **chunk}) + b"\n\n"
              for chunk in chunks)
    return b"".join(frames) + b"data: [DONE]\n\n"


def upstream(answer: list[Answer], *, whole: bool = True) -> httpx.MockTransport:
    """Answers every request with ``answer[0]`` (set per example), streamed when the request streams; a request
    asked unstreamed fails with a 500 unless ``whole`` (where every answer must be put together from a stream)."""

    async def body(raw: bytes) -> Any:
        yield raw

    def handle(request: httpx.Request) -> httpx.Response:
        if orjson.loads(request.content).get("stream"):
            return httpx.Response(200, content=body(stream(answer[0])), headers={"content-type": "text/event-stream"})
        if not whole:
            return httpx.Response(500, json={"error": {"message": "asked unstreamed where non_streamed is 'stream'"}})
        return httpx.Response(200, content=completion(answer[0]), headers={"content-type": "application/json"})

    return httpx.MockTransport(handle)


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


#: How the default (low) tier answers, for ``clients``: plainly, by a vote over three samples (self-consistency,
#: one request each; its stream is synthesized from the chosen sample), or escalating to the high tier (it holds
#: a stream until it knows), and how many answers' tokens one request then puts on the books (None: it depends).
LOW_TIERS: dict[str, tuple[dict[str, Any], int | None]] = {
    "plain": ({}, 1),
    "assembled": ({}, 1),  # plainly, every backend streaming non-streamed requests upstream (`non_streamed: stream`)
    "sampled": ({"strategy": {"kind": "self_consistency", "samples": 3, "use_n": False}}, 3),
    "escalating": ({"escalate_to": "high"}, None),
}


@pytest.fixture
async def clients(request: pytest.FixtureRequest, fake_classifier: Any) -> Any:
    """The openai and anthropic clients of one app, the answer its upstreams give (set per example), its registry, and
    how many answers a request is billed (``LOW_TIERS``, by the indirect parameter; plain by default)."""
    answer: list[Answer] = []
    name = getattr(request, "param", "plain")
    transport = upstream(answer, whole=name != "assembled")
    low, answers_billed = LOW_TIERS[name]
    backends = {key: {**backend, "non_streamed": "stream"} for key, backend in CONFIG["backends"].items()} if name == "assembled" else CONFIG["backends"]
    config = make_config(backends=backends, tiers={**CONFIG["tiers"], "low": {**CONFIG["tiers"]["low"], **low}})
    async with sdk_clients(config, fake_classifier, {"sim": transport, "spare": transport}) as (openai, anthropic, registry):
        yield openai, anthropic, answer, registry, answers_billed


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


@pytest.mark.anyio
@pytest.mark.parametrize("clients", sorted(LOW_TIERS), indirect=True)
@WHOLE_APP
@given(answer=answers(), api=st.sampled_from(sorted(READERS)), shown=st.booleans())
async def test_a_streamed_answer_accumulates_to_the_non_streamed_one(clients: Any, answer: Answer, api: str, shown: bool) -> None:
    """``shown``: the request asks to see the reasoning (a Responses summary, Anthropic thinking)."""
    openai, anthropic, current, registry, answers_billed = clients
    current[:] = [answer]
    if api == "completions" and (answer.calls or answer.refusal):
        return  # a text completion has neither
    spent = await _read_both_ways(READERS[api], anthropic if api == "messages" else openai, shown, registry)
    if answers_billed is not None:
        assert spent[("router_tokens_total", "completion")] == answers_billed * answer.usage["completion_tokens"]


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


@st.composite
def custom_calls(draw: st.DrawFn) -> tuple[Answer, frozenset[str], bool]:
    """An answer whose calls go to custom tools (some of them; the first always), their input written as
    ``{"input": "…"}`` or, by a model that ignored the wrapper, as any arguments; and whether reasoning is shown."""
    answer = draw(answers())
    declared = frozenset(draw(st.sets(_NAMES, max_size=3)) | {name for name, _ in answer.calls[:1]})
    inputs = draw(st.lists(st.text(max_size=12) | st.none(), min_size=len(answer.calls), max_size=len(answer.calls)))
    calls = tuple((name, arguments if given is None or name not in declared else orjson.dumps({"input": given}).decode())
                  for (name, arguments), given in zip(answer.calls, inputs))
    return dataclasses.replace(answer, calls=calls), declared, draw(st.booleans())


@pytest.mark.anyio
@WHOLE_APP
@given(case=custom_calls())
async def test_custom_tool_calls_stream_as_they_answer(clients: Any, case: tuple[Answer, frozenset[str], bool]) -> None:
    """Responses with custom tools declared: calls to them are `custom_tool_call`s, streamed or not."""
    openai, _, current, _, _ = clients
    answer, declared, shown = case
    current[:] = [answer]
    whole, streamed = await _responses(openai, shown, custom=declared)
    assert streamed == whole, _differences(whole, streamed)


def _differences(whole: Any, streamed: Any, path: str = "") -> list[str]:
    """Where two results differ: ``path: non-streamed != streamed``."""
    if isinstance(whole, dict) and isinstance(streamed, dict):
        return [d for k in sorted(set(whole) | set(streamed), key=str)
                for d in _differences(whole.get(k, "<missing>"), streamed.get(k, "<missing>"), f"{path}.{k}")]
    if isinstance(whole, list | tuple) and isinstance(streamed, list | tuple) and len(whole) == len(streamed):
        return [d for i, (a, b) in enumerate(zip(whole, streamed)) for d in _differences(a, b, f"{path}[{i}]")]
    return [] if whole == streamed else [f"{path}: {whole!r} != {streamed!r}"]


# -- the same, from an Anthropic upstream ------------------------------------------------------------------------------


@st.composite
def anthropic_messages(draw: st.DrawFn) -> tuple[dict[str, Any], tuple[tuple[int, ...], ...]]:
    """An Anthropic message (signed thinking, text and tool_use blocks, in an order Claude writes them) and where its
    stream cuts each block's text."""
    blocks: list[dict[str, Any]] = []
    if draw(st.booleans()):
        blocks.append({"type": "thinking", "thinking": draw(st.text(min_size=1, max_size=20)), "signature": draw(st.text("abcXYZ09", min_size=1, max_size=12))})
    if draw(st.integers(0, 3)) == 3:
        blocks.append({"type": "redacted_thinking", "data": draw(st.text("abcXYZ09=", min_size=1, max_size=16))})
    if draw(st.booleans()):
        blocks.append({"type": "text", "text": draw(st.text(min_size=1, max_size=40))})
    for i, (name, arguments) in enumerate(draw(st.lists(st.tuples(_NAMES, _ARGUMENTS), max_size=2))):
        blocks.append({"type": "tool_use", "id": f"toolu_{i}", "name": name, "input": orjson.loads(arguments)})
    if not blocks:
        blocks.append({"type": "text", "text": draw(st.text(min_size=1, max_size=10))})
    calls = any(b["type"] == "tool_use" for b in blocks)
    stop = "tool_use" if calls else draw(st.sampled_from(["end_turn", "max_tokens", "stop_sequence"]))
    usage = {"input_tokens": draw(st.integers(1, 5000)), "output_tokens": draw(st.integers(1, 5000)),
             "cache_read_input_tokens": draw(st.integers(0, 100)), "cache_creation_input_tokens": draw(st.integers(0, 100))}
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-20250514", "content": blocks,
               "stop_reason": stop, "stop_sequence": "END" if stop == "stop_sequence" else None, "usage": usage}
    cuts = tuple(tuple(draw(st.lists(st.integers(1, 40), max_size=3))) for _ in blocks)
    return message, cuts


def anthropic_stream(message: dict[str, Any], cuts: tuple[tuple[int, ...], ...]) -> bytes:
    def event(kind: str, **data: Any) -> bytes:
        return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps({"type": kind, **data}) + b"\n\n"

    usage = message["usage"]
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None, "usage": {**usage, "output_tokens": 1}}
    out = [event("message_start", message=start)]
    for index, (block, cut) in enumerate(zip(message["content"], cuts)):
        empty = {"type": "thinking", "thinking": "", "signature": ""} if block["type"] == "thinking" else (
            {"type": "text", "text": ""} if block["type"] == "text" else {**block, "input": {}} if block["type"] == "tool_use" else block)
        out.append(event("content_block_start", index=index, content_block=empty))
        if block["type"] == "thinking":
            out += [event("content_block_delta", index=index, delta={"type": "thinking_delta", "thinking": p}) for p in _pieces(block["thinking"], cut)]
            out.append(event("content_block_delta", index=index, delta={"type": "signature_delta", "signature": block["signature"]}))
        elif block["type"] == "text":
            out += [event("content_block_delta", index=index, delta={"type": "text_delta", "text": p}) for p in _pieces(block["text"], cut)]
        elif block["type"] == "tool_use":
            arguments = orjson.dumps(block["input"]).decode()
            out += [event("content_block_delta", index=index, delta={"type": "input_json_delta", "partial_json": p}) for p in _pieces(arguments, cut)]
        out.append(event("content_block_stop", index=index))
    out.append(event("message_delta", delta={"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"]},
                     usage={"output_tokens": usage["output_tokens"]}))
    out.append(event("message_stop"))
    return b"".join(out)


@pytest.fixture(params=["auto", "stream"])
async def claude_clients(request: pytest.FixtureRequest, fake_classifier: Any) -> Any:
    """``clients``, every tier served by an Anthropic backend that answers with ``current[0]`` (message, cuts);
    with `non_streamed: stream`, a non-streamed request is put together from the event stream (backends/assemble.py)."""
    mode = request.param
    current: list[Any] = []

    async def body(raw: bytes) -> Any:
        yield raw

    def handle(request: httpx.Request) -> httpx.Response:
        message, cuts = current[0]
        if orjson.loads(request.content).get("stream"):
            return httpx.Response(200, content=body(anthropic_stream(message, cuts)), headers={"content-type": "text/event-stream"})
        if mode == "stream":  # every answer is put together from the stream
            return httpx.Response(500, json={"type": "error", "error": {"type": "api_error", "message": "asked unstreamed"}})
        return httpx.Response(200, json=message)

    config = make_config(backends={"claude": {"kind": "anthropic", "base_url": "http://claude.test", "api_key": "sk-ant-test",
                                              "non_streamed": mode}},
                         models={"sonnet": {"backend": "claude", "reasoning": "anthropic", "input": 3.0, "output": 15.0}},
                         tiers={"low": {"model": "sonnet", "effort": "none", "max_score": 0.5}, "high": {"model": "sonnet", "effort": "high"}})
    async with sdk_clients(config, fake_classifier, {"claude": httpx.MockTransport(handle)}) as (openai, anthropic, registry):
        yield openai, anthropic, current, registry


@pytest.mark.anyio
@WHOLE_APP
@given(case=anthropic_messages(), api=st.sampled_from(sorted(READERS)), shown=st.booleans())
async def test_an_anthropic_upstream_s_stream_accumulates_to_its_message(claude_clients: Any, case: Any, api: str, shown: bool) -> None:
    """From an Anthropic upstream: its event stream and its message reach every API's client as the same answer."""
    openai, anthropic, current, registry = claude_clients
    current[:] = [case]
    if api == "completions" and any(b["type"] == "tool_use" for b in case[0]["content"]):
        return
    spent = await _read_both_ways(READERS[api], anthropic if api == "messages" else openai, shown, registry)
    assert spent[("router_tokens_total", "completion")] == case[0]["usage"]["output_tokens"]


@settings(max_examples=300, deadline=None)
@given(case=anthropic_messages())
def test_an_anthropic_stream_put_together_is_the_message_s_own_chat_completion(case: Any) -> None:
    """Below the clients: the chat completion assembled from an Anthropic message's event stream (translated chunk by
    chunk) is exactly `completion_body` of the message — every field of every choice, `stop_reason` included."""
    message, cuts = case
    stream = stream_of([])  # frames in hand: nothing to close
    translator = StreamTranslator(stream, model="m")
    assembler = CompletionAssembler()
    for event in SSEFramer().feed(anthropic_stream(message, cuts)):
        for frame in translator.feed(event):
            assembler.feed(frame)
    whole, usage = completion_body(message, model="m")
    assert assembler.completion(stream.usage_chunk["usage"])["choices"] == whole["choices"] and stream.usage == usage
