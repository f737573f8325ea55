"""The parent process of `serve --workers N`: uvicorn's `Multiprocess`, with what a router's parent adds.

* **SIGHUP checks the file first.** A reload replaces the workers one by one (uvicorn's `restart_all`); the parent
  first checks the file as `check-config` does (in a child process: the embedding extra's model stays out of this
  one). A bad file keeps the workers, and the parent counts it — `router_config_reloads_total{result="failure"}`,
  `router_config_last_reload_successful` 0, the alert's input — where before the workers' replacements died at
  start-up and uvicorn logged only that they were "not ready in time". (With one worker, router/reload.py reloads
  in-process and counts it there.)
* **Workers start from the config in force.** The parent keeps a copy of the file it last accepted and workers
  build from it (`SNAPSHOT_ENV`): a crashed worker comes back with the config the others run, not an edit nobody
  reloaded yet — nor a broken file, respawned every second for ever. With `reload.watch` the workers follow the
  file themselves, so they build from it.
* **SIGTERM closes the listening socket first.** The parent held it while the workers drained: new connections
  were completed by the kernel, never accepted, and reset when the drain ended (30 s by default). Now they are
  refused at once and the client or load balancer tries elsewhere.
* **Workers get `WORKER_START_SECONDS` to start**, not uvicorn's 5 s, in which the embedding extra's workers on a
  busy host missed a reload.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from uvicorn import Config
from uvicorn.supervisors import Multiprocess

from router.config import SNAPSHOT_ENV, load_config
from router.metrics import reload_metrics
from router.multiproc import shared_values

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
        self.follows_file = load_config(config_path).reload.watch
        with shared_values():  # scraped from the workers' /metrics, which read every process's files
            self.reloads, self.reload_ok = reload_metrics(None)
        if not self.follows_file:
            self._accept(self._read())

    def run(self) -> None:
        try:
            super().run()
        finally:
            shutil.rmtree(self.snapshots, ignore_errors=True)

    def handle_hup(self) -> None:
        try:
            text = self._read()
        except OSError as exc:  # a ConfigMap's files are swapped under it
            self._failed(f"refused, the workers keep the config in force: cannot read {self.config_path}: {exc.strerror}")
            return
        candidate = os.path.join(self.snapshots, "candidate.yaml")
        Path(candidate).write_text(text, encoding="utf-8")
        check = subprocess.run([sys.executable, "-m", "router.cli", "check-config", candidate], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            self._failed(f"refused, the workers keep the config in force: {check.stderr.strip() or f'check-config exited {check.returncode}'}")
            return
        if not self.follows_file:
            self._accept(text)
        before = {process.pid for process in self.processes}
        super().handle_hup()  # uvicorn's restart_all: one by one, each old worker stopped once its replacement is ready
        if self.should_exit.is_set():
            return
        if kept := before & {process.pid for process in self.processes}:
            self._failed(f"incomplete: workers {sorted(kept)} were not replaced (a replacement was not ready within "
                         f"{self.config.timeout_worker_healthcheck} s) and serve the previous config")
            return
        self.reloads.labels("success").inc()
        self.reload_ok.set(1)

    def _failed(self, why: str) -> None:
        self.reloads.labels("failure").inc()
        self.reload_ok.set(0)
        log.error("config reload %s", why)

    def handle_term(self) -> None:
        self._close_sockets()
        super().handle_term()

    def handle_int(self) -> None:
        self._close_sockets()
        super().handle_int()

    def _close_sockets(self) -> None:
        """Stop listening before the workers drain (they close their copies at their first tick)."""
        for sock in self.sockets:
            sock.close()

    def _read(self) -> str:
        return Path(self.config_path).read_text(encoding="utf-8")

    def _accept(self, text: str) -> None:
        snapshot = os.path.join(self.snapshots, "config.yaml")
        Path(snapshot + ".new").write_text(text, encoding="utf-8")
        os.replace(snapshot + ".new", snapshot)
        os.environ[SNAPSHOT_ENV] = snapshot  # workers spawned from now on inherit it


def run_workers(config: Config, config_path: str) -> None:
    """What `uvicorn.run` does for `workers > 1`, with the router's supervisor."""
    os.environ[PARENT_ENV] = str(os.getpid())
    sock = config.bind_socket()
    RouterSupervisor(config, [sock], config_path).run()
