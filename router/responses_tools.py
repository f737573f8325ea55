"""The Responses API's tools as chat tools, and an answer's calls back in the Responses shape.

Function tools map one to one. A `namespace` tool (OpenAI's group of function tools under a shared
name; Codex sends its sub-agent tools so) becomes one chat function per member, named
`<namespace>__<name>` (chat has no namespaces) and described with the namespace's description too; a
call of such a name comes back as the member's `name` with its `namespace`, as OpenAI returns it, and a
call echoed with a `namespace` goes upstream under the joined name. Tools that only OpenAI's servers run
(web search, file search, code interpreter, image generation, remote MCP) are not sent upstream: the
model answers without them, and the response's `router.dropped_tools` says so (Codex sends web search
on every request, so a 400 would refuse every one); so is tool search, which loads deferred tools that a
chat upstream gets in full anyway. A `tool_choice` that names one of them is a 400. A `custom`
tool (free-form text input, optionally under a grammar; Codex's `apply_patch` for GPT-5 models) becomes a
function of one string parameter, `input`, described with the grammar; its calls come back as
`custom_tool_call` items carrying that string. Other tool types (computer use, local shell) are a 400
naming the tool.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from router.protocol import array_field, invalid, type_of

#: Joins a namespace and a member's name into one chat function name.
NAMESPACE_JOIN = "__"
#: Tools OpenAI's servers run, which no chat upstream can: left out of the request.
SERVER_SIDE_TOOLS = frozenset({"web_search", "web_search_preview", "web_search_2025_08_26", "web_search_preview_2025_03_11", "file_search",
                               "code_interpreter", "image_generation", "mcp"})
#: OpenAI's tool search loads deferred tools on demand (Codex sends it to GPT-5.5). A chat upstream gets
#: every tool in full, deferred ones too, so there is nothing to search: left out like the server-side tools.
TOOL_SEARCH = "tool_search"
#: The tool types left out of the upstream request and named in `router.dropped_tools`.
DROPPED_TOOLS = SERVER_SIDE_TOOLS | {TOOL_SEARCH}
#: The one string parameter that carries a custom tool's free-form input through a chat function.
CUSTOM_INPUT = "input"


def chat_tools(tools: Any) -> list[dict[str, Any]]:
    """The chat tools for the Responses ``tools`` (server-side tools left out); a 400 names what cannot be served."""
    out: list[dict[str, Any]] = []
    for index, tool in enumerate(array_field(tools, "tools")):
        kind = type_of(tool)
        if kind == "function":
            out.append(_function(tool, f"tools[{index}]"))
        elif kind == "namespace":
            out.extend(_namespace(tool, f"tools[{index}]"))
        elif kind == "custom":
            out.append(_custom(tool, f"tools[{index}]"))
        elif kind not in DROPPED_TOOLS:
            raise invalid(f"tools of type {kind!r} are not supported: function, namespace and custom tools are served (and "
                          "OpenAI's server-side tools left out)", param=f"tools[{index}]", code="unsupported_value")
    return out


def dropped_tools(request: Mapping[str, Any]) -> list[str]:
    """The types of the request's tools that were not sent upstream (server-side tools, tool search)."""
    tools = request.get("tools")
    return [tool["type"] for tool in tools if type_of(tool) in DROPPED_TOOLS] if isinstance(tools, list) else []


def chat_tool_choice(choice: Any) -> Any:
    if isinstance(choice, str):
        return choice
    if type_of(choice) == "allowed_tools":
        return _allowed_tools(choice)
    if isinstance(choice, dict) and choice.get("type") in ("function", "custom") and isinstance(choice.get("name"), str):
        namespace = choice.get("namespace")
        name = joined(namespace, choice["name"]) if isinstance(namespace, str) else choice["name"]
        return {"type": "function", "function": {"name": name}}
    if type_of(choice) in DROPPED_TOOLS:
        raise invalid(f"'tool_choice' names {choice['type']!r}, a tool the gateway leaves out (see router.dropped_tools)",
                      param="tool_choice", code="unsupported_value")
    raise invalid("'tool_choice' must be none, auto, required, a function, a custom tool or allowed_tools", param="tool_choice",
                  code="unsupported_value")


