"""`complexity-router serve` as a real process on a free loopback port, and an upstream's running requests read
from its Prometheus endpoint (for the real-vLLM check of client disconnects)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.ports import free_port


class ServeProcess:
    """`complexity-router serve` in a subprocess (the real CLI, uvicorn, signals and all)."""

    def __init__(self, config_path: str, port: int | None = None, *, log_path: str | None = None, workers: int = 1) -> None:
        self.config_path = config_path
        self.port = port or free_port()
        self.log_path = log_path
        self.workers = workers
        self.process: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServeProcess:
        import os
        import subprocess
        import sys
        from pathlib import Path

        root = Path(__file__).resolve().parents[2]
        env = {**os.environ, "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115 - handed to the child
        command = [sys.executable, "-m", "router.cli", "serve", "--config", self.config_path, "--port", str(self.port), "--log-level", "warning"]
        if self.workers != 1:
            command += ["--workers", str(self.workers)]
        self.process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=log)
        return self

    async def wait_ready(self, timeout: float = 90.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"serve exited with {self.process.returncode}")
                try:
                    if (await client.get(self.url + "/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise TimeoutError("serve did not become ready")

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def rss_bytes(self) -> int:
        """Resident memory of the server process (and its workers, if any)."""
        pids = [self.process.pid]
        try:
            children = open(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read().split()  # noqa: SIM115
            pids += [int(pid) for pid in children]
        except OSError:
            pass
        total = 0
        for pid in pids:
            try:
                for line in open(f"/proc/{pid}/status"):  # noqa: SIM115
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                continue
        return total

    def stop(self, timeout: float = 20.0) -> int | None:
        import signal as signals
        import subprocess

        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signals.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(5)


async def upstream_running_requests(metrics_url: str, metric: str = "vllm:num_requests_running") -> float:
    """The sum of a gauge on an upstream's Prometheus endpoint (vLLM: requests being generated now)."""
    import httpx

    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(metrics_url)).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith(metric) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def wait_until_upstream_idle(metrics_url: str, timeout: float = 1.0, metric: str = "vllm:num_requests_running") -> float:
    """Seconds until the upstream reports no running request; raises TimeoutError after `timeout`.

    For the real-vLLM check of client disconnects: open a long stream through the gateway, read a
    few events, close the client, then `await wait_until_upstream_idle(VLLM + "/metrics")`.
    """
    started = time.monotonic()
    while True:
        if await upstream_running_requests(metrics_url, metric) == 0:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{metric} still above 0 after {timeout} s")
        await asyncio.sleep(0.02)
