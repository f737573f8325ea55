"""The Responses API's tools as chat tools, and an answer's calls back in the Responses shape.

Function tools map one to one. A `namespace` tool (OpenAI's group of function tools under a shared
name; Codex sends its sub-agent tools so) becomes one chat function per member, named
`<namespace>__<name>` (chat has no namespaces) and described with the namespace's description too; a
call of such a name comes back as the member's `name` with its `namespace`, as OpenAI returns it, and a
call echoed with a `namespace` goes upstream under the joined name. Tools that only OpenAI's servers run
(web search, file search, code interpreter, image generation, remote MCP) are not sent upstream: the
model answers without them, and the response's `router.dropped_tools` says so (Codex sends web search
on every request, so a 400 would refuse every one); a `tool_choice` that names one is a 400. Other
tool types (custom, computer use, local shell) are a 400 naming the tool.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from router.protocol import array_field, invalid

#: Joins a namespace and a member's name into one chat function name.
NAMESPACE_JOIN = "__"
#: Tools OpenAI's servers run, which no chat upstream can: left out of the request.
SERVER_SIDE_TOOLS = frozenset({"web_search", "web_search_preview", "web_search_2025_08_26", "web_search_preview_2025_03_11", "file_search",
                               "code_interpreter", "image_generation", "mcp"})


def chat_tools(tools: Any) -> list[dict[str, Any]]:
    """The chat tools for the Responses ``tools`` (server-side tools left out); a 400 names what cannot be served."""
    out: list[dict[str, Any]] = []
    for index, tool in enumerate(array_field(tools, "tools")):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if kind == "function":
            out.append(_function(tool, f"tools[{index}]"))
        elif kind == "namespace":
            out.extend(_namespace(tool, f"tools[{index}]"))
        elif kind not in SERVER_SIDE_TOOLS:
            raise invalid(f"tools of type {kind!r} are not supported: function and namespace tools are served (and OpenAI's "
                          "server-side tools left out)", param=f"tools[{index}]", code="unsupported_value")
    return out


def dropped_tools(request: Mapping[str, Any]) -> list[str]:
    """The types of the request's server-side tools, which were not sent upstream."""
    tools = request.get("tools")
    return [tool["type"] for tool in tools if isinstance(tool, dict) and tool.get("type") in SERVER_SIDE_TOOLS] if isinstance(tools, list) else []


def chat_tool_choice(choice: Any) -> Any:
    if isinstance(choice, str):
        return choice
    if isinstance(choice, dict) and choice.get("type") == "function" and isinstance(choice.get("name"), str):
        namespace = choice.get("namespace")
        name = joined(namespace, choice["name"]) if isinstance(namespace, str) else choice["name"]
        return {"type": "function", "function": {"name": name}}
    if isinstance(choice, dict) and choice.get("type") in SERVER_SIDE_TOOLS:
        raise invalid(f"'tool_choice' names {choice['type']!r}, a tool only OpenAI's servers run", param="tool_choice", code="unsupported_value")
    raise invalid("'tool_choice' must be none, auto, required or a function", param="tool_choice", code="unsupported_value")


def joined(namespace: str, name: str) -> str:
    return f"{namespace}{NAMESPACE_JOIN}{name}"


def namespaced_names(request: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Each joined chat name of the request's namespace tools -> (namespace, member name)."""
    names: dict[str, tuple[str, str]] = {}
    for tool in request.get("tools") or ():
        if isinstance(tool, dict) and tool.get("type") == "namespace" and isinstance(tool.get("tools"), list):
            for member in tool["tools"]:
                if isinstance(member, dict) and isinstance(member.get("name"), str):
                    names[joined(tool["name"], member["name"])] = (tool["name"], member["name"])
    return names


def call_name(name: str, namespaced: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """A chat call's name as a Responses `function_call` carries it: a namespace member's name and its namespace."""
    if name in namespaced:
        namespace, member = namespaced[name]
        return {"name": member, "namespace": namespace}
    return {"name": name}


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
            kind = member.get("type") if isinstance(member, dict) else None
            raise invalid(f"tools of type {kind!r} are not supported in a namespace: function tools are served",
                          param=f"{param}.tools[{index}]", code="unsupported_value")
        function = _function(member, f"{param}.tools[{index}]")
        function["function"]["name"] = joined(name, member["name"])
        about = " ".join(text for text in (tool.get("description"), member.get("description")) if isinstance(text, str) and text)
        if about:
            function["function"]["description"] = about
        out.append(function)
    return out
