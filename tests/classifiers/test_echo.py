"""Answers that return their input (``classifiers/echo.py``): the answer-length floor."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
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


#: Short pasted material under an instruction to extract, classify or reformat it (version 44): a few numbers and one
#: unit word ("11 hours", "20 minutes", "3 times") made each an arithmetic word problem, at 0.85-0.98 on 7.34.0.
MATERIAL = (
    ("Extract the product's strengths and weaknesses from these reviews, and give each review's rating as a number:\n"
    "Review 1: The battery life on this laptop is phenomenal, I get a full 11 hours of browsing. The keyboard is a bit "
    "shallow, though. 4/5.\nReview 2: Screen is dim outdoors and the fan gets loud during video calls. Returned it after "
    "a week. 2/5.\nReview 3: Solid machine for the price. Nothing amazing, nothing terrible. Speakers are tinny. 3/5."),
    ("Extract the ingredient list from this recipe as a bulleted list with quantities:\nGrandma's Lemon Bars. Crust: 1 cup "
    "butter, softened; 1/2 cup white sugar; 2 cups all-purpose flour. Filling: 4 eggs; 1 1/2 cups white sugar; 1/4 cup "
    "all-purpose flour; 2 lemons, juiced. Preheat oven to 175 C. Blend butter, flour and sugar and press into an "
    "ungreased 23x33 cm pan. Bake 15 to 20 minutes until firm and golden. Cool and cut into 24 squares."),
    ("Classify the sentiment (positive, negative, neutral) of each of these tweets:\n1. 'Loving the new update!!'\n"
    "2. 'App crashed three times today. Great.'\n3. 'The event starts at 6pm.'\n4. 'Not bad, but could be better.'"),
    "Reformat this schedule as a table:\nMonday 9:00 gym, 1 hour\nTuesday 18:30 piano, 45 minutes\nThursday 7:00 run, 30 minutes",
    "Tag each sentence with its tense:\n1. I worked 8 hours yesterday.\n2. The price will rise by 5 dollars.\n3. She runs 3 miles every day.",
)
#: Word problems, some opened by an instruction or over a list of their own: their figures stay quantities.
WORD_PROBLEMS = (
    "A recipe calls for 3 cups of flour for 12 cookies. How many cups for 30 cookies?",
    ("Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends "
    "every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in "
    "dollars does she make every day at the farmers' market?"),
    "Calculate the total cost: 3 notebooks at $2.50 each and 2 pens at $1.20 each.",
    "Identify the better deal: 12 eggs for $3.60 or 18 eggs for $5.04.",
    "Solve this problem: A shop sells pens at $2 each and notebooks at $5 each. Tom buys 3 pens and 2 notebooks. How much does he pay in total?",
    ("Five friends eat at a fast-food chain and order the following: 5 pieces of hamburger that cost $3 each; 4 sets of "
    "French fries that cost $1.20; 5 cups of soda that cost $0.5 each. How much will each of them pay if they split the bill equally?"),
    "Extract the roots of x^2-5x+6",
    "List all the ways to make 25 cents using nickels, dimes and quarters.",
)


#: Review_s40_diff M5: plans and figures to revise, a time's colon, a forum's "Edit:" — word problems, not material.
NOT_MATERIAL_M5 = [
    "Revise the budget: we have $5,000 and need 3 trips at $1,200 each plus a $900 laptop. What can we afford?",
    "Rewrite my weekly schedule: I work 9 to 5 on weekdays, need 3 hours of study, 4 gym sessions and 2 dinners out.",
    "Summarize what happens if I leave at 5:30 and drive 240 miles at 60 mph with a 20 minute stop, when do I arrive?",
    "Edit: sorry, the train leaves at 3 pm, not 4 pm, and the distance is 180 miles. So when does it arrive?",
]
#: ... while a text to rewrite with no pointer stays material: no object, a manner, a text noun.
MATERIAL_M5 = [
    "Rewrite in a formal tone: we need 3 more people by 5 pm Friday or the 2 shifts get cancelled",
    "Polish my cover letter: I have 5 years of experience managing 12 people and a budget of $2M.",
    "Rewrite: we need 3 more people by 5 pm Friday or the 2 shifts get cancelled, thanks",
    "Edit my resume: Managed 12 people, cut costs 15% in 2 years.",
    "Translate to Spanish: 'Your appointment is on May 14 at 3:30 pm. The visit costs $40.'",
]


@pytest.mark.parametrize("text", MATERIAL + tuple(MATERIAL_M5))
def test_an_instruction_over_material_is_recognised(text):
    from classifiers.echo import instructs_over_material

    assert instructs_over_material(text)


@pytest.mark.parametrize("text", WORD_PROBLEMS + tuple(NOT_MATERIAL_M5))
def test_a_word_problem_is_no_instruction_over_material(text):
    from classifiers.echo import instructs_over_material

    assert not instructs_over_material(text)


@pytest.mark.parametrize(("text", "over"), [
    ("Please extract the totals from this invoice: 3 hours at $40 per hour", True),  # after a lead
    ("From the following email, list the times: 'Lunch at 12, call at 3, 2 hours each.'", True),  # an opening phrase
    ("Given these notes, pull out the prices:\nTea 2 dollars\nCake 4 dollars", True),
    ("Given a list of prices, list the cheapest: 3 dollars, 5 dollars, 2 dollars", False),  # the phrase points at nothing
    ("Extract the flight number, departure time and price from this email", False),  # no material after it
    ("Classify the items by cost: 3 pens at 2 dollars", False),  # no pointer, no lines of items
    ("Classify the items by cost:\n3 pens at 2 dollars\n4 cups at 1 dollar", True),  # lines of items
    ("Find the total cost of these items: 3 pens at $2 each and 4 cups at $1 each", False),  # "find" works figures out
    ("Extract the product's details from this listing: 'price 20 dollars, 3 hours of battery'", True),  # no apostrophe cut
])
def test_instructs_over_material_reads_the_opening_instruction(text, over):
    from classifiers.echo import instructs_over_material

    assert instructs_over_material(text) is over


def test_material_to_extract_from_is_no_word_problem(default):
    """0.85-0.98 on 7.34.0 from the word-problem priors; each now scores below every word problem, which keep their
    priors (the numbers prior, the length in a closed problem)."""
    material = [default.score(user(t)).score for t in MATERIAL]
    assert max(material) < 0.5
    problems = [default.score(user(t)) for t in WORD_PROBLEMS[1:3] + WORD_PROBLEMS[4:6]]
    assert min(r.score for r in problems) > max(material)
    assert all(any(name == "numbers in a word problem" for name, _ in r.top_features) or r.score > 0.6 for r in problems)


#: Short texts with figures to summarize, translate, rewrite, headline or put into a shape (version 56): read as word
#: problems (0.51-0.77 on 7.45.1; the same texts without figures 0.10-0.14). No arithmetic word needed.
TEXTS_TO_WORK_ON = (
    "Summarize in two sentences:\n\nThe bakery on Elm Street sold 1,450 loaves last month, 20% more than in March.",
    "Translate into German: 'The train to Munich leaves at 9:45 from platform 6. Tickets cost 59 euros.'",
    "TL;DR:\n\nOur Q2 sales came in at $3.1M, up 12%, and we opened 2 new stores in Leeds and York.",
    "Correct the spelling: 'The meeting is at 4pm in room 210, bring you're laptop and 2 copys.'",
    "Give this article a headline: 'A local school raised $18,000 for library books in 6 weeks.'",
    "What's the gist of this message? 'The plumber can come Thursday between 8 and 11, the quote is $260.'",
    "Make this into a bulleted list:\n\nBus 14 leaves at 07:10, the ferry at 08:30 from pier 3, lunch at 12:45.",
    "Extract the patient's vitals as a table: BP 138/90, HR 92 bpm, temp 38.1 C, SpO2 95%.",
    "Here is a lease clause. List the tenant's duties: 'Rent of $950 is due on the 1st; a late fee of 5% applies.'",
)
#: Problems over figures, opened like instructions: a verb or word that works the figures out, or no text to return.
PROBLEMS_OVER_FIGURES = (
    "Calculate the total cost of these items: 3 notebooks at $2.75 and 2 backpacks at $24.99.",
    "Find the mean of these numbers: 3, 8, 12, 17, 20, 41",
    "Fix the error in my calculation: 48 / 6 + 2 * 3 = 14, or is it 10?",
    "Correct this answer if it is wrong: 'If 3 pencils cost $1.20, then 10 pencils cost $3.60.'",
    "Summarize this and compute the margin: revenue $2.4M, costs $1.9M, 40 staff.",
    "Convert to Celsius: 72 F, 100 F, 212 F and 32 F.",
    "From this table, which month had the most sales?\nJan 120\nFeb 98",  # a question over data: version 44 as it was
)


@pytest.mark.parametrize("text", TEXTS_TO_WORK_ON)
def test_a_text_to_work_on_is_material(text):
    from classifiers.echo import instructs_over_material

    assert instructs_over_material(text)


@pytest.mark.parametrize("text", PROBLEMS_OVER_FIGURES)
def test_a_problem_over_figures_is_no_material(text):
    from classifiers.echo import instructs_over_material

    assert not instructs_over_material(text)


@pytest.mark.parametrize("text", [
    "Summarize this news snippet in one sentence:\n\nThe council voted 7-2 on Monday to approve a $48 million budget.",
    "Fix the grammar: 'We has 3 meeting on monday at 10am and 2 more on tuesday, total 5 meeting this week.'",
])
def test_material_without_an_arithmetic_word_has_no_closed_problem_length(text):
    """Version 44's escape wanted an arithmetic word: a news snippet's figures with none kept the length prior."""
    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.text import parse_messages

    assert handcrafted(parse_messages(user(text)))[PRIOR_FEATURE] == 0.0


@pytest.mark.parametrize("text", [
    "Translate this code into Kotlin:\nfn add(a: i32, b: i32) -> i32 {\n  a + b\n}\nfn main() {\n  let total = add(3, 4);\n}",
    "Rewrite this loop to use a list comprehension: 'out = []; for x in range(20): out.append(x * 2)'",
])
def test_code_to_translate_or_rewrite_keeps_its_length_in_a_closed_problem(text):
    """A program's work, not material (version 56 asks for no code: version 44's arithmetic word had kept code out)."""
    from classifiers.feature_schema import PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.text import parse_messages

    assert handcrafted(parse_messages(user(text)))[PRIOR_FEATURE] > 0.0


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=" \n\t\r\x0b\x1c\x85\u2028\u00a0a4", max_size=16), st.integers(min_value=0, max_value=16))
def test_item_lines_are_found_as_the_split_finds_them(text, start):
    """Two non-blank lines after the instruction, found by searches that stop at the second line: the same answer as
    splitting the rest of the text (which cost 1.4 ms on 100,000 characters)."""
    from classifiers.echo import _has_item_lines

    assert _has_item_lines(text, start) is (sum(1 for line in text[start:].split("\n") if line.strip()) >= 2)


def test_leading_space_opens_the_instruction_as_in_the_reference() -> None:
    """The featurizer reads an instruction after leading whitespace as opening the text; the reference now does too
    (hypothesis found ' Translate ' + 'y ' * 395: 801 characters, True against False)."""
    from classifiers.echo import works_on_text
    from tests.classifiers import reference_features as ref

    text = " Translate " + "y " * 395
    assert works_on_text(text) is ref._works_on_text(text) is True
