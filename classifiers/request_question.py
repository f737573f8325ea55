"""Whether a request for a program opens as a question, and so gets no ``written_code.REQUEST_EXTRA_CHARS``
(moved here from ``written_code``, version 64, with the context clause before a question)."""

from __future__ import annotations

import re

from classifiers.greetings import greeting_end
from classifiers.lexicons import LEXICON_NAMES, lexicon_counts, lower, lower_words
from classifiers.program_words import AMBIGUOUS_LANGUAGES, IN_LANGUAGES, TOOL_NAME_WORDS, TOOL_TEXTS

__all__ = ["ASK_CHARS", "CHECK_VERBS", "CODE_OBJECTS", "CONTEXT_CHARS", "CONTEXT_QUESTION_CHARS", "CONTEXT_SUBJECTS",
           "CONTEXT_VERBS", "EXCLAIMED_SUBJECTS", "IF_WORDS", "OBJECT_CHARS", "OBJECT_FILLERS", "OBJECT_WORDS", "PLEASE_WORDS", "POLITE_OPENERS",
           "PRONOUN_OBJECTS", "QUESTION_OPENERS", "QUESTION_VERBS", "TEXT_NOUNS", "TOPIC_WORDS", "UNMARKED_CHARS",
           "UNMARKED_OPENERS", "WONDER_FRAMES", "add_embedded_pair", "asks_for_code_later", "embedded_yes_no", "opens_question",
           "question_marks", "topic_end", "unmarked_question"]

#: First words of a question, to which those characters are not added: a question about code ("How do I read a
#: file line by line in Python?", "What does yield do?") is no request for a program (on arena_bench
#: such prompts fail weak models no more than the rest: mean target 0.52 vs 0.54; requests 0.61); nor
#: is a follow-up opened with "Now" ("Now do the same in Java."), which its conversation scores.
QUESTION_OPENERS = frozenset(("how", "what", "why", "when", "which", "where", "who", "is", "are", "can", "could", "does", "do",
                              "should", "would", "will", "explain", "tell", "now",
                              # contracted with "is" (version 58: "What's the difference between let and const in
                              # JavaScript?" read as a request, 0.74, "What is …" 0.41; "What’s" splits at its apostrophe)
                              "what's", "whats", "how's", "why's", "when's", "where's", "who's"))
#: A polite request is no question: "Can you write a function that …", "Could you please prove that …"
#: ask for the work as the imperative does — unless the verb asks for words about it ("Can you explain …").
POLITE_OPENERS = frozenset(("can", "could", "would", "will"))
QUESTION_VERBS = frozenset(("explain", "tell", "help", "describe"))
#: Version 114 (invariance review inv55): "please" before the opener is no word of the request; the opener decides
#: ("Please explain why this code prints None." read as a request for a program, 0.76, where "Explain why …" scored
#: 0.44; "pls explain recursion to a 10 year old." 0.74 against 0.41). A label's colon after the opener is none of its
#: word either ("Explain: what is the difference between a process and a thread?" 0.73, without the colon 0.41).
PLEASE_WORDS = frozenset(("please", "pls", "plz"))
#: Version 114: the frame of an embedded yes/no question asks it ("I'm wondering whether this code is thread-safe." 0.83
#: and "Could you check whether this code is thread-safe?" 0.82 read as requests for a program, where "Is this code
#: thread-safe?" scored 0.35): a frame of wondering, or a polite opener's "check" / "see", before "if" / "whether" (a
#: frame before "you" is a polite request: ``embedded_yes_no``; "Could you see if you can optimize this SQL query" 0.77
#: read as a question 0.45, "Could you check if you could rewrite this parser in Rust?" 0.74 as 0.41).
#: "Can you tell me if …" and "Do you know whether …" open with a question's word already.
WONDER_FRAMES = (("i'm", "wondering"), ("im", "wondering"), ("i", "am", "wondering"), ("i", "was", "wondering"),
                 ("i", "wonder"), ("just", "wondering"), ("wondering",))
