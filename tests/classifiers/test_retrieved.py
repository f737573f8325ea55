"""Retrieved context (``classifiers/retrieved.py``): a RAG prompt's documents are material, not its question."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.retrieved import context_span, outside_context, retrieved_chars
from tests.classifiers import reference_features as ref
from tests.classifiers.conftest import user

#: A refund policy with the figures a policy has (dates, prices, a phone number).
POLICY = ("Refund policy (updated 2024-03-01): Customers may return items within 30 days of delivery for a full refund. "
          "Items bought during the 2023 holiday sale (November 24 to December 31) can be returned until January 31, 2024. "
          "Shipping fees of $5.99 are not refunded unless the item arrived damaged. Store credit is issued within 3 to 5 "
          "business days; card refunds take 5 to 10 days. Orders above $200 qualify for free return shipping. "
          "Contact support at 1-800-555-0199, Monday to Friday, 9 am to 6 pm. ") * 2
#: The templates the RAG frameworks fill in by default (LangChain's and LlamaIndex's question-answering
#: prompts), and a labelled one.
TEMPLATES = {
    "labelled": "Context:\n{c}\nQuestion: {q}",
    "langchain": ("Use the following pieces of context to answer the question at the end. If you don't know the answer, just "
                  "say that you don't know, don't try to make up an answer.\n\n{c}\n\nQuestion: {q}\nHelpful Answer:"),
    "llamaindex": ("Context information is below.\n---------------------\n{c}\n---------------------\nGiven the context "
                   "information and not prior knowledge, answer the query.\nQuery: {q}\nAnswer: "),
    "tags": "<documents>\n{c}\n</documents>\n<question>{q}</question>",
}


@pytest.mark.parametrize("template", TEMPLATES.values(), ids=TEMPLATES)
def test_a_simple_question_over_documents_is_not_a_long_problem(default, template):
    """Read as the question, the policy made "Can I get my shipping fee back?" a 1,000-character arithmetic
    problem (0.94, the top tier, on 7.22.0); a question that reasons over the same figures stays above it."""
    simple = default.score(user(template.format(c=POLICY, q="Can I get my shipping fee back?"))).score
    hard = default.score(user(template.format(c=POLICY, q=(
        "I bought a $150 jacket on December 20, 2023 and a $90 scarf on January 5, 2024, both delivered two days "
        "later. On February 3, 2024 I want to return both by card. Which items can I still return, how much will be "
        "refunded in total, and by what date at the latest will the money arrive? Show your reasoning.")))).score
    assert simple < 0.6 and hard > simple + 0.15


@pytest.mark.parametrize(("text", "chars"), [
    ("Context:\n" + "x " * 300 + "\nQuestion: why?", 9 + 600 + 1),  # up to the label's line
    ("Background: see the excerpts below.\n" + "x " * 300 + "\nQ: why?", 36 + 600 + 1),  # the naming line is material too
    ("Context:\n" + "x " * 80 + "\nQuestion: why?", 0),  # short: the question's length decides
    ("Explain this.\n" + "x " * 300 + "\nQuestion: why?", 0),  # nothing names a context
    ("Context:\n" + "x " * 300, 0),  # no question label
    ("Question: why?\n" + "Context: " + "x " * 300, 0),  # the label before the context: no question after it
    ("x " * 200 + "context\n" + "x " * 300 + "\nQuestion: why?", 0),  # named only after the first 300 characters
])
def test_the_context_runs_from_the_line_naming_it_to_the_last_question_label(text, chars):
    assert retrieved_chars(text) == chars


PIECES = ("Context:", "context", "Documents", "<question>", "Question:", "question: ", "Query:", "Q:", "q :", "## Question:",
          "\n", " ", "x" * 97, "y " * 150, "sources", "retrieved", "contextual", ": ",
          "?", "\n\n", ">\n", "below", "\nAnswer:", "Helpful answer: ", "<documents>", "[1] ", "Passage", "\uff1f", "y " * 40,
          # version 91: markers, pasted / pointer-first names, a question before its documents, a forward instruction
          "\n[2] ", "[doc1]", "[Doc 2]", "Source 1:", "source 2 :", "doc 1:", " documents I pasted below", "Below are the documents",
          "here is 3 excerpts", "Using only the policy below, answer: ", "based on the contract excerpt below", "answer: x",
          "Given the following information, answer the question.\n", "calculate ", "from my terms provided", "\n\n")


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join), st.booleans())
def test_retrieved_chars_equal_the_reference(text, code):
    assert retrieved_chars(text, code) == ref._retrieved_chars(text, code)


#: Fee documents with a dozen figures (version 75's probes: written for this test, no benchmark item).
FEES = ("[doc1] Harbor Fitness memberships: the monthly plan costs $39 per month with a $25 joining fee; the annual plan "
        "costs $399 paid up front and has no joining fee. Students pay 20% less on either plan.\n"
        "[doc2] Guest passes cost $12 per visit. Members on the annual plan get 4 free guest passes per year.\n"
        "[doc3] Freezing a membership costs $5 per month, for at most 3 months per year. Cancellations need 30 days notice.")
LOOKUPS = ("How much does the annual plan cost?", "What does a guest pass cost?", "How many free guest passes do annual members get?")
CALCULATIONS = ("If I keep $40,000 for 3 years at 4.1% compounded yearly, how much interest do I earn?",
                "I am a student and want 2 guest passes a month for 12 months. How much do I pay in total on the monthly plan?")


def _numbers_prior(text: str) -> float:
    from classifiers.feature_schema import NUMBERS_PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.text import parse_messages
    conv = parse_messages(user(text))
    feats = handcrafted(conv)
    assert feats == ref.handcrafted(conv)
    return feats[NUMBERS_PRIOR_FEATURE]


@pytest.mark.parametrize("template", TEMPLATES.values(), ids=TEMPLATES)
@pytest.mark.parametrize("question", LOOKUPS)
def test_a_lookup_over_documents_is_no_word_problem(template, question):
    """The documents' figures are facts to look up, not the question's quantities (version 75): "How much does the annual
    plan cost?" over these fees had "numbers in a word problem" +3.4 (0.84 on 7.56.0; "Is there a joining fee?" 0.43)."""
    assert _numbers_prior(template.format(c=FEES, q=question)) == 0.0


