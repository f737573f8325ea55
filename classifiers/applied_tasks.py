"""Application tasks whose work is several steps over supplied material, with no math, code or number cue (version 90).

An agent prompt that lists tools and asks for the first call, meeting notes whose relative due dates are to be turned
into calendar dates, two pasted clauses to weigh for one party, rules with exceptions applied to several cases: a small
model often fails these (an outside sweep labelled them 3-4 of 5), yet with no math, code or reasoning word their
length counted as no closed problem and they scored like chat (0.14-0.36). Each shape below needs both its material
and a question that works on it, so plain chat ("If it rains tomorrow, what should I do in London?"), extraction
("List the dates in this email"), a lookup over a policy ("What is the refund window?") and a single tool call ("You
have get_weather(city). What's the weather in Rome?") stay open. Read in the first ``APPLIED_CHARS`` characters.
"""

from __future__ import annotations

import re

from classifiers.echo import ECHO_VERBS, material_instruction
from classifiers.lexicons import lower, lower_words

__all__ = [
    "APPLIED_CHARS",
    "APPLIED_GATE",
    "CASE_ASKS",
    "COMPARED_MIN_CHARS",
    "CONDITION_WORDS",
    "CRITERION_WORDS",
    "DATE_ASKS",
    "MAX_STARTS",
    "PLAN_ASKS",
    "RELATIVE_DATES",
    "STRONG_WEIGH_ASKS",
    "STYLE_LABELS",
    "SYSTEM_PLAN_ASKS",
    "TEXT_WORK_VERBS",
    "WEIGH_ASKS",
    "applied_task",
]

#: Characters of the turn (and of the system prompt, for its tool list) read: bounded work.
APPLIED_CHARS = 2000
#: The length prior's domain gate for an application task: most of a word problem's (1.0), as a clear reasoning domain.
APPLIED_GATE = 0.75
#: A compared text's least length on its labelled line: two clauses or policies, not two headlines ("A: Big sale today").
COMPARED_MIN_CHARS = 60
#: A tool's signature: a snake_case name called with its parameters ("read_file(path)", "issue_refund(order_id, …)").
_RE_TOOL_TAIL = re.compile(r"_[a-z0-9_]*\(")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_NAME_CHARS = _LETTERS | frozenset("0123456789")
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_D = "|".join(_DAYS)
#: Each pattern below is a tuple of alternatives, each opening with a literal word at a word's start and ending at one.
#: A question about the agent's own next action or plan over those tools.
PLAN_ASKS = (*(f"{w} (?:tool|call|step|action)" for w in ("first", "next")), "which (?:tools?|of (?:these|the) tools)",
             "what (?:tools?|do you do|would you do|should you do)", "sequence of", "in what order", "plan (?:the|your|out)",
             "your plan", "step by step", "how (?:would|should|do) you handle")
#: With the tools in the system prompt only, a question about the tools themselves: a tool-using assistant's system
#: prompt comes with every turn, and "What should you do if a friend seems sad?" or "Explain step by step how to make a
#: sourdough starter" under it are chat (0.22 -> 0.46 by version 90; review_s42_rev42 H2) (version 94).
SYSTEM_PLAN_ASKS = (*(f"{w} (?:tool|call|action)" for w in ("first", "next")), "which (?:tools?|of (?:these|the|your) tools)",
                    "what tools?", "tool calls?", "plan the", "your plan")
#: A request to turn dates into calendar dates ...
DATE_ASKS = (*(f"{w} (?:[a-z]+ )?dates?" for w in ("absolute", "calendar", "actual", "exact")),
             r"convert\b[^.?!\n]{0,60}\bdates?", "date of each",
             *(f"{w} day of the month (?:is|are|will) (?:each|they|these|all)" for w in ("which", "what")))
#: ... from two or more relative ones ("next Wednesday", "two days after", "the Monday after", "by end of day"), each
#: opening with a word rarer than a number ("days after", not "two days after"; "in 3", not "in").
RELATIVE_DATES = (*(f"{w} (?:week|month|{_D})" for w in ("next", "following", "coming")),
                  *(f"{w}s? (?:after|later|before|from)" for w in (*_DAYS, "day", "week", "month")),
                  *(f"in {n} (?:days?|weeks?|months?)" for n in ("a", "one", "two", "three", "four", *(f"{d}[0-9]*" for d in "0123456789"))),
                  *(f"by {w}" for w in (*_DAYS, "end of", "the end of")), "end of (?:day|next week|the week|the month)")
#: A question that weighs the two texts for a party ("which one protects the tenant more", "who does it favour").
WEIGH_ASKS = (r"which\b[^.?!\n]{0,80}\b(?:more|less|better|worse|fairer|safer|riskier|stricter|favou?r\w*|protects?|prefer\w*)",
              r"who\b[^.?!\n]{0,40}\bfavou?rs?")
