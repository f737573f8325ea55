"""Config reload on a file change and on SIGHUP: the new config takes over without dropping the
request in flight; a bad file is rejected and the running config kept."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from router.app import create_app
from router.config import load_config
from router.demo.upstream import plan_answer
from tests.opskit import ServeProcess, ThreadedServer, classifier_artifact, free_port, serve_command, simulated_upstream, wait_for, write_yaml


def config_data(upstream_url: str, low_model: str = "small", **extra: Any) -> dict[str, Any]:
    return {
        "backends": {"sim": {"kind": "openai", "base_url": upstream_url + "/v1"}},
        "models": {
            "small": {"backend": "sim", "reasoning": "qwen3", "input": 0.05, "output": 0.20},
            "big": {"backend": "sim", "reasoning": "openai", "input": 1.10, "output": 4.40},
        },
        "tiers": {
            "low": {"model": low_model, "effort": "none", "max_score": 0.5},
            "high": {"model": "big", "effort": "high"},
        },
        **extra,
    }


def replace_file(path: Path, data: Any) -> None:
    """Write beside and rename over, as editors and Kubernetes ConfigMap updates do."""
    temporary = write_yaml(path.with_suffix(".tmp"), data) if not isinstance(data, str) else path.with_suffix(".tmp")
    if isinstance(data, str):
        temporary.write_text(data)
    os.replace(temporary, path)


def routed_model(base_url: str) -> str:
    response = httpx.post(base_url + "/v1/chat/completions", json={"model": "auto:low", "messages": [{"role": "user", "content": "ping"}]}, timeout=10)
    response.raise_for_status()
    return response.headers["x-router-model"]


def sample(registry: Any, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


def long_prompt(words: range) -> list[dict[str, str]]:
    """A prompt the simulated upstream answers with a known number of words."""
    for index in range(1000):
        messages = [{"role": "user", "content": f"tell me a story {index}"}]
        if len(plan_answer({"messages": messages})[0]) in words:
            return messages
    raise AssertionError("no such prompt")


def test_file_change_reloads_without_dropping_the_stream_in_flight(tmp_path: Path, fake_classifier: Any, caplog: pytest.LogCaptureFixture) -> None:
    from prometheus_client import CollectorRegistry

    with simulated_upstream(token_delay=0.1) as upstream:
        path = write_yaml(tmp_path / "config.yaml", config_data(upstream.url, reload={"watch": True, "interval_seconds": 0.1}))
        registry = CollectorRegistry()
        app = create_app(load_config(path), classifier=fake_classifier, registry=registry, config_path=str(path))
        with ThreadedServer(app) as router, httpx.Client(base_url=router.url, timeout=30) as client:
            first_state = app.state.router
            assert routed_model(router.url) == "small"
            body = {"model": "auto:low", "messages": long_prompt(range(20, 30)), "stream": True, "stream_options": {"include_usage": True}}
            with client.stream("POST", "/v1/chat/completions", json=body) as stream:
                lines = stream.iter_lines()
                assert next(lines).startswith("data: ")  # the stream is running on the first config
                replace_file(path, config_data(upstream.url, low_model="big", reload={"watch": True, "interval_seconds": 0.1}))
                wait_for(lambda: routed_model(router.url) == "big", timeout=10, what="the new config")
                assert app.state.router is not first_state
                assert first_state.inflight == 1, "the stream was still in flight on the old config when the new one took over"
                assert app.state.router.backends["sim"] is first_state.backends["sim"], "an unchanged backend keeps its client"
                rest = list(lines)
            events = [line[6:] for line in rest if line.startswith("data: ")]
            assert events[-1] == "[DONE]" and not any('"error"' in event for event in events)
            usage_chunk = json.loads(events[-2])
            assert usage_chunk["router"]["model"] == "small" and usage_chunk["usage"]["completion_tokens"] >= 20
            assert sample(registry, "router_config_reloads_total", result="success") == 1
            second_state = app.state.router
            slower = config_data(upstream.url, low_model="big", reload={"watch": True, "interval_seconds": 0.1})
            slower["backends"]["sim"]["timeouts"] = {"total": 600}  # a changed backend: a new client, the old one closed
            replace_file(path, slower)
            wait_for(lambda: app.state.router is not second_state, timeout=10, what="the changed backend")
            assert app.state.router.backends["sim"] is not second_state.backends["sim"]
            wait_for(lambda: second_state.backends["sim"].client.is_closed, timeout=5, what="the replaced client to close")
            assert not app.state.router.backends["sim"].client.is_closed

            # A bad file: rejected, logged, the running config stays.
            with caplog.at_level(logging.ERROR, logger="complexity_router.reload"):
                replace_file(path, config_data(upstream.url, low_model="no-such-model", reload={"watch": True, "interval_seconds": 0.1}))
                wait_for(lambda: sample(registry, "router_config_reloads_total", result="failure") == 1, timeout=10, what="the rejection")
            assert not app.state.router.backends["sim"].client.is_closed, "a rejected reload closes nothing the running state uses"
            assert "rejected" in caplog.text and "tiers.low.model" in caplog.text
            assert "keeping the running configuration: invalid configuration: tiers.low.model: " in caplog.text, "as documented, no ':;'"
            assert sample(registry, "router_config_last_reload_successful") == 0
            assert routed_model(router.url) == "big"
            replace_file(path, "tiers: [not, a, mapping")  # not even YAML
            wait_for(lambda: sample(registry, "router_config_reloads_total", result="failure") == 2, timeout=10, what="the second rejection")
            assert routed_model(router.url) == "big"

            replace_file(path, config_data(upstream.url, low_model="small", reload={"watch": True, "interval_seconds": 0.1}))
            wait_for(lambda: routed_model(router.url) == "small", timeout=10, what="recovery")
            assert sample(registry, "router_config_last_reload_successful") == 1
            assert sample(registry, "router_requests_total", tier="low", model="small", backend="sim", status="ok") >= 3  # metrics survive reloads


def test_sighup_reloads_a_running_serve_and_rejects_a_bad_file(tmp_path: Path) -> None:
    with simulated_upstream() as upstream:
        path = write_yaml(tmp_path / "config.yaml", config_data(upstream.url, classifier={"artifact": classifier_artifact()}))
        with ServeProcess(path) as serve:
            assert routed_model(serve.url) == "small"
            assert 'router_config_reloads_total{result="success"} 0.0' in httpx.get(serve.url + "/metrics").text, "at 0 before the first"
            write_yaml(path, config_data(upstream.url, low_model="big", classifier={"artifact": classifier_artifact()}))
            serve.signal(signal.SIGHUP)
            wait_for(lambda: routed_model(serve.url) == "big", timeout=15, what="the SIGHUP reload")
            write_yaml(path, config_data(upstream.url, low_model="big", classifier={"artifact": classifier_artifact()}, surprise=True))
            serve.signal(signal.SIGHUP)
            wait_for(lambda: 'router_config_reloads_total{result="failure"} 1.0' in httpx.get(serve.url + "/metrics").text, timeout=15, what="the rejection")
            assert serve.process is not None and serve.process.poll() is None, "a bad config must not stop the server"
            assert routed_model(serve.url) == "big"
            assert "router_config_last_reload_successful 0.0" in httpx.get(serve.url + "/metrics").text
        assert re.search(r"keeping the running configuration: .*surprise: unknown key", serve.output()), "the reason on the record's line"
        assert re.search(r"^\d{4}-\d\d-\d\d [\d:,]+ INFO complexity_router.reload: config reloaded \(SIGHUP\)", serve.output(), re.MULTILINE), \
            "the router's own INFO lines reach the log, with time and level"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_reload_cannot_open_a_public_bind_to_everyone(tmp_path: Path, workers: str) -> None:
    """Found in review: `serve` on 0.0.0.0 refuses to start without `server.api_keys`, but a reload that emptied them was
    accepted (SIGHUP, a file change; one worker or several): requests without a key went from 401 to 200. Now every config
    the server runs is held to the rule; a fresh start with the file is refused as before."""
    with simulated_upstream() as upstream:
        keyed = config_data(upstream.url, server={"api_keys": ["team-key"]})
        path = write_yaml(tmp_path / "config.yaml", keyed)
        with ServeProcess(path, "--host", "0.0.0.0", "--workers", workers) as serve:
            assert httpx.get(serve.url + "/v1/models", timeout=5).status_code == 401
            write_yaml(path, config_data(upstream.url))
            serve.signal(signal.SIGHUP)
            wait_for(lambda: 'router_config_reloads_total{result="failure"} 1.0' in httpx.get(serve.url + "/metrics").text, timeout=30, what="the rejection")
            assert httpx.get(serve.url + "/v1/models", timeout=5).status_code == 401
        assert "refusing to listen on 0.0.0.0 without authentication" in serve.output()
    started = subprocess.run(serve_command(path, free_port(), "--host", "0.0.0.0"), capture_output=True, text=True, timeout=60, check=False)
    assert started.returncode == 2 and "refusing to listen on 0.0.0.0 without authentication" in started.stderr


@pytest.mark.anyio
async def test_a_drain_changed_in_place_says_it_waits_for_a_restart(tmp_path: Path, fake_classifier: Any, caplog: pytest.LogCaptureFixture,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Found in review: an in-place reload (one worker, `reload.watch`) took a new `server.drain_seconds` silently while the
    process still drains in the time uvicorn started with. It now says so."""
    monkeypatch.setenv("COMPLEXITY_ROUTER_DRAIN_SECONDS", "10")
    path = write_yaml(tmp_path / "config.yaml", config_data("http://127.0.0.1:9", server={"drain_seconds": 10}))
    app = create_app(load_config(path), classifier=fake_classifier, config_path=str(path))
    async with app.router.lifespan_context(app):
        write_yaml(path, config_data("http://127.0.0.1:9", server={"drain_seconds": 300}))
        with caplog.at_level(logging.WARNING, logger="complexity_router.reload"):
            assert await app.state.reloader.reload("SIGHUP")
        assert "server.drain_seconds 300 takes effect when the process restarts" in caplog.text and "drains in 10 s" in caplog.text


