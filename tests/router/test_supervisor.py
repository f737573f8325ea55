"""`serve --workers N`'s parent (router/supervisor.py) with real processes: reloads that fail at worker start, SIGTERM
in the middle of a reload, the reload counters, and `reload.watch` with a broken edit."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.opskit import ServeProcess, classifier_artifact, refused_within, simulated_upstream, wait_for, write_yaml
from tests.router._metrics_scrape_helpers import scrape, total, worker_pids


def _config(upstream: Any, **extra: Any) -> dict[str, Any]:
    return {"server": {"drain_seconds": 2}, "backends": {"sim": {"kind": "openai", "base_url": upstream.url + "/v1"}},
            "models": {"small": {"backend": "sim", "reasoning": "none", "input": 0.05, "output": 0.20}},
            "tiers": {"low": {"model": "small"}}, "classifier": {"artifact": classifier_artifact()}, **extra}


def _failures(url: str) -> float:
    return sum(s.value for s in scrape(url).get("router_config_reloads", []) if s.labels.get("result") == "failure")


def test_a_reload_no_worker_could_start_with_is_refused_and_respawns_keep_the_config_in_force(tmp_path: Path) -> None:
    """A decision log under a regular file: every worker refused it, yet it passed `check-config`, the parent's test of
    a reloaded file, and became what respawns start from — a worker that died later came back with it, failed to
    start, and uvicorn stopped the server. `check-config` now opens the log's directory as a worker does."""
    (tmp_path / "afile").write_text("x")
    with simulated_upstream() as upstream:
        config = _config(upstream)
        path = write_yaml(tmp_path / "config.yaml", config)
        with ServeProcess(path, "--workers", "2") as serve:
            wait_for(lambda: len(worker_pids(serve.url)) == 2, timeout=60, what="both workers")
            before = worker_pids(serve.url)
            write_yaml(path, {**config, "decision_log": {"path": str(tmp_path / "afile" / "decisions.jsonl")}})
            serve.signal(signal.SIGHUP)
            wait_for(lambda: _failures(serve.url) == 1, timeout=90, what="the refused reload")
            assert "decision_log.path: cannot write to" in serve.output() and worker_pids(serve.url) == before
            assert min(s.value for s in scrape(serve.url)["router_config_last_reload_successful"]) == 0
            os.kill(int(min(before)), signal.SIGKILL)  # a worker crashes (an OOM kill)
            wait_for(lambda: len(worker_pids(serve.url)) == 2 and worker_pids(serve.url) != before, timeout=60, what="the respawn")
            assert serve.process is not None and serve.process.poll() is None
            assert httpx.post(serve.url + "/v1/chat/completions", json={"model": "auto", "messages": [{"role": "user", "content": "hi"}]},
                              timeout=30).status_code == 200


def test_a_reload_whose_replacements_did_not_start_keeps_the_config_in_force(tmp_path: Path, monkeypatch: Any) -> None:
    """A file `check-config` accepts but a replacement worker still cannot start with: uvicorn's restart keeps the old
    workers, the reload is counted failed and a respawn starts from the config in force (it started from the failed
    one, failed, and uvicorn stopped the server)."""
    from uvicorn.supervisors.multiprocess import Multiprocess

    from router.config import SNAPSHOT_ENV

    path = write_yaml(tmp_path / "config.yaml", _config(simulated_upstream_stub()))
    supervisor = _in_process_supervisor(monkeypatch, path)
    in_force = Path(supervisor.snapshot).read_text()
    supervisor.processes = [type("Worker", (), {"pid": 4242})()]  # uvicorn's restart left it: its replacement failed
    monkeypatch.setattr(Multiprocess, "handle_hup", lambda self: None)
    write_yaml(path, {**_config(simulated_upstream_stub()), "server": {"drain_seconds": 3}})
    failures = supervisor.reloads.labels("failure")._value.get()
    try:
        supervisor.handle_hup()
        assert supervisor.reloads.labels("failure")._value.get() == failures + 1 and supervisor.reload_ok._value.get() == 0
        assert os.environ[SNAPSHOT_ENV] == supervisor.snapshot and Path(supervisor.snapshot).read_text() == in_force
    finally:
        shutil.rmtree(supervisor.snapshots, ignore_errors=True)


