"""`POST /v1/responses` end to end through the real `openai` client (`responses.create`, the
`responses.stream()` helper that checks the event order), tool calls both ways, what a stateless
gateway refuses, and the stream translation on its own (router/responses_api.py, responses_stream.py)."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from router.anthropic_stream import AnthropicStream
from router.chunk_translator import ChunkTranslator
from router.config import parse_config
from router.context import TokenCounter
from router.protocol import APIError
from router.responses_api import chat_request, response_body
from router.responses_stream import ResponsesStream
from tests.router.conftest import CONFIG, Harness, make_config
from tests.router.ttc_fakes import Scripted

pytestmark = pytest.mark.anyio


def events_of(text: str) -> list[dict[str, Any]]:
    """The payloads of a Responses stream; each event's name is its payload's type."""
    events = []
    for block in filter(None, text.split("\n\n")):
        if block.startswith(":"):  # a comment: the stream is alive
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        payload = orjson.loads(lines["data"])
        if "event" in lines:
            assert lines["event"] == payload["type"]
        events.append(payload)
    return events


def sdk(harness: Harness) -> Any:
    from openai import AsyncOpenAI

    return AsyncOpenAI(base_url="http://router.test/v1", api_key="unused", http_client=harness.client, max_retries=0)


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


def tool_upstream(requests: list[dict[str, Any]]) -> httpx.MockTransport:
    """Answers with a call to `weather` (arguments in two pieces when streamed)."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        requests.append(body)
        usage = {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42}
        call = {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Oslo"}'}}
        if not body.get("stream"):
            return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 5, "model": "m", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": None, "tool_calls": [call]}, "finish_reason": "tool_calls"}], "usage": usage})
        base = {"id": "c", "object": "chat.completion.chunk", "created": 5, "model": "m"}
        frames = [
            {"choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [
                {"index": 0, "id": "call_1", "type": "function", "function": {"name": "weather", "arguments": ""}}]}, "finish_reason": None}]},
            {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]}, "finish_reason": None}]},
            {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '"Oslo"}'}}]}, "finish_reason": None}]},
            {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
            {"choices": [], "usage": usage},
        ]
        data = b"".join(b"data: " + orjson.dumps(base | frame) + b"\n\n" for frame in frames) + b"data: [DONE]\n\n"
        return httpx.Response(200, stream=httpx.ByteStream(data), headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(handler)


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


def test_input_items_content_parts_and_settings_become_a_chat_request() -> None:
    chat = chat_request({"model": "auto", "input": [
        {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "Rules."}]},
        {"role": "user", "content": [{"type": "input_text", "text": "What is this?"},
                                     {"type": "input_image", "image_url": "data:image/png;base64,AAAA", "detail": "low"}]},
        {"role": "assistant", "content": [{"type": "output_text", "text": "A cat."}]},
    ], "reasoning": {"effort": "high", "summary": "auto"}, "text": {"format": {"type": "json_schema", "name": "x", "schema": {"type": "object"}}},
        "temperature": 0.3, "store": False, "include": ["reasoning.encrypted_content"], "parallel_tool_calls": True, "metadata": {"k": "v"}})
    assert chat["messages"] == [
        {"role": "developer", "content": "Rules."},
        {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                     {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}}]},
        {"role": "assistant", "content": "A cat."},
    ]
    assert chat["reasoning_effort"] == "high" and chat["temperature"] == 0.3
    assert chat["response_format"] == {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    assert not {"input", "reasoning", "text", "store", "include", "parallel_tool_calls", "metadata"} & chat.keys()


def test_text_parts_stay_apart_and_responses_only_fields_stay_here() -> None:
    """A turn's text parts on lines, as vLLM joins a chat turn's (joined with nothing, "Translate to French:Good morning"
    ran together); fields only the Responses API defines are not sent to a chat upstream, which may refuse them."""
    chat = chat_request({"model": "auto", "input": [
        {"role": "user", "content": [{"type": "input_text", "text": "Translate to French:"}, {"type": "input_text", "text": "Good morning"}]}],
        "client_metadata": {"x-codex-turn-metadata": "{}"}, "context_management": [{"type": "compaction", "compact_threshold": 200000}],
        "background_options": {}, "top_k": 20})
    assert chat["messages"] == [{"role": "user", "content": "Translate to French:\nGood morning"}]
    assert not {"client_metadata", "context_management", "background_options"} & chat.keys() and chat["top_k"] == 20, "a vLLM extra goes on"


@pytest.mark.parametrize(("fields", "param"), [
    ({"previous_response_id": "resp_1"}, "previous_response_id"),
    ({"conversation": "conv_1"}, "conversation"),
    ({"background": True}, "background"),
    ({"tools": [{"type": "computer_use_preview", "display_width": 1024, "display_height": 768}]}, "tools[0]"),
    ({"tools": [{"type": "namespace", "name": "ns", "description": "d", "tools": [{"type": "custom", "name": "x"}]}]}, "tools[0].tools[0]"),
    ({"tools": [{"type": "web_search"}], "tool_choice": {"type": "web_search"}}, "tool_choice"),
    ({"input": [{"type": "item_reference", "id": "msg_1"}]}, "input[0].type"),
    ({"input": [{"role": "user", "content": [{"type": "input_file", "file_id": "file-1"}]}]}, "input[0].content[0]"),
    ({"input": []}, "input"),
    ({"input": 5}, "input"),
    ({"messages": [{"role": "user", "content": "hi"}]}, "messages"),
    ({"top_logprobs": 21}, "top_logprobs"),
    ({"n": 3}, "n"),
])
async def test_what_a_stateless_gateway_cannot_serve_is_a_400_naming_it(harness: Harness, fields: dict[str, Any], param: str) -> None:  # or an invalid field
    response = await harness.client.post("/v1/responses", json={"model": "auto", "input": "hi"} | fields)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert not harness.upstream.requests


#: The words and keys both translators read (Responses and Anthropic Messages), so that generated bodies reach them.
_WORDS = st.sampled_from(["message", "reasoning", "reasoning_text", "summary_text", "function_call", "function_call_output", "custom_tool_call",
                          "assistant", "user", "system", "developer", "output_text", "input_text", "input_image", "input_file", "text",
                          "tool_use", "tool_result", "thinking", "redacted_thinking", "image", "document", "base64", "enabled", "disabled",
                          "json_schema", "json_object", "function", "custom", "auto", "any", "none", "tool", "required", "low", "high", "max"])
_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=5) | _WORDS,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
                         ["type", "role", "content", "text", "call_id", "name", "arguments", "output", "image_url", "file_data", "format",
                          "summary", "effort", "budget_tokens", "schema", "source", "input_schema", "parameters", "tool_use_id", "is_error",
                          "thinking", "id", "input", "data", "media_type", "url", "strict", "description", "disable_parallel_tool_use",
                          "verbosity", "generate_summary", "filename", "detail"]), inner, max_size=4),
                     max_leaves=12)


