"""Helpers for the operations tests: free ports, real servers on loopback (uvicorn in a thread,
redis-server, subprocesses), and in-process gateway apps."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Self

import httpx
import uvicorn
from prometheus_client import CollectorRegistry

from router.app import create_app
from router.config import RouterConfig
from router.demo.upstream import SimulatedUpstream
from tests.ports import free_port


def wait_for(predicate: Any, timeout: float = 15.0, interval: float = 0.05, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 - not up yet
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(interval)


class ThreadedServer:
    """An ASGI app served by real uvicorn on a loopback port, in a background thread."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self.thread.start()
        wait_for(lambda: self.server.started, what=f"uvicorn on {self.port}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)


@contextlib.contextmanager
def simulated_upstream(token_delay: float = 0.0) -> Iterator[ThreadedServer]:
    with ThreadedServer(SimulatedUpstream(token_delay=token_delay).app()) as server:
        yield server


class RedisServer:
    """Debian's redis-server on a free port, no persistence, in a temp dir; stoppable mid-test."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="cr-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", self.dir,
                   "--enable-debug-command", "local"]  # DEBUG SLEEP: a stalled server (`stall`)
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def ping() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")

        wait_for(ping, timeout=10, what="redis-server")

    def client(self) -> Any:
        """A synchronous redis-py client of this server (to read counters, demote it, …)."""
        import redis

        return redis.Redis(port=self.port)

    def stall(self, seconds: float) -> threading.Thread:
        """The server answers nobody for `seconds` from now (`DEBUG SLEEP`, as a fork or a slow disk stalls it)."""
        client = self.client()
        client.ping()
        thread = threading.Thread(target=lambda: client.execute_command("DEBUG", "SLEEP", seconds))
        thread.start()
        time.sleep(0.05)  # the command has reached the server: it sleeps from here on
        return thread

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class InProcessGateway:
    """A gateway app with its lifespan running, in front of the in-process simulated upstream."""

    def __init__(self, app: Any, client: httpx.AsyncClient, registry: CollectorRegistry, upstream: SimulatedUpstream) -> None:
        self.app = app
        self.client = client
        self.registry = registry
        self.upstream = upstream

    @property
    def state(self) -> Any:
        return self.app.state.router

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0

    async def chat(self, content: str = "hello", key: str | None = None, **fields: Any) -> httpx.Response:
        body = {"model": "auto", "messages": [{"role": "user", "content": content}], **fields}
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return await self.client.post("/v1/chat/completions", json=body, headers=headers)

    async def settle(self) -> None:
        """Wait for the background accounting (limit store records, decision log lines)."""
        ops = self.state.ops
        if ops.limiter is not None:
            await ops.limiter.drain()
        if ops.decision_log is not None:
            ops.decision_log.sync()


@contextlib.asynccontextmanager
async def gateway(
    config: RouterConfig, classifier: Any, config_path: str | os.PathLike[str] | None = None, token_delay: float = 0.0
) -> AsyncIterator[InProcessGateway]:
    upstream = SimulatedUpstream(token_delay=token_delay)
    registry = CollectorRegistry()
    transports = {name: httpx.ASGITransport(app=upstream.app()) for name in config.backends}
    app = create_app(config, classifier=classifier, transports=transports, registry=registry, config_path=None if config_path is None else str(config_path))
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router.test")
    try:
        yield InProcessGateway(app, client, registry, upstream)
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


def refused_within(url: str, seconds: float) -> bool:
    """Whether new connections to ``url`` stop being served within ``seconds`` (polling `/healthz`): refused, or reset
    when the kernel had queued one in the instant the listening socket closed (both what a stopping server's clients
    see; counting only the refusal failed the drain tests now and then). One held unanswered (ReadTimeout) raises."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            httpx.get(url + "/healthz", timeout=2)
        except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError):
            return True
        time.sleep(0.1)
    return False


def write_yaml(path: Path, data: Any) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@functools.cache
def classifier_artifact() -> str:
    """The packaged classifier when it is there; otherwise a tiny one fitted once per test session
    with the real training code (what `classifier.artifact: PATH` loads), so `serve` starts either way."""
    from classifiers import ClassifierLoadError, load_classifier

    try:
        load_classifier("default")
        return "default"
    except ClassifierLoadError:
        pass
    from classifiers.model import ComplexityEstimator
    from classifiers.persist import save_estimator

    easy = ["hi", "hello there", "what is 2+2", "thanks", "name a color", "say yes"]
    hard = [
        "prove that there are infinitely many primes and analyse the complexity of a sieve",
        "design a distributed consensus protocol tolerant to byzantine faults, with proofs",
        "derive the closed form of the integral of x^2 e^-x and explain every step rigorously",
        "implement a lock-free concurrent hash map in C++ and argue its linearizability",
        "compare three approaches to sparse attention and estimate their asymptotic costs",
        "write a compiler pass that performs loop-invariant code motion with SSA form",
    ]
    estimator = ComplexityEstimator().fit(easy + hard, [0.0] * len(easy) + [1.0] * len(hard))
    path = Path(tempfile.mkdtemp(prefix="cr-classifier-")) / "tiny-classifier.skops"
    save_estimator(estimator, path)
    return str(path)


def serve_command(config: Path, port: int, *extra: str) -> list[str]:
    """`complexity-router serve` exactly as a user runs it (the console script's module)."""
    import sys

    return [sys.executable, "-m", "router.cli", "serve", "--config", str(config), "--host", "127.0.0.1", "--port", str(port), *extra]


class ServeProcess:
    """`complexity-router serve` as a subprocess; output goes to a file, read on failure."""

    def __init__(self, config: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.log_path = Path(tempfile.mkstemp(prefix="cr-serve-", suffix=".log")[1])
        self.command = serve_command(config, self.port, *extra)
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.final_output: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        if self.final_output is not None:
            return self.final_output
        return self.log_path.read_text(errors="replace")

    def __enter__(self) -> Self:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True)
        log.close()

        def healthy() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            return httpx.get(self.url + "/healthz", timeout=1).status_code == 200

        deadline = time.monotonic() + 60
        while True:
            try:
                if healthy():
                    break
            except RuntimeError:
                raise
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.__exit__()
                raise TimeoutError(f"serve did not become healthy:\n{self.output()[-3000:]}")
            time.sleep(0.1)
        return self

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def __exit__(self, *exc: object) -> None:
        failing = bool(exc) and exc[0] is not None
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        with contextlib.suppress(OSError):
            self.final_output = self.log_path.read_text(errors="replace")
            self.log_path.unlink()
        if failing:  # pytest shows a failed test's stdout: the server's side of the story (a CI flake is not rerun here)
            print(f"--- serve output (last 6000 characters) ---\n{self.output()[-6000:]}")
