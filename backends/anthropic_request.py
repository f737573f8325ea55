"""OpenAI chat-completions request → Anthropic Messages API request.

Translation rules (anything not listed is dropped: it has no Anthropic meaning):

- `system` / `developer` messages, wherever they appear, are joined with a blank line into the
  top-level `system` string (text parts only).
- `user`, `assistant` and `tool` messages become alternating `user`/`assistant` turns:
  consecutive turns of the same role are merged, `tool` messages become `tool_result` blocks of a
  user turn, assistant `tool_calls` become `tool_use` blocks (arguments JSON-decoded into `input`).
  Empty or whitespace-only text is skipped (Anthropic rejects such text blocks) and a turn left
  empty is dropped. A conversation that opens with the assistant (a greeting) gets a user turn "."
  first: Anthropic requires one. Tool-call ids other backends minted with characters Anthropic refuses
  ("functions.get_time:0") are made safe, the same way in the call and in its result.
- Images: `data:` URLs → base64 image sources (`image/jpg` named `image/jpeg`), `http(s)` URLs → URL sources.
- A `cache_control` breakpoint on a text or image part (LiteLLM's convention for prompt caching)
  is kept on its Anthropic block; a cached system part turns `system` into a list of text blocks.
- `max_completion_tokens` (else `max_tokens`) → `max_tokens`, which Anthropic requires: default
  4096, plus the thinking budget when thinking is on; an explicit cap not above the budget is read
  as the answer's budget and grown by it (as `reasoning.raise_token_cap` does); either never above the
  model's `max_output_tokens` (``output_limit``; the gateway keeps a budget it writes below it, and a client's own
  budget the limit cannot hold is lowered to leave the answer the default room).
- `stop` → `stop_sequences` (whitespace-only sequences dropped: Anthropic refuses them); `temperature`
  (clamped to Anthropic's 0-1), `top_p` (dropped beside a temperature: newer models refuse the pair),
  `top_k` pass through; `safety_identifier` (else `user`) →
  `metadata.user_id`; `tools`/`tool_choice`/`parallel_tool_calls` → Anthropic tools and tool choice;
  `response_format` `json_schema` → `output_config.format` (Anthropic structured outputs).
- The request's `RequestHints` (a Messages client's: router/anthropic_hints.py) carry what that client asked of
  Anthropic itself: its `user_id` (`metadata.user_id`, over `user`) and its `betas` (the `anthropic-beta` header,
  beside the backend's own: backends/anthropic.py). Only this adapter reads them.
- `thinking` passes through; with adaptive thinking (backends/reasoning.py `AnthropicAdaptiveReasoning`) the effort the
  chat body names as `reasoning_effort` is `output_config.effort`, and a request without a cap gets 4,096 tokens plus
  the effort's default budget. With thinking enabled Anthropic rejects temperature and top_k
  changes, top_p below 0.95 and forced tool use, so those sampling fields are dropped; a forced
  tool choice (the client's explicit request) instead drops `thinking`, which normally comes from
  the tier. Thinking is also dropped when the assistant turn in progress (a tool loop's calls
  since the last user message, or a prefill) does not start with a thinking block (the client did
  not send `thinking_blocks` back, or wrote the prefill), which Anthropic rejects with a 400.
  Consecutive assistant messages merge with their thinking blocks first; a prefill's trailing
  whitespace is trimmed (Anthropic refuses it).
- Assistant messages may carry `thinking_blocks` (LiteLLM's convention, which our responses
  follow) so signed thinking survives a tool loop; `reasoning_content` alone cannot be sent back
  (Anthropic requires the signature) and is dropped.
- Fields that would change what the client gets back (`n` > 1, `logprobs`, `top_logprobs`,
  `response_format: json_object`, non-function tools, audio/file parts) raise a 400 `UpstreamError`
  naming the parameter instead of being silently ignored.
"""

from __future__ import annotations

from typing import Any

from backends.anthropic_messages import THINKING_BLOCK_TYPES, convert_messages, has_text, invalid
from backends.reasoning import DEFAULT_BUDGETS, AnthropicAdaptiveReasoning, AnthropicReasoning
from backends.request_hints import NO_HINTS, RequestHints

DEFAULT_MAX_TOKENS = 4096
#: The efforts Anthropic's `output_config.effort` takes (Claude 4.6 and later).
ADAPTIVE_EFFORTS = AnthropicAdaptiveReasoning.efforts - {"none"}


