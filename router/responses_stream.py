"""A chat-completions stream re-told as a Responses API event stream, one translator per request.

The relay hands over the upstream's chat chunks as they arrive (`frames`) and, at the end, the closing
usage chunk with the gateway's `router` object (`end`). Events follow OpenAI's order, which the
openai SDK's `responses.stream()` helper checks: `response.created`, `response.in_progress`; per output
item `output_item.added`, its content part, deltas; at the end each item's `.done` events, then
`response.completed` (`response.incomplete` when the answer was cut) carrying the whole response and
its usage. Errors after the first byte travel as the chat route sends them (an `error` object: the SDK
raises it). Reasoning deltas are not forwarded, as OpenAI forwards none in the clear.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from backends.sse import event_data, events_of
from router.responses_api import function_call_item, message_item, new_id, output_text, response_object


class ResponsesStream:
    """The Responses events for one streamed request."""

    def __init__(self, request: Mapping[str, Any]) -> None:
        self.request = request
        self.response_id = new_id("resp")
        self.sequence = 0
        self.meta: dict[str, Any] = {}
        self.output: list[dict[str, Any]] = []  # the items in output order, filled in as deltas arrive
        self.message: int | None = None  # output index of the open message
        self.parts: dict[str, int] = {}  # content part kind (output_text, refusal) -> its index in the message
        self.calls: dict[int, int] = {}  # chat tool-call index -> output index
        self.finish_reason: str | None = None

    # -- the relay's two calls ------------------------------------------------------------------------
    def frames(self, frame: bytes) -> bytes:
        """Relayed chat frames as Responses events; an error event passes as it is."""
        out = []
        for event in events_of(frame):
            data = event_data(event)
            if data is None or data == b"[DONE]":
                continue
            try:
                payload = orjson.loads(data)
            except orjson.JSONDecodeError:
                payload = None
            if not isinstance(payload, dict) or "error" in payload:
                out.append(event)
                continue
            out.append(self._chunk(payload))
        return b"".join(out)

    def end(self, closing: dict[str, Any] | None) -> bytes:
        """Close every open item and send the finished response (usage and `router` from ``closing``)."""
        out = [self._start(closing or {})]
        for index, item in enumerate(self.output):
            out.append(self._finish_item(index, item))
        chat = {**self.meta, **{key: value for key, value in (closing or {}).items() if key in ("usage", "router")}}
        response = response_object(self.request, self.response_id, chat, self.output, self.finish_reason)
        out.append(self._event("response.completed" if response["status"] == "completed" else "response.incomplete", response=response))
        return b"".join(out)

    # -- chunks ---------------------------------------------------------------------------------------
    def _chunk(self, chunk: dict[str, Any]) -> bytes:
        out = [self._start(chunk)]
        for choice in chunk.get("choices") or ():
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:  # the Responses API has one answer
                continue
            delta = choice.get("delta") or {}
            for kind, key in (("output_text", "content"), ("refusal", "refusal")):
                if isinstance(delta.get(key), str) and delta[key]:
                    out.append(self._text_delta(kind, delta[key]))
            for call in delta.get("tool_calls") or ():
                if isinstance(call, dict):
                    out.append(self._call_delta(call))
            if choice.get("finish_reason") is not None:
                self.finish_reason = choice["finish_reason"]
        return b"".join(out)

    def _start(self, chunk: Mapping[str, Any]) -> bytes:
        if self.meta:
            return b""
        self.meta = {"created": chunk.get("created"), "model": chunk.get("model") or self.request.get("model")}
        started = response_object(self.request, self.response_id, self.meta, [], None) | {"status": "in_progress", "completed_at": None}
        return self._event("response.created", response=started) + self._event("response.in_progress", response=started)

    def _text_delta(self, kind: str, text: str) -> bytes:
        out = []
        if self.message is None:
            self.message = len(self.output)
            self.output.append(message_item(new_id("msg"), [], "in_progress"))
            out.append(self._event("response.output_item.added", output_index=self.message, item=self.output[self.message]))
        item = self.output[self.message]
        if kind not in self.parts:
            self.parts[kind] = len(item["content"])
            item["content"].append(output_text("") if kind == "output_text" else {"type": "refusal", "refusal": ""})
            out.append(self._event("response.content_part.added", item_id=item["id"], output_index=self.message,
                                   content_index=self.parts[kind], part=item["content"][-1]))
        part = item["content"][self.parts[kind]]
        field = "text" if kind == "output_text" else "refusal"
        part[field] += text
        name = "response.output_text.delta" if kind == "output_text" else "response.refusal.delta"
        extra = {"logprobs": []} if kind == "output_text" else {}
        out.append(self._event(name, item_id=item["id"], output_index=self.message, content_index=self.parts[kind], delta=text, **extra))
        return b"".join(out)

    def _call_delta(self, call: Mapping[str, Any]) -> bytes:
        function = call.get("function") or {}
        number = call.get("index", 0)
        out = b""
        if number not in self.calls:
            self.calls[number] = len(self.output)
            self.output.append(function_call_item(new_id("fc"), call.get("id") or new_id("call"), function.get("name") or "", "", "in_progress"))
            out = self._event("response.output_item.added", output_index=self.calls[number], item=self.output[self.calls[number]])
        elif function.get("name"):
            self.output[self.calls[number]]["name"] += function["name"]
        index = self.calls[number]
        item = self.output[index]
        arguments = function.get("arguments")
        if isinstance(arguments, str) and arguments:
            item["arguments"] += arguments
            out += self._event("response.function_call_arguments.delta", item_id=item["id"], output_index=index, delta=arguments)
        return out

    def _finish_item(self, index: int, item: dict[str, Any]) -> bytes:
        out = []
        item["status"] = "completed" if self.finish_reason != "length" else "incomplete"
        if item["type"] == "message":
            for content_index, part in enumerate(item["content"]):
                if part["type"] == "output_text":
                    out.append(self._event("response.output_text.done", item_id=item["id"], output_index=index, content_index=content_index,
                                           text=part["text"], logprobs=[]))
                else:
                    out.append(self._event("response.refusal.done", item_id=item["id"], output_index=index, content_index=content_index,
                                           refusal=part["refusal"]))
                out.append(self._event("response.content_part.done", item_id=item["id"], output_index=index, content_index=content_index, part=part))
        else:
            if not item["arguments"]:
                item["arguments"] = "{}"  # a call without parameters: an agent's json.loads must not fail on ""
            out.append(self._event("response.function_call_arguments.done", item_id=item["id"], output_index=index, name=item["name"],
                                   arguments=item["arguments"]))
        out.append(self._event("response.output_item.done", output_index=index, item=item))
        return b"".join(out)

    def _event(self, kind: str, **fields: Any) -> bytes:
        payload = {"type": kind, "sequence_number": self.sequence, **fields}
        self.sequence += 1
        return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(payload) + b"\n\n"