def simulated_upstream_stub() -> Any:
    return type("Upstream", (), {"url": "http://127.0.0.1:9"})()


def _in_process_supervisor(monkeypatch: Any, path: Path) -> Any:
    """A `RouterSupervisor` built in this process (no workers, its own metrics registry), with the environment variables
    it sets and the signal handlers it installs restored after the test."""
    import contextlib

    import uvicorn
    from prometheus_client import CollectorRegistry

    from router import supervisor as module
    from router.config import SNAPSHOT_ENV
    from router.metrics import reload_metrics
    from router.shutdown import DRAIN_ENV
    from router.supervisor import RouterSupervisor

    monkeypatch.setattr(module, "shared_values", contextlib.nullcontext)  # one process here: its own registry
    monkeypatch.setattr(module, "reload_metrics", lambda registry: reload_metrics(CollectorRegistry()))
    for name in (SNAPSHOT_ENV, DRAIN_ENV):
        monkeypatch.setenv(name, "")
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return RouterSupervisor(uvicorn.Config("router.server:app_from_environment", factory=True), [], str(path))
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def test_sigterm_in_the_middle_of_a_reload_stops_listening_at_once(tmp_path: Path) -> None:
    """uvicorn queues signals and a reload replaced every worker first (each old one drained): new connections were
    held 11 s after SIGTERM. Now the socket closes and the reload stops at once."""
    with simulated_upstream(token_delay=0.2) as upstream:
        config = _config(upstream, server={"drain_seconds": 8})
        path = write_yaml(tmp_path / "config.yaml", config)
        with ServeProcess(path, "--workers", "2") as serve:
            wait_for(lambda: len(worker_pids(serve.url)) == 2, timeout=60, what="both workers")
            def long_stream(index: int) -> None:
                httpx.post(serve.url + "/v1/chat/completions", headers={"Connection": "close"}, timeout=30,
                           json={"model": "auto", "stream": True, "messages": [{"role": "user", "content": f"a long one {index}"}]})

            streams = [threading.Thread(target=long_stream, args=(index,)) for index in range(4)]
            for stream in streams:  # the old workers drain these (8 s) before a reload can replace them
                stream.start()
            time.sleep(0.5)
            serve.signal(signal.SIGHUP)
            time.sleep(1.0)  # the check ran; replacements start
            serve.signal(signal.SIGTERM)
            assert refused_within(serve.url, 4), "new connections are refused within moments of SIGTERM, reload or not"
            assert serve.process is not None
            assert serve.process.wait(30) == 0, "a stop by signal exits 0"
            for stream in streams:
                stream.join()


def test_with_reload_watch_a_respawned_worker_starts_from_the_last_good_file(tmp_path: Path) -> None:
    """The workers follow the file and reject a broken edit; a worker that then died was respawned from the broken file,
    died again, for ever (the pod at half capacity). The parent follows the file too and keeps its last good version."""
    with simulated_upstream() as upstream:
        config = _config(upstream, reload={"watch": True, "interval_seconds": 0.5})
        path = write_yaml(tmp_path / "config.yaml", config)
        with ServeProcess(path, "--workers", "2") as serve:
            wait_for(lambda: len(worker_pids(serve.url)) == 2, timeout=60, what="both workers")
            before = worker_pids(serve.url)
            path.write_text("tiers: [this is: not valid\n")
            time.sleep(3)  # the workers and the parent have seen it
            os.kill(int(min(before)), signal.SIGKILL)
            wait_for(lambda: len(worker_pids(serve.url)) == 2 and worker_pids(serve.url) != before, timeout=60, what="the respawn")
            time.sleep(2)
            assert len(worker_pids(serve.url)) == 2 and serve.output().count("Child process") <= 2, serve.output()[-2000:]


