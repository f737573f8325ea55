"""What "write" asks for: a writing cue, unless what is to be written is code (a correction of
the lexicon counts of ``classifiers.lexicons``); and what a request for a program or a proof weighs in
the length prior."""

from __future__ import annotations

import math
from collections.abc import Set as AbstractSet

from classifiers.algorithmic import request_work_chars
from classifiers.lexicons import LEXICON_NAMES, lexicon_counts, positions
from classifiers.program_words import AMBIGUOUS_LANGUAGES, IN_LANGUAGES, TOOL_NAME_WORDS, TOOL_TEXTS, tool_name_at
from classifiers.request_question import opens_question

#: "Write" is a writing cue unless what is to be written is code: "write a function", "write a Python
#: script", "write unit tests" ask for code ("Write a function that merges k sorted lists" read as
#: writing, and the writing domain closed the length prior). Between the verb and the code noun at
#: most ``WRITE_CODE_GAP`` filler words: articles, plain adjectives, languages. A script, query, test
#: or expression is code only right after a language ("a bash script", "an SQL query", "unit tests",
#: "a regular expression"): "write a script for the opening scene", "a query term", "a test for my
#: students", "an expression for the area" are not. In eight more languages the verbs and nouns of a
#: request for a function, program, class or algorithm ("Napisz funkcję w Pythonie", "Escribe una función").
WRITE_VERBS = ("write", "rewrite",
               # the writing verbs of the cue lexicons in other languages (lexicons_intl), as they open a request
               "escribe", "escriba", "escribir", "escreva", "escrever", "écris", "écrivez", "écrire", "schreibe", "schreib",
               "schreiben", "scrivi", "scrivere", "schrijf", "napisz", "напиши", "напишите", "написать", "напишіть", "tulis",
               "tuliskan", "tulislah")
WRITE_LANGUAGES = frozenset((
    "unit", "regular", "python", "java", "javascript", "typescript", "c", "c++", "c#", "rust", "go", "golang", "bash",
    "shell", "sql", "ruby", "php", "kotlin", "swift", "r", "matlab", "scala", "haskell", "perl", "lua",
    "powershell",
))
WRITE_FILLERS = WRITE_LANGUAGES | frozenset((
    "a", "an", "the", "me", "us", "some", "my", "our", "this", "that", "two", "three", "simple", "small",
    "short", "quick", "new", "basic", "recursive", "efficient", "complete",
    "un", "una", "une", "uma", "um", "ein", "eine", "einen", "mir", "mi", "moi", "mnie", "мне",
))
WRITE_CODE_NOUNS = frozenset((
    "function", "functions", "program", "programs", "code", "class", "classes", "method", "methods", "regex",
    "api", "algorithm", "module", "implementation", "snippet", "parser", "decorator", "endpoint",
    "dockerfile", "makefile", "shader", "shaders",
    # the same in the languages of those verbs (the cases a request puts them in)
    "función", "funcion", "funciones", "função", "funções", "fonction", "fonctions", "funktion", "funktionen", "funzione",
    "funzioni", "functie", "funkcję", "funkcje", "funkcja", "функцию", "функции", "функция", "programa", "programme",
    "programm", "programma", "programu", "программу", "программа", "código", "codigo", "kod", "код", "clase", "classe",
    "klasse", "klasę", "класс", "algoritmo", "algorithmus", "algorytm", "алгоритм",
))
WRITE_LANGUAGE_NOUNS = frozenset(("script", "scripts", "query", "queries", "test", "tests", "expression", "expressions",
                                  # German writes them as compounds with the language: "ein Python-Skript", "SQL-Abfrage"
                                  "skript", "skripte", "abfrage", "abfragen"))