@pytest.mark.parametrize("question", CALCULATIONS)
def test_a_calculation_the_question_sets_keeps_its_word_problem(question):
    """Two or more figures of the question's own: a calculation, with the documents' figures it may combine (in 600
    characters); past 600 characters of context, its own figures alone."""
    assert _numbers_prior(TEMPLATES["labelled"].format(c=FEES, q=question)) > 1.0
    long = TEMPLATES["labelled"].format(c=POLICY, q=question + " Also, 5 more, 6 more, 7 more?")
    assert 0.0 < _numbers_prior(long) < _numbers_prior(TEMPLATES["labelled"].format(c=FEES, q=question))


def test_the_text_outside_the_context_is_the_instruction_and_the_question():
    text = "Answer from the sources.\nSources:\n" + "y " * 200 + "\nQuestion: why?"
    start, end = context_span(text)
    assert text[start:end].startswith("Answer from the sources.") and outside_context(text, (start, end)) == "Question: why?"
    text = "Be brief.\n" + text
    assert outside_context(text, context_span(text)) == "Be brief.\nQuestion: why?"
    assert outside_context("Explain this.", context_span("Explain this.")) == "Explain this."


def test_rag_lookups_score_below_rag_calculations(default):
    """On a retrained artifact: the lookups of version 75's probes under 0.6, the calculations above them."""
    lookups = [default.score(user(TEMPLATES["labelled"].format(c=FEES, q=q))).score for q in LOOKUPS]
    calcs = [default.score(user(TEMPLATES["labelled"].format(c=FEES, q=q))).score for q in CALCULATIONS]
    assert max(lookups) < 0.6 < min(calcs)


