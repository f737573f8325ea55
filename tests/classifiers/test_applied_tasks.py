"""Application tasks are closed problems (version 90: classifiers.applied_tasks; review41 cluster 1)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.applied_tasks import APPLIED_GATE, applied_task
from classifiers.feature_schema import PRIOR_FEATURE
from classifiers.features import handcrafted
from classifiers.text import parse_messages
from tests.classifiers import reference_features as ref

AGENT = ("You are a coding agent. Tools: read_file(path), list_dir(path), run_tests(pattern), apply_patch(diff). After a "
         "dependency upgrade, tests/test_invoice.py::test_rounding fails: expected 10.05, got 10.04. What is your first "
         "tool call and why?")
AGENT_SUPPORT = ("You are a support agent with tools lookup_account(email), reset_password(user_id), unlock_account(user_id), "
                 "escalate(ticket, reason). The user is locked out after too many attempts and no longer has access to the "
                 "email on file. What do you do first, and which of these tools should you not use yet?")
DATES = ("From these meeting notes, list each action item with its owner and an absolute due date. The meeting took place "
         "on Thursday, 12 June 2025.\nNotes: Karim drafts the press release by next Wednesday. Julia reviews it two days "
         "after Karim's draft is due. The launch email goes out the Monday after Julia's review.")
CLAUSES = ("Here are two warranty clauses from competing sellers.\nSeller A: 'Parts and labour are covered for two years "
           "from purchase. Damage caused by improper installation is excluded.'\nSeller B: 'Parts are covered for three "
           "years and labour for the first year. All installation-related damage is excluded.'\nFor a buyer who will have "
           "it installed by the seller, which warranty is better, and why?")
RULES = ("Apply these rules to the applicants and give each a decision: reject if the form is incomplete; accept if they "
         "have a referral, unless they applied in the last six months; otherwise put them on the waitlist.\nAna: complete "
         "form, referral, applied last year.\nBen: incomplete form, referral.\nChloe: complete form, no referral.")
RECORDS = ("Triage these pull requests. Merge a PR if CI is green and it has two approvals, unless it touches payments, in "
           "which case it also needs a payments review.\nPR 11: CI green, two approvals, touches docs.\nPR 12: CI red.")
SCHEDULE = ("Three colleagues need a one-hour slot this week. Aisha is free only in the mornings except Wednesday, Ben "
            "cannot do Monday or Friday, and Chen is in workshops every morning from Tuesday to Thursday. Is there a slot "
            "that works for all three?")
POSITIVES = (AGENT, AGENT_SUPPORT, DATES, CLAUSES, RULES, RECORDS, SCHEDULE)
NEGATIVES = (
    "What should I cook tonight?",
    "If it rains tomorrow, what should I do in London?",
    "My job interview is next Tuesday. What should I wear?",
    "Compare cats and dogs as pets.",
    "Extract the names from this text: 'At the ceremony, Laura Chen thanked her coach, Diego Martins.'",
    ("List the dates mentioned in this email: 'We moved the workshop from March 4 to March 11, and the call to "
    "next Monday.'"),
    ("Policy: Refunds are given within 30 days of purchase, unless the item was on sale, except for faulty items. "
    "What is the refund window?"),
    "You have a tool get_weather(city). What's the weather in Rome today?",
    "Tools available: set_timer(minutes), play_music(genre). Set a timer for ten minutes.",
    ("Which of these two headlines is better for a blog post?\nA: Ten easy ways to save money on groceries\n"
    "B: How I cut my food bill in half"),
    ("Old: The shop is open from nine in the morning until six in the evening, Monday to Saturday.\n"
    "New: The shop is open from ten in the morning until seven in the evening, Monday to Saturday.\nWhat changed?"),
    "For each tweet below, label the sentiment.\n1. Loving the new update!\n2. The app keeps crashing.",
)


def _closed(text: str, system: str = "") -> float:
    msgs = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": text}]
    conv = parse_messages(msgs)
    feats = handcrafted(conv)
    assert feats == ref.handcrafted(conv)
    return feats[PRIOR_FEATURE]


def test_application_tasks_are_found() -> None:
    assert all(applied_task(t) for t in POSITIVES)
    assert not any(applied_task(t) for t in NEGATIVES)


def test_tools_may_be_listed_in_the_system_prompt() -> None:
    system = "Tools: search_flights(origin, destination, date), book_flight(flight_id, name), get_weather(city)."
    assert applied_task("Plan the cheapest trip from Paris to Oslo and back, and book it if under 300 euros.", system)
    assert not applied_task("What's the weather in Oslo tomorrow?", system)
    assert not applied_task("Plan the cheapest trip from Paris to Oslo and back.")  # no tools at all


def test_application_tasks_are_closed_problems() -> None:
    # each scored as chat before version 90 (0.14-0.36): no closed problem
    for text in (AGENT, AGENT_SUPPORT, DATES, CLAUSES, RULES, SCHEDULE):
        assert _closed(text) >= APPLIED_GATE * 1.0, text[:60]


def test_material_to_work_on_keeps_its_closed_problem() -> None:
    # an instruction over material with figures was no closed problem (version 44); converting its dates is work
    assert _closed(DATES) > 0.0
    assert _closed("From these meeting notes, list each action item with its owner.\nNotes: Karim sends the release by "
                   "12 June. Julia reviews it on 14 June.") == 0.0


def test_negatives_stay_open() -> None:
    # (the refund-window lookup and the timer keep the small closed problem their figures and arithmetic words gave)
    for text in NEGATIVES[:6] + NEGATIVES[7:8] + NEGATIVES[9:]:
        assert _closed(text) == 0.0, text[:60]


PIECES = ("12 days after ", "\u0663 days after ", "in 3 weeks ", "by friday ", "monday after ", "the day after ", "as long as long as ",
          "whichever ", "which ones ", "exact due date ", "convert these ", "dates ", "only ifs ", "cannot ", "x2 days after ",
          "who would favour ", "which is more ", "Seller A: ", "Seller B: ", "a ", "step by step ", "next tool ", "read_file(path) ", "run_tests(x), ", "get(", "a_(", "é_x(", "What is your first tool call? ", "plan the ",
          "absolute due date ", "convert the dates ", "next monday ", "two days after ", "by end of day ", "the monday after ",
          "\n", "Clause A: ", "Clause B: ", "- Old: ", "New:\t", "x" * 30, "which one favours ", "who does it favor? ",
          "unless ", "except ", "in which case ", "for each ", "is there a ", "apply these rules ", "decide whether ", "PR 1: ", "PR 2:", " : ", "-", "*", "\u00a0")


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join), st.sampled_from(("", "Tools: a_b(x), c_d(y).")))
def test_applied_task_equals_the_reference(text: str, system: str) -> None:
    assert applied_task(text, system) == ref._applied_task_ref(text, system)