WRITE_CODE_GAP = 3
#: What else is code after "write" (version 42). A thing written in a programming language: "write a lock-free queue in
#: C++", "a B-tree with deletion in Rust" ("in <language>" within ``WRITE_IN_GAP`` words of the verb) read as a writing
#: cue, and the writing domain closed the length prior: 0.39 and 0.38, against 0.74 for "Implement a B-tree with deletion
#: in Rust."; and a program's part named after its language, at most ``WRITE_PART_GAP`` words before it: "a CUDA
#: kernel", "a GLSL shader", "a Solidity smart contract", "a Rust macro" (0.34, 0.23, 0.35, 0.40). The languages here
#: are those no text is written in; a text is not written in "Java" or "Python" but may be "in C" (a key), "in Go" (the
#: game), "in R. L. Stine's style", "in Swift/Julia/Scheme/Assembly": after "in", ``AMBIGUOUS_LANGUAGES`` are code only
#: when what is written is a program's part ("an LRU cache in Go", "a garbage collector in C"; not "a melody in C"),
#: and they name no part's language ("a Go game review", "a C major scale").
#: (``IN_LANGUAGES`` and ``AMBIGUOUS_LANGUAGES`` are in ``classifiers.program_words``, shared with the other rules.)
#: A program's parts: code when written in, or right after, a language.
CODE_PARTS = frozenset((
    "kernel", "kernels", "shader", "shaders", "queue", "queues", "stack", "heap", "trie", "tree", "b-tree", "cache",
    "hashmap", "hashtable", "parser", "lexer", "tokenizer", "compiler", "interpreter", "allocator", "collector", "server",
    "client", "driver", "contract", "contracts", "macro", "macros", "library", "cli", "app", "application", "bot",
    "scraper", "crawler", "emulator", "simulator", "solver", "routine", "subroutine", "component", "components",
    "handler", "middleware", "daemon", "service", "mutex", "semaphore", "pool", "buffer", "game", "plugin", "extension",
    "wrapper", "one-liner", "struct", "template", "iterator", "generator", "validator", "counter", "checker",
    "converter", "calculator", "formatter", "loop", "backend", "frontend", "gui", "script", "program", "function",
    "class", "module", "engine", "sort", "quicksort", "mergesort", "search",
))
#: ... unless what is written before "in" is a text ("a poem about coding in Python", "a speech in English for my Java
#: team") or a text about something ("write about loops in Python"); a text's name before a program's part names what
#: the part handles ("an email validator in Python", "a word counter in Rust").
WRITTEN_TEXTS = frozenset((
    "poem", "poems", "story", "stories", "essay", "essays", "email", "emails", "letter", "letters", "blog", "post",
    "posts", "slogan", "lyrics", "song", "songs", "paragraph", "tweet", "headline", "speech", "caption", "haiku",
    "narrative", "novel", "sonnet", "limerick", "verse", "verses", "melody", "joke", "jokes", "message", "reply",
    "review", "article", "summary", "description", "note", "notes", "bio", "biography", "sentence", "sentences",
    "word", "words", "name", "names", "book", "chapter", "piece", "text", "rap", "ode", "prayer", "toast", "tutorial",
    "guide", "paper", "report", "explanation", "about",
    # and in the languages of WRITE_VERBS (the text nouns of the writing lexicons, as a request puts them)
    "poema", "poemas", "cuento", "cuentos", "ensayo", "correo", "carta", "canción", "párrafo", "novela", "conto", "contos",
    "ensaio", "canção", "parágrafo", "poème", "poèmes", "conte", "contes", "essai", "lettre", "chanson", "paragraphe",
    "discours", "gedicht", "gedichte", "geschichte", "aufsatz", "absatz", "poesia", "racconto", "canzone",
    "lettera", "verhaal", "liedje", "wiersz", "wierszyk", "opowiadanie", "стих", "стихи", "стихотворение",
    "рассказ", "эссе", "письмо", "поэму", "песню", "сказку", "вірш", "оповідання", "лист", "пісню", "puisi", "cerita",
    "cerpen", "lagu", "surat",
))
WRITE_IN_GAP = 8
#: "in" in the languages of ``WRITE_VERBS`` ("Escribe un quicksort en Python", "Напишите … на Python", "Napisz … w
#: Pythonie", "Tulis … dalam Python"); a language's name inflected after it is read by its stem ("pythonie").
IN_WORDS = frozenset(("in", "en", "em", "w", "на", "dalam"))
WRITE_PART_GAP = 2
#: In a request to write code the writing cues among the ``WRITE_SUBJECT_GAP`` words after the verb (up to another
#: write verb) name what the program handles, not a text to write: "a regex for email addresses" (0.39: "email" kept
#: the writing domain at 1 and the length prior closed), "a script that posts a tweet". They count as code cues too.
WRITE_SUBJECT_GAP = 8
#: A program's part that the object of "write" ends on, with neither a code noun nor a language (version 43): "write a
#: lock-free queue", "a thread pool with work stealing", "a B-tree with deletion", "an LRU cache" (0.04-0.38: "write"
#: was their writing cue and the writing domain closed the length prior; "Implement an LRU cache" 0.72). The part is the
#: head of the object: at most ``WRITE_HEAD_GAP`` words after the verb, no text, preposition or conjunction before it
#: ("a poem about a queue", "write to my client", "an essay on the tree of life"), and the object ends with it: the
#: prompt ends or a word of ``HEAD_FOLLOWERS`` follows, a preposition, a conjunction or the next sentence's first word
#: ("a tree poem", "a pool party invitation", "a buffer zone policy", "a stack of thank-you notes", "a kernel of truth
#: speech" name a text). A hyphenated word is
#: read by its last part ("a min-heap", "a b-tree"). The parts a text, a plan or an event can be without a language are
#: not read here (``AMBIGUOUS_PARTS``: "write an application", "a game", "a template", "a counter to his argument", "a
#: church service", "a morning routine", "a training program", "a contract", "an extension to my essay", "a one-liner",
#: "a piecewise-defined linear function" of a math problem), except right after a part ("a URL shortener service").
AMBIGUOUS_PARTS = frozenset((
    "game", "application", "template", "counter", "search", "service", "contract", "contracts", "routine", "extension",
    "one-liner", "script", "program", "class", "module", "sort", "function",
))
#: Words that name a program's part only as a data structure's or an algorithm's name, after a word naming its kind: "a
#: red-black tree", "a binary search tree", "a b-tree", "a linked list", "a hash map", "a bloom filter", "a bubble sort",
#: not "a family tree", "a decision tree for customer support", "a shopping list", "a coffee filter", "a treasure map".
KIND_PARTS = {
    "tree": frozenset(("binary", "red-black", "avl", "segment", "fenwick", "suffix", "search", "splay", "expression", "syntax",
                       "kd", "k-d", "interval", "merkle", "prefix", "radix", "quad", "range", "huffman", "parse", "b", "b+",
                       "balanced", "self-balancing", "spanning")),
    "list": frozenset(("linked", "skip", "doubly", "singly", "adjacency", "circular")),
    "map": frozenset(("hash", "tree", "bit", "concurrent", "ordered", "sorted")),
    "set": frozenset(("hash", "disjoint", "bit", "ordered", "sorted")),
    "table": frozenset(("hash", "symbol", "routing")),
    "filter": frozenset(("bloom", "cuckoo", "kalman", "particle", "spam", "low-pass", "high-pass", "median", "fir", "iir")),
    "sort": frozenset(("bubble", "merge", "quick", "heap", "radix", "insertion", "selection", "topological", "counting",
                       "bucket", "shell", "external")),
    "search": frozenset(("binary", "depth-first", "breadth-first", "a*", "beam", "ternary", "interpolation", "full-text")),
    "proxy": frozenset(("reverse", "forward", "forwarding", "http", "https", "socks", "socks5", "tcp", "udp", "caching")),
}
#: The parts read alone: those of CODE_PARTS but the ambiguous, the kinds' and the hyphenated ("b-tree" is a tree of kind "b").
HEAD_PARTS = frozenset(w for w in CODE_PARTS - AMBIGUOUS_PARTS - KIND_PARTS.keys() if "-" not in w) | frozenset((
    "limiter", "shortener", "chatbot", "scheduler", "spinlock", "deque", "linter", "debugger", "assembler", "decoder",
    "encoder", "serializer", "deserializer", "hashset", "balancer",
))
#: What may follow the head of the object: a preposition or conjunction ("a thread pool with work stealing", "a bot that
#: plays music") ...
HEAD_CLAUSE_WORDS = frozenset((
    "for", "with", "that", "which", "using", "in", "to", "from", "over", "on", "and", "where", "without", "supporting",
    "based", "backed", "implemented", "written", "via", "given",
))
#: ... or the determiner, pronoun or auxiliary that opens the next sentence ("Write an LRU cache. It should …": the
#: words have no punctuation); none continues a compound noun ("a tree poem").
HEAD_FOLLOWERS = HEAD_CLAUSE_WORDS | frozenset((
    "a", "an", "the", "it", "its", "this", "these", "i", "you", "we", "my", "your", "our", "please", "then", "also", "but",
    "so", "should", "must", "can", "could", "will", "would", "is", "are", "has",
))
#: What ends the object before its head: "write a letter to the server", "a poem about a queue", "of truth".
OBJECT_ENDS = HEAD_CLAUSE_WORDS | IN_WORDS | frozenset(("of", "about", "at", "like", "by", "or", "as", "if", "when", "while"))
WRITE_HEAD_GAP = 5
_WRITING_ID, _CODE_ID = LEXICON_NAMES.index("writing"), LEXICON_NAMES.index("code")
#: The words ``_written_in_language`` and ``_writes_a_part`` look for after a write verb (``_written_with_tool``:
#: ``TOOL_NAME_WORDS``): without one, nor a hyphenated, versioned ("c++17") or "python…" word, they find nothing (reading
#: every write verb's object took 56 us of a 2,000-character request's 350). A language's name, not "in": "in" without
#: one is nothing, and the common word let 54 % of the benchmark's write verbs through.
_LANGUAGE_WORDS, _PART_WORDS = IN_LANGUAGES | AMBIGUOUS_LANGUAGES, frozenset(HEAD_PARTS | KIND_PARTS.keys() | AMBIGUOUS_PARTS)
_WRITE_VERB_SET = frozenset(WRITE_VERBS)
#: What ends the phrase of a thing made with a tool, and the texts in it (version 64).
_PHRASE_ENDS, _TOOL_TEXTS = OBJECT_ENDS | HEAD_FOLLOWERS | _WRITE_VERB_SET, WRITTEN_TEXTS | TOOL_TEXTS