@given(st.dictionaries(st.sampled_from(["input", "instructions", "tools", "tool_choice", "text", "reasoning", "max_output_tokens", "store",
                                        "metadata", "parallel_tool_calls", "stream", "temperature", "top_p", "user", "include",
                                        "stream_options", "truncation", "top_logprobs"]),
                       _JSON, max_size=5))
@example({"input": [{"role": []}]})  # an unhashable role raised TypeError (a 500), not a 400
def test_any_body_becomes_a_chat_request_or_a_400(body: dict[str, Any]) -> None:
    try:
        chat = chat_request({"model": "auto", **body})
    except APIError as exc:
        assert exc.status == 400 and exc.param
        return
    assert chat["messages"] and all(m["role"] in ("system", "developer", "user", "assistant", "tool") for m in chat["messages"])


def _chunk(text: str | None = None, finish: str | None = None) -> dict[str, Any]:
    delta = {"content": text} if text is not None else {}
    return {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=12), st.integers(1, 4))
def test_every_character_arrives_once_in_order(deltas: list[str], per_frame: int) -> None:
    stream = ResponsesStream({"model": "auto"})
    chunks = [_chunk(text) for text in deltas] + [_chunk(finish="stop")]
    out = b"".join(
        stream.frames(b"".join(b"data: " + orjson.dumps(c) + b"\n\n" for c in chunks[i:i + per_frame]))
        for i in range(0, len(chunks), per_frame)
    ) + stream.end({"usage": {"prompt_tokens": 1, "completion_tokens": len(deltas), "total_tokens": 1 + len(deltas)}})
    events = events_of(out.decode())
    assert "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta") == "".join(deltas)
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == "".join(deltas)
    assert events[-1]["response"]["usage"]["output_tokens"] == len(deltas)


