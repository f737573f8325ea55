"""The gateway in front of a real vLLM (CPU build, tiny random model), driven by the real `openai` SDK: chat, text
completions and Responses, streamed and not, reasoning, routing, the books and the cost estimate against vLLM's own
counts, client disconnects, vLLM's own errors.

Run by `make test-vllm` after `tests/vllm_stage/setup.sh`. Nothing is skipped under CI=true.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.vllm_stage._gateway_on_vllm_helpers import MAX_TOKENS, MESSAGES, vllm_counter
from tests.vllm_stage.server import SERVED_MODEL_NAME

pytestmark = pytest.mark.vllm


def router_tokens(gateway_url: str, kind: str) -> float:
    text = httpx.get(f"{gateway_url}/metrics", timeout=5).text
    pattern = re.compile(rf'^router_tokens_total\{{[^}}]*kind="{kind}"[^}}]*\}} ([0-9.e+-]+)$', re.MULTILINE)
    return sum(float(value) for value in pattern.findall(text))


def test_non_streaming_through_the_openai_sdk(client: Any, vllm_url: str, gateway_url: str) -> None:
    prompt_before = vllm_counter(vllm_url, "vllm:prompt_tokens_total")
    generated_before = vllm_counter(vllm_url, "vllm:generation_tokens_total")
    routed_prompt = router_tokens(gateway_url, "prompt")
    routed_completion = router_tokens(gateway_url, "completion")

    raw = client.chat.completions.with_raw_response.create(model="auto:low", messages=MESSAGES, max_tokens=MAX_TOKENS)
    completion = raw.parse()
    assert raw.headers["x-router-tier"] == "low"
    assert raw.headers["x-router-backend"] == "local-vllm"
    assert raw.headers["x-router-model"] == "tiny"
    assert completion.id.startswith(f"chatcmpl-{raw.headers['x-request-id']}-"), "vLLM names its request by the attempt's X-Request-Id"
    assert completion.choices[0].message.content  # thinking off: the text is in content
    usage = completion.usage
    assert 0 < usage.completion_tokens <= MAX_TOKENS
    router = completion.model_extra["router"]
    assert router["cost_usd"] == pytest.approx((usage.prompt_tokens * 0.05 + usage.completion_tokens * 0.20) / 1e6)
    # The gateway's token counts equal vLLM's own.
    assert vllm_counter(vllm_url, "vllm:prompt_tokens_total") - prompt_before == usage.prompt_tokens
    assert vllm_counter(vllm_url, "vllm:generation_tokens_total") - generated_before == usage.completion_tokens
    assert router_tokens(gateway_url, "prompt") - routed_prompt == usage.prompt_tokens
    assert router_tokens(gateway_url, "completion") - routed_completion == usage.completion_tokens


def test_a_non_streamed_answer_put_together_from_vllm_s_stream_is_vllm_s_own(client: Any, vllm_url: str) -> None:
    """The gateway streams a non-streamed request upstream (backends/assemble.py): what the client gets is what vLLM
    answers the same request unstreamed — every choice's text, finish reason and logprobs, and the usage."""
    ask = {"messages": MESSAGES, "max_tokens": MAX_TOKENS, "temperature": 0.8, "seed": 7, "n": 2, "logprobs": True, "top_logprobs": 2}
    routed = client.chat.completions.create(model="tiny-assembled", **ask).model_dump()  # its backend: `non_streamed: stream`
    direct = httpx.post(f"{vllm_url}/v1/chat/completions", json={"model": SERVED_MODEL_NAME, **ask}, timeout=60).json()

    def answer(body: dict[str, Any]) -> list[Any]:
        return [(c["index"], c["message"]["content"], c["message"].get("reasoning"), c["message"].get("reasoning_content"), c["message"].get("tool_calls") or [],
                 c["finish_reason"], [(t["token"], round(t["logprob"], 4), [(o["token"], round(o["logprob"], 4)) for o in t["top_logprobs"]])
                                      for t in c["logprobs"]["content"]]) for c in body["choices"]]

    assert answer(routed) == answer(direct)
    assert all(choice["logprobs"]["content"] for choice in routed["choices"]), "logprobs were asked for and came"
    assert any(choice["message"].get("reasoning") for choice in routed["choices"]), "vLLM's reasoning parser wrote the text as reasoning"
    keep = ("prompt_tokens", "completion_tokens", "total_tokens")
    assert {k: routed["usage"][k] for k in keep} == {k: direct["usage"][k] for k in keep}


