"""Demo data: 4 queues, 8 skills, 12 agents with mixed skills, 200 customers of varied value.

Deterministic (seeded) so screenshots, docs and tests see the same people every time.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from contactcentre.auth.users import hash_password
from contactcentre.customers.value import refresh_value
from contactcentre.platform.audit import audit
from contactcentre.settings import Settings
from contactcentre.store.db import Database
from contactcentre.store.models import (
    Agent,
    AgentSkill,
    CannedResponse,
    ChatSite,
    Customer,
    CustomerEmail,
    CustomerNote,
    CustomerPhone,
    Disposition,
    Order,
    Queue,
    RoutingPlan,
    Skill,
    User,
)

# Chat replies an agent picks in one click; {customer_name}, {agent_name} and {order_number}
# are filled from the chat (contactcentre.chat.canned).
CANNED_RESPONSES = (
    ("Greeting", "Hi {customer_name}, I'm {agent_name}. How can I help you today?"),
    ("Order check", "Let me look at order {order_number} for you, {customer_name}."),
    ("One moment", "Thanks for waiting, {customer_name}; I'm checking that now."),
    ("Goodbye", "Is there anything else I can help with? Have a lovely day, {customer_name}!"),
)

DEMO_WIDGET_KEY = "wk_demo_shop"  # public by design: the allowed origins protect it
DEMO_PASSWORD = "contactcentre-demo"  # noqa: S105 - published demo credential, demo data only

SKILLS = {
    "billing": "Invoices, payments, refunds",
    "tech_support": "Connectivity, devices, troubleshooting",
    "sales": "New products and upgrades",
    "retention": "Customers about to leave",
    "claims": "Warranty and damage claims",
    "onboarding": "New customers' first weeks",
    "vip": "Key accounts (platinum and gold)",
    "outbound": "Outbound campaigns",
}
QUEUES: list[dict[str, Any]] = [
    {
        "name": "Billing",
        "description": "Bills, payments and refunds",
        "skill": "billing",
        "expression": "skills.billing >= 1 or skills.retention >= 5",
        "strategy": "most_skilled",
        "sla_target_seconds": 20,
    },
    {
        "name": "Technical support",
        "description": "Faults and troubleshooting",
        "skill": "tech_support",
        "expression": "skills.tech_support >= 1 or skills.retention >= 5",
        "strategy": "longest_idle",
        "sla_target_seconds": 30,
    },
    {
        "name": "Sales",
        "description": "New business and upgrades",
        "skill": "sales",
        "expression": "skills.sales >= 1 or skills.retention >= 5",
        "strategy": "longest_idle",
        "sla_target_seconds": 15,
    },
    {
        "name": "General",
        "description": "Anything the menu or the chat topic could not place",
        "skill": None,
        "expression": "",
        "strategy": "longest_idle",
        "sla_target_seconds": 30,
    },
]
# A queue's expression is the widest it ever serves; a plan step's expression narrows it (the
# two must both hold), so each plan starts narrow and widens step by step.
# (name, languages, team, {skill: level}) — a chained mix: everyone has a primary and a secondary.
AGENTS = [
    ("Ana García", ["es", "en"], "billing", {"billing": 9, "retention": 6, "vip": 7}),
    ("Ben Carter", ["en"], "billing", {"billing": 7, "sales": 4}),
    ("Chloé Martin", ["en", "fr"], "billing", {"billing": 5, "claims": 8}),
    ("Dev Patel", ["en", "hi"], "support", {"tech_support": 9, "onboarding": 6}),
    ("Elena Rossi", ["en", "it"], "support", {"tech_support": 7, "billing": 4}),
    ("Farid Haddad", ["en", "ar"], "support", {"tech_support": 6, "claims": 5}),
    ("Grace Kim", ["en", "ko"], "sales", {"sales": 9, "vip": 8, "retention": 7}),
    ("Hugo Silva", ["pt", "es", "en"], "sales", {"sales": 7, "tech_support": 3}),
    ("Ines Moreno", ["es", "en"], "retention", {"retention": 9, "billing": 6, "sales": 5}),
    ("Jonas Weber", ["de", "en"], "support", {"tech_support": 5, "outbound": 7}),
    ("Kara Okafor", ["en"], "sales", {"sales": 6, "outbound": 8, "onboarding": 5}),
    ("Liam O'Brien", ["en"], "claims", {"claims": 9, "billing": 3, "tech_support": 4}),
]
DISPOSITIONS = [
    ("resolved", "Resolved", True, False),
    ("follow_up", "Follow-up needed", False, True),
    ("escalated", "Escalated", False, True),
    ("sale", "Sale made", True, False),
    ("retained", "Customer retained", True, False),
    ("wrong_number", "Wrong number", True, False),
    ("callback_booked", "Callback booked", False, False),
    ("no_answer", "No answer", False, False),
]
FIRST = [
    "Olivia",
    "Noah",
    "Emma",
    "Liam",
    "Ava",
    "Mateo",
    "Sofia",
    "Lucas",
    "Mia",
    "Ethan",
    "Isabella",
    "Mason",
    "Camila",
    "Logan",
    "Aria",
    "Diego",
    "Chloe",
    "Omar",
    "Zoe",
    "Ravi",
]
LAST = [
    "Smith",
    "Johnson",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Lopez",
    "Wilson",
    "Nguyen",
    "Clark",
    "Lewis",
    "Walker",
    "Hernandez",
    "Young",
    "Allen",
    "Scott",
    "Adams",
    "Baker",
]
ORDER_STATUSES = ["shipped", "delivered", "processing", "awaiting payment", "returned"]
RETENTION_OFFERS = [
    "20% off for 6 months",
    "free upgrade to the premium plan",
    "waive next month's fee",
    "priority support for a year",
]


def seed(database: Database, settings: Settings, *, force: bool = False) -> dict[str, Any]:
    """Load the demo data unless users exist already (then it is a no-op unless forced)."""
    with database.session() as session:
        if not force and (session.scalar(select(func.count(User.id))) or 0) > 0:
            return {"seeded": False, "reason": "users exist already"}
        rng = random.Random(20261123)  # noqa: S311 - demo data, not security
        password = hash_password(DEMO_PASSWORD)
        session.add(
            User(email="admin@example.com", name="Ada Admin", role="admin", password_hash=password)
        )
        session.add(
            User(
                email="supervisor@example.com",
                name="Sam Supervisor",
                role="supervisor",
                password_hash=password,
            )
        )
        skills = {name: Skill(name=name, description=d) for name, d in SKILLS.items()}
        session.add_all(skills.values())
        for code, label, resolved, note in DISPOSITIONS:
            session.add(Disposition(code=code, label=label, resolved=resolved, requires_note=note))
        queues = [Queue(**q) for q in QUEUES]
        session.add_all(queues)
        session.flush()
        for n, (name, languages, team, levels) in enumerate(AGENTS, start=1):
            user = User(
                email=f"agent{n}@example.com", name=name, role="agent", password_hash=password
            )
            session.add(user)
            session.flush()
            agent = Agent(
                user_id=user.id,
                display_name=name,
                attributes={"languages": languages, "team": team},
                phone_number=f"+1202555{n + 100:04d}",
            )
            agent.skills = [AgentSkill(skill=skills[s], level=lv) for s, lv in levels.items()]
            session.add(agent)
        for queue in queues:
            if queue.skill:
                session.add(_plan_for(queue))
        session.add(_everything_else(queues))
        # Orders draw from their own generator so the customers stay as they always were.
        order_rng = random.Random(20261124)  # noqa: S311 - demo data, not security
        for n in range(1, 201):
            customer = _customer(n, rng, settings)
            session.add(customer)
            session.add_all(_orders(n, customer, order_rng))
        session.add(_chat_site(settings, queues))
        session.add_all(CannedResponse(title=t, body=b) for t, b in CANNED_RESPONSES)
        audit(session, "demo.seed", "platform", "demo", {"customers": 200}, actor="system")
    return {
        "seeded": True,
        "queues": len(QUEUES),
        "skills": len(SKILLS),
        "agents": len(AGENTS),
        "customers": 200,
        "dispositions": len(DISPOSITIONS),
    }


DEMO_TODAY = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def demo_order_number(n: int, k: int) -> str:
    """Customer n's k-th order (k from 1, oldest first): 7 digits, e.g. 4000011."""
    return f"{4000000 + n * 10 + k}"