_WONDER_FIRST = frozenset(f[0] for f in WONDER_FRAMES)
CHECK_VERBS = frozenset(("check", "see"))
IF_WORDS = frozenset(("if", "whether"))
#: Who a polite opener asks, a request when "?" is left off ("can you write a poem about rain"); "can dogs eat grapes"
#: asks a question (version 114: 0.30 unmarked, 0.15 with its mark).
_ADDRESSEES = frozenset(("you", "u", "someone", "somebody", "anyone", "anybody"))
#: Words no question puts after its polite opener (no subject: a negation, a bare verb): "Could not find module 'react'
#: when running npm start" is an error message (read as a question 0.42 -> 0.40, a tier crossing), "Would be great if
#: you could write …", "Can do" say something.
_NO_SUBJECTS = frozenset(("not", "never", "be", "do", "have"))
#: A first sentence saying what the asker is at ("I'm writing a Flask app.", "We are building a React app.") before a
#: question: the question is the request (version 64). "I'm writing a Flask app. How do I return JSON from a route?"
#: 0.76 and "I am building a React app. How do I add a favicon?" 0.73 read as requests for a program, where "How do I
#: return JSON from a Flask route?" is a question (and "I am writing an essay. How do I cite …?" 0.09). A statement of
#: a fault is no such clause: "My Next.js page flashes unstyled content. How do I fix it?" asks for the fix.
CONTEXT_SUBJECTS = (("i'm",), ("im",), ("i", "m"), ("i", "am"), ("we're",), ("we", "are"), ("i've", "been"))
_CONTEXT_FIRST = frozenset(s[0] for s in CONTEXT_SUBJECTS)
CONTEXT_VERBS = frozenset((
    "writing", "building", "making", "developing", "creating", "coding", "programming", "working", "using", "learning",
    "designing", "trying", "migrating", "setting", "deploying", "porting", "studying",
))
#: Characters read for the context sentence and the first words of the next one.
CONTEXT_CHARS = 200
#: The question after a context clause is the request only when it ends within this many characters (version 68: a
#: short question; what follows it may tell more, "I tried jsonify but it returns HTML.", unless it asks for the code:
#: "We're building a key-value store in Go. How should we implement Raft? Write the code for both." 0.82 -> 0.64 in
#: version 64, ``asks_for_code_later``).
CONTEXT_QUESTION_CHARS = 400
#: Characters read for a later request for the code (version 68).
ASK_CHARS = 600
_RE_SENTENCE_END = re.compile(r"[.!?]+\s+")
_RE_NON_SPACE = re.compile(r"\S")
_RE_QUESTION_END = re.compile(r"[.!?]\s")
#: A later sentence, or a clause after ", and", that asks for the code (version 68, review_s40_b H1): a question
#: "How do I avoid the ABA problem …, and can you write the full implementation?", "What's the best way to implement a
#: persistent segment tree? Write it." (0.81 -> 0.53 after a greeting) asks for the program, not only about it. "Give /
#: show (me) the code" needs "complete", "full" …: "What is a closure in JavaScript? Show me the code." asks for an
#: example (0.43 -> 0.74 as a request). Version 115: "and" before a write / build verb opens such a clause without its
#: comma ("Please explain how a B-tree rebalances after deletion and implement it in Rust." 0.52, with the comma 0.75);
#: not a polite or ", and" clause, so a question mark ends it ("How do I create and implement a class in Python?").
_RE_ASKS_CODE = re.compile(
    # a sentence's start (not after a list's number nor "e.g." / "i.e.": review_s40_c H1), a line's, a clause's
    # (each branch opens with its character, the lookbehinds after it: the engine skips to those characters, where a
    # leading "\b" or lookbehind was tried at every position, 28 us on 600 characters)
    r"(?:[.!?;](?<!\d.)(?<!e\.g.)(?<!i\.e.)\s+|\n\s*|(?P<clause>,\s*and\s+|a(?<!\wa)nd\s+(?=(?:can|could|would|will)\s))"
    r"|a(?<!\wa)nd\s+(?=(?:write|rewrite|implement|build|create|develop)\s))"
    r"(?:then\s+|also\s+|now\s+)?(?:please\s+)?(?P<polite>(?:can|could|would|will)\s+you\s+(?:please\s+|also\s+)?)?"
    r"(?:(?P<verb>write|rewrite|implement|build|create|develop)\b(?!\s*:)"
    r"|(?:give|show|provide|share|post)\s+(?:me\s+|us\s+)?(?:the\s+|a\s+)?"
    r"(?:complete|full|whole|entire|working|final)\s+(?:code|implementation|program|source)\b)")