def test_two_reloads_within_one_stream_keep_its_backend_and_its_slot(tmp_path: Path, fake_classifier: Any) -> None:
    """A reload that kept the backend, then one that changed it: the second closed the client the first had handed
    over, which the stream admitted before both still used (a ReadError mid-answer, counted against the healthy
    backend). And each new state counted its in-flight requests from 0: `max_concurrency` 1 served two (s36 review)."""
    from prometheus_client import CollectorRegistry

    with simulated_upstream(token_delay=0.1) as upstream:
        extra = {"server": {"max_concurrency": 1}, "reload": {"watch": True, "interval_seconds": 0.1}}
        path = write_yaml(tmp_path / "config.yaml", config_data(upstream.url, **extra))
        registry = CollectorRegistry()
        app = create_app(load_config(path), classifier=fake_classifier, registry=registry, config_path=str(path))
        with ThreadedServer(app) as router, httpx.Client(base_url=router.url, timeout=30) as client:
            first_state = app.state.router
            body = {"model": "auto:low", "messages": long_prompt(range(30, 40)), "stream": True}
            with client.stream("POST", "/v1/chat/completions", json=body) as stream:
                lines = stream.iter_lines()
                assert next(lines).startswith("data: ")
                replace_file(path, config_data(upstream.url, low_model="big", **extra))  # the backend kept
                wait_for(lambda: app.state.router is not first_state, timeout=10, what="the first reload")
                second_state = app.state.router
                assert second_state.backends["sim"] is first_state.backends["sim"]
                busy = client.post("/v1/chat/completions", json={"model": "auto:low", "messages": [{"role": "user", "content": "ping"}]})
                assert busy.status_code == 503, "the stream on the replaced state holds the one slot"
                changed = config_data(upstream.url, low_model="big", **extra)
                changed["backends"]["sim"]["timeouts"] = {"total": 600}  # the backend changed: a new client
                replace_file(path, changed)
                wait_for(lambda: app.state.router is not second_state, timeout=10, what="the second reload")
                rest = list(lines)
            events = [line[6:] for line in rest if line.startswith("data: ")]
            assert events[-1] == "[DONE]" and not any('"error"' in event for event in events), events[-3:]
            assert sample(registry, "router_upstream_errors_total", backend="sim", kind="protocol") == 0
            wait_for(lambda: first_state.backends["sim"].client.is_closed, timeout=10, what="the handed-over client, once unused, to close")
            assert not app.state.router.backends["sim"].client.is_closed


def test_serve_ignores_sighup_until_its_reload_handler_is_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGHUP kept its default action (terminate) until the reload's handler was installed: a HUP while starting — a
    systemd `ExecReload`, a script after an edit — killed serve, one worker or several (s36 review)."""
    from router import cli

    path = write_yaml(tmp_path / "config.yaml", config_data("http://127.0.0.1:9", classifier={"artifact": classifier_artifact()}))
    seen: list[Any] = []
    monkeypatch.setattr(cli, "_run_uvicorn", lambda uvicorn, args, config: seen.append(signal.getsignal(signal.SIGHUP)) or 0)
    monkeypatch.setattr(cli.multiproc, "prepare", lambda workers: (None, False))
    for name in ("COMPLEXITY_ROUTER_CONFIG", "COMPLEXITY_ROUTER_WORKERS"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after: cmd_serve sets them
    before = signal.getsignal(signal.SIGHUP)
    try:
        assert cli.main(["serve", "--config", str(path), "--port", str(free_port())]) == 0
    finally:
        signal.signal(signal.SIGHUP, before)
    assert seen == [signal.SIG_IGN], "ignored while uvicorn starts; the lifespan (or uvicorn's supervisor) installs the handler"
