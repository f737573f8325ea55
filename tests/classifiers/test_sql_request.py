"""A question over a database schema is a request for a query: the question sets its length, wherever the schema is
(version 88, classifiers.sql_request)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.feature_schema import FEATURE_NAMES, PRIOR_FEATURE
from classifiers.features import handcrafted
from classifiers.sql_request import _RE_CREATE, SQL_REQUEST_CHARS, _next_create, schema_spans, sql_request
from classifiers.text import parse_messages

DDL = """CREATE TABLE customers (id INT PRIMARY KEY, name TEXT, country TEXT);
CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT REFERENCES customers(id), order_date DATE, total NUMERIC(10,2));
CREATE TABLE returns (id INT PRIMARY KEY, order_id INT, returned_at DATE);"""
EASY = "How many customers are from Canada?"
HARD = "Which customers placed more than three orders in the last 30 days but never returned an item?"
CODE_DOMAIN = FEATURE_NAMES.index("code domain")


def _features(question: str, layout: str) -> list[float]:
    if layout == "system":
        msgs = [{"role": "system", "content": "Answer with one PostgreSQL query.\n" + DDL}, {"role": "user", "content": question}]
    elif layout == "fence":
        msgs = [{"role": "user", "content": "Schema:\n```sql\n" + DDL + "\n```\n" + question}]
    else:
        msgs = [{"role": "user", "content": DDL + "\n\n" + question}]
    return handcrafted(parse_messages(msgs))


def test_a_schema_in_the_system_prompt_makes_the_question_a_query() -> None:
    """The system prompt's schema was not read: the hard question had no code domain and no closed problem."""
    h = _features(HARD, "system")
    assert h[PRIOR_FEATURE] > 2.0
    assert _features(HARD, "plain")[CODE_DOMAIN] >= 0.5


def test_the_question_not_the_schema_sets_the_length() -> None:
    """Pasted DDL read as the statement: a one-table count out-ranked the hard question under a system-prompt schema."""
    for layout in ("system", "fence", "plain"):
        easy, hard = _features(EASY, layout)[PRIOR_FEATURE], _features(HARD, layout)[PRIOR_FEATURE]
        assert easy < 0.5 and hard > 2.0, (layout, easy, hard)
    assert _features(EASY, "plain")[PRIOR_FEATURE] < _features(HARD, "system")[PRIOR_FEATURE]


def test_schemas_are_found_in_three_forms() -> None:
    assert [t for _, _, t in schema_spans(DDL)] == ["customers", "orders", "returns"]
    lines = "Tables:\nusers(id INT, email TEXT)\n- orders(id, user_id, total, created_at)\nsessions(id, user_id, started)\n"
    assert [t for _, _, t in schema_spans(lines)] == ["users", "orders", "sessions"]
    markdown = "Table: Person\n| Column Name | Type |\n|---|---|\n| personId | int |\n| city | varchar |\n"
    assert [t for _, _, t in schema_spans(markdown)] == ["person"]


def test_code_and_chat_are_no_schema() -> None:
    """Calls in pasted code, a lone call, a data table without a column header, chat about tables."""
    assert schema_spans("void loop() {\n  pinMode(LED_PIN, OUTPUT);\n  display.fillRect(x, y, W, H, BLACK);\n}") == []
    assert schema_spans("print(a, b)\nWhat does this print?") == []
    assert schema_spans("| name | score |\n|---|---|\n| Ann | 3 |") == []
    for text in ("Help me set the table for a dinner party of eight.", "Create a table comparing three phones.",
                 "Select the better option: beach or mountains?", "How many users signed up in 2024?"):
        assert sql_request(text, "") is None
        assert sql_request(text, "You are a helpful assistant. Use tables where useful.") is None


