"""Thinking on `POST /v1/messages`: shown when the client turns it on, signed blocks kept (streamed, echoed,
interleaved with tool calls, in their place), the client's cap and effort as each model takes them (adaptive-only
models, the nearest effort), and a tier's budget never sent where it is refused."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from router.anthropic_api import chat_request, message_body
from router.anthropic_hints import request_hints
from router.anthropic_stream import AnthropicStream
from tests.router._anthropic_api_helpers import claude_high_tier, events_of, recording_claude, sdk
from tests.router._sse_helpers import chunk, frames_of
from tests.router.conftest import CONFIG, Harness, make_config

pytestmark = pytest.mark.anyio


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
    events = events_of((stream.frames(frames_of(*reasoning, chunk("It is noon."), chunk(finish="stop"))) + stream.end(None)).decode())
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
    events = events_of((stream.frames(frames_of(*chunks, chunk("done"), chunk(finish="stop"))) + stream.end(None)).decode())
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


def test_the_sdk_s_newest_effort_and_thinking_modes_are_served() -> None:
    """`output_config.effort: xhigh` is xhigh (sent as the nearest the model takes); `thinking: between_tools` is thinking
    off (progress notes between tool calls come back as thinking blocks), not a 400."""
    ask = {"model": "auto", "max_tokens": 2000, "messages": [{"role": "user", "content": "hi"}]}
    asked = chat_request(ask | {"output_config": {"effort": "xhigh"}})
    assert asked["reasoning_effort"] == "xhigh" and request_hints(asked).effort_translated
    assert not [key for key in asked if key.startswith("_router_")], "the effort's origin rides beside the body"
    between = chat_request(ask | {"thinking": {"type": "between_tools"}})
    assert between["reasoning_effort"] == "none" and request_hints(between, ask | {"thinking": {"type": "between_tools"}}).cap_includes_reasoning


def adaptive_tiers(effort: str = "high") -> Any:
    """The high tier on Claude Opus 4.7, which takes adaptive thinking only (`reasoning: anthropic_adaptive`)."""
    return make_config(backends={**CONFIG["backends"], "spare": {"kind": "anthropic", "base_url": "http://spare.test", "api_key": "sk-ant"}},
                       models={"small": CONFIG["models"]["small"],
                               "opus": {"backend": "spare", "upstream_name": "claude-opus-4-7", "reasoning": "anthropic_adaptive",
                                        "input": 5.0, "output": 25.0, "max_output_tokens": 128000}},
                       tiers={"low": {"model": "small", "max_score": 0.5}, "high": {"model": "opus", "effort": effort}})


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
