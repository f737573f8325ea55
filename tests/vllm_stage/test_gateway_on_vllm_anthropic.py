"""The gateway in front of a real vLLM (CPU build, tiny random model), driven by the real `anthropic` SDK (and, for
the Anthropic adapter against vLLM's Messages API, the `openai` one): messages, prefills, tools, stop sequences,
thinking.

Run by `make test-vllm` after `tests/vllm_stage/setup.sh`. Nothing is skipped under CI=true.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.vllm_stage._gateway_on_vllm_helpers import MAX_TOKENS, MESSAGES, vllm_counter
from tests.vllm_stage.server import SERVED_MODEL_NAME

pytestmark = pytest.mark.vllm


def test_anthropic_messages_api_through_the_anthropic_sdk(gateway_url: str, vllm_url: str) -> None:
    """`/v1/messages` is served through vLLM's chat API (router/anthropic_api.py): the anthropic SDK's
    message and its stream accumulator, with the tokens vLLM generated."""
    from anthropic import Anthropic

    client = Anthropic(base_url=gateway_url, api_key="unused", max_retries=0)
    generated_before = vllm_counter(vllm_url, "vllm:generation_tokens_total")
    raw = client.messages.with_raw_response.create(model="auto:low", system="You are terse.", max_tokens=MAX_TOKENS,
                                                   messages=[{"role": "user", "content": "Name three colours."}])
    message = raw.parse()
    assert raw.headers["x-router-backend"] == "local-vllm" and message.content[0].text
    assert 0 < message.usage.output_tokens <= MAX_TOKENS and message.usage.input_tokens > 0
    assert vllm_counter(vllm_url, "vllm:generation_tokens_total") - generated_before == message.usage.output_tokens
    with client.messages.stream(model="auto:low", max_tokens=MAX_TOKENS, messages=[{"role": "user", "content": "Name three colours."}]) as stream:
        events = list(stream)
        final = stream.get_final_message()
    texts = [event.text for event in events if event.type == "text"]
    assert final.content[0].text == "".join(texts) and texts and final.usage.output_tokens > 0
    start = next(event for event in events if event.type == "message_start")
    assert start.message.usage.input_tokens > 0, "the gateway's count, before vLLM's arrives: Claude Code's context meter reads it"
    assert final.usage.input_tokens > 0  # vLLM's, from the message_delta
    assert final.stop_reason in ("end_turn", "max_tokens")


def test_a_messages_prefill_is_continued_by_vllm(gateway_url: str, vllm_url: str) -> None:
    """A Messages client's trailing assistant turn is continued (`continue_final_message`): the prompt ends inside that
    turn — fewer tokens than vLLM's own rendering, which closes it and opens a new one — and vLLM takes the fields."""
    from anthropic import Anthropic

    messages: Any = [{"role": "user", "content": "Answer in JSON."}, {"role": "assistant", "content": '{"answer":'}]
    message = Anthropic(base_url=gateway_url, api_key="unused", max_retries=0).messages.create(model="auto:low", max_tokens=MAX_TOKENS,
                                                                                                messages=messages)
    direct = httpx.post(f"{vllm_url}/v1/chat/completions", json={"model": SERVED_MODEL_NAME, "max_tokens": 1, "messages": messages,
                                                                 "chat_template_kwargs": {"enable_thinking": False}}, timeout=60).json()
    assert 0 < message.usage.input_tokens < direct["usage"]["prompt_tokens"]


