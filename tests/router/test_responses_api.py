"""`POST /v1/responses` end to end through the real `openai` client (`responses.create`, the
`responses.stream()` helper that checks the event order), function and Codex's namespace tools both ways, input
token counts and what a stateless gateway keeps. The helpers it shares with the other Responses tests:
_responses_api_helpers.py. The translation on its own: test_responses_api_translation.py, _streaming.py; logprobs: _logprobs.py
(router/responses_api.py, responses_stream.py)."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from router.config import parse_config
from router.context import TokenCounter
from tests.router._responses_api_helpers import events_of, sdk, tool_call_upstream, tool_upstream
from tests.router.conftest import CONFIG, Harness, make_config
from tests.router.ttc_fakes import Scripted

pytestmark = pytest.mark.anyio


async def test_a_response_is_routed_priced_and_answered_through_the_openai_client(harness: Harness) -> None:
    raw = await sdk(harness).responses.with_raw_response.create(model="auto", input="mid [score=0.6]", instructions="Be brief.",
                                                                max_output_tokens=2100)
    response = raw.parse()
    assert raw.headers["x-router-tier"] == "medium" and float(raw.headers["x-router-cost-usd"]) > 0
    assert response.object == "response" and response.id.startswith("resp_") and response.status in ("completed", "incomplete")
    assert response.output_text.strip() and [item.type for item in response.output] == ["reasoning", "message"]
    assert response.output[0].content[0].type == "reasoning_text" and response.output[0].content[0].text.strip()
    assert response.usage.input_tokens > 0 and response.usage.output_tokens_details.reasoning_tokens > 0
    assert response.instructions == "Be brief." and response.max_output_tokens == 2100
    sent = harness.upstream.requests[-1]
    assert sent["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "mid [score=0.6]"}]
    assert sent["max_completion_tokens"] == 2100, "OpenAI's cap counts the reasoning: no thinking reserve is added"
    assert sent["thinking_token_budget"] == 2048, "the medium tier's budget fits the cap"
    body = orjson.loads(raw.http_response.content)
    assert body["router"]["tier"] == "medium"
    assert harness.metric("router_tokens_total", tier="medium", model="small", backend="sim", kind="completion") == response.usage.output_tokens


async def test_a_stored_response_is_a_404_that_says_why(harness: Harness) -> None:
    from openai import NotFoundError

    client = sdk(harness)
    for call in (client.responses.retrieve("resp_1"), client.responses.delete("resp_1"), client.responses.cancel("resp_1"),
                 client.responses.input_items.list("resp_1")):
        with pytest.raises(NotFoundError, match="keeps no responses"):
            await call
    response = await harness.client.get("/v1/responses/resp_1", headers={"authorization": "Bearer x"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


async def test_input_tokens_are_counted_as_the_gateway_counts_them(harness: Harness) -> None:
    """`responses.input_tokens.count` (a client sizing its context): the count the cost estimate uses, for the model the
    request would go to, as `/v1/messages/count_tokens` gives it; routes nothing."""
    import openai

    counted = await sdk(harness).responses.input_tokens.count(model="auto", instructions="Be brief.", input="How many tokens is this?")
    assert counted.object == "response.input_tokens"
    config = make_config()
    chat = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "How many tokens is this?"}]
    assert counted.input_tokens == TokenCounter(config).count(config.tiers["low"].model, chat).tokens > 0
    with pytest.raises(openai.NotFoundError):
        await sdk(harness).responses.input_tokens.count(model="gpt-17", input="hi")
    with pytest.raises(openai.BadRequestError):
        await sdk(harness).responses.input_tokens.count(model="auto", input="hi", previous_response_id="resp_1")
    assert not harness.upstream.requests


async def test_requests_are_counted_by_api(harness: Harness) -> None:
    assert [harness.registry.get_sample_value("router_api_requests_total", {"api": api}) for api in ("chat", "completions", "responses")] == [0, 0, 0]
    await harness.client.post("/v1/responses", json={"model": "auto", "input": "hi"})
    await harness.client.post("/v1/responses", json={"model": "auto", "input": "hi", "previous_response_id": "resp_1"})  # refused: counted too
    await harness.chat("hi")
    await harness.client.post("/v1/completions", json={"model": "auto", "prompt": "hi"})
    assert [harness.metric("router_api_requests_total", api=api) for api in ("chat", "completions", "responses")] == [1, 1, 2]


async def test_the_stream_helper_accepts_the_events_and_rebuilds_the_response(harness: Harness) -> None:
    client = sdk(harness)
    deltas, thoughts = [], []
    async with client.responses.stream(model="auto", input=[{"role": "user", "content": "hard [score=0.95]"}]) as stream:
        async for event in stream:
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
            elif event.type == "response.reasoning_text.delta":
                thoughts.append(event.delta)
        final = await stream.get_final_response()
    assert final.status == "completed" and final.output_text == "".join(deltas) and deltas
    assert final.usage.output_tokens > 0 and final.model
    assert [item.type for item in final.output] == ["reasoning", "message"] and final.output[0].content[0].text == "".join(thoughts)
    plain = await client.responses.create(model="auto", input="hard [score=0.95]")
    assert plain.usage.output_tokens == final.usage.output_tokens
    assert [item.type for item in plain.output] == ["reasoning", "message"]


async def test_the_raw_stream_follows_openai_s_event_order(harness: Harness) -> None:
    response = await harness.client.post("/v1/responses", json={"model": "auto", "input": "easy [score=0.1]", "stream": True})
    assert response.status_code == 200 and response.headers["x-router-tier"] == "low"
    events = events_of(response.text)
    kinds = [e["type"] for e in events]
    assert kinds[:4] == ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]
    assert kinds[-4:] == ["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert "[DONE]" not in response.text
    completed = events[-1]["response"]
    assert completed["router"]["tier"] == "low" and completed["usage"]["output_tokens"] > 0
    assert completed["output"][0]["content"][0]["text"] == "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert len({e["response"]["id"] for e in events if "response" in e}) == 1


async def test_an_answer_cut_by_max_output_tokens_is_incomplete(harness: Harness) -> None:
    body = {"model": "auto", "input": "easy [score=0.1] write at length", "max_output_tokens": 3}
    cut = (await harness.client.post("/v1/responses", json=body)).json()
    assert cut["status"] == "incomplete" and cut["incomplete_details"] == {"reason": "max_output_tokens"}
    events = events_of((await harness.client.post("/v1/responses", json=body | {"stream": True})).text)
    assert events[-1]["type"] == "response.incomplete" and events[-1]["response"]["output"][0]["status"] == "incomplete"


TOOLS = [{"type": "function", "name": "weather", "description": "Weather in a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]


async def test_function_tools_round_trip(make_harness: Any) -> None:
    requests: list[dict[str, Any]] = []
    harness = await make_harness(sim_transport=tool_upstream(requests))
    client = sdk(harness)
    first = await client.responses.create(model="auto", input="easy [score=0.1] weather in Oslo?", tools=TOOLS, tool_choice="auto")
    (call,) = first.output
    assert (call.type, call.call_id, call.name, call.arguments) == ("function_call", "call_1", "weather", '{"city": "Oslo"}')
    assert requests[-1]["tools"] == [{"type": "function", "function": {k: v for k, v in TOOLS[0].items() if k != "type"}}]
    async with client.responses.stream(model="auto", input="easy [score=0.1] weather in Oslo?", tools=TOOLS) as stream:
        streamed = await stream.get_final_response()
    assert [(item.type, item.call_id, item.arguments) for item in streamed.output] == [("function_call", "call_1", '{"city": "Oslo"}')]
    # the next turn sends the call and its output back, as the Agents SDK does without stored state
    await client.responses.create(model="auto", tools=TOOLS, store=False, input=[
        {"role": "user", "content": "easy [score=0.1] weather in Oslo?"},
        {"type": "reasoning", "id": "rs_1", "summary": []},
        *[item.model_dump(exclude_none=True) for item in first.output],
        {"type": "function_call_output", "call_id": "call_1", "output": "12 °C"},
    ])
    messages = requests[-1]["messages"]
    assert messages[1] == {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Oslo"}'}}]}
    assert messages[2] == {"role": "tool", "tool_call_id": "call_1", "content": "12 °C"}


async def test_a_sampled_tier_answers_with_its_vote_streamed_or_not(make_harness: Any) -> None:
    """A self-consistency tier draws its samples, votes, and answers as one response; every sample is
    in the usage; its synthesized stream is a Responses stream too."""
    data = copy.deepcopy(CONFIG)
    data["tiers"]["low"] |= {"strategy": {"kind": "self_consistency", "samples": 3, "extractor": "number"}}
    upstream = Scripted([("#### 5", "stop"), ("#### 5", "stop"), ("#### 7", "stop")] * 2)
    harness = await make_harness(parse_config(data, env={}), upstream.transport())
    body = (await harness.client.post("/v1/responses", json={"model": "auto", "input": "easy [score=0.1]"})).json()
    assert body["output"][0]["content"][0]["text"] == "#### 5" and [r.get("n") for r in upstream.requests] == [3]
    assert body["router"]["votes"] == {"5": 2, "7": 1} and body["usage"]["output_tokens"] == 30
    streamed = await harness.client.post("/v1/responses", json={"model": "auto", "input": "easy [score=0.1]", "stream": True})
    events = events_of(streamed.text)
    assert events[-1]["type"] == "response.completed" and events[-1]["response"]["usage"]["output_tokens"] == 30
    assert "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta") == "#### 5"


#: What Codex 0.171 sends beside its function tools: its sub-agent tools grouped in a namespace, and
#: web search (run by OpenAI's servers), on every request.
CODEX_TOOLS = [
    {"type": "function", "name": "exec_command", "description": "Runs a command.", "parameters": {"type": "object", "properties": {}}},
    {"type": "namespace", "name": "multi_agent_v1", "description": "Tools for sub-agents.", "tools": [
        {"type": "function", "name": "close_agent", "description": "Close an agent.", "strict": False,
         "parameters": {"type": "object", "properties": {"id": {"type": "string"}}}}]},
    {"type": "web_search", "external_web_access": False},
]


@pytest.mark.parametrize("stream", [False, True])
async def test_codex_s_namespace_tools_and_web_search_are_served(make_harness: Any, stream: bool) -> None:
    """Codex 0.171 refused outright before (`tools of type 'namespace'`): a namespace's members go upstream
    as `<namespace>__<name>` functions, their calls come back with `name` and `namespace` as OpenAI returns
    them (and go upstream joined when echoed), and web search, which no chat upstream runs, is left out and
    reported in `router.dropped_tools`."""
    sent: list[dict[str, Any]] = []
    call = {"id": "call_9", "type": "function", "function": {"name": "multi_agent_v1__close_agent", "arguments": '{"id": "a1"}'}}
    harness = await make_harness(sim_transport=tool_call_upstream(sent, call))
    client = sdk(harness)
    ask = [{"role": "developer", "content": "Be careful."}, {"role": "user", "content": "Close agent a1."}]
    if stream:
        async with client.responses.stream(model="auto", input=ask, tools=CODEX_TOOLS) as events:
            response = await events.get_final_response()
    else:
        response = await client.responses.create(model="auto", input=ask, tools=CODEX_TOOLS)
    assert [m["role"] for m in sent[-1]["messages"]] == ["system", "user"], "Qwen3's template drops developer turns"
    names = [tool["function"]["name"] for tool in sent[-1]["tools"]]
    assert names == ["exec_command", "multi_agent_v1__close_agent"], "web search is not sent upstream"
    assert sent[-1]["tools"][1]["function"]["description"] == "Tools for sub-agents. Close an agent."
    (call,) = [item for item in response.output if item.type == "function_call"]
    assert (call.name, call.namespace, call.arguments) == ("close_agent", "multi_agent_v1", '{"id": "a1"}')
    raw = response.model_dump()
    assert raw["router"]["dropped_tools"] == ["web_search"]
    echoed = ask + [{"type": "function_call", "call_id": call.call_id, "name": call.name, "namespace": call.namespace, "arguments": call.arguments},
                    {"type": "function_call_output", "call_id": call.call_id, "output": "closed"}]
    await client.responses.create(model="auto", input=echoed, tools=CODEX_TOOLS, tool_choice={"type": "function", "name": "close_agent",
                                                                                               "namespace": "multi_agent_v1"})
    assert sent[-1]["messages"][2]["tool_calls"][0]["function"]["name"] == "multi_agent_v1__close_agent"
    assert sent[-1]["tool_choice"] == {"type": "function", "function": {"name": "multi_agent_v1__close_agent"}}