#: Unlabelled templates (version 78): the question ends the text after a blank line or the documents' closing tag.
UNLABELLED = {
    "below": "Answer using only the documents below.\n\n{c}\n\n{q}",
    "answer line": "Use the following documents to answer the question. If the answer is not there, say so.\n\n{c}\n\n{q}\nAnswer:",
    "sources": "Answer from the sources below and cite them.\n\n{c}\n\n{q}",
    "tags": "<documents>\n<document index=\"1\">\n{c}\n</document>\n</documents>\n{q}",
    "markdown": "## Retrieved passages\n\n{c}\n\n{q}",
}


@pytest.mark.parametrize("template", UNLABELLED.values(), ids=UNLABELLED)
def test_an_unlabelled_question_after_documents_is_the_question(template):
    """"Answer using only the documents below. … How much is express shipping?" had no question label: the documents
    were the question's statement, their figures a word problem's (numbers in a word problem +4.4, 0.97 on 7.58.0)."""
    text = template.format(c=FEES, q=LOOKUPS[0])
    start, end = context_span(text)
    assert text[end:].startswith(LOOKUPS[0]) and start == 0
    assert _numbers_prior(text) == 0.0
    assert _numbers_prior(template.format(c=FEES, q=CALCULATIONS[1])) > 1.0  # a calculation keeps its word problem


@pytest.mark.parametrize("text", [
    # a word problem that mentions documents: nothing points at them
    "A printer prints documents at 40 pages per minute and a copier at 25. " * 4 + "\n\nHow long do both take for 900 pages?",
    # code pasted after a context label: the question is about the code
    "Context: our document indexing service merges posting lists.\n\n```python\n" + "x = [1, 2]\n" * 30 + "```\n\nWhy?",
    "Answer using only the documents below.\n\n" + FEES + "\n\nThanks, that is all.",  # no question
    "Answer using only the documents below.\n\n" + FEES + "\n\n" + "Why? " * 70,  # a last paragraph past 300 characters
    "Answer using only the documents below.\n" + FEES + "\nHow much does the annual plan cost?",  # no paragraph break
])
def test_no_unlabelled_question_without_pointed_documents_and_a_short_last_question(text):
    code = "```" in text
    assert context_span(text, code) == ref._context_span(text, code) == (0, 0)


SHORT = ("Answer based on the documents below.\n\nDocument A: Our return window is 30 days from delivery for unworn items with "
         "tags. Sale items are final.\nDocument B: Holiday purchases made between Nov 15 and Dec 24 can be returned until "
         "January 31.\n\nQuestion: I bought a sale sweater on December 3. Can I return it in January?")


def test_a_short_context_named_by_a_document_word_is_a_context():
    """Under 400 characters (version 78): "Answer based on the documents below." over two one-line documents is RAG; a
    situation labelled "Context:" is the question's own statement."""
    assert len(SHORT) < 400 and SHORT[retrieved_chars(SHORT):].startswith("Question:")
    situation = ("Context: I run a small bakery with 3 employees and we sell about 400 loaves a week at $6 each, plus cakes "
                 "on weekends below cost.\nQuestion: Should I raise prices by 10% or cut costs first, and how do I decide?")
    assert 200 <= len(situation) < 400 and retrieved_chars(situation) == 0


def test_a_calculation_over_documents_in_the_system_prompt_counts_their_figures():
    """Documents in the system prompt, the question alone in the turn (version 78): a calculation combines their figures as
    it would in the turn ("… 2 guest passes a month for 12 months …" 0.57, 0.95 with the documents in the turn on 7.58.0),
    a lookup stays none."""
    from classifiers.feature_schema import NUMBERS_PRIOR_FEATURE
    from classifiers.features import handcrafted
    from classifiers.text import parse_messages

    def prior(system: str, question: str) -> float:
        conv = parse_messages([{"role": "system", "content": system}, {"role": "user", "content": question}])
        assert handcrafted(conv) == ref.handcrafted(conv)
        return handcrafted(conv)[NUMBERS_PRIOR_FEATURE]

    system = "You are the Harbor Fitness help bot. Answer only from the documents below.\n" + FEES
    in_turn = _numbers_prior(TEMPLATES["labelled"].format(c=FEES, q=CALCULATIONS[1]))
    assert prior(system, CALCULATIONS[1]) > 1.0 and abs(prior(system, CALCULATIONS[1]) - in_turn) < 0.2
    assert prior(system, LOOKUPS[0]) == 0.0
    assert prior("You are the Harbor Fitness help bot. Be friendly and brief.\n" + FEES, CALCULATIONS[1]) < 1.0  # not pointed at


