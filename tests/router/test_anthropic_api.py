"""`POST /v1/messages` end to end through the real `anthropic` client (`messages.create`, the
`messages.stream()` accumulator that checks the event order), tool use both ways, thinking as an effort,
what cannot be served, and the stream translation on its own (router/anthropic_api.py, anthropic_stream.py)."""

from __future__ import annotations

import importlib
import re
import time
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from backends.request_hints import NO_HINTS, RequestHints
from router.anthropic_api import chat_request, message_body
from router.anthropic_errors import error_payload
from router.anthropic_hints import request_hints
from router.anthropic_stream import AnthropicStream
from router.context import TokenCounter
from router.demo.upstream import _prompt_tokens
from router.limits import seconds_to_period_end
from router.protocol import APIError
from tests.router.conftest import CONFIG, Harness, make_config
from tests.router.test_responses_api import _JSON, _calls, _chunk, frames_of, tool_upstream

#: The body keys that flagged a Messages client's cache breakpoints and said its cap counts the thinking before
#: `RequestHints.cache_marks` / `cap_includes_reasoning`: no translation writes them now.
CACHE_MARKS = "_router_cache_breakpoints"
TOTAL_CAP = "_router_cap_includes_reasoning"

pytestmark = pytest.mark.anyio


def sdk(harness: Harness, api_key: str = "unused") -> Any:
    """The anthropic client, in process: recent SDKs ship their own fork of httpx (`httpx2`)."""
    from anthropic import AsyncAnthropic

    base_client = importlib.import_module("anthropic._base_client")
    sdk_httpx: Any = getattr(base_client, "httpx2", None) or base_client.httpx
    app = harness.client._transport.app  # type: ignore[attr-defined]
    http = sdk_httpx.AsyncClient(transport=sdk_httpx.ASGITransport(app=app), base_url="http://router.test")
    return AsyncAnthropic(base_url="http://router.test", api_key=api_key, http_client=http, max_retries=0)


def events_of(text: str) -> list[dict[str, Any]]:
    events = []
    for block in filter(None, text.split("\n\n")):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        payload = orjson.loads(lines["data"])
        assert lines["event"] == payload["type"]
        events.append(payload)
    return events


async def test_a_message_is_routed_priced_and_answered_through_the_anthropic_client(harness: Harness) -> None:
    raw = await sdk(harness).messages.with_raw_response.create(model="auto", max_tokens=40, system="Be brief.",
                                                               messages=[{"role": "user", "content": "mid [score=0.6]"}])
    message = await raw.parse()
    assert raw.headers["x-router-tier"] == "medium" and float(raw.headers["x-router-cost-usd"]) > 0
    assert message.type == "message" and message.role == "assistant" and message.content[0].type == "text" and message.content[0].text
    assert message.stop_reason in ("end_turn", "max_tokens") and message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    sent = harness.upstream.requests[-1]
    assert sent["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "mid [score=0.6]"}]
    assert sent["max_tokens"] == 40 + 2048, "the medium tier's thinking budget is added to the answer's cap"
    assert orjson.loads(raw.http_response.content)["router"]["tier"] == "medium"
    assert harness.metric("router_tokens_total", tier="medium", model="small", backend="sim", kind="completion") == message.usage.output_tokens
    assert harness.metric("router_api_requests_total", api="messages") == 1


async def test_the_stream_accumulator_accepts_the_events_and_rebuilds_the_message(harness: Harness) -> None:
    client = sdk(harness)
    texts = []
    async with client.messages.stream(model="auto", max_tokens=200, messages=[{"role": "user", "content": "hard [score=0.95]"}]) as stream:
        async for event in stream:
            if event.type == "text":
                texts.append(event.text)
        final = await stream.get_final_message()
    assert final.content[0].text == "".join(texts) and texts and final.stop_reason in ("end_turn", "max_tokens")
    plain = await client.messages.create(model="auto", max_tokens=200, messages=[{"role": "user", "content": "hard [score=0.95]"}])
    assert final.usage.output_tokens == plain.usage.output_tokens and final.usage.input_tokens == plain.usage.input_tokens > 0


async def test_message_start_carries_the_prompt_tokens_the_gateway_counted(harness: Harness) -> None:
    """Claude Code's context meter reads `message_start` (it showed 0 before): it carries the gateway's
    count for the serving model, and `message_delta` the upstream's, which the SDK keeps."""
    system, messages = "Be brief.", [{"role": "user", "content": "hard [score=0.95] " + "words to count " * 40}]
    async with sdk(harness).messages.stream(model="auto", max_tokens=50, system=system, messages=messages) as stream:
        events = [event async for event in stream]
        final = await stream.get_final_message()
    start = next(event for event in events if event.type == "message_start")
    config = make_config()
    counted = TokenCounter(config).count("big", [{"role": "system", "content": system}, *messages]).tokens
    assert start.message.usage.input_tokens == counted > 100
    upstream_count = _prompt_tokens(harness.upstream.requests[-1]["messages"])  # the simulated upstream counts its own way
    assert final.usage.input_tokens == upstream_count != counted


async def test_thinking_shows_when_the_client_turned_it_on(harness: Harness) -> None:
    """Claude Code over a local reasoning model: with `thinking` on, the upstream's reasoning is a
    thinking block (unsigned: no Anthropic model signed it) before the text, streamed or not."""
    client = sdk(harness)
    ask = {"model": "auto", "max_tokens": 2000, "messages": [{"role": "user", "content": "mid [score=0.6]"}]}
    plain = await client.messages.create(**ask)
    assert [block.type for block in plain.content] == ["text"], "thinking off: none shown, as Anthropic does"
    shown = await client.messages.create(**ask, thinking={"type": "enabled", "budget_tokens": 1024})
    assert [block.type for block in shown.content] == ["thinking", "text"] and shown.content[0].thinking.startswith("thinking ")
    assert shown.content[0].signature == ""
    async with client.messages.stream(**ask, thinking={"type": "adaptive"}) as stream:
        kinds = [event.type async for event in stream]
        final = await stream.get_final_message()
    assert [block.type for block in final.content] == ["thinking", "text"] and "thinking" in kinds
    assert final.content[0].thinking.startswith("thinking ") and final.content[0].signature == ""
    assert final.content[1].text == shown.content[1].text


def test_an_anthropic_upstream_s_signed_thinking_streams_with_its_signature() -> None:
    stream = AnthropicStream({"model": "auto", "thinking": {"type": "enabled", "budget_tokens": 2048}})
    reasoning = [{"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": None}]} for delta in (
        {"reasoning_content": "First, "}, {"reasoning_content": "the time."},
        {"thinking_blocks": [{"index": 0, "type": "thinking", "thinking": "First, the time.", "signature": "sig=="}]},
        {"thinking_blocks": [{"index": 1, "type": "redacted_thinking", "data": "opaque"}]})]
    events = events_of((stream.frames(frames_of(*reasoning, _chunk("It is noon."), _chunk(finish="stop"))) + stream.end(None)).decode())
    assert [(e["type"], (e.get("delta") or e.get("content_block") or {}).get("type")) for e in events[1:-2]] == [
        ("content_block_start", "thinking"), ("content_block_delta", "thinking_delta"), ("content_block_delta", "thinking_delta"),
        ("content_block_delta", "signature_delta"), ("content_block_stop", None),
        ("content_block_start", "redacted_thinking"), ("content_block_stop", None),
        ("content_block_start", "text"), ("content_block_delta", "text_delta"), ("content_block_stop", None)]
    assert events[4]["delta"]["signature"] == "sig==" and [e["index"] for e in events if e["type"] == "content_block_start"] == [0, 1, 2]
    hidden = AnthropicStream({"model": "auto"})
    assert [e["type"] for e in events_of(hidden.frames(frames_of(*reasoning[2:])).decode())] == ["message_start"]


def test_two_signed_thinking_blocks_stream_as_two() -> None:
    """Claude sometimes thinks in two blocks, each signed: merged into one, the next turn that sends it back is refused
    ("Invalid `signature` in `thinking` block")."""
    stream = AnthropicStream({"model": "auto", "thinking": {"type": "enabled", "budget_tokens": 2048}})
    deltas = ({"reasoning_content": "A"}, {"thinking_blocks": [{"index": 0, "type": "thinking", "thinking": "A", "signature": "SIG_A"}]},
              {"reasoning_content": "B"}, {"thinking_blocks": [{"index": 1, "type": "thinking", "thinking": "B", "signature": "SIG_B"}]})
    chunks = [{"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": None}]} for delta in deltas]
    events = events_of((stream.frames(frames_of(*chunks, _chunk("done"), _chunk(finish="stop"))) + stream.end(None)).decode())
    blocks: dict[int, dict[str, str]] = {}
    for event in events:
        if event["type"] == "content_block_start":
            blocks[event["index"]] = {"type": event["content_block"]["type"], "thinking": "", "signature": ""}
        elif event["type"] == "content_block_delta" and event["delta"]["type"] in ("thinking_delta", "signature_delta"):
            key = "thinking" if event["delta"]["type"] == "thinking_delta" else "signature"
            blocks[event["index"]][key] += event["delta"][key]
    assert list(blocks.values())[:2] == [{"type": "thinking", "thinking": "A", "signature": "SIG_A"},
                                         {"type": "thinking", "thinking": "B", "signature": "SIG_B"}]


