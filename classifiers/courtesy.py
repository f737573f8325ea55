"""Courtesy lines around a question are no part of it (version 111, invariance review inv53).

A user wraps a question in a sentence of pure courtesy or a help request that says nothing of what is asked: "Please
help me with this." or "Hi! I have a question:" before it, "Thanks in advance." after it, a heading of such words
("## Help needed", "# Question") over it. Read as the question's words they moved it: a code question 0.45 -> 0.78
after "Please help me with this." (its first word no longer opened a question), a trailing "Thanks!" by a learned
politeness weight (-0.24 logit), "# Question" over a chat question 0.33 -> 0.18. ``strip_courtesy`` drops such units
(``answer_format.units``: a line, split after each sentence) at the start and at the end of the last user turn, as
``answer_format.strip_answer_format`` drops a harness's format sentences, when something else is left: "Thanks!" alone
is small talk and stays, and a unit with a word of its own ("Please help me fix this segfault in my C code", "Can you
help me with my essay?") is content. Version 112 (inv53b): a lead-in on the question's own line is not read either
("Hi ChatGPT, why does …", "So, how …", "Quick question - why …", "I was wondering if …": a code question 0.38 -> 0.73,
its opening question word hidden), up to its separator (``_lead_in_end``). Version 113 (inv54): an indirect
question's frame is a lead-in too ("Can you tell me why …", "I'd like to know how …", "Can you tell me: …": "I'd like
to know why this code prints None." read as a request for a program, +0.37), as is "Hey quick question:"; thanks or a
greeting before a statement is small talk with it and stays ("Thanks, that worked!": ``_small_talk_kept``). Version 116
(cls56): a lead-in that only announces the question before it ("Explain the following:", "Answer this question:",
"Solve the following -") is not read either (``_announces``), and thanks ending a question sent without its mark or a
full stop before them ("What is a monad thanks!") are courtesy (``_thanks_after_question``). Trial cls56c (in 116): a
frame of wondering or curiosity is an indirect question's frame too ("I wonder who …", "I'm curious how …": ``_WONDER``).
"""

from __future__ import annotations

import re

from classifiers.answer_format import units, units_from_end
from classifiers.greetings import GREETINGS
from classifiers.lexicons import lower_words
from classifiers.request_question import LEAD_LABELS, unmarked_question

#: The longest unit read as courtesy, at most ``MAX_UNITS`` of them at each end, in its first or last ``SCAN_CHARS``.
COURTESY_CHARS = 80
MAX_UNITS = 3
SCAN_CHARS = 400

_HELP = r"(?:help|assistance|advice)"
#: What a help request may ask help with and still say nothing of its own: "with this", "out", and (inv56's blind
#: set: "Can you help me figure this out?" before a debugging question moved it 0.78 -> 0.61) figuring, sorting or
#: working it out, understanding it.
_THIS = (r"(?: (?:with|on) (?:this|that|something|a problem|an issue|it)| out| here"
         r"| (?:figure|sort|work) (?:this|that|it) out| understand (?:this|that|it))?")
_PLEASE = r"(?: please)?"
#: A greeting of ``greetings.GREETINGS`` or a time of day's, on ``_words``.
_GREETING = (r"(?:" + "|".join(" ".join(map(re.escape, g)) for g in GREETINGS)
             + r"|good (?:morning|afternoon|evening|day)|greetings)")
