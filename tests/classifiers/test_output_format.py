"""Output-format phrases (``classifiers/output_format.py``, version 47): "as a JSON array", "Return it as JSON" say what
form the answer takes; their words are no code cues, while a request for a program that names a format keeps its own."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.lexicons import LEXICON_NAMES

CODE = LEXICON_NAMES.index("code")

#: Everyday requests whose every code cue is in a format phrase (before version 47: 0.74-0.85, the code domain and the
#: request-for-a-program length).
FORMAT_REQUESTS = [
    "List three European capitals as a JSON array.",
    "Format your answer as JSON.",
    "Return it as JSON where each key is the entity type and values are lists sorted alphabetically.",
    "Return the same information as a JSON array with keys review, pros, cons, rating.",
    "Now give the deal's key numbers (price, revenue multiple, share move, employees) as a YAML document.",
    "Name the five largest oceans as a JSON array.",
    "Give three synonyms for 'happy' as a JSON array of strings.",
    "Give me the planets of the solar system in YAML, with their order from the sun.",
    "Give me a JSON object with the fields city, country and population for Tokyo, Lagos and Lima.",
    "Classify these animals as mammal, bird or reptile and return the result as JSON: eagle, whale, iguana, bat.",
    "Please respond only with valid JSON.",
    "Put the answer in a Markdown code block.",
    "Summarize the table in the following JSON format: title, rows.",
    "Extract the names and return them as a JSON list.",
    "Show the schedule as an HTML table.",
    "Return only valid JSON.",
]
#: Requests for a program that name a format: their cues stay (a program's thing, or a sentence about a program).
CODE_REQUESTS = [
    "Write a Python function that parses a JSON file and returns the keys.",
    "Write a function that returns a JSON object with the word counts.",
    "Parse this JSON and print the keys.",
    "Write a JSON schema validator in Go.",
    "Convert this JSON to YAML with a Python script.",
    "Write a Flask endpoint that returns the list of users as a JSON array.",
    "Output the results as a JSON array using Python.",
    "Write a script that saves the results as a JSON file.",
    "Implement a function that serializes a binary tree to a JSON string and deserializes it back.",
    "Write a Go program that reads newline-delimited JSON from stdin and outputs it as CSV.",
    "Return the data as JSON.parse would read it.",
    "Describe the result in JSON schema terms.",
    "Write a page in HTML with a contact form.",
    "Find the bug in the JSON below.",
    "Given an array of integers nums, return the indices of the two numbers that add up to target.",
]


def _cues(text: str) -> tuple[int, int]:
    """(code cues of ``text``, those its format phrases hold)."""
    from classifiers.lexicons import lexicon_counts, lower_words
    from classifiers.output_format import format_code_cues

    wl = lower_words(text)
    code = lexicon_counts(wl)[CODE]
    return code, format_code_cues(text, wl, code)


@pytest.mark.parametrize("text", FORMAT_REQUESTS)
def test_a_format_phrase_holds_no_code_cue(text):
    code, in_phrases = _cues(text)
    assert code > 0 and in_phrases == code, (code, in_phrases)


@pytest.mark.parametrize("text", CODE_REQUESTS)
def test_a_program_keeps_its_format_words(text):
    code, in_phrases = _cues(text)
    assert code > 0 and in_phrases == 0, (code, in_phrases)


@pytest.mark.parametrize("text", FORMAT_REQUESTS[:5])
def test_a_format_request_is_no_request_for_a_program(text):
    """No code domain, and not the request's 245 characters more in the length prior."""
    import math

    from classifiers.feature_schema import FEATURE_NAMES, PRIOR_FEATURE
    from classifiers.features import LENGTH_ANCHOR, handcrafted
    from classifiers.inference import as_conversation
    from classifiers.written_code import REQUEST_EXTRA_CHARS

    h = handcrafted(as_conversation(text))
    assert h[FEATURE_NAMES.index("code domain")] == 0.0
    assert h[PRIOR_FEATURE] < 0.5 * (math.log(REQUEST_EXTRA_CHARS) - LENGTH_ANCHOR), h[PRIOR_FEATURE]