def move_written_code(counts: list[int], words: list[str], present: AbstractSet[str] | None = None) -> list[int]:
    """``counts`` (of ``lexicon_counts(words)``) with each "write <code>" counted as a code cue
    instead of a writing cue. The verbs present are found with one set intersection (with ``present``, the set of
    ``words`` when the caller has it), then each with ``list.index`` (C scans; a regex over the joined words cost 55 us
    on 2,000 characters, and a scan per verb of ``WRITE_VERBS`` ~60 us, a quarter of the featurizer's time)."""
    if not counts[_WRITING_ID]:
        return counts
    moved = 0
    for verb in _WRITE_VERB_SET.intersection(words if present is None else present):
        for i in positions(words, verb):
            if _writes_code(words, i):
                moved += 1 + _subject_cues(words, i)
    moved = min(moved, counts[_WRITING_ID])
    counts[_WRITING_ID] -= moved
    counts[_CODE_ID] += moved
    return counts


def _writes_code(words: list[str], i: int) -> bool:
    """Whether the verb ``words[i]`` is followed by a code noun after at most ``WRITE_CODE_GAP``
    fillers (a script, query, test or expression only right after a language)."""
    j, end = i + 1, min(len(words), i + 1 + WRITE_CODE_GAP)
    while j < end and words[j] in WRITE_FILLERS:
        j += 1
    noun = words[j] if j < len(words) else ""
    if noun in WRITE_CODE_NOUNS:
        return True
    if "-" in noun:  # a compound: "eine Python-Funktion", "ein SQL-Skript", "a Python-based parser" is no compound
        first, _, last = noun.partition("-")
        if first in WRITE_LANGUAGES and (last in WRITE_CODE_NOUNS or last in WRITE_LANGUAGE_NOUNS):
            return True
    elif noun in WRITE_LANGUAGE_NOUNS:
        if words[j - 1] in WRITE_LANGUAGES:  # words[i], the verb, is none
            return True
    elif noun in WRITE_LANGUAGES and j + 1 < len(words) and words[j + 1] in WRITE_LANGUAGE_NOUNS:
        return True
    # (each of the three read only if these words hold what it looks for: the object's WRITE_IN_GAP - 1 words, "in" and
    # its language; one word fewer missed "write one two three four five six seven in python", version 104)
    after = words[i + 1 : i + 2 + WRITE_IN_GAP]
    head, odd = after[:WRITE_HEAD_GAP], not (joined := "".join(after)).isalpha() or "python" in joined  # "c++17", "min-heap"
    return ((_names_language(after, odd) and _written_in_language(words, i))
            or (not TOOL_NAME_WORDS.isdisjoint(head) and _written_with_tool(words, i))
            or (_names_part(head, odd) and _writes_a_part(words, i)))


