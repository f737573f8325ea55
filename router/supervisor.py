"""The parent process of `serve --workers N`: uvicorn's `Multiprocess`, with what a router's parent adds.

* **SIGHUP checks the file first.** A reload replaces the workers one by one (uvicorn's `restart_all`); the parent
  first checks the file as `check-config` does (in a child process: the embedding extra's model stays out of this
  one). A bad file keeps the workers, and the parent counts it — `router_config_reloads_total{result="failure"}`,
  `router_config_last_reload_successful` 0, the alert's input — where before the workers' replacements died at
  start-up and uvicorn logged only that they were "not ready in time". (With one worker, router/reload.py reloads
  in-process and counts it there.)
* **Workers start from the config in force.** The parent keeps a copy of the file it last accepted and workers
  build from it (`SNAPSHOT_ENV`): a crashed worker comes back with the config the others run, not an edit nobody
  reloaded yet — nor a broken file, respawned every second for ever. A reload's replacements start from the new
  file, and it becomes the copy only once all of them started. With `reload.watch` the workers follow the file
  themselves and the parent follows it too, keeping its last good version for respawns — and its `drain_seconds`, so a
  respawned worker drains as the config it starts from says (it kept the drain the parent started with), and its
  `reload` (watch, interval), as the workers take theirs from each reload.
* **SIGTERM closes the listening socket first**, at once, even in the middle of a reload (uvicorn only queues
  signals: a restart of every worker ran first). The parent held the socket while the workers drained: new
  connections were completed by the kernel, never accepted, and reset when the drain ended (30 s by default). Now
  they are refused at once and the client or load balancer tries elsewhere. SIGHUPs queued during a reload are one.
* **A stop because a worker could not start exits 3** (uvicorn's start-up failure; it exited 0, which systemd's
  `Restart=on-failure` does not restart).
* **Workers get `WORKER_START_SECONDS` to start**, not uvicorn's 5 s, in which the embedding extra's workers on a
  busy host missed a reload.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from uvicorn import Config
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

from router.config import SNAPSHOT_ENV, load_config, one_line
from router.metrics import reload_metrics
from router.multiproc import shared_values
from router.reload import file_signature
from router.shutdown import DRAIN_ENV

log = logging.getLogger("complexity_router")

#: The parent's pid, for its workers: they drain when it dies (router/server.py).
PARENT_ENV = "COMPLEXITY_ROUTER_PARENT"

WORKER_START_SECONDS = 60


class RouterSupervisor(Multiprocess):
    """uvicorn's worker supervisor, with the config checked on SIGHUP, kept for respawns, and the socket closed on SIGTERM."""

    def __init__(self, config: Config, sockets: list[Any], config_path: str) -> None:
        super().__init__(config, sockets)
        self.config_path = config_path
        self.snapshots = tempfile.mkdtemp(prefix="complexity-router-config-")
        self.snapshot = os.path.join(self.snapshots, "config.yaml")
        self.stopped_by_signal = False
        with shared_values():  # scraped from the workers' /metrics, which read every process's files (children made later
            self.reloads, self.reload_ok = reload_metrics(None)  # would keep their counts in this process's memory)
        accepted = self._read()
        self._accept(accepted)
        self.reload = load_config(self.snapshot).reload
        self.signature = file_signature(self.config_path)
        self.next_poll = time.monotonic() + self.reload.interval_seconds
        for sig in (signal.SIGTERM, signal.SIGINT):  # at once: uvicorn only queues them, and a restart runs for minutes
            signal.signal(sig, self._stop_now)

    def run(self) -> None:
        try:
            super().run()
        finally:
            shutil.rmtree(self.snapshots, ignore_errors=True)

    def _stop_now(self, sig: int, frame: Any) -> None:
        """SIGTERM/SIGINT, even in the middle of a reload: stop listening now (new connections are refused, not held for
        the drain) and stop replacing workers; the queued signal then ends the supervisor as uvicorn does."""
        self.stopped_by_signal = True
        self._close_sockets()
        self.should_exit.set()
        self.signal_queue.append(sig)

    def handle_signals(self) -> None:
        """uvicorn's, with SIGHUPs that queued up during a reload merged into one (each was a full restart of every worker)."""
        hups = [index for index, sig in enumerate(self.signal_queue) if sig == signal.SIGHUP]
        for index in reversed(hups[:-1]):
            del self.signal_queue[index]
        super().handle_signals()

    def handle_hup(self) -> None:
        try:
            text = self._read()
        except OSError as exc:  # a ConfigMap's files are swapped under it
            self._failed(f"refused, the workers keep the config in force: cannot read {self.config_path}: {exc.strerror}")
            return
        candidate = self._checked(text)
        if candidate is None:
            return
        os.environ[SNAPSHOT_ENV] = candidate  # the replacements start from it; respawns only once all are replaced
        drain = self.config.timeout_graceful_shutdown
        self._drain(math.ceil(load_config(candidate).server.drain_seconds))  # uvicorn's deadline and the streams' budget, both
        before = {process.pid for process in self.processes}
        super().handle_hup()  # uvicorn's restart_all: one by one, each old worker stopped once its replacement is ready
        kept = before & {process.pid for process in self.processes}
        if self.should_exit.is_set() or kept:
            os.environ[SNAPSHOT_ENV] = self.snapshot  # a respawn starts from the config that started before
            self._drain(drain)
        if self.should_exit.is_set():
            return
        if kept:
            self._failed(f"incomplete: workers {sorted(kept)} were not replaced (a replacement did not start) and serve the previous config")
            return
        self._accept(text)
        self._adopt()
        self.reloads.labels("success").inc()
        self.reload_ok.set(1)

    def keep_subprocess_alive(self) -> None:
        """uvicorn's, and with `reload.watch` the file followed here too: the workers reload it themselves, and a worker
        respawned later starts from its last good version (it started from the broken file, and died, for ever)."""
        release_child_ends(self.processes)
        if self.reload.watch and time.monotonic() >= self.next_poll:
            self.next_poll = time.monotonic() + self.reload.interval_seconds
            signature = file_signature(self.config_path)
            if signature is not None and signature != self.signature:
                self.signature = signature
                with contextlib.suppress(OSError):
                    text = self._read()
                    if self._checked(text, count=False) is not None:
                        self._accept(text)
                        self._adopt()
        super().keep_subprocess_alive()

    def _checked(self, text: str, *, count: bool = True) -> str | None:
        """A candidate file holding ``text`` when `check-config` accepts it; else None (counted as a refused reload)."""
        candidate = os.path.join(self.snapshots, "candidate.yaml")
        Path(candidate).write_text(text, encoding="utf-8")
        check = subprocess.run([sys.executable, "-m", "router.cli", "check-config", candidate], capture_output=True, text=True, check=False)
        if check.returncode == 0:
            return candidate
        if count:  # named as the operator's file, on one line (a log shipper makes each line a record)
            why = check.stderr.strip().replace(candidate, self.config_path) or f"check-config exited {check.returncode}"
            self._failed(f"refused, the workers keep the config in force: {one_line(why)}")
        return None

    def _adopt(self) -> None:
        """What the parent takes from the file it accepted, as each worker does from its reload: its `reload` (a watch
        turned off stops the parent following too — its snapshot went on taking edits no worker reloaded, and a respawn
        started from one; a new interval paces its polls) and its drain (a respawn drains as its file says)."""
        config = load_config(self.snapshot)
        self.reload = config.reload
        self.next_poll = time.monotonic() + self.reload.interval_seconds
        self._drain(math.ceil(config.server.drain_seconds))

    def _failed(self, why: str) -> None:
        self.reloads.labels("failure").inc()
        self.reload_ok.set(0)
        log.error("config reload %s", why)

    def _drain(self, seconds: int | None) -> None:
        """The drain the workers started from now on get: uvicorn's graceful timeout and their streams' budget."""
        self.config.timeout_graceful_shutdown = seconds
        os.environ[DRAIN_ENV] = str(seconds)

    def _close_sockets(self) -> None:
        """Stop listening before the workers drain (they close their copies at their first tick)."""
        for sock in self.sockets:
            sock.close()

    def _read(self) -> str:
        return Path(self.config_path).read_text(encoding="utf-8")

    def _accept(self, text: str) -> None:
        Path(self.snapshot + ".new").write_text(text, encoding="utf-8")
        os.replace(self.snapshot + ".new", self.snapshot)
        os.environ[SNAPSHOT_ENV] = self.snapshot  # workers spawned from now on inherit it


def release_child_ends(processes: list[Process]) -> None:
    """Close the parent's copy of each started worker's end of its health-check pipe (uvicorn keeps it open). A worker
    that died while a ping was in flight then reads as dead at once (end of file); with the parent still holding that
    end the ping waited out its whole timeout — `WORKER_START_SECONDS`, a minute without the worker, unseen: a worker
    killed under load was respawned (and its gauges dropped) only after that minute. The child has its copy once
    started; closing a closed end is a no-op. (A private attribute of uvicorn's: if it goes, uvicorn's behaviour stays.)"""
    for process in processes:
        end = getattr(process, "child_conn", None)
        if end is not None and process.pid is not None:
            end.close()


def run_workers(config: Config, config_path: str) -> int:
    """What `uvicorn.run` does for `workers > 1`, with the router's supervisor; its exit code: 3 (uvicorn's start-up
    failure) when it stopped because a worker could not start, not on a signal (it exited 0: no restart by systemd)."""
    os.environ[PARENT_ENV] = str(os.getpid())
    sock = config.bind_socket()
    supervisor = RouterSupervisor(config, [sock], config_path)
    supervisor.run()
    return 0 if supervisor.stopped_by_signal else STARTUP_FAILURE
