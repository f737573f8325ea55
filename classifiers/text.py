"""Turn OpenAI chat messages into the text parts the featurizer reads.

Never raises on odd input: ``None`` content, list content parts (text parts kept,
image/audio parts ignored), non-string values, missing roles, lone surrogates.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from classifiers.answer_format import strip_answer_format
from classifiers.courtesy import strip_courtesy
from classifiers.fewshot import OPEN_TAIL_CHARS, split_few_shot, strip_question_frame, strip_reasoning_trigger
from classifiers.lexicons import SPEEDUPS
from classifiers.serialized import serialized_messages, unescape
from classifiers.templates import split_template

#: Hard cap on characters kept per conversation part (its head and tail halves): bounded work on
#: huge prompts (whole-text counts are O(n); a 1,000,000-character prompt took 7-9 ms with the cap
#: at 2,000,000). Far above every training prompt (the longest is 27,586 characters).
MAX_PART_CHARS = 200_000
#: Characters of the earlier user turns kept for the conversation context (the most recent
#: ones): enough for several turns, bounded so a long chat costs a fixed amount to score.
CONTEXT_CHARS = 20_000
#: Messages read from a long conversation: its system prompts and its last ``MAX_MESSAGES``.
MAX_MESSAGES = 1_024
#: Content parts read from a conversation, the latest messages' first: 50,000 one-letter parts in one
#: message took 9 ms to score, 2,048 messages of 48 parts 19 ms (a real request has a few).
MAX_PARTS = 2_048


@dataclass(frozen=True, slots=True)
class Conversation:
    """The parts of a conversation that matter to the score."""

    last_user: str
    system: str
    history: str
    n_user_turns: int
    n_messages: int
    #: The user turns before the last one, oldest first (their last ``CONTEXT_CHARS``). A
    #: follow-up inherits their difficulty (``classifiers.inference.CONTEXT_DECAY``).
    earlier_user: str = ""
    #: Solved examples split off a few-shot prompt (``classifiers.fewshot``), now in ``history``.
    n_examples: int = 0
    #: The chat template the prompt arrived in (``classifiers.templates``), read as its turns.
    template: str = ""
    #: A chain-of-thought trigger dropped from the end of the last user turn (``strip_reasoning_trigger``).
    dropped_trigger: str = ""
    #: Answer-format instructions dropped from its start or end (``classifiers.answer_format``).
    dropped_format: str = ""
    #: How the prompt was serialized a second time, if it was (``classifiers.serialized``): "list
    #: literal" or "escaped text"; it is read as the text it encodes.
    serialized: str = ""
    #: The assistant message right before the last user turn: a follow-up that asks to translate or
    #: rewrite it gets an answer about as long (``classifiers.echo``).
    reply: str = ""
    #: Courtesy units dropped from its start or end ("Please help me with this.", "Thanks!": ``classifiers.courtesy``).
    dropped_courtesy: str = ""


def content_text(content: Any, max_parts: int = MAX_PARTS) -> str:
    """Plain text of one message's ``content`` (str, list of parts, or None)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, bytes):
        return content.decode("utf-8", errors="replace")
    if isinstance(content, Mapping):
        content = [content]
    if isinstance(content, Sequence):
        out: list[str] = []
        for part in content[:max_parts]:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, Mapping):
                kind = part.get("type", "text")
                if kind in ("text", "input_text", "output_text"):
                    text = part.get("text")
                    if isinstance(text, str):
                        out.append(text)
                    elif isinstance(text, Mapping) and isinstance(text.get("value"), str):
                        out.append(text["value"])
        return "\n".join(out)
    return str(content)


