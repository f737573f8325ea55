"""A direct ASGI path for `POST /v1/chat/completions`, the one route on every request's way.

FastAPI's per-request machinery costs about a tenth of the gateway's CPU per request on this
project's 2-core reference machine (docs/performance.md): routing, the endpoint wrapper and
dependency solving for a `Request`-only endpoint, the async exit stack, and the middleware
stack around them (server-error, exception-telemetry, body-limit and exception middleware).
`RouterApp` answers this one route before all of it: the same handler
(`router.api.chat_completions`) with the same `Request`, the same exceptions turned into the
same responses by the app's own registered handlers, and an unhandled error answered with the
app's JSON 500 and re-raised for the server's log — what `ServerErrorMiddleware` does. Every
other path, method and scope (lifespan, `/metrics`, the OpenAPI schema, which still lists the
route) goes through FastAPI as before. Tests compare both paths (tests/router/test_fastpath.py).

Skipped for this route, deliberately: user middleware (the app's factory adds none, but CORS with
`server.cors_origins`: a request with an `Origin` header then takes FastAPI's path through it; any other
middleware added to the app turns the fast path off, so none is skipped unseen) and
FastAPI's native OpenTelemetry exception hook (`FastAPI(telemetry=...)`; the handler's errors
are logged and counted by the router itself). The body limit is `server.max_body_bytes`,
enforced by the handler while it reads (router/state.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from starlette._utils import is_async_callable
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from router.api import chat_completions

CHAT_PATH = "/v1/chat/completions"

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


class RouterApp(FastAPI):
    """FastAPI, with `POST /v1/chat/completions` served ahead of the middleware stack
    (`fast_chat = False` routes it through FastAPI like any other path)."""

    fast_chat: bool = True
    #: CORS middleware is installed (`server.cors_origins`): a browser's request (it sends `Origin`) goes through it.
    cors: bool = False
    _only_cors: bool | None = None  # the user middleware is CORS at most (read once: none can be added after start)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == CHAT_PATH
            and scope["method"] == "POST"
            and not scope.get("root_path")
            and self.fast_chat
            and self._skips_no_middleware()
            and not self.root_path
            and not (self.cors and any(name == b"origin" for name, _ in scope["headers"]))
        ):
            scope["app"] = self  # what Starlette sets: `request.app` reads it
            await serve_chat(self.exception_handlers, scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def _skips_no_middleware(self) -> bool:
        if self._only_cors is None:
            self._only_cors = all(middleware.cls is CORSMiddleware for middleware in self.user_middleware)
        return self._only_cors


async def serve_chat(handlers: dict[Any, Handler], scope: Scope, receive: Receive, send: Send) -> None:
    """One chat request: the handler, the app's exception handlers, and the app's 500."""
    request = Request(scope, receive, send)
    try:
        response = await chat_completions(request)
    except Exception as exc:
        handler = _handler_for(handlers, exc)
        if handler is None:
            handler = handlers.get(500) or handlers.get(Exception)
            if handler is not None:  # ServerErrorMiddleware: the app's 500, then re-raise for the log
                await (await _call(handler, request, exc))(scope, receive, send)
            raise
        response = await _call(handler, request, exc)
    # Sending is outside the handlers, with no wrapper around `send` (one call fewer per
    # streamed event): the handler's responses raise nothing before their first message
    # (a stream's relay turns upstream errors into SSE error events), and an exception
    # after the response started cannot become an error response on either path.
    await response(scope, receive, send)


async def _call(handler: Handler, request: Request, exc: Exception) -> Response:
    if is_async_callable(handler):
        return await handler(request, exc)  # type: ignore[no-any-return,misc]
    return await run_in_threadpool(handler, request, exc)  # type: ignore[arg-type]


def _handler_for(handlers: dict[Any, Handler], exc: Exception) -> Handler | None:
    """The registered handler for the exception's class or nearest base, as Starlette's
    ExceptionMiddleware looks it up; `Exception` itself is the 500 path (ServerErrorMiddleware)."""
    if isinstance(exc, HTTPException) and exc.status_code in handlers:
        return handlers[exc.status_code]
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        handler = handlers.get(cls)
        if handler is not None:
            return handler
    return None