def test_text_completions_through_the_openai_sdk(client: Any, vllm_url: str) -> None:
    """`/v1/completions` is served through vLLM's chat API (router/text_completions.py): text back, and
    the tokens vLLM generated are the ones the gateway reports."""
    generated_before = vllm_counter(vllm_url, "vllm:generation_tokens_total")
    raw = client.completions.with_raw_response.create(model="auto:low", prompt="Name three colours.", max_tokens=MAX_TOKENS)
    completion = raw.parse()
    assert raw.headers["x-router-backend"] == "local-vllm" and raw.headers["x-router-tier"] == "low"
    assert completion.object == "text_completion" and completion.choices[0].text
    assert 0 < completion.usage.completion_tokens <= MAX_TOKENS
    assert vllm_counter(vllm_url, "vllm:generation_tokens_total") - generated_before == completion.usage.completion_tokens
    chunks = list(client.completions.create(model="auto:low", prompt="Name three colours.", max_tokens=MAX_TOKENS, stream=True,
                                            stream_options={"include_usage": True}))
    assert "".join(c.choices[0].text for c in chunks if c.choices)
    assert chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_responses_api_through_the_openai_sdk(client: Any, vllm_url: str) -> None:
    """`/v1/responses` is served through vLLM's chat API (router/responses_api.py): the SDK's object and
    its stream helper, with the tokens vLLM generated."""
    generated_before = vllm_counter(vllm_url, "vllm:generation_tokens_total")
    raw = client.responses.with_raw_response.create(model="auto:low", instructions="You are terse.", input="Name three colours.",
                                                    max_output_tokens=MAX_TOKENS)
    response = raw.parse()
    assert raw.headers["x-router-backend"] == "local-vllm" and response.object == "response" and response.output_text
    assert 0 < response.usage.output_tokens <= MAX_TOKENS
    assert vllm_counter(vllm_url, "vllm:generation_tokens_total") - generated_before == response.usage.output_tokens
    # the helper checks the event order; the tiny model is usually cut by max_output_tokens, which ends the
    # stream with `response.incomplete` as OpenAI's does (and the helper's get_final_response then raises)
    with client.responses.stream(model="auto:low", input=[{"role": "user", "content": "Name three colours."}],
                                 max_output_tokens=MAX_TOKENS) as stream:
        events = list(stream)
    deltas = [event.delta for event in events if event.type == "response.output_text.delta"]
    final = events[-1].response
    assert events[-1].type == ("response.completed" if final.status == "completed" else "response.incomplete")
    assert final.output_text == "".join(deltas) and deltas and final.usage.output_tokens > 0


def test_reasoning_items_show_and_go_back_through_the_responses_api(client: Any, vllm_url: str) -> None:
    """The Agents SDK over a local reasoning model: vLLM's reasoning is a `reasoning` item with its text,
    streamed as reasoning_text deltas; the items sent back on the next turn reach vLLM as one assistant
    turn with its `reasoning`, and vLLM takes the conversation. `max_output_tokens` counts the reasoning (OpenAI's
    definition): it holds the medium tier's 32-token budget and an answer, or the effort would be lowered to none."""
    cap = 32 + MAX_TOKENS
    ask = [{"role": "user", "content": "Name three colours."}]
    response = client.responses.create(model="auto:medium", input=ask, max_output_tokens=cap)
    assert response.output[0].type == "reasoning" and response.output[0].content[0].text
    with client.responses.stream(model="auto:medium", input=ask, max_output_tokens=cap) as stream:
        events = list(stream)
    thoughts = "".join(event.delta for event in events if event.type == "response.reasoning_text.delta")
    assert thoughts and events[-1].response.output[0].content[0].text == thoughts
    with client.responses.stream(model="auto:medium", input=ask, max_output_tokens=cap, reasoning={"summary": "auto"}) as stream:
        events = list(stream)  # Codex asks for a summary: the reasoning is one, as OpenAI streams it
    summary = "".join(event.delta for event in events if event.type == "response.reasoning_summary_text.delta")
    assert summary and events[-1].response.output[0].summary[0].text == summary
    prompt_before = vllm_counter(vllm_url, "vllm:prompt_tokens_total")
    follow = client.responses.create(model="auto:medium", max_output_tokens=cap, input=[
        *ask, *[item.model_dump(exclude_none=True) for item in response.output], {"role": "user", "content": "Two more."}])
    assert follow.usage.input_tokens == vllm_counter(vllm_url, "vllm:prompt_tokens_total") - prompt_before


