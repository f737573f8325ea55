"""The chat endpoint end to end against the simulated upstream (in-process HTTP)."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import orjson
import pytest

from backends.usage import Usage
from router.context import TokenCounter
from router.pricing import cost_usd
from tests.router._sse_helpers import sse_payloads
from tests.router.conftest import CONFIG, Harness, make_config

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("content", "tier", "model"),
    [("easy [score=0.1]", "low", "small"), ("mid [score=0.6]", "medium", "small"), ("hard [score=0.95]", "high", "big")],
)
async def test_auto_routes_by_score_and_reports_the_decision(harness: Harness, content: str, tier: str, model: str) -> None:
    response = await harness.chat(content)
    assert response.status_code == 200
    body = response.json()
    assert response.headers["x-router-tier"] == tier
    assert response.headers["x-router-model"] == model
    assert response.headers["x-router-backend"] == "sim"
    assert response.headers["x-router-score"] == f"{float(content.split('=')[1][:-1]):.3f}"
    assert len(response.headers["x-request-id"]) >= 16
    assert body["router"]["tier"] == tier and body["router"]["reason"] == "classifier"
    expected = cost_usd(make_config().models[model], Usage.from_openai(body["usage"]))
    assert body["router"]["cost_usd"] == pytest.approx(expected)
    assert float(response.headers["x-router-cost-usd"]) == pytest.approx(expected, rel=1e-6)
    assert harness.metric("router_requests_total", tier=tier, model=model, backend="sim", status="ok") == 1
    assert harness.metric("router_decisions_total", tier=tier, reason="classifier") == 1


async def test_tier_dialects_shape_the_upstream_request(harness: Harness) -> None:
    await harness.chat("easy [score=0.1]")
    await harness.chat("mid [score=0.6]", max_tokens=100)
    await harness.chat("hard [score=0.95]")
    low, medium, high = harness.upstream.requests
    assert low["model"] == "Qwen/Qwen3-8B"
    assert low["chat_template_kwargs"] == {"enable_thinking": False}
    assert "thinking_token_budget" not in low and "reasoning_effort" not in low
    assert medium["chat_template_kwargs"] == {"enable_thinking": True}
    assert medium["thinking_token_budget"] == 2048
    assert medium["max_tokens"] == 100 + 2048, "the thinking budget must not starve the answer"
    assert high["model"] == "big" and high["reasoning_effort"] == "high"


async def test_earlier_reasoning_reaches_each_upstream_in_its_family_s_field(harness: Harness) -> None:
    """A conversation routed across families: the reasoning a client echoes on an earlier assistant turn
    (DeepSeek's `reasoning_content`, LiteLLM's `thinking_blocks`) reaches vLLM's Qwen3 as the `reasoning`
    it renders back, and an OpenAI model, which refuses fields it does not define, not at all."""
    earlier = {"role": "assistant", "content": "4", "reasoning_content": "two plus two",
               "thinking_blocks": [{"type": "thinking", "thinking": "two plus two", "signature": "sig"}]}
    for content in ("easy [score=0.1]", "hard [score=0.95]"):
        body = {"model": "auto", "messages": [{"role": "user", "content": "2+2?"}, earlier, {"role": "user", "content": content}]}
        assert (await harness.client.post("/v1/chat/completions", json=body)).status_code == 200
    qwen3, openai = (request["messages"][1] for request in harness.upstream.requests)
    assert qwen3 == {"role": "assistant", "content": "4", "reasoning": "two plus two"}
    assert openai == {"role": "assistant", "content": "4"}


async def test_client_parameters_win_over_tier_defaults(harness: Harness) -> None:
    await harness.chat("easy [score=0.1]")
    await harness.chat("easy [score=0.1]", temperature=0.0, reasoning_effort="low")
    default, explicit = harness.upstream.requests
    assert default["temperature"] == 0.7
    assert explicit["temperature"] == 0.0
    assert explicit["chat_template_kwargs"] == {"enable_thinking": True}
    assert explicit["thinking_token_budget"] == 1024


async def test_a_client_s_own_thinking_budget_wins_as_its_effort_does(harness: Harness) -> None:
    """vLLM's `thinking_token_budget` from the client was replaced by the tier's (2,048) or its effort's default (16,384,
    and the cap grew by it: a 400 on a 16k vLLM); and a client's `enable_thinking: true` on a tier without thinking was
    sent a budget of 0, which ends vLLM's think at its first token."""
    assert (await harness.chat("mid [score=0.6]", thinking_token_budget=300, max_tokens=200)).status_code == 200
    routed = harness.upstream.requests[-1]
    assert routed["thinking_token_budget"] == 300 and routed["max_tokens"] == 500
    assert (await harness.chat("anything", model="small", reasoning_effort="high", thinking_token_budget=300, max_tokens=200)).status_code == 200
    direct = harness.upstream.requests[-1]
    assert direct["thinking_token_budget"] == 300 and direct["max_tokens"] == 500
    assert (await harness.chat("easy [score=0.1]", chat_template_kwargs={"enable_thinking": True}, max_tokens=500)).status_code == 200
    switched = harness.upstream.requests[-1]
    assert switched["chat_template_kwargs"] == {"enable_thinking": True} and "thinking_token_budget" not in switched
    assert (await harness.chat("easy [score=0.1]", thinking_token_budget=300)).status_code == 200
    assert "thinking_token_budget" not in harness.upstream.requests[-1], "a budget alone does not turn a no-thinking tier's think on"


