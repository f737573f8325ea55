"""The issue's reference point: a trivial FastAPI proxy on aiohttp's client, nothing else.

Issue 5 measured this proxy at 4,450 req/s (c=16) on its reference machine. Run beside the
gateway in `bench/gateway_bench.py`, it tells how fast *this* machine is for that kind of
work, so the gateway's absolute figures can be read against what any Python proxy gets here.
No auth, no classifier, no metrics, no error handling: the body goes up, the answer comes back.

    python bench/reference_proxy.py --port 8001 --upstream http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import uvicorn
from fastapi import FastAPI, Request
from starlette.responses import Response


def create_app(upstream: str) -> FastAPI:
    session: dict[str, aiohttp.ClientSession] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        session["s"] = aiohttp.ClientSession()
        yield
        await session["s"].close()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None)
    url = upstream.rstrip("/") + "/v1/chat/completions"

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        body = await request.body()
        async with session["s"].post(url, data=body, headers={"Content-Type": "application/json"}) as answer:
            content = await answer.read()
            return Response(content, status_code=answer.status, media_type="application/json")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.upstream), host="127.0.0.1", port=args.port, loop="uvloop", http="httptools", log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
