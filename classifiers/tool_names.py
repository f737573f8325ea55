"""A framework's or a tool's name as the code cue of a text that has no other (version 55).

Programming requests that name a framework, a tool or a platform and no generic code word had no code cue and went to
the cheap tier: "Add a dark mode toggle to my React app." 0.29, "Write a Kubernetes deployment with three replicas and
a readiness probe." 0.36, "Why is my useEffect running twice?" 0.35 (against 0.73 for "Add pagination to my Express
API.": "API" is a code word). A text that names one (``program_words.TOOL_NAMES``: Vue, Svelte, Next.js, Terraform,
useEffect …) has one code cue when it has no other: the name tells the domain, not how much code there is (counted
at every occurrence, or beside the code words a request already has, the names moved prompts the lexicon already read
as code and cost arena_bench 0.008 of APGR). Names that are everyday words too (a market reacts, angular velocity, a
train's rails, a heart's flutter, express mail, spring break) name the tool only beside a word that makes them its
(``program_words.EVERYDAY_TOOL_NAMES``, ``TOOL_AFTER_WORDS``: "a React app", "Node.js", "Spring Boot", "in React",
"Ruby on Rails"), or, for React, Angular, Flutter and Rails, written with a capital in the middle of a sentence: "I'm
learning React, what should I build first?", "How do I share state between pages in Angular?". The capital counts not
when the word before it is capitalised too (a title, "Taylor Swift", "How Did The Market React"; the sentence's first
word excepted: "Learn React"), when the word after it is capitalised (a title, "Angular Momentum") or is one of
``NOT_TOOL_AFTER`` ("the Angular velocity"), nor when it opens a sentence ("React to the news calmly.", "Angular
momentum is conserved.").

Work is bounded: the words are read with one set intersection, each everyday name at its first ``MAX_FINDS``
positions; in the featurizer's slice each capitalised name is found with ``str.find`` at most ``MAX_FINDS`` times and
``AROUND_CHARS`` characters either side of an occurrence are read.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from classifiers.echo import material_instruction
from classifiers.lexicons import _PUNCT, _PUNCT_CHARS, lower_words, positions
from classifiers.program_words import EVERYDAY_TOOL_NAMES, TOOL_AFTER_WORDS, TOOL_BEFORE, TOOL_NAMES

__all__ = ["AROUND_CHARS", "CAPITAL_TOOLS", "MAX_FINDS", "NOT_TOOL_AFTER", "TOOL_WORK_VERBS", "USE_TO_GAP",
           "capitalised_tools", "names_a_tool", "tool_cue", "works_with_tool"]

#: Everyday words that name a framework when written with a capital mid-sentence (not "Swift", "Express", "Spring",
#: "Electron", "Apache", "Discord": a singer, a card or a newspaper, a season, a physics title, a helicopter, a chat app).
CAPITAL_TOOLS = ("React", "Angular", "Flutter", "Rails")
#: Words after one of them that keep its everyday sense: the quantities of rotation ("the Angular velocity").
NOT_TOOL_AFTER: dict[str, frozenset[str]] = {
    "angular": frozenset((
        "velocity", "velocities", "momentum", "acceleration", "frequency", "displacement", "speed", "distance",
        "resolution", "size", "diameter", "position", "deviation", "motion", "rotation", "impulse", "separation",
        "width", "magnification", "dispersion", "distribution", "coordinate", "coordinates", "variable", "shape",
        "shapes", "features", "face", "jaw", "cheilitis", "gyrus")),
}
#: Finds of each name read per text (a word like "Reaction" repeated stays cheap), and positions of each everyday name.
MAX_FINDS = 8
#: Characters read either side of an occurrence for the words beside it.
AROUND_CHARS = 60
#: What may end the text before an occurrence for it to stand mid-sentence: a letter, a digit or a comma before it.
_MID = frozenset(",")


#: Verbs of work on a program (version 64). A text whose one code cue is a tool's name asks for a program only with one
#: of them (or "write" / "build" … a thing made with the tool: ``written_code``): "Add a dark mode toggle to my React
#: app.", "Style this navbar with Tailwind …", "My Next.js page flashes … How do I fix it?". Without, the name sets the
#: domain and no more: "We are hiring! Draft a job ad for a Laravel developer in Berlin.", "I'm going to a Jupyter
#: notebook workshop tomorrow, what should I bring?", "List 5 big companies that use Firebase." read as requests for a
#: program (0.74-0.77; 0.23-0.33 before the tool names were read).
TOOL_WORK_VERBS = frozenset((
    "add", "fix", "set", "setup", "configure", "install", "deploy", "migrate", "convert", "port", "refactor", "debug",
    "style", "speed", "optimize", "optimise", "update", "upgrade", "integrate", "connect", "render", "display", "show",
    "make", "implement", "handle", "lint", "compile", "fetch", "persist", "validate", "paginate", "animate",
    "authenticate", "hide", "toggle", "disable", "enable", "replace", "remove", "center", "centre", "resize", "rename",
    "automate", "containerize", "mock",
))
#: Words read after "Use <tool>" for its "to" (version 68): "Use Spring Boot to …", "Use the Tokio runtime to …".
USE_TO_GAP = 4
#: The words that may name a tool: the tools' and the everyday names.
_TOOL_WORDS = TOOL_NAMES | EVERYDAY_TOOL_NAMES.keys() | TOOL_AFTER_WORDS.keys()
#: The words before an everyday name that make it the tool's, as word lists ("ruby|on" -> ["ruby", "on"]).
_BEFORE = TOOL_BEFORE


def names_a_tool(s: str, words: list[str], present: AbstractSet[str] | None = None) -> int:
    """1 if the text names a tool, else 0: ``words`` (its lower-cased words) hold one of ``TOOL_NAMES``, or an everyday
    name (at its first ``MAX_FINDS`` positions) before a word of its ``EVERYDAY_TOOL_NAMES`` or after words of its
    ``TOOL_AFTER_WORDS``, or the slice ``s`` has a capitalised name mid-sentence (``capitalised_tools``). ``present``:
    the set of ``words``, if known."""
    names = _TOOL_WORDS.intersection(words if present is None else present)
    if not names:
        return 1 if capitalised_tools(s) else 0
    if not TOOL_NAMES.isdisjoint(names):
        return 1
    n = len(words)
    for name in names:
        after, before = EVERYDAY_TOOL_NAMES.get(name, frozenset()), _BEFORE.get(name, ())
        for k, i in enumerate(positions(words, name)):
            if k == MAX_FINDS:
                break
            if (i + 1 < n and words[i + 1] in after) or any(words[max(0, i - len(b)):i] == list(b) for b in before):
                return 1
    return 1 if capitalised_tools(s) else 0


def tool_cue(s: str, words: list[str], text: str, present: AbstractSet[str] | None = None) -> int:
    """``names_a_tool(s, words)``; in a text that instructs over material (``echo.material_instruction``), of its
    instruction only: "Translate to Spanish: We moved our website to Firebase in May and now save $300 every month."
    is material (0.34 with "a new host"), and "Firebase" in it set the code domain, so no material (0.75; version 64)."""
    if not names_a_tool(s, words, present):
        return 0
    instruction = material_instruction(text)
    return 1 if instruction is None else names_a_tool(instruction, lower_words(instruction))


def works_with_tool(words: list[str]) -> bool:
    """Whether ``words`` hold one of ``TOOL_WORK_VERBS``, or open by telling what to use the tool for: "use" / "using"
    first and "to" among the next ``USE_TO_GAP`` + 1 words ("Use Vue to build a kanban board …", "Use Redux to manage
    undo/redo history …": 0.33 on version 64 once the name was read; version 68)."""
    return not TOOL_WORK_VERBS.isdisjoint(words) or (words[:1] in (["use"], ["using"]) and "to" in words[2:USE_TO_GAP + 2])


def capitalised_tools(s: str) -> int:
    """Occurrences in ``s`` of a name of ``CAPITAL_TOOLS`` written mid-sentence as a word, read as the framework's
    (the module's docstring); at most ``MAX_FINDS`` finds of each name."""
    n = 0
    for title in CAPITAL_TOOLS:
        p, finds = s.find(title), 0
        while p >= 0 and finds < MAX_FINDS:
            finds += 1
            q = p + len(title)
            n += _names_tool(s, p, q, title.lower())
            p = s.find(title, q)
    return n


def _starts_word(s: str, p: int) -> bool:
    return not p or s[p - 1].isspace() or s[p - 1] in _PUNCT_CHARS


def _names_tool(s: str, p: int, q: int, name: str) -> bool:
    """Whether ``s[p:q]``, the capitalised ``name``, is a word standing mid-sentence for the framework."""
    if not _starts_word(s, p) or (q < len(s) and not (s[q].isspace() or s[q] in _PUNCT_CHARS)):
        return False
    before = s[max(0, p - AROUND_CHARS):p]
    head = before.rstrip()
    if not head or not (head[-1].isalnum() or head[-1] in _MID):  # it opens a sentence, a quote, an item
        return False
    prev = head.translate(_PUNCT).split()
    if not prev:
        return False
    last = prev[-1]
    low_prev = [w.lower() for w in prev[-2:]]
    if any(low_prev[-len(parts):] == list(parts) for parts in _BEFORE.get(name, ())):
        return False  # "in React", "Ruby on Rails": read by its words
    if last[:1].isupper() and last != "I":
        opening = head[: head.rfind(last)].rstrip()  # what is before the word before: is it its sentence's first?
        if len(prev) > 1 and opening and (opening[-1].isalnum() or opening[-1] in _MID):
            return False  # a title or a name of its own ("How Did The Market React", "Taylor Swift")
    after = s[q:q + AROUND_CHARS]
    rest = after.lstrip(" \t")
    if after[:1] in (" ", "\t") and rest[:1].isalpha():
        nxt = rest.translate(_PUNCT).split()[0]
        low = nxt.lower()
        if nxt[0].isupper() or low in EVERYDAY_TOOL_NAMES.get(name, ()) or low in NOT_TOOL_AFTER.get(name, ()):
            return False
    return True