async def test_an_operator_can_keep_the_tier_s_effort_over_the_client_s(make_harness: Any) -> None:
    """`routing.client_reasoning_effort: ignore`: clients that always ask for an effort (Claude Code sends
    `output_config.effort: high` on every request) get the tier's; a model named directly keeps theirs."""
    harness = await make_harness(make_config(routing={"client_reasoning_effort": "ignore"}))
    await harness.chat("easy [score=0.1]", reasoning_effort="high")
    await harness.chat("anything", model="big", reasoning_effort="low")
    tiered, direct = harness.upstream.requests
    assert tiered["chat_template_kwargs"] == {"enable_thinking": False} and "thinking_token_budget" not in tiered
    assert "reasoning_effort" not in tiered
    assert direct["reasoning_effort"] == "low"


async def test_forced_tier_and_direct_model_skip_the_classifier(harness: Harness) -> None:
    forced = await harness.chat("anything [score=0.1]", model="auto:high")
    assert forced.headers["x-router-tier"] == "high" and forced.json()["router"]["reason"] == "forced"
    assert "x-router-score" not in forced.headers
    direct = await harness.chat("anything", model="big")
    assert direct.headers["x-router-tier"] == "direct" and direct.headers["x-router-model"] == "big"
    assert "reasoning_effort" not in harness.upstream.requests[-1]
    assert harness.metric("router_decisions_total", tier="direct", reason="direct") == 1


async def test_unknown_model_is_openai_404(harness: Harness) -> None:
    response = await harness.chat(model="gpt-17")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    assert "'gpt-17'" in response.json()["error"]["message"]
    huge = await harness.chat(model="m" * 1_000_000)
    assert huge.status_code == 404 and len(huge.content) < 2_000, "a megabyte name is not echoed whole"


async def test_unpriced_model_reports_null_cost(harness: Harness) -> None:
    response = await harness.chat(model="unpriced")
    assert response.json()["router"]["cost_usd"] is None
    assert response.headers["x-router-cost-usd"] == ""


async def test_stream_forwards_chunks_and_appends_router_usage(harness: Harness) -> None:
    response = await harness.chat("mid [score=0.6]", stream=True, stream_options={"include_usage": True})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-router-tier"] == "medium"
    payloads = sse_payloads(response.text)
    assert payloads[-1] == "[DONE]"
    usage_chunk = payloads[-2]
    assert isinstance(usage_chunk, dict) and usage_chunk["choices"] == []
    assert usage_chunk["router"]["tier"] == "medium"
    text = "".join(p["choices"][0]["delta"].get("content") or "" for p in payloads[:-2] if isinstance(p, dict))
    assert text.strip()


