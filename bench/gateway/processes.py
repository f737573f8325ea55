"""Child servers in their own sessions (so a whole tree can be signalled), and what /proc says
about them: CPU time, resident set size, sampled while the load runs. Also the harness's log."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

BENCH_DIR = Path(__file__).resolve().parents[1]
REPO = BENCH_DIR.parent
PAGE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def wait_for_port(port: int, proc: subprocess.Popen[Any] | None, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f}s")


def http(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


@dataclass
class Proc:
    """A child server in its own session (so its whole tree can be signalled) plus its log."""

    name: str
    port: int
    popen: subprocess.Popen[Any]
    log_path: Path

    def tree(self) -> list[int]:
        return process_tree(self.popen.pid)

    def rss_bytes(self) -> tuple[int, int]:
        """(tree total, largest single process) resident set size."""
        sizes = [rss_of(pid) for pid in self.tree()]
        return sum(sizes), max(sizes, default=0)

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def spawn(name: str, argv: Sequence[str], port: int, workdir: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> Proc:
    log_path = workdir / f"{name}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - owned by the child for its lifetime
    popen = subprocess.Popen(list(argv), stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, cwd=cwd, start_new_session=True)
    log.close()
    return Proc(name, port, popen, log_path)


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree



def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of processes (a noise-robust cost measure on a shared machine)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError, IndexError):
            continue
    return total / CLOCK_TICKS


def rss_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def wait_ready(url: str, proc: Proc, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited with code {proc.popen.returncode}")
        with contextlib.suppress(OSError):
            status, _, _ = http("GET", url, timeout=2)
            if status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{proc.name}: {url} not ready within {timeout:.0f}s")


class RssSampler:
    """Samples the RSS of some process trees every `interval` seconds in a thread."""

    def __init__(self, procs: dict[str, Proc], interval: float = 0.1) -> None:
        self.procs = procs
        self.interval = interval
        self.trees = {name: proc.tree() for name, proc in procs.items()}
        self.peak: dict[str, int] = {}
        self.peak_single: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> dict[str, tuple[int, int]]:
        out = {}
        for name, pids in self.trees.items():
            sizes = [rss_of(pid) for pid in pids]
            total, single = sum(sizes), max(sizes, default=0)
            self.peak[name] = max(self.peak.get(name, 0), total)
            self.peak_single[name] = max(self.peak_single.get(name, 0), single)
            out[name] = (total, single)
        return out

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> Self:
        self.sample()
        self._cpu_start = {name: cpu_seconds(pids) for name, pids in self.trees.items()}
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
        self.cpu = {name: cpu_seconds(pids) - self._cpu_start[name] for name, pids in self.trees.items()}