def test_a_negated_or_conditional_work_verb_keeps_the_documents() -> None:
    """Version 82 (review rev41b H2): the head's solve / compute / figure out is an imperative of its first line; "If you
    cannot figure out the answer from them, say I don't know" and a document's "To solve login problems" are none."""
    from classifiers.retrieved import context_span

    docs = ("\n\nDocument 1: Standard shipping takes 5-7 business days and costs $4.99 for orders under $35. Orders over "
            "$35 ship free.\nDocument 2: Express shipping costs $12.99 and arrives in 2 business days. To solve login "
            "problems, reset your password.\nDocument 3: Gift wrapping is $3 per item.\n\nHow much is express shipping?")
    assert context_span("Answer using only the documents below. If you cannot figure out the answer from them, say I "
                        "don't know." + docs)[1] > 0
    assert context_span("Answer using only the documents below; do not compute anything yourself." + docs)[1] > 0
    assert context_span("Read the following passages and solve the problem." + docs) == (0, 0)


#: Version 91 (review_s42 sweep cluster 6, gaps a-c): layouts whose question comes first, whose documents are marked by
#: number alone, or named apart from their pointer.
QUESTION_FIRST = {
    "answer from": "Using only the membership terms below, answer: {q}\n\n{c}",
    "based on": "Based on the policy below, answer: {q}\n\n{c}",
    "sources after": "{q} Use these sources:\n\n{c}",
    "label first": "Question: {q}\n\nContext:\n{c}",
}
MARKED = {
    "doc markers": "[doc1] {c1}\n[doc2] {c2}\n[doc3] {c3}\n\n{q}",
    "numbers": "[1] {c1}\n[2] {c2}\n[3] {c3}\n\n{q}",
    "source n": "Source 1: {c1}\nSource 2: {c2}\nSource 3: {c3}\n\n{q}",
    "pasted": "Answer from the three documents I pasted below.\n\n{c1}\n{c2}\n{c3}\n\n{q}",
    "pointer first": "Below are documents retrieved for the user's query.\n\n{c1}\n{c2}\n{c3}\n\n{q}",
}
DOCS = [d.split("] ", 1)[1] for d in FEES.split("\n")]


@pytest.mark.parametrize("template", QUESTION_FIRST.values(), ids=QUESTION_FIRST)
def test_a_question_before_its_documents_is_read_alone(template):
    """"Using only the contract excerpt below, answer: if the Supplier delivers 8% late … what net amount …?" over the
    clauses was read as one problem (0.67; 0.87 laid out document-first): the documents follow the question's paragraph,
    a lookup's figures are the documents' (no word problem), a calculation keeps its own."""
    text = template.format(c=FEES, q=LOOKUPS[0])
    start, end = context_span(text)
    assert (start, end) == (text.index("\n\n"), len(text)) == ref._context_span(text)
    assert _numbers_prior(text) == 0.0
    assert _numbers_prior(template.format(c=FEES, q=CALCULATIONS[1])) > 1.0


@pytest.mark.parametrize("template", MARKED.values(), ids=MARKED)
def test_documents_marked_by_number_or_named_apart_are_documents(template):
    """"[doc1]" / "[1]" / "Source 1:" markers with no context word, "the three documents I pasted below", "Below are
    documents retrieved …": the documents were the statement of a word problem (numbers in a word problem +4 on 7.66.0)."""
    text = template.format(c1=DOCS[0], c2=DOCS[1], c3=DOCS[2], q=LOOKUPS[0])
    start, end = context_span(text)
    assert start == 0 and text[end:] == LOOKUPS[0] and ref._context_span(text) == (start, end)
    assert _numbers_prior(text) == 0.0
    assert _numbers_prior(template.format(c1=DOCS[0], c2=DOCS[1], c3=DOCS[2], q=CALCULATIONS[1])) > 1.0