def _orders(n: int, customer: Customer, rng: random.Random) -> list[Order]:
    """Two to four orders; the latest has the customer's last order status, in the shop's words."""
    count = rng.randint(2, 4)
    ages = sorted(rng.sample(range(2, 120), count), reverse=True)
    orders = []
    for k, age in enumerate(ages, start=1):
        placed = DEMO_TODAY - timedelta(days=age)
        if k == count:
            status = _status_text(customer.last_order_status or "processing", placed)
            customer.last_order_status = status
        else:
            status = rng.choice([f"delivered on {_day(placed + timedelta(days=3))}", "returned"])
        orders.append(
            Order(
                order_number=demo_order_number(n, k),
                customer=customer,
                status=status,
                placed_at=placed,
                total=Decimal(rng.randint(900, 40000)) / 100,
            )
        )
    return orders


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b}"  # "20 Nov"


def _status_text(summary: str, placed: datetime) -> str:
    shipped, arriving = placed + timedelta(days=1), placed + timedelta(days=4)
    return {
        "shipped": f"shipped on {_day(shipped)}, arriving {arriving:%A}",
        "delivered": f"delivered on {_day(arriving)}",
        "returned": "returned, refund issued",
    }.get(summary, summary)


def _chat_site(settings: Settings, queues: list[Queue]) -> ChatSite:
    """The demo shop's chat (page /chat/demo); chats no plan claims go to Sales."""
    public = urlsplit(settings.public_base_url)
    origins = sorted(
        {f"{public.scheme}://{public.netloc}", "http://127.0.0.1:5000", "http://localhost:5000"}
    )
    sales = next(q for q in queues if q.skill == "sales")
    return ChatSite(
        name="Demo shop",
        widget_key=DEMO_WIDGET_KEY,
        allowed_origins=origins,
        queue_id=sales.id,
        bot_enabled=True,
        theme={"primary": "#2d3a2e", "text": "#ffffff", "title": "Demo shop · chat"},
    )