def to_anthropic_request(body: dict[str, Any], *, stream: bool, hints: RequestHints = NO_HINTS, output_limit: int | None = None) -> dict[str, Any]:
    """The Messages API body for an OpenAI-format chat request (`body` is not modified) and its route's ``hints`` (the
    client's user id). ``output_limit`` is the model's `max_output_tokens` (when configured), which the gateway applied
    to the client's cap: the cap this adapter writes itself (its default, or a cap grown by the thinking budget) stays
    under it too, or Anthropic refuses the request ("max_tokens: 36864 > 32000 …")."""
    _reject_unsupported(body)
    system, messages = convert_messages(body.get("messages"))
    request: dict[str, Any] = {"model": body.get("model"), "messages": messages}
    if system:
        request["system"] = system
    for field in ("temperature", "top_p", "top_k"):
        if body.get(field) is not None:
            request[field] = body[field]
    _sampling_rules(request)
    stop = _stop_sequences(body.get("stop"))
    if stop:
        request["stop_sequences"] = stop
    tools, tool_choice = _allowed_tools(_tools(body.get("tools")), body.get("tool_choice"))
    if tools:
        request["tools"] = tools
        choice = _tool_choice(tool_choice, body.get("parallel_tool_calls"))
        if choice is not None:
            request["tool_choice"] = choice
    output_format = _output_format(body.get("response_format"))
    if output_format is not None:
        request["output_config"] = {"format": output_format}
    effort = body.get("reasoning_effort")  # only the adaptive dialect leaves one (backends/reasoning.py)
    if effort in ADAPTIVE_EFFORTS:
        request["output_config"] = {**request.get("output_config", {}), "effort": effort}
    user = hints.user_id or body.get("safety_identifier") or body.get("user")  # OpenAI's successor first
    if isinstance(user, str) and user:
        request["metadata"] = {"user_id": user}
    thinking = body.get("thinking")
    if isinstance(thinking, dict):
        request["thinking"] = dict(thinking)
    _apply_thinking_rules(request)
    request["max_tokens"] = _max_tokens(body, request.get("thinking"), effort, output_limit)
    _budget_under_cap(request)
    request["stream"] = stream
    return request


def beta_header(hints: RequestHints, configured: str | None) -> str | None:
    """The `anthropic-beta` header for a request: the backend's configured flags, then the client's (each once)."""
    flags = [flag.strip() for flag in (configured or "").split(",")] + list(hints.betas)
    joined = ",".join(dict.fromkeys(flag for flag in flags if flag))
    return joined or None


def _sampling_rules(request: dict[str, Any]) -> None:
    """OpenAI's temperature runs 0-2, Anthropic's 0-1 (above it: 400), so it is clamped; and newer
    Claude models refuse `temperature` with `top_p` (400), so `top_p` gives way when both are sent."""
    temperature = request.get("temperature")
    if isinstance(temperature, int | float) and not isinstance(temperature, bool):
        request["temperature"] = min(max(temperature, 0.0), 1.0)
        request.pop("top_p", None)


def _reject_unsupported(body: dict[str, Any]) -> None:
    n = body.get("n")
    if n is not None and n != 1:
        raise invalid("Anthropic models return one choice per request: `n` must be 1", "n")
    if body.get("logprobs"):
        raise invalid("Anthropic models do not return log probabilities", "logprobs")
    if body.get("top_logprobs") is not None:
        raise invalid("Anthropic models do not return log probabilities", "top_logprobs")


# -- parameters ----------------------------------------------------------------------------


def _stop_sequences(stop: Any) -> list[str]:
    if stop is None:
        return []
    if isinstance(stop, str):
        return [stop] if has_text(stop) else []
    if isinstance(stop, list) and all(isinstance(item, str) for item in stop):
        return [item for item in stop if has_text(item)]  # Anthropic refuses whitespace-only sequences ("\\n")
    raise invalid("`stop` must be a string or a list of strings", "stop")