def _names_language(after: list[str], odd: bool) -> bool:
    """Whether ``after`` holds a language as ``_written_in_language`` reads one (``_language``: "c++17", "python3",
    "pythonie"); ``odd``: whether any of its words is not all letters or holds "python" (else a set test is enough). A
    number near a write verb no longer sends it through the whole reading (equal to that gate on 300,000 random word
    lists; ~1 % of a score on the bench's Russian prompts, a dozen "напишите" among "100" and "python")."""
    return not _LANGUAGE_WORDS.isdisjoint(after) or odd and any(
        _language(w) in _LANGUAGE_WORDS for w in after if w[-1:].isdigit() or w.startswith("python"))


def _names_part(head: list[str], odd: bool) -> bool:
    """Whether ``head`` holds a program's part as ``_writes_a_part`` reads one (the part after a hyphen: "a min-heap")."""
    return not _PART_WORDS.isdisjoint(head) or odd and any(
        w.rpartition("-")[2] in _PART_WORDS for w in head if "-" in w)


def _writes_a_part(words: list[str], i: int, parts: frozenset[str] = HEAD_PARTS) -> bool:
    """Whether the object of the verb ``words[i]`` ends on a program's part at most ``WRITE_HEAD_GAP`` words after it:
    no text (unless a part follows it: "a word counter"), preposition or conjunction before the part, the end of the
    words or one of ``HEAD_FOLLOWERS`` after it. The part: one of ``HEAD_PARTS``, one of ``KIND_PARTS`` after its kind,
    or one of ``AMBIGUOUS_PARTS`` after one of ``HEAD_PARTS`` (version 43; ``parts`` in their place: version 51)."""
    for k in range(i + 1, min(len(words), i + 1 + WRITE_HEAD_GAP)):
        w = words[k]
        if w in OBJECT_ENDS or w in _WRITE_VERB_SET:
            return False
        modifier, _, part = w.rpartition("-")  # "a min-heap", "a b-tree"
        if k + 1 == len(words) or words[k + 1] in HEAD_FOLLOWERS:
            before = modifier if "-" in w else words[k - 1]
            if part in KIND_PARTS:
                if before in KIND_PARTS[part]:
                    return True
            elif part in parts or (part in AMBIGUOUS_PARTS and before in parts):  # "a URL shortener service"
                return True
        if w in WRITTEN_TEXTS and (k + 1 == len(words) or words[k + 1] not in CODE_PARTS):
            return False
    return False