def test_a_program_asked_in_a_format_stays_a_request_for_a_program():
    """A format phrase in a sentence of its own takes its cues only: "write a function" still asks for a program."""
    from classifiers.feature_schema import FEATURE_NAMES, PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.inference import as_conversation

    text = "Write a Python function that counts the words of a text. Return the result as a JSON object."
    assert _cues(text) == (4, 0)  # python, function, json, return: the program's output (version 50: the sentence before)
    text = "Write a Python function that counts the words of a text.\n\nReturn the result as a JSON object."
    assert _cues(text) == (4, 2)  # another paragraph: json and return are the answer's form
    h = handcrafted(as_conversation(text))
    assert h[FEATURE_NAMES.index("code domain")] == 1.0 and h[PRIOR_FEATURE] > 1.0


def test_only_a_return_of_the_answer_goes():
    assert _cues("Return them as JSON.") == (2, 2)
    assert _cues("Then return it in YAML.") == (2, 2)
    assert _cues("Extract the dates and return them as a JSON list.") == (2, 2)
    assert _cues("The method should return a JSON object.") == (3, 0)  # a program's behaviour
    assert _cues("Count the keys and return -1 as JSON if empty.") == (2, 1)  # "-1" is no answer's object: "return" stays


def test_a_format_after_a_demonstrative_is_material_unless_its_shape_is_named():
    assert _cues("Fix the quotes in this JSON.") == (1, 0)
    assert _cues("Answer in the following JSON format.") == (1, 1)


def test_a_long_prompt_is_read_in_its_slice_only():
    """Only the featurizer's head and tail are read (``features._slice``), and a sentence at most
    ``SENTENCE_CHARS`` around the phrase: a program named far before it does not keep the cues."""
    from classifiers.features import _slice

    text = "Write a Python function. " + "Some words here. " * 400 + "Give the totals as a JSON array."
    code, in_phrases = _cues(_slice(text))
    assert in_phrases == 2 and code == 4


@pytest.mark.parametrize("text", FORMAT_REQUESTS[:5] + ["Give me a JSON object with the fields city, country and population for Tokyo, Lagos and Lima."])
def test_a_format_request_scores_low(default, text):
    """0.74-0.81 before version 47 (the medium and high tiers)."""
    assert default.score([{"role": "user", "content": text}]).score < 0.5


@pytest.mark.parametrize("text", CODE_REQUESTS[:3] + CODE_REQUESTS[5:9])
def test_a_program_that_names_a_format_keeps_its_score(default, text):
    assert default.score([{"role": "user", "content": text}]).score > 0.6


def test_a_format_follow_up_scores_under_the_request_it_was(default):
    extraction = "List the people and places mentioned: 'Maria flew from Oslo to Nairobi to meet Kwame before the conference in Accra.'"
    chat = [{"role": "user", "content": extraction}, {"role": "assistant", "content": "People: Maria, Kwame. Places: Oslo, Nairobi, Accra."},
            {"role": "user", "content": "Return them as JSON where each key is the entity type and values are lists sorted alphabetically."}]
    assert default.score(chat).score < 0.5


def test_a_sentence_that_names_scraping_or_a_web_tool_keeps_its_cues():
    """Review (session 38): "Scrape the page with BeautifulSoup and return the links as a JSON list." 0.76 -> 0.23 on
    7.38.0, a program's work read as the answer's form (version 49)."""
    code, found = _cues("Scrape the page with BeautifulSoup and return the links as a JSON list.")
    assert code > 0 and found == 0
    assert _cues("Fetch the URL and give the headers as a JSON object.")[1] == 0