#: Labels of drafts of one's own text ("Option A", "Draft 1", "Tagline 2", "Agent: …"): which reads better, more polite
#: or more helpful is a matter of style (0.11 -> 0.59 by version 90; review_s42_rev42 H2), so they need a weighing for
#: a party or a risk (``STRONG_WEIGH_ASKS``: "which version is worse for the employee") (version 94).
STYLE_LABELS = frozenset(("option", "draft", "version", "tagline", "slogan", "headline", "title", "caption", "translation",
                          "reply", "response", "answer", "agent", "message", "email", "intro", "sentence", "paragraph"))
STRONG_WEIGH_ASKS = (r"which\b[^.?!\n]{0,80}\b(?:worse|fairer|safer|riskier|stricter|cheaper|favou?r\w*|protects?)",
                     r"who\b[^.?!\n]{0,40}\bfavou?rs?")
#: A party to the texts or a criterion of their terms, one at least: two clauses weighed for a tenant, a buyer, a risk,
#: not two descriptions for an Etsy shop (version 94).
CRITERION_WORDS = (*(f"{w}s?" for w in ("tenant", "landlord", "buyer", "seller", "customer", "client", "guest", "employee",
                                        "employer", "contractor", "vendor", "supplier", "passenger", "patient", "consumer")),
                   "for (?:me|us)", r"liab\w*", r"risk\w*", "costs?", "cheaper", r"fair\w*", r"protect\w*", r"favou?r\w*",
                   r"enforceab\w*", r"legal\w*", r"penalt\w*")
#: Exceptions and conditions that a rule applied to a case must weigh ...
#: ("cannot" only of someone's availability, "Ben cannot do Monday": "I cannot sleep unless …", "My laptop cannot
#: connect unless …" are everyday complaints; review_s42_rev42 H2, version 94)
CONDITION_WORDS = ("unless", "except", "otherwise", "only if", "provided that", "as long as", "in which case", "only after",
                   "only when", "cannot (?:do|make|attend)")
#: ... two or more, over cases the question asks to decide, or two or more records labelled alike ("PR 11: …", "PR 12: …")
#: (not "is there a": "Is there a setting I should check?" asks for advice; version 94).
CASE_ASKS = ("for each", "each (?:one|of them|case|claim|order|ticket|applicant|request)",
             "which (?:ones|orders|claims|tickets|applicants|requests|items)",
             "who (?:should|gets|qualifies|is eligible)", "works for (?:all|everyone|both)", "apply (?:these|the|this|our) (?:rules?|polic(?:y|ies)|criteria|conditions)",
             "decide (?:whether|which|who|if)")
#: A labelled line ("Clause A: …", "Seller B: …", "Old: …", "- Hotel North: …"): its label's first word, its text.
_RE_LABELLED = re.compile(r"(?m)^[ \t]*(?:[-*][ \t]*)?([a-z][a-z'-]*)(?: [a-z0-9'-]+){0,2}[ \t]*:[ \t]*(\S.*)$")
#: Label pairs that name two versions of one text.
_VERSION_PAIRS = (("old", "new"), ("before", "after"), ("current", "proposed"), ("original", "revised"))
_LITERAL = re.compile(r"[a-z0-9 ]+")
#: An anchored pattern is tried at the first this many occurrences of its literals only (bounded work: a text of 2,000
#: characters built of "which" and "unless" took 0.3 ms).
MAX_STARTS = 24


def _anchored(alternatives: tuple[str, ...]) -> tuple[tuple[str, ...], re.Pattern[str]]:
    """The literal each alternative opens with (up to a regex's first special character) and the alternatives as one pattern between word boundaries. The pattern is
    tried only where a literal occurs: ``re`` scanned 2,000 characters for such an alternation in 25-50 µs, ``str.find``
    finds a literal in ~1."""
    literals: set[str] = set()
    for alt in alternatives:
        lit = _LITERAL.match(alt).group(0)  # type: ignore[union-attr]
        literals.add(lit[:-1] if alt[len(lit):len(lit) + 1] in ("?", "*", "{") else lit)
    return tuple(sorted(literals)), re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


_PLAN, _SYSTEM_PLAN, _DATE_ASK, _RELATIVE, _WEIGH, _STRONG_WEIGH, _CRITERION, _CONDITION, _CASES = map(_anchored, (
    PLAN_ASKS, SYSTEM_PLAN_ASKS, DATE_ASKS, RELATIVE_DATES, WEIGH_ASKS, STRONG_WEIGH_ASKS, CRITERION_WORDS, CONDITION_WORDS,
    CASE_ASKS))
#: Instructions that return their material changed or summed up ("Translate into Spanish: …", "Summarize this policy
#: …:", "Fix the grammar: …"): the rules in it are the text's, no cases to decide, and its length is the material's
#: (0.40 -> 0.65-0.68 by version 90; review_s42_rev42 H2). "Convert" converts dates (version 94).
TEXT_WORK_VERBS = (frozenset(ECHO_VERBS) - {"convert", "reformat"}) | {"summarize", "summarise", "fix", "correct"}