#: Whole units of courtesy, on their lower-cased ASCII words joined by one space (``_words``: "I'd" is one word).
_RE_COURTESY = re.compile(
    # thanks: "Thanks!", "Thank you so much in advance.", "Many thanks", "Any help is appreciated."
    r"(?:(?:thanks?(?: you)?|ty|thx|tia|cheers|many thanks)(?: (?:so|very) much| a lot| a ton| again| all)?"
    r"(?: in advance| for (?:your|the|any|all) (?:help|time|assistance|patience))?(?: (?:for|in) advance)?"
    r"|(?:(?:i|i'd|i would|i'll|we|we'd|we would) )?(?:really |greatly |much |very much )?appreciate(?:d)? "
    r"(?:it|any help|your help|that)"
    r"|(?:(?:any|your) )?" + _HELP + r" (?:is|would be|will be|are) (?:much |greatly |really |very |highly |most )?"
    r"(?:appreciated|welcome)|much appreciated"
    # help requests: "Please help me with this.", "Can you help me?", "I need help.", "Help needed"
    r"|(?:please )?help(?: me| us)?" + _THIS + _PLEASE +
    r"|(?:(?:hi|hey|hello|so|ok|okay) )?(?:can|could|would|will) (?:you|someone|anyone|somebody) (?:please )?"
    r"(?:help|assist)(?: me| us)?" + _THIS + _PLEASE +
    r"|(?:(?:i|we) (?:need|want|would like|could use|am looking for)|i'd like|we'd like|i'm looking for|we're looking for)"
    r" (?:some |your |a little |a bit of |urgent )?" + _HELP + _THIS + _PLEASE +
    r"|" + _HELP + r" (?:needed|wanted|please|required)"
    # a question announced: "I have a question:", "Quick question."
    r"|(?:(?:i|we) (?:have|got)|i've got|we've got|got|have) (?:a|one) (?:quick |small |simple |short )?question"
    r"(?: for you)?|(?:(?:hi|hey|hello|so|ok|okay) )?(?:a |one )?(?:quick|small|simple|short) question(?: for you)?"
    # a greeting of ``greetings.GREETINGS``, and to whom
    r"|" + _GREETING + r"(?: (?:everyone|all|guys|folks|friend|there))?"
    r"|please)")
#: Version 113: the frame of an indirect question, on ``_words``: before a separator ("Can you tell me: why …") or,
#: without one, before the embedded question's word (``_RE_BARE_LEAD``: "Do you know why …"). "Tell me about your day",
#: "Can you tell me a joke?", "Do you know Python?" and "… if / whether …" are read as written. "Explain" (bare, "Can
#: you explain", "Please explain") is no frame: it is the request, an explanation ("long answer" and "reason" cues), not
#: a wrapper around a question — "Explain why the sky is blue." dropped to "why the sky is blue." fell 0.32 -> 0.14.
#: Trial cls56c: a frame of wondering or curiosity is one too ("I wonder who invented the telephone", "I've always
#: wondered why …", "I'm curious (about) how …": read whole, 0.33 against 0.16 for "Who invented the telephone?", a
#: request for a program before "how" / "which", 0.73 against 0.37); not the past "I wondered why …" (a story), nor
#: "I'm curious" before no wh-word ("I'm curious about AI."), nor "I wonder if …" (``request_question.embedded_yes_no``).
_WONDER = (r"i wonder|(?:i'm|im|i am|i was|i've been|i have been|just) wondering|(?:i've|i have) (?:always )?wondered"
           r"|(?:i'm|im|i am) curious(?: about)?")
_FRAME = (r"(?:(?:can|could|would|will) you (?:please )?tell me|do you (?:happen to )?know"
          r"|(?:i'd|i would) like to know|i want to know|(?:please )?tell me|" + _WONDER + ")")
#: Version 116: a lead-in that announces the question ("Explain the following:", "Answer this question:", "Solve the
#: following -"), on ``_words``: read, it moved the question by its own cues ("explain" a long-answer cue, a line more):
#: "Explain the following:\nWhat is a monad?" 0.12 against 0.31 bare, "Answer this:" before a code question read as a
#: request for a program (+0.36). Dropped only before a line that asks ("?": ``_announces``): "Explain the
#: following:\n```…```" or "Explain the following code: …" is the request. Bare "Explain:" is ``_opens_question``'s.
_RE_ANNOUNCE = re.compile(r"(?:please )?(?:(?:explain|answer|solve) (?:the following|this)(?: (?:question|problem))?"
                          r"|answer (?:my|a) question)")
#: The word of an embedded question after a frame with no separator.
_EMBEDDED = r"(?:why|how|what|when|where|who|which)\b"
#: Version 112: a same-line lead-in before a separator (``_RE_LEAD_SEP``), on ``_words``, besides a ``_RE_COURTESY``
#: one: a greeting and a one-word addressee ("Hi ChatGPT,"), a discourse marker ("So,", "Well,", "Anyway,"), "I was
#: wondering,". "Hello world," and "Hello, World!" name a program (``_lead_in_end``).
_RE_LEAD_IN = re.compile(_GREETING + r" (?!world$)[a-z][a-z0-9']*"
                         r"|(?:(?:ok|okay|alright|all right) )?so|well|ok|okay|alright|all right|anyway|anyways"
                         r"|" + _FRAME)