#: Review (session 38, F3): requests for a program whose program is named by a data verb and its object, an HTTP
#: request or status, a file name or a path, or a tool in the next sentence lost their code cues (0.70-0.80 -> 0.27-0.40).
PROGRAMS_AROUND_THE_PHRASE = [
    "Return the result as JSON. Use FastAPI.",
    "Output the results as JSON array. Use asyncio and aiohttp to fetch 100 URLs concurrently.",
    "Return the parsed config as YAML, using PyYAML with safe_load.",
    "Return the response as JSON with status 404 when the user is missing.",
    "Handle the POST request and return it as JSON with a 201 status.",
    "Parse the CSV and return it as a JSON array.",
    "Load data.csv and return it as a JSON array of objects.",
    "Read the file line by line and return them as a JSON array.",
    "Send a GET request to /health and return the status as JSON.",
    "Return the list as JSON. The handler runs on AWS Lambda behind API Gateway.",
    "Sort the records by timestamp and return them as a JSON array. Use TypeScript.",
    "Read settings.txt line by line and return the keys as a JSON array.",  # review_s39_third R4: its own sentence
    "Set up a cron job that checks disk usage. Return the alerts as a JSON list.",  # a tool in the next sentence
]
#: Everyday requests with the same verbs: their object is a text, or a document, or material pasted below.
EVERYDAY_AROUND_THE_PHRASE = [
    "Read the poem and return its themes as a JSON list.",
    "Read this review and output the sentiment as JSON.",
    "Read the attached file and give me the key points as JSON.",
    "Read these survey responses and return the main themes as a JSON array.",
    "Read the CSV below and return the average age as JSON.",
    "Handle this customer complaint politely and return your reply as JSON with fields subject and body.",
    "Parse this sentence into subject, verb and object and return them as JSON.",
    "Sort these fruits by sweetness and return them as a JSON array: mango, lemon, grape.",
    "Describe my status at work in three words and return them as JSON.",
    "Express the answer as a JSON object with keys name and age.",
    "Extract the dates from the email and return them as a JSON list. Use ISO format.",
]


@pytest.mark.parametrize("text", PROGRAMS_AROUND_THE_PHRASE)
def test_a_program_named_around_the_phrase_keeps_its_cues(text):
    code, found = _cues(text)
    assert code > 0 and found == 0, (code, found)


#: Review (session 39, review_s39_diff F2): an everyday sentence beside the phrase, with a program's verb or noun or a
#: language spelt as an everyday word, kept the phrase's cues (0.12-0.48 -> 0.71-0.82 on 7.41.0).
EVERYDAY_BESIDE_THE_PHRASE = [
    "My mom takes four pills a day. List them as a JSON array with name and dose.",
    "I'm applying to a master's program in nursing. List the documents I need as a JSON array.",
    "The email reads like a complaint. Return the key points as a JSON list.",
    "I'm filing my tax returns next week. List the documents I need as a JSON array.",
    "I teach this module to first-year nurses. Give me ten quiz questions as a JSON array.",
    "Our TV program airs on Fridays. List the guests as a JSON array.",
    "Japan's exports grew last year. List the top five as a JSON array.",
    "I'm reading Kafka this summer. List his major works as a JSON array with year.",
    "The recipe takes two hours. Return the steps as a JSON array with durations.",
    "I collect vinyl. Sort these records by release year and return them as a JSON array.",
    "Use the numbers in budget.xlsx and give me the monthly totals as JSON.",
    "Summarize the top posts of /r/cooking this week as a JSON array.",
    "I just finished S3 of The Office. List my favourite episodes as a JSON array.",  # review_s39_third R2
    "Our cat is called Zig. Give me ten toy ideas as a JSON list.",
    "My sister works at AWS. Suggest birthday gifts as a JSON list.",
]


