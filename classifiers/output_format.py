"""Output-format phrases: "as a JSON array", "in YAML", "Return it as JSON" say what form the answer takes, not
that a program is asked for (version 47).

The code lexicon (``classifiers.lexicons``) has "json", "yaml", "html", "array", "string", "dict*", "return": a short
imperative with two of them read as a request for a program, with the code domain and the request's extra length in
the length prior (``written_code.REQUEST_EXTRA_CHARS``): "List three European capitals as a JSON array." 0.74, "Return
it as JSON where each key is the entity type …" 0.81, "… key numbers as a YAML document." 0.80, while "What is the
capital of France? Answer in JSON." (a question) was 0.39. Such instructions are everyday chat, extraction follow-ups
("now return that as JSON") that small models answer well. ``format_code_cues`` finds the code cues such phrases hold,
which ``features`` takes off the code count before anything reads it (so they make no ``writes_code`` either):

- a format name after "as", "into", "in" or "respond / reply / answer [only] with", after at most
  ``FORMAT_FILLER_GAP`` fillers ("a", "valid", "proper" …), and at most one noun of ``FORMAT_NOUNS`` after it
  ("as a JSON array", "in valid YAML", "into a JSON object", "in JSON format", "as JSON/YAML"); after a demonstrative
  ("the", "this", "following" …: "in the JSON below", "in this JSON" name material) only with a noun of its shape
  ("in the following JSON format"); HTML only as a table or a list ("in HTML" names a language);
- the same after a verb that gives the answer opening a sentence ("Return only valid JSON.", "Output a JSON array
  …", "Give me a JSON object with …");
- and "return" opening that sentence, or after "and" / "then", when its object is the answer or data ("Return it /
  the results / them … as JSON", "… and return them as a JSON list").

Not when the format names a program's thing: a word of ``FORMAT_BLOCKERS`` after the phrase ("in JSON schema", "as a
JSON parser"), nor in a sentence that speaks of a program (``PROGRAM_SENTENCE_WORDS`` anywhere in it: "a function that returns
the keys as a JSON array", "using Python", "a script that saves it as a JSON file"). "Write a Python function that
parses a JSON file" and "Convert this JSON to YAML with a Python script" have no such phrase, and "parse this JSON", code
fences and code keep every cue. Only the featurizer's head+tail slice is read, only when it has a code cue and a
format name; a sentence is looked at at most ``SENTENCE_CHARS`` characters around the phrase.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from classifiers.lexicons import _PUNCT_CHARS, LEXICON_NAMES, lexicon_counts, lower, positions, words_of
from classifiers.program_words import NAMES_A_PROGRAM, TOOL_NAMES
from classifiers.sentences import sentence_end, sentence_start

#: Names of data and markup formats an answer is given in.
FORMAT_NAMES = frozenset(("json", "jsonl", "ndjson", "yaml", "yml", "xml", "toml", "csv", "tsv", "markdown", "html"))
#: Words between the preposition (or verb) and the format name: articles and plain adjectives of a format.
FORMAT_FILLERS = frozenset((
    "a", "an", "valid", "proper", "properly", "formatted", "well-formed", "strict", "plain", "pure", "clean", "compact",
    "minified", "pretty", "pretty-printed", "single", "simple", "structured", "raw", "standard", "nested", "flat", "one",
    "only", "just", "strictly", "parseable", "parsable", "machine-readable",
))
#: Demonstratives (and possessives): with them the format names material ("in this JSON", "in the JSON below") unless
#: a noun of ``SHAPE_NOUNS`` follows it ("in the following JSON format").
DEMONSTRATIVES = frozenset(("the", "this", "that", "these", "those", "following", "same", "above", "below", "given",
                            "provided", "your", "my", "our", "exact"))
SHAPE_NOUNS = frozenset(("format", "structure", "layout", "template", "shape", "form"))
FORMAT_FILLER_GAP = 3
#: Nouns a format names the answer's form with ("a JSON array", "a YAML document", "a Markdown code block").
FORMAT_NOUNS = SHAPE_NOUNS | frozenset((
    "object", "objects", "array", "arrays", "list", "lists", "dict", "dicts", "dictionary", "dictionaries", "document",
    "documents", "doc", "file", "files", "table", "tables", "string", "strings", "block", "blocks", "output", "record",
    "records", "map", "mapping", "snippet", "syntax", "lines", "rows", "entries", "response", "reply", "answer", "data",
    "blob", "payload", "code", "codeblock",
))
#: "A JSON array of strings", "a list of dicts": what the array or list holds.
OF_HEADS = frozenset(("array", "arrays", "list", "lists", "object", "objects", "dictionary", "dict", "map"))
OF_NOUNS = frozenset(("strings", "objects", "dicts", "dictionaries", "records", "numbers", "names", "items", "pairs",
                      "tuples", "arrays", "lists", "entries", "rows", "words", "values", "keys"))
#: Nouns after which HTML is an answer's form ("as an HTML table"), not the language a page is written in.
HTML_NOUNS = frozenset(("table", "tables", "list", "lists"))
#: Words after the phrase that make the format a program's thing ("in JSON schema", "as a JSON parser").
FORMAT_BLOCKERS = frozenset((
    "schema", "schemas", "parser", "parsers", "parsing", "parse", "serializer", "serialization", "serialize",
    "deserialization", "deserializer", "library", "libraries", "lib", "module", "api", "apis", "endpoint", "endpoints",
    "validator", "validation", "encoder", "decoder", "loader", "reader", "writer", "processing", "handling", "support",
    "input", "inputs", "path", "paths", "query", "queries", "pointer", "patch", "rpc", "web", "dom", "node", "nodes",
    "element", "elements", "attribute", "attributes", "config", "configuration", "manifest", "serialisation",
))
#: Verbs that give the answer in a format when they open a sentence ("Return only valid JSON.", "Give me a JSON object").
ANSWER_VERBS = frozenset(("return", "output", "give", "provide"))
#: Words by which a sentence speaks of a program: its format phrase is the program's behaviour, its cues kept. The
#: shared ``program_words.NAMES_A_PROGRAM`` (version 50: not "server", a restaurant's too, nor "express", "express the
#: answer as JSON") and a program's verbs, tools and places.
PROGRAM_SENTENCE_WORDS = NAMES_A_PROGRAM | TOOL_NAMES | frozenset((
    "endpoint", "endpoints", "method", "methods", "route", "jq", "returns", "outputs",
    "saves", "stores", "prints", "exports", "dumps", "serializes", "serialize", "writes", "emits", "parses", "loads",
    "reads", "accepts", "takes", "sends", "receives", "converts", "produces", "generates", "responds", "yields",
    # a program's work named by its verb or its tool (version 49): "Scrape the page with BeautifulSoup and return …"
    "scrape", "scrapes", "scraping", "scraper", "crawl", "crawler", "fetch", "fetches", "selenium",
    "curl", "http", "https", "url", "urls", "webhook", "pandas",
    # (version 50) "Deserialize the payload …", "Use asyncio and aiohttp …", "… using PyYAML", "Cache them in Redis"
    # (the tools no everyday word is spelt like are ``program_words.TOOL_NAMES``: aiohttp, PyYAML, Redis …)
    "deserialize", "deserializes", "deserialise", "serialise", "paginate", "pagination", "server-side", "stdin",
    "stdout", "stderr", "argv", "kafka", "s3", "aws", "cron",
))
#: Words of ``PROGRAM_SENTENCE_WORDS`` that name a program in the phrase's own sentence only: a program's verbs and
#: nouns, and tools and languages spelt as everyday words (a coffee, a metal, a gem, an author, a party, a potion). In a
#: sentence near it they are an everyday sentence's ("My mom takes four pills a day.", "a master's program", "my son's
#: class", "the coastal route", "There's rust on my chain", "I'm reading Kafka": "… List them as a JSON array." kept
#: its cues, 0.16 -> 0.76 on 7.41.0; version 51, review_s39_diff F2).
OWN_SENTENCE_ONLY = frozenset((
    "accepts", "converts", "dumps", "emits", "exports", "generates", "loads", "outputs", "parses", "prints", "produces",
    "reads", "receives", "responds", "returns", "saves", "sends", "stores", "takes", "writes", "yields", "fetch",
    "fetches", "crawl", "crawler", "scrape", "scraper", "scrapes", "scraping", "implement", "implementation",
    "algorithm", "algorithms", "class", "classes", "code", "def", "endpoint", "endpoints", "function", "functions",
    "handler", "method", "methods", "module", "program", "programs", "route", "script", "scripts", "snippet", "parser",
    "java", "rust", "ruby", "dart", "kafka", "lisp", "racket", "pandas", "flask", "nim", "jax", "curl", "selenium",
    "bash", "groovy", "elixir", "solidity", "ts",
    # short names that are a season, a key, initials, a company or a name in prose ("I just finished S3 of The Office",
    # "The song is in F#", "My sister works at AWS", "Our cat is called Zig": review_s39_third R2)
    "s3", "f#", "js", "awk", "asm", "aws", "zig", "vba", "perl", "lua", "scala",
))
#: What names a program in a sentence near the phrase's: a tool or a language no everyday word is spelt like.
NEIGHBOUR_WORDS = PROGRAM_SENTENCE_WORDS - OWN_SENTENCE_ONLY
#: Everyday verbs that are a program's work on a data object (version 50): "Read the file line by line", "Parse the
#: CSV", "Load the config"; not "Read the poem", "Handle this customer complaint", "Parse this sentence into …". The
#: object follows the verb after determiners only (``DATA_DETERMINERS``; "the attached file", "my file" are a
#: document), perhaps after a modifier of its own ("the log file"), and no "below" / "above" follows it ("Read the
#: CSV below and return the average age as JSON" asks for the answer). Format names are objects of the verbs that turn
#: text into data only (``PARSE_VERBS``: "Parse the CSV", not "Read the CSV").
DATA_VERBS = frozenset(("read", "open", "process", "handle", "import", "validate", "sort", "stream", "consume", "cache",
                        "tail"))
PARSE_VERBS = frozenset(("parse", "load", "ingest"))
DATA_OBJECTS = frozenset((
    "file", "files", "logs", "logfile", "logfiles", "config", "configuration", "rows", "payload", "payloads",
    "input", "stdin", "dataset", "datasets", "url", "urls", "directory", "folder", "database", "db", "api", "query",
    "cookies", "xlsx", "txt",
))
PARSE_OBJECTS = DATA_OBJECTS | FORMAT_NAMES
DATA_DETERMINERS = frozenset(("the", "this", "that", "these", "those", "a", "an", "each", "every", "all", "its"))
DATA_MODIFIERS = FORMAT_NAMES | frozenset(("log", "text", "input", "output", "source", "data", "config", "local"))
MATERIAL_AFTER = frozenset(("below", "above"))
#: Words before "request(s)" that make it an HTTP request ("a GET request", "the API request").
HTTP_WORDS = frozenset(("get", "post", "put", "patch", "delete", "http", "https", "api", "ajax", "rest", "xhr"))
REQUEST_WORDS = frozenset(("request", "requests"))
#: HTTP status codes: a program's answer beside "status" ("with status 404", "a 201 status"; "status code").
HTTP_STATUSES = frozenset(str(k) for k in range(200, 600))
#: Extensions of a file name ("data.csv", "config.toml", "Node.js") and a path ("/health", "/api/users"; not "and/or").
#: Not a spreadsheet's (version 51): "Use the numbers in budget.xlsx …" names an attachment. A text's or a document's
#: (``DOCUMENT_EXTENSIONS``) names a program's file in the phrase's own sentence only ("Read settings.txt line by line
#: and return the keys as a JSON array."): in a sentence near it, an attachment's ("My resume is in resume.md. Return my
#: skills as a JSON array.", version 52).
FILE_EXTENSIONS = ("csv", "tsv", "json", "jsonl", "py", "js", "ts", "toml", "yaml", "yml", "xml", "log", "sql", "sh",
                   "cfg", "ini", "conf", "env", "parquet", "db", "html")
DOCUMENT_EXTENSIONS = ("txt", "md")
#: The objects of a "return" that returns the answer or data ("return it", "return the results", "return them").
RETURN_OBJECTS = frozenset(("it", "them", "that", "this", "these", "those", "the", "all", "only", "just", "your", "my",
                            "a", "an", "each", "every", "everything", "me", "back", "valid", "both", "their", "its"))
#: Words that may open the sentence before "return" ("Now return …", "Please return …", "and then return …").
RETURN_LEADS = frozenset(("please", "now", "then", "and", "also", "just", "finally", "instead", "so", "ok", "okay"))
#: At most this many characters from the opener to the format name; the first this many format names are read.
PHRASE_CHARS = 80
MAX_FORMAT_NAMES = 12
#: Characters looked at before the phrase (to its sentence's start) and after it (to its sentence's end).
SENTENCE_CHARS = 200
#: The sentences a program is looked for in: the phrase's, and those within this many characters of it in its paragraph
#: (version 50: "Return the result as JSON. Use FastAPI.", "Write a Python function that … Return the result as a JSON
#: object."; not the job ad after "… return the results as a JSON object.\n\n", which asks for SQL and Python).
NEIGHBOUR_CHARS = 100

_CODE_ID = LEXICON_NAMES.index("code")
_SEP = re.escape(_PUNCT_CHARS) + r"\s"
_WORD = rf"[^{_SEP}]+"
_NAMES = "|".join(sorted(FORMAT_NAMES, key=len, reverse=True))
#: The phrase from its opener: (opener) (up to FORMAT_FILLER_GAP fillers) (format) [/|or|and format] [noun], each a word
#: as ``words_of`` splits them (a separator or the text's end on both sides; a colon may end a format name).
_RE_PHRASE = re.compile(
    rf"(?<![^{_SEP}])(as|into|in|with|{'|'.join(sorted(ANSWER_VERBS))})((?:\s+(?:me|us|back))?(?:\s+{_WORD}){{0,{FORMAT_FILLER_GAP}}}?)"
    rf"\s+({_NAMES})(?:\s*(?:/|,|\bor\b|\band\b)\s*({_NAMES}))?(?:\s+({_WORD}))?(?![^{_SEP}:]|:[^{_SEP}])")
#: The words a format name is, as ``words_of`` splits them ("JSON:" keeps its colon; "JSON:x" is no format name).
_FORMAT_WORDS = FORMAT_NAMES | frozenset(n + ":" for n in FORMAT_NAMES)
_RE_NAME_END = re.compile(rf"(?![^{_SEP}:]|:[^{_SEP}])")
_RE_OPENER = re.compile(rf"(?<![^{_SEP}])(?:as|into|in|with|{'|'.join(sorted(ANSWER_VERBS))})(?=\s)")
_RE_OF = re.compile(rf"\s+of\s+({_WORD})(?![^{_SEP}])")
_RE_MEMBER = re.compile(r"[.:]\w")
_RE_NEXT_WORD = re.compile(rf"\s*({_WORD})")
_WITH_VERBS = frozenset(("respond", "reply", "answer"))
_RE_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_RE_EXTENSION = re.compile(rf"\.(?:{'|'.join(FILE_EXTENSIONS)})(?![a-z0-9_])")
_RE_OWN_EXTENSION = re.compile(rf"\.(?:{'|'.join(FILE_EXTENSIONS + DOCUMENT_EXTENSIONS)})(?![a-z0-9_])")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_RE_SLASH = re.compile(r"/[a-z_]")
_WORD_CUES = DATA_VERBS | PARSE_VERBS | REQUEST_WORDS | {"status"}
_FILL_WORDS = FORMAT_FILLERS | DEMONSTRATIVES
_STATUS_WORDS = HTTP_STATUSES | {"code"}  # beside "status": an HTTP status


def format_code_cues(s: str, words: list[str], code: int) -> int:
    """The code cues (at most ``code``, the code count of ``words`` = ``words_of`` of ``s`` lower-cased) that the output-format
    phrases of text ``s`` hold (``format_code_words``)."""
    found = format_code_words(s, words, code)
    return min(lexicon_counts(found)[_CODE_ID], code) if found else 0


def format_code_words(s: str, words: list[str], code: int, present: AbstractSet[str] | None = None) -> list[str]:
    """The words that the output-format phrases of text ``s`` hold, when ``code`` (the code count of ``words`` =
    ``words_of`` of ``s`` lower-cased) is not 0: the format names, their nouns, and "return" of a sentence that returns the answer in a
    format. The phrase is tried at each opener (in the text's order; after a phrase, from its end) at most
    ``PHRASE_CHARS`` before one of the first ``MAX_FORMAT_NAMES`` format names: one that is no format phrase may hold
    one ("Return the results as JSON"). Bounded: a regex over the whole slice cost 40 us at 2,000 characters, and a text
    of nothing but format phrases 2.7 ms. ``present``: the set of ``words``, if known."""
    if not code or _FORMAT_WORDS.isdisjoint(words if present is None else present):  # (a substring search per name took 9 us)
        return []
    present = _FORMAT_WORDS.intersection(words if present is None else present)
    low = lower(s)
    found: list[str] = []
    returns: set[int] = set()
    read: dict[tuple[str, bool], bool] = {}
    pos = 0
    for p in _opener_starts(low, _name_starts(low, {w.rstrip(":") for w in present})):
        m = _RE_PHRASE.match(low, p) if p >= pos else None
        if m is None or m.start(3) - p > PHRASE_CHARS:
            continue
        cues, start = _phrase_cues(low, m, read)
        if cues is None:
            continue
        found += cues
        pos = m.end()
        if start not in returns and (m.group(1) == "return" or _returns_answer(words_of(low[start:p]))):
            returns.add(start)
            found.append("return")
    return found


def _opener_starts(low: str, starts: list[int]) -> list[int]:
    """Where an opener starts at most ``PHRASE_CHARS`` before one of the format names' ``starts`` (sorted), in order: one
    search per run of overlapping windows (a text of nothing but format phrases searched each window apart, 40 us)."""
    found: list[int] = []
    i = 0
    while i < len(starts):
        lo, hi = max(0, starts[i] - PHRASE_CHARS), starts[i]
        i += 1
        while i < len(starts) and starts[i] - PHRASE_CHARS <= hi:
            hi = starts[i]
            i += 1
        found += [m.start() for m in _RE_OPENER.finditer(low, lo, hi)]
    return found


def _name_starts(low: str, names: set[str]) -> list[int]:
    """Where the first ``MAX_FORMAT_NAMES`` format names of ``names`` start in ``low``, each a word of its own (whitespace
    before it; after it a separator, the end, or a colon before one)."""
    starts = []
    for name in names:
        i, k = low.find(name), 0
        while i >= 0 and k < MAX_FORMAT_NAMES:
            if i and low[i - 1].isspace() and _RE_NAME_END.match(low, i + len(name)):
                starts.append(i)
                k += 1
            i = low.find(name, i + 1)
    return sorted(starts)[:MAX_FORMAT_NAMES]


def _phrase_cues(low: str, m: re.Match[str], read: dict[tuple[str, bool], bool]) -> tuple[list[str] | None, int]:
    """(The cue words of the phrase ``m`` matched, or ``None`` when it is no format phrase; its sentence's start).
    ``read``: the texts ``_names_a_program`` has read for ``low`` (``_read``)."""
    opener, fillers, first, second, noun = m.groups()
    if opener in ANSWER_VERBS and _after_other_words(low, m.start()):  # opening no sentence (the sentence not sought)
        return None, m.start()
    start = sentence_start(low, m.start(), max(0, m.start() - SENTENCE_CHARS))
    fill = fillers.split()
    if opener == "with":  # "respond / reply / answer [only] with …"
        lead = words_of(low[start:m.start()])
        while lead and lead[-1] in ("only", "just"):
            lead.pop()
        if not lead or lead[-1] not in _WITH_VERBS:
            return None, start
    elif opener in ANSWER_VERBS:  # opening the sentence, after leads
        if not RETURN_LEADS.issuperset(words_of(low[start:m.start()])):
            return None, start
        if fill[:1] and fill[0] in ("me", "us", "back"):
            fill = fill[1:]
    if not _FILL_WORDS.issuperset(fill):
        return None, start
    cues = [first] if second is None else [first, second]
    if noun is None and low.startswith(":", m.end()):  # "as JSON: …" ("json:" is a word of its own, no cue)
        cues.pop()
    after = m.end()
    if noun is not None:
        bare = noun.rstrip(":")
        if bare not in FORMAT_NOUNS:  # no noun of the format: the word after it is the next word
            after -= len(noun)
            noun = None
        elif bare != noun:  # "as a JSON object: …" ("object:" is a word of its own)
            noun = bare
        else:
            cues.append(noun)
            if noun == "code" and low.startswith(" block", after):  # "a Markdown code block"
                after += len(" block")
            elif noun in OF_HEADS:  # "a JSON array of strings"
                of = _RE_OF.match(low, after)
                if of is not None and of.group(1) in OF_NOUNS:
                    cues.append(of.group(1))
                    after = of.end()
    if not DEMONSTRATIVES.isdisjoint(fill) and noun not in SHAPE_NOUNS:
        return None, start
    if "html" in (first, second) and noun not in HTML_NOUNS:
        return None, start
    nxt = _RE_NEXT_WORD.match(low, after)
    if (nxt is not None and nxt.group(1) in FORMAT_BLOCKERS) or _RE_MEMBER.match(low, after):  # "JSON.parse"
        return None, start
    end = sentence_end(low, after, SENTENCE_CHARS)
    if _read(read, low[start:m.start()] + " " + low[after:end], True):
        return None, start
    lo = sentence_start(low, start - NEIGHBOUR_CHARS, max(0, start - NEIGHBOUR_CHARS - SENTENCE_CHARS)) if start > NEIGHBOUR_CHARS else 0
    hi = sentence_end(low, end + NEIGHBOUR_CHARS, SENTENCE_CHARS) if end + NEIGHBOUR_CHARS < len(low) else len(low)
    for gap in _RE_BLANK_LINE.finditer(low, lo, start):  # not across a paragraph: the material after "… as JSON.\n\n"
        lo = gap.end()
    gap = _RE_BLANK_LINE.search(low, end, hi)
    return (None if _read(read, low[lo:start] + " " + low[end:hi if gap is None else gap.start()], False) else cues), start


def _after_other_words(low: str, i: int) -> bool:
    """Whether a word that is no lead (``RETURN_LEADS``) stands before position ``i`` in its sentence, read back over
    ASCII words and spaces only (a quick refusal of "… and return it as JSON"; False when not so found)."""
    j = i
    while True:
        while j and low[j - 1] == " ":
            j -= 1
        k = j
        while k and "a" <= low[k - 1] <= "z":
            k -= 1
        if k == j or k < i - SENTENCE_CHARS or (k and not low[k - 1].isspace() and low[k - 1] not in _PUNCT_CHARS):
            return False
        if low[k:j] not in RETURN_LEADS:
            return True
        if not k or low[k - 1] != " ":
            return False
        j = k


def _read(read: dict[tuple[str, bool], bool], text: str, own: bool) -> bool:
    """``_names_a_program`` of ``text``, the phrase's ``own`` sentence or its neighbours, each text read once (``read``:
    the texts read for one prompt; a prompt that repeats a sentence with a format phrase repeats them)."""
    key = (text, own)
    said = read.get(key)
    if said is None:
        said = read[key] = _names_a_program(text, PROGRAM_SENTENCE_WORDS if own else NEIGHBOUR_WORDS, own)
    return said


def _names_a_program(text: str, program_words: frozenset[str], own: bool) -> bool:
    """Whether ``text`` near a format phrase speaks of a program: a word of ``program_words``, an HTTP request or status
    ("a POST request", "status 404"), a file name or a path ("data.csv", "/health"); in the phrase's ``own`` sentence
    a data verb before its object too ("Parse the CSV")."""
    words = words_of(text)
    present = set(words)
    if not program_words.isdisjoint(present) or (not _WORD_CUES.isdisjoint(present) and _work_named(words, present, own)):
        return True
    return _file_name(text, _RE_OWN_EXTENSION if own else _RE_EXTENSION) or ("/" in text and _path(text))


def _work_named(words: list[str], present: set[str], own: bool) -> bool:
    """Whether ``words`` (``present``: their set) hold an HTTP request or status, or (``own``) a data verb before its
    object."""
    for verbs, objects in ((DATA_VERBS, DATA_OBJECTS), (PARSE_VERBS, PARSE_OBJECTS)) if own else ():
        if any(_data_object(words, i, objects) for verb in verbs.intersection(present) for i in positions(words, verb)):
            return True
    for noun in REQUEST_WORDS.intersection(present):
        if any(i and words[i - 1] in HTTP_WORDS for i in positions(words, noun)):
            return True
    return "status" in present and any(not _STATUS_WORDS.isdisjoint(words[max(0, i - 2) : i + 3]) for i in positions(words, "status"))


def _file_name(text: str, extensions: re.Pattern[str]) -> bool:
    """Whether ``text`` holds a file name: an extension of ``extensions`` (".csv", ".json" …) after a letter, a digit,
    "_" or "-" (a search for the "." first: a character class opening the pattern made the engine try every position, 8
    us for 300 characters)."""
    return any(m.start() and text[m.start() - 1] in _NAME_CHARS for m in extensions.finditer(text))


def _path(text: str) -> bool:
    """Whether ``text`` holds a path: "/" before a letter or "_", not after a word character or "/" ("and/or"), no
    subreddit or user ("/r/cooking", "/u/name")."""
    return any((not m.start() or not (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_/"))
               and text[m.start() + 1 : m.start() + 3] not in ("r/", "u/") for m in _RE_SLASH.finditer(text))


def _data_object(words: list[str], i: int, objects: frozenset[str]) -> bool:
    """Whether the verb ``words[i]`` has an object of ``objects`` after determiners (and a modifier), no "below" after."""
    k = i + 1
    while k < len(words) and words[k] in DATA_DETERMINERS:
        k += 1
    if k + 1 < len(words) and words[k] in DATA_MODIFIERS and words[k + 1] in objects:
        k += 1
    return k < len(words) and words[k] in objects and (k + 1 == len(words) or words[k + 1] not in MATERIAL_AFTER)


def _returns_answer(before: list[str]) -> bool:
    """Whether the words of a sentence before its format phrase hold a "return" of the answer or data: opening it
    (after leads) or after "and" / "then", its object one of ``RETURN_OBJECTS``."""
    for k, w in enumerate(before):
        if (w == "return" and k + 1 < len(before) and before[k + 1] in RETURN_OBJECTS
                and (all(x in RETURN_LEADS for x in before[:k]) or before[k - 1] in ("and", "then"))):
            return True
    return False