#: The words one of which each of those requests holds (a write / build verb, or "complete", "full" … before the code).
_ASK_WORDS = ("write", "implement", "build", "create", "develop", "complete", "full", "whole", "entire", "working", "final")
#: What a later write / build verb must write to ask for the code (review_s40_c M1: "How does Git rebase work? Create a
#: cheat sheet." or "Build me a roadmap." ask for a text; "Build worked yesterday." is a report): a pronoun first ("Write
#: it.", "Implement one in Rust"), or a code object among the first ``OBJECT_WORDS`` words after the fillers, and no
#: text noun (``program_words.TOOL_TEXTS``, ``TEXT_NOUNS``) among them; not in a question ("Create a minimal repro?").
PRONOUN_OBJECTS = frozenset(("it", "one", "this", "that", "them", "both"))
CODE_OBJECTS = frozenset((
    "code", "function", "functions", "class", "classes", "script", "scripts", "program", "implementation", "method",
    "methods", "module", "solution", "query", "queries", "test", "tests", "endpoint", "endpoints", "api", "component",
    "snippet", "version", "parser", "server", "client", "app", "bot", "thing", "library", "cli", "tool", "hook",
    "route", "routes", "handler", "handlers", "middleware", "controller", "regex", "loop", "migration", "decorator",
))
TEXT_NOUNS = frozenset((
    "explanation", "summary", "description", "email", "essay", "post", "article", "comment", "note", "notes", "report",
    "guide", "tutorial", "story", "poem", "letter", "message", "paragraph", "chart", "table", "list", "diagram",
))
OBJECT_FILLERS = frozenset(("me", "us", "a", "an", "the", "full", "complete", "whole", "entire", "working", "final",
                            "same", "new", "short", "simple", "small", "quick", "corrected", "fixed", "minimal"))
OBJECT_CHARS = 80
OBJECT_WORDS = 3


#: Words that open a question a user may send without its "?" ("why is the sky blue", "how do i boil an egg"), which the
#: "questions" feature counts as one (version 107): without the mark "Why is the sky blue" scored 0.28 against 0.14.
#: Not "do" (an imperative: "Do my taxes"), the polite openers ("Can you write …" asks for the work) nor "explain",
#: "tell", "now".
UNMARKED_OPENERS = (QUESTION_OPENERS - POLITE_OPENERS - {"do", "explain", "tell", "now"}) | {"was", "were", "did", "whose", "whom"}
#: An unmarked question is one sentence on one line, of at most this many characters.
UNMARKED_CHARS = 200


def unmarked_question(text: str, words: list[str]) -> bool:
    """Whether ``text``, a user turn without "?" (``words``: its lower-cased words), is a question sent without its
    mark: one sentence on one line of at most ``UNMARKED_CHARS`` characters, opened by ``UNMARKED_OPENERS``."""
    if len(text) > UNMARKED_CHARS or not words or not (
            words[0] in UNMARKED_OPENERS or words[0] in POLITE_OPENERS and words[1:2] and words[1] not in _ADDRESSEES
            and words[1] not in _NO_SUBJECTS
            or embedded_yes_no(words)):
        return False
    body = text.strip().rstrip(".!")
    return "\n" not in body and _RE_SENTENCE_END.search(body) is None


