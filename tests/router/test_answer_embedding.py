"""The embedding extra on the request path: the estimate it prices, its bounds, and the real model."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from router.app import create_app
from router.demo.upstream import SimulatedUpstream
from tests.conftest import FakeClassifier, FakeScore
from tests.router.conftest import CONFIG, Harness, make_config

pytestmark = pytest.mark.anyio


class RefiningClassifier(FakeClassifier):
    """The fake classifier plus an embedding step that scales answers by ``e^delta``; ``gate``
    holds the step (a slow model), ``fail`` makes it raise."""

    def __init__(self, delta: float = math.log(4)) -> None:
        self.delta = delta
        self.calls: list[str] = []
        self.gate: threading.Event | None = None
        self.fail = False

    def answer_log_deltas(self, conversations: Sequence[Any]) -> np.ndarray:
        self.calls.append(str(conversations[0][-1]["content"]))
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail:
            raise RuntimeError("the model is gone")
        return np.full(len(conversations), self.delta)

    def refine(self, result: FakeScore, answer_log_delta: float) -> FakeScore:
        return dataclasses.replace(result, expected_answer_tokens=round(result.expected_answer_tokens * math.exp(answer_log_delta)))


@pytest.fixture
def fake_classifier() -> RefiningClassifier:
    return RefiningClassifier()


def with_embedding(**embedding: Any) -> Any:
    return make_config(classifier={"embedding": {"model": "/models/unused-by-an-injected-classifier", **embedding}})


def estimate(response: httpx.Response) -> float:
    assert response.status_code == 200, response.text
    return float(response.headers["x-router-estimated-cost-usd"])


#: The low tier's model prices output at 0.20 USD per million tokens; its effort is none, so the
#: completion forecast is the fake classifier's 200 answer tokens.
LOW_OUTPUT_PRICE = CONFIG["models"]["small"]["output"] / 1e6


async def test_the_estimate_prices_the_corrected_answer(make_harness: Any, fake_classifier: RefiningClassifier) -> None:
    plain = estimate(await (await make_harness()).chat("What is a monad?"))
    assert fake_classifier.calls == [], "no `classifier.embedding`, no embedding"
    harness: Harness = await make_harness(with_embedding())
    refined = estimate(await harness.chat("What is a monad?"))
    assert refined - plain == pytest.approx((800 - 200) * LOW_OUTPUT_PRICE, rel=1e-3)
    assert fake_classifier.calls == ["What is a monad?"]
    assert harness.metric("router_answer_embedding_duration_seconds_count") == 1
    assert harness.metric("router_decisions_total", tier="low", reason="classifier") == 1, "the tier is the score's"


async def test_a_request_not_priced_is_not_embedded(make_harness: Any, fake_classifier: RefiningClassifier) -> None:
    harness: Harness = await make_harness(with_embedding())
    response = await harness.client.post("/v1/chat/completions", json={"model": "auto:low", "messages": [{"role": "user", "content": "a"}]})
    assert response.status_code == 200 and fake_classifier.calls == []
    capped = await harness.client.post("/v1/chat/completions", json={"model": "auto:low", "messages": [{"role": "user", "content": "b"}]},
                                       headers={"x-router-max-cost-usd": "1"})
    assert capped.status_code == 200 and fake_classifier.calls == ["b"], "a forced tier under a cost cap is priced"


async def test_a_slow_model_costs_the_estimate_not_the_request(make_harness: Any, fake_classifier: RefiningClassifier) -> None:
    plain = estimate(await (await make_harness()).chat("slow"))
    harness: Harness = await make_harness(with_embedding(timeout_ms=50))
    fake_classifier.gate = threading.Event()
    try:
        assert estimate(await harness.chat("slow")) == pytest.approx(plain)
        assert harness.metric("router_answer_embedding_fallbacks_total", reason="timeout") == 1
    finally:
        fake_classifier.gate.set()


async def test_beyond_max_pending_requests_do_not_queue(make_harness: Any, fake_classifier: RefiningClassifier) -> None:
    harness: Harness = await make_harness(with_embedding(max_pending=1, timeout_ms=5000))
    fake_classifier.gate = threading.Event()
    first = asyncio.create_task(harness.chat("first"))
    while not fake_classifier.calls:  # the first request's embedding is on the thread
        await asyncio.sleep(0.005)
    second = await harness.chat("second")
    assert second.status_code == 200 and harness.metric("router_answer_embedding_fallbacks_total", reason="busy") == 1
    assert fake_classifier.calls == ["first"], "the second request never waited for the thread"
    fake_classifier.gate.set()
    assert estimate(await first) > estimate(second)
    assert harness.metric("router_answer_embedding_duration_seconds_count") == 1


async def test_a_failing_model_is_logged_once_and_requests_go_on(make_harness: Any, fake_classifier: RefiningClassifier,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    harness: Harness = await make_harness(with_embedding())
    fake_classifier.fail = True
    for i in range(3):
        assert (await harness.chat(f"q{i}")).status_code == 200
    assert harness.metric("router_answer_embedding_fallbacks_total", reason="error") == 3
    assert caplog.text.count("classifier.embedding failed") == 1


# ---- the real model: the gateway as `serve` builds it ----------------------------------------------
async def test_the_gateway_loads_the_real_model_and_prices_with_it() -> None:
    from tests.classifiers.test_embedding import minilm_dir

    async def first_estimate(classifier: Mapping[str, Any]) -> tuple[float, CollectorRegistry]:
        registry = CollectorRegistry()
        upstream = SimulatedUpstream(token_delay=0)
        app = create_app(make_config(classifier=classifier), transports={"sim": httpx.ASGITransport(app=upstream.app())},
                         registry=registry)
        async with (app.router.lifespan_context(app),
                    httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router.test") as client):
            response = await client.post("/v1/chat/completions", json={"model": "auto", "messages": [{"role": "user", "content": "hi"}]})
            return estimate(response), registry

    plain, _ = await first_estimate({})
    refined, registry = await first_estimate({"embedding": {"model": str(minilm_dir())}})
    assert refined < plain, "a greeting's answer is shorter than the default estimate says"
    assert registry.get_sample_value("router_answer_embedding_duration_seconds_count") == 1
    assert registry.get_sample_value("router_answer_embedding_fallbacks_total", {"reason": "timeout"}) == 0


async def test_a_reload_loads_the_classifier_again_only_for_what_it_is_loaded_from(tmp_path: Any) -> None:
    """A new `timeout_ms` takes effect on the loaded model; a new model directory loads it again."""
    import copy

    from router.config import ClassifierConfig, load_config
    from tests.opskit import write_yaml

    loads: list[tuple[str, ...]] = []

    def factory(config: ClassifierConfig) -> RefiningClassifier:
        loads.append(config.loaded_from())
        return RefiningClassifier()

    def config_file(**embedding: Any) -> Any:
        data = copy.deepcopy(CONFIG) | {"classifier": {"embedding": {"model": "/models/a", **embedding}}}
        return write_yaml(tmp_path / "config.yaml", data)

    path = config_file()
    app = create_app(load_config(path), classifier_factory=factory, registry=CollectorRegistry(), config_path=str(path))
    async with app.router.lifespan_context(app):
        config_file(timeout_ms=100)
        assert await app.state.reloader.reload()
        assert len(loads) == 1 and app.state.router.gateway.answer_embedding.timeout == 0.1
        config_file(model="/models/b")
        assert await app.state.reloader.reload()
        assert [load[1] for load in loads] == ["/models/a", "/models/b"]


def test_route_and_score_commands_use_the_extra(tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`route` shows the factor the embedding applied; `score` prints the corrected estimates."""
    import copy
    import io
    import json

    from router import cli
    from tests.classifiers.test_embedding import minilm_dir
    from tests.opskit import write_yaml

    plain = write_yaml(tmp_path / "plain.yaml", copy.deepcopy(CONFIG))
    extra = write_yaml(tmp_path / "extra.yaml", copy.deepcopy(CONFIG) | {"classifier": {"embedding": {"model": str(minilm_dir())}}})
    routes = []
    for path in (plain, extra):
        assert cli.main(["route", "hi", "--config", str(path)]) == 0
        routes.append(json.loads(capsys.readouterr().out))
    assert "answer_embedding_factor" not in routes[0] and routes[1]["answer_embedding_factor"] < 1
    assert routes[1]["score"] == routes[0]["score"]
    assert routes[1]["expected_completion_tokens"]["low"] < routes[0]["expected_completion_tokens"]["low"]
    scored = []
    for path in (plain, extra):
        monkeypatch.setattr("sys.stdin", io.StringIO('{"prompt": "hi"}\n{"prompt": "Write a long essay on the French Revolution."}\n'))
        assert cli.main(["score", "--config", str(path)]) == 0
        scored.append([json.loads(line) for line in capsys.readouterr().out.splitlines()])
    assert [r["score"] for r in scored[1]] == [r["score"] for r in scored[0]]
    assert scored[1][0]["expected_completion_tokens"]["low"] < scored[0][0]["expected_completion_tokens"]["low"]
    assert scored[1][1]["expected_completion_tokens"]["low"] > scored[0][1]["expected_completion_tokens"]["low"]