async def test_stream_without_usage_request_drops_the_usage_chunk(harness: Harness) -> None:
    response = await harness.chat(stream=True)
    payloads = sse_payloads(response.text)
    assert payloads[-1] == "[DONE]"
    assert all(p.get("usage") is None for p in payloads[:-1] if isinstance(p, dict))
    assert harness.upstream.requests[-1]["stream_options"] == {"include_usage": True}, "usage is always requested upstream"
    assert harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="completion") > 0


async def test_a_routed_request_s_effort_is_said_as_the_tier_s_family_says_it(make_harness: Any) -> None:
    """`minimal` is a valid OpenAI effort that gpt-oss lacks: routed there by score, the request is asked for the nearest
    (low), not refused for a tier the client did not pick; naming the model directly is refused, as vLLM does."""
    tiers = {**CONFIG["tiers"], "medium": {"model": "oss", "effort": "medium", "max_score": 0.75}}
    harness = await make_harness(make_config(models={**CONFIG["models"], "oss": {"backend": "sim", "reasoning": "gpt-oss"}}, tiers=tiers))
    for effort, sent in (("minimal", "low"), ("xhigh", "high"), ("low", "low")):
        assert (await harness.chat("mid [score=0.6]", reasoning_effort=effort)).status_code == 200
        assert harness.upstream.requests[-1]["reasoning_effort"] == sent
    direct = await harness.chat("mid", model="oss", reasoning_effort="minimal")
    assert direct.status_code == 400 and direct.json()["error"]["param"] == "reasoning_effort"


async def test_a_routed_effort_is_one_the_model_takes_when_it_takes_fewer_than_its_family(make_harness: Any) -> None:
    """o3 takes low, medium and high only (`models.NAME.efforts`), though its dialect speaks every OpenAI effort: a client's
    `minimal` routed there by score was sent as asked, a 400 for a tier the client did not pick; now the nearest (low)."""
    tiers = {**CONFIG["tiers"], "medium": {"model": "o3", "effort": "medium", "max_score": 0.75}}
    o3 = {"backend": "sim", "reasoning": "openai", "efforts": ["low", "medium", "high"]}
    harness = await make_harness(make_config(models={**CONFIG["models"], "o3": o3}, tiers=tiers))
    for effort, sent in (("minimal", "low"), ("none", "low"), ("xhigh", "high"), ("medium", "medium")):
        assert (await harness.chat("mid [score=0.6]", reasoning_effort=effort)).status_code == 200
        assert harness.upstream.requests[-1]["reasoning_effort"] == sent, effort
    for effort in ("xhigh", "max"):  # found in review: a model listing no efforts is taken to stop at high (o4-mini's 400)
        assert (await harness.chat("hard [score=0.9]", reasoning_effort=effort)).status_code == 200
        assert harness.upstream.requests[-1]["reasoning_effort"] == "high", effort


async def test_a_backend_that_takes_only_openai_s_fields_gets_no_other(make_harness: Any) -> None:
    """A client writing vLLM's extras for `auto` may be routed to api.openai.com, which refuses them with a 400 ("Unrecognized
    request argument supplied"); with `fields: openai` that backend gets OpenAI's fields alone, and vLLM still gets them all."""
    strict = {**CONFIG["backends"]["sim"], "fields": "openai"}
    harness = await make_harness(make_config(backends={**CONFIG["backends"], "sim": strict}))
    extras = {"top_k": 20, "min_p": 0.05, "chat_template_kwargs": {"enable_thinking": False}, "repetition_penalty": 1.1}
    for stream in (False, True):
        assert (await harness.chat("hard [score=0.9]", seed=7, stream=stream, **extras)).status_code == 200
        sent = harness.upstream.requests[-1]
        assert not extras.keys() & sent.keys() and sent["seed"] == 7 and sent["model"] == "big" and sent["reasoning_effort"] == "high"
    assert (await harness.chat("hi", model="spare-big", **extras)).status_code == 200
    assert orjson.loads(harness.spare_requests[-1].content)["top_k"] == 20, "a backend of `fields: any` gets them all"


SAMPLING = {"temperature": 0.0, "top_p": 0.9, "presence_penalty": 0.1, "frequency_penalty": 0.2, "logprobs": True, "top_logprobs": 2,
            "logit_bias": {"50256": -100}, "stop": ["\n"]}


