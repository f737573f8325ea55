"""Answers that return their input: a long text to translate, rewrite, proofread or reformat; and
requests that work on a long text (those, and summaries), whose text is material, not a problem.

The answer-length model learned from questions and requests, whose answers do not grow with the
text they come with: "Translate this article into French:" over 3,300 tokens of article was
expected to take 183 answer tokens, a tenth of its cost. An answer that returns its input is about
as long as the input, so such a request's estimate has that as its floor (``LinearScorer``). One
prompt in the answer-length data has the shape ("Rewrite this song to be about programming" over
372 tokens of lyrics: 421 tokens answered, 108 expected by the model alone).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from itertools import pairwise

from classifiers.field_lists import unlisted_works_out
from classifiers.lexicons import lower, lower_words, words_of
from classifiers.token_estimate import estimate_tokens
from classifiers.written_code import WRITTEN_TEXTS

#: Shorter turns (and replies under this many characters of English, counted in tokens) are left to the
#: model: their answers are short either way.
ECHO_MIN_CHARS = 800
#: Characters at each end of the turn searched for the instruction; the rest is the input.
INSTRUCTION_CHARS = 300
#: Characters per token of English text: the unit the answer-length model's targets are measured in
#: (``classifiers.data`` turns answer characters into tokens with it). The floor counts the input with
#: ``estimate_tokens``, the same unit for English and a token a character for Chinese, Japanese, Korean.
CHARS_PER_TOKEN = 4.0
#: Verbs whose answer returns the text, when they start a sentence or a line ("Translate this …",
#: "Please proofread …", "… Now rewrite it in a formal tone.", "Traduce este artículo …"), after at
#: most one of ``_LEADS``.
ECHO_VERBS = ("translate", "rewrite", "rephrase", "paraphrase", "proofread", "reformat", "convert", "revise", "polish",
              "edit",
              # the imperatives of "translate" / "rewrite" / "correct" in Spanish, Portuguese, French, German,
              # Italian, Dutch, Polish and Russian (the other languages' cue lexicons' tongues)
              "traduce", "traduzca", "traduza", "traduis", "traduisez", "übersetze", "übersetzen", "traduci", "traduca",
              "vertaal", "przetłumacz", "переведи", "переведите", "reescribe", "reescreva", "réécris", "réécrivez",
              "riscrivi", "herschrijf", "перепиши", "перепишите", "corrige", "corrija", "korrigiere", "correggi",
              "исправь", "исправьте")
#: The same requests in Chinese, Japanese and Korean, written without spaces: phrases that say "translate
#: into / translate the following", "rewrite", "polish", "proofread", matched as substrings anywhere in
#: the instruction's characters ("请把下面的文章翻译成英文：…", "次の文章を英語に翻訳してください", "다음 글을 영어로
#: 번역해 주세요"). A bare "翻译" is left out: "这篇关于机器翻译的文章讲了什么？" asks about translation.
DENSE_ECHO_PHRASES = ("翻译成", "翻译为", "译成", "请翻译", "翻译一下", "翻译以下", "翻译下面", "翻译这", "翻譯成", "翻譯為",
                      "請翻譯", "改写", "改寫", "润色", "潤色", "校对", "校對",
                      "に翻訳", "翻訳して", "英訳して", "和訳して", "書き直して", "添削して", "校正して",
                      "로 번역", "번역해", "번역하", "다시 써", "교정해")
#: Words of those languages by which a short instruction points back at the previous reply.
_DENSE_BACKREF = ("它", "上面", "上述", "以上", "你的回答", "それ", "上記", "あなたの回答", "그것", "위의", "이것", "답변")
_LEADS = ("please", "can you", "could you", "now", "then", "por favor", "s'il vous plaît", "bitte", "per favore",
          "пожалуйста")
#: Words by which a short instruction points back at the previous reply ("translate it", "rewrite your answer").
_BACKREF = frozenset(("it", "that", "this", "your", "previous", "above", "answer", "response", "reply"))
#: The verbs as ``lower_words`` returns them (it keeps a colon on the word: "Translate: …").
_VERB_WORDS = frozenset(ECHO_VERBS) | frozenset(v + ":" for v in ECHO_VERBS)


def _instructs(text: str) -> bool:
    """Whether ``text`` holds one of ``ECHO_VERBS`` as a word at the start of a sentence or line. Its
    words are looked up first (a ``str.find`` per verb took 30 µs on a 2,000-character prompt), then each
    verb found is checked backwards."""
    found = _VERB_WORDS.intersection(lower_words(text))
    if not found:
        return False
    part = lower(text)
    for word in found:
        verb = word.rstrip(":")
        i = part.find(verb)
        while i >= 0:
            end = i + len(verb)
            if (i == 0 or not part[i - 1].isalnum()) and (end == len(part) or not part[end].isalnum()) and _starts(part, i):
                return True
            i = part.find(verb, end)
    return False


def _instructs_dense(text: str) -> bool:
    """Whether ``text`` holds one of ``DENSE_ECHO_PHRASES`` (only text with non-ASCII characters can): one regex scan,
    which skips to the phrases' first characters (an ``in`` per phrase took 9 us on 300 characters of Chinese, it 2)."""
    return not text.isascii() and _DENSE_ECHO.search(text) is not None