def test_an_instruction_pointing_at_the_context_label_is_the_templates():
    """Haystack's "Given the following information, answer the question.\nContext: …" read its first line as the
    question's (length in a closed problem 0.7 against 0 for "Context: … Question:"); "Be brief." stays the user's."""
    text = "Given the following information, answer the question.\nContext:\n" + FEES + "\nQuestion: " + LOOKUPS[0] + "\nAnswer:"
    assert context_span(text)[0] == 0 == ref._context_span(text)[0]
    text = "Be brief.\nContext:\n" + FEES + "\nQuestion: " + LOOKUPS[0]
    assert context_span(text)[0] == len("Be brief.\n") == ref._context_span(text)[0]


@pytest.mark.parametrize("text", [
    # a problem's own data, listed after "Here are three sources of income" (a document word, not "sources", version 91)
    "Here are three sources of income for our household.\n\nSalary: $4,200 a month after tax. Rent from the basement "
    "flat: $950 a month, minus $80 for repairs. Freelance design work: about 6 projects a year at $1,300 each. " * 2
    + "\n\nHow much do we earn in a year?",
    # one "[1]" marker, no second: a footnote, not documents
    "[1] " + DOCS[0] + " " + DOCS[1] + " " + DOCS[2] + "\n\nHow much does the annual plan cost?",
    # a question first over data that is no document ("the data below"), and one that asks to calculate
    "Using the data below, answer: what was the total?\n\n" + "Week 1: 42 orders, $1,310. Week 2: 57 orders, $1,845. " * 5,
    "Using only the policy below, calculate what I owe if I stay 3 months.\n\n" + FEES,
    # a request to summarize a pasted article, a chat note with a short attachment
    "Can you summarize the following article for my newsletter?\n\n" + "The council voted to turn the depot into a library. " * 8,
    "Hey, the document below is the agenda, just so you have it. What time was lunch?\n\n9:00 intro, 12:00 lunch.",
])
def test_no_documents_without_a_document_layout(text):
    assert context_span(text) == ref._context_span(text) == (0, 0)


def test_rag_lookups_score_below_calculations_in_every_layout(default):
    """On a retrained artifact (version 91): question-first, marker-only and apart-named layouts rank as the labelled one
    does (their lookups 0.96-0.98 on 7.66.0, as word problems over the documents' figures)."""
    layouts = [t.format(c=FEES, q="{q}") for t in QUESTION_FIRST.values()]
    layouts += [t.format(c1=DOCS[0], c2=DOCS[1], c3=DOCS[2], q="{q}") for t in MARKED.values()]
    lookups = [default.score(user(t.format(q=q))).score for t in layouts for q in LOOKUPS]
    calcs = [default.score(user(t.format(q=q))).score for t in layouts for q in CALCULATIONS]
    assert max(lookups) < 0.6 and min(calcs) > 0.85


#: The one pattern ``last_question`` replaced (tried at every position of the last 4,000 characters).
_RE_QUESTION_ONE = re.compile(r"(?im)^[ \t]*(?:#+[ \t]*)?(?:(?:user )?question|query|q)[ \t]*:|<(?:question|query)>")


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(("\n", "Q:", "q :", "question:", "Question :", "user question:", "  ", "\t", "#", "## ",
                                 "<question>", "<QUERY>", "query:", "x", "Qu", "\r", "hello ", "\n\n", ":", "<")),
                max_size=24).map("".join), st.integers(0, 60))
def test_the_last_question_label_is_the_one_patterns_last_match(text: str, pos: int) -> None:
    from classifiers.retrieved import last_question

    pos = min(pos, len(text))
    starts = [m.start() for m in _RE_QUESTION_ONE.finditer(text, pos)]
    assert last_question(text, pos) == (starts[-1] if starts else -1)