def test_a_broken_head_stops_check_config_with_one_line_naming_the_key(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    import copy

    from router import cli
    from tests.opskit import write_yaml

    head = tmp_path / "head.npz"
    head.write_bytes(b"not a head")
    path = write_yaml(tmp_path / "config.yaml", copy.deepcopy(CONFIG) | {"classifier": {"embedding": {"model": "/models/x", "head": str(head)}}})
    with pytest.raises(SystemExit) as stopped:
        cli.main(["check-config", str(path)])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.startswith(f"error: classifier.embedding: embedding head {head} ") and err.count("\n") == 1


def test_serve_with_the_extra_answers_the_openai_client_and_keeps_the_model_out_of_the_supervisor(tmp_path: Any) -> None:
    """`serve --workers 2` with `classifier.embedding`: the real openai client gets its answer and the
    corrected estimate; the supervising process never loaded torch (the check ran in a child)."""
    import copy

    import openai

    from tests.classifiers.test_embedding import minilm_dir
    from tests.opskit import ServeProcess, simulated_upstream, write_yaml

    with simulated_upstream() as upstream:
        data = copy.deepcopy(CONFIG)
        data["backends"] = {"sim": {"kind": "openai", "base_url": upstream.url + "/v1"}}
        data["models"] = {name: model for name, model in data["models"].items() if model["backend"] == "sim"}
        data["tiers"]["high"].pop("fallbacks")
        data["classifier"] = {"embedding": {"model": str(minilm_dir())}}
        path = write_yaml(tmp_path / "config.yaml", data)
        with ServeProcess(path, "--workers", "2") as router:
            client = openai.OpenAI(base_url=router.url + "/v1", api_key="unused")
            raw = client.chat.completions.with_raw_response.create(model="auto", messages=[{"role": "user", "content": "hi"}])
            assert raw.parse().choices[0].message.content and float(raw.headers["x-router-estimated-cost-usd"]) > 0
            metrics = httpx.get(router.url + "/metrics", timeout=10).text
            assert "router_answer_embedding_duration_seconds_count 1.0" in metrics
            assert router.process is not None
            supervisor_maps = Path(f"/proc/{router.process.pid}/maps").read_text()
            assert "libtorch" not in supervisor_maps, "the supervisor loaded torch"


async def test_a_request_that_stopped_waiting_leaves_no_work_on_the_thread(make_harness: Any, fake_classifier: RefiningClassifier) -> None:
    """A queued embedding whose request timed out is cancelled before it starts: under overload the
    thread works only for requests still waiting."""
    harness: Harness = await make_harness(with_embedding(timeout_ms=50, max_pending=4))
    fake_classifier.gate = threading.Event()
    first = asyncio.create_task(harness.chat("running"))
    while not fake_classifier.calls:
        await asyncio.sleep(0.005)
    assert (await harness.chat("queued")).status_code == 200  # timed out behind the running one
    fake_classifier.gate.set()
    assert (await first).status_code == 200
    await asyncio.sleep(0.1)  # time for the thread to pick up anything left in its queue
    assert fake_classifier.calls == ["running"]
    assert harness.metric("router_answer_embedding_fallbacks_total", reason="timeout") == 2


@pytest.mark.parametrize("stream", [False, True])
async def test_without_a_cost_cap_the_embedding_runs_while_the_upstream_works(make_harness: Any, fake_classifier: RefiningClassifier,
                                                                              stream: bool) -> None:
    """The request goes upstream before its embedding is done; the headers still carry the refined
    estimate. Under a cost cap the estimate comes first: the upstream sees nothing until it is done."""
    upstream_saw: list[list[str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        upstream_saw.append(list(fake_classifier.calls))
        if stream:
            chunk = {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
                     "choices": [{"index": 0, "delta": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}]}
            body = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
            return httpx.Response(200, stream=httpx.ByteStream(body), headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json={"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}})

    plain = estimate(await (await make_harness(sim_transport=httpx.MockTransport(answer))).chat("q", stream=stream))
    harness: Harness = await make_harness(with_embedding(timeout_ms=5000), sim_transport=httpx.MockTransport(answer))
    fake_classifier.gate = threading.Event()
    request = asyncio.create_task(harness.chat("q", stream=stream))
    while len(upstream_saw) < 2:
        await asyncio.sleep(0.005)
    assert not request.done() and not fake_classifier.gate.is_set(), "upstream called before the embedding was done"
    fake_classifier.gate.set()
    assert estimate(await request) == pytest.approx(plain + (800 - 200) * LOW_OUTPUT_PRICE, rel=1e-3)

    harness = await make_harness(with_embedding(timeout_ms=5000), sim_transport=httpx.MockTransport(answer))  # nothing learnt yet
    fake_classifier.gate = threading.Event()
    body = {"model": "auto", "messages": [{"role": "user", "content": "c"}], "stream": stream}
    capped = asyncio.create_task(harness.client.post("/v1/chat/completions", json=body, headers={"x-router-max-cost-usd": "1"}))
    while fake_classifier.calls[-1] != "c":
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)
    assert len(upstream_saw) == 2, "under a cost cap the upstream waits for the estimate"
    fake_classifier.gate.set()
    assert estimate(await capped) == pytest.approx(plain + (800 - 200) * LOW_OUTPUT_PRICE, rel=1e-3)
    assert upstream_saw[2] == ["q", "c"]


async def test_a_failed_request_leaves_no_embedding_queued(make_harness: Any, fake_classifier: RefiningClassifier) -> None:
    """An upstream that fails before the embedding started: the queued embedding is dropped."""
    def fail(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": {"message": "bad request", "type": "invalid_request_error"}})

    harness: Harness = await make_harness(with_embedding(timeout_ms=5000), sim_transport=httpx.MockTransport(fail))
    gateway = harness.client._transport.app.state.router.gateway  # type: ignore[attr-defined]
    fake_classifier.gate = threading.Event()
    try:  # keep the thread busy, so the failing request's embedding waits in its queue
        blocker = asyncio.create_task(gateway.answer_embedding.log_delta([{"role": "user", "content": "blocker"}]))
        while not fake_classifier.calls:
            await asyncio.sleep(0.005)
        assert (await harness.chat("failing")).status_code == 400
    finally:
        fake_classifier.gate.set()
    await blocker
    await asyncio.sleep(0.1)
    assert fake_classifier.calls == ["blocker"]
