"""A puzzle's rules as reasoning cues (``classifiers/puzzle_rules.py``, versions 102-103)."""

import pytest

from classifiers import load_classifier
from classifiers.feature_schema import FEATURE_NAMES
from classifiers.lexicons import lower_words
from classifiers.puzzle_rules import MAX_RULE_KINDS, PUZZLE_MAX_CHARS, puzzle_rules
from tests.classifiers.conftest import turn_features as _features

#: Puzzles with no digit and no word like "puzzle": two kinds of rule or more, one a puzzle's own idiom.
PUZZLES = [
    ("Three boxes are labeled apples, oranges, and mixed. Every label is wrong. You may take one fruit from one box without "
     "looking inside. How can you label all the boxes correctly?"),
    "There are nine balls, one of which is heavier than the rest. Using a balance scale only twice, how do you find it?",
    ("A man must take a fox, a chicken and a sack of grain across a river. The boat can carry only him and one of them. The "
     "fox cannot be left alone with the chicken. How does he get everything across?"),
    ("There are five houses in a row, each painted a different color. The green house is immediately left of the white "
     "house. Who owns the fish?"),
    "On an island every native is either a knight, who always tells the truth, or a knave. A says B is a knave. What is B?",
    # a knave is a puzzle's own word (version 106: "knight" no longer a logic word, so this one had lost its cues)
    ("An islander who is either a knight (always truthful) or a knave (always lying) tells you, 'If I am a knight, then "
     "there is gold on this island.' What is he?"),
    "Exactly one of the three doors hides a prize, and the host cannot open the door you chose. Should you switch?",
]
#: One idiom alone, in a story told about others in two sentences or more.
ONE_IDIOM_PUZZLES = [
    ("You meet two guards at two doors. One door leads to freedom, the other to death. One guard always lies and the "
     "other always tells the truth. You may ask one question to one guard. What do you ask?"),
    "Exactly one of the three suspects stole the cake. Ann says Ben did it. Ben says Cy did it. Who did it?",
    "You have nine marbles. One is lighter than the rest. What is the fewest number of weighings that finds it?",
]
#: Everyday questions with one kind of rule, or with only everyday kinds ("can only", "cannot", "next to", "either").
NOT_PUZZLES = [
    "I can only work two days at a time. Which schedule is better, Monday or Friday, if either works for my boss?",
    "My car cannot start and the battery light is next to the oil light. What is wrong?",
    "Can I take only one carry-on bag? My airline says I cannot bring liquids over 100 ml.",
    "I have two cats, one of them cannot eat dry food. What should I feed them?",
    "Describe Paris in exactly two sentences. Can you also list either museums or parks?",
    "My son always lies about his homework. How can I get him to tell the truth without yelling?",
    "Is it wrong to leave my dog alone at home for eight hours? He cannot hold it that long.",
    "We sit in a row at work and my colleague next to me talks all day. How do I ask him to stop without being rude?",
    "Which is healthier, running or cycling, if I can only exercise three times a week?",
    "The answers in my textbook are wrong, and the teacher is not allowed to change them. What should I do?",
    "Each of my kids wants a different bedroom color. How do I pick paint for a small house?",
    # one idiom in a one-sentence question, or in a word problem's everyday sense
    "Why is every snowflake different?",
    "Is a balance scale more accurate than a spring scale for baking?",
    "What happens if a dog is left alone with a cat for a weekend?",
    "John buys twenty bars of soap, each weighing a pound. How many pounds did he buy?",
]


def _rules(text: str) -> int:
    return puzzle_rules(text, set(lower_words(text)))


@pytest.mark.parametrize("text", PUZZLES)
def test_a_puzzles_rules_are_found(text):
    assert 2 <= _rules(text) <= MAX_RULE_KINDS


@pytest.mark.parametrize("text", ONE_IDIOM_PUZZLES)
def test_one_idiom_counts_in_a_story_about_others(text):
    """A puzzle's own idiom alone counts in a story of two sentences or more that holds no first-person word."""
    assert _rules(text) >= 1
    assert _rules("My friend told me this. " + text) == 0


@pytest.mark.parametrize("text", NOT_PUZZLES)
def test_everyday_rules_are_none(text):
    assert _rules(text) == 0


def test_a_puzzle_must_ask_and_be_short():
    """The rules of a text that asks nothing ("… Label them.") count nothing, nor those of a long text (a policy, a story)."""
    boxes = PUZZLES[0]
    assert _rules(boxes.replace("How can you label all the boxes correctly?", "Label them.")) == 0
    long = boxes + " " + "The boxes sit in a warehouse by the harbour. " * 40
    assert len(long) > PUZZLE_MAX_CHARS and _rules(long) == 0


@pytest.mark.parametrize("text", PUZZLES + ONE_IDIOM_PUZZLES)
def test_a_puzzle_is_a_closed_problem(text):
    h = _features(text)
    assert h[FEATURE_NAMES.index("reasoning domain")] > 0
    assert h[FEATURE_NAMES.index("length in a closed problem")] > 0


def test_a_puzzle_outranks_its_everyday_look_alikes():
    """Before version 102 the mislabelled boxes scored 0.14, below the everyday questions here (0.21-0.44)."""
    clf = load_classifier()
    score = lambda t: clf.score([{"role": "user", "content": t}]).score
    puzzles = [score(t) for t in PUZZLES[:3]]
    everyday = [score(t) for t in NOT_PUZZLES]
    assert min(puzzles) > sorted(everyday)[len(everyday) // 2]
    assert min(puzzles) > 0.5


@pytest.mark.parametrize("text", [
    "Act as a medieval knight who has just woken up in a modern supermarket. Describe your reactions.",
    "Is The Dark Knight suitable for a ten-year-old?",
    "Where can the knight move from e4 on an empty board?",
])
def test_a_lone_knight_is_no_logic_word(text):
    """Version 106: a knight without knaves is a roleplay, a film or a chess piece; before, "knight" was a logic word
    and its cue opened the reasoning domain ("Act as a medieval knight …" 0.53, now 0.27)."""
    logic = FEATURE_NAMES.index("logic cues")
    assert _features(text)[logic] == 0
    assert _features(text.replace("knight", "knave").replace("Knight", "Knave"))[logic] > 0
