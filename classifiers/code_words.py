"""Code cues that are no code: the words of an output-format phrase, and everyday words in their everyday sense (50).

The code lexicon (``classifiers.lexicons``) holds words that are also everyday English: lymph nodes, a bug bite, a
restaurant's server, a needle's thread, a guitar string, a loop of rope, a typing error. One of them in a short request
that opens no question made a request for a program, with the code domain and ``written_code.REQUEST_EXTRA_CHARS`` in
the length prior: "My lymph nodes are swollen and sore. Should I see a doctor?" scored 0.74, "I got bitten by a bug
while hiking …" 0.70. Version 48 dropped such words whenever they were all the code cues and sent real requests to the
cheap tier ("Fix the memory leak in my server." 0.73 -> 0.28, "Sort the nodes topologically …" 0.74 -> 0.20): in a chat
assistant's traffic their computing sense is common, and the words beside them show it. So each occurrence is read in
its sense: computing when a word of ``COMPUTING_WORDS`` (or of its own ``COMPUTING_BESIDE``: a tree's nodes, a thread
pool, a for loop, an error code) is within ``SENSE_WINDOW`` words, unless a word of ``EVERYDAY_MARKERS`` within
``MARKER_WINDOW`` fixes the everyday sense (lymph nodes, spelling errors, a stomach bug, a guitar string). The words are
no code only when no occurrence has the computing sense and nothing else speaks of code (another cue, code syntax, a
backtick or "=", code in the conversation before). Only the featurizer's slice is read, only in that case, and only
around at most ``MAX_EVERYDAY_CUES`` occurrences.
"""

from __future__ import annotations

from classifiers.lexicons import positions
from classifiers.output_format import format_code_cues

