"""The app factory uvicorn imports in each worker process (`serve --workers N`)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from typing import Any

from fastapi import FastAPI

from router.app import create_app, load_default_classifier
from router.config import CONFIG_ENV, SNAPSHOT_ENV, ClassifierConfig, load_config
from router.shutdown import Drain, drain_in_force, install_signal_hook
from router.supervisor import PARENT_ENV

_PR_SET_PDEATHSIG = 1

#: A classifier `serve` loaded in this process to check it, with the config it was loaded from.
_handed_over: list[tuple[ClassifierConfig, Any]] = []


def hand_over(config: ClassifierConfig, classifier: Any) -> None:
    """`serve` with one worker checked the classifier by loading it, in the process that serves: the
    app takes that one instead of loading it again (the embedding extra's model took 4 s more)."""
    _handed_over[:] = [(config, classifier)]


def _classifier(config: ClassifierConfig) -> Any:
    """The handed-over classifier if it was loaded from this config (once), else a fresh load."""
    if _handed_over and _handed_over[0][0] == config:
        return _handed_over.pop()[1]
    return load_default_classifier(config)


def _drain_with_parent() -> None:
    """A worker of `serve --workers N` is sent SIGTERM — a drain — when its parent dies, even by SIGKILL (Linux's
    PR_SET_PDEATHSIG): orphaned workers kept serving and held the port, so a new `serve` could not bind it."""
    parent = os.environ.get(PARENT_ENV)
    if parent is None or not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # no prctl: the old behaviour
        return
    if os.getppid() != int(parent):  # the parent died before the request: nothing will send the signal
        os.kill(os.getpid(), signal.SIGTERM)


def app_from_environment() -> FastAPI:
    """Build the app from the config file named in `COMPLEXITY_ROUTER_CONFIG` — as `serve --workers N`'s parent last
    accepted it, when it keeps a copy (router/supervisor.py); reloads read the file itself."""
    path = os.environ[CONFIG_ENV]
    config = load_config(os.environ.get(SNAPSHOT_ENV) or path)
    drain = Drain()  # this worker's: its signal hook begins it, its app (and every reload's state) honours it
    install_signal_hook(drain_in_force(config.server.drain_seconds), drain)  # uvicorn's handlers are in place by now: chain ours before them
    _drain_with_parent()
    return create_app(config, classifier_factory=_classifier, config_path=path, settle_heap=True, drain=drain)  # SIGHUP / file change reload it
