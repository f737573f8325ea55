"""Code cues that are no code: the words of an output-format phrase, and everyday words in their everyday sense (50).

The code lexicon (``classifiers.lexicons``) holds words that are also everyday English: lymph nodes, a bug bite, a
restaurant's server, a needle's thread, a guitar string, a loop of rope, a typing error. One of them in a short request
that opens no question made a request for a program, with the code domain and ``written_code.REQUEST_EXTRA_CHARS`` in
the length prior: "My lymph nodes are swollen and sore. Should I see a doctor?" scored 0.74, "I got bitten by a bug
while hiking …" 0.70. Version 48 dropped such words whenever they were all the code cues and sent real requests to the
cheap tier ("Fix the memory leak in my server." 0.73 -> 0.28, "Sort the nodes topologically …" 0.74 -> 0.20): in a chat
assistant's traffic their computing sense is common, and the words beside them show it. So each occurrence is read in
its sense, inside its sentence (``SENTENCE_ENDS``): everyday when a word of its own ``EVERYDAY_MARKERS`` is within
``MARKER_WINDOW`` words (lymph nodes, spelling errors, a stomach bug, a guitar string) and no computing sign is near: a
word of ``COMPUTING_WORDS`` or of its own ``COMPUTING_BESIDE`` within ``SENSE_WINDOW`` (a tree's nodes, a thread pool,
a memory leak), a word of ``COMPUTING_BEFORE`` right before it (a for loop), an error code. A computing sign outvotes a
marker, and without a marker the computing sense stands: a computing request sent to the cheap tier costs more than an
everyday one sent to the expensive tier, so the markers are few and per word (version 50's one set of scene words, "a
bit", a table, a menu, music, kids, took "I'm a bit stuck on this bug" 0.73 -> 0.18). The words are no code only when
no occurrence has the computing sense and nothing else speaks of code (another cue, code syntax, a backtick or "=",
code in the conversation before). Only the featurizer's slice is read, only in that case, and only around at most
``MAX_EVERYDAY_CUES`` occurrences, each within ``AROUND_CHARS``.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from classifiers.lexicons import _PUNCT_CHARS, LEXICON_NAMES, lexicon_counts, lower, words_of
from classifiers.output_format import format_code_words
from classifiers.program_words import TOOL_NAMES
from classifiers.return_words import returns_ask_answers

_CODE_ID = LEXICON_NAMES.index("code")

#: Code-lexicon words with an everyday sense (each a single word of the lexicon, counted once per occurrence).
EVERYDAY_CODE_WORDS = frozenset((
    "node", "nodes", "bug", "bugs", "server", "servers", "thread", "threads", "loop", "loops",
    "error", "errors", "string", "strings",
    "rust", "java", "pandas",  # a metal's, an island's and its coffee, the bears (version 54)
))  # not "function", "return", "graph", "array", "script", "method", "index": "Create a function that returns …"
#: A text with more code cues than this is read as code whatever they are (and the check's work stays bounded).
MAX_EVERYDAY_CUES = 3
#: Words either side of an occurrence read for a computing word ("Fix the memory leak in my server": 4 words apart).
SENSE_WINDOW = 6
#: Words either side of an occurrence read for an everyday marker ("margin of error", "spelling and grammar errors").
MARKER_WINDOW = 4
#: Words that give any of them the computing sense. Left out by their everyday senses beside these words: run/running
#: ("running a fever", a running stitch), bit (a bug bit me), path, cycle (a bug's life cycle), terminal (illness),
#: windows, characters (a story's thread), event, go, c (an option letter), number, split (split the bill); and the
#: imperatives of everyday requests: list, print, sort, update, load, page, process, build, input, output ("List the
#: common causes of swollen lymph nodes.").
COMPUTING_WORDS = frozenset((
    # making, running and mending software
    "debugging", "deploy", "deployed", "deploying", "deployment", "deploys", "crash", "crashes",
    "crashed", "crashing", "install", "installed", "installing", "installation", "execute", "executes", "executed",
    "execution", "restart", "restarted", "reboot", "configure", "configured", "config",
    "configuration", "parse", "parses", "parsing", "parser", "iterate", "iterates", "iterating", "iteration",
    "iterations", "traverse", "traversal", "concatenate", "concatenation", "throws", "thrown", "handler", "handling",
    "spawn", "spawns", "spawned", "hangs", "deadlock", "deadlocks", "deadlocked", "terminates", "exits",
    "printed", "printing", "sorting", "upload", "uploads", "download", "downloads",
    "timeout", "timeouts", "overflow", "allocate", "allocation", "synchronize", "synchronization", "scheduler",
    "login", "logs", "logging",
    # things of computing
    "memory", "leak", "leaks", "request", "requests", "response", "responses", "app", "apps", "application",
    "applications", "program", "programs", "software", "computer", "computers", "laptop", "pc", "website", "websites",
    "web", "internet", "browser", "cpu", "gpu", "ram", "disk", "cache", "kernel", "mutex",
    "mutexes", "semaphore", "concurrency", "concurrent", "multithreaded", "multi-threaded", "multithreading", "heap",
    "file", "files", "directory", "folder", "char", "chars", "data", "network", "networking", "port",
    "ports", "socket", "sockets", "proxy", "http", "https", "url", "urls", "dns", "ssh", "ssl", "tls", "tcp", "udp",
    "ip", "vpn", "firewall", "router", "wifi", "endpoint", "endpoints", "backend", "frontend", "client", "clients",
    "cloud", "vm", "vms", "container", "containers", "localhost", "console", "command", "commands", "null", "undefined",
    "nan", "byte", "bytes", "vertex", "vertices", "dag", "topological", "topologically", "bfs", "dfs",
    "infinite", "iterator", "callback", "stacktrace", "traceback", "segfault", "exit", "user", "users", "traffic",
    "latency", "uptime", "downtime", "connection", "connections", "production", "prod", "staging",
    "homepage", "layout", "scrapy", "spacy", "nltk",
    "stdout", "stderr", "stdin", "offline",
    "runaway", "freezes", "freezing", "froze", "upgrade", "upgraded", "comma", "commas", "delimiter", "whitespace", "trim",
    "400", "401", "403", "404", "413", "429", "500", "502", "503", "504",
    # platforms, languages and names the lexicon leaves out (as everyday words, or as names no request for code needs)
    "js", "react", "angular", "express", "spring", "rails", "mongo", "apache", "aws", "azure", "gcp", "ec2", "ubuntu",
    "debian", "macos", "microsoft", "unix", "vscode", "swift", "elixir", "erlang", "clojure", "dart", "flutter",
    "fortran", "cobol", "jvm", "llm", "excel", "minecraft", "discord", "maven", "pthread", "pthreads", "goroutine",
    "goroutines", "coroutine", "coroutines",
)) | TOOL_NAMES  # and the tools' names (a text's code cue when it has no other: version 55)
_NODE = frozenset(("tree", "trees", "edge", "edges", "directed", "undirected", "weighted", "root", "leaf", "leaves",
                   "child", "children", "parent", "parents", "neighbor", "neighbors", "neighbour", "neighbours", "path",
                   "paths", "cycle", "cycles", "depth", "cluster", "linked", "visited", "insert", "delete"))
_THREAD = frozenset(("pool", "safe", "safety", "worker", "workers", "blocks", "blocked", "blocking", "race",
                     "starving", "starvation", "join", "joins", "lock", "locks", "locked", "sleep", "tasks"))
_LOOP = frozenset(("forever", "counter", "iterates", "break", "continue", "exits"))
_STRING = frozenset(("empty", "literal", "literals", "format", "formatting", "interpolation", "reverse", "reversed",
                     "split", "uppercase", "lowercase", "letters", "characters", "substring", "vowels",
                     "palindrome", "anagram", "encode", "encoding", "decode", "utf-8", "ascii", "unicode"))
_ERROR = frozenset(("message", "messages", "code", "codes", "log", "syntax", "raise", "raises", "throw",
                    "catch", "stack", "windows", "compiler", "occurred", "returns", "stream", "terminal", "shell",
                    "redirect", "pipe"))
_BUG = frozenset(("fix", "fixed", "fixing", "fixes", "report", "reports", "tracker", "bounty", "patch", "reproduce", "feature", "features", "version",
                  "release", "ticket", "github", "issue", "update", "qa", "tester", "testing"))
_SERVER = frozenset(("host", "hosting", "hosted", "down", "side", "rack", "room", "farm", "dedicated", "vps",
                     "windows", "restart", "returns", "database", "local", "remote", "mail", "email", "files"))
#: Words that give an occurrence the computing sense beside it (``SENSE_WINDOW``), by its word.
COMPUTING_BESIDE: dict[str, frozenset[str]] = {
    **dict.fromkeys(("node", "nodes"), _NODE), **dict.fromkeys(("thread", "threads"), _THREAD),
    **dict.fromkeys(("loop", "loops"), _LOOP), **dict.fromkeys(("string", "strings"), _STRING),
    **dict.fromkeys(("error", "errors"), _ERROR), **dict.fromkeys(("bug", "bugs"), _BUG),
    **dict.fromkeys(("server", "servers"), _SERVER),
    "rust": frozenset(("cargo", "crate", "crates", "borrow", "checker", "trait", "traits", "lifetime", "lifetimes",
                       "unsafe", "macro", "macros", "struct", "enum", "ownership", "compile", "compiles")),
    "java": frozenset(("jvm", "jar", "jdk", "maven", "gradle", "spring", "servlet", "bytecode", "android", "eclipse",
                       "intellij", "class", "classes", "compile", "compiles")),
    "pandas": frozenset(("dataframe", "dataframes", "df", "numpy", "csv", "column", "columns", "groupby", "series",
                         "import", "matplotlib", "excel", "jupyter", "index", "rows", "merge")),
}
#: Words right before an occurrence that give it the computing sense ("a for loop", "an empty string", "a web server").
COMPUTING_BEFORE = frozenset(("for", "while", "foreach", "nested", "infinite", "event", "game", "web", "empty", "worker",
                              "background", "ui", "syntax", "fatal", "unhandled", "format", "dedicated", "smtp", "ftp"))
_NODE_MARKERS = frozenset((  # nodes of the body and of a plant
    "lymph", "lymphatic", "sentinel", "axillary", "cervical", "inguinal", "swollen", "swelling", "swell", "swelled",
    "tender", "biopsy", "nodule", "nodules", "thyroid", "neck", "armpit", "groin", "throat", "jaw", "ear", "ears",
    "doctor", "infection", "fever", "cancer", "stem", "stems", "basil", "prune", "pruning", "plant", "plants"))
_BUG_MARKERS = frozenset((  # insects and bites, and a stomach bug
    "bite", "bites", "bitten", "stung", "sting", "spray", "repellent", "itchy", "itch", "bed", "stink", "lady", "june",
    "insect", "insects", "beetle", "beetles", "crawling", "stomach", "flu", "kissing", "lightning", "tomato",
    "tomatoes", "mosquito", "mosquitoes", "spider", "spiders", "ants", "fleas", "lice", "roaches", "pest", "pests",
    "exterminator"))
_SERVER_MARKERS = frozenset((  # a restaurant's server
    "waiter", "waitress", "waiters", "restaurant", "restaurants", "tipping", "tipped", "diner", "bartender",
    "busser", "hostess", "dish"))
_THREAD_MARKERS = frozenset((  # sewing, screws, a novel's thread, a thread of posts
    "sewing", "sew", "sews", "sewed", "sewn", "needle", "needles", "embroidery", "stitch", "stitches", "spool",
    "spools", "bobbin", "yarn", "fabric", "floss", "flossing", "cotton", "silk", "wool", "screw", "screws", "bolt",
    "bolts", "nut", "sheets", "bedding", "pillow", "veins", "reddit", "twitter", "tweet", "tweets", "novel",
    "narrative"))
_STRING_MARKERS = frozenset((  # an instrument's strings, string beans, a string of pearls
    "guitar", "guitars", "violin", "violins", "cello", "viola", "bass", "ukulele", "harp", "piano", "quartet",
    "orchestra", "tuning", "fret", "frets", "acoustic", "gauge", "beans", "bean", "cheese", "pearls", "beads", "kite",
    "yo-yo", "puppet", "silly", "lights", "twine", "knot", "bracelet", "necklace", "bow", "racket", "tennis"))
_LOOP_MARKERS = frozenset((  # a loop of rope or yarn, a drum loop, being in the loop
    "rope", "ropes", "belt", "belts", "earring", "earrings", "knitting", "knit", "crochet", "yarn",
    "roller", "coaster", "highway", "drum", "drums", "garageband", "ableton", "wedding", "knot", "lace"))
_ERROR_MARKERS = frozenset((  # writing, human and statistical errors
    "spelling", "grammar", "grammatical", "punctuation", "typing", "typo", "typos", "typographical", "factual",
    "scientific", "human", "clerical", "medication", "pilot", "unforced", "margin", "margins",
    "standard", "squared", "sampling", "systematic", "estimation", "experimental", "approximation",
    "truncation", "probability", "uncertainty", "confidence", "proofread", "tax"))
#: Words that fix the everyday sense of an occurrence, by its word: read within ``MARKER_WINDOW`` words of it, inside
#: its sentence. Each word has its own: a common word of computing requests ("a bit", a table, a menu, music, kids, a
#: standard library) would send them to the cheap tier when nothing else near is a listed computing word.
EVERYDAY_MARKERS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("node", "nodes"), _NODE_MARKERS), **dict.fromkeys(("thread", "threads"), _THREAD_MARKERS),
    **dict.fromkeys(("loop", "loops"), _LOOP_MARKERS), **dict.fromkeys(("string", "strings"), _STRING_MARKERS),
    **dict.fromkeys(("error", "errors"), _ERROR_MARKERS), **dict.fromkeys(("bug", "bugs"), _BUG_MARKERS),
    **dict.fromkeys(("server", "servers"), _SERVER_MARKERS),
    # a metal's rust, an island and its coffee, the bears (version 54: "There's rust on my bike chain" 0.48,
    # "flying to Java" 0.74, "pandas at the zoo" 0.70 had the code domain)
    # (not words of programmers' requests too: Rust tools, Java beans, brew install, a visitor, red cells in pandas)
    "rust": frozenset(("bike", "chain", "metal", "iron", "steel", "stain", "stains", "gate", "fence", "pipes",
                       "corrosion", "bolts", "hinges")),
    "java": frozenset(("coffee", "island", "indonesia", "bali", "sea", "travel", "flight", "flying", "volcano",
                       "volcanoes", "temples")),
    "pandas": frozenset(("zoo", "bamboo", "bear", "bears", "cubs", "habitat", "endangered", "sanctuary", "chengdu")),
}
#: Characters either side of an occurrence read for its sentence (a longer sentence is read this far).
AROUND_CHARS = 100
#: What ends a sentence: the words beside an occurrence are read up to these ("My lymph nodes are swollen. List …").
SENTENCE_ENDS = ("\n", ". ", "! ", "? ")


def _sentence_words(low: str, p: int, q: int) -> tuple[list[str], list[str]]:
    """The words before ``low[p:q]`` (an occurrence) and after it, in its sentence (cut at ``SENTENCE_ENDS``), at most
    ``AROUND_CHARS`` either side."""
    before = low[max(0, p - AROUND_CHARS):p]
    cut = max(before.rfind(e) + len(e) if e in before else 0 for e in SENTENCE_ENDS)
    after = low[q:q + AROUND_CHARS]
    end = min([after.find(e) for e in SENTENCE_ENDS if e in after] or [len(after)])
    return words_of(before[cut:]), words_of(after[:end])


def _is_word_at(low: str, p: int, q: int) -> bool:
    """Whether ``low[p:q]`` is a word of ``words_of(low)``: whitespace or punctuation (or an end) either side."""
    return ((not p or low[p - 1].isspace() or low[p - 1] in _PUNCT_CHARS)
            and (q == len(low) or low[q].isspace() or low[q] in _PUNCT_CHARS))


def _everyday(low: str, word: str, limit: int) -> bool:
    """Whether every occurrence of ``word`` (a word of ``low``, the lower-cased text; at most ``limit`` are read)
    reads in its everyday sense. Inside its sentence it needs a word of ``EVERYDAY_MARKERS[word]`` within
    ``MARKER_WINDOW`` words, and no sign of computing: a word of ``COMPUTING_BEFORE`` right before it ("a for loop"), a
    word of ``COMPUTING_WORDS`` or ``COMPUTING_BESIDE[word]`` within ``SENSE_WINDOW`` ("Fix the memory leak in my
    server"; a computing word outvotes a marker), a word with a digit after an error ("error TS2322"). Without a
    marker the computing sense stands: it is the common one in a chat assistant's traffic, and the words that show it
    are too many to list ("Why does my thread never wake up after notify?")."""
    markers, beside = EVERYDAY_MARKERS[word], COMPUTING_BESIDE[word]
    p, seen = low.find(word), 0
    while p >= 0 and seen < limit:
        q = p + len(word)
        if _is_word_at(low, p, q):
            seen += 1
            before, after = _sentence_words(low, p, q)
            if ((before and before[-1] in COMPUTING_BEFORE)
                    or markers.isdisjoint(before[-MARKER_WINDOW:] + after[:MARKER_WINDOW])):
                return False
            near = before[-SENSE_WINDOW:] + after[:SENSE_WINDOW]
            if not (COMPUTING_WORDS.isdisjoint(near) and beside.isdisjoint(near)):
                return False
            if word in ("error", "errors") and after and any(c.isdecimal() for c in after[0]):
                return False
        p = low.find(word, q)
    return True


#: More semicolons than this are code's whatever they join (a long prose list of clauses is rare; bounded work).
MAX_PROSE_SEMICOLONS = 8


def prose_semicolons(s: str, code_syntax: int) -> int:
    """How many of the ``code_syntax`` tokens counted in ``s`` are semicolons of prose, joining two clauses ("I love
    hiking; my sister prefers swimming.", version 77): all of them when every one is a semicolon (at most
    ``MAX_PROSE_SEMICOLONS``), ``s`` holds no "=", and each follows a letter and is followed by a space and a lower-case
    letter or the word "I"; else none. One in a 90-character request was read as code syntax density ("Help me fill in
    my tax return; I had two jobs …" 0.33 -> 0.76); code's end a line, follow a bracket or a digit, or come with "=",
    braces or an upper-case keyword ("FROM t; DROP TABLE")."""
    if not code_syntax or code_syntax > MAX_PROSE_SEMICOLONS or ";" not in s or "=" in s:
        return 0
    k, i = 0, s.find(";")
    while i >= 0:
        after = s[i + 1:i + 4]
        if not (s[i - 1:i].isalpha() and after[:1] == " " and (after[1:2].islower() or after[1:3] in ("I ", "I'"))):
            return 0
        k += 1
        i = s.find(";", i + 1)
    return k if k == code_syntax else 0


def not_code_cues(s: str, words: list[str], code: int, code_syntax: int, history: str = "",
                  template: tuple[str, ...] = (), present: AbstractSet[str] | None = None) -> int:
    """The code cues (of ``code``, counted over ``words``, the lower-cased words of ``s``) that are no code: those an
    output-format phrase holds (``output_format.format_code_words``), and all the rest when each is an everyday word of
    ``EVERYDAY_CODE_WORDS`` in its everyday sense at every occurrence outside such a phrase (``_everyday``; a word the
    phrase took at every occurrence is not read: "a bug bite … as a JSON array of strings"), with no code syntax
    (``code_syntax`` tokens such as braces and semicolons), no inline code in backticks, no "=", and no code in
    ``history`` (the conversation's tail before this turn: a fence, "def ", a brace; a follow-up's "one thread still
    blocks forever" is about that code). The words of answer templates (``template``, version 59) are taken too, each
    as often as the phrases or the templates hold it. ``present``: the set of ``words``, if known."""
    taken = format_code_words(s, words, code, present)
    if template and code:  # an answer template's words and the format words before it ('Return {"capital": ...}')
        taken += [w for w in set(template) for _ in range(template.count(w) - taken.count(w))]
    found = min(lexicon_counts(taken)[_CODE_ID], code) if taken else 0
    rest = code - found
    if not (0 < rest <= MAX_EVERYDAY_CUES and not code_syntax and "`" not in s and "=" not in s
            and "```" not in history and "def " not in history and "{" not in history):
        return found
    if words.count("return") - taken.count("return") == rest and returns_ask_answers(lower(s), words):
        return code  # "Return the capital and currency for Japan.", "our return policy": no program (71, 72, 76)
    everyday = [w for w in EVERYDAY_CODE_WORDS.intersection(words) if words.count(w) > taken.count(w)]
    if sum(words.count(w) - taken.count(w) for w in everyday) != rest:
        return found
    low = lower(s)
    return code if all(_everyday(low, w, words.count(w)) for w in everyday) else found