async def test_fields_an_openai_reasoning_model_refuses_are_not_sent_to_it(harness: Harness) -> None:
    """o-series and GPT-5 refuse `stop`, a `temperature` other than 1, `top_p`, the penalties, logprobs and logit_bias with a
    400 ("Unsupported parameter: 'stop' is not supported with this model."), which no fallback follows: a completions client
    (`stop`, `temperature`) or LangChain (`temperature: 0.7`, `top_p: 1` on every request) failed whenever the score chose the
    high tier. A model of that family is sent none of them; any other family gets them all."""
    for stream in (False, True):
        assert (await harness.chat("hard [score=0.9]", stream=stream, seed=7, **SAMPLING)).status_code == 200
        sent = harness.upstream.requests[-1]
        assert sent["model"] == "big" and not SAMPLING.keys() & sent.keys() and sent["seed"] == 7 and sent["reasoning_effort"] == "high"
    assert (await harness.chat("easy [score=0.1]", **SAMPLING)).status_code == 200
    assert SAMPLING.items() <= harness.upstream.requests[-1].items(), "Qwen3 on vLLM takes them all"


@pytest.mark.parametrize("top_logprobs", [-1, 50])
async def test_top_logprobs_vllm_takes_are_forwarded(harness: Harness, top_logprobs: int) -> None:
    """vLLM takes -1 (the whole vocabulary) and any count up to its `--max-logprobs`: the gateway refused both as OpenAI's 0-20."""
    assert (await harness.chat("easy [score=0.1]", logprobs=True, top_logprobs=top_logprobs)).status_code == 200
    assert harness.upstream.requests[-1]["top_logprobs"] == top_logprobs
    refused = await harness.chat("easy [score=0.1]", logprobs=True, top_logprobs=-2)
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "top_logprobs"


async def test_a_model_s_drop_fields_say_which_it_refuses(make_harness: Any) -> None:
    """GPT-5.5 takes `stop` and GPT-5.1 at effort none takes `temperature` back: `drop_fields` overrides the family's list."""
    models = copy.deepcopy(CONFIG["models"])
    models["big"]["drop_fields"] = ["logit_bias"]
    models["small"]["drop_fields"] = ["top_p"]
    harness = await make_harness(make_config(models=models))
    assert (await harness.chat("hard [score=0.9]", **SAMPLING)).status_code == 200
    assert harness.upstream.requests[-1].keys() & SAMPLING.keys() == SAMPLING.keys() - {"logit_bias"}
    assert (await harness.chat("easy [score=0.1]", **SAMPLING)).status_code == 200
    assert harness.upstream.requests[-1].keys() & SAMPLING.keys() == SAMPLING.keys() - {"top_p"}


async def test_the_provider_s_rate_limit_headers_reach_the_client(make_harness: Any) -> None:
    """Clients pace themselves by `x-ratelimit-*` (OpenAI) and `anthropic-ratelimit-*` (Anthropic), as they would talking to
    the provider; the router's own headers stay the router's."""
    limits = {"x-ratelimit-remaining-requests": "59", "x-ratelimit-reset-tokens": "6ms", "x-request-id": "upstream-id"}

    def handler(request: httpx.Request) -> httpx.Response:
        if orjson.loads(request.content).get("stream"):
            chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                     "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}]}
            body = b"data: " + orjson.dumps(chunk) + b"\n\ndata: [DONE]\n\n"
            return httpx.Response(200, stream=httpx.ByteStream(body), headers={"content-type": "text/event-stream", **limits})
        return httpx.Response(200, headers=limits, json={"id": "c", "object": "chat.completion", "created": 1, "model": "m", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}]})

    harness = await make_harness(sim_transport=httpx.MockTransport(handler))
    for stream in (False, True):
        response = await harness.chat("hi", stream=stream)
        assert response.headers["x-ratelimit-remaining-requests"] == "59" and response.headers["x-ratelimit-reset-tokens"] == "6ms"
        assert response.headers["x-request-id"] != "upstream-id", "the router's request id, not the provider's"