def _language(word: str) -> str:
    """``word`` without a version number: "c++17", "python3" are "c++", "python" ("x86" is a language); "pythonie",
    "pythonu" are "python" (the stem of the code lexicon, "python*")."""
    if word.startswith("python"):
        return "python"
    return word.rstrip("0123456789") if word[-1:].isdigit() and word not in IN_LANGUAGES else word


def _written_in_language(words: list[str], i: int) -> bool:
    """Whether the verb ``words[i]`` writes a thing "in <language>" (``IN_LANGUAGES``; ``AMBIGUOUS_LANGUAGES`` after a
    program's part) within ``WRITE_IN_GAP`` words, no text before it, or a program's part at most ``WRITE_PART_GAP``
    words after a language among the next ``WRITE_CODE_GAP`` words (version 42)."""
    end = min(len(words) - 1, i + 1 + WRITE_IN_GAP)  # "in" and a word after it
    for k in range(i + 1, end):
        w = words[k]
        if w in IN_WORDS:
            lang = _language(words[k + 1])
            if lang in IN_LANGUAGES or (lang in AMBIGUOUS_LANGUAGES and not CODE_PARTS.isdisjoint(words[i + 1 : k])):
                return True
        elif w in WRITTEN_TEXTS and words[k + 1] not in CODE_PARTS:
            break
    for k in range(i + 1, min(len(words) - 1, i + 1 + WRITE_CODE_GAP)):
        w = words[k]  # (a language's name as it is, or a versioned "python3", "c++17": most words are neither)
        if w in IN_LANGUAGES or ((w[-1:].isdigit() or w.startswith("python")) and _language(w) in IN_LANGUAGES):
            return not CODE_PARTS.isdisjoint(words[k + 1 : k + 1 + WRITE_PART_GAP])
        if words[k] in WRITTEN_TEXTS:
            return False
    return False


