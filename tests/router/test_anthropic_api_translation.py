"""The Messages translation (router/anthropic_api.py, anthropic_stream.py), mostly on its own: a Messages body as a chat
request (blocks, settings, Claude Code's shapes, documents, prefills, the hints beside the body; any body or a
400) and a chat answer as a message or its stream events (block order, stop reasons, usage)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from backends.request_hints import NO_HINTS, RequestHints
from router.anthropic_api import chat_request, message_body
from router.anthropic_hints import request_hints
from router.anthropic_stream import AnthropicStream
from router.protocol import APIError
from tests.router._anthropic_api_helpers import claude_high_tier, events_of, recording_claude
from tests.router._sse_helpers import calls, chunk, frames_of
from tests.router._translation_helpers import JSON

pytestmark = pytest.mark.anyio


#: The body keys that flagged a Messages client's cache breakpoints and said its cap counts the thinking before
#: `RequestHints.cache_marks` / `cap_includes_reasoning`: no translation writes them now.
CACHE_MARKS = "_router_cache_breakpoints"


TOTAL_CAP = "_router_cap_includes_reasoning"


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


def test_a_message_with_a_tool_call_stops_for_it_however_the_upstream_said_so() -> None:
    chat = {"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": None, "tool_calls": [{"id": "t", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}}]}
    assert message_body({}, chat)["stop_reason"] == "tool_use"
    stream = AnthropicStream({"model": "auto"})
    sent = stream.frames(frames_of(calls({"index": 0, "id": "t", "type": "function", "function": {"name": "f", "arguments": "{}"}}),
                                   chunk(finish="stop"))) + stream.end(None)
    assert events_of(sent.decode())[-2]["delta"]["stop_reason"] == "tool_use"


@given(st.dictionaries(st.sampled_from(["messages", "system", "tools", "tool_choice", "thinking", "stop_sequences", "metadata", "max_tokens",
                                        "output_config", "output_format", "stream", "temperature", "top_p", "top_k", "service_tier"]),
                       JSON, max_size=5))
@example({"output_config": {"effort": []}})  # an unhashable effort raised TypeError (a 500), not a 400
def test_any_body_becomes_a_chat_request_or_a_400(body: dict[str, Any]) -> None:
    try:
        chat = chat_request({"model": "auto", "max_tokens": 8, "messages": [{"role": "user", "content": "x"}], **body})
    except APIError as exc:
        assert exc.status == 400 and exc.param
        return
    assert chat["messages"] and all(m["role"] in ("system", "user", "assistant", "tool") for m in chat["messages"])


def test_blocks_close_in_order_and_the_end_carries_usage_and_stop_reason() -> None:
    stream = AnthropicStream({"model": "auto"})
    sent = stream.frames(frames_of(
        chunk("Let me check."),
        calls({"index": 0, "id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city":'}}),
        calls({"index": 0, "function": {"arguments": '"Oslo"}'}}),
        chunk(finish="tool_calls"),
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
    finish = chunk(finish="stop")
    finish["choices"][0]["stop_reason"] = "END"
    events = events_of((stream.frames(frames_of(chunk("one"), finish)) + stream.end(None)).decode())
    assert events[-2]["delta"] == {"stop_reason": "stop_sequence", "stop_sequence": "END"}


def test_a_cut_answer_stops_at_max_tokens_and_odd_arguments_survive() -> None:
    body = message_body({}, {"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "finish_reason": "length", "message": {
        "role": "assistant", "content": "Once upon a", "tool_calls": [{"id": "t", "type": "function", "function": {"name": "f", "arguments": "[1]"}}]}}]})
    assert body["stop_reason"] == "max_tokens" and body["content"][1]["input"] == {"_raw": "[1]"}


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
