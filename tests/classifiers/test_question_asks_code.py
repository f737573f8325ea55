"""review_s40_b H1, M3, M4 (version 68): a question that also asks for the code is a request for a program; "Use X to
…" names an everyday tool; "policy" after a tool is a manifest, not a text."""

import pytest

from classifiers import request_question
from classifiers.lexicons import LEXICON_NAMES, lexicon_counts, lower_words
from classifiers.request_question import ASK_CHARS, asks_for_code_later, opens_question
from classifiers.tool_names import names_a_tool, works_with_tool
from classifiers.written_code import move_written_code

_CODE = LEXICON_NAMES.index("code")

#: Questions (after a context clause or a greeting, or bare) that also ask for the code (version 64: questions, 0.53-0.66).
ASKS_FOR_CODE = [
    ("I'm writing a lock-free MPMC queue in C++ with atomics. How do I avoid the ABA problem without hazard pointers, "
     "and can you write the full implementation with memory orderings justified?"),
    ("I'm building a compiler for a subset of C in Rust. How would you implement register allocation with graph "
     "coloring, including spilling and coalescing? Please give the complete code."),
    ("I'm trying to implement Dijkstra with a Fibonacci heap in Java. What's the cleanest way to implement decrease-key, "
     "and write the whole thing with tests?"),
    ("We're building a distributed key-value store in Go. How should we implement Raft leader election and log "
     "replication? Write the code for both."),
    ("Hey, what's the best way to implement a persistent segment tree in C++ that supports range k-th smallest queries? "
     "Write it."),
    "How would you design an interval tree for overlapping bookings? Then implement it in Python with tests.",
    "What is the cleanest way to parse ISO dates in Rust? Show me the full code.",
]
#: Questions about code that ask for no code: they stay questions.
QUESTIONS = [
    "I'm writing a Flask app. How do I return JSON from a route?",
    "I am building a React app. How do I add a favicon?",
    "How do I read a file line by line in Python?",
    "What does this function do? Code:\ndef f(x): return x * 2",
    "Why does my Docker image not start? Build output: step 3/7 failed with exit code 1.",
    "Hi, how do I center a div?",
    "How do I write a unit test for an async function in Jest?",  # "write" inside the question
    "What is a closure in JavaScript? Show me the code.",  # an example, not the program
    "Is Go or Rust better for CLI tools? Write your answer as a table.",
]


@pytest.mark.parametrize("text", ASKS_FOR_CODE)
def test_a_question_that_asks_for_the_code_is_a_request(text):
    assert asks_for_code_later(text)
    assert not opens_question(lower_words(text), text)


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_asking_for_no_code_stay_questions(text):
    assert opens_question(lower_words(text), text)


def test_a_context_question_is_short():
    """A short question after the context, with what was tried after it, is a question; a long one, or one followed by
    a request for the code, is none."""
    short = "I'm writing a Flask app. How do I return JSON from a route?"
    assert request_question._context_then_question(lower_words(short), short)
    longer = short + " I tried jsonify and got HTML back."
    assert request_question._context_then_question(lower_words(longer), longer)
    assert not request_question.opens_question(lower_words(short + " Write the route."), short + " Write the route.")
    long_question = "I'm writing a Flask app. How do I return JSON" + " and more" * 60 + "?"
    assert not request_question._context_then_question(lower_words(long_question), long_question)


def test_the_later_request_is_read_in_a_bounded_slice():
    text = "How do I sort a list in Python?" + " " * ASK_CHARS + "Write it."
    assert not asks_for_code_later(text) and opens_question(lower_words(text), text)


#: "Use X to …" (version 64: no tool, 0.33-0.56).
USE_TOOLS = [
    "Use Tokio to build a TCP proxy that multiplexes 10k connections with backpressure and graceful shutdown.",
    "Use Vue to build a drag-and-drop kanban board with undo/redo and offline sync.",
    "Use Svelte to build a spreadsheet with formula evaluation and dependency tracking.",
    "Use Redux to manage undo/redo history for a collaborative whiteboard.",
    "Use Ansible to roll out a zero-downtime config change across 50 hosts behind a load balancer.",
    "The dashboard is built with Svelte; add a dark mode.",
]


@pytest.mark.parametrize("text", USE_TOOLS)
def test_use_before_an_everyday_tool_name_names_the_tool(text):
    assert names_a_tool(text, lower_words(text)) == 1


@pytest.mark.parametrize("text", USE_TOOLS[:5])
def test_use_a_tool_to_do_a_thing_is_work_with_it(text):
    assert works_with_tool(lower_words(text))


@pytest.mark.parametrize("text", ["List 5 big companies that use Firebase.", "Use Firebase or Supabase? Which is cheaper?"])
def test_naming_what_uses_a_tool_is_no_work_with_it(text):
    assert not works_with_tool(lower_words(text))