_DENSE_ECHO = re.compile("|".join(map(re.escape, DENSE_ECHO_PHRASES)))


def _starts(part: str, i: int) -> bool:
    """Whether ``part[i:]`` starts a sentence or line, after at most one of ``_LEADS``."""
    before = part[:i]
    kept = before.rstrip()
    lead_end = kept.rstrip(",")  # "Please, translate …"
    for lead in _LEADS:
        if lead_end.endswith(lead) and (len(lead_end) == len(lead) or not lead_end[-len(lead) - 1].isalnum()):
            kept = lead_end[: -len(lead)].rstrip()
            break
    return not kept or kept[-1] in ".!?:" or "\n" in before[len(kept):]


def echoed_tokens(text: str, reply: str = "") -> float:
    """Tokens of the input an answer to ``text`` returns (0 when it asks for no such answer): the text
    after its instruction, or the assistant's previous ``reply`` when ``text`` is only an instruction
    that points back at it ("Now translate it into German.")."""
    n = len(text)
    if n >= ECHO_MIN_CHARS:
        return estimate_tokens(text) * (n - INSTRUCTION_CHARS) / n if _returns_text(text) else 0.0
    if not reply or n > INSTRUCTION_CHARS:
        return 0.0
    returns_reply = ((_instructs(text) and not _BACKREF.isdisjoint(lower_words(text)))  # "translate it", "rewrite your answer"
                     or (_instructs_dense(text) and any(w in text for w in _DENSE_BACKREF)))  # "把它翻译成德语"
    tokens = estimate_tokens(reply) if returns_reply else 0.0
    return tokens if tokens >= ECHO_MIN_CHARS / CHARS_PER_TOKEN else 0.0


def echo_floor(text: str, reply: str = "") -> float:
    """``log`` of ``echoed_tokens`` (the floor of the answer's log tokens), 0 when there is none."""
    t = echoed_tokens(text, reply)
    return math.log(t) if t > 1.0 else 0.0


#: Words of a request to summarize (anywhere in the instruction: "Summarize …", "Give a short summary of …").
SUMMARY_WORDS = ("summarize", "summarise", "summary")
_SUMMARY_WORDS = frozenset(SUMMARY_WORDS) | frozenset(w + ":" for w in SUMMARY_WORDS)


def works_on_text(text: str) -> bool:
    """Whether ``text`` is a long text with an instruction, in its first or last ``INSTRUCTION_CHARS``, to
    return it changed (``ECHO_VERBS``) or to summarize it. Its length and its figures are then material,
    not a problem's statement: "Summarize this article" over a business report with revenue figures
    read as a 1,700-character arithmetic problem and scored 0.94."""
    if len(text) < ECHO_MIN_CHARS:
        return False
    if _returns_text(text):
        return True
    head, tail = lower(text[:INSTRUCTION_CHARS]), lower(text[-INSTRUCTION_CHARS:])
    return any("summar" in part and not _SUMMARY_WORDS.isdisjoint(words_of(part)) for part in (head, tail))


def _returns_text(text: str) -> bool:
    """Whether the instruction at either end of a long ``text`` asks for the text back, changed."""
    return _ends_return_text(text[:INSTRUCTION_CHARS], text[-INSTRUCTION_CHARS:])