def opens_question(words: list[str], text: str = "") -> bool:
    """Whether the first word opens a question, a polite request ("Can you [please] write …") excepted; after a
    connective ("Now", "Then") the next word decides: "Now do the same in Java." follows up, "Now show that …
    by induction" asks for a proof (it read as a question: 0.47, against 0.75 without "Now"); so does the word after a
    greeting ("Whats up, implement …", "How's it going? I need …": version 62). Or the first sentence of ``text`` (the
    text ``words`` come from) is a context clause (``CONTEXT_SUBJECTS`` + ``CONTEXT_VERBS``) and the next one opens a
    question."""
    return _opens_question(words, text) and not (text and asks_for_code_later(text))


def asks_for_code_later(text: str) -> bool:
    """Whether a sentence after the first of ``text`` (its first ``ASK_CHARS`` characters), or a clause after ", and",
    opens by asking for the code: a write / build verb with code to write (``_writes_a_code_object``: "Write it.", "and
    write the whole thing", "can you write the function"), "give (me) the complete / full code" (version 68; not "show
    me the code": an example for a question). A question that also asks for the code is a request for the program."""
    low = lower(text[:ASK_CHARS])
    if not any(word in low for word in _ASK_WORDS):
        return False
    for m in _RE_ASKS_CODE.finditer(low):
        if m.group("verb") is None or _writes_a_code_object(low[m.end():m.end() + OBJECT_CHARS],
                                                                 bool(m.group("polite") or m.group("clause"))):
            return True
    return False


def _writes_a_code_object(after: str, asked: bool) -> bool:
    """Whether the words ``after`` a later write / build verb, to its sentence's end, name code to write (the
    ``CODE_OBJECTS`` comment); a question mark ends a polite request or a question's ", and" clause too (``asked``: "can
    you write the full implementation?", "What's the cleanest way …, and write the whole thing with tests?")."""
    stop = next((k for k, c in enumerate(after) if c in ".!?\n"), len(after))
    if after[stop:stop + 1] == "?" and not asked:
        return False
    words = [w for w in lower_words(after[:stop]) if w not in OBJECT_FILLERS][:OBJECT_WORDS]
    if not words:
        return False
    if words[0] in PRONOUN_OBJECTS:
        return True
    return not CODE_OBJECTS.isdisjoint(words) and TEXT_NOUNS.isdisjoint(words) and TOOL_TEXTS.isdisjoint(words)


#: A topic named before the question: a label ending in ":" in the first ``TOPIC_WORDS`` words that names a language or
#: a tool ("python: how do I …", "Pandas question: how …"; not "Note:", "Task:", "Context:": review rev43 M5), or "in" /
#: "using" / "with" / "for" a language or tool ("In Python, how do I print hello world?" read as a request for a program,
#: 0.70, where "How do I print hello world in Python?" is a question, 0.33; sweep43), there an ambiguous language's name
#: too ("In C, how …", "In Go, how …": a question whatever the name means), an owner before it and a noun of code after
#: it ("In my Python code, how …", "For our React app, why …"; review rev43, session 44).
TOPIC_WORDS = 3
_TOPIC_LEADS = frozenset(("in", "using", "with", "for"))
_TOPIC_OWNERS = frozenset(("my", "our", "a", "the"))
_TOPIC_NOUNS = frozenset(("code", "codebase", "project", "app", "script", "program", "notebook"))
_TOPIC_NAMES = IN_LANGUAGES | TOOL_NAME_WORDS
_LEAD_NAMES = _TOPIC_NAMES | AMBIGUOUS_LANGUAGES
#: The most words a topic and the question's first word take ("in my python code how").
TOPIC_SPAN = 5