def _allowed_tools(choice: dict[str, Any]) -> Any:
    """Responses' `allowed_tools` as chat's: its function and custom tools by their chat names, those the gateway leaves
    out (router.dropped_tools) none of them — with none left, `none` (`auto`) or a 400 (`required`). It was a 400."""
    mode = choice.get("mode")
    if mode not in ("auto", "required") or not isinstance(choice.get("tools"), list):
        raise invalid("'tool_choice' allowed_tools needs a mode (auto or required) and a list of tools", param="tool_choice", code="unsupported_value")
    listed = [tool for tool in choice["tools"] if type_of(tool) not in DROPPED_TOOLS]
    if any(type_of(tool) not in ("function", "custom") for tool in listed):
        raise invalid("'tool_choice' allowed_tools lists function and custom tools only", param="tool_choice", code="unsupported_value")
    allowed = [chat_tool_choice(tool) for tool in listed]
    if not allowed:
        if mode == "required":
            raise invalid("'tool_choice' requires a call of allowed tools the gateway leaves out (see router.dropped_tools)",
                          param="tool_choice", code="unsupported_value")
        return "none"
    return {"type": "allowed_tools", "allowed_tools": {"mode": mode, "tools": allowed}}


def joined(namespace: str, name: str) -> str:
    return f"{namespace}{NAMESPACE_JOIN}{name}"


@dataclass(frozen=True, slots=True)
class CallNames:
    """How the request's tools come back: the chat names of namespace members -> (namespace, member
    name), and the names of custom tools (their calls are `custom_tool_call` items)."""

    namespaced: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    custom: frozenset[str] = frozenset()

    @classmethod
    def of(cls, request: Mapping[str, Any]) -> CallNames:
        namespaced: dict[str, tuple[str, str]] = {}
        custom: set[str] = set()
        for tool in request.get("tools") or ():
            if isinstance(tool, dict) and tool.get("type") == "namespace" and isinstance(tool.get("tools"), list):
                for member in tool["tools"]:
                    if isinstance(member, dict) and isinstance(member.get("name"), str):
                        namespaced[joined(tool["name"], member["name"])] = (tool["name"], member["name"])
            elif isinstance(tool, dict) and tool.get("type") == "custom" and isinstance(tool.get("name"), str):
                custom.add(tool["name"])
        return cls(namespaced, frozenset(custom))

    def call_name(self, name: str) -> dict[str, str]:
        """A chat call's name as a Responses `function_call` carries it: a namespace member's name and its namespace."""
        if name in self.namespaced:
            namespace, member = self.namespaced[name]
            return {"name": member, "namespace": namespace}
        return {"name": name}


#: A request without namespace or custom tools: every call is a plain `function_call`.
NO_TOOL_NAMES = CallNames()


def call_item(item_id: str, call_id: str, name: str, arguments: str, status: str, names: CallNames) -> dict[str, Any]:
    """A chat tool call as a Responses output item: a `custom_tool_call` with its free-form input for a
    custom tool, else a `function_call`."""
    if name in names.custom:
        return {"type": "custom_tool_call", "id": item_id, "call_id": call_id, "name": name, "input": custom_input(arguments),
                "status": status}
    return {"type": "function_call", "id": item_id, "call_id": call_id, **names.call_name(name), "arguments": arguments, "status": status}


def custom_input(arguments: str) -> str:
    """A custom tool's input from its chat function's arguments (``{"input": "…"}``; ``{}`` is no input);
    arguments that are not that object (a model that wrote the input bare) are the input as written.
    Arguments cut inside the string (the token limit) give the part written, as a custom tool's raw
    text would be cut, not the JSON around it."""
    try:
        parsed = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        cut = _cut_input(arguments)
        return arguments if cut is None else cut
    if isinstance(parsed, dict) and isinstance(parsed.get(CUSTOM_INPUT), str):
        return parsed[CUSTOM_INPUT]
    return "" if parsed == {} else arguments