def test_sighups_queued_during_a_reload_are_one(tmp_path: Path) -> None:
    """Five SIGHUPs 50 ms apart made five full restarts of every worker; the ones that queue during a reload are one more
    (one reload, when all five arrived before the supervisor's loop looked: how they fall is the scheduler's)."""
    with simulated_upstream() as upstream:
        path = write_yaml(tmp_path / "config.yaml", _config(upstream))
        with ServeProcess(path, "--workers", "2") as serve:
            wait_for(lambda: len(worker_pids(serve.url)) == 2, timeout=60, what="both workers")
            for _ in range(5):
                serve.signal(signal.SIGHUP)
                time.sleep(0.05)
            wait_for(lambda: total(scrape(serve.url), "router_config_reloads", "router_config_reloads_total") >= 1, timeout=120, what="the reloads")
            time.sleep(8)
            assert total(scrape(serve.url), "router_config_reloads", "router_config_reloads_total") in (1, 2)


def test_a_drain_raised_by_sighup_is_uvicorn_s_deadline_too(tmp_path: Path) -> None:
    """Found in review: SIGHUP raising `server.drain_seconds` gave the new workers the new stream budget but uvicorn's
    deadline stayed the start-up one, fixed in the config the parent hands every worker: on SIGTERM streams inside the new
    drain were cut mid-body (no error event, no [DONE]). Now the replacements get both."""
    with simulated_upstream(token_delay=0.1) as upstream:
        config = _config(upstream)  # drain_seconds: 2
        path = write_yaml(tmp_path / "config.yaml", config)
        with ServeProcess(path, "--workers", "2") as serve:
            wait_for(lambda: len(worker_pids(serve.url)) == 2, timeout=60, what="both workers")
            before = worker_pids(serve.url)
            write_yaml(path, {**config, "server": {"drain_seconds": 12}})
            serve.signal(signal.SIGHUP)
            wait_for(lambda: not (worker_pids(serve.url) & before) and len(worker_pids(serve.url)) == 2, timeout=90, what="the replacements")
            bodies: list[str] = []

            def stream(index: int) -> None:  # ~4 s of tokens: past the old drain, inside the new one
                with httpx.stream("POST", serve.url + "/v1/chat/completions", timeout=30, json={
                        "model": "auto", "stream": True, "max_tokens": 40, "messages": [{"role": "user", "content": f"a story {index}"}]}) as response:
                    bodies.append(response.read().decode())

            streams = [threading.Thread(target=stream, args=(index,)) for index in range(2)]
            for thread in streams:
                thread.start()
            time.sleep(0.5)
            serve.signal(signal.SIGTERM)
            for thread in streams:
                thread.join(30)
            assert serve.process is not None and serve.process.wait(30) == 0
        assert len(bodies) == 2 and all(body.rstrip().endswith("data: [DONE]") and '"error"' not in body for body in bodies), bodies


async def _silent_app(scope: Any, receive: Any, send: Any) -> None:
    """An ASGI app for a bare uvicorn worker (lifespan unsupported, no sockets: it only answers health pings)."""
    raise RuntimeError("not served")


def test_a_worker_killed_while_pinged_reads_as_dead_at_once() -> None:
    """uvicorn's parent keeps its copy of each worker's end of the health pipe, so a worker killed while a ping was in
    flight answered nothing until the ping's timeout (a minute here): respawn and the gauges' drop waited that long,
    and a CI run under load saw the killed worker's gauges 30 s on. `release_child_ends` closes the parent's copies."""
    from uvicorn import Config
    from uvicorn.supervisors.multiprocess import Process

    from router.supervisor import release_child_ends

    worker = Process(Config(app=_silent_app, lifespan="off", log_level="warning"), [])
    worker.start()
    try:
        assert worker.wait_until_ready(60), "the worker did not start"
        release_child_ends([worker])
        assert worker.ping(timeout=10), "a live worker still answers its pings"
        # a ping answered late (wait_until_ready waits 1 s a ping; under a loaded CI run startup took longer) leaves its
        # answer queued, and the ping after the kill read it as a live worker's (session 43's CI): drain them first
        while worker.parent_conn.poll(2):
            worker.parent_conn.recv()
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        started = time.monotonic()
        assert not worker.ping(timeout=30)
        assert time.monotonic() - started < 5, "the ping waited for its timeout"
    finally:
        worker.kill()
        worker.join()