def topic_end(words: list[str]) -> int:
    """Where ``words`` go on past a topic named before a question (0 for none; see ``TOPIC_WORDS``)."""
    for k, w in enumerate(words[:TOPIC_WORDS]):
        if w.endswith(":"):
            named = any(n.rstrip(":") in _TOPIC_NAMES for n in words[:k + 1])
            return k + 1 if named and k + 1 < len(words) and words[k + 1] in QUESTION_OPENERS else 0
    if not words or words[0] not in _TOPIC_LEADS:
        return 0
    k = 2 if len(words) > 1 and words[1] in _TOPIC_OWNERS else 1
    if k >= len(words) or words[k] not in _LEAD_NAMES:
        return 0
    k += 2 if k + 1 < len(words) and words[k + 1] in _TOPIC_NOUNS else 1
    return k if k < len(words) and words[k] in QUESTION_OPENERS else 0


#: Labels a harness or a markdown heading puts before the question ("## Question", "Task:"), and the most leading
#: words read as a heading: ones with no letter or digit ("##", "**", "-", an emoji) or these labels (version 109).
LEAD_LABELS = frozenset(("question", "q", "problem", "task", "prompt", "input", "instruction"))
MAX_LEAD_WORDS = 3
#: Words read after a heading: the greetings, a topic and the opener's five (``_opens_question``), with room to spare.
_AFTER_LEAD_WORDS = 24


def lead_end(words: list[str]) -> int:
    """Where ``words`` go on past a heading, a label or an emoji that opens them (``LEAD_LABELS``, ``MAX_LEAD_WORDS``):
    none is a word of the question. A code question so opened read as a request for a program (its length prior
    245 characters more: "## Question\nWhy does this code print None? …" 0.45 -> 0.76, "🤔 Why …" too; invariance
    review inv52). A first word of letters that is no label (nearly every text) is one check."""
    i = 0
    while i < MAX_LEAD_WORDS and i < len(words) and (
            words[i].rstrip(":") in LEAD_LABELS or not any(c.isalnum() for c in words[i])):
        i += 1
    return i


def embedded_yes_no(words: list[str]) -> bool:
    """Whether ``words`` open with a frame of wondering before "if" / "whether" (``WONDER_FRAMES``), not before "you":
    "I wonder if you could write me a sorting function in Rust." is a polite request (read as a question: 0.75 -> 0.42)."""
    if not words or words[0] not in _WONDER_FIRST:  # a set lookup: nearly every text
        return False
    return any(words[:len(f)] == list(f) and words[len(f):len(f) + 1] != [] and words[len(f)] in IF_WORDS
               and words[len(f) + 1:len(f) + 2] not in (["you"], ["u"]) for f in WONDER_FRAMES if words[0] == f[0])


#: Trial cls56b (feature 116; no training prompt opens so): an embedded wh-question opening the turn as read ("Tell me when the Roman Empire fell" is
#: read "when the Roman Empire fell" once its frame is dropped, "what a monad is", "where the Louvre is", "who Alan Turing
#: was") counts the knowledge pair its direct form opens with ("when did", "what is", "where is", "who was": the
#: lexicon's pairs, ``EMBEDDED_PAIRS``): without them it scored 0.16 against 0.29 for "When did the Roman Empire fall?".
#: The clause is the first sentence, in its first ``EMBEDDED_CHARS`` characters, of plain words (no comma, no code); its
#: verb comes after a subject of one word or more: for "what" / "who" / "where" a form of "be" ending it (or before
#: ``BE_FOLLOWERS``: "what a closure is in JavaScript"), no auxiliary or relative word before it ("What I mean is that
#: …", "Who painted the picture that is …" say or ask otherwise); for "when" a past verb (``PAST_VERBS`` or "-ed"),
#: with no auxiliary in the clause ("when the printing press was invented" asks "when was …", no pair) nor a subject
#: pronoun after it ("When I ran the tests they failed" tells a story). Review56c: nor a title, its verb capitalized
#: ("When Harry Met Sally", "Who the Man Is"), nor a "when" clause before a main clause, a second past verb not after
#: "and" / "or" ("When the war ended the soldiers returned home."), nor an exclamation, "what a" and a pronoun before
#: "is" ("What a disaster this is!"): each had the pair, +0.08 to +0.20.
EMBEDDED_CHARS = 120
EMBEDDED_WH = ("what", "who", "where", "when")
_BE = frozenset(("is", "are", "was", "were"))
_KNOWLEDGE = LEXICON_NAMES.index("knowledge")
EMBEDDED_PAIRS = frozenset((wh, verb) for wh in EMBEDDED_WH for verb in (*_BE, "did") if lexicon_counts([wh, verb])[_KNOWLEDGE])
_AUXILIARIES = frozenset((*_BE, "am", "be", "been", "do", "does", "did", "can", "could", "will", "would", "shall",
                          "should", "may", "might", "must", "has", "have", "had", "'s", "'re"))
