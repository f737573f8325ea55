"""OpenAI chat request → Anthropic Messages request translation: the options (stop sequences, sampling, token limits,
thinking, metadata, parameters without Anthropic meaning, the beta header)."""

from __future__ import annotations

from typing import Any

import pytest

from backends.anthropic_request import DEFAULT_MAX_TOKENS, beta_header, to_anthropic_request
from backends.base import UpstreamError
from backends.request_hints import NO_HINTS, RequestHints
from tests.backends._anthropic_helpers import translate


@pytest.mark.parametrize(("stop", "expected"), [("END", ["END"]), (["a", "", "b"], ["a", "b"]), (None, None), ("\n", None), (["\n\n", "END"], ["END"])])
def test_stop_becomes_stop_sequences(stop: Any, expected: Any) -> None:
    assert translate(stop=stop).get("stop_sequences") == expected


def test_sampling_parameters_pass_through_and_user_becomes_metadata() -> None:
    request = translate(temperature=0.2, top_k=40, user="user-123", presence_penalty=0.5, seed=7, foo="bar")
    assert (request["temperature"], request["top_k"]) == (0.2, 40)
    assert translate(top_p=0.9)["top_p"] == 0.9
    assert request["metadata"] == {"user_id": "user-123"}
    assert not {"presence_penalty", "seed", "foo", "user"} & request.keys()


def test_sampling_parameters_anthropic_would_refuse_are_brought_into_its_range() -> None:
    """OpenAI's temperature goes to 2, Anthropic's to 1 (a 400 above); newer Claude models refuse
    temperature together with top_p (a 400), so top_p gives way."""
    assert translate(temperature=1.5)["temperature"] == 1.0
    assert translate(temperature=0)["temperature"] == 0
    both = translate(temperature=0.2, top_p=0.9)
    assert both["temperature"] == 0.2 and "top_p" not in both


def test_max_completion_tokens_wins_over_max_tokens() -> None:
    assert translate(max_tokens=100)["max_tokens"] == 100
    assert translate(max_tokens=100, max_completion_tokens=200)["max_tokens"] == 200


def test_thinking_passes_through_raises_max_tokens_and_drops_forbidden_sampling() -> None:
    thinking = {"type": "enabled", "budget_tokens": 2048}
    request = translate(thinking=thinking, temperature=0.3, top_k=5, top_p=0.5)
    assert request["thinking"] == thinking
    assert request["max_tokens"] == DEFAULT_MAX_TOKENS + 2048
    assert not {"temperature", "top_k", "top_p"} & request.keys()
    assert translate(thinking=thinking, top_p=0.97)["top_p"] == 0.97
    # an explicit cap above the budget is kept (the gateway already grew it); one not above it grows
    assert translate(thinking=thinking, max_tokens=3072)["max_tokens"] == 3072
    assert translate(thinking=thinking, max_tokens=500)["max_tokens"] == 2548
    assert translate(thinking={"type": "disabled"}, temperature=0.3)["temperature"] == 0.3


def test_forced_tool_choice_drops_thinking() -> None:
    tools = [{"type": "function", "function": {"name": "now"}}]
    request = translate(thinking={"type": "enabled", "budget_tokens": 1024}, tools=tools, tool_choice="required", temperature=0.1)
    assert "thinking" not in request
    assert request["temperature"] == 0.1 and request["max_tokens"] == DEFAULT_MAX_TOKENS


def test_tool_loop_keeps_thinking_only_with_thinking_blocks() -> None:
    call = {"id": "toolu_1", "type": "function", "function": {"name": "now", "arguments": "{}"}}
    signed = {"type": "thinking", "thinking": "I need the time.", "signature": "sig=="}
    base = [{"role": "user", "content": "time?"}]
    result = {"role": "tool", "tool_call_id": "toolu_1", "content": "12:00"}
    thinking = {"type": "enabled", "budget_tokens": 1024}
    tools = [{"type": "function", "function": {"name": "now"}}]
    without = translate(messages=[*base, {"role": "assistant", "tool_calls": [call]}, result], thinking=thinking, tools=tools)
    assert "thinking" not in without
    with_blocks = translate(
        messages=[*base, {"role": "assistant", "tool_calls": [call], "thinking_blocks": [signed, {"type": "bogus"}]}, result],
        thinking=thinking,
        tools=tools,
    )
    assert with_blocks["thinking"] == thinking
    assert with_blocks["messages"][1]["content"] == [signed, {"type": "tool_use", "id": "toolu_1", "name": "now", "input": {}}]
    unsigned = {"type": "thinking", "thinking": "a local model's reasoning", "signature": ""}  # /v1/messages shows vLLM's so
    relayed = translate(messages=[*base, {"role": "assistant", "tool_calls": [call], "thinking_blocks": [unsigned]}, result], thinking=thinking, tools=tools)
    assert "thinking" not in relayed and relayed["messages"][1]["content"] == [{"type": "tool_use", "id": "toolu_1", "name": "now", "input": {}}]


