"""Tier strategies: how many completions a tier draws and which one the client gets.

`STRATEGIES` maps a tier's `strategy.kind` to its class:

* `single` — one completion (what every tier does without a strategy).
* `self_consistency` — N samples (one upstream request with `n` where the server supports it, as
  vLLM and OpenAI do; otherwise N parallel requests), an answer extracted from each
  (router/strategies/extractors.py), and the completion whose answer has the majority returned.
  The vote is reported as `router.votes` / `router.agreement`; low agreement can escalate.
* `best_of_n` — N samples, then a configured judge model is shown the question and the samples and
  names the best; if the judge fails or answers nonsense, the majority vote decides.

Every sample and the judge are accounted (tokens and cost at each model's prices); the client's
`usage` is their sum, and `router.usage_breakdown` lists the parts.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from backends.chat_shape import content_text
from router.router_report import JudgeReport, SelectionReport
from router.strategies.extractors import EXTRACTORS

if TYPE_CHECKING:
    from router.decision import Decision
    from router.ttc_config import StrategyConfig

MAX_VOTES_REPORTED = 10


@dataclass(slots=True)
class Vote:
    """The outcome of a vote over extracted answers."""

    answer: str | None  # the winning answer key (None: no sample had an extractable answer)
    index: int  # the sample returned: the first one with the winning answer
    counts: dict[str, int]  # answer → votes, most votes first
    agreement: float  # winning votes / all samples (unextractable samples count against agreement)
    answers: list[str | None] = field(default_factory=list)


def vote(answers: Sequence[str | None], usable: Sequence[bool] | None = None, asked: int = 0) -> Vote:
    """Majority over `answers` (None abstains); ties go to the answer seen first.
    `usable[i]` False (e.g. an empty, truncated sample) keeps sample i from being returned if another will do.
    Agreement is over the `asked` samples when more were asked than answered: a failed sample counts against it."""
    counts = Counter(answer for answer in answers if answer is not None)
    total = max(len(answers), asked)
    if not counts:
        index = next((i for i, ok in enumerate(usable or ()) if ok), 0)
        return Vote(None, index, {}, 0.0, list(answers))
    first_seen = {answer: answers.index(answer) for answer in counts}
    ordered = sorted(counts, key=lambda answer: (-counts[answer], first_seen[answer]))
    winner = ordered[0]
    holders = [i for i, answer in enumerate(answers) if answer == winner]
    index = next((i for i in holders if usable is None or usable[i]), holders[0])
    return Vote(winner, index, {answer: counts[answer] for answer in ordered}, counts[winner] / total if total else 0.0, list(answers))


def tool_calls_key(calls: Any) -> str:
    """The calls of a sample as one comparable answer: each function's name and its arguments as parsed JSON
    (key order and spacing do not split a vote), in order."""
    key = []
    for call in calls if isinstance(calls, list) else ():
        function = call.get("function") if isinstance(call, Mapping) else None
        function = function if isinstance(function, Mapping) else {}
        arguments = function.get("arguments")
        try:
            parsed = json.loads(arguments) if isinstance(arguments, str) else arguments
        except ValueError:
            parsed = arguments
        key.append([function.get("name"), parsed])
    return "tool_calls:" + json.dumps(key, sort_keys=True, default=str)


def choice_text(choice: Mapping[str, Any]) -> str:
    return content_text((choice.get("message") or {}).get("content"))


class Sampler(Protocol):
    """What a strategy needs from the gateway (router/sampling.py implements it)."""

    async def draw(self, body: dict[str, Any], decision: Decision, n: int, config: StrategyConfig) -> list[dict[str, Any]]:
        """N sample choices (OpenAI `choices` entries) for the decision's candidates; usage recorded."""
        ...

    async def judge(self, model: str, body: dict[str, Any], decision: Decision, samples: list[str], config: StrategyConfig) -> int | None:
        """The index of the sample the judge prefers, or None; usage recorded."""
        ...