#: Lead-ins read without a separator after them ("Ok so why …", "I was wondering if …"); "So what?" is read as written.
#: Version 114: "I was wondering if" only before "you" or a wh-word; before a statement it is the frame of an embedded
#: yes/no question, read whole (``request_question.embedded_yes_no``): dropped, "this code is thread-safe." read 0.81.
_RE_BARE_LEAD = re.compile(r"(?i)(?:(?:ok|okay|alright|all right),?\s+so|i\s+was\s+wondering\s+(?:if|whether)"
                           r"(?=\s+(?:you\b|" + _EMBEDDED + "))|"
                           + _FRAME.replace(" ", r"\s+") + r"(?=\s+" + _EMBEDDED + r"))\s+")
#: The first words of a greeting that asks ("How are you, my friend?" is small talk, no lead-in before its comma).
_ASKING = frozenset(g[0] for g in GREETINGS if g[0] not in ("hi", "hey", "hello"))
#: What ends a same-line lead-in: ":" or "," before a space, a spaced hyphen, an en or em dash.
_RE_LEAD_SEP = re.compile(r"(?:[:,](?=\s)|-(?<=\s-)-?(?=\s)|[\u2013\u2014])\s*")  # no leading \s*: 4 -> 2 us
#: The words a unit of ``_RE_COURTESY`` (or a label) opens and ends with: a text that opens (ends) with another is not
#: read at that end (a set lookup; reading its first unit cost ~5 us). tests/classifiers/test_fast_paths.py checks that
#: the gates skip no end ``_leading_end`` / ``_trailing_start`` would drop.
FIRST_WORDS = frozenset((
    "thanks", "thank", "ty", "thx", "tia", "cheers", "many", "i", "i'd", "i'll", "i've", "i'm", "we", "we'd", "we've",
    "we're", "really", "greatly", "much", "very", "appreciate", "appreciated", "any", "your", "help", "assistance",
    "advice", "please", "so", "ok", "okay", "can", "could", "would", "will", "got", "have", "a", "one", "quick", "small",
    "simple", "short", "greetings", "good", "well", "alright", "all", "anyway", "anyways", "do", "tell", "explain", "answer",
    "solve", "im", "just", *(g[0] for g in GREETINGS), *LEAD_LABELS))
#: First words of a frame that open no courtesy unit: such a text is read only when a frame's words and a separator or
#: an embedded question's word open it (an anchored match; reading a "Tell …" text's first unit took ~9 us), or an
#: announcement's words and a separator or a line break ("Explain the following:").
FRAME_WORDS = frozenset(("do", "tell", "explain", "answer", "solve", "im", "just"))
_RE_FRAME_OPEN = re.compile(r"(?i)[^A-Za-z0-9']*(?:" + _FRAME.replace(" ", r"[^A-Za-z0-9']+")
                            + r"(?:[^A-Za-z0-9']*?[:,\-\u2013\u2014]|\s+" + _EMBEDDED + ")|"
                            + _RE_ANNOUNCE.pattern.replace(" ", r"[^A-Za-z0-9']+") + r"[^A-Za-z0-9']*?[:\-\u2013\u2014\n])")
LAST_WORDS = frozenset((
    "thanks", "thank", "you", "ty", "thx", "tia", "cheers", "much", "lot", "ton", "again", "all", "advance", "help",
    "time", "assistance", "advice", "patience", "it", "that", "appreciated", "welcome", "me", "us", "this", "something",
    "problem", "issue", "out", "here", "please", "needed", "wanted", "required", "question", "assist", "greetings",
    "everyone", "guys", "folks", "friend", "there", "morning", "afternoon", "evening", "day", *(g[-1] for g in GREETINGS)))
#: Version 113: thanks or a greeting (a text's first word) before a statement with no "?" ("Thanks, that worked!", "Hi
#: Tom, the report is late again.", "Thanks! It works now.") is small talk with it and stays: dropped, the statement read
#: alone 0.25 where "Thanks, that worked!" scored 0.09.
SMALL_TALK_WORDS = frozenset(("thanks", "thank", "ty", "thx", "tia", "cheers", "many", "greetings", "good",
                              *(g[0] for g in GREETINGS)))
STATEMENT_WORDS = frozenset(("that", "that's", "thats", "this", "it", "it's", "its", "the", "everything", "you're",
                             "youre"))
