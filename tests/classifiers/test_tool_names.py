"""Framework, tool and platform names as code cues (``program_words.TOOL_NAMES``, ``tool_names``; version 55)."""

import math

import pytest

from classifiers.feature_schema import FEATURE_NAMES
from classifiers.lexicons import LEXICON_NAMES, lexicon_counts, lower_words
from classifiers.program_words import EVERYDAY_TOOL_NAMES, TOOL_NAMES
from classifiers.tool_names import MAX_FINDS, capitalised_tools, names_a_tool
from classifiers.written_code import move_written_code
from tests.classifiers.conftest import turn_features as _features

_CODE = LEXICON_NAMES.index("code")
_WRITING = LEXICON_NAMES.index("writing")

#: Programming requests that name a framework or a tool and no generic code word: no code cue before version 55.
TOOL_REQUESTS = [
    "Add a dark mode toggle to my React app.",
    "Add a dark mode toggle to my Next.js app.",
    "Add a dark mode toggle to my Flutter app.",
    "Why is my useEffect running twice?",
    "Set up a GitHub Actions workflow that runs on every pull request.",
    "Make an Angular component that shows a sortable table of orders.",
    "Set up Nuxt so the blog posts are rendered at build time.",
    "How do I listen for realtime inserts in Supabase?",
    "In Godot, how do I make an enemy follow the player?",
    "Show a scrolling list of cards in Jetpack Compose.",
    "Style this navbar with Tailwind so it collapses on mobile.",
    "I'm learning React, what should I build first?",
    "How do I share state between pages in Angular?",
    "Write a Spring Boot controller that uploads images.",
]
#: Everyday, physics and chemistry senses of the same words: no code cue.
EVERYDAY = [
    "How did the market react to the rate cut?",
    "Compute the angular velocity of a wheel of radius 0.3 m rolling at 6 m/s.",
    "Express 0.375 as a fraction.",
    "Plan a spring break trip to Spain.",
    "How do I clean the rails of my sliding door?",
    "Is the swift a fast bird?",
    "Tips to excel at a job interview",
    "My kid's Minecraft birthday party ideas",
    "The next step is to paint the fence. What color should I pick?",
    "Which chemicals react with water?",
    "An electron in a magnetic field moves in a circle. Find the radius of its path.",
    "Why do butterflies flutter their wings?",
    "The plane had a strong tailwind on the way home.",
    "How Did The Market React To The Rate Cut?",
    "A change in Angular velocity needs a torque.",
    "React to the news calmly, she said.",
    "Taylor Swift's best albums ranked",
    "We took the Express train to the airport.",
    "Is the Apache helicopter still in service?",
    "The train ran smoothly on rails through the valley.",
]
#: "write" a thing made with a tool asks for a program; a text about a tool does not.
WRITES_CODE = [
    "Write a Vue page with a login form and client-side validation.",
    "Write a GitHub Actions workflow that runs pytest on every pull request.",
    "Write a Kubernetes deployment with three replicas and a readiness probe.",
    "Write a Terraform module that creates a bucket with versioning.",
    "Write an Ansible playbook that installs a web server.",
    "Write a Helm chart for a cache with persistence.",
    "Write a React component that shows a countdown.",
]
WRITES_TEXT = [
    "Write a blog post about Kubernetes for beginners.",
    "Write a Docker tutorial for my team.",
    "Write an email to the Terraform vendor asking for a discount.",
    "Write a poem about the first day of spring.",
    "Write a birthday message for my friend who loves Minecraft.",
]


@pytest.mark.parametrize("text", TOOL_REQUESTS)
def test_a_request_naming_a_tool_has_a_code_cue(text):
    assert _features(text)[FEATURE_NAMES.index("code cues")] > 0


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_senses_of_tool_names_are_no_code_cue(text):
    assert _features(text)[FEATURE_NAMES.index("code cues")] == 0


@pytest.mark.parametrize("text", WRITES_CODE)
def test_writing_a_thing_made_with_a_tool_is_code(text):
    words = lower_words(text)
    counts = lexicon_counts(words)
    moved = move_written_code(list(counts), words)
    assert moved[_WRITING] < counts[_WRITING] and moved[_CODE] > counts[_CODE]


@pytest.mark.parametrize("text", WRITES_TEXT)
def test_writing_about_a_tool_is_writing(text):
    words = lower_words(text)
    counts = lexicon_counts(words)
    assert move_written_code(list(counts), words) == counts


def test_the_tool_table_is_shared():
    """The computing words and a format phrase's program words hold the tools; an everyday name is no tool of its own."""
    from classifiers.code_words import COMPUTING_WORDS
    from classifiers.output_format import PROGRAM_SENTENCE_WORDS
    assert TOOL_NAMES <= COMPUTING_WORDS and TOOL_NAMES <= PROGRAM_SENTENCE_WORDS
    assert not TOOL_NAMES & EVERYDAY_TOOL_NAMES.keys()


@pytest.mark.parametrize(("text", "cues"), [
    ("Add a dark mode toggle to my React app.", 1),
    ("Compare Vue, Svelte, SolidJS and Angular for a dashboard with Vite and Tailwind.", 1),  # one cue, not four
    ("Fix the bug in my React app.", 1),  # "bug" is its cue: the name adds none
    ("Fix the bug in my React app and the error in the Vue page.", 2),
])
def test_a_tool_is_the_code_cue_of_a_text_with_no_other(text, cues):
    assert _features(text)[FEATURE_NAMES.index("code cues")] == pytest.approx(math.log1p(cues))


def test_everyday_names_need_their_word():
    assert names_a_tool("", lower_words("Ruby on Rails")) == 1
    assert names_a_tool("", lower_words("the train on rails")) == 0
    assert names_a_tool("", lower_words("use node.js")) == 1
    assert names_a_tool("", lower_words("the next js")) == 1
    assert names_a_tool("", lower_words("the next step")) == 0
    assert names_a_tool("", lower_words("react " * 50 + "react app")) == 0  # the first MAX_FINDS positions only


def test_the_capital_scan_is_bounded():
    assert capitalised_tools("I love React daily. " * 1000) == MAX_FINDS  # ("use React" is a TOOL_AFTER_WORDS phrase, 68)
    assert capitalised_tools("Reaction " * 1000) == 0