#: Review (session 39, review_s39_final N2, N4): "use" before a letter, a bird, a name is no language; a text or a
#: document named by its file is an attachment.
WORDS_SPELT_LIKE_A_PROGRAM = [
    "Label each item using C for cold and H for hot, and return them as a JSON list.",
    "Using Swift as the example bird, list five migratory birds as a JSON array.",
    "Use Julia as the main character's name. Give me the chapter outline as a JSON object.",
    "My resume is in resume.md. Return my skills as a JSON array.",
    "I pasted my notes into notes.txt. Give me the action items as a JSON list.",
]


@pytest.mark.parametrize("text", EVERYDAY_AROUND_THE_PHRASE + EVERYDAY_BESIDE_THE_PHRASE + WORDS_SPELT_LIKE_A_PROGRAM)
def test_an_everyday_text_around_the_phrase_takes_no_cue_back(text):
    code, found = _cues(text)
    assert code > 0 and found == code, (code, found)


def test_material_after_a_blank_line_names_no_program():
    """A job ad asking for SQL and Python is the material the format phrase's instruction points at."""
    text = ("From the job ad below, pull out the title and required skills and return the results as a JSON object.\n\n"
            "Senior Data Analyst. We need 5+ years of SQL and some Python.")
    code, found = _cues(text)
    assert found == 2 and code == 4, (code, found)


def test_server_and_express_are_no_program_words():
    """Review F6 / F11: "server" kept a restaurant's ratings as a program's output (0.83); "express the answer" too."""
    from classifiers.algorithmic import PROGRAM_WORDS
    from classifiers.output_format import PROGRAM_SENTENCE_WORDS
    from classifiers.program_words import NAMES_A_PROGRAM

    assert NAMES_A_PROGRAM <= PROGRAM_WORDS and NAMES_A_PROGRAM <= PROGRAM_SENTENCE_WORDS
    assert not {"server", "express"} & (PROGRAM_WORDS | PROGRAM_SENTENCE_WORDS)
    assert _cues("Rate each server at the restaurant from 1 to 5 and return them as JSON.") == (3, 2)  # server stays


@pytest.mark.parametrize("text", PROGRAMS_AROUND_THE_PHRASE[:6])
def test_a_program_named_around_the_phrase_scores_high(default, text):
    assert default.score([{"role": "user", "content": text}]).score > 0.6


_PIECES = ("return", "give", "output", "and", "then", "please", "now", "so", "x", "summarize", "it", "as", "json",
           "a", "valid", "l'x", "éa", "2")
_GAPS = (" ", "  ", ". ", "\n", ", ", "! ", ".", "'", "\t")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_GAPS)), min_size=1, max_size=60))
def test_the_quick_refusal_of_an_answer_verb_agrees_with_its_sentence(parts: list[tuple[str, str]]) -> None:
    """``_after_other_words`` (read back over words and spaces) says "no lead-only sentence before the verb" only where
    the sentence's words say so too."""
    from classifiers.lexicons import words_of
    from classifiers.output_format import RETURN_LEADS, SENTENCE_CHARS, _after_other_words
    from classifiers.sentences import sentence_start

    low = "".join(w + g for w, g in parts)
    for i in (k for k in range(1, len(low)) if low[k - 1] == " "):
        if _after_other_words(low, i):
            start = sentence_start(low, i, max(0, i - SENTENCE_CHARS))
            assert not RETURN_LEADS.issuperset(words_of(low[start:i])), (low, i)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 3000), max_size=14))
def test_openers_are_searched_once_per_run_of_overlapping_windows(starts: list[int]) -> None:
    """``_opener_starts`` finds what one search per window before each name start (after a space, as a name's) finds."""
    from classifiers.output_format import _RE_OPENER, PHRASE_CHARS, _opener_starts

    low = ("so return it as json, then with in into " * 80)[:3000]
    starts = sorted({q for q in starts if q and low[q - 1].isspace()})
    each = sorted({m.start() for q in starts for m in _RE_OPENER.finditer(low, max(0, q - PHRASE_CHARS), q)})
    assert _opener_starts(low, starts) == each