def test_tools_reach_vllm_through_the_chat_and_messages_apis(gateway_url: str) -> None:
    """Claude Code and the agent SDKs send tools on every request: vLLM started as deploy/ starts it
    (`TOOL_ARGS`) takes them through either API (without those flags it refuses any request with tools)."""
    from anthropic import Anthropic
    from openai import OpenAI

    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    chat = OpenAI(base_url=f"{gateway_url}/v1", api_key="unused", max_retries=0).chat.completions.create(
        model="auto:low", max_tokens=MAX_TOKENS, messages=[{"role": "user", "content": "Weather in Paris?"}],
        tools=[{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city", "parameters": schema}}])
    assert chat.choices[0].finish_reason in ("stop", "length", "tool_calls") and chat.usage.completion_tokens > 0
    message = Anthropic(base_url=gateway_url, api_key="unused", max_retries=0).messages.create(
        model="auto:low", max_tokens=MAX_TOKENS, messages=[{"role": "user", "content": "Weather in Paris?"}],
        tools=[{"name": "get_weather", "description": "Weather in a city", "input_schema": schema}])
    assert message.stop_reason in ("end_turn", "max_tokens", "tool_use") and message.usage.output_tokens > 0


def test_a_matched_stop_sequence_is_reported_through_the_anthropic_sdk(gateway_url: str) -> None:
    """vLLM names the stop string it matched (the choice's `stop_reason`); `/v1/messages` reports it as
    Anthropic does. Greedy decoding makes the second answer the first one cut at a string from it."""
    from anthropic import Anthropic

    client = Anthropic(base_url=gateway_url, api_key="unused", max_retries=0)
    ask: Any = {"model": "auto:low", "max_tokens": MAX_TOKENS, "extra_body": {"temperature": 0},  # this SDK has no temperature argument
                "messages": [{"role": "user", "content": "Name three colours."}]}
    text = client.messages.create(**ask).content[0].text
    assert len(text) > 8
    sequence = text[len(text) // 2:len(text) // 2 + 4]
    if not sequence.strip():
        sequence = text.strip()[-4:]
    cut = client.messages.create(**ask, stop_sequences=[sequence])
    assert (cut.stop_reason, cut.stop_sequence) == ("stop_sequence", sequence) and sequence not in cut.content[0].text
    with client.messages.stream(**ask, stop_sequences=[sequence]) as stream:
        final = stream.get_final_message()
    assert (final.stop_reason, final.stop_sequence) == ("stop_sequence", sequence)


def test_thinking_shows_and_goes_back_through_the_anthropic_sdk(gateway_url: str, vllm_url: str) -> None:
    """Claude Code over a local reasoning model: with `thinking` on, vLLM's reasoning (its qwen3 parser)
    is a thinking block, streamed or not; echoed on the next turn it reaches vLLM as the `reasoning` the
    chat template renders back, and vLLM takes the conversation."""
    from anthropic import Anthropic

    client = Anthropic(base_url=gateway_url, api_key="unused", max_retries=0)
    ask = [{"role": "user", "content": "Name three colours."}]
    thinking = {"type": "adaptive"}  # Claude Code's, for its newest models: the tier's effort and budget stand
    cap = 32 + MAX_TOKENS  # max_tokens counts the thinking: the medium tier's budget (32) and room for an answer
    message = client.messages.create(model="auto:medium", max_tokens=cap, thinking=thinking, messages=ask)
    assert message.usage.output_tokens <= cap, "vLLM is asked for no more than the client's max_tokens"
    assert message.content[0].type == "thinking" and message.content[0].thinking and message.content[0].signature == ""
    with client.messages.stream(model="auto:medium", max_tokens=cap, thinking=thinking, messages=ask) as stream:
        kinds = {event.type for event in stream}
        streamed = stream.get_final_message()
    assert "thinking" in kinds and streamed.content[0].type == "thinking" and streamed.content[0].thinking
    prompt_before = vllm_counter(vllm_url, "vllm:prompt_tokens_total")
    follow = client.messages.create(model="auto:medium", max_tokens=cap, thinking=thinking, messages=[
        *ask, {"role": "assistant", "content": [block.model_dump() for block in message.content]}, {"role": "user", "content": "Two more."}])
    assert follow.usage.input_tokens == vllm_counter(vllm_url, "vllm:prompt_tokens_total") - prompt_before
    tight = client.messages.create(model="auto:medium", max_tokens=MAX_TOKENS, thinking=thinking, messages=ask)
    assert [block.type for block in tight.content] == ["text"] and tight.usage.output_tokens <= MAX_TOKENS, \
        "a budget the cap cannot hold: thinking off"


def test_anthropic_adapter_against_vllm_messages_api(client: Any, vllm_url: str) -> None:
    prompt_before = vllm_counter(vllm_url, "vllm:prompt_tokens_total")
    raw = client.chat.completions.with_raw_response.create(model="auto:high", messages=MESSAGES, max_tokens=MAX_TOKENS)
    completion = raw.parse()
    assert raw.headers["x-router-backend"] == "vllm-messages"
    assert completion.choices[0].message.content
    assert completion.usage.prompt_tokens == vllm_counter(vllm_url, "vllm:prompt_tokens_total") - prompt_before
    chunks = list(client.chat.completions.create(
        model="auto:high", messages=MESSAGES, max_tokens=MAX_TOKENS, stream=True, stream_options={"include_usage": True}
    ))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert chunks[-1].usage.completion_tokens > 0
    assert chunks[-1].model_extra["router"]["backend"] == "vllm-messages"
