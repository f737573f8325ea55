"""Review fixes of the tool-name rule (version 64): everyday words of English and other languages among the tool names,
the phrase of a thing made with a tool, a tool name alone is no request for a program, a tool name in material, and
a context clause before a question."""

import pytest

from classifiers import features
from classifiers.built_code import builds_code
from classifiers.echo import instructs_over_material, material_instruction
from classifiers.feature_schema import FEATURE_NAMES
from classifiers.lexicons import LEXICON_NAMES, lexicon_counts, lower_words
from classifiers.request_question import opens_question
from classifiers.tool_names import names_a_tool, tool_cue
from classifiers.written_code import move_written_code
from tests.classifiers.conftest import turn_features as _features

_CODE = LEXICON_NAMES.index("code")
PRIOR = FEATURE_NAMES.index("length in a closed problem")
CODE_CUES = FEATURE_NAMES.index("code cues")

#: Everyday words that were tool names (version 55-62: the code domain and a request's length, 0.73-0.77).
EVERYDAY_WORDS = [
    "Quel est ton point de vue sur l'intelligence artificielle à l'école ?",
    "Je cherche un hôtel avec vue sur la mer à Nice pour 3 nuits, des suggestions ?",
    "Traduis en anglais : la chambre a une belle vue sur la mer.",
    "Ich fliege nächste Woche nach Tokio. Was sollte ich unbedingt sehen?",
    "Quiero viajar a Tokio en abril. Recomiéndame un itinerario de 5 días.",
    "Wat zijn de beste wijken om te verblijven in Tokio?",
    "The bells clang every morning at six and wake the baby. Suggest ways to soundproof the bedroom.",
    "Recommend books similar to The Dispossessed, with its ansible and anarchist planet.",
    "Explain how the GCC countries coordinate their oil policy.",
    "Describe her svelte figure in a short romantic paragraph.",
    "How long would it take to terraform Mars with today's technology?",
    "Our tomcat keeps spraying the furniture. How do I stop him?",
    "Summarize the Axios newsletter I pasted yesterday.",
]
#: ... that still name the tool beside their words.
TOOL_SENSES = [
    "Write a Vue component that shows a countdown timer.",
    "How do I pass props between pages in Vue?",
    "Use Vue.js with a headless CMS.",
    "Set up a Tokio runtime that runs two tasks concurrently.",
    "Write an Ansible playbook that installs a web server.",
    "Run clang-tidy on every commit.",
    "Which gcc flags turn on every warning?",
    "Compile with gcc on the build box.",
    "Write a Terraform module that creates a bucket with versioning.",
    "Write a docker-compose file for two services.",
    "Deploy the war file on Tomcat behind a proxy.",
]
#: "write" / "build" + a text about a tool: writing (before version 64 code: only the word after the name was read).
TOOL_TEXTS = [
    "Write a PyTorch workshop invitation email.",
    "Write a Jupyter notebook intro paragraph explaining the dataset.",
    "Write a Flutter app store description for my meditation app.",
    "Write a Kubernetes migration plan for our team, with milestones and risks.",
    "Write a Docker cheat sheet for beginners.",
]
#: ... and a thing made with a tool after adjectives, or named "docker-compose" (writing before version 64).
TOOL_THINGS = [
    "Write me a small Svelte store for a shopping cart.",
    "Write a simple, reusable Vue page with a login form.",
    "Write a docker-compose file for Postgres and Redis.",
    "Write a Vue page about cats with a photo grid.",
]
#: A tool's name the only code cue, no verb of work on code: no request for a program (before: 0.73-0.77).
NOT_PROGRAMS = [
    "I'm going to a Jupyter notebook workshop tomorrow, what should I bring?",
    "I'm a nurse and my hospital uses Redis? No idea what that is. Explain it simply.",
    "We are hiring! Draft a job ad for a Laravel developer in Berlin.",
    "List 5 big companies that use Firebase.",
    "Recommend some Minecraft mods for my 9 year old who loves dragons.",
    "I'm learning React, give me 5 project ideas.",
]
#: ... and with one, or a write / build object: a request for a program.
PROGRAMS = [
    "Add a dark mode toggle to my React app.",
    "Set up a GitHub Actions workflow that runs pytest on every pull request.",
    "My Next.js page flashes unstyled content on first load. How do I fix it?",
    "Style this navbar with Tailwind so it collapses on mobile.",
    "Write a Vue page with a login form and client-side validation.",
    "Write a GitHub Actions workflow that runs pytest on every pull request.",
    "Show a scrolling list of cards in Jetpack Compose.",
    "I am building a React app. Add a favicon to it.",
]
#: A context clause and a question (before version 64: requests for a program, 0.73-0.76).
CONTEXT_QUESTIONS = [
    "I'm writing a Flask app. How do I return JSON from a route?",
    "I am building a React app. How do I add a favicon?",
    "We're migrating our Django site to Postgres! What should we check first?",
    "I’m using SQLAlchemy with Flask. Why does my session close after every request?",
]


