"""The optimized featurizer equals the plain definitions it replaced, exactly (no tolerance): the whole feature
vector, on generated, fixed and training prompts.

The full check (every training prompt, ~6,000 hostile strings, 2,000 conversations; see docs/classifier_history.md,
Before the accelerator) was run once against the previous code; this keeps a sample of it."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers import lexicons, shape, written_code
from tests.classifiers._equivalence_helpers import PIECES, _same, texts
from tests.classifiers.conftest import EASY, HARD, OLYMPIAD

#: A system prompt holding a schema (version 88: the user turn is a question over it).
SYSTEM_SCHEMA = "You write PostgreSQL.\nCREATE TABLE users (id INT, email TEXT);\norders(id INT, user_id INT, total NUMERIC(10,2))"
#: A system prompt holding no schema: a tool list, a table of plans (version 95: every turn under them was a query).
SYSTEM_TOOLS = ("Tools:\nsearch_flights(origin, destination, date)\nbook_hotel(city, checkin, nights)\n| Plan | Type | Price |\n|---|---|---|\n"
                "| Basic | Monthly | $7 |")
#: A system prompt holding documents (version 78: their figures count in a calculation's word problem).
SYSTEM_DOCUMENTS = ("Answer from the documents below.\nDocument 1: The monthly plan costs $39 and the annual plan $399; students pay "
                    "20% less.\nDocument 2: Guest passes cost $12 each; annual members get four free passes a year.")


@settings(max_examples=400, deadline=None)
@given(texts, st.sampled_from(["", "You are a Python expert. Answer briefly.", SYSTEM_DOCUMENTS, SYSTEM_SCHEMA, SYSTEM_TOOLS]), st.sampled_from(["", "x = 1; {"]),
       st.sampled_from([str.lower, str.upper, str.title, str.strip]))
def test_features_equal_the_reference(text, system, history, case):
    _same(case(text), system, history)


#: Quiz-shaped texts (an outside review's fuzz, s36: it found two mismatches the pieces above never build): a stem of
#: cue words, numbers, notation and other scripts, then options in one of the layouts, maybe an answer line after.
QUIZ_WORDS = ("the", "which", "of", "following", "is", "correct", "prove", "compute", "analysis", "design", "older than",
              "north of", "3x = 12", "x^2", "Z_4", "5 kg", "$3", "\\frac{1}{2}", "1969", "(vitamin A)", "Plan A.", "town A.",
              '"quoted"', "“curly”", "∨", "¬", "下列", "首都", "Какая", "¿Cuál")
OPTION_FORMS = ("{}. ", "({}) ", "{}) ", "{}: ", "{} - ", "{}– ")
quiz_sentences = st.lists(st.sampled_from(QUIZ_WORDS), max_size=25).map(" ".join)


@st.composite
def quiz_texts(draw: st.DrawFn) -> str:
    form = draw(st.sampled_from(OPTION_FORMS))
    letters = draw(st.sampled_from(("ABCDEFG", "abcdefg")))[:draw(st.integers(2, 7))]
    sep = draw(st.sampled_from(("\n", " ", "", "\n  ")))  # "": an empty option ends on the next one's space
    options = sep.join(form.format(letter) + draw(quiz_sentences) for letter in letters)
    after = draw(st.sampled_from(("", "\nAnswer:", " Answer:", "\nExplain.", "\nLet's think step by step.", "\n\nThe answer is")))
    return draw(quiz_sentences) + draw(st.sampled_from(("?", "", ":", "."))) + sep + options + after


@settings(max_examples=300, deadline=None)
@given(quiz_texts())
def test_features_equal_the_reference_on_quiz_shaped_texts(text):
    _same(text)


def test_features_equal_the_reference_on_fixed_prompts():
    for t in EASY + HARD + [OLYMPIAD, "", " ", "x" * 100_000, "write 3 poems. " * 5000, "a" * 5000 + "\n" + "b " * 3000,
                            "Why is the sky blue?\nLet's think step by step.", "Q: 7 * 6?\nA: Let's think step by step.",
                            "Write f.\nassert f(1) == 2\n```\nassert f(3) == 4\n```\nassert f(4) == 5.5 kg", "assert 1\r\nassert 2",
                            "Write f.\n```python\n    assert f([(1, 9), (2, 3)]) == [(2, 3), (1, 9)]\n```",
                            "Prices: 3 apples cost $2 in total.\n2022-01-03,152.69,166.95\n2022-01-10,165.22,159.44\nHow much more?",
                            "Tom sells 3 cakes.\n1 3 1\nHow many in all?",
                            ("Which is a good sentence?\nA. Ann is taller than Bo because Bo is older than Cy.\n"
                             "B. Ann is taller than Bo because Cy is older than Bo.\nAnswer:"),
                            "Which method is used?\nA. Content analysis\nB. Experimental design\nC. Role play\nD. Survey",
                            "If 3x - 7 = 11, what is 6x + 2?\nA. 34\nB. 38\nC. 40\nD. 44\nAnswer:",
                            "Either S or F, not both.\nA. (S \u2228 F) \u2022 \u00ac(S \u2022 F)\nB. S \u2283 F",
                            "A 60-year-old man, BP 150/90 mmHg, pulse 110/min, ejection fraction 25%. " * 12
                            + "Which drug combination?\nA. x\nB. y\nC. z",
                            "Ann is older than Bo. What is 2 + 3 + 4 + 5? (A) 7 (B) 14 (C) role play (D) design analysis",
                            "下列哪位是古代中国的思想家？\nA. 孔子，他证明了很多逻辑推理 Python写\nB. 牛顿\nC. 爱因斯坦",
                            "Which planet is closest to the Sun?\nA. $\\text{Mercury}$\nB. $\\text{Venus}$\nC. $\\text{Mars}$",
                            "Compute $\\frac{1}{2}+\\frac{1}{3}$.\nA. 5/6\nB. 1\nC. 2/5",
                            "A car leaves town A. It goes 60 km/h for 2 h, then 3 h. (A) 240 km (B) 300 km (C) 360 km",
                            "Which vitamin (vitamin A) helps? Deduce it. (A) retinol (B) niacin (C) folate (D) none",
                            "Symbolize: S or F.\nA. S implies F\nB. S if and only if if and only if F\nC. argument",
                            "Find the remainder when 2^100 is divided by 7 and 3.\nA. 1\nB. 2\nC. 4",
                            "If $f(x) = x^2 + 1$, what is $f(f(1))$? It costs $5.\nA. 5\nB. 2\nC. 26",
                            "A man smokes one pack per day for 30 years; 6 hours ago pain began. " * 10
                            + "How much is the total dose? Ratio?\nA. 1\nB. 2\nC. 3",
                            "Which team won the World Series in 1969, 1986 and 2000 and in the 1960s? (A) Mets (B) Cubs (C) Cards",
                            "A CT scan was computed to the nearest hospital. How much? " * 9 + "Ratio?\n(A) Plan A. x (B) y (C) z",
                            "Let \u0663x = 5, y = 2, z = 7. Find x.\nA. 1\nB. 2\nC. 3",
                            "Which chord?\nA - C major\nB \u2013 G7\n  C - Am\nD. F", "C - G - Am - F\nA - x\nB - y",
                            "Which one is it? A) B) deduce it logically C) no D) analyze", "Pick the town: town A. A. B. Bonn C. Cork D. Dax or older than",
                            'Fill in this JSON for Mars: {"name": "", "moons": 0}', 'Return {"capital": ..., "x": [string]} for Japan.',
                            'Respond with {"answer": "yes"} or {"answer": "no"}: Is 7 prime?', 'x = {"a": ""}; return {"b": 0}',
                            'Output JSON {"language": <ISO code>} for "Hallo".', 'Extract as {name, email_address}: Ann, a@b.c',
                            'Parse this JSON in Python: {"a": ""}', 'Rate it. Return {"score": 1-5, "why": "<text>"}' * 20,
                            "write one two three four five six seven in python", "write uno dos tres cuatro cinco seis siete in c++17",
                            "assert B) 2000\nb) options:", "\nassert \u0663\n7", "Compute \u0663 + \u0664 + \u0665 + \u0666 + \u0667.\nA. x\nB. y\nC. z"]:
        _same(t)
        _same(t, history="```python\nprint(1)\n```")


#: Every word a lexicon or a rule looks for (a phrase's words one by one), for texts that no targeted strategy writes:
#: differential fuzzing over these found a write verb's object read one word short ("write one two three four five six
#: seven in python", version 104) and a misspelt reference word (Ukrainian "доведіть").
RULE_WORDS = tuple(sorted({*lexicons._WORDS, *(w for p in lexicons._PHRASES for w in p.split()), *written_code._WRITE_VERB_SET,
                           *written_code.IN_LANGUAGES, *written_code._PART_WORDS, *shape._FIRST}))
SOUP_GLUE = ("\n", ". ", "? ", ", ", ": ", "(", ")", "```", "\n- ", "\n1. ", "A. ", "{", "}", '"name": ""', "|", "=", "3", "42", "2.5",
             "$x^2$", "%", "exactly", "letters", "each", "different", "写", "é")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(RULE_WORDS) | st.sampled_from(SOUP_GLUE + PIECES), min_size=1, max_size=50).map(" ".join),
       st.sampled_from(["", "You are a Python expert.", "Tools: get_weather(city), send_email(to, body)"]),
       st.sampled_from(["", "```python\nprint(1)\n```", "Sure, here it is."]))
def test_features_equal_the_reference_on_a_soup_of_rule_words(text, system, history):
    _same(text, system, history)


def test_features_equal_the_reference_on_training_prompts(shared_data):
    from classifiers.data import load_all

    examples, _ = load_all(shared_data)
    for e in random.Random(0).sample(examples, 400):
        _same(e.text)