def test_auto_routes_with_the_real_classifier(client: Any) -> None:
    raw = client.chat.completions.with_raw_response.create(model="auto", messages=[{"role": "user", "content": "hi"}], max_tokens=8)
    assert raw.headers["x-router-tier"] == "low"
    assert float(raw.headers["x-router-score"]) <= 0.4
    assert raw.parse().model_extra["router"]["reason"] == "classifier"
    # a follow-up inherits the difficulty of the conversation: "continue" after a proof is the proof's, not "hi"'s
    proof = "Let a, b, c be positive reals with abc=1. Prove that a^2/(b+c)+b^2/(c+a)+c^2/(a+b) >= 3/2."
    alone = client.chat.completions.with_raw_response.create(model="auto", max_tokens=8, messages=[
        {"role": "user", "content": proof}])
    follow = client.chat.completions.with_raw_response.create(model="auto", max_tokens=8, messages=[
        {"role": "user", "content": proof}, {"role": "assistant", "content": "By Cauchy-Schwarz ..."},
        {"role": "user", "content": "continue"}])
    assert follow.headers["x-router-tier"] == alone.headers["x-router-tier"] != "low"
    assert float(follow.headers["x-router-score"]) == pytest.approx(float(alone.headers["x-router-score"]), abs=1e-3)