def test_thinking_stays_on_for_a_whole_tool_loop_that_started_with_it() -> None:
    """Without interleaved thinking Claude thinks once, at the start of its turn: the loop's second call comes without a
    thinking block. The turn (every call since the user's message) starts with signed thinking, so thinking stays on;
    it was switched off from the loop's third request (Anthropic: one thinking configuration per assistant turn)."""
    call = lambda index: {"id": f"toolu_{index}", "type": "function", "function": {"name": "ls", "arguments": "{}"}}
    signed = {"type": "thinking", "thinking": "list, then read", "signature": "sig=="}
    loop = [{"role": "user", "content": "summarise the repo"},
            {"role": "assistant", "tool_calls": [call(1)], "thinking_blocks": [signed]}, {"role": "tool", "tool_call_id": "toolu_1", "content": "a.py"},
            {"role": "assistant", "tool_calls": [call(2)]}, {"role": "tool", "tool_call_id": "toolu_2", "content": "print(1)"}]
    thinking = {"type": "enabled", "budget_tokens": 1024}
    tools = [{"type": "function", "function": {"name": "ls"}}]
    assert translate(messages=loop, thinking=thinking, tools=tools)["thinking"] == thinking
    unsigned_start = [loop[0], {"role": "assistant", "tool_calls": [call(1)]}, *loop[2:]]
    assert "thinking" not in translate(messages=unsigned_start, thinking=thinking, tools=tools), "a turn begun without thinking"
    next_question = [*loop, {"role": "assistant", "content": "Done."}, {"role": "user", "content": "and the tests?"}]
    assert translate(messages=next_question, thinking=thinking, tools=tools)["thinking"] == thinking, "a new turn thinks afresh"


def test_a_prefill_is_sent_without_thinking_and_without_trailing_whitespace() -> None:
    """A conversation that ends with the assistant (a prefill, "{" to force JSON) asks Claude to continue it: with
    thinking on Anthropic refuses it ("a final assistant message must start with a thinking block"), and it refuses a
    prefill that ends in whitespace ("final assistant content cannot end with trailing whitespace")."""
    thinking = {"type": "enabled", "budget_tokens": 1024}
    request = translate(messages=[{"role": "user", "content": "List three fruits"}, {"role": "assistant", "content": "Here they are:\n"}],
                        thinking=thinking)
    assert "thinking" not in request
    assert request["messages"][-1] == {"role": "assistant", "content": [{"type": "text", "text": "Here they are:"}]}
    earlier = translate(messages=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello!\n"}, {"role": "user", "content": "more"}])
    assert earlier["messages"][1]["content"][0]["text"] == "Hello!\n", "only the final assistant message is a prefill"


def test_merged_assistant_messages_start_with_their_thinking() -> None:
    """Two assistant messages in a row are one Anthropic turn: its thinking block goes first ("If an assistant message
    contains any thinking blocks, the first block must be thinking", 400), and the loop keeps thinking on."""
    signed = {"type": "thinking", "thinking": "list it", "signature": "sig=="}
    call = {"id": "toolu_1", "type": "function", "function": {"name": "ls", "arguments": "{}"}}
    request = translate(messages=[{"role": "user", "content": "what's here?"}, {"role": "assistant", "content": "Let me look."},
                                  {"role": "assistant", "tool_calls": [call], "thinking_blocks": [signed]},
                                  {"role": "tool", "tool_call_id": "toolu_1", "content": "a.py"}],
                        thinking={"type": "enabled", "budget_tokens": 1024}, tools=[{"type": "function", "function": {"name": "ls"}}])
    assert [block["type"] for block in request["messages"][1]["content"]] == ["thinking", "text", "tool_use"]
    assert request["thinking"]["type"] == "enabled"


def test_safety_identifier_becomes_metadata_user_id() -> None:
    """OpenAI's `safety_identifier` supersedes `user` (both name the end user, which Anthropic's `metadata.user_id` is)."""
    assert translate(safety_identifier="hash-123")["metadata"] == {"user_id": "hash-123"}
    assert translate(safety_identifier="hash-123", user="old")["metadata"] == {"user_id": "hash-123"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("n", 2), ("logprobs", True), ("top_logprobs", 3), ("response_format", {"type": "json_object"})],
)
def test_parameters_without_anthropic_meaning_are_a_400(field: str, value: Any) -> None:
    with pytest.raises(UpstreamError) as info:
        translate(**{field: value})
    assert (info.value.status, info.value.param, info.value.client_status) == (400, field, 400)


def test_harmless_defaults_are_accepted() -> None:
    request = translate(n=1, logprobs=False, response_format={"type": "text"}, stream_options={"include_usage": True})
    assert not {"n", "logprobs", "response_format", "stream_options", "output_config"} & request.keys()


def test_json_schema_response_format_becomes_output_config() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    request = translate(response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": schema}})
    assert request["output_config"] == {"format": {"type": "json_schema", "schema": schema}}


def test_the_beta_header_joins_the_backends_flags_and_the_clients_once_each() -> None:
    assert beta_header(NO_HINTS, None) is None and beta_header(NO_HINTS, " , ") is None
    assert beta_header(RequestHints(betas=("b", "a")), "a, c") == "a,c,b"
    assert to_anthropic_request({"model": "m", "messages": [{"role": "user", "content": "x"}], "user": "u1"}, stream=False,
                                hints=RequestHints(user_id="u2"))["metadata"] == {"user_id": "u2"}


def test_a_client_s_own_budget_the_model_s_limit_cannot_hold_is_lowered_under_it() -> None:
    """`thinking.budget_tokens: 32000` on a 32,000-token model named directly: `max_tokens` was capped at 32,000, which
    Anthropic refuses ("max_tokens must be greater than thinking.budget_tokens"): the answer keeps its default room."""
    thinking = {"type": "enabled", "budget_tokens": 32_000}
    request = translate(thinking=thinking, output_limit=32_000)
    assert request["max_tokens"] == 32_000 and request["thinking"] == {"type": "enabled", "budget_tokens": 32_000 - DEFAULT_MAX_TOKENS}
    tiny = translate(thinking=thinking, output_limit=2_000)
    assert tiny["max_tokens"] == 2_000 and tiny["thinking"]["budget_tokens"] == 1_024
    assert "thinking" not in translate(thinking=thinking, output_limit=1_000), "under Anthropic's minimum budget: no thinking"
    assert translate(thinking=thinking)["max_tokens"] == 32_000 + DEFAULT_MAX_TOKENS, "no known limit: the budget stands"
