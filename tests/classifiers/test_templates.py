"""Prompts that arrive with a chat template applied are read as the turns they encode."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.metrics import spearman
from classifiers.templates import TEMPLATES, split_template
from classifiers.text import parse_messages

SYSTEM, QUESTION, ANSWER, FOLLOW = "Be brief.", "What is 2+2?", "4", "And 3+3?"
ONE_TURN = [{"role": "user", "content": QUESTION}]
WITH_SYSTEM = [{"role": "system", "content": SYSTEM}, *ONE_TURN]
ALPACA_PREAMBLE = ("Below is an instruction that describes a task. Write a response that appropriately completes "
                   "the request.")
VICUNA_PREAMBLE = ("A chat between a curious user and an artificial intelligence assistant. The assistant gives "
                   "helpful, detailed, and polite answers to the user's questions.")

FORMATS = {
    "chatml": ((f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{QUESTION}<|im_end|>\n"
                "<|im_start|>assistant\n"), WITH_SYSTEM),
    "llama3": ((f"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n{SYSTEM}<|eot_id|>"
                f"<|start_header_id|>user<|end_header_id|>\n\n{QUESTION}<|eot_id|>"
                "<|start_header_id|>assistant<|end_header_id|>\n\n"), WITH_SYSTEM),
    "llama2": (f"<s>[INST] <<SYS>>\n{SYSTEM}\n<</SYS>>\n\n{QUESTION} [/INST] {ANSWER} </s><s>[INST] {FOLLOW} [/INST]",
               [*WITH_SYSTEM, {"role": "assistant", "content": ANSWER}, {"role": "user", "content": FOLLOW}]),
    "gemma": ((f"<bos><start_of_turn>user\n{QUESTION}<end_of_turn>\n<start_of_turn>model\n{ANSWER}<end_of_turn>\n"
               f"<start_of_turn>user\n{FOLLOW}<end_of_turn>\n<start_of_turn>model\n"),
              [*ONE_TURN, {"role": "assistant", "content": ANSWER}, {"role": "user", "content": FOLLOW}]),
    "deepseek": ((f"<｜begin▁of▁sentence｜>{SYSTEM}<｜User｜>{QUESTION}<｜Assistant｜>{ANSWER}<｜end▁of▁sentence｜>"
                  f"<｜User｜>{FOLLOW}<｜Assistant｜>"),
                 [*WITH_SYSTEM, {"role": "assistant", "content": ANSWER}, {"role": "user", "content": FOLLOW}]),
    "llama4": ((f"<|begin_of_text|><|header_start|>system<|header_end|>\n\n{SYSTEM}<|eot|>"
                f"<|header_start|>user<|header_end|>\n\n{QUESTION}<|eot|><|header_start|>assistant<|header_end|>\n\n"),
               WITH_SYSTEM),
    "command_r": ((f"<BOS_TOKEN><|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>{SYSTEM}<|END_OF_TURN_TOKEN|>"
                   f"<|START_OF_TURN_TOKEN|><|USER_TOKEN|>{QUESTION}<|END_OF_TURN_TOKEN|>"
                   f"<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>{ANSWER}<|END_OF_TURN_TOKEN|>"
                   f"<|START_OF_TURN_TOKEN|><|USER_TOKEN|>{FOLLOW}<|END_OF_TURN_TOKEN|>"
                   "<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>"),
                  [*WITH_SYSTEM, {"role": "assistant", "content": ANSWER}, {"role": "user", "content": FOLLOW}]),
    "granite": ((f"<|start_of_role|>system<|end_of_role|>{SYSTEM}<|end_of_text|>\n"
                 f"<|start_of_role|>user<|end_of_role|>{QUESTION}<|end_of_text|>\n<|start_of_role|>assistant<|end_of_role|>"),
                WITH_SYSTEM),
    "harmony": ((f"<|start|>system<|message|>Reasoning: high<|end|><|start|>developer<|message|>{SYSTEM}<|end|>"
                 f"<|start|>user<|message|>{QUESTION}<|end|>"
                 f"<|start|>assistant<|channel|>final<|message|>{ANSWER}<|end|>"
                 f"<|start|>user<|message|>{FOLLOW}<|end|><|start|>assistant"),
                [{"role": "system", "content": f"Reasoning: high\n\n{SYSTEM}"}, *ONE_TURN,
                 {"role": "assistant", "content": ANSWER}, {"role": "user", "content": FOLLOW}]),
    "phi3": (f"<|system|>\n{SYSTEM}<|end|>\n<|user|>\n{QUESTION}<|end|>\n<|assistant|>\n", WITH_SYSTEM),
    "alpaca": (f"{ALPACA_PREAMBLE}\n\n### Instruction:\nTranslate to French.\n\n### Input:\nGood morning\n\n### Response:\n",
               [{"role": "system", "content": ALPACA_PREAMBLE},
                {"role": "user", "content": "Translate to French.\n\nGood morning"}]),
    "vicuna": (f"{VICUNA_PREAMBLE} USER: {QUESTION} ASSISTANT:",
               [{"role": "system", "content": VICUNA_PREAMBLE}, *ONE_TURN]),
    "human": (f"\n\nHuman: {QUESTION}\n\nAssistant: {ANSWER}\n\nHuman: {FOLLOW}\n\nAssistant:",
              [*ONE_TURN, {"role": "assistant", "content": ANSWER}, {"role": "user", "content": FOLLOW}]),
}


@pytest.mark.parametrize("name", FORMATS)
def test_each_format_is_read_as_its_turns(name):
    text, messages = FORMATS[name]
    assert split_template(text) == (name, messages)


def test_every_registered_format_is_tested():
    assert {t.name for t in TEMPLATES} == set(FORMATS)


@pytest.mark.parametrize("text", [
    "What does <|im_start|> mean in ChatML?",                          # a header quoted mid-text
    "<|im_start|> is a ChatML token. Explain what it does.",           # a text about the format
    "User: hi\nAssistant: hello\n\nWhat is wrong with this dialogue?",  # a transcript inside a request
    "User: what is the best way to learn piano?",                      # not left open for a reply
    "### Instruction:\nDo this.\n\n### Notes\nsome notes",              # markdown, no reply header
    "x" * 600 + "\n### Instruction:\nWhat is 2+2?\n\n### Response:",    # the header too far in
    "Question: What is 2+2?\nAnswer:",                                  # a zero-shot prompt
])
def test_other_text_is_left_alone(text):
    assert split_template(text) is None
    assert parse_messages(text).template == ""


def test_mistral_system_prompt_and_tool_turns_are_read():
    text = (f"<s>[SYSTEM_PROMPT]{SYSTEM}[/SYSTEM_PROMPT][INST]{QUESTION}[/INST][TOOL_CALLS][{{\"name\": \"add\"}}]</s>"
            f"[TOOL_RESULTS]{{\"content\": 4}}[/TOOL_RESULTS]{ANSWER}</s>[INST]{FOLLOW}[/INST]")
    assert split_template(text) == ("llama2", [
        *WITH_SYSTEM, {"role": "assistant", "content": '[{"name": "add"}]'}, {"role": "tool", "content": '{"content": 4}'},
        {"role": "assistant", "content": ANSWER}, {"role": "user", "content": FOLLOW}])


def test_a_harmony_tool_call_header_names_the_tool_role():
    text = (f"<|start|>user<|message|>{QUESTION}<|end|>"
            "<|start|>functions.add to=assistant<|channel|>commentary<|message|>4<|end|><|start|>assistant")
    assert split_template(text) == ("harmony", [*ONE_TURN, {"role": "tool", "content": "4"}])


def test_a_long_chat_log_keeps_its_first_and_last_turns():
    """Bounded work: of 4,000 turns the first (the system prompt) and the last ``MAX_TURNS`` are read."""
    from classifiers.templates import MAX_TURNS

    turns = "".join(f"<|im_start|>user\nquestion {i}<|im_end|>\n<|im_start|>assistant\nanswer {i}<|im_end|>\n"
                    for i in range(2_000))
    text = f"<|im_start|>system\n{SYSTEM}<|im_end|>\n{turns}<|im_start|>user\n{QUESTION}<|im_end|>\n<|im_start|>assistant\n"
    name, messages = split_template(text)
    assert (name, messages[0], messages[-1]) == ("chatml", WITH_SYSTEM[0], ONE_TURN[0])
    assert len(messages) == MAX_TURNS and messages[1]["content"] == "question 1873"  # the empty reply header is dropped
    conv = parse_messages(text)
    assert (conv.last_user, conv.system, conv.n_user_turns) == (QUESTION, SYSTEM, MAX_TURNS // 2)


def test_the_parser_scores_the_last_user_turn_with_the_template_named():
    conv = parse_messages([{"role": "user", "content": FORMATS["llama2"][0]}])
    assert (conv.last_user, conv.system, conv.template, conv.n_user_turns) == (FOLLOW, SYSTEM, "llama2", 2)
    assert conv.earlier_user == QUESTION and ANSWER in conv.history


WRAPPERS = {
    "alpaca": ALPACA_PREAMBLE + "\n\n### Instruction:\n{q}\n\n### Response:\n",
    "chatml": "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n{q}<|im_end|>\n"
              "<|im_start|>assistant\n",
    "llama2": "<s>[INST] {q} [/INST]",
    "vicuna": VICUNA_PREAMBLE + " USER: {q} ASSISTANT:",
    "harmony": "<|start|>system<|message|>Reasoning: high<|end|><|start|>user<|message|>{q}<|end|><|start|>assistant",
}


@pytest.mark.parametrize("name", WRAPPERS)
def test_a_template_does_not_change_how_word_problems_rank(default, shared_data, name):
    """Under Alpaca's template (its "Write a response …" reads as a writing request), 3,000 GSM8K
    problems ranked their solution steps at 0.33 against 0.40 bare, below prompt length."""
    rows = [json.loads(line) for line in (shared_data / "difficulty" / "gsm8k_train.jsonl").open(encoding="utf-8")][:600]
    steps = [len(r["answer"].strip().split("\n")) - 1 for r in rows]
    bare = [r.score for r in default.score_batch([r["question"] for r in rows])]
    wrapped = [r.score for r in default.score_batch([WRAPPERS[name].format(q=r["question"]) for r in rows])]
    assert abs(spearman(wrapped, steps) - spearman(bare, steps)) < 0.01
    assert abs(sum(wrapped) - sum(bare)) / len(rows) < 0.01


def test_route_names_the_template(capsys):
    from router.cli import main

    assert main(["route", FORMATS["chatml"][0]]) == 0
    assert json.loads(capsys.readouterr().out)["template"] == "chatml"


HEADERS = ["<|im_start|>user\n", "<|im_start|>assistant\n", "<|im_end|>", "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>",
           "### Instruction:\n", "### Response:", "USER: ", " ASSISTANT:", "\n\nHuman: ", "\n\nAssistant:", "<s>",
           "<start_of_turn>model\n", "<｜User｜>", "<｜Assistant｜>", "<|user|>", "<|end|>", "<|start_header_id|>",
           "<|end_header_id|>", "<|start|>user<|message|>", "<|start|>assistant", "<|channel|>final", "[SYSTEM_PROMPT]",
           "[/SYSTEM_PROMPT]", "[TOOL_RESULTS]", "<|START_OF_TURN_TOKEN|><|USER_TOKEN|>", "<|start_of_role|>user<|end_of_role|>",
           "<|header_start|>user<|header_end|>", ":"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=30)), max_size=12))
def test_split_template_is_total(parts):
    """Any mix of header fragments and text: ``None`` or messages with at least one user turn,
    never an exception, and the parser always gets a conversation."""
    text = "".join(parts)
    found = split_template(text)
    if found is not None:
        name, messages = found
        assert name in FORMATS and any(m["role"] == "user" for m in messages)
        assert all(m["content"] and m["role"] in ("system", "user", "assistant", "tool") for m in messages)
    parse_messages(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["[INST]", "[/INST]", " x", "\n", "<|im_start|>user\n", "<|im_end|>", "Human: ", "y" * 50]),
                max_size=600).map("".join),
       st.sampled_from([1, 3, 64]))
def test_the_last_headers_are_those_a_full_scan_finds(text, window):
    """``_last_headers`` reads back from the end in growing windows; whatever the window, it returns
    the matches a scan from the start returns last (shrunk windows and turn counts: every cut is tried)."""
    from collections import deque

    from classifiers import templates

    for template in templates.TEMPLATES:
        start = len(text) // 3
        old = (templates.TAIL_WINDOW, templates.MAX_TURNS)
        templates.TAIL_WINDOW, templates.MAX_TURNS = window, 5
        try:
            full = [m.span() for m in deque(template.header.finditer(text, start), maxlen=5)]
            assert [m.span() for m in templates._last_headers(text, template, start)] == full
        finally:
            templates.TAIL_WINDOW, templates.MAX_TURNS = old


#: Pieces at the edges of the plain-word headers: their words whole and cut, in other cases, after
#: spaces, tabs, other words or line breaks.
PLAIN_PIECES = ("Human:", "Assistant:", "User:", "System:", "USER:", "ASSISTANT:", "SYSTEM:", "user:", "Human", ":", "###",
                "### Instruction:", "### response", "##", "\n", " ", "\t", "x", "Q", "\r\n", "\u00a0")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PLAIN_PIECES), max_size=40).map("".join), st.integers(0, 12))
def test_headers_found_by_their_anchors_are_those_the_pattern_finds(text, start):
    """``find_header`` (a plain-word header tried only where its words occur) returns what
    ``header.search`` returns, and iterating it what ``finditer`` does, from any start."""
    from classifiers import templates

    start = min(start, len(text))
    for template in templates.TEMPLATES:
        expected = template.header.search(text, start)
        found = templates.find_header(text, template, start)
        assert (found and found.span()) == (expected and expected.span()), template.name
        assert [m.span() for m in templates._headers(text, template, start)] == [m.span() for m in template.header.finditer(text, start)]


def test_blank_lines_after_a_plain_word_header_are_searched_by_its_words():
    """100,000 blank lines between "Human:" and the reply header: the regex tried every line start
    (4–6 ms a score); the anchors find the two headers with ``str.find`` (bench/classifier_bench.py times it)."""
    from classifiers import templates

    text = "Human: Q: x\n" + "\n" * 100_000 + "\nQ: what?\nAssistant:"
    human = next(t for t in templates.TEMPLATES if t.name == "human")
    assert [m.group(1) for m in templates._headers(text, human, 0)] == ["Human", "Assistant"]
    name, messages = split_template(text)
    assert name == "human" and [m["role"] for m in messages] == ["user"]
    assert messages[0]["content"].startswith("Q: x\n") and messages[0]["content"].endswith("\nQ: what?")


def test_a_transcript_s_headers_are_found_with_one_search_per_anchor_and_header():
    """Each header search looked for every anchor afresh to the end of the text: an anchor that never comes ("System:"
    in a "Human:/Assistant:" log) was re-read once per turn, 195,000 characters of turns took 100 ms. Each anchor's next
    hit is kept now: searches grow with the headers, not with headers times the text."""
    from classifiers import templates

    class Counted(str):
        finds = 0

        def find(self, *args: Any) -> int:
            Counted.finds += 1
            return str.find(self, *args)

    text = Counted("".join(f"Human: {'w' * 380}\nAssistant: {'r' * 380}\n" for _ in range(250)) + "Assistant:")
    human = next(t for t in templates.TEMPLATES if t.name == "human")
    headers = list(templates._headers(text, human, 0))
    assert len(headers) == 501
    assert Counted.finds <= len(headers) + 2 * len(human.anchors), Counted.finds  # was ~len(headers) * len(anchors) full scans