#: Version 116: thanks ending a question sent without its mark or a full stop ("What is a monad thanks!", "why is the
#: sky blue, thank you"), in its last ``THANKS_CHARS`` characters: read as the question's words, their chitchat cue
#: moved it (0.31 -> 0.14; after "?" or "." they were dropped, 0.31). Not after a word that names them.
THANKS_CHARS = 40
_RE_THANKS_TAIL = re.compile(r"(?i)(?:,[ \t]*|[ \t]+)((?:thanks|thank|thx|ty|tia)\b[A-Za-z ]{0,30}[.!]*)[ \t]*\Z")
_NAMING = frozenset(("say", "says", "said", "saying", "write", "wrote", "writing", "reply", "replied", "respond",
                     "text", "send", "mean", "means", "word", "words", "of", "to", "for", "a", "an", "the", "no", "my",
                     "your", "is", "as", "like", "than", "and", "or",
                     # review56a: a verb that spells, voices or gives them, a preposition before them ("how do you spell
                     # thank you", "what rhymes with thanks", "who sang thank you", "the meaning behind thanks")
                     "spell", "spelled", "pronounce", "translate", "sign", "sing", "sings", "sang", "sung", "song",
                     "type", "express", "give", "gives", "giving", "gave", "show", "abbreviate", "rhyme", "rhymes",
                     "call", "called", "with", "before", "after", "behind", "about", "from", "in", "into", "on", "at",
                     "by", "instead", "without"))
#: Version 116's abbreviations that are also names or an acronym: read as thanks only in lower case ("can stress
#: cause TIA", "who is the actress Tia", review56a).
_NAME_LIKE = frozenset(("ty", "tia"))
#: The marks around a unit's first or last word (``_RE_PLAIN``'s but the apostrophe), and a word (``_RE_WORD``'s).
_EDGE_MARKS = " \t\n.,!?:;~*_#>-"
_RE_WORD_RUN = re.compile(r"[A-Za-z0-9']+")
#: The first word of a stretch, past its edge marks (``_lead_in_end``'s gate).
_RE_LEAD_WORD = re.compile(r"[ \t\n.,!?:;~*_#>\-]*([A-Za-z0-9']+)")
#: A unit that may be courtesy: at most ``COURTESY_CHARS`` ASCII letters, digits, spaces, an apostrophe and the
#: punctuation that ends or opens a sentence, a heading's or emphasis's marks. No quote, bracket or code mark (a unit
#: with one is material: "… Thanks.'"), no other script, no emoji: such a unit is read as written.
_RE_PLAIN = re.compile(rf"[A-Za-z0-9' \t.,!?:;~*_#>\-]{{1,{COURTESY_CHARS}}}")
_RE_WORD = re.compile(r"[a-z0-9']+")
_RE_NON_SPACE = re.compile(r"\S")
#: The first line after an announcing lead-in read (``_announces``), what may close it after its "?", and what the
#: "?" of a question does not follow (``_ends_asking``).
ASKING_CHARS = 400
_CLOSERS = " \t\r\"')]\u201d\u2019"
_NOT_ASKING = frozenset(" \t([{=+*|\\^$:")
#: Where a unit may end (``answer_format.units``) or a courtesy prefix's ":" stands, or a line.
_RE_BREAK = re.compile(r"[.!?:](?=\s)|\n")


def _words(unit: str) -> str:
    """The lower-cased words of ``unit`` joined by one space; "" if it is no ``_RE_PLAIN`` unit."""
    return " ".join(_RE_WORD.findall(unit.lower())) if _RE_PLAIN.fullmatch(unit) else ""


def _courtesy(unit: str, leading: bool) -> bool:
    """Whether ``unit`` is a whole unit of courtesy (``_RE_COURTESY``); leading, a label too ("# Question", "Task:")."""
    words = _words(unit)
    return bool(words) and (_RE_COURTESY.fullmatch(words) is not None or leading and words in LEAD_LABELS)


