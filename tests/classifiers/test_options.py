"""Answer options (``classifiers/options.py``): every layout a quiz writes them in reads as options."""

import pytest


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
