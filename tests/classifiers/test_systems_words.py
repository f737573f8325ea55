"""Networking and systems words (version 73; tool names since version 79): a program that names no language, no library
and no generic code word — "an HTTP load balancer", "a TCP proxy", "a CLI tool" — is still a request for a program,
while a question that only mentions a protocol is none."""

import pytest

from classifiers.feature_schema import FEATURE_NAMES
from classifiers.program_words import TOOL_NAMES
from classifiers.written_code import HEAD_PARTS
from tests.classifiers.conftest import turn_features as _features

#: Requests for a program whose only computing words are protocols, tools of the command line and servers' parts.
SYSTEMS_REQUESTS = [
    "Write an HTTP load balancer with health checks and round-robin.",
    "Build a TCP proxy that forwards connections to a backend and logs byte counts.",
    "Build a CLI tool that renames photos by their EXIF date.",
]
#: Mentions: a user's network, an explainer, a letter, a proxy vote (review rev41 M1, M2).
MENTIONS = [
    "Our UDP multicast video feed stutters on the hotel network. Any ideas?",
    "My http sites load but https ones time out on my home wifi. What should I check on the router?",
    "Write a proxy for my neighbor so she can vote for me at the HOA meeting on Tuesday.",
]


def _f(text: str) -> dict[str, float]:
    return dict(zip(FEATURE_NAMES, _features(text), strict=True))


@pytest.mark.parametrize("text", SYSTEMS_REQUESTS)
def test_a_request_naming_them_is_a_request_for_a_program(text: str) -> None:
    """In the code domain, with a closed problem's length (a request for a program's REQUEST_EXTRA_CHARS)."""
    f = _f(text)
    assert f["code domain"] > 0.5 and f["writing domain"] == 0.0
    assert f["length in a closed problem"] > 0


@pytest.mark.parametrize("text", MENTIONS)
def test_a_mention_is_no_request_for_a_program(text: str) -> None:
    """No request's extra length (a request above scores 1.7 there): at most its own short statement's."""
    assert _f(text)["length in a closed problem"] < 1.0


def test_they_are_tool_names_and_a_balancer_is_what_write_makes() -> None:
    assert {"http", "https", "tcp", "udp", "cli", "microservices", "key-value", "command-line"} <= TOOL_NAMES
    assert "balancer" in HEAD_PARTS and "proxy" not in HEAD_PARTS