def _lead_in_end(text: str, pos: int, stop: int) -> int:
    """Where the same-line lead-ins opening ``text[pos:stop]`` end (``pos`` for none): courtesy or a ``_RE_LEAD_IN``
    up to a separator ("Hi! I have a question: what …", "Hey, quick question: why …", "So, how …", "Quick question -
    why …"), or a ``_RE_BARE_LEAD``. A label so ("Question: is it rude …") is the user's own writing
    (``fewshot.strip_question_frame``); "So the function returns None, why?" has no lead-in (no separator after "So").
    ``stop`` is within the scan (``SCAN_CHARS``): a separator's white space and the word after it are read no further."""
    for _ in range(MAX_UNITS):
        bare = _RE_BARE_LEAD.match(text, pos, stop)
        if bare is not None:
            pos = bare.end()
            continue
        first = _RE_LEAD_WORD.match(text, pos, stop)  # a set lookup first: most texts go on with no lead-in (~5 us)
        word = "" if first is None else first.group(1).lower()
        if word not in FIRST_WORDS:
            break
        lim = min(stop, pos + COURTESY_CHARS + 2)
        if word in _ASKING:  # "How are you, my friend?": a greeting that asks is a lead-in only before a colon
            colon = text.find(":", pos, lim)
            sep = _RE_LEAD_SEP.match(text, colon, stop) if colon > pos else None
        else:
            sep = _RE_LEAD_SEP.search(text, pos, lim)
        if sep is None or sep.start() == pos or text[sep.end():sep.end() + 5].lower() == "world":  # "Hello, World!"
            break
        words = _words(text[pos:sep.start()])
        if not words or (_RE_COURTESY.fullmatch(words) is None and _RE_LEAD_IN.fullmatch(words) is None
                         and not _announces(words, text, sep.end())):
            break
        pos = sep.end()
    return pos


def _announces(words: str, text: str, after: int) -> bool:
    """Whether ``words`` (``_words`` of a lead-in) announce the question (``_RE_ANNOUNCE``) and the first line of
    ``text`` with a word at or after ``after`` asks one: it ends with a question's "?" (``_ends_asking``), in its first
    ``ASKING_CHARS`` characters (the look is bounded: a 100,000-character line took ~4 ms)."""
    if _RE_ANNOUNCE.fullmatch(words) is None:
        return False
    start = _RE_NON_SPACE.search(text, after, after + ASKING_CHARS)
    if start is None:
        return False
    end = text.find("\n", start.start(), start.start() + ASKING_CHARS + 1)
    if end < 0 and len(text) - start.start() > ASKING_CHARS:
        return False
    return _ends_asking(text[start.start():len(text) if end < 0 else end])


def _ends_asking(line: str) -> bool:
    """Whether ``line`` ends with a question's "?" after a word, before closing quotes or brackets at most (review56a):
    a "?" inside the line or after a space, an operator or "(" is code or a quote ("a > b ? a : b;",
    "search?q=python", "fetch(url)?;", "id = ?", "(?<=", a joke's "Why …? Because …", "She asked, \"Why?\" and left"),
    and the lead-in before it is the request: dropped, "Explain the following:" over a ternary read 0.09 -> 0.68."""
    body = line.rstrip(_CLOSERS)
    bare = body.rstrip("?")
    return len(bare) < len(body) and bare[-1:] not in _NOT_ASKING


def _leading_end(text: str) -> int:
    """Where the courtesy units opening ``text`` end (0 for none), and the lead-ins opening the next unit on its line
    (``_lead_in_end``). A unit cut by the scan is not read whole."""
    end, scan = 0, min(len(text), SCAN_CHARS)
    for n, (start, stop) in enumerate(units(text, 0, scan)):
        if n == MAX_UNITS:
            break
        if not (stop == scan < len(text) and text[stop] != "\n") and (
                _courtesy(text[start:stop], leading=True) or _announces(_words(text[start:stop]), text, stop)):
            end = stop
            continue
        lead = _lead_in_end(text, start, stop)
        if lead > start and _courtesy(text[lead:stop], leading=False):  # "Hi, thanks!": a unit of courtesy
            end = stop
            continue
        return lead if lead > start else end
    return end


def _trailing_start(text: str, lo: int) -> int:
    """Where the courtesy units ending ``text`` start (``len(text)`` for none), none before ``lo``."""
    begin, scan = len(text), max(lo, len(text) - SCAN_CHARS)
    for n, (start, stop) in enumerate(units_from_end(text, scan)):
        cut = start == scan > lo and text[scan - 1] != "\n"  # at lo: a unit after the lead-ins
        if n == MAX_UNITS or cut:
            break
        if not _courtesy(text[start:stop], leading=False):
            return _thanks_after_question(text, start, stop) if n == 0 else begin
        begin = start
    return begin


def _thanks_tail(text: str, lo: int, stop: int) -> re.Match[str] | None:
    """``_RE_THANKS_TAIL``'s match in the last ``THANKS_CHARS`` characters of ``text[lo:stop]``: substring checks first
    (~0.1 us; the search took ~1 us on any text)."""
    start = max(lo, len(text) - THANKS_CHARS)
    low = text[start:stop].lower()
    if "thank" in low or "thx" in low or "ty" in low or "tia" in low:
        return _RE_THANKS_TAIL.search(text, start, stop)
    return None