def _written_with_tool(words: list[str], i: int) -> bool:
    """Whether the object of the verb ``words[i]`` is a thing made with a tool (version 55): a tool's name
    (``program_words.tool_name_at``: "a Vue page", "a GitHub Actions workflow", "a Kubernetes deployment", "a React
    component") among the next ``WRITE_HEAD_GAP`` words (adjectives before it: "a small Svelte store", version 64), no
    text nor a word of ``OBJECT_ENDS`` before it ("a blog post about Vue", "to the Kubernetes team"), and no text
    (``_TOOL_TEXTS``) in the rest of its phrase, up to ``WRITE_HEAD_GAP`` words or a word of ``_PHRASE_ENDS`` ("a
    Kubernetes tutorial", "a PyTorch workshop invitation email", version 64). "Write a Vue page …" read as writing."""
    for k in range(i + 1, min(len(words), i + 1 + WRITE_HEAD_GAP)):
        w = words[k]
        if w in OBJECT_ENDS or w in _TOOL_TEXTS or w in _WRITE_VERB_SET:
            return False
        n = tool_name_at(words, k)
        if n:
            for w in words[k + n:k + n + WRITE_HEAD_GAP]:
                if w in _PHRASE_ENDS:  # "a Vue page about cats", "a Helm chart for the docs"
                    break
                if w in _TOOL_TEXTS:
                    return False
            return True
    return False


def _subject_cues(words: list[str], i: int) -> int:
    """The writing cues among the ``WRITE_SUBJECT_GAP`` words after the verb ``words[i]`` that writes code, up to
    another write verb (version 42)."""
    after = words[i + 1 : i + 1 + WRITE_SUBJECT_GAP]
    for k, w in enumerate(after):
        if w in _WRITE_VERB_SET:
            after = after[:k]
            break
    return lexicon_counts(after)[_WRITING_ID] if after else 0


#: In a request for a program (a request to write code, or the code domain above math and reasoning; not
#: opened as a question) the statement counts this many characters more in the length prior: a short request to write code
#: ("Write a function that merges k sorted lists.") is no short problem, as a short closed problem is —
#: the work it asks for is not in its words —, and a longer one still ranks above a shorter one. Such
#: requests fail weak models more than the rest (arena_bench mean target 0.61 vs 0.54; alpaca's oasst /
#: selfinstruct / vicuna 0.48 / 0.48 / 0.50 vs 0.40 / 0.40 / 0.42): LOSO APGR arena_bench 0.569 → 0.607
#: (paired 95 % [+0.011, +0.095]), alpaca_eval 0.574 → 0.577; MATH, GSM8K, LeetCode, BBH within 0.002 (150 / 400 characters: arena_bench
#: 0.603 / 0.613, LeetCode 0.297 / 0.292; a floor at 245 instead, which flattens the order of short
#: requests, 0.606). Short code-writing requests now score 0.74–0.79 (docs/classifier_history.md, version 29). Since
#: version 36 a request to write code about a math topic ("Write a function to find the n-th prime.") counts too.
REQUEST_EXTRA_CHARS = 245


