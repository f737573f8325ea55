"""Wrappings that leave the question as it was score as the question does (version 109, invariance review inv52).

A copy, an editor or an evaluation harness wraps a prompt: it sends it as the only (system) message, in full-width
forms, with no-break spaces, CRLF line breaks or blank lines around it, inside a "Question: … Answer:" frame, after a
heading or an emoji, JSON-escaped a second time. Each such wrapping moved the score across a tier threshold. A user's
own "Q: why …" (no empty "Answer:" line closing it) is the user's writing and is read as written.
"""

from __future__ import annotations

import math

import pytest

from classifiers.lexicons import lower_words
from classifiers.text import canonical_text, parse_messages
from classifiers.written_code import request_length
from tests.classifiers.conftest import turn_features, user

#: One prompt of each kind: a code question, a quiz, a word problem, a chat question, a request for a program.
BASES = [
    "Why does this code print None?\n\ndef f(x):\n    x.append(1)\n\nprint(f([]))",
    "Which planet is known as the Red Planet?\nA. Venus\nB. Mars\nC. Jupiter\nD. Saturn",
    ("Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
     "How many clips did Natalia sell altogether in April and May?"),
    "What is the difference between a virus and a bacterium?",
    "Write a Python function that merges overlapping intervals in a list of [start, end] pairs.",
]