@given(st.lists(st.tuples(st.booleans(), st.text(min_size=1, max_size=6)), min_size=1, max_size=12), st.booleans())
def test_reasoning_and_text_interleaved_keep_every_character_in_its_item(pieces: list[tuple[bool, str]], summarized: bool) -> None:
    """However reasoning and answer text alternate, each run is one item, closed before the next opens,
    and the items' texts are the deltas' in order (reasoning as content, and summary when asked for)."""
    request: dict[str, Any] = {"model": "auto", "reasoning": {"summary": "auto"} if summarized else None}
    stream = ResponsesStream(request)
    chunks = [_thought(text) if thought else _chunk(text) for thought, text in pieces]
    events = events_of((stream.frames(frames_of(*chunks, _chunk(finish="stop"))) + stream.end({"usage": None})).decode())
    runs: list[tuple[bool, str]] = []
    for thought, text in pieces:
        runs[-1:] = [(thought, runs[-1][1] + text)] if runs and runs[-1][0] == thought else [*runs[-1:], (thought, text)]
    output = events[-1]["response"]["output"]
    assert [(item["type"] == "reasoning", item["content"][0]["text"]) for item in output] == runs
    for item in output:
        if item["type"] == "reasoning":
            assert item["summary"] == ([{"type": "summary_text", "text": item["content"][0]["text"]}] if summarized else [])
    opened = [(e["type"], e["output_index"]) for e in events if e["type"] in ("response.output_item.added", "response.output_item.done")]
    assert opened == [(kind, index) for index in range(len(runs)) for kind in ("response.output_item.added", "response.output_item.done")]


def frames_of(*chunks: dict[str, Any]) -> bytes:
    return b"".join(b"data: " + orjson.dumps(chunk) + b"\n\n" for chunk in chunks)


@pytest.mark.parametrize("translator", [ResponsesStream, AnthropicStream])
def test_an_emoji_split_across_chunks_as_surrogate_escapes_arrives_whole(translator: type[ChunkTranslator]) -> None:
    """A UTF-16 server may send 😀 as `\\ud83d` in one chunk and `\\ude00` in the next: orjson refuses
    each half, Python's json reads it; the halves are joined, a half never completed is U+FFFD."""
    def raw(text_json: str, field: str = "content") -> bytes:
        return b'data: {"id":"c","created":1,"model":"m","choices":[{"index":0,"delta":{"' + field.encode() + b'":"' + text_json.encode() + b'"},"finish_reason":null}]}\n\n'

    stream = translator({"model": "auto"})
    sent = stream.frames(raw("Hi \\ud83d") + raw("\\ude00!") + raw("x\\udc00y") + frames_of(_chunk(finish="stop"))) + stream.end({"usage": None})
    text = "".join(e["delta"] if isinstance(e.get("delta"), str) else (e.get("delta") or {}).get("text", "") for e in events_of(sent.decode())
                   if e["type"] in ("response.output_text.delta", "content_block_delta"))
    assert text == "Hi 😀!x\ufffdy"


def test_an_error_after_the_first_byte_is_openai_s_error_event_then_response_failed() -> None:
    """The upstream's own error event and a failure the relay reports end the stream alike; nothing follows."""
    upstream = ResponsesStream({"model": "auto"})
    sent = upstream.frames(frames_of(_chunk("Hel"), {"error": {"message": "boom", "type": "upstream_error", "param": None, "code": 500}}))
    sent += upstream.frames(frames_of(_chunk("lo"))) + upstream.end({"usage": None})
    kinds = [e["type"] for e in events_of(sent.decode())]
    assert kinds[-2:] == ["error", "response.failed"] and "response.completed" not in kinds
    failed = events_of(sent.decode())[-1]["response"]
    assert failed["status"] == "failed" and failed["error"] == {"code": "server_error", "message": "boom"}, "OpenAI's codes, a closed set"
    relayed = ResponsesStream({"model": "auto"})
    events = events_of((relayed.frames(frames_of(_chunk("Hi"))) + relayed.error(APIError(502, "upstream failed: reset", code="connect"))).decode())
    assert [e["type"] for e in events][-2:] == ["error", "response.failed"] and events[-2]["code"] == "connect"
    throttled = ResponsesStream({"model": "auto"})
    events = events_of((throttled.frames(frames_of(_chunk("Hi"))) + throttled.error(APIError(429, "slow down", error_type="rate_limit_error"))).decode())
    assert events[-1]["response"]["error"]["code"] == "rate_limit_exceeded", "the one code Codex reads a retry delay from"
    assert relayed.end({"usage": None}) == b""


