"""Configuration reload on SIGHUP or when the file changes, without dropping a request.

A reload reads and validates the file, builds a complete new `AppState` (backends, gateway,
limits, decision log) beside the running one, and swaps `app.state.router` in one step on the
event loop. Requests that were admitted on the old state finish on it; its backends are closed
only once its in-flight count reaches zero (or after `server.drain_seconds`). A file that does
not parse or validate — or a classifier artifact that does not load — is rejected with an
error in the log and `router_config_reloads_total{result="failure"}`; the old config stays.

Metrics are kept across reloads (the same registry and metric objects), and so are the limit
counters and the decision-log file when their settings did not change.

With `serve --workers N`, SIGHUP to the supervisor makes uvicorn replace the workers one at a
time (each new worker must start before the old one stops, so a bad file keeps the old ones);
`reload.watch: true` makes every worker reload in place when the file changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import signal
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from router.config import ClassifierConfig, ConfigError, RouterConfig, load_config, one_line
from router.metrics import retire
from router.shutdown import drain_in_force
from router.state import AppState

log = logging.getLogger("complexity_router.reload")

CLOSE_GRACE_SECONDS = 0.5  # after the last release: let a finished stream close and account


def file_signature(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)  # follows symlinks: a Kubernetes ConfigMap update swaps one
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class ConfigReloader:
    """Owns reloading for one app; `start` in the lifespan, `stop` before closing the state."""

    def __init__(
        self,
        app: Any,
        config_path: str | os.PathLike[str],
        *,
        classifier_factory: Callable[[ClassifierConfig], Any],
        fixed_classifier: Any = None,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self.app = app
        self.path = str(Path(config_path))
        self.classifier_factory = classifier_factory
        self.fixed_classifier = fixed_classifier
        self.transports = transports
        self._lock = asyncio.Lock()
        self._retiring: set[asyncio.Task[None]] = set()
        self._last_retirement: asyncio.Task[None] | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._signal_installed = False
        self._seen = file_signature(self.path)

    @property
    def state(self) -> AppState:
        return self.app.state.router

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        loop = asyncio.get_running_loop()
        if hasattr(signal, "SIGHUP") and threading.current_thread() is threading.main_thread():
            try:
                loop.add_signal_handler(signal.SIGHUP, self._on_sighup)
                self._signal_installed = True
            except (NotImplementedError, RuntimeError, ValueError):  # not on this platform / loop
                pass
        self._watch_task = loop.create_task(self._watch())

    async def stop(self) -> None:
        if self._signal_installed:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        if self._watch_task is not None:
            self._watch_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch_task
        if self._retiring:
            await asyncio.gather(*self._retiring, return_exceptions=True)

    def _on_sighup(self) -> None:
        log.info("SIGHUP: reloading %s", self.path)
        task = asyncio.get_running_loop().create_task(self.reload("SIGHUP"))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def _watch(self) -> None:
        """Poll the file (cheap `stat`) while `reload.watch` is on; the interval follows the live config."""
        while True:
            config = self.state.config.reload
            await asyncio.sleep(config.interval_seconds)
            if not self.state.config.reload.watch:
                continue
            current = file_signature(self.path)
            if current is not None and current != self._seen:
                log.info("%s changed: reloading", self.path)
                await self.reload("file change")

    # -- reloading -------------------------------------------------------------------
    async def reload(self, trigger: str = "request") -> bool:
        """Load, validate, build and swap; returns whether the new config is now in force."""
        async with self._lock:
            self._seen = file_signature(self.path)
            old = self.state
            metrics = old.metrics
            try:
                config = await asyncio.to_thread(load_config, self.path)
                classifier = await self._classifier(config, old)
                new = AppState.build(config, classifier, transports=self.transports, registry=old.registry, metrics=metrics, previous=old)
            except Exception as exc:  # noqa: BLE001 - a bad config, a classifier that fails to load, a backend that cannot be built
                if old.ops is not None:
                    old.ops._handed_over.clear()  # nothing was taken over after all
                metrics.config_reloads.labels("failure").inc()
                metrics.config_reload_ok.set(0)
                detail = one_line(str(exc) if isinstance(exc, ConfigError) else f"{type(exc).__name__}: {exc}")
                log.error("config reload (%s) rejected, keeping the running configuration: %s", trigger, detail)
                return False
            self.app.state.router = new
            for name in set(old.backends) - set(new.backends):
                retire(metrics.backend_up, name)
            metrics.config_reloads.labels("success").inc()
            metrics.config_reload_ok.set(1)
            log.info("config reloaded (%s): %d backends, %d models, tiers %s", trigger, len(config.backends), len(config.models), ", ".join(config.tiers))
            warn_keyless_backends(config)
            if config.server.cors_origins != old.config.server.cors_origins:
                log.warning("server.cors_origins takes effect when the process restarts (SIGHUP with --workers N, or a new pod)")
            if math.ceil(drain := drain_in_force(old.config.server.drain_seconds)) != math.ceil(config.server.drain_seconds):
                log.warning("server.drain_seconds %g takes effect when the process restarts (SIGHUP with --workers N, or a new pod): "
                            "this one drains in %g s", config.server.drain_seconds, drain)
            task = asyncio.get_running_loop().create_task(self._retire(old, after=self._last_retirement))
            self._last_retirement = task
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)
            return True

    async def _classifier(self, config: RouterConfig, old: AppState) -> Any:
        if self.fixed_classifier is not None:
            return self.fixed_classifier
        if config.classifier.loaded_from() == old.config.classifier.loaded_from():
            return old.gateway.classifier
        return await asyncio.to_thread(self.classifier_factory, config.classifier)

    async def _retire(self, old: AppState, after: asyncio.Task[None] | None = None) -> None:
        """Close the replaced state once the requests admitted on it are done — and those of every state before it,
        `after` its retirement: what an older state handed over (an unchanged backend's client, the decision log) is
        the replaced state's to close, and the older state's requests may still use it (two reloads within one long
        stream cut it with a ReadError, counted against a healthy backend, and dropped its decision-log line)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(old.config.server.drain_seconds, 1.0)
        while old.inflight > 0 and loop.time() < deadline:
            await asyncio.sleep(0.05)
        if old.inflight > 0:
            log.warning("closing the replaced configuration with %d requests still in flight (server.drain_seconds)", old.inflight)
        if after is not None:
            await asyncio.gather(after, return_exceptions=True)
        await asyncio.sleep(CLOSE_GRACE_SECONDS)
        await old.aclose()


def warn_keyless_backends(config: RouterConfig) -> None:
    """Say at start-up and on each reload which backends a provider will refuse for want of a key
    (`RouterConfig.keyless_https_backends`)."""
    for name in config.keyless_https_backends():
        log.warning("backends.%s is reached over https without api_key: a provider will refuse its requests", name)