def _tools(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid("`tools` must be a list", "tools")
    tools = []
    for tool in raw:
        function = tool.get("function") if isinstance(tool, dict) and tool.get("type", "function") == "function" else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise invalid("only function tools with a name are supported by Anthropic models", "tools")
        schema = function.get("parameters")
        converted: dict[str, Any] = {
            "name": function["name"],
            "input_schema": schema if isinstance(schema, dict) and schema else {"type": "object", "properties": {}},
        }
        if isinstance(function.get("description"), str) and function["description"]:
            converted["description"] = function["description"]
        tools.append(converted)
    return tools


def _allowed_tools(tools: list[dict[str, Any]], choice: Any) -> tuple[list[dict[str, Any]], Any]:
    """OpenAI's `allowed_tools` choice, which Anthropic lacks, as the tools it allows and its mode (`required`: any of
    them); other choices as they are."""
    allowed = choice.get("allowed_tools") if isinstance(choice, dict) and choice.get("type") == "allowed_tools" else None
    if allowed is None:
        return tools, choice
    if not isinstance(allowed, dict) or allowed.get("mode") not in ("auto", "required") or not isinstance(allowed.get("tools"), list):
        raise invalid("`tool_choice.allowed_tools` needs a mode (auto or required) and a list of tools", "tool_choice")
    names = {(tool.get("function") or {}).get("name") for tool in allowed["tools"] if isinstance(tool, dict)}
    kept = [tool for tool in tools if tool["name"] in names]
    if not kept:  # none of the request's tools allowed: no call (its tools stay: a conversation with tool turns needs them)
        if allowed["mode"] == "required":
            raise invalid("`tool_choice.allowed_tools` requires a call of tools the request does not have", "tool_choice")
        return tools, "none"
    return kept, allowed["mode"]


def _tool_choice(choice: Any, parallel_tool_calls: Any) -> dict[str, Any] | None:
    if choice is None or choice == "auto":
        converted: dict[str, Any] | None = {"type": "auto"} if parallel_tool_calls is False else None
    elif choice == "none":
        return {"type": "none"}
    elif choice == "required":
        converted = {"type": "any"}
    elif isinstance(choice, dict) and isinstance((choice.get("function") or {}).get("name"), str):
        converted = {"type": "tool", "name": choice["function"]["name"]}
    else:
        raise invalid("`tool_choice` must be auto, none, required or a named function", "tool_choice")
    if converted is not None and parallel_tool_calls is False:
        converted["disable_parallel_tool_use"] = True
    return converted


def _output_format(response_format: Any) -> dict[str, Any] | None:
    if response_format is None:
        return None
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind == "text":
        return None
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        if isinstance(spec, dict) and isinstance(spec.get("schema"), dict):
            return {"type": "json_schema", "schema": spec["schema"]}
    raise invalid("Anthropic models accept `response_format` of type text or json_schema (with a schema) only", "response_format")


def _thinking_budget(thinking: Any, effort: Any = None) -> int:
    """The tokens thinking may take: an enabled budget, or for adaptive thinking its effort's default budget (the cap
    a request without one gets grows by it: 4,096 tokens left a high-effort think no room for the answer)."""
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        budget = thinking.get("budget_tokens")
        if isinstance(budget, int) and not isinstance(budget, bool) and budget > 0:
            return budget
    if isinstance(thinking, dict) and thinking.get("type") == "adaptive":
        return DEFAULT_BUDGETS.get(effort, 0) if isinstance(effort, str) else 0
    return 0


def _apply_thinking_rules(request: dict[str, Any]) -> None:
    thinking = request.get("thinking")
    if not isinstance(thinking, dict) or thinking.get("type") in (None, "disabled"):
        return
    if request.get("tool_choice", {}).get("type") in ("any", "tool") or _turn_without_thinking(request["messages"]):
        del request["thinking"]
        return
    request.pop("temperature", None)
    request.pop("top_k", None)
    top_p = request.get("top_p")
    if isinstance(top_p, (int, float)) and top_p < 0.95:
        del request["top_p"]


def _turn_without_thinking(messages: list[dict[str, Any]]) -> bool:
    """Whether the assistant turn in progress does not start with a thinking block, which Anthropic refuses
    with thinking on (400). That turn is the assistant's messages since the last user message that is no
    tool result: a tool loop (one turn however many calls: without interleaved thinking only its first
    message thinks) or a prefill (a conversation that ends with the assistant)."""
    start = next((index for index in range(len(messages) - 1, -1, -1) if messages[index]["role"] == "user"
                  and not any(block["type"] == "tool_result" for block in messages[index]["content"])), -1)
    turn = [message for message in messages[start + 1 :] if message["role"] == "assistant"]
    return bool(turn) and turn[0]["content"][0]["type"] not in THINKING_BLOCK_TYPES


def _budget_under_cap(request: dict[str, Any]) -> None:
    """A client's own budget the model's output limit cannot hold (`thinking.budget_tokens: 32000` on a 32,000-token
    model: Anthropic requires `max_tokens` above it, 400) leaves the answer the default room, or goes when under
    Anthropic's minimum. A budget the gateway wrote fits already (router/upstream_fields.py `requested_effort`)."""
    thinking, cap = request.get("thinking"), request["max_tokens"]
    if _thinking_budget(thinking) < cap:
        return
    fitted = max(AnthropicReasoning.minimum_budget, cap - DEFAULT_MAX_TOKENS)
    if fitted < cap:
        request["thinking"] = {**thinking, "budget_tokens": fitted}
    else:
        del request["thinking"]


def _max_tokens(body: dict[str, Any], thinking: Any, effort: Any, limit: int | None) -> int:
    budget = _thinking_budget(thinking, effort)
    wanted = DEFAULT_MAX_TOKENS + budget
    for field in ("max_completion_tokens", "max_tokens"):
        value = body.get(field)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise invalid(f"`{field}` must be a positive integer", field)
        adaptive = isinstance(thinking, dict) and thinking.get("type") == "adaptive"  # the model fits its thinking in the cap
        wanted = value + budget if value <= budget and not adaptive else value
        break
    return wanted if limit is None else min(wanted, limit)