def test_echoed_thinking_becomes_the_turn_s_reasoning_and_its_signed_blocks() -> None:
    signed = {"type": "thinking", "thinking": "Check the docs. ", "signature": "sig=="}
    unsigned = {"type": "thinking", "thinking": "Then answer.", "signature": ""}
    redacted = {"type": "redacted_thinking", "data": "opaque"}
    chat = chat_request({"model": "auto", "max_tokens": 100, "messages": [
        {"role": "user", "content": "q"}, {"role": "assistant", "content": [signed, redacted, unsigned, {"type": "text", "text": "A."}]},
        {"role": "user", "content": "more"}]})
    assert chat["messages"][1] == {"role": "assistant", "content": "A.", "reasoning": "Check the docs. Then answer.",
                                   "thinking_blocks": [signed, redacted, unsigned]}
    body = message_body({"thinking": {"type": "enabled", "budget_tokens": 1024}}, {"choices": [{"message": {
        "content": "A.", "reasoning_content": "r", "thinking_blocks": [signed]}}]})
    assert body["content"] == [signed, {"type": "text", "text": "A."}], "the signed blocks, as an Anthropic upstream sent them"


async def test_tool_use_round_trips(make_harness: Any) -> None:
    requests: list[dict[str, Any]] = []
    harness = await make_harness(sim_transport=tool_upstream(requests))
    client = sdk(harness)
    tools = [{"name": "weather", "description": "Weather in a city", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    ask = [{"role": "user", "content": "easy [score=0.1] weather in Oslo?"}]
    first = await client.messages.create(model="auto", max_tokens=100, tools=tools, tool_choice={"type": "any"}, messages=ask)
    (use,) = first.content
    assert (use.type, use.id, use.name, use.input, first.stop_reason) == ("tool_use", "call_1", "weather", {"city": "Oslo"}, "tool_use")
    assert requests[-1]["tools"] == [{"type": "function", "function": {"name": "weather", "parameters": tools[0]["input_schema"],
                                                                       "description": "Weather in a city"}}]
    assert requests[-1]["tool_choice"] == "required"
    async with client.messages.stream(model="auto", max_tokens=100, tools=tools, messages=ask) as stream:
        streamed = await stream.get_final_message()
    assert [(b.type, b.id, b.input) for b in streamed.content] == [("tool_use", "call_1", {"city": "Oslo"})]
    await client.messages.create(model="auto", max_tokens=100, tools=tools, messages=[
        *ask, {"role": "assistant", "content": [{"type": "thinking", "thinking": "hm", "signature": "s"}, *[b.model_dump() for b in first.content]]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": "12 °C"}, {"type": "text", "text": "And tomorrow?"}]},
    ])
    messages = requests[-1]["messages"]
    assert messages[1] == {"role": "assistant", "content": None, "reasoning": "hm", "tool_calls": [  # Qwen3 on vLLM reads `reasoning` back
        {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Oslo"}'}}]}
    assert messages[2:] == [{"role": "tool", "tool_call_id": "call_1", "content": "12 °C"}, {"role": "user", "content": "And tomorrow?"}]


async def test_the_anthropic_key_header_authenticates(make_harness: Any) -> None:
    harness = await make_harness(make_config(server={"api_keys": ["sk-right"]}))
    ok = await sdk(harness, api_key="sk-right").messages.create(model="auto", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    assert ok.content
    from anthropic import AuthenticationError

    with pytest.raises(AuthenticationError):
        await sdk(harness, api_key="sk-wrong").messages.create(model="auto", max_tokens=10, messages=[{"role": "user", "content": "hi"}])


async def test_count_tokens_counts_the_prompt_as_the_gateway_does(make_harness: Any) -> None:
    """`messages.count_tokens` (Claude Code's context meter): the count the gateway's cost estimate uses, for
    the model the request would go to (`auto`: the tier its score picks), tools included; routes nothing."""
    from anthropic import AuthenticationError, NotFoundError

    harness = await make_harness(make_config(server={"api_keys": ["sk-right"]}))
    client = sdk(harness, api_key="sk-right")
    messages = [{"role": "user", "content": "How many tokens is this?"}]
    counted = await client.messages.count_tokens(model="auto", system="Be brief.", messages=messages)
    config = make_config()
    chat = [{"role": "system", "content": "Be brief."}, *messages]
    assert counted.input_tokens == TokenCounter(config).count(config.tiers["low"].model, chat).tokens > 0
    tools = [{"name": "weather", "description": "Weather in a city", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    assert (await client.messages.count_tokens(model="auto:high", system="Be brief.", messages=messages, tools=tools)).input_tokens > counted.input_tokens
    with pytest.raises(NotFoundError):
        await client.messages.count_tokens(model="gpt-17", messages=messages)
    with pytest.raises(AuthenticationError):
        await sdk(harness, api_key="sk-wrong").messages.count_tokens(model="auto", messages=messages)
    assert not harness.upstream.requests and harness.metric("router_decisions_total", tier="low", reason="classifier") == 0


async def test_count_tokens_for_auto_counts_for_the_model_the_score_picks(make_harness: Any) -> None:
    """A hard prompt under `auto` is counted as the high tier's model counts it, not as the first tier's."""
    models = {**CONFIG["models"], "big": {**CONFIG["models"]["big"], "chars_per_token": 2.0}}
    harness = await make_harness(make_config(models=models))
    client, config = sdk(harness), make_config(models=models)
    for content, tier in (("hard [score=0.9] " * 20, "high"), ("easy [score=0.1] " * 20, "low")):
        messages = [{"role": "user", "content": content}]
        counted = (await client.messages.count_tokens(model="auto", messages=messages)).input_tokens
        assert counted == TokenCounter(config).count(config.tiers[tier].model, messages).tokens
    assert TokenCounter(config).count("big", messages).tokens > 1.5 * TokenCounter(config).count("small", messages).tokens
    assert harness.metric("router_decisions_total", tier="high", reason="classifier") == 0


def test_blocks_and_settings_become_a_chat_request() -> None:
    chat = chat_request(asked := {"model": "auto", "max_tokens": 8000, "system": [{"type": "text", "text": "Rules."}, {"type": "text", "text": "More."}],
                         "messages": [{"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                                                   {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "AAAA"}}]}],
                         "stop_sequences": ["\n\nHuman:"], "thinking": {"type": "enabled", "budget_tokens": 2000}, "temperature": 0.3,
                         "metadata": {"user_id": "u-1"}, "top_k": 5})
    assert chat["messages"] == [{"role": "system", "content": "Rules.\nMore."}, {"role": "user", "content": [
        {"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,AAAA"}}]}]
    assert (chat["stop"], chat["reasoning_effort"], chat["temperature"]) == (["\n\nHuman:"], "medium", 0.3)
    assert chat["max_tokens"] == 8000 and request_hints(chat, asked).cap_includes_reasoning, "with thinking on, Anthropic's max_tokens includes it"
    assert not {"system", "stop_sequences", "thinking", "metadata", "top_k", "user"} & chat.keys()
    base = {"model": "auto", "max_tokens": 8, "messages": [{"role": "user", "content": "x"}]}
    assert chat_request(base | {"thinking": {"type": "disabled"}})["reasoning_effort"] == "none"
    assert not any(request_hints(chat_request(ask), ask).cap_includes_reasoning for ask in (base, base | {"thinking": {"type": "disabled"}}))
    assert "tool_choice" not in chat_request(base | {"tool_choice": {"type": "auto"}}), "no tools: no tool choice"
    ultrathink = chat_request(base | {"max_tokens": 32000, "thinking": {"type": "enabled", "budget_tokens": 31999}})
    assert ultrathink["reasoning_effort"] == "high", "no level an o-series model refuses"
    adaptive = chat_request(base | {"thinking": {"type": "adaptive"}})
    assert "reasoning_effort" not in adaptive and request_hints(adaptive, base | {"thinking": {"type": "adaptive"}}).cap_includes_reasoning
    assert TOTAL_CAP not in adaptive, "the cap's meaning rides beside the body"


@pytest.mark.parametrize(("fields", "sent_cap", "sent_budget"), [
    ({}, 40 + 2048, 2048),  # thinking off: the cap is the answer's, the tier's thinking reserve is added
    ({"thinking": {"type": "adaptive"}}, 40, None),  # the tier's 2048 cannot fit in 40: thinking goes off
    ({"max_tokens": 3000, "thinking": {"type": "adaptive"}}, 3000, 2048),  # the tier's own budget, inside the cap
    ({"max_tokens": 2500, "thinking": {"type": "enabled", "budget_tokens": 2000}}, 2500, 2048),  # medium, the tier's effort and budget
    ({"max_tokens": 2000, "thinking": {"type": "enabled", "budget_tokens": 1500}}, 2000, 1024),  # the tier's 2048 would not fit: low
    ({"max_tokens": 24, "thinking": {"type": "enabled", "budget_tokens": 16}}, 24, None),
])
async def test_with_thinking_on_the_upstream_s_cap_is_the_client_s(harness: Harness, fields: dict[str, Any], sent_cap: int,
                                                                     sent_budget: int | None) -> None:
    """Anthropic's max_tokens counts the thinking: whatever effort the tier or the client set, the
    upstream is never asked for more, and its thinking budget leaves the answer room (lowered until it does)."""
    body = {"model": "auto", "max_tokens": 40, "messages": [{"role": "user", "content": "mid [score=0.6]"}]} | fields
    response = await harness.client.post("/v1/messages", json=body)
    assert response.status_code == 200, response.text
    sent = harness.upstream.requests[-1]
    assert sent["max_tokens"] == sent_cap and sent.get("thinking_token_budget") == sent_budget
    assert sent["chat_template_kwargs"]["enable_thinking"] is (sent_budget is not None)


def test_claude_code_s_shapes_become_a_chat_request() -> None:
    """What Claude Code sends: system turns mid-conversation, `output_config.effort`, tool results that
    failed or carry a screenshot (a tool message holds text only: the image follows as the user's)."""
    chat = chat_request({"model": "auto", "max_tokens": 32000, "thinking": {"type": "adaptive"}, "output_config": {"effort": "max"},
                         "context_management": {"edits": []}, "cache_control": {"type": "ephemeral"}, "messages": [
        {"role": "user", "content": [{"type": "text", "text": "Look at the page.", "cache_control": {"type": "ephemeral"}}]},
        {"role": "system", "content": "Agent types: …"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "Read", "input": {"path": "a.png"}},
                                          {"type": "tool_use", "id": "t2", "name": "Bash", "input": {"cmd": "false"}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "the page:"},
                                                                     {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA"}}]},
            {"type": "tool_result", "tool_use_id": "t2", "content": "exit 1", "is_error": True}]},
    ], "output_format": {"type": "json_schema", "schema": {"type": "object"}}})
    assert [m["role"] for m in chat["messages"]] == ["user", "system", "assistant", "tool", "tool", "user"]
    ephemeral = {"type": "ephemeral"}
    assert chat["messages"][0]["content"] == [{"type": "text", "text": "Look at the page.", "cache_control": ephemeral}]
    assert chat["messages"][3:] == [{"role": "tool", "tool_call_id": "t1", "content": "the page:"},  # the top-level breakpoint: on the last block
                                    {"role": "tool", "tool_call_id": "t2", "content": [{"type": "text", "text": "Error: exit 1", "cache_control": ephemeral}]},
                                    {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}]}]
    assert request_hints(chat) == RequestHints(cache_marks=True, effort_translated=True) and CACHE_MARKS not in chat, "the breakpoints' flag rides beside the body"
    assert chat["reasoning_effort"] == "max" and chat["max_tokens"] == 32000
    assert chat["response_format"] == {"type": "json_schema", "json_schema": {"name": "output", "schema": {"type": "object"}, "strict": True}}
    assert not {"output_config", "output_format", "context_management", "cache_control", "thinking"} & chat.keys()


def test_the_sdk_s_newest_effort_and_thinking_modes_are_served() -> None:
    """`output_config.effort: xhigh` is xhigh (sent as the nearest the model takes); `thinking: between_tools` is thinking
    off (progress notes between tool calls come back as thinking blocks), not a 400."""
    ask = {"model": "auto", "max_tokens": 2000, "messages": [{"role": "user", "content": "hi"}]}
    asked = chat_request(ask | {"output_config": {"effort": "xhigh"}})
    assert asked["reasoning_effort"] == "xhigh" and request_hints(asked).effort_translated
    assert not [key for key in asked if key.startswith("_router_")], "the effort's origin rides beside the body"
    between = chat_request(ask | {"thinking": {"type": "between_tools"}})
    assert between["reasoning_effort"] == "none" and request_hints(between, ask | {"thinking": {"type": "between_tools"}}).cap_includes_reasoning


def claude_high_tier() -> Any:
    """The test config with its high tier on an Anthropic backend (`spare`, programmed by `spare_handler`)."""
    return make_config(backends={**CONFIG["backends"], "spare": {"kind": "anthropic", "base_url": "http://spare.test", "api_key": "sk-ant"}},
                       models={"small": CONFIG["models"]["small"],
                               "claude": {"backend": "spare", "reasoning": "anthropic", "input": 3.0, "cached_input": 0.3, "cache_write": 3.75, "output": 15.0}},
                       tiers={"low": {"model": "small", "max_score": 0.5}, "high": {"model": "claude"}})


async def test_the_sdk_reads_the_request_id_of_a_message(harness: Harness) -> None:
    """The anthropic SDK's `message._request_id` is the `request-id` header, as errors carry it; the openai SDK's is `x-request-id`."""
    message = await sdk(harness).messages.with_raw_response.create(model="auto", max_tokens=20, messages=[{"role": "user", "content": "hi"}])
    assert message.request_id == message.headers["x-request-id"] and (await message.parse())._request_id == message.request_id
    async with sdk(harness).messages.stream(model="auto", max_tokens=20, messages=[{"role": "user", "content": "hi"}]) as events:
        assert events.response.headers["request-id"] == events.response.headers["x-request-id"]


async def test_an_anthropic_upstream_hears_the_attempt_s_request_id(make_harness: Any, spare_handler: list[Any]) -> None:
    """As every upstream does: `X-Request-Id`, the request's id and the attempt's suffix."""
    spare_handler[0] = recording_claude([])
    harness = await make_harness(claude_high_tier())
    ask = {"model": "auto", "max_tokens": 100, "messages": [{"role": "user", "content": "hard [score=0.9]"}]}
    for stream in (False, True):
        response = await harness.client.post("/v1/messages", json={**ask, "stream": stream}, headers={"x-request-id": "trace-a"})
        assert response.status_code == 200 and harness.spare_requests[-1].headers["x-request-id"].startswith("trace-a-")


async def test_an_overloaded_upstream_is_overloaded_to_the_client(make_harness: Any, spare_handler: list[Any]) -> None:
    """Anthropic's 529 `overloaded_error`, before or after the first byte, is the client's overloaded_error (Claude Code tells
    its user so and retries), not a generic api_error; chat clients get a 503."""
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    spare_handler[0] = lambda request: httpx.Response(529, json=overloaded)
    harness = await make_harness(claude_high_tier())
    ask = {"model": "auto", "max_tokens": 100, "messages": [{"role": "user", "content": "hard [score=0.9]"}]}
    response = await harness.client.post("/v1/messages", json=ask)
    assert response.status_code == 503 and response.json()["error"]["type"] == "overloaded_error"
    assert (await harness.chat("hard [score=0.9]")).status_code == 503

    start = {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "content": [],
                                                  "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 9, "output_tokens": 1}}}
    events = [start, {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
              {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"}}, overloaded]
    body = b"".join(b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n" for e in events)
    spare_handler[0] = lambda request: httpx.Response(200, stream=httpx.ByteStream(body), headers={"content-type": "text/event-stream"})
    streamed = events_of((await harness.client.post("/v1/messages", json=ask | {"stream": True})).text)
    assert streamed[-1] == {"type": "error", "error": {"type": "overloaded_error", "message": "upstream failed: Overloaded"}}


async def test_an_overload_right_after_message_start_is_fallen_back_from(make_harness: Any, spare_handler: list[Any]) -> None:
    """`message_start` carries nothing Claude wrote; it had committed the stream, so an `overloaded_error` right after it
    reached the client in-stream where the tier's fallback could serve (router/first_output.py)."""
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    start = {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "content": [],
                                                  "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 9, "output_tokens": 1}}}
    body = b"".join(b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n" for e in (start, {"type": "ping"}, overloaded))
    spare_handler[0] = lambda request: httpx.Response(200, stream=httpx.ByteStream(body), headers={"content-type": "text/event-stream"})
    config = claude_high_tier()
    config.tiers["high"].fallbacks = ["small"]
    harness = await make_harness(config)
    ask = {"model": "auto", "max_tokens": 100, "stream": True, "messages": [{"role": "user", "content": "hard [score=0.9]"}]}
    response = await harness.client.post("/v1/messages", json=ask)
    assert response.status_code == 200 and response.headers["x-router-model"] == "small"
    assert "overloaded_error" not in response.text and events_of(response.text)[-1] == {"type": "message_stop"}


#: Claude Code's system prompt: a billing line whose `cch` changes with every request, then its prompt with a breakpoint.
CLAUDE_CODE_SYSTEM = [{"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.37.0d9; cc_entrypoint=cli; cch=fa690;"},
                      {"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}}, {"type": "text", "text": "Rules."}]


async def test_cache_breakpoints_reach_an_anthropic_upstream_and_no_other(make_harness: Any, spare_handler: list[Any]) -> None:
    """Claude Code marks its system prompt and the conversation's end (`cache_control`): an Anthropic upstream caches
    at those breakpoints (its reads cost a tenth of the input price) and reports the writes, which the client is told
    apart; an OpenAI-compatible upstream gets the same turns without them (a strict one refuses the field)."""
    claude_sent: list[dict[str, Any]] = []

    def claude(request: httpx.Request) -> httpx.Response:
        claude_sent.append(orjson.loads(request.content))
        return httpx.Response(200, json={"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "stop_reason": "end_turn",
                                         "stop_sequence": None, "content": [{"type": "text", "text": "ok"}],
                                         "usage": {"input_tokens": 20, "cache_creation_input_tokens": 1000, "cache_read_input_tokens": 500, "output_tokens": 5,
                                                   "cache_creation": {"ephemeral_5m_input_tokens": 400, "ephemeral_1h_input_tokens": 600}}})

    spare_handler[0] = claude
    harness = await make_harness(claude_high_tier())
    ephemeral = {"type": "ephemeral"}

    def ask(marker: str) -> dict[str, Any]:
        return {"model": "auto", "max_tokens": 100, "system": CLAUDE_CODE_SYSTEM, "cache_control": ephemeral, "messages": [
            {"role": "user", "content": [{"type": "text", "text": "<system-reminder>r</system-reminder>"}, {"type": "text", "text": f"fix it {marker}"}]}]}

    message = (await harness.client.post("/v1/messages", json=ask("[score=0.9]"))).json()
    sent = claude_sent[-1]
    assert sent["system"] == [{"type": "text", "text": "You are Claude Code.", "cache_control": ephemeral}, {"type": "text", "text": "Rules."}]
    assert sent["messages"][-1]["content"][-1] == {"type": "text", "text": "fix it [score=0.9]", "cache_control": ephemeral}
    assert b"_cache" not in orjson.dumps(sent) and b"x-anthropic-billing-header" not in orjson.dumps(sent)
    assert message["usage"] == {"input_tokens": 20, "output_tokens": 5, "cache_read_input_tokens": 500, "cache_creation_input_tokens": 1000,
                                "cache_creation": {"ephemeral_5m_input_tokens": 400, "ephemeral_1h_input_tokens": 600}}, "the writes by TTL, as Claude's"
    assert message["router"]["cost_usd"] == pytest.approx((20 * 3.0 + 500 * 0.3 + 1000 * 3.75 + 5 * 15.0) / 1e6)

    assert (await harness.client.post("/v1/messages", json=ask("[score=0.1]"))).status_code == 200
    sent = harness.upstream.requests[-1]
    assert b"cache_control" not in orjson.dumps(sent) and b"_cache" not in orjson.dumps(sent) and b"x-anthropic" not in orjson.dumps(sent)
    assert sent["messages"][0] == {"role": "system", "content": [{"type": "text", "text": "You are Claude Code."}, {"type": "text", "text": "Rules."}]}


def test_a_message_with_a_tool_call_stops_for_it_however_the_upstream_said_so() -> None:
    chat = {"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": None, "tool_calls": [{"id": "t", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}}]}
    assert message_body({}, chat)["stop_reason"] == "tool_use"
    stream = AnthropicStream({"model": "auto"})
    sent = stream.frames(frames_of(_calls({"index": 0, "id": "t", "type": "function", "function": {"name": "f", "arguments": "{}"}}),
                                   _chunk(finish="stop"))) + stream.end(None)
    assert events_of(sent.decode())[-2]["delta"]["stop_reason"] == "tool_use"


@given(st.dictionaries(st.sampled_from(["messages", "system", "tools", "tool_choice", "thinking", "stop_sequences", "metadata", "max_tokens",
                                        "output_config", "output_format", "stream", "temperature", "top_p", "top_k", "service_tier"]),
                       _JSON, max_size=5))
@example({"output_config": {"effort": []}})  # an unhashable effort raised TypeError (a 500), not a 400
def test_any_body_becomes_a_chat_request_or_a_400(body: dict[str, Any]) -> None:
    try:
        chat = chat_request({"model": "auto", "max_tokens": 8, "messages": [{"role": "user", "content": "x"}], **body})
    except APIError as exc:
        assert exc.status == 400 and exc.param
        return
    assert chat["messages"] and all(m["role"] in ("system", "user", "assistant", "tool") for m in chat["messages"])


@pytest.mark.parametrize(("fields", "param"), [
    ({"max_tokens": None}, "max_tokens"),
    ({"mcp_servers": [{"type": "url", "url": "https://mcp.example"}]}, "mcp_servers"),
    ({"tools": [{"type": "web_search_20250305", "name": "web_search"}]}, "tools[0]"),
    ({"messages": [{"role": "user", "content": [{"type": "container_upload", "file_id": "f"}]}]}, "messages[0].content[0]"),
    ({"messages": [{"role": "tool", "content": "x"}]}, "messages[0].role"),
    ({"messages": [{"role": "system", "content": "x"}]}, "messages"),
    ({"output_config": {"effort": "extreme"}}, "output_config.effort"),
    ({"messages": []}, "messages"),
    ({"thinking": {"type": "enabled"}}, "thinking"),
    ({"tool_choice": {"type": "sometimes"}}, "tool_choice"),
])
async def test_what_cannot_be_served_is_a_400_naming_it(harness: Harness, fields: dict[str, Any], param: str) -> None:
    body = {"model": "auto", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]} | fields
    response = await harness.client.post("/v1/messages", json=body)
    assert response.status_code == 400, response.text
    error = response.json()  # Anthropic's shape, the field named in the message
    assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error" and f"'{param}" in error["error"]["message"]
    assert response.headers["request-id"] == response.headers["x-request-id"]
    assert not harness.upstream.requests


def test_blocks_close_in_order_and_the_end_carries_usage_and_stop_reason() -> None:
    stream = AnthropicStream({"model": "auto"})
    sent = stream.frames(frames_of(
        _chunk("Let me check."),
        _calls({"index": 0, "id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city":'}}),
        _calls({"index": 0, "function": {"arguments": '"Oslo"}'}}),
        _chunk(finish="tool_calls"),
    )) + stream.end({"usage": {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42, "prompt_tokens_details": {"cached_tokens": 10}},
                     "router": {"tier": "low"}})
    events = events_of(sent.decode())
    assert [e["type"] for e in events] == ["message_start", "content_block_start", "content_block_delta", "content_block_stop",
                                           "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                                           "message_delta", "message_stop"]
    assert events[4]["content_block"] == {"type": "tool_use", "id": "call_1", "name": "weather", "input": {}}
    delta = events[-2]
    assert delta["delta"]["stop_reason"] == "tool_use" and delta["router"] == {"tier": "low"}
    assert delta["usage"] == {"input_tokens": 20, "output_tokens": 12, "cache_read_input_tokens": 10, "cache_creation_input_tokens": 0,
                              "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}}


def test_an_error_after_the_first_byte_is_anthropic_s_error_event_and_reasoning_pings() -> None:
    stream = AnthropicStream({"model": "auto"})
    thinking = {"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"reasoning": "hmm"}, "finish_reason": None}]}
    assert events_of(stream.frames(frames_of(thinking)).decode())[-1] == {"type": "ping"}
    assert stream.frames(frames_of(thinking, thinking)) == b"", "a keep-alive at most once a second, not one a chunk"
    sent = stream.frames(frames_of(_chunk("Hi"))) + stream.error(APIError(502, "upstream failed: reset", code="connect"))
    assert events_of(sent.decode())[-1] == {"type": "error", "error": {"type": "api_error", "message": "upstream failed: reset"}}
    assert stream.end(None) == b"" and stream.frames(frames_of(_chunk("more"))) == b""


def test_a_stop_sequence_the_upstream_matched_is_reported() -> None:
    """vLLM names the matched stop string in the choice's `stop_reason` (the Anthropic adapter too);
    an upstream that names none (OpenAI) ends its turn, and a token id or a string the client did not
    ask for is no stop sequence."""
    request = {"model": "auto", "stop_sequences": ["END", "###"]}

    def answer(matched: Any, finish: str = "stop") -> dict[str, Any]:
        return message_body(request, {"id": "c", "created": 1, "model": "m", "choices": [
            {"index": 0, "finish_reason": finish, "stop_reason": matched, "message": {"role": "assistant", "content": "one"}}]})

    assert {k: answer("###")[k] for k in ("stop_reason", "stop_sequence")} == {"stop_reason": "stop_sequence", "stop_sequence": "###"}
    for matched in (None, 151645, "<|im_end|>"):
        assert {k: answer(matched)[k] for k in ("stop_reason", "stop_sequence")} == {"stop_reason": "end_turn", "stop_sequence": None}
    assert answer("END", "length")["stop_reason"] == "max_tokens"
    stream = AnthropicStream(request)
    finish = _chunk(finish="stop")
    finish["choices"][0]["stop_reason"] = "END"
    events = events_of((stream.frames(frames_of(_chunk("one"), finish)) + stream.end(None)).decode())
    assert events[-2]["delta"] == {"stop_reason": "stop_sequence", "stop_sequence": "END"}


def test_a_cut_answer_stops_at_max_tokens_and_odd_arguments_survive() -> None:
    body = message_body({}, {"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "finish_reason": "length", "message": {
        "role": "assistant", "content": "Once upon a", "tool_calls": [{"id": "t", "type": "function", "function": {"name": "f", "arguments": "[1]"}}]}}]})
    assert body["stop_reason"] == "max_tokens" and body["content"][1]["input"] == {"_raw": "[1]"}


@pytest.mark.parametrize(("status", "kind"), [(502, "api_error"), (503, "overloaded_error"), (504, "timeout_error"), (413, "request_too_large"),
                                             (405, "invalid_request_error"), (500, "api_error")])
def test_error_types_are_anthropic_s_by_status(status: int, kind: str) -> None:
    """An upstream that timed out is the SDK's `timeout_error` (the gateway's 504), no capacity is overloaded."""
    assert error_payload("x", status)["error"]["type"] == kind


async def test_errors_no_route_raised_have_anthropic_s_shape_under_v1_messages(harness: Harness) -> None:
    """A method `/v1/messages` does not serve, or a path under it that does not exist, answers as
    Anthropic would (the SDK reads `error.type`); other paths keep OpenAI's shape."""
    from anthropic import NotFoundError

    got = await harness.client.get("/v1/messages")
    assert got.status_code == 405 and got.json()["type"] == "error" and got.json()["error"]["type"] == "invalid_request_error"
    missing = await harness.client.post("/v1/messages/batches", json={})
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found_error"
    with pytest.raises(NotFoundError):
        await sdk(harness).messages.batches.list()
    other = await harness.client.get("/v1/chat/completions")
    assert other.status_code == 405 and other.json()["error"]["code"] == "method_not_allowed" and "type" not in other.json()
    assert (await harness.client.get("/v1/messagesx")).json()["error"]["code"] == "not_found"


def _recording_claude(seen: list[httpx.Request]) -> Any:
    """An Anthropic upstream that answers "ok" and keeps each request it gets in ``seen``."""
    def claude(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "stop_reason": "end_turn",
                                         "stop_sequence": None, "content": [{"type": "text", "text": "ok"}], "usage": {"input_tokens": 9, "output_tokens": 1}})

    return claude


async def test_a_clients_beta_flags_and_user_id_reach_an_anthropic_upstream_and_no_other(make_harness: Any, spare_handler: list[Any]) -> None:
    """Claude Code sends `anthropic-beta` (interleaved thinking, 1M context, …) and a `metadata.user_id` longer than OpenAI's
    64-character `user`: an Anthropic upstream gets both (the flags beside its configured ones, each once), others neither."""
    seen: list[httpx.Request] = []
    spare_handler[0] = _recording_claude(seen)
    config = claude_high_tier()
    config.backends["spare"].headers["Anthropic-Beta"] = "prompt-caching-2024-07-31, interleaved-thinking-2025-05-14"
    harness = await make_harness(config)
    user_id = "user_" + "a" * 64 + "_account_3f1c_session_9d2e"
    betas = {"anthropic-beta": "interleaved-thinking-2025-05-14,context-1m-2025-08-07"}

    def ask(marker: str, **extra: Any) -> dict[str, Any]:
        return {"model": "auto", "max_tokens": 50, "metadata": {"user_id": user_id}, "messages": [{"role": "user", "content": f"go {marker}"}], **extra}

    assert (await harness.client.post("/v1/messages", json=ask("[score=0.9]"), headers=betas)).status_code == 200
    assert seen[-1].headers["anthropic-beta"] == "prompt-caching-2024-07-31,interleaved-thinking-2025-05-14,context-1m-2025-08-07"
    sent = orjson.loads(seen[-1].content)
    assert sent["metadata"] == {"user_id": user_id} and b"_anthropic" not in seen[-1].content
    assert (await harness.client.post("/v1/messages", json=ask("[score=0.9]"))).status_code == 200
    assert seen[-1].headers["anthropic-beta"] == "prompt-caching-2024-07-31,interleaved-thinking-2025-05-14", "the backend's own stay"
    await harness.client.post("/v1/messages", json=ask("[score=0.9]", stream=True), headers=betas)  # streamed (the answer is no stream: a 502)
    assert seen[-1].headers["anthropic-beta"].endswith(",context-1m-2025-08-07") and orjson.loads(seen[-1].content)["stream"] is True

    assert (await harness.client.post("/v1/messages", json=ask("[score=0.1]", stream=True), headers=betas)).status_code == 200
    other = harness.upstream.requests[-1]
    assert b"_anthropic" not in orjson.dumps(other) and user_id not in orjson.dumps(other).decode() and "user" not in other


def _cut_stream(words: int) -> Any:
    """An Anthropic upstream that streams `words` text deltas and then fails (an `overloaded_error` event)."""
    start = {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "content": [],
                                                  "stop_reason": None, "stop_sequence": None,
                                                  "usage": {"input_tokens": 900, "cache_read_input_tokens": 100, "output_tokens": 1}}}
    events = [start, {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}]
    events += [{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": f" w{i}"}} for i in range(words)]
    events.append({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    body = b"".join(b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n" for e in events)
    return lambda request: httpx.Response(200, stream=httpx.ByteStream(body), headers={"content-type": "text/event-stream"})


async def test_an_anthropic_stream_cut_short_is_charged_what_it_relayed(make_harness: Any, spare_handler: list[Any]) -> None:
    """message_start's usage (output 1) was taken as final: 300 words relayed, then an error, were booked as 1 token.
    Now the prompt as the upstream counted it (cache reads included) and a token per event relayed, marked estimated."""
    spare_handler[0] = _cut_stream(300)
    harness = await make_harness(claude_high_tier())
    response = await harness.chat("hard [score=0.9]", stream=True, stream_options={"include_usage": True})
    assert "error" in response.text
    labels = {"tier": "high", "model": "claude", "backend": "spare"}
    assert harness.metric("router_tokens_total", **labels, kind="completion") == 300
    assert harness.metric("router_tokens_total", **labels, kind="prompt") == 1000
    assert harness.metric("router_tokens_total", **labels, kind="cached_prompt") == 100
    assert harness.metric("router_cost_usd_total", **labels) == pytest.approx((900 * 3.0 + 100 * 0.3 + 300 * 15.0) / 1e6)


EASY_MESSAGE = {"model": "auto", "max_tokens": 100, "messages": [{"role": "user", "content": "easy [score=0.1] q"}]}


async def test_a_context_overflow_is_worded_as_anthropic_words_it(make_harness: Any) -> None:
    """Claude Code compacts and retries only on `prompt is too long: N tokens > M maximum`: the gateway's own overflow (OpenAI's
    wording) and vLLM's, passed through, failed every turn of a long session on a local model until a manual `/compact`."""
    models = {name: {**spec, "context_window": 2000} for name, spec in CONFIG["models"].items()}
    harness = await make_harness(make_config(models=models))
    long = {**EASY_MESSAGE, "messages": [{"role": "user", "content": "easy [score=0.1] " + "word " * 5000}]}
    for body in (long, long | {"stream": True}):
        response = await harness.client.post("/v1/messages", json=body)
        assert response.status_code == 400 and response.json()["error"]["type"] == "invalid_request_error"
        message = response.json()["error"]["message"]
        found = re.match(r"prompt is too long: (\d+) tokens > (\d+) maximum", message)
        assert found is not None and int(found[2]) == 2000 and int(found[1]) > 2000, message
    vllm = {"object": "error", "message": "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens "
            "(38000 in the messages, 2000 in the completion).", "type": "BadRequestError", "param": None, "code": 400}
    harness = await make_harness(sim_transport=httpx.MockTransport(lambda request: httpx.Response(400, json=vllm)))
    response = await harness.client.post("/v1/messages", json=EASY_MESSAGE)
    assert response.status_code == 400 and response.json()["error"]["message"].startswith("prompt is too long: 38000 tokens > 32768 maximum")
    chat = await harness.client.post("/v1/chat/completions", json={"model": "auto", "messages": [{"role": "user", "content": "q"}]})
    assert chat.json()["error"]["message"] == vllm["message"], "OpenAI clients keep the upstream's words"
    capped = {**vllm, "message": "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens (8000 in the messages, "
              "32000 in the completion)."}  # a cap too large: compacting would not mend it
    harness = await make_harness(sim_transport=httpx.MockTransport(lambda request: httpx.Response(400, json=capped)))
    message = (await harness.client.post("/v1/messages", json=EASY_MESSAGE)).json()["error"]["message"]
    assert message.startswith("input length and `max_tokens` exceed context limit: 8000 + 32000 > 32768"), message


async def test_a_permanent_refusal_tells_the_sdks_not_to_retry(make_harness: Any, fake_classifier: Any) -> None:
    """A spent budget's 429 said Retry-After: the seconds to the period's end — anthropic-python obeys any Retry-After and
    slept for weeks instead of raising; a wrong upstream key (the gateway's) was a 502 the SDKs retried, routed again each
    time. Both SDKs obey `x-should-retry: false` before any status rule, and raise at once."""
    import asyncio

    from anthropic import InternalServerError, RateLimitError

    from tests.opskit import gateway
    from tests.router.test_limits import KEY_A, ops_config

    calls: list[httpx.Request] = []

    def refused(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(401, json={"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})

    harness = await make_harness(sim_transport=httpx.MockTransport(refused))
    with pytest.raises(InternalServerError) as failed:
        await sdk(harness).with_options(max_retries=2).messages.create(**EASY_MESSAGE)
    assert failed.value.response.headers["x-should-retry"] == "false" and len(calls) == 1, "asked once, not three times"

    async with gateway(ops_config(limits={"default": {"budget_usd": 0.00001, "budget_period": "month"}}), fake_classifier) as gw:
        assert (await gw.chat("[score=0.9] prove it", key=KEY_A)).status_code == 200
        await gw.settle()
        harness.client = gw.client
        with pytest.raises(RateLimitError) as limited:
            await asyncio.wait_for(sdk(harness, api_key=KEY_A).with_options(max_retries=2).messages.create(**EASY_MESSAGE), timeout=5)
        until_month_end = seconds_to_period_end("month", time.time())  # not "> 3600": false in a month's last hour
        assert limited.value.response.headers["x-should-retry"] == "false"
        assert abs(int(limited.value.response.headers["retry-after"]) - until_month_end) <= 3


def adaptive_tiers(effort: str = "high") -> Any:
    """The high tier on Claude Opus 4.7, which takes adaptive thinking only (`reasoning: anthropic_adaptive`)."""
    return make_config(backends={**CONFIG["backends"], "spare": {"kind": "anthropic", "base_url": "http://spare.test", "api_key": "sk-ant"}},
                       models={"small": CONFIG["models"]["small"],
                               "opus": {"backend": "spare", "upstream_name": "claude-opus-4-7", "reasoning": "anthropic_adaptive",
                                        "input": 5.0, "output": 25.0, "max_output_tokens": 128000}},
                       tiers={"low": {"model": "small", "max_score": 0.5}, "high": {"model": "opus", "effort": effort}})


def recording_claude(seen: list[dict[str, Any]]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(orjson.loads(request.content))
        return httpx.Response(200, json={"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-opus-4-7", "stop_reason": "end_turn",
                                         "stop_sequence": None, "content": [{"type": "text", "text": "ok"}], "usage": {"input_tokens": 9, "output_tokens": 2}})
    return handler


async def test_a_model_that_thinks_adaptively_only_is_asked_as_it_takes(make_harness: Any, spare_handler: list[Any]) -> None:
    """Found in an audit: Claude Opus 4.7 and later refuse `thinking: {type: enabled, budget_tokens}` and `{type: disabled}`
    (400) — every thinking request routed to such a tier failed, Claude Code's on every turn; and their sampling fields."""
    seen: list[dict[str, Any]] = []
    spare_handler[0] = recording_claude(seen)
    harness = await make_harness(adaptive_tiers())
    chat = {"model": "auto", "temperature": 0.2, "top_p": 0.9, "max_tokens": 1000, "messages": [{"role": "user", "content": "[score=0.9] prove it"}]}
    assert (await harness.client.post("/v1/chat/completions", json=chat)).status_code == 200
    sent = seen[-1]
    assert sent["thinking"] == {"type": "adaptive"} and sent["output_config"] == {"effort": "high"}
    assert sent["max_tokens"] == 1000 + 16384, "the answer's cap, and the effort's reserve beside it"
    assert not {"temperature", "top_p", "top_k"} & set(sent), "'temperature' is deprecated for this model"
    del chat["max_tokens"]
    assert (await harness.client.post("/v1/chat/completions", json=chat)).status_code == 200
    assert seen[-1]["max_tokens"] == 4096 + 16384
    claude_code = {"model": "auto", "max_tokens": 32000, "thinking": {"type": "adaptive"}, "output_config": {"effort": "medium"},
                   "messages": [{"role": "user", "content": "[score=0.9] refactor this"}]}
    assert (await harness.client.post("/v1/messages", json=claude_code)).status_code == 200
    assert seen[-1]["thinking"] == {"type": "adaptive"} and seen[-1]["output_config"] == {"effort": "medium"} and seen[-1]["max_tokens"] == 32000
    off = await make_harness(adaptive_tiers("none"))
    assert (await off.client.post("/v1/chat/completions", json=chat)).status_code == 200
    assert "thinking" not in seen[-1] and "output_config" not in seen[-1], "no thinking: not asked for ({type: disabled} is refused)"


@pytest.mark.parametrize(("block", "read"), [
    ({"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "the spec says 42"}, "title": "Spec"}, "Spec\n\nthe spec says 42"),
    ({"type": "document", "source": {"type": "content", "content": [{"type": "text", "text": "custom content"}]}}, "custom content"),
    ({"type": "search_result", "source": "https://x.test", "title": "t", "content": [{"type": "text", "text": "result"}]}, "t\n\nhttps://x.test\n\nresult"),
    ({"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0xLjQK"}},
     "[a document (application/pdf) this model cannot read was left out]"),
], ids=["text-doc", "content-doc", "search_result", "pdf"])
async def test_documents_and_search_results_are_read_as_text(make_harness: Any, spare_handler: list[Any], block: dict[str, Any], read: str) -> None:
    """Found in an audit: a document or a search result anywhere in the conversation — Claude Code's Read of a PDF sits in a
    tool result — was a 400, and every later request of the session with it."""
    seen: list[dict[str, Any]] = []
    spare_handler[0] = recording_claude(seen)
    harness = await make_harness(claude_high_tier())
    history = [{"role": "user", "content": "[score=0.9] read the spec"},
               {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {"file_path": "spec"}}]},
               {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [block]}]},
               {"role": "assistant", "content": "Read it."}, {"role": "user", "content": [{"type": "text", "text": "[score=0.9] and this?"}, block]}]
    response = await harness.client.post("/v1/messages", json={"model": "auto", "max_tokens": 100, "messages": history})
    assert response.status_code == 200, response.text
    sent = seen[-1]["messages"]
    assert sent[2]["content"][0]["content"] == read, "the tool result's text"
    assert sent[-1]["content"][0]["text"] == f"[score=0.9] and this?\n{read}", "the user turn's text, on lines"


async def test_a_prefill_is_continued_by_vllm(make_harness: Any) -> None:
    """Found in an audit: a Messages client's trailing assistant turn (a prefill: `{"answer": `) reached vLLM as a finished
    turn, and the model began a new one — the client's prefill and the answer made no JSON. vLLM continues it when told."""
    seen: list[dict[str, Any]] = []

    def vllm(request: httpx.Request) -> httpx.Response:
        seen.append(orjson.loads(request.content))
        return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": "m", "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
                                         "choices": [{"index": 0, "message": {"role": "assistant", "content": " 42}"}, "finish_reason": "stop"}]})

    harness = await make_harness(sim_transport=httpx.MockTransport(vllm))
    prefill = {"model": "auto", "max_tokens": 50, "messages": [{"role": "user", "content": "[score=0.1] the answer as JSON"},
                                                               {"role": "assistant", "content": '{"answer":'}]}
    assert (await harness.client.post("/v1/messages", json=prefill)).status_code == 200
    assert seen[-1]["continue_final_message"] is True and seen[-1]["add_generation_prompt"] is False
    assert not [key for key in seen[-1] if key.startswith("_router_")]
    assert (await harness.client.post("/v1/messages", json={**prefill, "messages": prefill["messages"][:1]})).status_code == 200
    assert "continue_final_message" not in seen[-1], "only a prefill"


def test_a_prefill_rides_beside_the_chat_body_not_in_it() -> None:
    """What the gateway knows of a Messages request beyond its chat body is a typed hint (backends/request_hints.py), not
    a `_router_` key in the client's dict that every upstream body must shed."""
    messages = [{"role": "user", "content": "the answer as JSON"}, {"role": "assistant", "content": '{"answer":'}]
    chat = chat_request({"model": "auto", "max_tokens": 50, "messages": messages})
    assert not [key for key in chat if key.startswith("_router_")]
    assert request_hints(chat) == RequestHints(prefill=True)
    assert request_hints(chat_request({"model": "auto", "max_tokens": 50, "messages": messages[:1]})) == NO_HINTS


def test_a_client_s_anthropic_options_ride_beside_the_chat_body_not_in_it() -> None:
    """Its `anthropic-beta` flags and `metadata.user_id` are hints for the Anthropic adapter (`RequestHints.betas` /
    `user_id`), not `_router_anthropic_options` in the chat body."""
    body = {"model": "auto", "max_tokens": 50, "metadata": {"user_id": "u-1"}, "messages": [{"role": "user", "content": "hi"}]}
    chat = chat_request(body)
    assert not [key for key in chat if key.startswith("_router_")]
    assert request_hints(chat, body, " interleaved-thinking-2025-05-14, ,context-1m-2025-08-07") == RequestHints(
        betas=("interleaved-thinking-2025-05-14", "context-1m-2025-08-07"), user_id="u-1")
    assert request_hints(chat, body | {"metadata": {"user_id": ""}}, "") == NO_HINTS


#: Claude with interleaved thinking: a thinking block between its tool calls.
INTERLEAVED = [{"type": "thinking", "thinking": "A", "signature": "SA"}, {"type": "text", "text": "first"},
               {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"x": 1}},
               {"type": "thinking", "thinking": "B", "signature": "SB"}, {"type": "tool_use", "id": "toolu_2", "name": "g", "input": {}}]


async def test_interleaved_thinking_keeps_its_place_both_ways(make_harness: Any, spare_handler: list[Any]) -> None:
    """Found in an audit: Claude with interleaved thinking answers [thinking A, text, tool_use 1, thinking B, tool_use 2];
    the chat shape keeps no order, so the message came back with its thinking first and the turn went back to Claude so
    too — which refuses a turn whose thinking blocks moved ("Invalid signature"), on every retry of the tool loop."""
    seen: list[dict[str, Any]] = []
    interleaved = INTERLEAVED

    def claude(request: httpx.Request) -> httpx.Response:
        seen.append(orjson.loads(request.content))
        return httpx.Response(200, json={"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "stop_reason": "tool_use",
                                         "stop_sequence": None, "content": interleaved, "usage": {"input_tokens": 1, "output_tokens": 1}})

    spare_handler[0] = claude
    harness = await make_harness(claude_high_tier())
    tools = [{"name": "f", "input_schema": {"type": "object"}}, {"name": "g", "input_schema": {"type": "object"}}]
    ask = {"model": "auto:high", "max_tokens": 5000, "thinking": {"type": "enabled", "budget_tokens": 2000}, "tools": tools,
           "messages": [{"role": "user", "content": "[score=0.9] q"}]}
    got = (await harness.client.post("/v1/messages", json=ask)).json()["content"]
    assert [(b["type"], b.get("thinking")) for b in got] == [("thinking", "A"), ("text", None), ("tool_use", None), ("thinking", "B"), ("tool_use", None)]
    assert "position" not in str(got)
    echo = [*ask["messages"], {"role": "assistant", "content": interleaved}, {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "1"}, {"type": "tool_result", "tool_use_id": "toolu_2", "content": "2"}]}]
    assert (await harness.client.post("/v1/messages", json={**ask, "messages": echo})).status_code == 200
    assert seen[-1]["messages"][1]["content"] == interleaved, "the turn as Claude wrote it"


async def test_an_adaptive_effort_is_sent_as_asked_under_the_client_s_cap(make_harness: Any, spare_handler: list[Any]) -> None:
    """Found in review: the effort was lowered to fit its default budget under a Messages client's cap — Anthropic's own
    example (16,000 tokens, effort high) went as medium, 1,024 tokens as no thinking — though adaptive thinking reserves
    nothing: the model fits its thinking in the cap."""
    seen: list[dict[str, Any]] = []
    spare_handler[0] = recording_claude(seen)
    harness = await make_harness(adaptive_tiers())
    ask = {"model": "auto", "max_tokens": 16000, "thinking": {"type": "adaptive"}, "output_config": {"effort": "high"},
           "messages": [{"role": "user", "content": "[score=0.9] prove it"}]}
    for cap in (16000, 1024):
        assert (await harness.client.post("/v1/messages", json={**ask, "max_tokens": cap})).status_code == 200
        assert seen[-1]["output_config"] == {"effort": "high"} and seen[-1]["thinking"] == {"type": "adaptive"} and seen[-1]["max_tokens"] == cap


async def test_a_messages_effort_reaches_each_model_as_the_nearest_it_takes(make_harness: Any, spare_handler: list[Any]) -> None:
    """Found in review: Claude Code's `xhigh` and `max` were sent as `high` to every model (Opus 4.7 takes both), and an
    effort a model lacks reached it as asked (Opus 4.6 has no xhigh: Anthropic's 400). Now each model gets the nearest it
    takes — its `efforts` when configured — routed or named directly (gpt-oss: `high`, not the chat route's 400)."""
    seen: list[dict[str, Any]] = []
    spare_handler[0] = recording_claude(seen)
    config = adaptive_tiers()
    config.models["opus46"] = config.models["opus"].model_copy(update={"upstream_name": "claude-opus-4-6", "efforts": ["none", "low", "medium", "high", "max"]})
    config.models["oss"] = config.models["small"].model_copy(update={"reasoning": "gpt-oss"})
    config.models["windowed"] = config.models["small"].model_copy(update={"max_output_tokens": 32768})
    harness = await make_harness(config)
    ask = {"max_tokens": 4000, "messages": [{"role": "user", "content": "[score=0.9] prove it"}]}
    for model, effort, sent in (("auto", "xhigh", "xhigh"), ("auto", "max", "max"), ("opus46", "xhigh", "max"), ("opus46", "medium", "medium")):
        response = await harness.client.post("/v1/messages", json={**ask, "model": model, "output_config": {"effort": effort}})
        assert response.status_code == 200 and seen[-1]["output_config"] == {"effort": sent}, (model, effort)
    assert (await harness.client.post("/v1/messages", json={**ask, "model": "oss", "output_config": {"effort": "max"}})).status_code == 200
    assert harness.upstream.requests[-1]["reasoning_effort"] == "high" and not any(key.startswith("_router") for key in harness.upstream.requests[-1])
    # found in review: max reached a Qwen3 as a 65,536-token budget past its window: lowered to what its output limit holds
    assert (await harness.client.post("/v1/messages", json={**ask, "model": "windowed", "output_config": {"effort": "max"}})).status_code == 200
    assert harness.upstream.requests[-1]["thinking_token_budget"] == 16384, "high: xhigh's 32,768 leaves no room in 32,768"


async def test_adaptive_thinking_without_an_effort_thinks_on_a_model_named_directly(make_harness: Any, spare_handler: list[Any]) -> None:
    """Found in review: `thinking: {type: adaptive}` with no effort sent a model named directly no thinking at all (it has no
    tier effort to keep); Anthropic's default is high. A routed request keeps its tier's effort."""
    seen: list[dict[str, Any]] = []
    spare_handler[0] = recording_claude(seen)
    harness = await make_harness(adaptive_tiers(effort="low"))
    ask = {"max_tokens": 4000, "thinking": {"type": "adaptive"}, "messages": [{"role": "user", "content": "[score=0.9] prove it"}]}
    direct = {**ask, "model": "opus"}
    assert request_hints(chat := chat_request(direct), direct).default_effort == "high" and not [key for key in chat if key.startswith("_router_")]
    assert request_hints(chat_request(ask | {"output_config": {"effort": "low"}}), ask).default_effort is None, "an effort named: none"
    for model, sent in (("opus", "high"), ("auto", "low")):
        assert (await harness.client.post("/v1/messages", json={**ask, "model": model})).status_code == 200
        assert seen[-1]["thinking"] == {"type": "adaptive"} and seen[-1]["output_config"] == {"effort": sent}, model
        assert not any(key.startswith("_router") for key in seen[-1])


async def test_a_tier_s_budget_does_not_reach_a_fallback_that_takes_none(make_harness: Any, spare_handler: list[Any]) -> None:
    """Found in review: a tier's `thinking_budget` met an adaptive fallback's dialect, which takes none: an unhandled
    error, a 500 — and with context windows configured, for every request to the tier before any upstream call."""
    seen: list[str] = []

    def claude(request: httpx.Request) -> httpx.Response:
        model = orjson.loads(request.content)["model"]
        seen.append(model)
        if model == "claude-sonnet-4-5":
            return httpx.Response(529, json={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
        return recording_claude([])(request)

    spare_handler[0] = claude
    models = {"small": CONFIG["models"]["small"],
              "sonnet": {"backend": "spare", "upstream_name": "claude-sonnet-4-5", "reasoning": "anthropic", "input": 3.0, "output": 15.0,
                         "context_window": 200000},
              "opus": {"backend": "spare", "upstream_name": "claude-opus-4-7", "reasoning": "anthropic_adaptive", "input": 5.0, "output": 25.0,
                       "context_window": 200000}}
    config = make_config(backends={**CONFIG["backends"], "spare": {"kind": "anthropic", "base_url": "http://spare.test", "api_key": "sk-ant"}},
                         models=models, tiers={"low": {"model": "small", "max_score": 0.5},
                                               "high": {"model": "sonnet", "effort": "high", "thinking_budget": 8000, "fallbacks": ["opus"]}})
    harness = await make_harness(config)
    response = await harness.client.post("/v1/chat/completions", json={"model": "auto", "max_tokens": 1000,
                                                                      "messages": [{"role": "user", "content": "[score=0.9] q"}]})
    assert response.status_code == 200 and response.headers["x-router-model"] == "opus" and seen == ["claude-sonnet-4-5", "claude-opus-4-7"]


def interleaved_events(blocks: list[dict[str, Any]]) -> bytes:
    """Anthropic's stream of a message with `blocks` (thinking signed by a signature_delta, tool input as one delta)."""
    events: list[dict[str, Any]] = [{"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x",
                                                                          "content": [], "usage": {"input_tokens": 1, "output_tokens": 1}}}]
    for index, block in enumerate(blocks):
        if block["type"] == "thinking":
            events += [{"type": "content_block_start", "index": index, "content_block": {"type": "thinking", "thinking": "", "signature": ""}},
                       {"type": "content_block_delta", "index": index, "delta": {"type": "thinking_delta", "thinking": block["thinking"]}},
                       {"type": "content_block_delta", "index": index, "delta": {"type": "signature_delta", "signature": block["signature"]}}]
        elif block["type"] == "text":
            events += [{"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}},
                       {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": block["text"]}}]
        else:
            events += [{"type": "content_block_start", "index": index, "content_block": {**block, "input": {}}},
                       {"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": orjson.dumps(block["input"]).decode()}}]
        events.append({"type": "content_block_stop", "index": index})
    events += [{"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None}, "usage": {"output_tokens": 9}}, {"type": "message_stop"}]
    return b"".join(b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n" for e in events)


async def test_a_streamed_chat_client_replays_interleaved_thinking_in_its_place(make_harness: Any, spare_handler: list[Any]) -> None:
    """Found in review: only the non-streamed answer carried the thinking blocks' places, so a streaming chat client (LiteLLM's
    convention) replayed the turn thinking-first; and a place must not reach a proxy in front of Claude (Anthropic refuses it)."""
    seen: list[dict[str, Any]] = []
    blocks = INTERLEAVED

    def claude(request: httpx.Request) -> httpx.Response:
        seen.append(orjson.loads(request.content))
        return httpx.Response(200, content=interleaved_events(blocks), headers={"content-type": "text/event-stream"})

    spare_handler[0] = claude
    harness = await make_harness(claude_high_tier())
    tools = [{"type": "function", "function": {"name": name, "parameters": {"type": "object"}}} for name in "fg"]
    ask = {"model": "auto:high", "tools": tools, "stream": True, "messages": [{"role": "user", "content": "[score=0.9] q"}]}
    text = (await harness.client.post("/v1/chat/completions", json=ask)).text
    chunks = [orjson.loads(line[6:]) for line in text.split("\n") if line.startswith("data: {")]
    deltas = [choice["delta"] for chunk in chunks for choice in chunk.get("choices", [])]
    thinking = [{k: v for k, v in block.items() if k != "index"} for delta in deltas for block in delta.get("thinking_blocks") or ()]
    assert [block.get("position", 0) for block in thinking] == [0, 2]
    calls = [{"id": call["id"], "type": "function", "function": {"name": call["function"]["name"], "arguments": orjson.dumps(block["input"]).decode()}}
             for call, block in zip([c for d in deltas for c in d.get("tool_calls") or () if c.get("id")], blocks[2::2], strict=True)]
    echoed = {"role": "assistant", "content": "first", "tool_calls": calls, "thinking_blocks": thinking}
    replay = {**ask, "stream": False, "messages": [*ask["messages"], echoed, {"role": "tool", "tool_call_id": "toolu_1", "content": "1"},
                                                   {"role": "tool", "tool_call_id": "toolu_2", "content": "2"}]}
    spare_handler[0] = recording_claude(seen)
    assert (await harness.client.post("/v1/chat/completions", json=replay)).status_code == 200
    assert [(block["type"], block.get("thinking")) for block in seen[-1]["messages"][1]["content"]] == [
        ("thinking", "A"), ("text", None), ("tool_use", None), ("thinking", "B"), ("tool_use", None)]
    proxied = make_config(models={"small": CONFIG["models"]["small"], "claude": {"backend": "spare", "reasoning": "anthropic", "input": 3.0, "output": 15.0}},
                          tiers={"low": {"model": "small", "max_score": 0.5}, "high": {"model": "claude"}})  # Claude behind an OpenAI-compatible proxy
    spare_handler[0] = lambda request: httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
    harness = await make_harness(proxied)
    assert (await harness.client.post("/v1/chat/completions", json=replay)).status_code == 200
    sent = orjson.loads(harness.spare_requests[-1].content)["messages"][1]
    assert len(sent["thinking_blocks"]) == 2 and "position" not in str(sent)


async def test_a_streamed_message_s_final_usage_never_shows_a_split_that_contradicts_its_cache_writes(make_harness: Any,
                                                                                                       spare_handler: list[Any]) -> None:
    """The SDK's `get_final_message()` keeps `usage.cache_creation` from `message_start` (its message_delta handler copies
    only the counts): zeros there read "1000 written, 0 of them to either cache". Unknown at the start, it is left out."""
    usage = {"input_tokens": 20, "cache_creation_input_tokens": 1000, "cache_read_input_tokens": 500, "output_tokens": 1,
             "cache_creation": {"ephemeral_5m_input_tokens": 400, "ephemeral_1h_input_tokens": 600}}
    events = ({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "content": [],
                                                     "stop_reason": None, "stop_sequence": None, "usage": usage}},
              {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
              {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}},
              {"type": "content_block_stop", "index": 0},
              {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 5}},
              {"type": "message_stop"})
    body = b"".join(b"event: " + e["type"].encode() + b"\ndata: " + orjson.dumps(e) + b"\n\n" for e in events)
    spare_handler[0] = lambda request: httpx.Response(200, stream=httpx.ByteStream(body), headers={"content-type": "text/event-stream"})
    harness = await make_harness(claude_high_tier())
    async with sdk(harness).messages.stream(model="auto", max_tokens=20, messages=[{"role": "user", "content": "hard [score=0.9]"}]) as stream:
        final = await stream.get_final_message()
    assert final.usage.cache_creation_input_tokens == 1000
    split = final.usage.cache_creation
    assert split is None or split.ephemeral_5m_input_tokens + split.ephemeral_1h_input_tokens == 1000