_CLAUSE_BREAKS = frozenset(("that", "which", "who", "whom", "whose", "if", "whether", "when", "where", "what", "why",
                            "how", "because", "than"))
BE_FOLLOWERS = frozenset(("in", "on", "at", "used", "located", "called", "known", "made", "like", "and", "today", "now"))
PAST_VERBS = frozenset((
    "fell", "began", "became", "came", "went", "won", "lost", "sank", "rose", "broke", "split", "took", "built", "wrote",
    "made", "fought", "left", "found", "got", "gave", "struck", "hit", "arose", "froze", "spoke", "led", "held", "met",
    "saw", "ran", "grew", "drew", "flew", "threw", "knew", "sold", "told", "bought", "brought", "taught", "thought",
    "stood", "sat", "set", "shot", "swam", "rang", "sang", "wore", "tore", "ate", "drank", "fled"))
_SUBJECT_PRONOUNS = frozenset(("i", "you", "he", "she", "it", "we", "they"))
EXCLAIMED_SUBJECTS = _SUBJECT_PRONOUNS | {"this", "these", "those"}
_RE_CLAUSE = re.compile(r"[A-Za-z0-9' \t-]+")
_WH_STARTS = tuple(wh + c for wh in EMBEDDED_WH for c in " \t")


def add_embedded_pair(counts: list[int], text: str) -> list[int]:
    """``counts`` (of ``lexicon_counts``) with the knowledge pair of the embedded wh-question that opens ``text``, if one
    does (``EMBEDDED_PAIRS``' comment): a string test first, nearly every text opens otherwise."""
    head = text[:EMBEDDED_CHARS].lstrip()
    if head[:6].lower().startswith(_WH_STARTS):
        counts[_KNOWLEDGE] += _embedded_pair(head, len(text) > EMBEDDED_CHARS)
    return counts


def _embedded_pair(head: str, cut: bool) -> bool:
    """Whether ``head`` (``cut``: the text goes on past it) opens with such a clause."""
    m = _RE_CLAUSE.match(head)
    end = m.end() if m else 0
    if end < len(head) and head[end] not in ".!?\n" or end == len(head) and cut:
        return False  # a comma, code or a cut: no clause of plain words (or it runs on past the window)
    written = head[:end].split()
    words = [w.lower() for w in written]
    wh = words[0]
    if wh == "when":
        if not _AUXILIARIES.isdisjoint(words):
            return False
        past = [k for k, w in enumerate(words[2:], 2) if (w in PAST_VERBS or (len(w) > 3 and w.endswith("ed")
                and not w.endswith("eed"))) and not written[k].istitle()]  # "Met" of a title, "United" of a name
        main = any(words[k - 1] not in ("and", "or") for k in past[1:])  # "When the war ended the soldiers returned"
        return bool(past) and not main and _SUBJECT_PRONOUNS.isdisjoint(words[2:]) and (wh, "did") in EMBEDDED_PAIRS
    k = next((k for k in range(1, len(words)) if words[k] in _AUXILIARIES or words[k] in _CLAUSE_BREAKS), 0)
    return (k >= 2 and (wh, words[k]) in EMBEDDED_PAIRS and (k + 1 == len(words) or words[k + 1] in BE_FOLLOWERS)
            and not written[k].istitle() and not (words[1] in ("a", "an") and words[k - 1] in EXCLAIMED_SUBJECTS))