@dataclass(slots=True)
class Selection:
    choice: dict[str, Any]
    report: SelectionReport | None  # None: one completion, nothing chosen
    vote: Vote | None = None


class Strategy(ABC):
    kind: ClassVar[str]

    def __init__(self, config: StrategyConfig) -> None:
        self.config = config
        self.extract = EXTRACTORS[config.extractor]

    def tally(self, choices: list[dict[str, Any]], asked: int = 0) -> Vote:
        """A vote over the samples' extracted answers; a sample that calls tools votes for its calls (names and
        arguments), so an agent's tool turn on which the samples agree is no "low agreement"."""
        answers: list[str | None] = []
        usable: list[bool] = []
        for choice in choices:
            calls = (choice.get("message") or {}).get("tool_calls")
            text = choice_text(choice)
            answers.append(tool_calls_key(calls) if calls else self.extract(text) if text else None)
            usable.append(bool(calls or text.strip()) and choice.get("finish_reason") != "length")
        return vote(answers, usable, asked)

    def report(self, vote_result: Vote, samples: int, asked: int = 0, judged: JudgeReport | None = None) -> SelectionReport:
        votes = dict(list(vote_result.counts.items())[:MAX_VOTES_REPORTED])
        return SelectionReport(self.kind, samples, vote_result.answer, votes, round(vote_result.agreement, 4), max(0, asked - samples), judged)

    @abstractmethod
    async def select(self, sampler: Sampler, body: dict[str, Any], decision: Decision, samples: int) -> Selection: ...


class SingleStrategy(Strategy):
    kind = "single"

    async def select(self, sampler: Sampler, body: dict[str, Any], decision: Decision, samples: int) -> Selection:
        choices = await sampler.draw(body, decision, 1, self.config)
        return Selection(choices[0], None)


class SelfConsistency(Strategy):
    kind = "self_consistency"

    async def select(self, sampler: Sampler, body: dict[str, Any], decision: Decision, samples: int) -> Selection:
        choices = await sampler.draw(body, decision, samples, self.config)
        result = self.tally(choices, samples)
        return Selection(choices[result.index], self.report(result, len(choices), samples), result)


JUDGE_SYSTEM = (
    "You are a strict judge. You are shown a request and several candidate responses, numbered. "
    "Decide which response answers the request best (correctness first, then completeness and clarity). "
    "Reply with the number of the best response only."
)


def judge_prompt(question: str, samples: Sequence[str], max_chars: int) -> str:
    parts = [f"Request:\n{question[: 4 * max_chars]}\n"]
    for index, sample in enumerate(samples, start=1):
        text = sample if len(sample) <= max_chars else sample[:max_chars] + " […]"
        parts.append(f"Response {index}:\n{text}\n")
    parts.append(f"Which response is best? Answer with a single number from 1 to {len(samples)}.")
    return "\n".join(parts)


def parse_judgement(text: str, count: int) -> int | None:
    """The 0-based index named in the judge's reply, or None."""
    for match in re.findall(r"\d+", text or ""):
        number = int(match)
        if 1 <= number <= count:
            return number - 1
    return None


class BestOfN(Strategy):
    kind = "best_of_n"

    async def select(self, sampler: Sampler, body: dict[str, Any], decision: Decision, samples: int) -> Selection:
        choices = await sampler.draw(body, decision, samples, self.config)
        result = self.tally(choices, samples)
        assert self.config.judge is not None  # the config requires one (router/ttc_config.py)
        index = None
        if len(choices) > 1:
            index = await sampler.judge(self.config.judge, body, decision, [choice_text(choice) for choice in choices], self.config)
        chosen = result.index if index is None else index
        return Selection(choices[chosen], self.report(result, len(choices), samples, JudgeReport(self.config.judge, index, chosen)), result)


STRATEGIES: dict[str, type[Strategy]] = {cls.kind: cls for cls in (SingleStrategy, SelfConsistency, BestOfN)}

__all__ = ["STRATEGIES", "BestOfN", "Selection", "SelfConsistency", "SingleStrategy", "Strategy", "Vote", "choice_text", "vote"]