_INPUT_OPENING = re.compile(r'\s*\{\s*"input"\s*:\s*"')
#: A JSON string's content up to its closing quote or to where it was cut (never inside an escape).
_STRING_CONTENT = re.compile(r'(?:[^"\\]+|\\u[0-9a-fA-F]{4}|\\[^u])*')
_LAST_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}$")


def _cut_input(arguments: str) -> str | None:
    """The ``input`` string of JSON arguments cut before their end, as far as it was written."""
    opening = _INPUT_OPENING.match(arguments)
    if opening is None:
        return None
    content = _STRING_CONTENT.match(arguments, opening.end())
    assert content is not None  # the pattern matches the empty string
    body = content.group()
    for _ in range(2):  # a cut between a surrogate pair's halves leaves one half: drop it and retry
        try:
            return orjson.loads(f'"{body}"')  # type: ignore[no-any-return]
        except orjson.JSONDecodeError:
            body = _LAST_ESCAPE.sub("", body)
    return None


def custom_arguments(text: str) -> str:
    """A custom tool call's input, echoed by the client, as its chat function's arguments."""
    return orjson.dumps({CUSTOM_INPUT: text}).decode()


def _function(tool: Mapping[str, Any], param: str) -> dict[str, Any]:
    if not isinstance(tool.get("name"), str) or not tool["name"]:
        raise invalid(f"'{param}.name' must be a non-empty string", param=f"{param}.name")
    function = {key: tool[key] for key in ("name", "description", "parameters", "strict") if tool.get(key) is not None}
    return {"type": "function", "function": function}


def _namespace(tool: Mapping[str, Any], param: str) -> list[dict[str, Any]]:
    name, members = tool.get("name"), tool.get("tools")
    if not isinstance(name, str) or not name:
        raise invalid(f"'{param}.name' must be a non-empty string", param=f"{param}.name")
    out = []
    for index, member in enumerate(array_field(members, f"{param}.tools")):
        if not isinstance(member, dict) or member.get("type") != "function":
            kind = type_of(member)
            raise invalid(f"tools of type {kind!r} are not supported in a namespace: function tools are served",
                          param=f"{param}.tools[{index}]", code="unsupported_value")
        function = _function(member, f"{param}.tools[{index}]")
        function["function"]["name"] = joined(name, member["name"])
        about = " ".join(text for text in (tool.get("description"), member.get("description")) if isinstance(text, str) and text)
        if about:
            function["function"]["description"] = about
        out.append(function)
    return out


def _custom(tool: Mapping[str, Any], param: str) -> dict[str, Any]:
    """A custom tool as a chat function of one string, its grammar (if any) in the description: chat
    upstreams constrain arguments by JSON schema, not by a Lark or regex grammar."""
    if not isinstance(tool.get("name"), str) or not tool["name"]:
        raise invalid(f"'{param}.name' must be a non-empty string", param=f"{param}.name")
    about = [tool["description"]] if isinstance(tool.get("description"), str) and tool["description"] else []
    grammar = tool.get("format")
    if isinstance(grammar, dict) and grammar.get("type") == "grammar" and isinstance(grammar.get("definition"), str):
        about.append(f"The {CUSTOM_INPUT} must match this {grammar.get('syntax') or 'lark'} grammar:\n{grammar['definition']}")
    about.append(f"Pass the tool's whole input, as free-form text, in the string `{CUSTOM_INPUT}`.")
    parameters = {"type": "object", "properties": {CUSTOM_INPUT: {"type": "string"}}, "required": [CUSTOM_INPUT],
                  "additionalProperties": False}
    return {"type": "function", "function": {"name": tool["name"], "description": "\n\n".join(about), "parameters": parameters}}