def _count(low: str, anchored: tuple[tuple[str, ...], re.Pattern[str]], need: int) -> int:
    """The non-overlapping matches of an ``_anchored`` pattern in ``low``, as ``findall`` counts them, up to ``need``:
    the pattern matched at each of the first ``MAX_STARTS`` occurrences of a literal, in text order, from the end of the
    last match."""
    literals, pattern = anchored
    starts: set[int] = set()
    for lit in literals:
        i, k = low.find(lit), 0
        while i >= 0 and k < MAX_STARTS:
            starts.add(i)
            i, k = low.find(lit, i + 1), k + 1
    n = end = 0
    for i in sorted(starts)[:MAX_STARTS]:
        if i >= end and (m := pattern.match(low, i)) is not None:
            n, end = n + 1, m.end()
            if n >= need:
                break
    return n


def applied_task(text: str, system: str = "", writes: bool = False) -> bool:
    """Whether ``text`` (a user turn; ``system``, its system prompt, may hold the tools) sets an application task, and
    does not ask for its material back changed or summed up (``TEXT_WORK_VERBS``): two or more tools and a question
    about the next action or plan (``SYSTEM_PLAN_ASKS`` when the tools are the system prompt's); a conversion of two or
    more relative dates into calendar dates, unless the request is to write (``writes``: an email whose dates stay
    placeholders); two labelled texts of at least ``COMPARED_MIN_CHARS`` weighed for a party or criterion; or two or
    more conditions or exceptions applied to cases to decide (asked for, or records labelled alike)."""
    return _shape(lower(text[:APPLIED_CHARS]), system, writes) and not _returns_its_text(text)


def _shape(low: str, system: str, writes: bool) -> bool:
    """Whether lower-cased ``low`` has one of ``applied_task``'s four shapes."""
    own = _tools(low)
    if own + (_tools(lower(system[:APPLIED_CHARS])) if own < 2 else 0) >= 2 and _count(low, _PLAN if own >= 2 else _SYSTEM_PLAN, 1):
        return True
    if not writes and ("date" in low or "day of the month" in low) and _count(low, _DATE_ASK, 1) and _count(low, _RELATIVE, 2) >= 2:
        return True
    if ":" in low and _count(low, _WEIGH, 1) and _weighs_two_texts(low):
        return True
    return _count(low, _CONDITION, 2) >= 2 and (_count(low, _CASES, 1) > 0 or _alike(_labels(low, 1)))


def _returns_its_text(text: str) -> bool:
    """Whether ``text`` opens with an instruction over material (``material_instruction``) to translate, rewrite,
    summarize or fix it (``TEXT_WORK_VERBS``)."""
    instruction = material_instruction(text)
    return instruction is not None and not TEXT_WORK_VERBS.isdisjoint(lower_words(instruction))


def _tools(low: str) -> int:
    """Tool signatures in lower-cased ``low`` (what ``\\b[a-z][a-z0-9]*_[a-z0-9_]*\\(`` matches), at most two: found
    from their "_" (a ``re`` scan for a word's start cost 17 us on 2,000 characters of code), the name read back."""
    if "(" not in low or "_" not in low:
        return 0
    n = 0
    for m in _RE_TOOL_TAIL.finditer(low):
        j = start = m.start()
        while j and low[j - 1] in _NAME_CHARS:
            j -= 1
        if j < start and low[j] in _LETTERS and not (j and (low[j - 1].isalnum() or low[j - 1] == "_")):
            n += 1
            if n == 2:
                break
    return n


def _weighs_two_texts(low: str) -> bool:
    """Whether two labelled lines of ``low`` hold texts of ``COMPARED_MIN_CHARS`` or more under labels of one kind
    (the same first word: "Clause A" / "Clause B", "Hotel North" / "Hotel South"; or a pair of versions: old / new),
    for a party or criterion (``CRITERION_WORDS``), by ``STRONG_WEIGH_ASKS`` when every such kind is a draft's
    (``STYLE_LABELS``). The labels are read first: the criteria's many literals cost more."""
    labels = _labels(low, COMPARED_MIN_CHARS)
    kinds = {w for w in labels if labels.count(w) > 1} | {a for a, b in _VERSION_PAIRS if a in labels and b in labels}
    return bool(kinds) and _count(low, _CRITERION, 1) > 0 and (not kinds <= STYLE_LABELS or _count(low, _STRONG_WEIGH, 1) > 0)


def _labels(low: str, min_chars: int) -> list[str]:
    """The first word of each labelled line's label whose text has ``min_chars`` characters or more."""
    return [m.group(1) for m in _RE_LABELLED.finditer(low) if len(m.group(2)) >= min_chars] if ":" in low else []


def _alike(labels: list[str]) -> bool:
    """Whether two of ``labels`` are the same word."""
    return len(set(labels)) < len(labels)
