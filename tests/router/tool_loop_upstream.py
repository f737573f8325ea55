"""A scripted chat-completions upstream that drives one agent tool loop: asked with the named tool, it
calls it; shown the tool's result, it answers. The agent CLIs then run a real tool (write a file)
through the gateway, both ways (the call out, the result back)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DONE_TEXT = "Done: the file is written."


class ToolLoopUpstream:
    """Calls ``tool`` with ``arguments`` (a JSON string) when a request offers it and its last turn is
    not a tool result; answers ``DONE_TEXT`` otherwise. Every request body is kept in ``requests``."""

    def __init__(self, tool: str, arguments: str) -> None:
        self.tool = tool
        self.arguments = arguments
        self.requests: list[dict[str, Any]] = []

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self.chat, methods=["POST"])])

    def tool_results(self) -> list[Any]:
        """The contents of the tool turns the upstream was shown."""
        return [m.get("content") for body in self.requests for m in body.get("messages", ()) if m.get("role") == "tool"]

    async def chat(self, request: Request) -> Response:
        body = orjson.loads(await request.body())
        self.requests.append(body)
        messages = body.get("messages") or [{}]
        offered = any((t.get("function") or {}).get("name") == self.tool for t in body.get("tools") or ())
        if offered and messages[-1].get("role") != "tool":
            call = {"id": f"call_{len(self.requests)}", "type": "function", "function": {"name": self.tool, "arguments": self.arguments}}
            message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [call]}
            finish = "tool_calls"
        else:
            message, finish = {"role": "assistant", "content": DONE_TEXT}, "stop"
        usage = {"prompt_tokens": 50, "completion_tokens": 12, "total_tokens": 62}
        if not body.get("stream"):
            return JSONResponse({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": body.get("model"),
                                 "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": usage})
        delta = {"role": "assistant", **({"tool_calls": [{"index": 0, **message["tool_calls"][0]}]} if finish == "tool_calls"
                                          else {"content": message["content"]})}
        chunks = [{"choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
                  {"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}, {"choices": [], "usage": usage}]
        frames = b"".join(b"data: " + orjson.dumps({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
                                                     "model": body.get("model"), **chunk}) + b"\n\n" for chunk in chunks)
        return Response(frames + b"data: [DONE]\n\n", media_type="text/event-stream")
