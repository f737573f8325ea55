"""The app factory uvicorn imports in each worker process (`serve --workers N`)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from router.app import create_app
from router.config import load_config
from router.shutdown import install_signal_hook


def app_from_environment() -> FastAPI:
    """Build the app from the config file named in `COMPLEXITY_ROUTER_CONFIG`."""
    config = load_config(os.environ["COMPLEXITY_ROUTER_CONFIG"])
    install_signal_hook(config.server.drain_seconds)  # uvicorn's handlers are in place by now: chain ours before them
    return create_app(config, config_path=os.environ["COMPLEXITY_ROUTER_CONFIG"], settle_heap=True)  # SIGHUP / file change reload it