@lru_cache(maxsize=4)
def _ends_return_text(head: str, tail: str) -> bool:
    """``_returns_text`` of a text's two ends (remembered for the last few, by their ends alone: the answer-length floor
    and the features both ask, 15-30 us each time, and a megabyte prompt is not kept alive)."""
    return _instructs(head) or _instructs(tail) or _instructs_dense(head) or _instructs_dense(tail)


#: Verbs of a request to take something out of a text, sort it or restate it ("Extract the ingredient list
#: from this recipe:", "Classify the sentiment of each of these tweets:", "List the action items in these notes:"),
#: with ``ECHO_VERBS`` and ``SUMMARY_WORDS``' verbs. Not "find", "calculate", "solve", "compute", "count": they ask
#: for a result worked out of the figures ("Find the total cost of these items: …").
MATERIAL_VERBS = frozenset(("extract", "list", "classify", "categorize", "categorise", "identify", "tag", "label",
                            "annotate", "group", "sort", "tabulate", "organize", "organise", "parse", "pull",
                            "summarize", "summarise", "format")) | frozenset(ECHO_VERBS)
#: Words by which the instruction points at the material that follows it ("from these reviews", "the following
#: article", "the text below").
_POINTERS = frozenset(("this", "these", "following", "below"))
POINTERS = _POINTERS  # (also "… and return X" over material: return_words, version 76)
#: Openings set before the verb: a lead (``_LEADS``) or a phrase naming the material ("From the following
#: article, list …", "Given these meeting notes, list …").
_MATERIAL_OPENERS = ("from", "given", "in", "for", "using", "based")
#: The instruction ends at its first colon or line break in this many characters; at least
#: ``MATERIAL_MIN_CHARS`` of material must follow it.
MATERIAL_INSTRUCTION_CHARS = 200
MATERIAL_MIN_CHARS = 20
#: An opening quote: a quote mark at the start or after a space (not an apostrophe: "the product's").
_RE_OPEN_QUOTE = re.compile(r"(?:^|(?<=\s))['\"‘“«]")
#: A character that is not white space (items on lines of their own: two or more lines after the instruction).
_RE_NON_SPACE = re.compile(r"\S")


#: Verbs whose material needs no pointer (version 56): the text after "Translate to Spanish:", "Proofread:",
#: "TL;DR:" or "Summarize in two sentences:" is the text to return or sum up, whatever it says ("convert" and
#: "reformat" are left out: "Convert to Celsius: 72 F, 100 F" works figures out).
_UNPOINTED_VERBS = (frozenset(ECHO_VERBS) - {"convert", "reformat"}) | {"summarize", "summarise", "tl;dr", "tldr"}
#: Echo verbs that also change plans and figures ("Revise the budget: …", "Rewrite my weekly schedule: …"): with no
#: pointer they need no object, a manner ("in a formal tone", "to sound friendlier", "as a haiku") or a text noun
#: (``TEXT_OBJECTS``) (review_s40_diff M5: such word problems fell 0.63 -> 0.38; "Edit:" opens a forum's correction).
OBJECT_VERBS = frozenset(("rewrite", "rephrase", "revise", "edit", "polish"))
MANNER_WORDS = frozenset(("in", "into", "to", "as", "for", "so", "more", "less"))
TEXT_OBJECTS = frozenset(("text", "texts", "passage", "snippet", "resume", "cv", "cover", "intro", "introduction",
                          "abstract", "draft", "copy", "wording", "statement", "proposal", "paragraphs", "it", "this",
                          "that", "these", "following", "below", "above"))
#: "Fix" and "correct" return the text only when what they fix is its language ("Fix the grammar:", not "Fix the
#: error in my calculation:" nor "Correct this answer:").
_FIX_VERBS = frozenset(("fix", "correct"))
LANGUAGE_OBJECTS = frozenset(("grammar", "grammatical", "spelling", "typo", "typos", "punctuation", "wording", "phrasing",
                              "capitalization", "capitalisation", "english"))
