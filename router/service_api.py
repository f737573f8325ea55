"""The routes that route nothing: token counts, models, stored responses (none), health, readiness and metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from router import anthropic_api, anthropic_errors, models_api, multiproc, openapi, responses_api
from router.protocol import APIError, parse_json_body, validate_chat_request
from router.request_info import bearer_of, header_map, new_request_id, state_of

service = APIRouter()


@service.api_route("/v1/responses/{response_id}", methods=["GET", "DELETE"], include_in_schema=False)
@service.api_route("/v1/responses/{response_id}/{action:path}", methods=["GET", "POST"], include_in_schema=False)
async def stored_response(request: Request, response_id: str) -> Response:
    """Retrieving, deleting, cancelling or listing the input of a stored response: none is ever stored."""
    state_of(request).authorize(bearer_of(header_map(request), None))
    raise APIError(404, f"No response with id '{response_id}' is stored: the gateway keeps no responses (every response is "
                   "store: false); send the whole conversation in 'input'", param="response_id", code="not_found")


@service.post("/v1/messages/count_tokens", openapi_extra=openapi.COUNT_TOKENS_OPENAPI)
async def count_tokens(request: Request) -> Response:
    """Anthropic's token count: the prompt as the gateway counts it for the model the request would go to."""
    return await _count(request, lambda body: anthropic_api.chat_request({**body, "max_tokens": 1}), "x-api-key", {}, anthropic_errors.error_response)


@service.post("/v1/responses/input_tokens", openapi_extra=openapi.INPUT_TOKENS_OPENAPI)
async def input_tokens(request: Request) -> Response:
    """OpenAI's count of a Responses request's input tokens (`client.responses.input_tokens.count`), counted likewise."""
    return await _count(request, responses_api.chat_request, None, {"object": "response.input_tokens"}, None)


async def _count(request: Request, to_chat: Callable[[dict[str, Any]], dict[str, Any]], key_header: str | None, answer: dict[str, Any],
                 error_response: Callable[[APIError], Response] | None) -> Response:
    headers = header_map(request)
    ids = _request_ids(headers)
    try:
        state = state_of(request)
        authorization = bearer_of(headers, key_header)
        state.authorize(authorization)
        route = request.url.path
        state.ops.refuse_held(authorization, ids["x-request-id"], route)  # counts are free, but not for a key refused its requests
        await state.ops.admit_count(authorization, ids["x-request-id"], route)  # nor without limit: their own per minute, body unread
        chat = to_chat(parse_json_body(await state.read_body(request, headers.get("content-length"))))  # no answer is asked for
        validate_chat_request(chat)
        return Response(orjson.dumps(answer | {"input_tokens": state.gateway.prompt_tokens(chat)}), media_type="application/json", headers=ids)
    except APIError as exc:
        exc.headers.update(ids)
        if error_response is None:
            raise
        return error_response(exc)


@service.get("/v1/models", openapi_extra=openapi.MODELS_OPENAPI)
async def list_models(request: Request) -> Response:
    """The routable names, in a body the openai and anthropic SDKs both read (router/models_api.py)."""
    headers = header_map(request)
    ids = _request_ids(headers)
    try:
        state = state_of(request)
        state.authorize(bearer_of(headers, "x-api-key"))
        body = models_api.model_list(state.config, int(state.started_at), request.query_params)
    except APIError as exc:
        return _models_error(request, exc, ids)
    return Response(orjson.dumps(body), media_type="application/json", headers=ids)


@service.get("/v1/models/{model_id:path}", openapi_extra=openapi.MODEL_OPENAPI)
async def retrieve_model(request: Request, model_id: str) -> Response:
    headers = header_map(request)
    ids = _request_ids(headers)
    try:
        state = state_of(request)
        state.authorize(bearer_of(headers, "x-api-key"))
        state.gateway.policy.target(model_id)  # OpenAI's 404 model_not_found for a name the gateway does not route
    except APIError as exc:
        return _models_error(request, exc, ids)
    return Response(orjson.dumps(models_api.model_entry(state.config, model_id, int(state.started_at))), media_type="application/json",
                    headers=ids)


def _request_ids(headers: dict[str, str]) -> dict[str, str]:
    """The request's id under OpenAI's and Anthropic's header names, on every answer of these routes as on the routed ones."""
    return dict.fromkeys(("x-request-id", "request-id"), new_request_id(headers.get("x-request-id")))


def _models_error(request: Request, exc: APIError, ids: dict[str, str]) -> Response:
    """An error in the shape of the SDK that asked: Anthropic's sends `anthropic-version` and reads `not_found_error`
    for an unknown name (it got OpenAI's `invalid_request_error`)."""
    exc.headers.update(ids)
    return anthropic_errors.error_response(exc) if "anthropic-version" in request.headers else exc.response()


@service.get("/healthz")
async def healthz() -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


@service.get("/readyz")
async def readyz(request: Request) -> Response:
    report = await state_of(request).readiness()
    return Response(orjson.dumps(report), status_code=200 if report["ready"] else 503, media_type="application/json")


@service.get("/metrics")
async def metrics(request: Request) -> Response:
    """This process's metrics; under `serve --workers N` every worker's, merged from their files off the event loop (with
    many dead workers' files a merge took 135 ms, and this worker's requests waited for it)."""
    state = state_of(request)
    if multiproc.directory() is None:
        return Response(generate_latest(state.registry), media_type=CONTENT_TYPE_LATEST)
    return Response(await asyncio.to_thread(lambda: generate_latest(state.metrics_registry())), media_type=CONTENT_TYPE_LATEST)