def _safe(text: str) -> str:
    """Cap the length and drop lone surrogates so regexes and encoders never fail."""
    if len(text) > MAX_PART_CHARS:
        text = text[: MAX_PART_CHARS // 2] + "\n" + text[-MAX_PART_CHARS // 2 :]
    if text.isascii():  # O(1): no surrogates possible
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", errors="replace").decode("utf-8")
    return text


def _clean(text: str) -> str:
    """``_safe``, then a second serialization undone (``classifiers.serialized.unescape``)."""
    return unescape(_safe(text))


#: Spaces a copy from a web page or a word processor leaves (no-break, figure, thin, narrow no-break, ideographic) -> " ";
#: the full-width forms of ASCII (U+FF01-U+FF5E, an East Asian input method's "２０", "A．", "？") -> ASCII.
_CANON = {0x00A0: " ", 0x2007: " ", 0x2009: " ", 0x202F: " ", 0x3000: " ", **{c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}}
#: ``_CANON``'s characters in groups for one counting pass in C (``SPEEDUPS.count_groups``, at most 16 groups): the
#: punctuation of Chinese and Japanese prose one a group, so that such a text, which holds them all along, replaces
#: the few it holds (~5 us on 2,000 characters, where ``str.translate`` takes ~140 us: a dict lookup a character).
_CANON_GROUPS = ("，", "？", "！", "：", "；", "（）", "\u00a0\u2007\u2009\u202f\u3000", "０１２３４５６７８９",
                 "ＡＢＣＤＥＦＧＨＩＪＫＬＭ", "ＮＯＰＱＲＳＴＵＶＷＸＹＺ", "ａｂｃｄｅｆｇｈｉｊｋｌｍ", "ｎｏｐｑｒｓｔｕｖｗｘｙｚ",
                 "".join(chr(c) for c in _CANON if not chr(c).isalnum() and chr(c) not in "，？！：；（）\u00a0\u2007\u2009\u202f\u3000"))
_RE_CANON = re.compile("[" + "".join(map(chr, _CANON)) + "]")

if SPEEDUPS is not None:
    _CANON_TABLE = SPEEDUPS.count_table(tuple(tuple(g) for g in _CANON_GROUPS))

    def _canonical_chars(text: str) -> str:
        """``text.translate(_CANON)``: the groups ``_CANON_GROUPS`` counted in one C pass (~2 us on 2,000 characters),
        the characters of those present replaced one by one."""
        counts = SPEEDUPS.count_groups(_CANON_TABLE, text)
        if any(counts):
            for group, n in zip(_CANON_GROUPS, counts):
                if n:
                    for c in group:
                        text = text.replace(c, _CANON[ord(c)])
        return text
else:
    def _canonical_chars(text: str) -> str:
        """``text.translate(_CANON)``, only when one of its characters is there (a scan ~10 us on 2,000 characters)."""
        return text.translate(_CANON) if _RE_CANON.search(text) else text


#: A character reference with its ";", named or numeric (a bare "&copy" or "&not", which ``html.unescape`` reads too, stays).
_RE_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
#: One other than "&amp;" and ``_COMMON_ENTITIES``'s (those a text holds after they are replaced).
_RE_RARE_ENTITY = re.compile(r"&(?!amp;)(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
#: The references ``html.escape`` and web forms write, replaced by ``str.replace`` (~0.3 us each on 2,000 characters;
#: a regex substitution calling ``html.unescape`` costs ~1 us a reference). None decodes to "&" or ";", so replacing
#: them before "&amp;" decodes as one pass does ("&amp;quot;" -> "&quot;").
_COMMON_ENTITIES = (("&quot;", '"'), ("&#x27;", "'"), ("&#39;", "'"), ("&#34;", '"'), ("&apos;", "'"), ("&lt;", "<"),
                    ("&gt;", ">"), ("&nbsp;", "\u00a0"))
#: Markup whose entities are its own text: a tag, a comment or doctype (looked for only where a "<" is); a code
#: fence is the other sign of code.
_RE_TAG = re.compile(r"<[A-Za-z/!?]")


def _unentity(text: str) -> str:
    """``text`` with its HTML character references decoded (version 110), unless it is markup or holds code
    (``_RE_TAG``, a code fence). A web form or a scraped page sends a question so ("&quot;hey&quot;, it&#x27;s"): read as written,
    "27" was a number, ";" code syntax, and "&quot;hey" no chitchat word (a writing prompt 0.05 -> 0.43: invariance
    review inv52). Only the references are decoded (an unknown name stays as written); the common ones by
    ``str.replace`` (~3 us on 2,000 characters with 90 references), the others by ``html.unescape`` one by one."""
    if _RE_ENTITY.search(text) is None or "```" in text or ("<" in text and _RE_TAG.search(text) is not None):
        return text
    for entity, char in _COMMON_ENTITIES:
        text = text.replace(entity, char)
    if _RE_RARE_ENTITY.search(text) is not None:
        return _RE_ENTITY.sub(lambda m: html.unescape(m.group()), text)
    return text.replace("&amp;", "&")


def canonical_text(text: str) -> str:
    """``text`` with what a copy, an editor or a harness varies and the question does not made one form (version 109):
    CRLF line breaks as LF, the odd spaces and full-width ASCII forms as ASCII (``_CANON``), no leading or trailing
    white space. The features count them otherwise: blank lines around a turn count as its lines (0.33 -> 0.14),
    "A．" opens no option and "２０" is no number (a quiz 0.72 -> 0.23), a no-break space splits no words (0.52 -> 0.71;
    invariance review inv52). The last user turn is read so (``_conversation``); an ASCII text
    costs an O(1) check, a scan for "\\r" and a ``strip``, another text a counting pass in C too (``_canonical_chars``).
    Version 110: HTML character references decoded first (``_unentity``; a text without "&" costs one scan)."""
    if "&" in text:
        text = _unentity(text)
    if not text.isascii():
        text = _canonical_chars(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text.strip()


def _conversation(last: str, system: str = "", history: str = "", n_user: int = 1, n_items: int = 1,
                  earlier: str = "", reply: str = "") -> Conversation:
    """The ``Conversation``; a few-shot prompt's solved examples (``split_few_shot``) become
    history: they show how to answer, and are not a conversation the question follows up. Sentences
    saying how to answer (``strip_answer_format``), then a chain-of-thought trigger at the end of the
    question (``strip_reasoning_trigger``), are dropped. The turn is read in its canonical form (``canonical_text``) and
    without a harness's "Question: … Answer:" frame (``strip_question_frame``, after the examples are split off).
    Version 111: courtesy units at its start and end ("Please help me with this.", "Thanks!") are dropped too, before
    the format sentences (``strip_courtesy``: they would hide a format sentence or a trigger that ends the turn)."""
    last = canonical_text(last)
    split = split_few_shot(last) if ":" in last[-OPEN_TAIL_CHARS:] else None
    whole, examples = split if split is not None else (last, [])
    if examples:
        shots = "\n".join(examples)
        history = f"{history}\n{shots}" if history else shots
    plain, dropped_courtesy = strip_courtesy(strip_question_frame(whole))
    unformatted, dropped_format = strip_answer_format(plain)
    question = strip_reasoning_trigger(unformatted)
    return Conversation(question, system, history, n_user, n_items, earlier, len(examples),
                        dropped_trigger=unformatted[len(question):].strip(), reply=reply,
                        dropped_format=dropped_format, dropped_courtesy=dropped_courtesy)


def context_conversation(c: Conversation) -> Conversation:
    """The earlier user turns of ``c`` read as one prompt, as a last turn is read (few-shot examples, answer-format
    sentences and a trigger dropped): a follow-up inherits what they scored. Read raw, a harness's wrapper lifted or
    lowered what a follow-up inherited against its own turn's score."""
    return _conversation(c.earlier_user, c.system)


def _one_text(text: str, templates: bool, n_user: int = 1) -> Conversation:
    """A conversation sent as one text: a list literal is read as the messages it encodes
    (``classifiers.serialized.serialized_messages``), a templated chat as the turns it encodes."""
    messages = serialized_messages(text)
    if messages is not None:
        conv = parse_messages(messages, templates)
        return conv if conv.serialized else replace(conv, serialized="list literal")
    safe = _safe(text)
    text = unescape(safe)
    conv = (templates and _untemplated(text)) or _conversation(text, n_user=n_user)
    return conv if text is safe else replace(conv, serialized="escaped text")


def _untemplated(text: str) -> Conversation | None:
    """The conversation a prompt with a chat template applied encodes (``split_template``)."""
    found = split_template(text)
    if found is None:
        return None
    name, messages = found
    return replace(parse_messages(messages, templates=False), template=name)


def _bounded(messages: Sequence[Any]) -> Sequence[Any]:
    """The last ``MAX_MESSAGES`` messages, after the system prompts among the first ``MAX_MESSAGES``
    ones: bounded work on a request with thousands of turns (the score reads the last user turn and
    the recent context)."""
    if len(messages) <= 2 * MAX_MESSAGES:
        return messages
    head = [m for m in messages[:MAX_MESSAGES] if isinstance(m, Mapping) and m.get("role") in ("system", "developer")]
    return [*head, *messages[-MAX_MESSAGES:]]


def _system_only(items: list[tuple[str, str]]) -> int:
    """The turn of a conversation of system / developer messages only (version 109): the last one with text, made a
    user turn in ``items`` (-1 for none). OpenAI, vLLM and LiteLLM answer such a request, so its prompt is the
    question; read as a system prompt over an empty turn it scored as an empty prompt (a code task 0.93 -> 0.11,
    37 of 58 prompts changed tier: invariance review inv52). A single such message is read the same way
    (``parse_messages``)."""
    for i in range(len(items) - 1, -1, -1):
        if items[i][1]:
            items[i] = ("user", items[i][1])
            return i
    return -1


#: A user turn that only tells the model to start ("Go.", "Answer.", "Please begin."), at most ``GO_CHARS`` characters.
_RE_GO = re.compile(r"(?:(?:ok(?:ay)?|now|please)[,\s]+)*(?:go(?: ahead)?|answer(?: (?:it|this|the question|now))?|begin"
                    r"|start|proceed|respond|solve(?: it| this)?)(?:[,\s]+please)?[\s.!]*", re.IGNORECASE)
GO_CHARS = 40


def _system_question(items: list[tuple[str, str]], last_idx: int) -> int:
    """The turn of a conversation of system / developer messages and one user turn that only says "Go." or "Answer."
    (``_RE_GO``; version 110): the last system message with text, read as a system-only conversation
    (``_system_only``; the trigger dropped from ``items``). A harness that puts the question in the system prompt
    sends it so; read as a system prompt over "Answer." it scored as that word (mean move 0.30, a code task
    0.93 -> 0.24, 37 of 58 prompts changed tier: invariance review inv52). ``last_idx`` if the form does not apply."""
    text = items[last_idx][1]
    if len(text) > GO_CHARS or _RE_GO.fullmatch(text.strip()) is None:
        return last_idx
    if any(r not in ("system", "developer") for i, (r, _) in enumerate(items) if i != last_idx):
        return last_idx
    rest = items[:last_idx] + items[last_idx + 1:]
    turn = _system_only(rest)
    if turn < 0:
        return last_idx
    items[:] = rest
    return turn


def parse_messages(messages: Any, templates: bool = True) -> Conversation:
    """Split a list of chat messages into last user turn, system prompt and history. A single
    prompt that arrives with a chat template applied is read as the turns it encodes."""
    if isinstance(messages, str):
        return _one_text(messages, templates)
    if type(messages) is list and len(messages) == 1 and type(messages[0]) is dict:  # the common case
        msg = messages[0]
        role = msg.get("role")
        content = msg.get("content")
        text = content if type(content) is str else content_text(content)
        if role in ("system", "developer"):  # the prompt sent as the only message is the turn (see _system_only)
            return _one_text(text, templates) if text else Conversation("", "", "", 0, 1)
        return _one_text(text, templates, n_user=1 if role == "user" or not isinstance(role, str) else 0)
    if isinstance(messages, Mapping):
        messages = [messages]
    if not isinstance(messages, Sequence):
        return Conversation("", "", "", 0, 0)
    items: list[tuple[str, str]] = []
    parts = MAX_PARTS  # read from the latest message back: the last user turn is never starved
    for msg in reversed(_bounded(messages)):
        if type(msg) is dict or isinstance(msg, Mapping):
            role = msg.get("role")
            role = role if isinstance(role, str) else "user"
            content = msg.get("content")
            items.append((role, content_text(content, parts) if parts > 0 or isinstance(content, str) else ""))
            parts -= len(content) if isinstance(content, list) else 1
        elif isinstance(msg, str):
            items.append(("user", msg))
    items.reverse()
    last_idx = -1
    for i in range(len(items) - 1, -1, -1):
        if items[i][0] == "user":
            last_idx = i
            break
    if last_idx < 0:
        for i in range(len(items) - 1, -1, -1):
            if items[i][0] not in ("system", "developer"):
                last_idx = i
                break
    if last_idx < 0:
        last_idx = _system_only(items)
    elif len(items) > 1 and items[last_idx][0] == "user":
        last_idx = _system_question(items, last_idx)
    last = _clean(items[last_idx][1]) if last_idx >= 0 else ""
    if templates and last_idx >= 0 and items[last_idx][0] == "user" and (found := split_template(last)) is not None:
        # the last turn with a chat template applied (version 110): its turns in its place, as for a single text
        # (``_untemplated``; a two-turn chat's ChatML-wrapped follow-up 0.34 -> 0.44: invariance review inv52)
        name, turns = found
        spliced = [*({"role": r, "content": t} for r, t in items[:last_idx]), *turns,
                   *({"role": r, "content": t} for r, t in items[last_idx + 1:])]
        return replace(parse_messages(spliced, templates=False), template=name)
    system = "\n".join(t for r, t in items if r in ("system", "developer") and t)
    history = "\n".join(
        t for i, (r, t) in enumerate(items) if i != last_idx and r not in ("system", "developer") and t
    )
    n_user = sum(1 for r, _ in items if r == "user")
    earlier = "\n".join(t for i, (r, t) in enumerate(items) if i < last_idx and r == "user" and t)
    reply = items[last_idx - 1][1] if last_idx > 0 and items[last_idx - 1][0] == "assistant" else ""
    return _conversation(last, _clean(system), _clean(history), n_user, len(items),
                         _clean(earlier[-CONTEXT_CHARS:]), reply)