def test_the_cues_of_a_query_of_some_craft() -> None:
    hard, easy = sql_request(HARD, DDL), sql_request(EASY, DDL)
    assert hard is not None and easy is not None
    assert easy.work == 0  # "how many": a one-line SELECT
    assert hard.work >= SQL_REQUEST_CHARS + 3 * 150  # a date range, an anti-join, a join of the tables it names
    assert sql_request("Top 3 earners in each department, with ties.", "employees(id INT, department_id INT, salary INT)").work == 400
    fenced = sql_request("```sql\n" + DDL + "\n```\n" + EASY, "")
    assert fenced is not None and fenced.numbers == 0 and fenced.question == len(EASY) + 1  # the fence's schema is code's
    assert sql_request(DDL + "\n" + EASY, "").numbers > 0  # NUMERIC(10,2): no quantities


#: System prompts that hold no schema (review_s42_rev42 H1): a tool list, one untyped signature a line; a plan table with a
#: "Type" column; an extraction spec's "| Field | Description |" table; an agent's bulleted actions.
NO_SCHEMA_SYSTEMS = (
    ("You are a travel assistant. Tools:\nsearch_flights(origin, destination, date)\nbook_hotel(city, checkin, nights)\n"
    "get_weather(city, units, day)\nAnswer in a friendly tone."),
    ("You are the support bot for a video service.\n\n| Plan | Type | Price |\n|------|------|-------|\n| Basic | Monthly | $7.99 |\n"
    "| Premium | Annual | $99 |\n\nBe concise and kind."),
    ("Extract the following from the user's message and reply with JSON only.\n\n| Field | Description |\n|---|---|\n"
    "| name | full name of the sender |\n| intent | one of: refund, cancel, question |\n| order_id | the order number |"),
    "You are an agent. Available actions:\n- lookup_order(order_id, email, zip)\n- issue_refund(order_id, amount, reason)\nThink first.",
)
CHAT = ("hi! what can you help me with?", "thanks, that's all!", "How do I cancel my subscription?", "My order hasn't arrived, can you help?")


def test_tool_lists_and_tables_of_plans_are_no_schema() -> None:
    """Every user turn under these system prompts was a request for a query (0.07 -> 0.53: "hi! what can you help me with?")."""
    for system in NO_SCHEMA_SYSTEMS:
        assert schema_spans(system) == [], system
        for turn in CHAT:
            assert sql_request(turn, system) is None, (system, turn)
    # in the user turn: a table of plants with a "Type" column, a signature per line in a question about code
    assert schema_spans("| Plant | Type | Light |\n|---|---|---|\n| Snake plant | Succulent | Low |\n| Pothos | Vine | Medium |") == []
    assert schema_spans("These signatures:\nparse_config(path, strict, env)\nmerge_configs(base, override, deep)\nWhy?") == []
    # typed lines, a label line over untyped ones, a table of columns with types stay schemas
    assert [t for _, _, t in schema_spans("books(id INT, title VARCHAR(200))\nauthors(id, name, country)")] == ["books", "authors"]
    assert [t for _, _, t in schema_spans("Tables:\n- tickets(id, priority, opened_at)\n- agents(id, name, team)")] == ["tickets", "agents"]
    assert len(schema_spans("| Field | Type |\n|---|---|\n| sender | varchar(80) |\n| sent_at | timestamp |")) == 1


def test_a_system_prompt_schema_needs_a_question_about_its_data() -> None:
    """Under a real CREATE TABLE system prompt, "thanks, that worked!" was a query (0.08 -> 0.52): a question over it
    names a table or a column, or asks for a query, a count, a list."""
    system = "You translate questions into PostgreSQL.\n" + DDL
    for turn in ("thanks, that worked!", "Thanks! Can you explain what a primary key is, in simple words?", "Good morning!",
                 "Can you write that answer more politely? My boss will read it."):
        assert sql_request(turn, system) is None, turn
    for turn in ("How many rows are there?", "Write the SQL for it.", "customers from Canada", "Which items were returned late?",
                 "Sort them by order date."):
        assert sql_request(turn, system) is not None, turn
    assert sql_request("thanks, that worked!", "") is None and sql_request("thanks!\n" + DDL, "") is not None  # a pasted schema: as before