#: Words that ask for a proof, in English and the languages of the cue lexicons (exact forms: "Prove that
#: there are infinitely many primes.", "Beweise, dass …", "Докажите, что …"). Like a program, a proof is
#: work its request does not hold: "Prove that there are infinitely many primes." read as a 44-character
#: problem, an easy one-liner (0.39, the level of a capital-city question). The outcome data has few such
#: prompts: arena_bench's seven math proof requests have a mean target of 0.71 against the set's 0.55
#: ("Using Coq …, prove that there are infinitely many prime numbers." 0.89, "Provide a proof of the
#: Banach Fixed Point Theorem" 0.55); self-instruct's two, which hand over the facts to combine, 0.19 and
#: 0.22 (0.41) — so this is a prior, as the length prior is (docs/classifier_history.md, version 30).
PROOF_WORDS = frozenset((
    "prove", "proof", "proofs", "beweise", "beweisen", "demuestra", "demuestre", "demostrar", "demonstre", "demonstrar",
    "démontrer", "démontrez", "démontre", "prouver", "prouvez", "prouve", "dimostra", "dimostrare", "bewijs", "bewijzen",
    "udowodnij", "udowodnić", "докажите", "докажи", "доказать", "доведіть", "доведи", "довести", "kanıtlayın", "kanıtla",
    "buktikan", "सिद्ध", "أثبت", "اثبت",
))
#: ... and in scripts written without spaces between words, or as two words ("证明…", "…を証明してください",
#: "증명하세요", "Chứng minh rằng …"), a part of the head's text.
PROOF_STEMS = ("证明", "証明", "증명", "chứng minh")
#: "Show that …" and "demonstrate that …" ask for a proof too.
PROOF_VERBS_BEFORE_THAT = frozenset(("show", "demonstrate"))
#: Only the request's head is read: a proof asked for further on is a part of a longer task.
PROOF_HEAD_WORDS = 60


def asks_for_proof(words: list[str]) -> bool:
    """Whether the head of ``words`` asks for a proof ("prove", "a proof of", "show that"; not a
    "proof of concept")."""
    head = words[:PROOF_HEAD_WORDS]
    if not (PROOF_WORDS.isdisjoint(head) and PROOF_VERBS_BEFORE_THAT.isdisjoint(head)):
        for i, w in enumerate(head):
            after = head[i + 1 : i + 3]
            if w in PROOF_WORDS and after != ["of", "concept"]:
                return True
            if w in PROOF_VERBS_BEFORE_THAT and after[:1] == ["that"]:
                return True
    text = " ".join(head)  # (a stem too beside a "show" that asks for no proof: "a show 证明", version 105)
    return not text.isascii() and any(stem in text for stem in PROOF_STEMS)


#: A request states a task: what to do, to what, and in what ("implement a trie in Rust"). A turn of fewer words than
#: this names a topic, not a task ("a string", "dict not list", "in python", "same error", "prove it"): a follow-up or an
#: under-specified request, cheap to answer on its own (a line, or a question back). Read as a request for a program, such
#: fragments got the ``REQUEST_EXTRA_CHARS`` and scored 0.66-0.72 (medium tier), above "What is the capital of France?"
#: (0.33) and level with "Implement a B-tree with deletion in Rust." (0.74). No training prompt given the extra characters
#: had fewer than four words (the shortest: "can you write code?", "c# extract hashtags from text"): the 245 characters
#: were extrapolated to fragments, not learnt from them. Counted over the whole turn (pasted code included: "fix this:"
#: over a code block is a request), dense-script characters as ``DENSE_CHARS_PER_WORD`` words (docs/classifier_history.md, version 41).
REQUEST_MIN_WORDS = 4


def request_length(ln_problem: float, words: list[str], text: str, n_words: int | None = None, program: bool = True,
                   present: AbstractSet[str] | None = None) -> float:
    """The log-characters the length prior reads for a request for a program or a proof: its
    statement's, and ``REQUEST_EXTRA_CHARS`` more unless it opens as a question (or a follow-up) or is a
    fragment of fewer than ``REQUEST_MIN_WORDS`` words (``n_words``, ``len(words)`` by default); a program's
    algorithmic or plumbing cues move them (``algorithmic.request_work_chars``, version 45; not a proof's, 49; a time
    bound is read in ``text``, the slice ``words`` come from, 50; ``present``: the set of ``words``, if known)."""
    if (len(words) if n_words is None else n_words) < REQUEST_MIN_WORDS or opens_question(words, text):
        return ln_problem
    return math.log(math.exp(ln_problem) + REQUEST_EXTRA_CHARS + (request_work_chars(words, text, present) if program else 0))
