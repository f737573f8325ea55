"""The app factory uvicorn imports in each worker process (`serve --workers N`)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from router.app import create_app
from router.config import load_config


def app_from_environment() -> FastAPI:
    """Build the app from the config file named in `COMPLEXITY_ROUTER_CONFIG`."""
    return create_app(load_config(os.environ["COMPLEXITY_ROUTER_CONFIG"]))