#: Words of an instruction that asks for something made of the material it points at ("Give this article a
#: headline:", "What's the gist of this message?", "Make this email sound more professional:").
MAKES_OF_MATERIAL = frozenset(("headline", "title", "gist", "takeaways", "tweet", "shorten", "summary", "summarize",
                               "summarise", "translate", "rewrite", "paraphrase", "proofread", "sound"))
#: Word pairs that do the same ("the main point of this paragraph", "the key points of these notes").
MAKES_PAIRS = frozenset((("main", "point"), ("main", "points"), ("main", "idea"), ("key", "points"), ("key", "takeaways")))
#: Shapes the material is put into, in the three words after "into" or "as" ("Turn this receipt into JSON", "Make
#: this into a bulleted list"; not "From this table, which …" nor "such as price, rating. Use a table").
SHAPES = frozenset(("json", "csv", "table", "bulleted", "bullet", "bullets", "yaml", "markdown", "spreadsheet"))
#: Words of an instruction that works figures out: no instruction over material holds one (version 56) ("Calculate the
#: total cost of these items:", "Find the mean of these numbers:", "Correct this answer:").
WORKS_OUT = frozenset(("calculate", "compute", "solve", "find", "total", "sum", "add", "average", "mean", "median",
                       "percentage", "percent", "how", "estimate", "answer", "check", "verify", "equation", "difference",
                       "work", "count", "counts"))
#: Words that point at material before a later sentence's verb ("Here is a contract clause. List …:").
_HERE = frozenset(("here", "here's"))


def instructs_over_material(text: str) -> bool:
    """Whether ``material_instruction(text)`` finds an instruction over material."""
    return material_instruction(text) is not None


def material_instruction(text: str) -> str | None:
    """The instruction (before its colon, line break or quote) when ``text`` opens with one over material, else None
    (version 64: a tool's name in the material is the material's). Whether ``text`` opens with an instruction to extract, list, classify, summarize, convert or reformat
    (``MATERIAL_VERBS``, first or after a lead or an opening phrase that ends in a comma) that points at
    (``_POINTERS``) material after it: after a colon or a line break, or quoted. Its figures are the
    material's, data to read, not a word problem's quantities: "Extract the ingredient list from this recipe
    as a bulleted list with quantities:" over 1 cup of butter and 20 minutes of baking read as an arithmetic
    problem with 18 quantities and scored 0.98. A word problem states its quantities itself ("A recipe calls
    for 3 cups of flour for 12 cookies. How many …?") or after a verb that works them out ("Calculate the
    total cost: 3 notebooks at $2.50 each …"). Version 56 reads more instructions (``_asks_for_the_text``)."""
    head = text[:MATERIAL_INSTRUCTION_CHARS]
    cut = min((i for i in (_instruction_colon(head), head.find("\n")) if i >= 0), default=-1)
    quote = _RE_OPEN_QUOTE.search(head)
    if quote is not None and (cut < 0 or quote.start() < cut):
        cut = quote.start()
    if cut < 0 or len(text) - cut - 1 < MATERIAL_MIN_CHARS:
        return None
    items = _has_item_lines(text, cut + 1)
    instruction = head[:cut].lower()
    words = lower_words(instruction)
    if not WORKS_OUT.isdisjoint(words) and unlisted_works_out(instruction, WORKS_OUT, text[cut + 1:]):  # (56)
        return None  # not a printed field noun of an extraction list: "Extract the store name, date and total" (60, 67)
    pointed = items or not _POINTERS.isdisjoint(words)
    if (pointed and _opens_with_verb(instruction)) or _asks_for_the_text(instruction, words, pointed):
        return head[:cut]
    return None


def _instruction_colon(head: str) -> int:
    """The first colon of ``head`` that is not a time's or a ratio's, between two digits ("leave at 5:30 and …": M5)."""
    i = head.find(":")
    while 0 < i < len(head) - 1 and head[i - 1].isdecimal() and head[i + 1].isdecimal():
        i = head.find(":", i + 1)
    return i


def _has_item_lines(text: str, start: int) -> bool:
    """Whether ``text[start:]`` has two lines that are not blank (items on lines of their own: numbered, bulleted or plain): a non-space character, a line
    break after it, a non-space character after that. Three C-speed searches that stop at the second line (a split of
    the whole text cost 1.4 ms on 100,000 characters of "4\\n", now that the rule reads texts without an arithmetic word)."""
    first = _RE_NON_SPACE.search(text, start)
    if first is None:
        return False
    end = text.find("\n", first.start())
    return end >= 0 and _RE_NON_SPACE.search(text, end) is not None