def test_with_reload_watch_a_respawned_worker_gets_the_followed_file_s_drain(tmp_path: Path, monkeypatch: Any) -> None:
    """The parent follows a watched file for respawns, but kept the drain it started with: a worker respawned after an
    edit to `server.drain_seconds` started from the new file with the old uvicorn deadline and stream budget (as a
    SIGHUP's replacements did before they got both). Now the followed file's drain is handed on as a SIGHUP's is."""
    from uvicorn.supervisors.multiprocess import Multiprocess

    from router.shutdown import DRAIN_ENV

    monkeypatch.setattr(Multiprocess, "keep_subprocess_alive", lambda self: None)  # no workers to ping here
    config = _config(simulated_upstream_stub(), reload={"watch": True, "interval_seconds": 0.5})  # drain_seconds: 2
    path = write_yaml(tmp_path / "config.yaml", config)
    supervisor = _in_process_supervisor(monkeypatch, path)
    supervisor.config.timeout_graceful_shutdown = 2  # as `serve` starts it from the file (router/cli.py)
    try:
        write_yaml(path, {**config, "server": {"drain_seconds": 6.5}})
        supervisor.signature, supervisor.next_poll = None, 0.0  # the edit is seen at this tick
        supervisor.keep_subprocess_alive()
        assert "drain_seconds: 6.5" in Path(supervisor.snapshot).read_text(), "the parent follows the file"
        assert supervisor.config.timeout_graceful_shutdown == 7 and os.environ[DRAIN_ENV] == "7", "and hands its drain to respawns"
        path.write_text("server: {drain_seconds: 30}\ntiers: [this is: not valid\n")
        supervisor.signature, supervisor.next_poll = None, 0.0
        supervisor.keep_subprocess_alive()
        assert supervisor.config.timeout_graceful_shutdown == 7 and os.environ[DRAIN_ENV] == "7", "a broken edit changes nothing"
    finally:
        shutil.rmtree(supervisor.snapshots, ignore_errors=True)


def test_under_reload_watch_the_parent_adopts_the_followed_file_s_watch_and_interval(tmp_path: Path, monkeypatch: Any) -> None:
    """The parent followed the file with the `reload` it started with: an edit turning `reload.watch` off stopped the
    workers reloading (each takes its `reload` from the file it reloaded), but the parent went on taking every later
    edit into the copy respawns start from, so a crashed worker came back with an edit no other worker ran. It now takes
    the file's `reload` as the workers do: no longer watching, and polling at the file's interval."""
    from uvicorn.supervisors.multiprocess import Multiprocess

    monkeypatch.setattr(Multiprocess, "keep_subprocess_alive", lambda self: None)  # no workers to ping here
    config = _config(simulated_upstream_stub(), reload={"watch": True, "interval_seconds": 0.5})
    path = write_yaml(tmp_path / "config.yaml", config)
    supervisor = _in_process_supervisor(monkeypatch, path)
    try:
        write_yaml(path, {**config, "reload": {"watch": True, "interval_seconds": 30}})
        supervisor.signature, supervisor.next_poll = None, 0.0
        supervisor.keep_subprocess_alive()
        assert supervisor.next_poll > time.monotonic() + 25, "the next poll at the file's new interval"
        write_yaml(path, {**config, "reload": {"watch": False}})
        supervisor.signature, supervisor.next_poll = None, 0.0
        supervisor.keep_subprocess_alive()
        assert not supervisor.reload.watch, "the workers took this edit and stopped watching: so does the parent"
        write_yaml(path, {**config, "reload": {"watch": False}, "server": {"drain_seconds": 6.5}})
        supervisor.signature, supervisor.next_poll = None, 0.0
        supervisor.keep_subprocess_alive()
        assert "drain_seconds: 6.5" not in Path(supervisor.snapshot).read_text(), "an edit no worker reloaded: respawns start without it"
    finally:
        shutil.rmtree(supervisor.snapshots, ignore_errors=True)
