"""The floor in SQL: skills, queues, routing plans, people, and agents with their skill levels.

A plain module (no pytest), so the benches in bench/ build their floors with the same builders.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.auth.users import create_user, issue_api_token
from contactcentre.store.models import Agent, AgentSkill, Queue, RoutingPlan, Skill, User

PASSWORD = "correct horse battery"  # everyone's, so a test can sign anyone in


def add_skill(session: Session, name: str) -> Skill:
    """The skill called `name`, created if there is none yet."""
    skill = session.scalars(select(Skill).where(Skill.name == name)).first()
    if skill is None:
        skill = Skill(name=name)
        session.add(skill)
        session.flush()
    return skill


def add_queue(session: Session, name: str, **columns: Any) -> Queue:
    """A queue anyone may answer (unless `expression` says who), with no wrap-up timer; the
    skill `most_skilled` ranks by (`skill`) is created too."""
    columns = {"expression": "true", "strategy": "longest_idle", "wrap_up_seconds": 0, **columns}
    if columns.get("skill"):
        add_skill(session, columns["skill"])
    queue = Queue(name=name, **columns)
    session.add(queue)
    session.flush()
    return queue


def billing_queue(session: Session, **columns: Any) -> Queue:
    """Billing: agents with billing 3 or more, the most skilled first."""
    return add_queue(
        session,
        "Billing",
        expression="skills.billing >= 3",
        strategy="most_skilled",
        skill="billing",
        **columns,
    )


def add_plan(session: Session, name: str, queue: Queue, **columns: Any) -> RoutingPlan:
    """A routing plan sending every task (unless `filter` says which) to `queue`."""
    plan = RoutingPlan(name=name, steps=[{"queue_id": queue.id}], **columns)
    session.add(plan)
    session.flush()
    return plan


def add_agent(
    session: Session, user: User, skills: dict[str, int] | None = None, **columns: Any
) -> Agent:
    """`user` as an agent with these skill levels (1-10; the skills are created as needed)."""
    agent = Agent(user_id=user.id, display_name=user.name, attributes={}, **columns)
    for name, level in (skills or {}).items():
        agent.skills.append(AgentSkill(skill=add_skill(session, name), level=level))
    session.add(agent)
    session.flush()
    return agent


def add_agents(session: Session, count: int, *, password_hash: str, **columns: Any) -> list[Agent]:
    """`count` agents, agent<n>@bench.example, sharing one password hash: hashing is slow on
    purpose, and a thousand Argon2 hashes would take a minute."""
    users = [
        User(email=f"agent{n}@bench.example", name=f"Agent {n}", password_hash=password_hash)
        for n in range(count)
    ]
    session.add_all(users)
    session.flush()
    agents = [Agent(user_id=u.id, display_name=u.name, attributes={}, **columns) for u in users]
    session.add_all(agents)
    session.flush()
    return agents


def add_person(
    session: Session,
    role: str,
    n: int,
    *,
    agent: bool | None = None,
    skills: dict[str, int] | None = None,
) -> dict[str, Any]:
    """User number `n` of `role` (an agent too if `agent`, by default when the role is agent),
    with an API token: its id, email, password, agent id and bearer headers."""
    email = f"{role}{n}@example.com"
    user = create_user(
        session, email=email, name=f"{role.title()} {n}", password=PASSWORD, role=role
    )
    agent_id = None
    if agent or (agent is None and role == "agent"):
        agent_id = add_agent(session, user, skills).id
    token = issue_api_token(session, user, "tests")
    return {
        "id": user.id,
        "email": email,
        "password": PASSWORD,
        "agent_id": agent_id,
        "headers": {"Authorization": f"Bearer {token}"},
    }