def test_a_stream_with_no_chunk_still_completes() -> None:
    events = events_of(ResponsesStream({"model": "auto"}).end(None).decode())
    assert [e["type"] for e in events] == ["response.created", "response.in_progress", "response.completed"]


def _thought(text: str, field: str = "reasoning") -> dict[str, Any]:
    return {"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {field: text}, "finish_reason": None}]}


def test_streamed_reasoning_is_a_reasoning_item_before_the_message() -> None:
    """vLLM's reasoning (or DeepSeek's reasoning_content) streams as a reasoning item's reasoning_text
    deltas, closed before the answer's message item opens; no keep-alive comments are needed."""
    stream = ResponsesStream({"model": "auto"})
    sent = stream.frames(frames_of(_thought("Let me "), _thought("think.", "reasoning_content"), _chunk("Four."), _chunk(finish="stop")))
    sent += stream.end({"usage": None})
    assert b"\n:\n" not in b"\n" + sent
    events = events_of(sent.decode())
    kinds = [e["type"] for e in events]
    assert kinds[2:9] == ["response.output_item.added", "response.content_part.added", "response.reasoning_text.delta",
                          "response.reasoning_text.delta", "response.reasoning_text.done", "response.content_part.done",
                          "response.output_item.done"]
    assert kinds[9] == "response.output_item.added" and events[9]["item"]["type"] == "message" and events[9]["output_index"] == 1
    assert events[6]["text"] == "Let me think." and events[8]["item"]["status"] == "completed"
    reasoning, message = events[-1]["response"]["output"]
    assert reasoning["content"] == [{"type": "reasoning_text", "text": "Let me think."}] and reasoning["summary"] == []
    assert message["content"][0]["text"] == "Four."


async def test_a_client_that_asks_for_a_summary_gets_the_reasoning_as_one(harness: Harness) -> None:
    """Codex and LangChain show reasoning summaries only: asked for one (`reasoning.summary`), the
    reasoning in the clear is the item's summary too, streamed with OpenAI's summary events."""
    client = sdk(harness)
    ask: dict[str, Any] = {"model": "auto", "input": "hard [score=0.95]", "reasoning": {"effort": "high", "summary": "auto"}}
    summaries: list[str] = []
    async with client.responses.stream(**ask) as stream:
        async for event in stream:
            assert event.type != "response.reasoning_text.delta"
            if event.type == "response.reasoning_summary_text.delta":
                summaries.append(event.delta)
        final = await stream.get_final_response()
    reasoning = final.output[0]
    assert reasoning.type == "reasoning" and summaries and reasoning.summary[0].text == "".join(summaries) == reasoning.content[0].text
    plain = await client.responses.create(**ask)
    assert plain.output[0].summary[0].text == plain.output[0].content[0].text
    unasked = await client.responses.create(model="auto", input="hard [score=0.95]")
    assert unasked.output[0].summary == [] and unasked.output[0].content[0].text


def test_summary_events_follow_openai_s_order() -> None:
    stream = ResponsesStream({"model": "auto", "reasoning": {"summary": "detailed"}})
    sent = stream.frames(frames_of(_thought("Let me "), _thought("think."), _chunk("Four."), _chunk(finish="stop"))) + stream.end({"usage": None})
    events = events_of(sent.decode())
    assert [e["type"] for e in events[2:9]] == [
        "response.output_item.added", "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done", "response.reasoning_summary_part.done",
        "response.output_item.done"]
    assert events[2]["item"]["summary"] == [] and events[3]["part"] == {"type": "summary_text", "text": ""}
    assert events[6]["text"] == "Let me think." and events[8]["item"]["summary"] == [{"type": "summary_text", "text": "Let me think."}]


def test_a_non_streamed_answer_s_reasoning_is_its_first_item() -> None:
    body = response_body({"model": "auto"}, {"id": "c", "created": 1, "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "4", "reasoning_content": "2+2"}, "finish_reason": "stop"}]})
    assert [(item["type"], item["status"]) for item in body["output"]] == [("reasoning", "completed"), ("message", "completed")]
    assert body["output"][0]["content"] == [{"type": "reasoning_text", "text": "2+2"}]
    plain = response_body({"model": "auto"}, {"id": "c", "created": 1, "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "4"}, "finish_reason": "stop"}]})
    assert [item["type"] for item in plain["output"]] == ["message"]


def test_echoed_reasoning_items_are_the_turn_s_reasoning() -> None:
    """As vLLM reads them: a reasoning item in the clear (its content, else its summary) opens the
    assistant turn its message and calls join; OpenAI's encrypted items carry nothing an upstream here
    can read and are dropped."""
    chat = chat_request({"model": "auto", "input": [
        {"role": "user", "content": "weather?"},
        {"type": "reasoning", "id": "rs_1", "summary": [], "content": [{"type": "reasoning_text", "text": "Use the tool."}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Checking."}]},
        {"type": "function_call", "call_id": "c1", "name": "weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
        {"type": "reasoning", "id": "rs_2", "summary": [], "encrypted_content": "gAAA"},
        {"type": "reasoning", "id": "rs_3", "summary": [{"type": "summary_text", "text": "Only thought."}],
         "content": [{"type": "reasoning_text", "text": ""}]},  # as LangChain keeps a streamed item: its summary
        {"role": "user", "content": "and tomorrow?"},
    ]})
    _user, turn, tool, thought, follow_up = chat["messages"]
    assert turn == {"role": "assistant", "content": "Checking.", "reasoning": "Use the tool.",
                    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}]}
    assert tool["role"] == "tool" and thought == {"role": "assistant", "content": "", "reasoning": "Only thought."}
    assert follow_up == {"role": "user", "content": "and tomorrow?"}


def _calls(*calls: dict[str, Any]) -> dict[str, Any]:
    return {"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"tool_calls": list(calls)}, "finish_reason": None}]}


def test_each_item_is_done_before_the_next_and_calls_without_index_stay_apart() -> None:
    """Text then two calls, the calls numbered by id only (Gemini's OpenAI-compatible stream): three
    items, each closed before the next is added, each call whole."""
    stream = ResponsesStream({"model": "auto"})
    sent = stream.frames(frames_of(
        _chunk("Let me check."),
        _calls({"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city":'}}),
        _calls({"function": {"arguments": '"Oslo"}'}}),
        _calls({"id": "call_2", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Paris"}'}}),
        _chunk(finish="tool_calls"),
    )) + stream.end({"usage": None})
    events = events_of(sent.decode())
    order = [(e["type"], e["output_index"]) for e in events if e["type"] in ("response.output_item.added", "response.output_item.done")]
    assert order == [("response.output_item.added", 0), ("response.output_item.done", 0), ("response.output_item.added", 1),
                     ("response.output_item.done", 1), ("response.output_item.added", 2), ("response.output_item.done", 2)]
    output = events[-1]["response"]["output"]
    assert [(i["type"], i.get("call_id"), i.get("name"), i.get("arguments")) for i in output[1:]] == [
        ("function_call", "call_1", "weather", '{"city":"Oslo"}'), ("function_call", "call_2", "weather", '{"city":"Paris"}')]


def test_a_cut_answer_s_items_are_incomplete_not_streamed_too() -> None:
    body = response_body({"model": "auto"}, {"id": "c", "created": 1, "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Once upon a"}, "finish_reason": "length"}]})
    assert body["status"] == "incomplete" and body["output"][0]["status"] == "incomplete"


def test_a_replayed_turn_of_text_and_calls_is_one_assistant_message() -> None:
    """The Agents SDK sends back a turn's message item and its function_call items: one assistant
    message, as the model wrote it (chat templates that alternate roles refuse two in a row)."""
    chat = chat_request({"model": "auto", "input": [
        {"role": "user", "content": "weather?"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Let me check."}]},
        {"type": "function_call", "call_id": "c1", "name": "weather", "arguments": "{}"},
        {"type": "function_call", "call_id": "c2", "name": "time", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
    ]})
    assert [m["role"] for m in chat["messages"]] == ["user", "assistant", "tool"]
    assert chat["messages"][1]["content"] == "Let me check." and [c["id"] for c in chat["messages"][1]["tool_calls"]] == ["c1", "c2"]


def test_a_refused_request_is_an_api_error() -> None:
    with pytest.raises(APIError, match="'instructions' must be a string"):
        chat_request({"model": "auto", "input": "x", "instructions": ["no"]})


#: What Codex 0.171 sends beside its function tools: its sub-agent tools grouped in a namespace, and
#: web search (run by OpenAI's servers), on every request.
CODEX_TOOLS = [
    {"type": "function", "name": "exec_command", "description": "Runs a command.", "parameters": {"type": "object", "properties": {}}},
    {"type": "namespace", "name": "multi_agent_v1", "description": "Tools for sub-agents.", "tools": [
        {"type": "function", "name": "close_agent", "description": "Close an agent.", "strict": False,
         "parameters": {"type": "object", "properties": {"id": {"type": "string"}}}}]},
    {"type": "web_search", "external_web_access": False},
]


def tool_call_upstream(requests: list[dict[str, Any]], call: dict[str, Any]) -> httpx.MockTransport:
    """Answers every request with the chat tool ``call``, streamed or not; keeps the request bodies."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        requests.append(body)
        usage = {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42}
        if not body.get("stream"):
            return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 5, "model": "m", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": None, "tool_calls": [call]}, "finish_reason": "tool_calls"}], "usage": usage})
        frames = frames_of(_calls({"index": 0, **call}), {**_chunk(finish="tool_calls"), "usage": usage}) + b"data: [DONE]\n\n"
        return httpx.Response(200, stream=httpx.ByteStream(frames), headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(handler)


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


def test_usage_is_read_as_the_accounting_reads_it() -> None:
    """The total is the sum when the upstream gives none (it was 0); details that are no object and counts that
    are no positive integer read as 0, as `Usage.from_openai` reads them (a `prompt_tokens_details: true` was a 500)."""
    from router.anthropic_api import usage as anthropic_usage
    from router.responses_api import usage

    assert usage({"prompt_tokens": 12, "completion_tokens": 30})["total_tokens"] == 42  # type: ignore[index]
    odd = {"prompt_tokens": 12, "completion_tokens": "30", "prompt_tokens_details": True, "completion_tokens_details": [1]}
    assert usage(odd) == {"input_tokens": 12, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}, "output_tokens": 0,
                          "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 12}
    assert anthropic_usage(odd) == {"input_tokens": 12, "output_tokens": 0, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0,
                                    "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}}
    assert usage([1]) is None and anthropic_usage([1])["input_tokens"] == 0


def logprobs_upstream(seen: list[dict[str, Any]]) -> httpx.MockTransport:
    """An OpenAI-compatible upstream that answers "Hi there" with token logprobs when asked (vLLM's shape: no `bytes`)."""
    tokens = [("Hi", -0.1), (" there", -0.5)]

    def entry(token: str, logprob: float, top: int) -> dict[str, Any]:
        return {"token": token, "logprob": logprob, "top_logprobs": [{"token": token, "logprob": logprob}, {"token": "!", "logprob": -3.0}][:top]}

    def handler(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        seen.append(body)
        top = body.get("top_logprobs") or 0
        usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
        if not body.get("stream"):
            logprobs = {"content": [entry(t, lp, top) for t, lp in tokens]} if body.get("logprobs") else None
            return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 1, "model": "m", "usage": usage, "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "Hi there"}, "logprobs": logprobs, "finish_reason": "stop"}]})
        frames = [_chunk(t) | {"choices": [{"index": 0, "delta": {"content": t}, "finish_reason": None,
                                            "logprobs": {"content": [entry(t, lp, top)]} if body.get("logprobs") else None}]} for t, lp in tokens]
        frames += [_chunk(finish="stop"), {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [], "usage": usage}]
        data = b"".join(b"data: " + orjson.dumps(frame) + b"\n\n" for frame in frames) + b"data: [DONE]\n\n"
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=httpx.ByteStream(data))

    return httpx.MockTransport(handler)


async def test_token_logprobs_come_back_as_the_responses_api_carries_them(make_harness: Any) -> None:
    """Found in review: `top_logprobs` was a 400 and `include: ["message.output_text.logprobs"]` was ignored (`logprobs`
    always []), where the chat route returns them from the same upstream. Now both ask the upstream for them, and the text
    carries them — each with its UTF-8 bytes, which the Responses type requires — whole, per delta and at `.done`."""
    seen: list[dict[str, Any]] = []
    client = sdk(await make_harness(sim_transport=logprobs_upstream(seen)))
    answer = await client.responses.create(model="auto", input="hi", top_logprobs=1, include=["message.output_text.logprobs"])
    text = answer.output[0].content[0]
    assert [(lp.token, lp.bytes, lp.logprob, len(lp.top_logprobs)) for lp in text.logprobs] == [("Hi", [72, 105], -0.1, 1), (" there", list(b" there"), -0.5, 1)]
    assert seen[-1]["logprobs"] is True and seen[-1]["top_logprobs"] == 1
    deltas: list[Any] = []
    async with client.responses.stream(model="auto", input="hi", include=["message.output_text.logprobs"]) as events:
        async for event in events:
            if event.type == "response.output_text.delta":
                deltas += event.logprobs
            elif event.type == "response.output_text.done":
                done = event.logprobs
        final = await events.get_final_response()
    assert [lp.token for lp in deltas] == [lp.token for lp in done] == [lp.token for lp in final.output[0].content[0].logprobs] == ["Hi", " there"]
    plain = await client.responses.create(model="auto", input="hi")
    assert plain.output[0].content[0].logprobs == [] and "logprobs" not in seen[-1]


async def test_logprobs_asked_of_a_claude_tier_are_left_out_not_a_400(make_harness: Any, spare_handler: list[Any]) -> None:
    """Found in review: asking for logprobs became a 400 whenever Claude served (the adapter refuses them, and a 400 ends
    the fallbacks): the request failed only while the OpenAI model before it was down. Claude's family drops them."""
    from tests.router.test_anthropic_api import claude_high_tier, recording_claude

    seen: list[dict[str, Any]] = []
    spare_handler[0] = recording_claude(seen)
    client = sdk(await make_harness(claude_high_tier()))
    answer = await client.responses.create(model="auto", input="hard [score=0.9]", top_logprobs=2, include=["message.output_text.logprobs"])
    assert answer.output[0].content[0].logprobs == [] and seen and "logprobs" not in str(seen[-1])


async def test_streamed_logprobs_keep_the_tokens_that_came_without_text(make_harness: Any) -> None:
    """Found in review: a chunk's logprobs replaced those held from a chunk without text (a character split between two
    tokens, the end token), so the streamed answer lost tokens the whole one kept."""
    entries = [("Hi", "Hi"), (" ", " "), ("bytes:\\xe2\\x80", ""), ("bytes:\\xa6", "…"), ("", None)]

    def handler(request: httpx.Request) -> httpx.Response:
        frames = []
        for index, (token, text) in enumerate(entries):
            delta = {} if text is None else {"content": text}
            frames.append(_chunk() | {"choices": [{"index": 0, "delta": delta, "finish_reason": "stop" if text is None else None,
                                                   "logprobs": {"content": [{"token": token, "logprob": -0.1 * index, "top_logprobs": []}]}}]})
        data = b"".join(b"data: " + orjson.dumps(frame) + b"\n\n" for frame in frames) + b"data: [DONE]\n\n"
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=httpx.ByteStream(data))

    client = sdk(await make_harness(sim_transport=httpx.MockTransport(handler)))
    deltas: list[str] = []
    async with client.responses.stream(model="auto", input="hi", include=["message.output_text.logprobs"]) as events:
        async for event in events:
            if event.type == "response.output_text.delta":
                deltas += [lp.token for lp in event.logprobs]
            elif event.type == "response.output_text.done":
                done = [lp.token for lp in event.logprobs]
        final = await events.get_final_response()
    tokens = [token for token, _ in entries]
    assert done == [lp.token for lp in final.output[0].content[0].logprobs] == tokens and deltas == tokens[:4]
