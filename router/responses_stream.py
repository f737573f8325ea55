"""A chat-completions stream re-told as a Responses API event stream, one translator per request.

The relay hands over the upstream's chat chunks as they arrive (`frames`) and, at the end, the closing
usage chunk with the gateway's `router` object (`end`). Events follow OpenAI's order, which the
openai SDK's `responses.stream()` helper checks: `response.created`, `response.in_progress`; per output
item `output_item.added`, its content part, the deltas and its `.done` events before the next item is
added; then `response.completed` (`response.incomplete` when the answer was cut) carrying the whole
response and its usage. An error after the first byte is OpenAI's `error` event and `response.failed`.
An upstream's reasoning in the clear is a `reasoning` item streamed as `response.reasoning_text.delta`s,
as vLLM's Responses API streams it, or as OpenAI's `response.reasoning_summary_text.delta`s when the
client asked for a summary (OpenAI's own reasoning never reaches a chat route in the clear).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import orjson

from router.chunk_translator import ChunkTranslator
from router.protocol import SSE_COMMENT, APIError
from router.responses_api import message_item, new_id, output_text, reasoning_item, response_logprobs, response_object, summarizes
from router.responses_tools import CallNames, call_item, custom_input


class ResponsesStream(ChunkTranslator):
    """The Responses events for one streamed request."""

    def __init__(self, request: Mapping[str, Any]) -> None:
        super().__init__()
        self.request = request
        self.response_id = new_id("resp")
        self.sequence = 0
        self.meta: dict[str, Any] = {}
        self.output: list[dict[str, Any]] = []  # the items in output order, filled in as deltas arrive
        self.open: int | None = None  # output index of the item being written; earlier items are done
        self.cut = False  # the upstream failed: the items closed from now on were cut (`_failure`)
        self.parts: dict[str, int] = {}  # the open message's content parts (output_text, refusal) -> index
        self.custom_arguments: dict[int, str] = {}  # a custom tool call's chat arguments so far, by output index
        self.logprobs: list[dict[str, Any]] = []  # the chunk's token logprobs, for its text delta

    # -- the relay's calls ----------------------------------------------------------------------------
    def error(self, exc: APIError) -> bytes:
        """An upstream failure after the first byte."""
        return b"" if self.failed else self._failure(exc.payload()["error"])

    def end(self, closing: dict[str, Any] | None) -> bytes:
        """Close the open item and send the finished response (usage and `router` from ``closing``)."""
        if self.failed:
            return b""
        out = [self._start(closing or {}), self.flush_calls(), self._close_open()]
        chat = {**self.meta, **{key: value for key, value in (closing or {}).items() if key in ("usage", "router")}}
        response = response_object(self.request, self.response_id, chat, self.output, self.finish_reason)
        out.append(self._event("response.completed" if response["status"] == "completed" else "response.incomplete", response=response))
        return b"".join(out)

    # -- the translator's parts -----------------------------------------------------------------------
    def _start(self, chunk: Mapping[str, Any]) -> bytes:
        if self.meta:
            return b""
        self.meta = {"created": chunk.get("created"), "model": chunk.get("model") or self.request.get("model")}
        started = response_object(self.request, self.response_id, self.meta, [], None) | {"status": "in_progress", "completed_at": None}
        return self._event("response.created", response=started) + self._event("response.in_progress", response=started)

    def _keep_alive(self) -> bytes:
        return SSE_COMMENT

    @property
    def shows_reasoning(self) -> bool:
        return True

    @property
    def summarized(self) -> bool:
        """Reasoning streams as a summary, as OpenAI streams one (read late: the route fills `request` in
        after this translator is made)."""
        return summarizes(self.request)

    @functools.cached_property
    def names(self) -> CallNames:
        """How the request's tools come back (read at the first call, once `request` is filled in)."""
        return CallNames.of(self.request)

    def _reasoning_delta(self, text: str) -> bytes:
        out = b""
        kind, part_kind = ("summary", "reasoning_summary") if self.summarized else ("content", "reasoning")
        if self.open is None or self.output[self.open]["type"] != "reasoning":
            out = self._add(reasoning_item(new_id("rs"), "", "in_progress"))
            item = self.output[-1]
            if self.summarized:
                item["summary"].append({"type": "summary_text", "text": ""})
                out += self._event("response.reasoning_summary_part.added", item_id=item["id"], output_index=self.open, summary_index=0,
                                   part=item["summary"][0])
            else:
                out += self._event("response.content_part.added", item_id=item["id"], output_index=self.open, content_index=0,
                                   part=item["content"][0])
        index = self.open
        assert index is not None
        item = self.output[index]
        for part in (*item["content"], *item["summary"]):
            part["text"] += text
        return out + self._event(f"response.{part_kind}_text.delta", item_id=item["id"], output_index=index, **{f"{kind}_index": 0}, delta=text)

    def _add(self, item: dict[str, Any]) -> bytes:
        """Finish the open item, then open ``item`` (OpenAI sends each item's `.done` before the next one)."""
        out = self._close_open()
        if item["type"] != "message":
            self.logprobs = []  # a reasoning item's or a call's tokens: no text carries them
        self.open = len(self.output)
        self.output.append(item)
        return out + self._event("response.output_item.added", output_index=self.open, item=item)

    def _text_logprobs(self, entries: list[Any]) -> None:
        """Held for the next text delta (a chunk may carry a token's logprobs and no text: a character split between two
        tokens, the end token), or for the text's `.done` (found in review: each chunk's replaced the last's)."""
        self.logprobs += response_logprobs(entries)

    def _text_delta(self, kind: str, text: str) -> bytes:
        out = b""
        if self.open is None or self.output[self.open]["type"] != "message":
            out = self._add(message_item(new_id("msg"), [], "in_progress"))
            self.parts = {}
        index = self.open
        assert index is not None
        item = self.output[index]
        if kind not in self.parts:
            self.parts[kind] = len(item["content"])
            item["content"].append(output_text("") if kind == "output_text" else {"type": "refusal", "refusal": ""})
            out += self._event("response.content_part.added", item_id=item["id"], output_index=index,
                               content_index=self.parts[kind], part=item["content"][-1])
        part = item["content"][self.parts[kind]]
        field = "text" if kind == "output_text" else "refusal"
        part[field] += text
        name = "response.output_text.delta" if kind == "output_text" else "response.refusal.delta"
        extra: dict[str, Any] = {}
        if kind == "output_text":
            extra["logprobs"], self.logprobs = self.logprobs, []
            part["logprobs"] += extra["logprobs"]
        return out + self._event(name, item_id=item["id"], output_index=index, content_index=self.parts[kind], delta=text, **extra)

    def _call_delta(self, call: Mapping[str, Any]) -> bytes:
        function = call.get("function") or {}
        key, new = self._call_key(call)
        out = b""
        if new:
            self.calls[key] = len(self.output)
            out = self._add(call_item(new_id("fc"), call.get("id") or new_id("call"), function.get("name") or "", "", "in_progress",
                                      self.names))
        index = self.calls[key]
        item = self.output[index]
        if function.get("name") and not item["name"]:
            item.update(self.names.call_name(function["name"]))
        arguments = function.get("arguments")
        if isinstance(arguments, str) and arguments:
            if item["type"] == "custom_tool_call":  # JSON around the input: sent whole when the call is done
                self.custom_arguments[index] = self.custom_arguments.get(index, "") + arguments
            else:
                item["arguments"] += arguments
                out += self._event("response.function_call_arguments.delta", item_id=item["id"], output_index=index, delta=arguments)
        return out

    def _close_open(self) -> bytes:
        if self.open is None:
            return b""
        index, self.open = self.open, None
        item = self.output[index]
        out = []
        item["status"] = "incomplete" if self.finish_reason == "length" or self.cut else "completed"
        if item["type"] == "message":
            for content_index, part in enumerate(item["content"]):
                if part["type"] == "output_text":
                    part["logprobs"] += self.logprobs  # the text's last tokens, if they came without text
                    self.logprobs = []
                    out.append(self._event("response.output_text.done", item_id=item["id"], output_index=index, content_index=content_index,
                                           text=part["text"], logprobs=part["logprobs"]))
                else:
                    out.append(self._event("response.refusal.done", item_id=item["id"], output_index=index, content_index=content_index,
                                           refusal=part["refusal"]))
                out.append(self._event("response.content_part.done", item_id=item["id"], output_index=index, content_index=content_index, part=part))
        elif item["type"] == "reasoning" and item["summary"]:
            part = item["summary"][0]
            out.append(self._event("response.reasoning_summary_text.done", item_id=item["id"], output_index=index, summary_index=0,
                                   text=part["text"]))
            out.append(self._event("response.reasoning_summary_part.done", item_id=item["id"], output_index=index, summary_index=0, part=part))
        elif item["type"] == "reasoning":
            part = item["content"][0]
            out.append(self._event("response.reasoning_text.done", item_id=item["id"], output_index=index, content_index=0, text=part["text"]))
            out.append(self._event("response.content_part.done", item_id=item["id"], output_index=index, content_index=0, part=part))
        elif item["type"] == "custom_tool_call":
            item["input"] = custom_input(self.custom_arguments.pop(index, ""))
            if item["input"]:
                out.append(self._event("response.custom_tool_call_input.delta", item_id=item["id"], output_index=index, delta=item["input"]))
            out.append(self._event("response.custom_tool_call_input.done", item_id=item["id"], output_index=index, input=item["input"]))
        else:
            if not item["arguments"]:
                item["arguments"] = "{}"  # a call without parameters: an agent's json.loads must not fail on ""
            out.append(self._event("response.function_call_arguments.done", item_id=item["id"], output_index=index, name=item["name"],
                                   arguments=item["arguments"]))
        out.append(self._event("response.output_item.done", output_index=index, item=item))
        return b"".join(out)

    def _failure(self, error: Mapping[str, Any]) -> bytes:
        """OpenAI's `error` event, then `response.failed` (with the calls held until then, cut as the stream was); nothing
        follows."""
        self.cut = True
        calls = self._start({}) + self.flush_calls()
        self.failed = True
        if self.open is not None:
            self.output[self.open]["status"] = "incomplete"
        code = error.get("code")
        out = calls + self._event("error", code=None if code is None else str(code), message=str(error.get("message") or "upstream failed"),
                                            param=error.get("param"))
        response = response_object(self.request, self.response_id, self.meta, self.output, None)
        reason = "rate_limit_exceeded" if error.get("type") == "rate_limit_error" else "server_error"  # `ResponseError.code` is a closed set
        response |= {"status": "failed", "completed_at": None, "error": {"code": reason, "message": str(error.get("message") or "")}}
        return out + self._event("response.failed", response=response)

    def _event(self, kind: str, **fields: Any) -> bytes:
        payload = {"type": kind, "sequence_number": self.sequence, **fields}
        self.sequence += 1
        return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(payload) + b"\n\n"

