"""Networking and systems words as code cues (version 73): a program that names no language, no library and no
generic code word — "an HTTP load balancer", "a TCP proxy", "a CLI tool" — is still a request for a program."""

import pytest

from classifiers.feature_schema import FEATURE_NAMES
from classifiers.lexicons import LEXICON_NAMES, lexicon_counts, lower_words
from classifiers.written_code import HEAD_PARTS
from tests.classifiers.conftest import turn_features as _features

_CODE = LEXICON_NAMES.index("code")

#: Requests for a program whose only computing words are protocols, tools of the command line and servers' parts.
SYSTEMS_REQUESTS = [
    "Write an HTTP load balancer with health checks and round-robin.",
    "Build a TCP proxy that forwards connections to a backend and logs byte counts.",
    "Build a CLI tool that renames photos by their EXIF date.",
    "Write a UDP echo service that drops packets larger than 512 bytes.",
    "Build a key-value store with a write-ahead log and crash recovery.",
    "Split the monolith into microservices that talk over a message bus.",
]


@pytest.mark.parametrize("text", SYSTEMS_REQUESTS)
def test_systems_words_are_code_cues(text: str) -> None:
    assert lexicon_counts(lower_words(text))[_CODE] >= 1


@pytest.mark.parametrize("text", SYSTEMS_REQUESTS[:3])
def test_a_request_naming_them_is_a_request_for_a_program(text: str) -> None:
    """In the code domain, with a closed problem's length (a request for a program's REQUEST_EXTRA_CHARS)."""
    f = dict(zip(FEATURE_NAMES, _features(text), strict=True))
    assert f["code domain"] > 0.5 and f["writing domain"] == 0.0
    assert f["length in a closed problem"] > 0


def test_a_url_is_no_code_cue() -> None:
    """A link's scheme keeps its colon ("https:"), so a pasted URL names no protocol."""
    assert lexicon_counts(lower_words("Summarize this article for me: https://example.com/news/2024/climate"))[_CODE] == 0


def test_a_proxy_and_a_balancer_are_what_write_makes() -> None:
    assert {"proxy", "balancer"} <= HEAD_PARTS