#: Code-lexicon words with an everyday sense (each a single word of the lexicon, counted once per occurrence).
EVERYDAY_CODE_WORDS = frozenset((
    "node", "nodes", "bug", "bugs", "server", "servers", "thread", "threads", "loop", "loops",
    "error", "errors", "string", "strings",
))  # not "function", "return", "graph", "array", "script", "method", "index": "Create a function that returns …"
#: A text with more code cues than this is read as code whatever they are (and the check's work stays bounded).
MAX_EVERYDAY_CUES = 3
#: Words either side of an occurrence read for a computing word ("Fix the memory leak in my server": 4 words apart).
SENSE_WINDOW = 6
#: Words either side of an occurrence read for an everyday marker ("margin of error", "spelling and grammar errors").
MARKER_WINDOW = 5
#: Words that give any of them the computing sense. Left out by their everyday senses beside these words: run/running
#: ("running a fever", a running stitch), bit (a bug bit me), path, cycle (a bug's life cycle), terminal (illness),
#: windows, characters (a story's thread), event, go, c (an option letter), number, split (split the bill).
COMPUTING_WORDS = frozenset((
    # making, running and mending software
    "debugging", "deploy", "deployed", "deploying", "deployment", "deploys", "crash", "crashes",
    "crashed", "crashing", "install", "installed", "installing", "installation", "execute", "executes", "executed",
    "execution", "build", "builds", "restart", "restarted", "reboot", "configure", "configured", "config",
    "configuration", "parse", "parses", "parsing", "parser", "iterate", "iterates", "iterating", "iteration",
    "iterations", "traverse", "traversal", "concatenate", "concatenation", "throws", "thrown", "handler", "handling",
    "spawn", "spawns", "spawned", "hangs", "deadlock", "deadlocks", "deadlocked", "terminates", "exits", "print",
    "prints", "printed", "printing", "sort", "sorted", "sorting", "upload", "uploads", "download", "downloads",
    "timeout", "timeouts", "overflow", "allocate", "allocation", "synchronize", "synchronization", "scheduler",
    "login", "logs", "logging",
    # things of computing
    "memory", "leak", "leaks", "request", "requests", "response", "responses", "app", "apps", "application",
    "applications", "program", "programs", "software", "computer", "computers", "laptop", "pc", "website", "websites",
    "web", "internet", "browser", "cpu", "gpu", "ram", "disk", "cache", "kernel", "process", "processes", "mutex",
    "mutexes", "semaphore", "concurrency", "concurrent", "multithreaded", "multi-threaded", "multithreading", "heap",
    "file", "files", "directory", "folder", "input", "output", "char", "chars", "data", "network", "networking", "port",
    "ports", "socket", "sockets", "proxy", "http", "https", "url", "urls", "dns", "ssh", "ssl", "tls", "tcp", "udp",
    "ip", "vpn", "firewall", "router", "wifi", "endpoint", "endpoints", "backend", "frontend", "client", "clients",
    "cloud", "vm", "vms", "container", "containers", "localhost", "console", "command", "commands", "null", "undefined",
    "nan", "byte", "bytes", "list", "lists", "vertex", "vertices", "dag", "topological", "topologically", "bfs", "dfs",
    "infinite", "iterator", "callback", "stacktrace", "traceback", "segfault", "exit", "user", "users", "traffic",
    "latency", "uptime", "downtime", "connection", "connections", "page", "pages", "load", "production", "prod", "staging",
    "runaway", "freezes", "freezing", "froze", "update", "updates", "updated", "upgrade", "upgraded", "comma", "commas", "delimiter", "whitespace", "trim",
    "400", "401", "403", "404", "413", "429", "500", "502", "503", "504",
    # tools, platforms and languages the lexicon leaves out (as everyday words, or as names it does not list)
    "js", "npm", "nodejs", "react", "vue", "angular", "express", "spring", "rails", "laravel", "redis", "postgres",
    "postgresql", "mysql", "sqlite", "mongodb", "mongo", "nginx", "apache", "tomcat", "aws", "azure", "gcp", "ec2",
    "ubuntu", "debian", "macos", "microsoft", "unix", "powershell", "vscode", "swift", "elixir", "erlang", "clojure",
    "dart", "flutter", "fortran", "cobol", "wasm", "graphql", "grpc", "websocket", "websockets", "jvm", "llm", "excel",
    "vba", "minecraft", "discord", "gradle", "maven", "cmake", "gcc", "clang", "valgrind", "gdb", "pthread", "pthreads",
    "goroutine", "goroutines", "coroutine", "coroutines", "tokio", "asyncio",
))
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
                    "catch", "stack", "windows", "compiler", "occurred", "returns"))
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
}
#: Words right before an occurrence that give it the computing sense ("a for loop", "an empty string", "a web server").
COMPUTING_BEFORE = frozenset(("for", "while", "foreach", "nested", "infinite", "event", "game", "web", "empty", "worker",
                              "background", "ui", "syntax", "fatal", "unhandled", "format", "dedicated", "smtp", "ftp"))
