"""Answers that return their input (``classifiers/echo.py``): the answer-length floor."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifiers.echo import CHARS_PER_TOKEN, ECHO_MIN_CHARS, INSTRUCTION_CHARS, echoed_tokens
from classifiers.token_estimate import estimate_tokens
from tests.classifiers.conftest import user

_rng = random.Random(0)
_WORDS = ["the", "of", "and", "to", "in", "market", "city", "people", "water", "time", "year", "work", "school", "river"]
ARTICLE = ". ".join(" ".join(_rng.choice(_WORDS) for _ in range(15)) for _ in range(200))  # ~3,300 tokens


@pytest.mark.parametrize("ask", ["Translate this article into French:\n{a}",
                                 "Please proofread the text below and return it corrected.\n\n{a}",
                                 "{a}\n\nNow rewrite it in a more formal tone."])
def test_an_answer_that_returns_a_long_text_is_expected_as_long(default, ask):
    """The answer-length model alone expected 183-214 tokens for these (3,300 tokens of article)."""
    r = default.score(user(ask.format(a=ARTICLE)))
    assert r.expected_answer_tokens >= 0.9 * len(ARTICLE) / CHARS_PER_TOKEN
    assert default.score_batch([user(ask.format(a=ARTICLE))])[0].expected_answer_tokens == r.expected_answer_tokens


@pytest.mark.parametrize("ask", ["Summarize this article in three sentences:\n{a}",
                                 "{a}\n\nWhy did the city fail to convert the river into a water supply?",
                                 "Translate 'good morning' into French."])
def test_other_requests_keep_the_model_estimate(default, ask):
    assert echoed_tokens(ask.format(a=ARTICLE)) == 0.0
    assert default.score(user(ask.format(a=ARTICLE))).expected_answer_tokens < 0.2 * len(ARTICLE) / CHARS_PER_TOKEN


@given(st.lists(st.sampled_from(["a", " ", ".", "\n", "Translate ", "please edit ", "x" * 90]), max_size=60).map("".join))
def test_the_floor_is_the_input_beyond_the_instruction(text):
    t = echoed_tokens(text)
    assert t == 0.0 or (len(text) >= ECHO_MIN_CHARS and t == pytest.approx((len(text) - INSTRUCTION_CHARS) / CHARS_PER_TOKEN))


def chat(reply: str, follow_up: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": "Explain the causes of the French Revolution."},
            {"role": "assistant", "content": reply}, {"role": "user", "content": follow_up}]


@pytest.mark.parametrize("follow_up", ["Now translate it into German.", "Rewrite your previous response in a formal tone.",
                                       "Can you rephrase that more simply?"])
def test_a_follow_up_that_rewrites_the_reply_is_expected_as_long_as_the_reply(default, follow_up):
    """Each was expected at 60-130 tokens after a 1,350-token reply (the turn alone is short)."""
    r = default.score(chat(ARTICLE, follow_up))
    assert r.expected_answer_tokens >= 0.9 * len(ARTICLE) / CHARS_PER_TOKEN


@pytest.mark.parametrize("follow_up", ['Translate "good morning" into French.', "What about the second point?"])
def test_a_follow_up_with_its_own_text_or_question_keeps_the_model_estimate(default, follow_up):
    assert default.score(chat(ARTICLE, follow_up)).expected_answer_tokens < 0.2 * len(ARTICLE) / CHARS_PER_TOKEN


def test_the_reply_before_the_last_turn_is_measured():
    from classifiers.text import parse_messages
    assert parse_messages(chat(ARTICLE, "Now translate it.")).reply == ARTICLE
    assert parse_messages([{"role": "user", "content": "hi"}]).reply == ""
    assert parse_messages([{"role": "assistant", "content": ARTICLE}, {"role": "tool", "content": "x"},
                           {"role": "user", "content": "Now translate it."}]).reply == ""


def test_route_shows_the_floor(capsys):
    import json
    from pathlib import Path

    from router.cli import main

    config = str(Path(__file__).resolve().parents[2] / "configs" / "default.yaml")
    text = f"Translate this article into French:\n{ARTICLE}"
    assert main(["route", text, "--config", config]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["answer_returns_input_tokens"] == round((len(text) - INSTRUCTION_CHARS) / CHARS_PER_TOKEN)
    assert out["expected_completion_tokens"]["low"] >= out["answer_returns_input_tokens"]
    assert main(["route", "Translate 'good morning' into French.", "--config", config]) == 0
    assert "answer_returns_input_tokens" not in json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("ask", ["Traduce este artículo al inglés:\n{a}", "Por favor, traduce este texto:\n{a}",
                                 "Bitte übersetze diesen Text ins Englische:\n{a}", "Переведите этот текст на английский:\n{a}",
                                 "Traduisez ce texte en anglais :\n{a}"])
def test_the_instruction_may_be_in_another_language(ask):
    text = ask.format(a=ARTICLE)
    assert echoed_tokens(text) == pytest.approx(estimate_tokens(text) * (len(text) - INSTRUCTION_CHARS) / len(text))


ZH = "这是一段关于城市和河流的文字。" * 80


@pytest.mark.parametrize("ask", ["请把下面的文章翻译成英文：\n{a}", "次の文章を英語に翻訳してください。\n{a}",
                                 "다음 글을 영어로 번역해 주세요.\n{a}", "{a}\n\n请润色上面的文字。"])
def test_chinese_japanese_and_korean_instructions_are_read(ask):
    """Written without spaces, their requests are phrases inside a sentence (before: no floor at all).
    The floor counts a token a character of those scripts (a flat characters / 4 read a quarter)."""
    text = ask.format(a=ZH)
    assert echoed_tokens(text) == pytest.approx(estimate_tokens(text) * (len(text) - INSTRUCTION_CHARS) / len(text))
    assert echoed_tokens(text) > 0.7 * len(ZH)


@pytest.mark.parametrize("ask", ["这篇关于机器翻译的文章讲了什么？\n{a}", "翻訳の歴史について説明してください。\n{a}"])
def test_a_question_about_translation_is_no_translation(ask):
    assert echoed_tokens(ask.format(a=ZH)) == 0.0


def test_a_chinese_follow_up_that_translates_the_reply():
    assert echoed_tokens("现在把它翻译成德语。", reply="x" * 4000) == 4000 / CHARS_PER_TOKEN
    assert echoed_tokens("现在翻译成德语：你好", reply="x" * 4000) == 0.0  # its own text
    assert echoed_tokens("现在把它翻译成德语。", reply=ZH) == len(ZH), "a Chinese reply: a token a character"
    assert echoed_tokens("Now translate it into German.", reply=ZH[:150]) == 0.0, "a short reply is left to the model"


#: A business report with figures (revenue, percentages, years): prose, though its numbers and "percent"
#: are the cues of an arithmetic word problem.
REPORT = ("Acme Robotics, led by CEO Dana Whitfield, reported revenue of $4.2 billion in 2023, up 12 percent. Its rival, "
          "Borealis Systems, whose chief executive is Marco Ruiz, posted $3.1 billion. Cygnus Labs, founded by Priya "
          "Natarajan in 2015, remained private but announced a partnership with Acme. Analysts expect the robotics "
          "market to grow by 9 percent a year through 2030, driven by logistics and healthcare demand. ") * 3


@pytest.mark.parametrize("ask", ["Summarize the following article in two sentences.\n\n{a}",
                                 "Translate the following text into French.\n\n{a}",
                                 "{a}\n\nGive me a one-paragraph summary of the report above."])
def test_a_text_to_summarize_or_translate_is_material_not_a_problem(default, ask):
    """Its length and figures read as a 1,700-character word problem: 0.94-0.95 on 7.21.0, the top tier,
    like a question that asks to reason over the same figures (which stays above them)."""
    reason = default.score(user(REPORT + "\n\nWhich company grew fastest, and by how much will the market grow from 2024 to 2030 in total?"))
    assert default.score(user(ask.format(a=REPORT))).score < min(0.6, reason.score - 0.15)


@pytest.mark.parametrize(("text", "works"), [
    ("Summarize this:\n" + "x " * 500, True), ("x " * 500 + "\nTL;DR, a summary:", True), ("Please translate: " + "x " * 500, True),
    ("Summarize this:\n" + "x " * 300, False),  # short: the model's features decide
    ("Explain the summary statistics below.\n" + "x " * 500, True),  # "summary" names the task (a known coarseness)
    ("x " * 200 + "Summarize " + "x " * 200, False),  # an instruction is at an end
    ("What did the article about machine translation get wrong?\n" + "x " * 500, False)])
def test_works_on_text_reads_the_instruction_at_either_end(text, works):
    from classifiers.echo import works_on_text

    assert works_on_text(text) is works
