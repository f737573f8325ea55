"""Answer options (``classifiers/options.py``): every layout a quiz writes them in reads as options."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize("question,options", [
    ("Which of the following is the capital of Australia?", ["Sydney", "Canberra", "Melbourne", "Perth"]),
    ("A ball is thrown upward at 20 m/s. Ignoring air resistance, how long does it take to reach its maximum height?",
     ["1 s", "2 s", "4 s", "20 s"]),
])
@pytest.mark.parametrize("marks", [["1.", "2.", "3.", "4."], ["-"] * 4, ["Option 1:", "Option 2:", "Option 3:", "Option 4:"]])
def test_numbered_bulleted_and_labelled_options_read_like_lettered_ones(default, question, options, marks):
    """Options numbered 1-4 were read as a list (a long answer) and their markers as quantities: the
    capital question scored 0.52 (0.36 lettered), the physics one 0.62 (0.68 lettered) on 7.11.0;
    bulleted options 0.07 and "Option 1:" lines 0.53 on 7.12.0."""
    def score(marks: list[str]) -> float:
        text = question + "\n" + "\n".join(f"{m} {o}" for m, o in zip(marks, options)) + "\nAnswer:"
        return default.score([{"role": "user", "content": text}]).score
    # "Option 1:" adds 28 characters, which the length bonus of a long quiz question reads (+0.04)
    assert score(marks) == pytest.approx(score(["A.", "B.", "C.", "D."]), abs=0.05)


@pytest.mark.parametrize("layout", ["\nA) {}\nB) {}\nC) {}\nD) {}", " (A) {} (B) {} (C) {} (D) {}"])
def test_years_as_answer_options_are_no_quantities(default, layout):
    """A history question with years for options scored 0.52 on 7.12.0, like a calculation, against
    0.37 for a capital-city question: a year alone as an option is no quantity."""
    def score(question: str, options: list[str]) -> float:
        return default.score([{"role": "user", "content": question + layout.format(*options)}]).score
    years = score("In which year did the Second World War end?", ["1943", "1945", "1947", "1950"])
    cities = score("Which city is the capital of Australia?", ["Sydney", "Canberra", "Melbourne", "Perth"])
    physics = score("A ball is dropped from 20 m. How long does it take to fall?", ["1.0 s", "2.0 s", "4.1 s", "0.5 s"])
    assert years == pytest.approx(cities, abs=0.05) and physics > years + 0.15


@pytest.mark.parametrize("text,options", [
    ("Which planet is largest? (A) Mars (B) Jupiter (C) Venus (D) Earth", 4),
    (("A train 240 m long passes a pole in 24 s. How long to pass a 650 m platform? "
      "Answer Choices: (A) 65 s (B) 89 s (C) 100 s (D) 150 s (E) 110 s"), 5),
    ("Which is a mammal? A) Shark B) Dolphin C) Trout", 3),
    ("Which is a prime? A. 21 B. 27 C. 29 D. 33", 4),
    ("Plan A) failed, so we tried plan B) instead.", 0),          # two letters are not a quiz
    ("Part (B) then (A) then (C).", 0),                            # out of order
    ("vitamin a. b. c. d.", 0),                                    # lower case is not an option marker
])
def test_inline_answer_options(text, options):
    from classifiers.options import inline_options

    assert inline_options(text) == options


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(("A) ", "(B) ", "c. ", "1. ", "2) ", "1987", "2024", "2100", "3456", "1", "2", "0", "19", "\n",
                                 " ", "\t", "Option 1: ", "x", "٢٠٢٤")), max_size=24).map("".join))
def test_year_options_count_what_the_pattern_counts(s: str) -> None:
    """The str searches before the pattern only skip texts where it finds nothing."""
    from classifiers.options import _RE_YEAR_OPTION, year_options

    assert year_options(s) == len(_RE_YEAR_OPTION.findall(s))


def _option_start_by_lines(s: str) -> int | None:
    """``option_start`` as it read every line (the reference of its reading from the end)."""
    from classifiers.options import _RE_OPTION_LETTER, OPTION_TAIL_CHARS, _option_letter

    letter = _option_letter if "?" in s else _RE_OPTION_LETTER.match
    lines = s.rstrip().split("\n")
    end = len(lines)
    tail = lines[-1].strip()
    if end > 1 and letter(lines[-1]) is None and len(tail) <= OPTION_TAIL_CHARS and tail.endswith(":"):
        end -= 1
    at = end - 1
    found = letter(lines[at])
    while found is not None and found.group(1) not in "Aa" and at > 0:
        above = letter(lines[at - 1])
        if above is None or ord(above.group(1)) != ord(found.group(1)) - 1:
            return None
        at, found = at - 1, above
    return sum(len(line) + 1 for line in lines[:at]) if found is not None and found.group(1) in "Aa" else None


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(("A. x", "B. y", "C) z", "(D) w", "a) v", "b) u", "Which one?", "\n", "\n\n", " ", "Answer:",
                                 "x", "?", ":", "E. t", "A - a", "B - b", "1. 2")), max_size=20).map("".join))
def test_option_start_reads_the_lines_from_the_end_as_it_read_them_all(s: str) -> None:
    from classifiers.options import option_start

    assert option_start(s) == _option_start_by_lines(s)
