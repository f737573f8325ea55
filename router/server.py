"""The app factory uvicorn imports in each worker process (`serve --workers N`)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from router.app import create_app
from router.config import CONFIG_ENV, load_config
from router.shutdown import install_signal_hook


def app_from_environment() -> FastAPI:
    """Build the app from the config file named in `COMPLEXITY_ROUTER_CONFIG`."""
    path = os.environ[CONFIG_ENV]
    config = load_config(path)
    install_signal_hook(config.server.drain_seconds)  # uvicorn's handlers are in place by now: chain ours before them
    return create_app(config, config_path=path, settle_heap=True)  # SIGHUP / file change reload it