def test_streaming_with_usage_matches_vllm(client: Any, vllm_url: str) -> None:
    generated_before = vllm_counter(vllm_url, "vllm:generation_tokens_total")
    stream = client.chat.completions.create(
        model="auto:low", messages=MESSAGES, max_tokens=MAX_TOKENS, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    final = chunks[-1]
    assert text
    assert final.choices == [] and final.usage is not None
    assert final.model_extra["router"]["tier"] == "low"
    assert final.usage.completion_tokens == vllm_counter(vllm_url, "vllm:generation_tokens_total") - generated_before


def test_streaming_without_usage_has_no_usage_chunk(client: Any) -> None:
    chunks = list(client.chat.completions.create(model="auto:low", messages=MESSAGES, max_tokens=MAX_TOKENS, stream=True))
    assert chunks and all(c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason in ("stop", "length")


def test_streamed_and_plain_cost_agree_on_vllm(client: Any) -> None:
    plain = client.chat.completions.create(model="auto:low", messages=MESSAGES, max_tokens=MAX_TOKENS, seed=7)
    streamed = list(client.chat.completions.create(
        model="auto:low", messages=MESSAGES, max_tokens=MAX_TOKENS, seed=7, stream=True, stream_options={"include_usage": True}
    ))[-1]
    assert streamed.usage.prompt_tokens == plain.usage.prompt_tokens
    assert streamed.usage.completion_tokens == plain.usage.completion_tokens
    assert streamed.model_extra["router"]["cost_usd"] == plain.model_extra["router"]["cost_usd"]


def test_the_cost_estimate_learns_vllms_prompt_count(client: Any, gateway_url: str) -> None:
    """The cost estimate counts the prompt without a tokenizer, then learns a correction from the
    `prompt_tokens` vLLM reports (its tokenizer and chat template): after a dozen requests the prompt
    the estimate prices is within 10 % of vLLM's count, and `router_cost_estimate_ratio` saw them."""
    messages = [{"role": "user", "content": "Name three colours of the rainbow and say why the sky looks blue. " * 8}]

    def once() -> tuple[float, int]:
        raw = client.chat.completions.with_raw_response.create(
            model="auto:low", messages=messages, max_tokens=1, extra_headers={"x-router-max-cost-usd": "1"})
        completion = raw.parse()
        # low: 0.05 USD per million prompt tokens, 0.20 per million completion tokens, capped at max_tokens=1
        estimated_prompt = (float(raw.headers["x-router-estimated-cost-usd"]) * 1e6 - 1 * 0.20) / 0.05
        return estimated_prompt, completion.usage.prompt_tokens

    first, real = once()
    for _ in range(12):
        last, real = once()
    assert abs(last - real) <= 0.1 * real, (first, last, real)
    assert abs(last - real) < abs(first - real) or abs(first - real) <= 0.1 * real
    text = httpx.get(f"{gateway_url}/metrics", timeout=5).text
    observed = re.search(r'^router_cost_estimate_ratio_count\{tier="low"\} ([0-9.e+]+)$', text, re.MULTILINE)
    assert observed and float(observed.group(1)) >= 13


def test_qwen3_dialect_thinking_budget_is_accepted_by_vllm(client: Any) -> None:
    raw = client.chat.completions.with_raw_response.create(model="auto:medium", messages=MESSAGES, max_tokens=16)
    completion = raw.parse()
    assert raw.http_response.status_code == 200
    assert raw.headers["x-router-tier"] == "medium"
    # The budget (32) was added to the client's cap (16): vLLM may generate up to 48 tokens.
    assert 0 < completion.usage.completion_tokens <= 16 + 32
    message = completion.choices[0].message
    assert message.content or (message.model_extra or {}).get("reasoning") or (message.model_extra or {}).get("reasoning_content")


def test_client_disconnect_frees_the_vllm_slot(gateway_url: str, vllm_url: str) -> None:
    """Closing the client's stream aborts the upstream request: vLLM stops generating before its
    `max_tokens` (`ignore_eos`, so only an abort ends it early) and its running count drops to 0.

    (Counting tokens, not catching the request in vLLM's running gauge mid-stream: on a fast
    moment of the machine the tiny model can finish 400 tokens before a /metrics poll answers.
    At rest an abandoned stream stops after 1-5 tokens; on a loaded machine the tiny model once
    outran the disconnect, so a stream that ran to its end is tried again, up to three times —
    a gateway that never aborts runs every one to its end.)"""
    max_tokens = 400
    body = {"model": "auto:low", "messages": MESSAGES, "max_tokens": max_tokens, "stream": True,
            "ignore_eos": True, "temperature": 1.0}
    runs = []
    for _ in range(3):
        generated_before = vllm_counter(vllm_url, "vllm:generation_tokens_total")
        with httpx.Client(timeout=30) as http, http.stream("POST", f"{gateway_url}/v1/chat/completions", json=body) as response:
            assert response.status_code == 200
            for index, _ in enumerate(response.iter_raw()):
                if index >= 1:  # the stream is flowing: leave
                    break
        deadline = time.monotonic() + 2.0
        while vllm_counter(vllm_url, "vllm:num_requests_running") > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert vllm_counter(vllm_url, "vllm:num_requests_running") == 0
        time.sleep(0.2)  # the last step's tokens reach the counter
        runs.append(vllm_counter(vllm_url, "vllm:generation_tokens_total") - generated_before)
        if 0 < runs[-1] < max_tokens:
            return
    pytest.fail(f"vLLM generated {runs} of {max_tokens} tokens: the request was not aborted")


@pytest.mark.parametrize("stream", [False, True])
def test_vllm_s_own_overflow_reaches_the_client_in_openai_s_shape(client: Any, stream: bool) -> None:
    """A prompt over max-model-len that the gateway does not check (no context_window): vLLM's 400 came back with its
    class name as `type` and `param: input_tokens`; now as the gateway's own context check words it (a real-vLLM review)."""
    from openai import BadRequestError

    long = " ".join(f"word{i}" for i in range(900))  # past the tiny model's 512 tokens
    with pytest.raises(BadRequestError) as refused:
        client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": long}], max_tokens=8, stream=stream)
    error = refused.value.body
    assert isinstance(error, dict)
    assert (error["code"], error["type"], error["param"]) == ("context_length_exceeded", "invalid_request_error", "messages")