def _thanks_after_question(text: str, start: int, stop: int) -> int:
    """Where thanks ending the unit ``text[start:stop]`` start (``len(text)`` for none), after a space or a comma
    (``_RE_THANKS_TAIL``), when what they follow is a question sent without its mark (``unmarked_question``) that does
    not name them (``_NAMING``: "How do you say thank you" asks about the words)."""
    m = _thanks_tail(text, start, stop)
    if m is None or not _courtesy(m.group(1), leading=False):
        return len(text)
    thanks = m.group(1).split(None, 1)[0].rstrip(".!")
    if thanks.lower() in _NAME_LIKE and not thanks.islower():
        return len(text)
    body = text[start:m.start()]
    words = lower_words(body)
    if not words or words[-1] in _NAMING or "?" in body or not unmarked_question(body.strip(), words):
        return len(text)
    return m.start()


def _small_talk_kept(text: str, head: int) -> int:
    """``head``, or 0 when what it drops opens with thanks or a greeting (``SMALL_TALK_WORDS``) and what it leaves is a
    statement (``STATEMENT_WORDS``) with no question mark: small talk, read as written."""
    if not head:
        return head
    first, word = _RE_LEAD_WORD.match(text, 0, SCAN_CHARS), _RE_LEAD_WORD.match(text, head, SCAN_CHARS)
    if first is None or first.group(1).lower() not in SMALL_TALK_WORDS:
        return head
    statement = word is not None and word.group(1).lower() in STATEMENT_WORDS
    return 0 if statement and text.find("?", head) < 0 else head


def strip_courtesy(text: str) -> tuple[str, str]:
    """(``text`` without the courtesy units at its start and end, what was dropped); ``(text, "")`` if it has none or
    if nothing with a letter or a digit would remain (courtesy alone is what is asked: small talk). A text whose first
    (last) word opens (ends) no courtesy is not read at that end (``FIRST_WORDS``, ``LAST_WORDS``), nor a unit longer
    than a courtesy unit (no ``_RE_BREAK`` in its first (last) ``COURTESY_CHARS`` characters) but for a lead-in opening
    it: a search or two each, where reading the units took ~5 us (~20 us for a long first unit); a ``FRAME_WORDS`` word
    only for a frame. Small talk before a statement stays (``_small_talk_kept``)."""
    n, span = len(text), COURTESY_CHARS + 2
    first = _RE_WORD_RUN.match(text[:span].lstrip(_EDGE_MARKS))
    word, head = "" if first is None else first.group().lower(), 0
    # The frame's match is bounded by the scan (review56a: an announcement's optional "question" after a long run
    # of spaces or marks backtracked over all of it, ~3 ms on 100,000 characters; a separator past the scan is not read).
    if word in FIRST_WORDS and (word not in FRAME_WORDS or _RE_FRAME_OPEN.match(text, 0, SCAN_CHARS)):
        if _RE_BREAK.search(text, 0, span) is not None:
            head = _leading_end(text)
        else:  # one long first unit, or a short text of one: only a lead-in may open it (reading it took ~20 us), in the
            # scan (review56a: a separator's white space, the word after it, a bare lead-in's, read to the text's end)
            lead = _RE_NON_SPACE.search(text, 0, SCAN_CHARS)
            start = 0 if lead is None else lead.start()
            head = _lead_in_end(text, start, min(n, SCAN_CHARS))
            head = 0 if head == start or _courtesy(text[head:head + COURTESY_CHARS + 1], leading=False) else head
        head = _small_talk_kept(text, head)
    tail = n
    if (_RE_BREAK.search(text, max(head, n - span)) is not None
            or _thanks_tail(text, head, n) is not None):
        last = _RE_WORD_RUN.match(text[-span:].rstrip(_EDGE_MARKS)[::-1])  # the last word, reversed
        if last is not None and last.group()[::-1].lower() in LAST_WORDS:
            tail = _trailing_start(text, head)
            if text[:tail].rstrip().endswith(":"):  # the material a colon opens: "Translate into French:\nThank you."
                tail = n
    if head == 0 and tail == len(text):
        return text, ""
    question = text[head:tail].strip()
    if not any(c.isalnum() for c in question):
        return text, ""
    return question, " ".join(part for part in (text[:head].strip(), text[tail:].strip()) if part)