_FULL = {c: chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def _full_width(text: str) -> str:
    """Digits and punctuation as an East Asian input method types them ("２０", "A．")."""
    return "".join(_FULL[ord(c)] if not c.isalpha() and ord(c) in _FULL else c for c in text)


#: Wrappings the fixes undo, each to the same score as the prompt itself.
WRAPPINGS = {
    "only system message": lambda t: [{"role": "system", "content": t}],
    "only developer message": lambda t: [{"role": "developer", "content": t}],
    "system messages only": lambda t: [{"role": "system", "content": "You are a helpful assistant."},
                                       {"role": "system", "content": t}],
    "full-width digits and punctuation": lambda t: user(_full_width(t)),
    "no-break spaces": lambda t: user(t.replace(" ", "\u00a0", 3).replace("  ", "\u00a0\u00a0")),
    "CRLF line breaks": lambda t: user(t.replace("\n", "\r\n")),
    "blank lines and spaces around it": lambda t: user(f"\n\n  {t}  \n\n"),
    "a trailing line break": lambda t: user(t + "\n"),
    "Question: … Answer:": lambda t: user(f"Question: {t}\nAnswer:"),
    "Q: … A:": lambda t: user(f"Q: {t}\nA:"),
    "one solved example before it": lambda t: user(f"Q: What is 2 + 2?\nA: 4\n\nQ: {t}\nA:"),
}


@pytest.mark.parametrize("name", WRAPPINGS)
@pytest.mark.parametrize("base", BASES, ids=range(len(BASES)))
def test_a_wrapping_scores_as_the_prompt(default, base, name):
    assert default.score(WRAPPINGS[name](base)).score == pytest.approx(default.score(user(base)).score, abs=1e-9)


@pytest.mark.parametrize("base", BASES, ids=range(len(BASES)))
def test_a_json_escaped_prompt_is_read_as_the_prompt(default, base):
    text = f"{base}\n(Asked in a caf\u00e9.)"
    escaped = text.replace("\n", "\\n").replace("\u00e9", "\\u00e9") + "\\n"  # one line: a second JSON encoding
    assert parse_messages(user(escaped)).last_user == text
    assert default.score(user(escaped)).score == pytest.approx(default.score(user(text)).score, abs=1e-9)


@pytest.mark.parametrize("head", ["## Question\n", "🤔 ", "**Question:** ", "Q: ", "### Problem\n\n"])
def test_a_heading_before_a_code_question_leaves_a_question(head):
    """The length prior reads a request for a program 245 characters longer unless it opens a question: a heading, a
    label or an emoji first is no word of the question ("## Question\\nWhy does this code print None?" 0.45 -> 0.76)."""
    base = BASES[0]
    ln = math.log(100)
    assert request_length(ln, lower_words(head + base), head + base) == request_length(ln, lower_words(base), base) == ln


@pytest.mark.parametrize("head", ["## Task\n", "🚀 ", "Task: "])
def test_a_heading_before_a_request_leaves_a_request(head):
    text = head + BASES[4]
    assert request_length(math.log(100), lower_words(text), text) > math.log(100)


@pytest.mark.parametrize("text", [
    "Q: why is the sky blue? my kid asked and I had no idea",
    "Q: why does my sourdough collapse after the second rise?\nI feed the starter twice a day.",
    "Question: is it rude to leave a party without saying goodbye?",
    "A: I think we should go.\nQ: why?",
])
def test_a_users_own_q_is_read_as_written(text):
    """Without an empty "Answer:" / "A:" line closing it, "Q:" is the user's own writing: kept, with its features."""
    conv = parse_messages(user(text))
    assert conv.last_user == text
    assert turn_features(conv.last_user) == turn_features(text)


@pytest.mark.parametrize("text", ["Question: What is 2 + 2?\nAnswer: 4", "Q: What is the capital of France?\nA: Paris"])
def test_a_filled_answer_is_no_frame(text):
    assert parse_messages(user(text)).last_user == text


def test_canonical_text_keeps_an_ascii_text_and_folds_the_rest():
    text = "Solve 2x + 3 = 11.\n\nShow the steps."
    assert canonical_text(text) is text or canonical_text(text) == text
    assert canonical_text("\r\n\u3000Ｓｏｌｖｅ\u00a0２ｘ＋３＝１１．\r\n") == "Solve 2x+3=11."
    assert canonical_text("一个苹果多少钱？") == "一个苹果多少钱?"


def test_a_system_prompt_over_a_user_turn_stays_a_system_prompt():
    conv = parse_messages([{"role": "system", "content": "Be brief."}, {"role": "user", "content": BASES[3]}])
    assert (conv.system, conv.last_user) == ("Be brief.", BASES[3])
    conv = parse_messages([{"role": "system", "content": BASES[3]}, {"role": "system", "content": ""}])
    assert (conv.system, conv.last_user, conv.n_user_turns) == ("", BASES[3], 1)


def test_the_fast_fold_is_the_translation():
    """``_canonical_chars`` (its C counting pass and its replaces, or its fallback) folds as ``str.translate`` does."""
    import random

    from classifiers import text as parser

    assert sorted("".join(parser._CANON_GROUPS)) == sorted(map(chr, parser._CANON))
    pool = [*map(chr, parser._CANON), *"ab 中文\n\r。"]
    rng = random.Random(0)
    for _ in range(500):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        assert parser._canonical_chars(s) == s.translate(parser._CANON)


# --- version 110: HTML character references, a template inside a chat's last turn, "Go." under a system question ---

#: Prompts with the characters a web form or a scraped page sends as HTML character references.
ENTITY_TEXTS = [
    'My friend texted "hey, what\'s up?" and then nothing. What should I say back?',
    "Write a short story about Tom & Jerry's first day at school.",
    "Is 3 < 5 and 7 > 2? Explain why 'less than' is written that way.",
]


@pytest.mark.parametrize("escape", ["html", "numeric"])
@pytest.mark.parametrize("text", ENTITY_TEXTS, ids=range(len(ENTITY_TEXTS)))
def test_html_character_references_read_as_the_characters(default, text, escape):
    """"&quot;hey&quot;, it&#x27;s" (a writing prompt 0.05 -> 0.43: "27" a number, ";" code syntax, "&quot;hey" no word)."""
    import html

    coded = html.escape(text) if escape == "html" else "".join(f"&#{ord(c)};" if c in "\"'&<>" else c for c in text)
    assert coded != text
    assert parse_messages(user(coded)).last_user == text
    assert default.score(user(coded)).score == pytest.approx(default.score(user(text)).score, abs=1e-9)


@pytest.mark.parametrize("text", [
    "<p>Tom &amp; Jerry</p>\nWhy does the browser show one ampersand?",
    "```html\n<b>&lt;not bold&gt;</b>\n```\nWhat does this render?",
    "In HTML, what does &nbsp; do inside a ```pre``` block?",
    "What does AT&T stand for, and what is R&D?",
    "Why does the link ?a=1&copy=2 lose its second parameter?",
])
def test_markup_code_and_bare_ampersands_keep_their_text(text):
    """Markup or code holds its entities as its own text; a bare "&" or a reference without ";" is no entity."""
    assert parse_messages(user(text)).last_user == text


#: A two-turn chat whose follow-up a harness sent with a chat template applied (as its own single text would be).
CHAT = [{"role": "user", "content": "What is a hash table?"},
        {"role": "assistant", "content": "A hash table maps keys to values through a hash function."}]
FOLLOW_UP = "How would you resize one without pausing every insert for a full rehash?"
TEMPLATED = {
    "chatml": f"<|im_start|>user\n{FOLLOW_UP}<|im_end|>\n<|im_start|>assistant\n",
    "alpaca": f"### Instruction:\n{FOLLOW_UP}\n\n### Response:\n",
    "llama2": f"[INST] {FOLLOW_UP} [/INST]",
}


@pytest.mark.parametrize("name", TEMPLATED)
def test_a_template_in_a_chats_last_turn_is_read_as_its_turn(default, name):
    plain = [*CHAT, {"role": "user", "content": FOLLOW_UP}]
    wrapped = [*CHAT, {"role": "user", "content": TEMPLATED[name]}]
    conv = parse_messages(wrapped)
    assert (conv.last_user, conv.template, conv.n_user_turns) == (FOLLOW_UP, name, 2)
    assert default.score(wrapped).score == pytest.approx(default.score(plain).score, abs=1e-9)


@pytest.mark.parametrize("go", ["Go.", "Answer.", "Begin.", "Please answer.", "answer the question", "OK, go ahead!"])
@pytest.mark.parametrize("base", BASES, ids=range(len(BASES)))
def test_a_system_question_under_a_go_is_read_as_the_question(default, base, go):
    """The question in the system prompt and a user turn that only says "Go." (a mean move of 0.30, a code task
    0.93 -> 0.24): read as the system-only conversation it is."""
    for role in ("system", "developer"):
        messages = [{"role": role, "content": base}, {"role": "user", "content": go}]
        conv = parse_messages(messages)
        assert (conv.last_user, conv.system, conv.n_user_turns) == (base, "", 1)
        assert default.score(messages).score == pytest.approx(default.score(user(base)).score, abs=1e-9)


@pytest.mark.parametrize("messages", [
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Answer the question in the document."}],
    [{"role": "system", "content": BASES[3]}, {"role": "user", "content": "Go on."}],
    [{"role": "system", "content": BASES[3]}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
     {"role": "user", "content": "Go."}],
    [{"role": "system", "content": ""}, {"role": "user", "content": "Go."}],
])
def test_a_go_with_a_chat_or_a_real_turn_stays_a_turn(messages):
    """A turn with words of its own, a chat with an assistant turn, or no system text: the user turn is the turn."""
    assert parse_messages(messages).last_user == messages[-1]["content"]


# --- version 111: courtesy lines and help requests without content around the question (classifiers.courtesy) ---

#: Courtesy before or after a prompt: a help request without content, a question announced, a greeting, a heading of
#: such words, thanks ("Please help me with this." moved a code question 0.45 -> 0.78, "Thanks!" a learned -0.24 logit).
COURTESY = {
    "please help (line)": lambda t: f"Please help me with this.\n{t}",
    "please help (sentence)": lambda t: f"Please help me with this. {t}",
    "can you help me": lambda t: f"Can you help me?\n{t}",
    "i need help": lambda t: f"I need help.\n{t}",
    "hi, a question (line)": lambda t: f"Hi! I have a question:\n{t}",
    "hi, a question (colon)": lambda t: f"Hi! I have a question: {t}",
    "hello": lambda t: f"Hello!\n\n{t}",
    "# Question": lambda t: f"# Question\n{t}",
    "## Help needed": lambda t: f"## Help needed\n{t}",
    "### Task": lambda t: f"### Task\n{t}",
    "thanks": lambda t: f"{t}\nThanks!",
    "thanks in advance": lambda t: f"{t}\n\nThanks in advance.",
    "thank you": lambda t: f"{t}\n\nThank you!",
    "any help appreciated": lambda t: f"{t}\nAny help is appreciated.",
    "both ends": lambda t: f"Could you please help me out?\n{t}\nThank you so much!",
    "help me figure this out": lambda t: f"Can you help me figure this out? {t}",
    "help me understand": lambda t: f"Please help me understand this.\n{t}",
}


@pytest.mark.parametrize("name", COURTESY)
@pytest.mark.parametrize("base", BASES, ids=range(len(BASES)))
def test_courtesy_around_a_prompt_is_not_read(default, base, name):
    wrapped = COURTESY[name](base)
    conv = parse_messages(user(wrapped))
    assert conv.last_user == base and conv.dropped_courtesy
    assert default.score(user(wrapped)).score == pytest.approx(default.score(user(base)).score, abs=1e-9)


def test_courtesy_goes_before_a_trigger_and_in_a_follow_up():
    assert parse_messages(user("Solve 2x + 3 = 11.\nLet's think step by step.\nThanks!")).last_user == "Solve 2x + 3 = 11."
    chat = [*CHAT, {"role": "user", "content": f"Thanks! {FOLLOW_UP}"}]
    assert parse_messages(chat).last_user == FOLLOW_UP


@pytest.mark.parametrize("text", ["Thanks!", "Thank you so much!", "Hi! Thanks!", "Can you help me?", "Hi! How are you?",
                                  "Hi! I have a question:", "Thanks in advance.\n\n🙂"])
def test_courtesy_alone_is_what_is_asked(default, text):
    """Small talk or a bare help request: nothing else is left, so it is read as written (and scores as chit-chat)."""
    assert parse_messages(user(text)).last_user == text
    assert default.score(user(text)).score < 0.40


@pytest.mark.parametrize("text", [
    "Please help me fix this segfault in my C code",
    "Can you help me understand this proof of the Banach fixed-point theorem?",
    "Can you help me with my essay on the French Revolution?\nIt is due on Monday.",
    "I need help with my taxes.\nI moved to another state in June.",
    "Thanks for the recipe yesterday! What wine goes with it?",
    'Reply to this email politely:\n"Hi Tom, the report is late again.\nThanks."',
    "Question: is it rude to leave a party without saying goodbye?",
    "Write a poem about spring.\nPlease make it rhyme.",
    "Translate into French:\nThank you very much for your help.",
])
def test_courtesy_with_content_is_read(text):
    """A unit with words of its own, quoted material or material a colon opens, or a label opening the user's own
    sentence stays as written."""
    assert parse_messages(user(text)).last_user == text


# --- version 112: a same-line lead-in before the question (classifiers.courtesy._lead_in_end) ---

#: A greeting (and to whom), thanks, "Please,", a discourse marker, a question announced or "I was wondering" opening
#: the question's own line: "Hi ChatGPT, why does this code print None? …" 0.38 -> 0.73 (a tier crossing).
LEAD_INS = ["Hi, ", "Hello there, ", "Hi ChatGPT, ", "Thanks, ", "Please, ", "So, ", "Ok so ", "Quick question - ",
            "Hey, quick question: ", "I was wondering, ", "Well, ", "Anyway, ", "Okay, so ", "Quick question \u2014 "]


@pytest.mark.parametrize("lead", LEAD_INS)
@pytest.mark.parametrize("base", [*BASES, "How do I center a div in CSS?"], ids=range(len(BASES) + 1))
def test_a_lead_in_on_the_question_line_is_not_read(default, base, lead):
    wrapped = lead + base[0].lower() + base[1:]
    conv = parse_messages(user(wrapped))
    assert conv.last_user == base[0].lower() + base[1:] and conv.dropped_courtesy == lead.strip()
    assert default.score(user(wrapped)).score == pytest.approx(default.score(user(base)).score, abs=1e-9)


@pytest.mark.parametrize(("text", "question"), [
    ("Hi, I'm a nurse and I work nights. How can I sleep better?", "I'm a nurse and I work nights. How can I sleep better?"),
    ("I was wondering if you could explain recursion.", "you could explain recursion."),
    ("Hello!\n\nHi, why is the sky blue?", "why is the sky blue?"),
    # version 113: a statement with a question after it, or after a help request, is no small talk
    ("Thanks, it works. Why was it failing?", "it works. Why was it failing?"),
    ("Hi, the function returns None. How do I fix it?", "the function returns None. How do I fix it?"),
    ("Please help me with this.\nThe build fails on CI.", "The build fails on CI."),
])
def test_a_lead_in_drops_no_content(text, question):
    assert parse_messages(user(text)).last_user == question


@pytest.mark.parametrize("text", [
    "Hi,", "Hi, thanks!", "So what?", "So the function returns None, why?", "How are you, my friend?",
    "Question: is it rude to leave a party without saying goodbye?", "Well-known sorting algorithms, which is fastest?",
    "Now, do the same in Java.", "Hello world, in C, please.", "Hello, World! program in Rust, please.", "So I tried pip install, why does it fail?",
])
def test_a_lead_in_needs_its_separator_and_something_after_it(text):
    """No separator after "So" (its sentence is the question's), a greeting that asks, small talk alone, a label, "Now"
    (a follow-up's word) and a word that only opens with a marker's letters are read as written."""
    assert parse_messages(user(text)).last_user == text


# --- version 113: an indirect question's frame, "Hey quick question:", small talk before a statement ---

#: (the embedded question, its direct form): a frame before the one scores as the embedded question read bare.
EMBEDDED = [
    ("why this code prints None?" + BASES[0][BASES[0].index("\n"):], BASES[0]),
    ("how to center a div in CSS?", "How do I center a div in CSS?"),
    ("what the capital of Australia is?", "What is the capital of Australia?"),
]
#: "I'd like to know why this code prints None." read as a request for a program (+0.37, a tier crossing).
FRAMES = ["Can you tell me ", "Could you tell me ", "Do you know ", "I'd like to know ", "I want to know ", "Tell me ",
          "Please tell me ", "Could you please tell me "]


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize(("embedded", "direct"), EMBEDDED, ids=range(len(EMBEDDED)))
def test_an_indirect_questions_frame_is_not_read(default, frame, embedded, direct):
    conv = parse_messages(user(frame + embedded))
    assert conv.last_user == embedded and conv.dropped_courtesy == frame.strip()
    assert default.score(user(frame + embedded)).score == pytest.approx(default.score(user(embedded)).score, abs=1e-9)


@pytest.mark.parametrize("frame", ["Can you tell me: ", "I'd like to know: ", "Tell me, ", "Hey quick question: ",
                                   "Hey quick question.\n"])
@pytest.mark.parametrize("base", [*BASES, "How do I center a div in CSS?"], ids=range(len(BASES) + 1))
def test_a_frame_before_a_separator_is_not_read(default, frame, base):
    """"Can you tell me: why does …" moved a code question by -0.28; "Hey quick question:" (no comma) by +0.36."""
    conv = parse_messages(user(frame + base))
    assert conv.last_user == base and conv.dropped_courtesy == frame.strip()
    assert default.score(user(frame + base)).score == pytest.approx(default.score(user(base)).score, abs=1e-9)


@pytest.mark.parametrize("text", [
    "Tell me about your day", "Can you tell me a joke?", "Do you know Python?", "Explain recursion.",
    "Can you explain recursion?", "Can you tell me if this code is thread-safe?", "Tell me whether it will rain.",
    "Tell me about your day, please.", "Do you know Python, or only Java?", "I want to learn Rust. Where do I start?",
])
def test_a_frame_before_its_own_object_is_the_request(text):
    """Without an embedded question's word after it (why, how, what, when, where, who, which) the frame is the request."""
    assert parse_messages(user(text)).last_user == text


@pytest.mark.parametrize("text", ["Thanks, that worked!", "Thanks! That worked.", "Hi Tom, the report is late again.",
                                  "Thank you, it works now.", "Hi! This is great.", "Thanks, you're a lifesaver."])
def test_small_talk_before_a_statement_is_read_as_written(default, text):
    """Thanks or a greeting before a statement is small talk with it: dropped, "that worked!" read alone 0.25 where
    "Thanks, that worked!" scored 0.09."""
    assert parse_messages(user(text)).last_user == text
    assert default.score(user(text)).score < 0.25


@pytest.mark.parametrize(("request_", "question"), [
    ("Explain why the sky is blue.", "Why is the sky blue?"),
    ("Explain how vaccines work.", "How do vaccines work?"),
    ("Please explain how the Fourier transform works.", "How does the Fourier transform work?"),
    ("Can you explain why this code prints None?" + BASES[0][BASES[0].index("\n"):], BASES[0]),
    ("Could you please explain to me how public key cryptography works?", "How does public key cryptography work?"),
])
def test_explain_is_the_request_not_a_frame(default, request_, question):
    """"Explain" asks for an explanation (its "long answer" and "reason" cues): read as written, not dropped as a frame
    of the question after it ("Explain why the sky is blue." 0.32 at 7.91.0, 0.14 with "Explain" dropped: the bare
    question's score and answer length). The chat prompts opening "Explain <wh-word>" got a median 338 answer tokens,
    direct wh-questions 261: its answer is forecast longer than the bare question's."""
    assert parse_messages(user(request_)).last_user == request_
    assert default.score(user(request_)).expected_answer_tokens > default.score(user(question)).expected_answer_tokens


def test_explain_in_detail_keeps_its_request_reading(default):
    """The review's own case: "Explain how TCP congestion control works in detail" kept 7.91.0's score (0.377); with
    "Explain" dropped it read as the bare question (0.357)."""
    text = "Explain how TCP congestion control works in detail"
    assert parse_messages(user(text)).last_user == text
    assert default.score(user(text)).score > default.score(user("How does TCP congestion control work in detail?")).score