@pytest.mark.parametrize("text", [
    "We land in Seoul and fly on via Tokio to Osaka. What should we pack?",
    "Ich fliege nächste Woche nach Tokio. Was sollte ich unbedingt sehen?",
    "Describe her svelte figure in a short romantic paragraph.",
])
def test_everyday_senses_stay_no_tool(text):
    assert names_a_tool(text, lower_words(text)) == 0


@pytest.mark.parametrize("text", [
    "Write a Kubernetes pod security policy that forbids privileged containers and host networking.",
    "Write a Kubernetes network policy that only allows ingress to the api pods from the frontend namespace.",
])
def test_a_policy_made_with_a_tool_is_code(text):
    words = lower_words(text)
    counts = lexicon_counts(words)
    assert move_written_code(list(counts), words)[_CODE] > counts[_CODE]


#: Review_s40_c H1, M1: a list's numbered items, "e.g.", a choice after a colon, a text or a plan to write, a report
#: ("Build worked yesterday."), a question ("Create a minimal repro?") ask for no code (they went 0.51-0.71 -> 0.70-0.85).
NO_LATER_CODE = [
    "Which of these should I learn first?\n1. Build a REST API\n2. Create a CLI",
    "What's a realistic timeline for these tasks? 1. Create the database schema 2. Build the API",
    "How should we scale, e.g. build caching or add replicas?",
    "Which is better for us: build our own auth or use Auth0?",
    "How does Git rebase work? Create a cheat sheet.",
    "What's the best way to learn Python? Build me a roadmap.",
    "How do I debug this? Build worked yesterday.",
    "Why does it crash? Create a minimal repro?",
    "What is recursion? Write a short explanation for my team's wiki.",
]


@pytest.mark.parametrize("text", NO_LATER_CODE)
def test_a_later_verb_must_write_code(text):
    assert not asks_for_code_later(text)


def test_a_long_context_question_is_a_question():
    """Review_s40_c H2: a question of 150+ characters after the context read as a request (0.68 -> 0.82)."""
    text = ("I'm writing a Python script to rename files. What is the simplest way to loop over every file in a folder "
            "and its subfolders, skipping hidden ones and symlinks, keeping the original extensions, without using any "
            "external libraries or shelling out to find?")
    assert opens_question(lower_words(text), text)


#: sweep43 cluster 5: a topic named before the question ("python:", "In Python,") made it a request for a program.
TOPIC_QUESTIONS = ["python: how do I print hello world?", "In Python, how do I print hello world?",
                   "Pandas question: how do I read a csv file?", "Using pandas, how do I drop duplicate rows?",
                   "Hi! SQL: what does a LEFT JOIN return?",
                   # review rev43 (session 44): an ambiguous language's name, "for", an owner and a noun of code
                   "In C, how do I reverse a string?", "In Go, how do I read a file line by line?",
                   "For Python, how should I structure a package?", "In my Python code, how do I time one function?",
                   "In our React app, why does the page render twice?"]
TOPIC_REQUESTS = ["python: write a function that reverses a list", "Python question: implement a trie with insert and search.",
                  "In Python, write a function that reverses a list.", "In my garden, how do I grow tomatoes?",
                  "In C, write a function that reverses a string.", "For my Python code, write unit tests."]


@pytest.mark.parametrize("text", TOPIC_QUESTIONS)
def test_a_topic_named_before_a_question_leaves_a_question(text):
    assert opens_question(lower_words(text), text)


@pytest.mark.parametrize("text", [*TOPIC_REQUESTS[:3], *TOPIC_REQUESTS[4:]])
def test_a_topic_before_a_request_leaves_a_request(text):
    assert not opens_question(lower_words(text), text)


def test_only_a_language_or_tool_is_a_topic():
    assert request_question.topic_end(lower_words(TOPIC_REQUESTS[3])) == 0  # "in my garden" names no topic


def test_a_topic_question_scores_as_the_bare_question(default):
    for bare, topics in (("How do I print hello world in Python?", TOPIC_QUESTIONS[:2]),
                         ("How do I reverse a string in C?", ["In C, how do I reverse a string?"]),
                         ("How do I time one function in my Python code?", ["In my Python code, how do I time one function?"])):
        for text in topics:
            assert abs(default.score([{"role": "user", "content": text}]).score - default.score(
                [{"role": "user", "content": bare}]).score) < 0.1, text


@pytest.mark.parametrize("text", ["Note: what follows is my Flask code. Fix the bug where the session is lost after login.",
                                  "Context: how our billing works is described below.\nTask: write a SQL query for monthly revenue.",
                                  "Task: what is the fastest way to implement Dijkstra's algorithm in C++? Provide an implementation."])
def test_a_label_that_names_no_language_or_tool_is_no_topic(text):
    """Version 99 (review rev43 M5): "Note:", "Context:", "Task:" name no topic."""
    assert request_question.topic_end(lower_words(text)) == 0
