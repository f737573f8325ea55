"""A streamed answer is the answer: through every API and its official client, what a client accumulates
from the stream equals what it gets without streaming, and the books (tokens, cost, outcome) move the same.

Generated upstream answers — text, reasoning, a refusal, up to three tool calls, any finish reason, any
usage — are served by an in-process OpenAI-compatible upstream (httpx.MockTransport) both as one completion and
as a stream cut at generated points (each text and each call's arguments in pieces, as vLLM sends them); the same
for a tier that samples or escalates, and for calls to declared custom tools. The openai client (chat, text
completions, Responses: `responses.stream(...).get_final_response()`) and the anthropic client
(`messages.stream(...).get_final_message()`) read both; their results must be equal but for the ids the gateway
mints per response. An Anthropic upstream's: test_stream_parity_anthropic.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.router._stream_parity_helpers import _ARGUMENTS, _NAMES, READERS, _differences, _pieces, _read_both_ways, _responses, sdk_clients
from tests.router.conftest import CONFIG, make_config
from tests.router.hostile import WHOLE_APP


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