def _asks_for_the_text(instruction: str, words: list[str], pointed: bool) -> bool:
    """Version 56: whether ``instruction`` (lower-cased, its ``words``, none of ``WORKS_OUT``) asks for its
    material back changed or for something made of it. An echo verb or a summary
    opening it needs no pointer ("Translate to Spanish: '…'", "TL;DR:", "Fix the grammar: '…'"); the rest
    does (``pointed``, or "here"): a word or pair of ``MAKES_OF_MATERIAL`` / ``MAKES_PAIRS``, a shape of
    ``SHAPES`` just after "into" or "as" (after a verb of ``MATERIAL_VERBS`` it needs no pointer), or a verb of ``MATERIAL_VERBS`` opening its last sentence ("Here is a
    contract clause. List …"). Such texts with figures (a news snippet's budget, an email's dates) read as
    word problems at 0.51-0.77, the same texts without figures at 0.10-0.14."""
    first = _first_word(instruction)
    if (first in _UNPOINTED_VERBS and (first not in OBJECT_VERBS or _names_a_text(words, first))) or (
            first in _FIX_VERBS and not LANGUAGE_OBJECTS.isdisjoint(words)):
        return True
    shaped = any(w in ("into", "as") and not SHAPES.isdisjoint(words[i + 1:i + 4]) for i, w in enumerate(words))
    if shaped and first in MATERIAL_VERBS:  # "Extract the patient's vitals as a table: BP 142/91, …"
        return True
    if not (pointed or not _HERE.isdisjoint(words)):
        return False
    if shaped or not MAKES_OF_MATERIAL.isdisjoint(words) or not MAKES_PAIRS.isdisjoint(pairwise(words)):
        return True
    sentences = instruction.rsplit(". ", 1)
    return len(sentences) == 2 and _opens_with_verb(sentences[1])


def _names_a_text(words: list[str], verb: str) -> bool:
    """Whether what the echo ``verb`` (of ``OBJECT_VERBS``) works on, in the instruction's ``words``, is a text: nothing
    ("Rewrite:"; not "Edit:", a correction's label), a manner after it (``MANNER_WORDS``) or a text noun
    (``TEXT_OBJECTS``, ``written_code.WRITTEN_TEXTS``) among the words after it."""
    rest = words[words.index(verb) + 1:] if verb in words else []
    if not rest:
        return verb != "edit"
    return rest[0] in MANNER_WORDS or any(w in TEXT_OBJECTS or w in WRITTEN_TEXTS for w in rest)


def _after_lead(instruction: str) -> str:
    """``instruction`` from its first word after a lead (``_LEADS``: "Please", "Can you" …) and opening marks."""
    part = instruction.lstrip(" \t\r\n\"'*-#>")
    for lead in _LEADS:
        if part.startswith((lead + " ", lead + ",")):
            return part[len(lead) + 1:].lstrip(" ,")
    return part


def _first_word(instruction: str) -> str:
    """The first word of ``instruction`` after a lead (``_LEADS``), as split at white space (its commas off)."""
    words = _after_lead(instruction).split(None, 1)
    return words[0].strip(",") if words else ""


def _opens_with_verb(instruction: str) -> bool:
    """Whether ``instruction``'s first word (after a lead) is one of ``MATERIAL_VERBS``, or the first word of
    its second clause when it opens with a phrase that points at the material ("From this email, extract …",
    "Given these meeting notes, list …"; not "Given a list of words, list …")."""
    part = _after_lead(instruction)
    words = part.split(None, 1)
    if not words:
        return False
    if words[0].strip(",") in MATERIAL_VERBS:
        return True
    if words[0] in _MATERIAL_OPENERS and "," in part:
        opening, rest = part.split(",", 1)
        rest = rest.split(None, 1)  # the phrase names the material itself: "Given an array nums, sort …" is a problem
        return bool(rest) and rest[0] in MATERIAL_VERBS and not _POINTERS.isdisjoint(lower_words(opening))
    return False
