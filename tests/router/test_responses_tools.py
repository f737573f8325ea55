"""Custom tools on `/v1/responses` (router/responses_tools.py): free-form input through a chat function."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from router.responses_api import chat_request
from router.responses_stream import ResponsesStream
from router.responses_tools import custom_input
from tests.router._responses_api_helpers import events_of, sdk, tool_call_upstream
from tests.router._sse_helpers import calls, chunk, frames_of

pytestmark = pytest.mark.anyio

GRAMMAR = 'start: begin_patch hunk+ end_patch\nbegin_patch: "*** Begin Patch" LF\nend_patch: "*** End Patch" LF?'
#: The shape of Codex's `apply_patch` for GPT-5 models: a custom tool whose input follows a Lark grammar.
APPLY_PATCH = {"type": "custom", "name": "apply_patch", "description": "Edit files with a patch.",
               "format": {"type": "grammar", "syntax": "lark", "definition": GRAMMAR}}
PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+hello \"world\"\n*** End Patch\n"


def test_a_custom_tool_is_a_function_of_one_string_described_with_its_grammar() -> None:
    chat = chat_request({"model": "auto", "input": "patch it", "tools": [APPLY_PATCH],
                         "tool_choice": {"type": "custom", "name": "apply_patch"}})
    (tool,) = chat["tools"]
    assert tool["function"]["name"] == "apply_patch"
    assert tool["function"]["parameters"]["properties"] == {"input": {"type": "string"}}
    assert "Edit files with a patch." in tool["function"]["description"] and GRAMMAR in tool["function"]["description"]
    assert chat["tool_choice"] == {"type": "function", "function": {"name": "apply_patch"}}


def test_allowed_tools_go_upstream_as_chat_s_allowed_tools() -> None:
    """`tool_choice: {"type": "allowed_tools", …}` (the openai SDK types it) was a 400; the chat route forwards chat's own
    form, so the Responses one is translated to it, tools the gateway leaves out dropped from it (found in review, s36)."""
    weather = {"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {}}}
    asked = {"type": "allowed_tools", "mode": "required", "tools": [{"type": "function", "name": "get_weather"}, {"type": "custom", "name": "apply_patch"},
                                                                     {"type": "image_generation"}]}
    chat = chat_request({"model": "auto", "input": "go", "tools": [weather, APPLY_PATCH], "tool_choice": asked})
    assert chat["tool_choice"] == {"type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": [
        {"type": "function", "function": {"name": "get_weather"}}, {"type": "function", "function": {"name": "apply_patch"}}]}}
    only_dropped = {"type": "allowed_tools", "mode": "auto", "tools": [{"type": "image_generation"}]}
    assert chat_request({"model": "auto", "input": "go", "tools": [weather], "tool_choice": only_dropped})["tool_choice"] == "none"
    from router.protocol import APIError

    for bad in ({**only_dropped, "mode": "required"}, {**asked, "mode": "sometimes"}, {**asked, "tools": ["auto"]}):
        with pytest.raises(APIError):
            chat_request({"model": "auto", "input": "go", "tools": [weather], "tool_choice": bad})


def test_an_echoed_custom_call_and_its_output_go_upstream_as_a_function_call() -> None:
    chat = chat_request({"model": "auto", "tools": [APPLY_PATCH], "input": [
        {"role": "user", "content": "patch it"},
        {"type": "custom_tool_call", "call_id": "call_1", "name": "apply_patch", "input": PATCH},
        {"type": "custom_tool_call_output", "call_id": "call_1", "output": "Done!"}]})
    _, turn, result = chat["messages"]
    assert orjson.loads(turn["tool_calls"][0]["function"]["arguments"]) == {"input": PATCH}
    assert result == {"role": "tool", "tool_call_id": "call_1", "content": "Done!"}


@pytest.mark.parametrize(("arguments", "expected"), [
    ('{"input": "x = 1"}', "x = 1"), ("x = 1", "x = 1"), ('{"patch": "x"}', '{"patch": "x"}'), ("{}", ""), ("", "")])
def test_the_input_is_the_string_argument_else_what_the_model_wrote(arguments: str, expected: str) -> None:
    assert custom_input(arguments) == expected


@settings(max_examples=200, deadline=None)
@given(text=st.text(), ascii_only=st.booleans(), data=st.data())
def test_arguments_cut_inside_the_string_give_the_input_written_so_far(text: str, ascii_only: bool, data: st.DataObject) -> None:
    """The token limit cuts a custom call's JSON anywhere: inside an escape, between a surrogate pair's
    halves (``\\ud83d\\ude00`` when the upstream escapes non-ASCII), or before the closing brace."""
    arguments = json.dumps({"input": text}, ensure_ascii=ascii_only)
    opening = len('{"input": "')
    cut = data.draw(st.integers(opening, len(arguments)))
    written = custom_input(arguments[:cut])
    assert text.startswith(written)
    encoded = json.dumps(written, ensure_ascii=ascii_only)[1:-1]
    assert len(encoded) >= min(cut, len(arguments) - 2) - opening - len("\\ud83d\\ude00"), "at most one escape is lost"
    assert custom_input(arguments) == text


@pytest.mark.parametrize(("cut", "finish", "written"), [(None, "tool_calls", PATCH), (-30, "length", PATCH[:-24])])
def test_a_streamed_custom_call_sends_its_input_once_whole(cut: int | None, finish: str, written: str) -> None:
    """The chat arguments are JSON around the input, streamed in pieces that split escapes: the input
    is sent whole when the call is done (`custom_tool_call_input.delta` then `.done`), never the JSON;
    cut by the token limit inside the JSON, the input as far as it was written."""
    arguments = orjson.dumps({"input": PATCH}).decode()[:cut]
    pieces = [arguments[i:i + 7] for i in range(0, len(arguments), 7)]
    stream = ResponsesStream({"model": "auto", "tools": [APPLY_PATCH]})
    first = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "apply_patch", "arguments": pieces[0]}}
    chunks = [calls(first), *(calls({"index": 0, "function": {"arguments": piece}}) for piece in pieces[1:]), chunk(finish=finish)]
    events = events_of((stream.frames(frames_of(*chunks)) + stream.end({"usage": None})).decode())
    kinds = [e["type"] for e in events if "custom_tool_call" in e["type"] or "function_call" in e["type"]]
    assert kinds == ["response.custom_tool_call_input.delta", "response.custom_tool_call_input.done"]
    assert [e["delta"] for e in events if e["type"] == "response.custom_tool_call_input.delta"] == [written]
    (item,) = events[-1]["response"]["output"]
    assert (item["type"], item["name"], item["call_id"], item["input"]) == ("custom_tool_call", "apply_patch", "call_1", written)


@pytest.mark.parametrize("stream", [False, True])
async def test_the_openai_sdk_reads_a_custom_tool_call(make_harness: Any, stream: bool) -> None:
    """Codex sends `apply_patch` as a custom tool to GPT-5 model names; the gateway refused every such
    request before (`tools of type 'custom'`). Now the SDK gets a `custom_tool_call` with the patch as its
    input, and the call echoed back with its output reaches the upstream as a function call and a tool turn."""
    sent: list[dict[str, Any]] = []
    call = {"id": "call_7", "type": "function", "function": {"name": "apply_patch", "arguments": orjson.dumps({"input": PATCH}).decode()}}
    harness = await make_harness(sim_transport=tool_call_upstream(sent, call))
    client = sdk(harness)
    ask = [{"role": "user", "content": "Add hello.txt."}]
    if stream:
        async with client.responses.stream(model="auto", input=ask, tools=[APPLY_PATCH]) as events:
            response = await events.get_final_response()
    else:
        response = await client.responses.create(model="auto", input=ask, tools=[APPLY_PATCH])
    (call,) = response.output
    assert (call.type, call.name, call.input) == ("custom_tool_call", "apply_patch", PATCH)
    echoed = [*ask, {"type": "custom_tool_call", "call_id": call.call_id, "name": call.name, "input": call.input},
              {"type": "custom_tool_call_output", "call_id": call.call_id, "output": "Done!"}]
    await client.responses.create(model="auto", input=echoed, tools=[APPLY_PATCH])
    assert [m["role"] for m in sent[-1]["messages"]] == ["user", "assistant", "tool"]
    assert orjson.loads(sent[-1]["messages"][1]["tool_calls"][0]["function"]["arguments"]) == {"input": PATCH}
