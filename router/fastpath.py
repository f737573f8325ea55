"""A direct ASGI path for `POST /v1/chat/completions`, the one route on every request's way.

FastAPI's per-request machinery (exception middleware, the async exit stack, routing, the
endpoint wrapper, dependency solving for a `Request`-only endpoint) costs about 80 µs a request
on this project's 2-core reference machine, measured in-process — a sixth of the gateway's whole
budget at 2,000 requests/s (docs/performance.md). This middleware calls the same handler
(`router.api.chat_completions`) with the same `Request`, and turns the same exceptions into the
same responses with the app's own registered handlers, so behaviour is unchanged; every other
path, method and scope (lifespan, `/metrics`, the OpenAPI schema, which still lists the route)
goes through FastAPI as before.

It is added as the app's first user middleware, so FastAPI's outer layers still wrap it —
`ServerErrorMiddleware` (unhandled errors become the app's JSON 500), the exception telemetry
and the app-level body limit — and so does any middleware added later. What it skips sits
inside the user middleware: `ExceptionMiddleware` (replaced by the same handler lookup here),
the async exit stack (no dependencies with `yield` on this route), routing and the endpoint
wrapper.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette._utils import is_async_callable
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from router.api import chat_completions

CHAT_PATH = "/v1/chat/completions"

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


class ChatFastPath:
    """ASGI middleware: `POST /v1/chat/completions` straight to its handler."""

    __slots__ = ("app", "handlers")

    def __init__(self, app: ASGIApp, handlers: dict[Any, Handler]) -> None:
        self.app = app
        self.handlers = handlers  # the FastAPI app's exception_handlers (a live dict)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != CHAT_PATH or scope["method"] != "POST" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await chat_completions(request)
        except Exception as exc:
            handler = self._handler_for(exc)
            if handler is None:
                raise  # to ServerErrorMiddleware: the app's 500 handler, as on the routed path
            if is_async_callable(handler):
                response = await handler(request, exc)
            else:
                response = await run_in_threadpool(handler, request, exc)
        # Sending is outside the handlers, with no wrapper around `send` (one call fewer per
        # streamed event): the handler's responses raise nothing before their first message
        # (a stream's relay turns upstream errors into SSE error events), and an exception
        # after the response started cannot become an error response on either path.
        await response(scope, receive, send)

    def _handler_for(self, exc: Exception) -> Handler | None:
        """The registered handler for the exception's class or nearest base, as Starlette's
        ExceptionMiddleware looks it up; `Exception` itself is left to ServerErrorMiddleware."""
        if isinstance(exc, HTTPException) and exc.status_code in self.handlers:
            return self.handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls is Exception:
                return None
            handler = self.handlers.get(cls)
            if handler is not None:
                return handler
        return None
