"""`POST /v1/messages` end to end through the real `anthropic` client (`messages.create`, the
`messages.stream()` accumulator that checks the event order), tool use, token counts, request ids, and what an
Anthropic upstream is sent (cache breakpoints, beta flags) and reports. Thinking: test_anthropic_api_thinking.py;
errors: _errors.py; the translation on its own: _translation.py; the helpers they share: _anthropic_api_helpers.py
(router/anthropic_api.py, anthropic_stream.py)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from router.context import TokenCounter
from router.demo.upstream import _prompt_tokens
from tests.router._anthropic_api_helpers import claude_high_tier, recording_claude, sdk
from tests.router._responses_api_helpers import tool_upstream
from tests.router.conftest import CONFIG, Harness, make_config

pytestmark = pytest.mark.anyio


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


async def test_a_clients_beta_flags_and_user_id_reach_an_anthropic_upstream_and_no_other(make_harness: Any, spare_handler: list[Any]) -> None:
    """Claude Code sends `anthropic-beta` (interleaved thinking, 1M context, …) and a `metadata.user_id` longer than OpenAI's
    64-character `user`: an Anthropic upstream gets both (the flags beside its configured ones, each once), others neither."""
    seen: list[httpx.Request] = []
    spare_handler[0] = recording_claude(seen, whole_request=True)
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