#: A run of question marks: "Why??" asks one question (version 114: each "?" counted, "Can dogs eat grapes??" 0.09
#: against 0.15 with one).
_RE_MARKS = re.compile(r"\?+")


def question_marks(text: str) -> int:
    """The questions ``text`` marks: its runs of "?" (a count of the marks, and a search only when two stand together)."""
    n = text.count("?")
    return len(_RE_MARKS.findall(text)) if n > 1 and "??" in text else n


def _opens_question(words: list[str], text: str) -> bool:
    """``opens_question`` without the later request for the code; a heading before it skipped (``lead_end``)."""
    lead = lead_end(words) if words and (not words[0].isalpha() or words[0] in LEAD_LABELS) else 0
    if lead:
        words = words[lead:lead + _AFTER_LEAD_WORDS]  # a bounded copy, only after a heading
    start = greeting_end(words)
    if start < len(words) and words[start] in PLEASE_WORDS and words[start + 1:start + 2] != ["do"]:
        start += 1  # "Please explain …"; "Please do …" asks for the work as "Do …" does not (an auxiliary's question)
    start += topic_end(words[start:start + TOPIC_SPAN])
    words = words[start:start + 7]  # the opener, "you", "please", the verb, "if", "you"; one more after "Now" (no copy)
    if words[:1] in (["now"], ["then"]) and len(words) > 1:
        words = words[1:]
    if not words or words[0] not in QUESTION_OPENERS and not (words[0][-1:] == ":" and words[0][:-1] in QUESTION_OPENERS):
        return embedded_yes_no(words) or bool(text) and _context_then_question(words, text)
    if words[0] not in POLITE_OPENERS or words[1:2] != ["you"]:
        return True
    k = 3 if words[2:3] == ["please"] else 2
    verb = words[k:k + 1]
    checks = (verb != [] and verb[0] in CHECK_VERBS and words[k + 1:k + 2] != [] and words[k + 1] in IF_WORDS
              and words[k + 2:k + 3] not in (["you"], ["u"]))  # "Could you see if you can optimize …" asks for the work
    return not verb or verb[0] in QUESTION_VERBS or checks


def _context_then_question(words: list[str], text: str) -> bool:
    """Whether ``text`` opens with a context clause, its sentence ended within ``CONTEXT_CHARS`` characters, and the
    next sentence opens a question (``opens_question`` of its first words) and ends within ``CONTEXT_QUESTION_CHARS``
    characters (version 68)."""
    if not words or words[0] not in _CONTEXT_FIRST:
        return False
    k = next((len(s) for s in CONTEXT_SUBJECTS if words[:len(s)] == list(s)), 0)
    if not k or words[k:k + 1] == [] or words[k] not in CONTEXT_VERBS:
        return False
    end = _RE_SENTENCE_END.search(text, 0, CONTEXT_CHARS)
    if end is None:
        return False
    # a short question (version 68): it ends (".", "!" or "?" and a space, or the text's end) within
    # CONTEXT_QUESTION_CHARS characters; what follows it may tell more ("I tried jsonify but it returns HTML.")
    e = end.end()
    rest = text[e:e + CONTEXT_QUESTION_CHARS + 1]
    if _RE_QUESTION_END.search(rest) is None and _RE_NON_SPACE.search(text, e + CONTEXT_QUESTION_CHARS):
        return False
    return _opens_question(lower_words(rest[:40])[:4], "")
