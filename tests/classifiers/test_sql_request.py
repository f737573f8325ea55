"""A question over a database schema is a request for a query: the question sets its length, wherever the schema is
(version 88, classifiers.sql_request)."""

from __future__ import annotations

from classifiers.feature_schema import FEATURE_NAMES, PRIOR_FEATURE
from classifiers.features import handcrafted
from classifiers.sql_request import SQL_REQUEST_CHARS, schema_spans, sql_request
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
