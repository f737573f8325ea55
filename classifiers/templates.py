"""Read a prompt that already has a chat template applied as the conversation it encodes.

Evaluation sets and completion-style clients often send one text with the model's chat template
already applied: ChatML, Llama 3, Llama 4, Llama 2 / Mistral ``[INST]`` (with Mistral's ``[SYSTEM_PROMPT]``),
Gemma, Phi-3 / Zephyr, DeepSeek, Command-R, Granite, gpt-oss's harmony format, Alpaca's ``### Instruction:`` /
``### Response:``, Vicuna's ``USER: … ASSISTANT:``, ``Human: … Assistant:``.
Read as the question, the template's own words count: Alpaca's "Write a response that
appropriately completes the request" is a writing cue, so 3,000 GSM8K problems under it ranked
their solution steps at 0.33 instead of 0.40, below prompt length. ``split_template`` returns the
turns, so the parser scores the last user turn with the system prompt and history in their place.

A format is recognised only at the start of the text (after begin-of-text tokens); the formats
whose turn headers are plain words (``###``, ``USER:``, ``Human:``) also need the text to end with
the empty reply header a template leaves for the model, so a transcript quoted in a request, or a
question that starts with "User:", is left alone.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

#: Only the first characters are looked at to decide whether a format applies (bounded work).
HEAD_CHARS = 600
#: Turns read besides the first: the last ``MAX_TURNS`` (bounded work on a long chat log sent as one
#: text; the score reads the last user turn and the recent context).
MAX_TURNS = 256
#: Characters from the end first searched for the last ``MAX_TURNS`` turn headers (``_last_headers``).
TAIL_WINDOW = 4_096
#: A format with tokens for headers starts within this many characters (after begin-of-text
#: tokens); a plain-word format's text ends with ":" (its empty reply header) within the last.
EDGE_CHARS = 48
_BEGIN_OF_TEXT = ("<s>", "<bos>", "<|begin_of_text|>", "<|endoftext|>", "<|startoftext|>", "<BOS_TOKEN>",
                  "<｜begin▁of▁sentence｜>")
#: Bracketed headers (Mistral's) that may open a templated text; the others start with "<".
_BRACKET_MARKS = ("[INST]", "[SYSTEM_PROMPT]", "[AVAILABLE_TOOLS]")


@dataclass(frozen=True, slots=True)
class Template:
    """One prompt format: how a turn starts, what its roles are called, what to drop."""

    name: str
    #: Literals one of which the first header holds: the header regex runs only if one is in the head.
    marks: tuple[str, ...]
    #: One turn header; group 1 names the role.
    header: re.Pattern[str]
    #: Role as written (lower-cased) -> chat role; a header with another role is not this format.
    roles: Mapping[str, str]
    #: End-of-turn and begin-of-text tokens dropped from the turns' text.
    tokens: tuple[str, ...] = ()
    #: Characters allowed before the first header (a system prompt: Alpaca's preamble, DeepSeek's).
    preamble_chars: int = 0
    #: Headers that are plain words: the text must end with an empty reply header.
    plain_words: bool = False
    #: Literals one of which every header holds, for a header pattern that does not start with one (a
    #: line start, a lookbehind): headers are then looked for where these occur (``find_header``).
    anchors: tuple[str, ...] = ()


_USER_ASSISTANT = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant", "tool": "tool",
                   "function": "tool", "ipython": "tool"}
TEMPLATES: tuple[Template, ...] = (
    Template("chatml", ("<|im_start|>",), re.compile(r"<\|im_start\|>[ \t]*(\w+)[ \t]*\n?"),
             _USER_ASSISTANT, ("<|im_end|>", "<|endoftext|>")),
    Template("llama3", ("<|start_header_id|>",),
             re.compile(r"<\|start_header_id\|>[ \t]*(\w+)[ \t]*<\|end_header_id\|>[ \t]*\n*"),
             _USER_ASSISTANT, ("<|eot_id|>", "<|begin_of_text|>", "<|end_of_text|>")),
    Template("llama4", ("<|header_start|>",), re.compile(r"<\|header_start\|>[ \t]*(\w+)[ \t]*<\|header_end\|>[ \t]*\n*"),
             _USER_ASSISTANT, ("<|eot|>", "<|eom|>", "<|begin_of_text|>", "<|end_of_text|>")),
    Template("gemma", ("<start_of_turn>",), re.compile(r"<start_of_turn>[ \t]*(\w+)[ \t]*\n?"),
             {**_USER_ASSISTANT, "model": "assistant"}, ("<end_of_turn>", "<bos>", "<eos>")),
    Template("phi3", ("<|system|>", "<|user|>"), re.compile(r"<\|(system|user|assistant)\|>[ \t]*\n?"),
             _USER_ASSISTANT, ("<|end|>", "</s>", "<|endoftext|>")),
    Template("deepseek", ("<｜User｜>",), re.compile(r"<｜(User|Assistant|System)｜>"), _USER_ASSISTANT,
             ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"), preamble_chars=500),
    Template("llama2", _BRACKET_MARKS,
             re.compile(r"(\[/?(?:INST|SYSTEM_PROMPT|AVAILABLE_TOOLS|TOOL_RESULTS)\]|\[TOOL_CALLS\])[ \t]*"),
             {"[inst]": "user", "[/inst]": "assistant", "[system_prompt]": "system", "[/system_prompt]": "system",
              "[available_tools]": "system", "[/available_tools]": "system", "[tool_calls]": "assistant",
              "[tool_results]": "tool", "[/tool_results]": "assistant"}, ("<s>", "</s>")),
    Template("command_r", ("<|START_OF_TURN_TOKEN|>",),
             re.compile(r"<\|START_OF_TURN_TOKEN\|><\|(SYSTEM|USER|CHATBOT)_TOKEN\|>(?:<\|START_RESPONSE\|>)?"),
             {**_USER_ASSISTANT, "chatbot": "assistant"},
             ("<|END_OF_TURN_TOKEN|>", "<|END_RESPONSE|>", "<BOS_TOKEN>")),
    Template("granite", ("<|start_of_role|>",), re.compile(r"<\|start_of_role\|>[ \t]*(\w+)[ \t]*<\|end_of_role\|>"),
             _USER_ASSISTANT, ("<|end_of_text|>",)),
    Template("harmony", ("<|start|>",),
             re.compile(r"<\|start\|>[ \t]*(\w+)[^<\n]*(?:<\|channel\|>[^<\n]*)?(?:<\|constrain\|>[^<\n]*)?(?:<\|message\|>)?"),
             {**_USER_ASSISTANT, "functions": "tool", "browser": "tool", "python": "tool"},
             ("<|end|>", "<|return|>", "<|call|>", "<|startoftext|>")),
    Template("alpaca", ("###",),
             re.compile(r"(?:^|\n)[ \t]*###[ \t]*(Instruction|Input|Response|System|Human|Assistant|User)[ \t]*:?[ \t]*\n?",
                        re.IGNORECASE),
             {**_USER_ASSISTANT, "instruction": "user", "input": "user", "response": "assistant", "human": "user"},
             ("</s>",), preamble_chars=500, plain_words=True, anchors=("###",)),
    Template("vicuna", ("USER:", "SYSTEM:"), re.compile(r"(?:^|(?<=\s))(USER|ASSISTANT|SYSTEM):[ \t]*"),
             _USER_ASSISTANT, ("</s>",), preamble_chars=500, plain_words=True, anchors=("USER:", "ASSISTANT:", "SYSTEM:")),
    Template("human", ("Human:", "User:", "System:"), re.compile(r"(?:^|\n)[ \t]*(Human|Assistant|User|System):[ \t]*"),
             {**_USER_ASSISTANT, "human": "user"}, preamble_chars=500, plain_words=True,
             anchors=("Human:", "Assistant:", "User:", "System:")),
)
#: Llama 2's system prompt sits inside the first ``[INST]`` between these markers.
_SYS_BLOCK = re.compile(r"\A\s*<<SYS>>(.*?)<</SYS>>", re.DOTALL)


def split_template(text: str) -> tuple[str, list[dict[str, str]]] | None:
    """(the format's name, the chat messages it encodes), or ``None`` if ``text`` does not start
    with a known template. An empty final reply turn (the generation prompt) is dropped."""
    start = text[:EDGE_CHARS]
    tagged = "<" in start or any(m in start for m in _BRACKET_MARKS)
    open_reply = text[-EDGE_CHARS:].rstrip().endswith(":")
    if not (tagged or open_reply):  # nearly every prompt: two short checks
        return None
    head = text[:HEAD_CHARS]
    for template in TEMPLATES:
        if not (open_reply if template.plain_words else tagged) or not any(m in head for m in template.marks):
            continue
        messages = _messages(text, template)
        if messages is not None:
            return template.name, messages
    return None


def _messages(text: str, t: Template) -> list[dict[str, str]] | None:
    first = t.header.search(text, 0, HEAD_CHARS)
    if first is None:
        return None
    preamble = _drop(text[:first.start()], _BEGIN_OF_TEXT).strip()
    if len(preamble) > t.preamble_chars:
        return None
    turns: list[tuple[str, str]] = [("system", preamble)] if preamble else []
    for m, end in _turn_spans(text, t, first):
        role = t.roles.get(m.group(1).lower())
        if role is None:  # "<|im_start|> is a ChatML token …": a text about the format, not in it
            return None
        turns.append((role, _drop(text[m.end():end], t.tokens).strip()))
    if t.plain_words and not (turns[-1][0] == "assistant" and not turns[-1][1]):
        return None  # plain-word headers: only a prompt left open for the reply is a template
    if turns and turns[0][0] == "user" and (sys_block := _SYS_BLOCK.match(turns[0][1])):
        turns[0:1] = [("system", sys_block.group(1).strip()), ("user", turns[0][1][sys_block.end():].strip())]
    messages: list[dict[str, str]] = []
    for role, body in turns:
        if not body:
            continue
        if messages and messages[-1]["role"] == role:  # Alpaca's instruction and input are one turn
            messages[-1]["content"] += "\n\n" + body
        else:
            messages.append({"role": role, "content": body})
    return messages if any(m["role"] == "user" for m in messages) else None


def _turn_spans(text: str, t: Template, first: re.Match[str]) -> list[tuple[re.Match[str], int]]:
    """(header, end of its turn) for the first turn and the last ``MAX_TURNS``; the turns in between
    are dropped. The score reads the last user turn and the recent context (``text.CONTEXT_CHARS``),
    so a chat log of thousands of turns builds no more messages than one of 257 (10,000 one-line
    turns in 100,000 characters: 1–3 ms, was 5–14 ms)."""
    following = find_header(text, t, first.end())
    if following is None:
        return [(first, len(text))]
    later = _last_headers(text, t, following.start())
    ends = [m.start() for m in later][1:] + [len(text)]
    return [(first, following.start()), *zip(later, ends)]


def _last_headers(text: str, t: Template, start: int) -> list[re.Match[str]]:
    """The last ``MAX_TURNS`` headers of ``t`` at or after ``start``, as ``finditer`` from ``start``
    finds them, reading back from the end in windows ×4 (from ``TAIL_WINDOW``) until one holds more than
    ``MAX_TURNS`` (its first match, which a window's cut may have changed, is not among them): a text
    made of headers ("[INST]" × 16,667) walked 16,667 matches, 5 ms; it now walks ~700."""
    window = TAIL_WINDOW
    while True:
        at = max(start, len(text) - window)
        found = deque(_headers(text, t, at), maxlen=MAX_TURNS + 1)
        if at == start or len(found) > MAX_TURNS:
            return list(found)[-MAX_TURNS:]
        window *= 4


class _Anchors:
    """Where each anchor next occurs, for searches whose start only moves forward: each anchor's next hit is found
    once and kept until a search passes it, and one that occurs no more is not looked for again. Searching afresh
    from every turn re-read the text to its end for each anchor that never comes ("System:" in a "Human:/Assistant:"
    log): 195,000 characters of turns took 100 ms."""

    __slots__ = ("hits", "text")

    def __init__(self, text: str, anchors: tuple[str, ...]) -> None:
        self.text = text
        self.hits = dict.fromkeys(anchors, -2)  # -2: not looked for yet; -1: no more

    def first(self, at: int) -> int:
        """The first anchor hit at or after ``at``, or -1."""
        best = -1
        for anchor, hit in self.hits.items():
            if hit == -1:
                continue
            if hit < at:
                hit = self.hits[anchor] = self.text.find(anchor, at)
                if hit < 0:
                    continue
            if best < 0 or hit < best:
                best = hit
        return best


def find_header(text: str, t: Template, start: int, anchors: _Anchors | None = None) -> re.Match[str] | None:
    """``t.header.search(text, start)``. A plain-word header pattern starts with a line start or a
    lookbehind, which the regex engine tries at every position: 100,000 blank lines after "Human:" took
    4–6 ms to search. With ``t.anchors`` the header is tried only where an anchor occurs (``str.find``,
    C speed): at the line start before it and at the anchor itself, where these patterns' matches start.
    Successive searches of one text pass their ``anchors`` along (``_headers``)."""
    if not t.anchors:
        return t.header.search(text, start)
    anchors = anchors or _Anchors(text, t.anchors)
    at = start
    while (hit := anchors.first(at)) >= 0:
        line = text.rfind("\n", start, hit)
        for origin in (start if line < 0 else line, hit):
            if (m := t.header.match(text, origin)) is not None:
                return m
        at = hit + 1
    return None


def _headers(text: str, t: Template, start: int) -> Iterator[re.Match[str]]:
    """``t.header.finditer(text, start)`` (headers are never empty), by ``find_header``."""
    anchors = _Anchors(text, t.anchors) if t.anchors else None
    while (m := find_header(text, t, start, anchors)) is not None:
        yield m
        start = m.end()


def _drop(text: str, tokens: tuple[str, ...]) -> str:
    for token in tokens:
        if token in text:
            text = text.replace(token, "")
    return text