#: Words that fix the everyday sense of an occurrence within ``MARKER_WINDOW`` words, whatever else is near.
EVERYDAY_MARKERS = frozenset((
    # nodes of the body and of a plant
    "lymph", "lymphatic", "sentinel", "axillary", "cervical", "inguinal", "swollen", "swelling", "tender", "biopsy",
    "nodule", "stem", "thyroid",
    # bugs and bites, and a stomach bug
    "bite", "bites", "bitten", "bit", "stung", "sting", "spray", "repellent", "itchy", "itch", "bed", "stink", "lady",
    "june", "water", "hotel", "garden", "insect", "insects", "beetle", "beetles", "crawling", "stomach", "flu", "travel",
    "kissing", "lightning", "habit",
    # a restaurant's server, a tennis serve
    "waiter", "waitress", "waiters", "restaurant", "restaurants", "tip", "tipping", "diner", "bartender",
    "busser", "hostess", "table", "tables", "menu", "shift", "tennis", "volleyball",
    # sewing, knitting, screws and online discussions
    "sewing", "sew", "needle", "needles", "embroidery", "stitch", "stitches", "spool", "bobbin", "yarn", "fabric",
    "floss", "flossing", "cotton", "silk", "wool", "screw", "screws", "bolt", "bolts", "nut", "pitch", "reddit",
    "twitter", "forum", "tweet", "conversation", "plot",
    # a guitar's strings, string beans, a string of pearls
    "guitar", "guitars", "violin", "cello", "viola", "bass", "ukulele", "harp", "piano", "instrument", "instruments",
    "quartet", "orchestra", "tuning", "tune", "fret", "beans", "bean", "cheese", "pearls", "beads", "kite", "yo-yo",
    "puppet", "silly", "lights", "twine", "knot", "bracelet", "necklace", "bow",
    # a loop of rope, a feedback loop, being in the loop
    "rope", "belt", "hook", "feedback", "earring", "earrings", "knitting", "crochet", "roller", "coaster", "highway",
    "drum", "drums", "music", "song", "ableton", "video",
    # typing, spelling and statistical errors
    "spelling", "grammar", "grammatical", "punctuation", "typing", "typo", "typos", "typographical", "factual",
    "scientific", "human", "clerical", "medical", "medication", "pilot", "unforced", "margin", "margins", "trial",
    "standard", "squared", "sampling", "measurement", "systematic", "bars", "estimation", "experimental", "approximation",
    "truncation", "probability", "estimates", "bounds", "uncertainty", "confidence", "essay", "sentence", "sentences", "paragraph", "translation", "proofread",
    # the body, meals, bedding, plants, pets, family and plans: the everyday scene around them
    "neck", "armpit", "groin", "throat", "jaw", "ear", "ears", "skin", "rash", "fever", "doctor", "infection",
    "infected", "swell", "swelled", "dinner", "lunch", "breakfast", "brunch", "meal", "food", "dish", "drinks", "wine",
    "sheets", "bedding", "pillow", "sewed", "sews", "sewn", "spools", "racket", "plant", "plants", "basil", "prune",
    "pruning", "dog", "dogs", "cat", "cats", "pet", "pets", "kid", "kids", "daughter", "son", "baby", "hiking",
    "camping", "apartment", "kitchen", "bathroom", "argument", "story", "novel", "narrative", "discussion", "wedding",
    "party", "veins",
    ))


def _everyday(words: list[str], word: str) -> bool:
    """Whether every occurrence of ``word`` in ``words`` reads in its everyday sense: a word of ``EVERYDAY_MARKERS``
    within ``MARKER_WINDOW``, and no sign of computing: a word of ``COMPUTING_BEFORE`` right before it ("a for loop"),
    a word of ``COMPUTING_WORDS`` or ``COMPUTING_BESIDE[word]`` within ``SENSE_WINDOW``, a word with a digit after an
    error ("error TS2322"). Without a marker the computing sense stands: it is the common one in a chat assistant's
    traffic, and the words that show it are too many to list ("Why does my thread never wake up after notify?")."""
    beside = COMPUTING_BESIDE[word]
    for i in positions(words, word):
        if ((i and words[i - 1] in COMPUTING_BEFORE)
                or EVERYDAY_MARKERS.isdisjoint(words[max(0, i - MARKER_WINDOW):i + MARKER_WINDOW + 1])):
            return False
        near = words[max(0, i - SENSE_WINDOW):i + SENSE_WINDOW + 1]
        if not (COMPUTING_WORDS.isdisjoint(near) and beside.isdisjoint(near)):
            return False
        if word in ("error", "errors") and i + 1 < len(words) and any(c.isdecimal() for c in words[i + 1]):
            return False
    return True


def not_code_cues(s: str, words: list[str], code: int, code_syntax: int, history: str = "") -> int:
    """The code cues (of ``code``, counted over ``words``, the lower-cased words of ``s``) that are no code: those an
    output-format phrase holds (``output_format.format_code_cues``), and all the rest when every one is an everyday word
    each occurrence in its everyday sense (``_everyday``), no code syntax (``code_syntax`` tokens such as braces
    and semicolons), no inline code in backticks, no assignment, and no code in ``history`` (the conversation's tail
    before this turn: a fence, "def ", a brace; a follow-up's "one thread still blocks forever" is about that code)."""
    found = format_code_cues(s, words, code)
    rest = code - found
    if (0 < rest <= MAX_EVERYDAY_CUES and not code_syntax and "`" not in s and "=" not in s
            and sum(map(EVERYDAY_CODE_WORDS.__contains__, words)) == rest
            and all(_everyday(words, w) for w in EVERYDAY_CODE_WORDS.intersection(words))
            and "```" not in history and "def " not in history and "{" not in history):
        return code
    return found