def usage_on_choice_chunks(every_chunk: bool) -> httpx.MockTransport:
    """An upstream that writes `usage` on its chunks with choices: on the last one (Grok) or on every one (GLM)."""
    def handler(request: httpx.Request) -> httpx.Response:
        head = {"id": "chatcmpl-u", "object": "chat.completion.chunk", "created": 1, "model": "m"}
        deltas = [({"role": "assistant", "content": ""}, None), ({"content": "Hi"}, None), ({"content": " there"}, None), ({}, "stop")]
        chunks = []
        for number, (delta, finish) in enumerate(deltas, 1):
            chunk = head | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            if every_chunk or finish:
                chunk["usage"] = {"prompt_tokens": 10, "completion_tokens": number, "total_tokens": 10 + number}
            chunks.append(chunk)
        body = b"".join(b"data: " + orjson.dumps(chunk) + b"\n\n" for chunk in chunks) + b"data: [DONE]\n\n"
        return httpx.Response(200, stream=httpx.ByteStream(body), headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("every_chunk", [False, True])
@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/completions"])
async def test_usage_the_upstream_writes_on_choice_chunks_reaches_the_client_once(make_harness: Any, every_chunk: bool, path: str) -> None:
    """OpenAI sends usage once, on a closing chunk without choices; LangChain adds up every chunk's usage."""
    harness = await make_harness(sim_transport=usage_on_choice_chunks(every_chunk))
    request = {"model": "auto", "stream": True, "stream_options": {"include_usage": True}}
    request |= {"messages": [{"role": "user", "content": "hi"}]} if path.endswith("chat/completions") else {"prompt": "hi"}
    payloads = [p for p in sse_payloads((await harness.client.post(path, json=request)).text) if isinstance(p, dict)]
    with_usage = [p for p in payloads if p.get("usage") is not None]
    assert len(with_usage) == 1 and with_usage[0] is payloads[-1] and with_usage[0]["choices"] == []
    assert with_usage[0]["usage"]["completion_tokens"] == 4 and with_usage[0]["router"]["cost_usd"] > 0
    text = "".join(p["choices"][0].get("text") or p["choices"][0].get("delta", {}).get("content") or "" for p in payloads[:-1])
    assert text == "Hi there" and payloads[-2]["choices"][0]["finish_reason"] == "stop"
    assert harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="completion") == 4
    request.pop("stream_options")
    payloads = [p for p in sse_payloads((await harness.client.post(path, json=request)).text) if isinstance(p, dict)]
    assert all(p.get("usage") is None for p in payloads), "not asked for: none"


async def test_running_usage_reaches_a_client_that_asked_vllm_for_it(make_harness: Any) -> None:
    """vLLM's `stream_options.continuous_usage_stats`: the client asks for the running usage on every chunk; the gateway
    forwarded the option and then took the usage off every chunk. Counted once all the same."""
    harness = await make_harness(sim_transport=usage_on_choice_chunks(True))
    request = {"model": "auto", "stream": True, "stream_options": {"include_usage": True, "continuous_usage_stats": True},
               "messages": [{"role": "user", "content": "hi"}]}
    payloads = [p for p in sse_payloads((await harness.client.post("/v1/chat/completions", json=request)).text) if isinstance(p, dict)]
    assert [p["usage"]["completion_tokens"] for p in payloads[:-1]] == [1, 2, 3, 4]
    assert payloads[-1]["choices"] == [] and payloads[-1]["usage"]["completion_tokens"] == 4
    assert harness.metric("router_tokens_total", tier="low", model="small", backend="sim", kind="completion") == 4


async def test_streamed_and_non_streamed_cost_are_equal(harness: Harness) -> None:
    content = "hard [score=0.95] same exchange"
    plain = (await harness.chat(content)).json()
    streamed = sse_payloads((await harness.chat(content, stream=True, stream_options={"include_usage": True})).text)[-2]
    assert isinstance(streamed, dict)
    assert streamed["usage"]["completion_tokens"] == plain["usage"]["completion_tokens"]
    assert streamed["router"]["cost_usd"] == plain["router"]["cost_usd"]
    assert streamed["router"]["cost_usd"] is not None and streamed["router"]["cost_usd"] > 0
    assert harness.metric("router_cost_usd_total", tier="high", model="big", backend="sim") == pytest.approx(2 * plain["router"]["cost_usd"])