def _plan_for(queue: Queue) -> RoutingPlan:
    # The intents the default IVR flow (config/ivr/main.yaml) sets.
    intent = {"billing": "billing", "tech_support": "technical_support", "sales": "sales"}[
        queue.skill or ""
    ]
    # Skilled agents (level 3+) first; after 30 s any level of the skill; after 90 s also the
    # retention-skilled generalists (the queue's own expression); a caller never waits past
    # 10 minutes (callback offered instead).
    skill = queue.skill
    return RoutingPlan(
        name=f"{queue.name} calls",
        filter=f'intent == "{intent}"',
        priority=10,
        steps=[
            {
                "queue_id": queue.id,
                "expression": f"skills.{skill} >= 3",
                "priority_change": 0,
                "timeout_seconds": 30,
            },
            {
                "queue_id": queue.id,
                "expression": f"skills.{skill} >= 1",
                "priority_change": 1,
                "timeout_seconds": 60,
            },
            {
                "queue_id": queue.id,
                "expression": None,
                "priority_change": 2,
                "timeout_seconds": None,
            },
        ],
        max_wait_seconds=600,
    )


def _everything_else(queues: list[Queue]) -> RoutingPlan:
    """Contacts no intent plan claims (a chat about an order, a caller the menu could not place):
    the General queue, sales-skilled agents first, then after 30 s whoever is free, so nothing
    waits for a skill nobody on shift has (agent1 alone can take every path of the demo)."""
    general = next(q for q in queues if q.skill is None)
    return RoutingPlan(
        name="Everything else",
        filter="true",
        priority=0,  # after every intent plan, before the chat site's direct-to-queue plan
        steps=[
            {
                "queue_id": general.id,
                "expression": "skills.sales >= 3",
                "priority_change": 0,
                "timeout_seconds": 30,
            },
            {
                "queue_id": general.id,
                "expression": None,
                "priority_change": 1,
                "timeout_seconds": None,
            },
        ],
        max_wait_seconds=600,
    )


def _customer(n: int, rng: random.Random, settings: Settings) -> Customer:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    # Value spread so all five segments appear: a few key accounts, a long tail of small ones.
    tier = rng.random()
    if tier < 0.06:
        avg, per_year, years = rng.randint(300, 900), rng.randint(6, 12), rng.randint(4, 12)
    elif tier < 0.2:
        avg, per_year, years = rng.randint(100, 300), rng.randint(4, 8), rng.randint(3, 8)
    elif tier < 0.45:
        avg, per_year, years = rng.randint(40, 120), rng.randint(3, 6), rng.randint(2, 6)
    elif tier < 0.75:
        avg, per_year, years = rng.randint(20, 60), rng.randint(2, 5), rng.randint(1, 4)
    else:
        avg, per_year, years = rng.randint(5, 30), rng.randint(1, 3), rng.randint(1, 2)
    spanish = rng.random() < 0.2
    customer = Customer(
        first_name=first,
        last_name=last,
        language="es" if spanish else "en",
        timezone=rng.choice(["America/New_York", "America/Chicago", "America/Los_Angeles"]),
        birth_date=date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)),
        household_size=rng.randint(1, 5),
        country="US",
        postcode=f"{rng.randint(10000, 99999)}",
        account_number=f"{100000 + n * 7:08d}",
        average_purchase_value=Decimal(avg),
        purchases_per_year=Decimal(per_year),
        relationship_years=Decimal(years),
        average_bill=Decimal(rng.randint(20, 250)),
        account_balance=Decimal(rng.randint(-50, 400)),
        last_order_status=rng.choice(ORDER_STATUSES),
        cancellations=rng.choice([0, 0, 0, 1, 2]),
        service_calls=rng.randint(0, 9),
        consent_marketing=rng.random() < 0.6,
        consent_recording=rng.random() < 0.9,
    )
    area = 202 if n <= 100 else 415
    customer.phones = [CustomerPhone(e164=f"+1{area}555{(n - 1) % 100 + 100:04d}", primary=True)]
    customer.emails = [
        CustomerEmail(address=f"{first}.{last}.{n}@example.com".lower(), primary=True)
    ]
    if rng.random() < 0.1:
        customer.at_risk = True
        customer.retention_offer = rng.choice(RETENTION_OFFERS)
        customer.notes = [CustomerNote(body="Asked about competitors' rates on the last call.")]
    refresh_value(customer, settings)
    return customer
