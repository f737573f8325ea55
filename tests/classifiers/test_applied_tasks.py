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


# review_s42_rev42 H2: everyday chat in each of the four shapes (0.06-0.44 before version 90, 0.46-0.68 with it)
SYSTEM_TOOLS = ("You are Nova, a helpful assistant. You can call these tools when useful: web_search(query), get_weather(city), "
                "create_image(prompt), send_email(to, subject, body).")
CHAT_UNDER_TOOLS = ("Can you explain step by step how to make a sourdough starter at home? I've never baked bread before.",
                    "What should you do if a friend seems really sad lately but won't talk about it? I'm worried about her.")
REMINDER = ("Write a friendly reminder email to my team: the quarterly report is due by Friday and the retro moves to next week. "
            "Leave the exact dates as placeholders so I can fill them in.")
STYLE_PAIRS = (
    ("Which of these two product descriptions sounds better for our Etsy shop?\nOption A: Hand-poured soy candle with notes "
     "of cedar, amber and a hint of smoky vanilla.\nOption B: A cozy, hand-poured soy candle that smells like a cabin fire on a "
     "snowy evening."),
    ("Which version is more polite for a message to my landlord?\nDraft 1: Hi, the heating has not worked for three days now "
     "and I need someone to come fix it.\nDraft 2: Hello! Sorry to bother you, but the heating seems to be off since Monday, "
     "could someone take a look?"),
    ("Here's a chat I had with support. Which reply was more helpful?\nAgent: Thanks for reaching out, I have reset your "
     "password and sent a link to your email.\nAgent: Sorry for the trouble! Please try clearing your cache and cookies and "
     "log in again."),
    ("Which tagline is better for a dental clinic?\nTagline 1: Gentle care for the whole family, from the first tooth to the "
     "last check-up.\nTagline 2: Smile brighter with same-day appointments and zero-judgement dentists near you."),
)
COMPLAINTS = (
    ("I cannot sleep unless the room is completely dark, and otherwise I wake up at 5am every day. Is there a good sleep mask "
     "that doesn't press on the eyes?"),
    ("My laptop cannot connect to the office wifi unless I restart it, otherwise it just says 'no internet'. My phone works "
     "fine on the same network. Is there a setting I should check?"),
)
TEXT_WORK = (
    ("Summarize this policy for new hires in three bullet points:\nEmployees cannot expense meals unless they are travelling "
     "for more than one day, except when a client is present. Each claim must include a receipt. Claims older than 60 days "
     "cannot be reimbursed, otherwise finance will reject them. For each trip, submit one report."),
    ("Translate into Spanish:\nGuests cannot check in before 3 pm unless they booked early check-in. Pets are not allowed "
     "except service animals. Parking is free only if you stay two nights or more. For each extra guest there is a fee of 20 euros."),
    ("Fix the grammar: 'We cannot ship to PO boxes unless you upgrade to express, otherwise the order will be canceled. Is "
     "there a way to change you're address after ordering?'"),
)
DAY_OFF = ("Leave policy: staff get a paid day off for a move only after 12 months of service, unless the move is "
           "employer-requested, in which case it is granted from day one. Part-time staff cannot take it except with manager "
           "approval.\nMaria: 8 months, employer asked her to relocate.\nTom: 14 months, part-time, no approval yet.\nLi: 3 "
           "years, moving for personal reasons.\nWho gets the day off?")
NON_COMPETE = ("Compare the two non-compete clauses below and tell me which one is more likely to hold up and which one is worse "
               "for the employee.\nVersion A: The employee shall not work for any competitor anywhere in the world for five years "
               "after leaving the company.\nVersion B: For twelve months after leaving, the employee shall not solicit clients "
               "they personally served during their last two years of employment.")


def test_everyday_chat_is_no_application_task() -> None:
    # review_s42_rev42 H2: tools only in the system prompt need a question about them; drafts weighed for style, an
    # everyday "cannot … unless … Is there a …?", a request to write with placeholder dates, work on a text: none
    assert not any(applied_task(t, SYSTEM_TOOLS) for t in CHAT_UNDER_TOOLS)
    assert applied_task("What is your first tool call, and why?", SYSTEM_TOOLS)
    assert not any(applied_task(t) for t in (*STYLE_PAIRS, *COMPLAINTS, *TEXT_WORK))
    assert not applied_task(REMINDER, writes=True)


def test_everyday_chat_has_no_closed_problem() -> None:
    assert _closed(CHAT_UNDER_TOOLS[1], SYSTEM_TOOLS) == 0.0
    for text in (REMINDER, *STYLE_PAIRS[:1], *STYLE_PAIRS[2:3], COMPLAINTS[1], *TEXT_WORK):
        assert _closed(text) == 0.0, text[:60]


def test_parties_and_cases_still_count() -> None:
    # a draft's label weighed for a party ("worse for the employee"); "who gets" asks for cases; "Ben cannot do Monday"
    assert applied_task(NON_COMPETE) and applied_task(DAY_OFF) and applied_task(POSITIVES[-1])
    assert _closed(DAY_OFF) >= APPLIED_GATE
    assert applied_task("Refund rules: items can be refunded within 30 days unless opened, and opened electronics only if "
                        "defective. Order 1: unopened lamp, day 12. Order 2: opened laptop, works fine. Which orders get a refund?")
    assert applied_task("Today is Wednesday 5 March. Ana's review is in 3 days, Ben's is the following Monday, and Chloe's is "
                        "two weeks after Ben's. On which day of the month is each one due?")
    assert not applied_task("My rent is due next week and my card renews in 3 days. What day of the month do most people get paid?")


PIECES = ("12 days after ", "\u0663 days after ", "in 3 weeks ", "by friday ", "monday after ", "the day after ", "as long as long as ",
          "whichever ", "which ones ", "exact due date ", "convert these ", "dates ", "only ifs ", "cannot ", "x2 days after ",
          "who would favour ", "which is more ", "Seller A: ", "Seller B: ", "a ", "step by step ", "next tool ", "read_file(path) ", "run_tests(x), ", "get(", "a_(", "é_x(", "What is your first tool call? ", "plan the ",
          "absolute due date ", "convert the dates ", "next monday ", "two days after ", "by end of day ", "the monday after ",
          "\n", "Clause A: ", "Clause B: ", "- Old: ", "New:\t", "x" * 30, "which one favours ", "who does it favor? ",
          "unless ", "except ", "in which case ", "for each ", "is there a ", "apply these rules ", "decide whether ", "PR 1: ", "PR 2:", " : ", "-", "*", "\u00a0",
          "cannot do ", "cannot make", "who gets ", "who is eligible ", "Option A: ", "Option B: ", "Draft 1: ", "Draft 2: ", "worse ",
          "tenant ", "for me ", "for us", "liability ", "risky ", "fairer ", "cheaper ", "what tools ", "tool call ", "how would you handle ",
          "Translate into Spanish: ", "which orders ", "what day of the month ", "day of the month ", "is each ", "are they ", "Summarize these notes:\n", "Fix the grammar: '", "convert the dates:\n", "sellers ")


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join), st.sampled_from(("", "Tools: a_b(x), c_d(y).")), st.booleans())
def test_applied_task_equals_the_reference(text: str, system: str, writes: bool) -> None:
    assert applied_task(text, system, writes) == ref._applied_task_ref(text, system, writes)
