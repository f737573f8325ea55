"""The ASGI application: built by a factory, resources created in the lifespan, never at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from prometheus_client import CollectorRegistry
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from backends.base import Backend
from router import runtime
from router.api import api, error_shape
from router.config import ClassifierConfig, RouterConfig
from router.fastpath import RouterApp
from router.gateway import Classifier
from router.loadknob import LoadKnob, start_load_knob, stop_load_knob
from router.multiproc import mark_this_worker_dead
from router.protocol import APIError
from router.reload import ConfigReloader, warn_keyless_backends
from router.service_api import service
from router.shed import SHED_HEADER
from router.shutdown import Drain
from router.state import AppState

log = logging.getLogger("complexity_router")

ClassifierFactory = Callable[[ClassifierConfig], Classifier]


def load_default_classifier(config: ClassifierConfig) -> Classifier:
    """`classifier.artifact`, with the embedding extra when `classifier.embedding` is set."""
    from classifiers.answer_tokens import load_configured

    return load_configured(config.artifact, config.embedding)


def create_app(
    config: RouterConfig,
    *,
    classifier: Classifier | None = None,
    classifier_factory: ClassifierFactory = load_default_classifier,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    registry: CollectorRegistry | None = None,
    config_path: str | None = None,
    settle_heap: bool = False,
    drain: Drain | None = None,
) -> FastAPI:
    """Build the gateway app. Tests inject a classifier, transports or a registry; `serve` injects the `drain` its
    signal hook begins (router/server.py), else the app has its own. With `config_path`, the config is reloaded from
    that file on SIGHUP or a change (router/reload.py)."""
    drain = drain if drain is not None else Drain()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scorer = classifier if classifier is not None else classifier_factory(config.classifier)
        state = AppState.build(config, scorer, transports=transports, registry=registry, drain=drain)
        app.state.router = state
        if settle_heap:  # serving workers only: start-up objects out of the garbage collector's way (router/runtime.py)
            runtime.settle_heap()
        reloader = None
        if config_path is not None:
            reloader = ConfigReloader(app, config_path, classifier_factory=classifier_factory, fixed_classifier=classifier, transports=transports)
            reloader.start()
        app.state.reloader = reloader

        def knob_in_force() -> tuple[LoadKnob, Mapping[str, Backend]]:
            state = app.state.router  # a reload replaces it (router/reload.py): the task polls the new gateway's knob
            return state.gateway.ttc.knob, state.backends

        load_knob = start_load_knob(knob_in_force)  # polls vLLM /metrics of backends with `load:` (router/loadknob.py)
        log.info("router ready: %d backends, %d models, tiers %s", len(config.backends), len(config.models), ", ".join(config.tiers))
        warn_keyless_backends(config)
        try:
            yield
        finally:
            await stop_load_knob(load_knob)
            if reloader is not None:
                await reloader.stop()
            await app.state.router.aclose()  # the state in force: a reload may have replaced the first one
            mark_this_worker_dead()

    app = RouterApp(title="complexity-router", version=_version(), lifespan=lifespan, docs_url=None, redoc_url=None)  # router/fastpath.py
    app.include_router(api)
    app.include_router(service)
    app.add_exception_handler(APIError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    if config.server.cors_origins:
        allow_cors(app, config.server.cors_origins)
    return app


#: Response headers a browser app may read: the routing, the cost, the request id, and the limits.
EXPOSED_HEADERS = ["x-request-id", "request-id", "x-router-tier", "x-router-model", "x-router-backend", "x-router-score",
                   "x-router-cost-usd", "x-router-estimated-cost-usd", "retry-after", "x-should-retry", "x-ratelimit-limit-requests",
                   "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens",
                   "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens", SHED_HEADER]


def allow_cors(app: RouterApp, origins: list[str]) -> None:
    """CORS for browser apps (the openai JS SDK with `dangerouslyAllowBrowser`, a web UI): preflights answered, the
    routing headers exposed. A chat request with an `Origin` then goes through the middleware (router/fastpath.py): ~75 µs
    more; a server-side client's, without one, keeps the fast path."""
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["*"], allow_headers=["*"], expose_headers=EXPOSED_HEADERS,
                       allow_credentials="*" not in origins, max_age=600)
    app.cors = True


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    return exc.response()


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    param = ".".join(str(part) for part in first.get("loc", ())[1:]) or None
    return error_shape(request.url.path)(APIError(400, f"invalid request: {first.get('msg', 'malformed')}", param=param))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code)
    return error_shape(request.url.path)(APIError(exc.status_code, str(exc.detail), code=code))


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error serving %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return error_shape(request.url.path)(APIError(500, "internal router error", error_type="server_error", code="internal_error"))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("complexity-router")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0"