@pytest.mark.parametrize("text", EVERYDAY_WORDS)
def test_everyday_words_are_no_tool(text):
    assert names_a_tool(text, lower_words(text)) == 0
    assert _features(text)[CODE_CUES] == 0


@pytest.mark.parametrize("text", TOOL_SENSES)
def test_their_tool_senses_are_tools(text):
    assert names_a_tool(text, lower_words(text)) == 1


@pytest.mark.parametrize("text", TOOL_TEXTS)
def test_a_text_about_a_tool_is_no_code(text):
    words = lower_words(text)
    counts = lexicon_counts(words)
    assert move_written_code(list(counts), words) == counts


def test_a_summary_made_about_a_tool_is_built_text():
    assert not builds_code(lower_words("Create a Firebase pricing summary for my boss."))
    assert builds_code(lower_words("Create a Firebase login page for my shop."))


@pytest.mark.parametrize("text", TOOL_THINGS)
def test_a_thing_made_with_a_tool_after_adjectives_is_code(text):
    words = lower_words(text)
    counts = lexicon_counts(words)
    moved = move_written_code(list(counts), words)
    assert moved[_CODE] > counts[_CODE]


def _without_request_length(monkeypatch, text: str) -> list[float]:
    monkeypatch.setattr(features, "request_length", lambda ln_problem, *args, **kwargs: ln_problem)
    return _features(text)


@pytest.mark.parametrize("text", NOT_PROGRAMS)
def test_a_tool_name_alone_is_no_request_for_a_program(text, monkeypatch):
    before = _features(text)
    assert before[CODE_CUES] > 0  # the name still sets the domain
    assert _without_request_length(monkeypatch, text) == before


@pytest.mark.parametrize("text", PROGRAMS)
def test_a_tool_name_with_work_on_code_is_a_request(text, monkeypatch):
    before = _features(text)
    assert _without_request_length(monkeypatch, text)[PRIOR] < before[PRIOR]


def test_a_tool_name_in_material_is_the_material_s():
    text = "Translate to Spanish: We moved our website to Firebase in May and now save $300 every month."
    assert instructs_over_material(text) and material_instruction(text) == "Translate to Spanish"
    assert tool_cue(text, lower_words(text), text) == 0
    assert _features(text)[CODE_CUES] == 0
    kept = "Convert this jQuery click handler to vanilla events: $('#go').click(run);"
    assert tool_cue(kept, lower_words(kept), kept) == 1


@pytest.mark.parametrize("text", CONTEXT_QUESTIONS)
def test_a_context_clause_before_a_question_opens_a_question(text):
    assert opens_question(lower_words(text), text)


@pytest.mark.parametrize("text", [
    "I'm writing a Flask app. Add an endpoint that returns JSON.",
    "I'm writing a Flask app. Can you write the login route?",
    "My Next.js page flashes unstyled content on first load. How do I fix it?",
    "I'm writing a Flask app" + " with many routes" * 20 + ". How do I return JSON?",  # past CONTEXT_CHARS
])
def test_other_openings_stay_requests(text):
    assert not opens_question(lower_words(text), text)