async def test_savings_counter_tracks_cheaper_tiers(harness: Harness) -> None:
    body = (await harness.chat("easy [score=0.1]")).json()
    usage = Usage.from_openai(body["usage"])
    top = cost_usd(make_config().models["big"], usage)
    assert top is not None
    assert harness.metric("router_estimated_savings_usd_total") == pytest.approx(top - body["router"]["cost_usd"])


async def test_models_endpoint_lists_aliases_and_models(harness: Harness) -> None:
    ids = [m["id"] for m in (await harness.client.get("/v1/models")).json()["data"]]
    assert ids[:4] == ["auto", "auto:low", "auto:medium", "auto:high"]
    assert {"small", "big", "spare-big", "unpriced"} <= set(ids)


async def test_metrics_endpoint_exposes_router_series(harness: Harness) -> None:
    await harness.chat()
    text = (await harness.client.get("/metrics")).text
    for name in ("router_requests_total", "router_tokens_total", "router_cost_usd_total", "router_request_duration_seconds_bucket",
                 "router_classifier_duration_seconds_bucket", "router_complexity_score_bucket", "router_decisions_total"):
        assert name in text


async def test_cost_cap_downgrades_or_refuses(harness: Harness) -> None:
    cheap = await harness.client.post("/v1/chat/completions", json={"model": "auto", "messages": [{"role": "user", "content": "hard [score=0.95]"}]},
                                      headers={"x-router-max-cost-usd": "0.001"})
    assert cheap.status_code == 200
    assert cheap.headers["x-router-tier"] in ("low", "medium")
    assert cheap.json()["router"]["downgraded_from"] == "high"
    refused = await harness.client.post("/v1/chat/completions", json={"model": "auto:high", "messages": [{"role": "user", "content": "x"}]},
                                        headers={"x-router-max-cost-usd": "0.0000001"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "max_cost_exceeded"


async def test_each_cost_is_checked_against_its_estimate(harness: Harness) -> None:
    """`router_cost_estimate_ratio`: what a request cost over what was estimated before dispatch, per
    tier — how far an `x-router-max-cost-usd` cap can be trusted. A model named directly gets no
    estimate (no cap was sent), so nothing is observed for it."""
    response = await harness.chat("hello [score=0.1]")
    router = response.json()["router"]
    assert harness.metric("router_cost_estimate_ratio_count", tier="low") == 1
    assert harness.metric("router_cost_estimate_ratio_sum", tier="low") == pytest.approx(router["cost_usd"] / router["estimated_cost_usd"])
    direct = await harness.chat("hello", model="small")
    assert direct.status_code == 200 and direct.json()["router"]["estimated_cost_usd"] is None
    observed = [s.value for m in harness.registry.collect() for s in m.samples if s.name == "router_cost_estimate_ratio_count"]
    assert sum(observed) == 1


async def test_the_cost_estimate_respects_the_answer_cap(harness: Harness) -> None:
    """The forecast cannot exceed what the upstream may return (the client's `max_tokens` plus the
    thinking reserve): a capped request is estimated, and admitted under a cost cap, as such."""
    def ask(**fields: object) -> object:
        body = {"model": "auto:low", "messages": [{"role": "user", "content": "x"}], **fields}
        return harness.client.post("/v1/chat/completions", json=body, headers={"x-router-max-cost-usd": "0.00002"})

    uncapped = await ask()
    assert uncapped.status_code == 400 and uncapped.json()["error"]["code"] == "max_cost_exceeded"
    capped = await ask(max_tokens=10)
    assert capped.status_code == 200, capped.text
    model = make_config().models["small"]  # low: thinking off, no reserve
    prompt_tokens = TokenCounter(make_config()).count("small", [{"role": "user", "content": "x"}]).tokens
    expected = cost_usd(model, Usage(prompt_tokens=prompt_tokens, completion_tokens=10))
    assert float(capped.headers["x-router-estimated-cost-usd"]) == pytest.approx(expected, abs=1e-7)
    assert harness.upstream.requests[-1]["max_tokens"] == 10