def test_a_one_table_lookup_gets_no_cue_of_craft() -> None:
    """ "top 5", "between", "share", "manager" lifted one-table lookups above multi-step queries (review_s42_rev42 M3)."""
    system = "employees(id INT, name TEXT, department TEXT, salary NUMERIC(10,2), manager_id INT, hired_on DATE)\ndepartments(id INT, name TEXT, budget NUMERIC)"
    for turn in ("Show the top 5 employees by salary.", "Who is the manager of Ana Souza?", "List employees hired between 2020 and 2022.",
                 "What share of the budget does the Sales department have?"):
        r = sql_request(turn, system)
        assert r is not None and r.work == 0, turn  # a one-line SELECT
    for turn in ("Top 3 earners in each department, with ties.", "Which departments spend more on salaries than their budget allows?",
                 "Find employees who earn more than their manager."):
        r = sql_request(turn, system)
        assert r is not None and r.work > SQL_REQUEST_CHARS, turn


def test_a_statement_in_a_string_of_code_is_no_schema() -> None:
    """A Flask app's ``execute('''CREATE TABLE …''')`` made a debugging question a request for a query (0.89 -> 0.81)."""
    code = "```python\ndef init_db(conn):\n    conn.execute('''CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT)''')\n```\n"
    assert schema_spans(code) == [] and sql_request(code + "Why does login fail for unknown users?", "") is None
    assert len(schema_spans("Schema:\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);")) == 1


SUPPORT_SYSTEM = ("You are the support assistant for ShopCo. Database schema:\n"
                  "CREATE TABLE customers (id INT PRIMARY KEY, name TEXT, email TEXT, created_at DATE);\n"
                  "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, status TEXT, total NUMERIC(10,2), placed_at DATE);")


@pytest.mark.parametrize("turn", ["What's the status of my order?", "Can you change the email on my account?",
                                  "Can you suggest a name for my new puppy?", "I never got a confirmation email, what should I do?"])
def test_a_support_turn_under_a_system_schema_is_no_query(turn: str) -> None:
    """Version 96 (review rev42b H1): the speaker's own account, or one generic column's name, is no query (0.16-0.22 ->
    0.55-0.70 as requests for one)."""
    assert sql_request(turn, SUPPORT_SYSTEM) is None


def test_an_analysts_turn_under_a_system_schema_is_a_query() -> None:
    for turn in ("How many customers signed up in 2024?", "Show me the total revenue per customer.",
                 "Write a query for my dashboard: revenue per month."):
        assert sql_request(turn, SUPPORT_SYSTEM) is not None, turn


CREATE_PIECES = ("create", "CREATE", "Create", "cReAtE", "table", "TABLE", " ", "\t", "\n", "temp", "temporary", "if not exists",
                 "orders", "x(", "(", "id", ",", "_", "recreate", "İ", "ſ", "`", '"', ";", ")", "é", "写", "\ud800", "ＣＲＥＡＴＥ")


@given(st.lists(st.sampled_from(CREATE_PIECES), max_size=30).map("".join), st.integers(0, 40))
def test_next_create_is_the_pattern_search(s: str, at: int) -> None:
    """The case-blind pattern tried only where "create" occurs finds the match its search does."""
    got, expected = _next_create(s, s.encode("ascii", "replace").lower(), at), _RE_CREATE.search(s, at)
    assert (got and got.span()) == (expected and expected.span())


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(("|", " | ", "name", "type", "INT", "varchar(20)", "+---+", "-", ":", "\n", "\n\n", " ",
                                 "\t", "\r", "Table: users", "x", "a | b", "column", "TEXT")), max_size=40).map("".join))
def test_markdown_tables_are_read_only_where_two_rows_are(s: str) -> None:
    """The line-by-line reading runs only past a text's second row line: what it finds is the same."""
    from classifiers.sql_request import _markdown_spans, _markdown_tables

    assert _markdown_spans(s) == _markdown_tables(s)
