"""The `contactcentre` command: migrations, users, tokens, demo data, health."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from contactcentre.cli import main
from contactcentre.platform.heartbeat import beat
from contactcentre.store.db import Database
from contactcentre.store.models import Agent, Customer, Queue, Skill, User


@pytest.fixture
def cli_env(
    database_url: str, redis_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    env = {
        "CC_DATABASE_URL": database_url,
        "CC_REDIS_URL": redis_url,
        "CC_INSTANCE_PATH": str(tmp_path / "instance"),
        "CC_PROCESSES": "web",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def test_db_upgrade_is_idempotent(cli_env: dict[str, str]) -> None:
    """Upgrading an up-to-date database is a no-op that succeeds."""
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    from alembic.script import ScriptDirectory

    from contactcentre.store.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    assert CliRunner().invoke(main, ["db", "current"]).output.strip() == head


def test_users_create_and_token(cli_env: dict[str, str], database: Database) -> None:
    """An admin created from the CLI can be issued an API token."""
    result = CliRunner().invoke(
        main,
        [
            "users",
            "create",
            "--email",
            "Boss@Example.com",
            "--name",
            "Boss",
            "--role",
            "admin",
            "--password",
            "long enough pass",
        ],
    )
    assert result.exit_code == 0, result.output
    token = CliRunner().invoke(main, ["users", "token", "--email", "boss@example.com"])
    assert token.exit_code == 0 and token.output.startswith("cc_")
    with database.session() as session:
        assert session.scalars(select(User)).one().role == "admin"


def test_users_create_reports_bad_input(cli_env: dict[str, str]) -> None:
    """A short password fails with the field named and a non-zero exit."""
    result = CliRunner().invoke(
        main, ["users", "create", "--email", "a@example.com", "--name", "A", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "password" in result.output


def test_users_create_without_password_or_terminal(cli_env: dict[str, str]) -> None:
    """Without --password and without a terminal, the command says what is needed."""
    result = CliRunner().invoke(
        main, ["users", "create", "--email", "a@example.com", "--name", "A"]
    )
    assert result.exit_code != 0
    assert "CC_NEW_USER_PASSWORD" in result.output


def test_demo_seed(cli_env: dict[str, str], database: Database) -> None:
    """Demo data: 4 queues, 8 skills, 12 agents, 200 customers spread over all five segments."""
    result = CliRunner().invoke(main, ["demo", "seed"])
    assert result.exit_code == 0, result.output
    with database.session() as session:
        assert session.scalar(select(func.count(Queue.id))) == 4
        assert session.scalar(select(func.count(Skill.id))) == 8
        assert session.scalar(select(func.count(Agent.id))) == 12
        assert session.scalar(select(func.count(Customer.id))) == 200
        segments = set(session.scalars(select(Customer.segment).distinct()))
        assert segments == {"platinum", "gold", "silver", "bronze", "basic"}
        skill_counts = [len(a.skills) for a in session.scalars(select(Agent))]
        assert min(skill_counts) >= 2  # everyone has a primary and a secondary skill
        # Every intent plan routes an intent the default IVR flow actually sets (the catch-all
        # "Everything else", filter true, takes what none claims: tests/integration/test_demo.py).
        import re

        from contactcentre.settings import PROJECT_ROOT
        from contactcentre.store.models import RoutingPlan

        flow = (PROJECT_ROOT / "config" / "ivr" / "main.yaml").read_text()
        ivr_intents = set(re.findall(r"intent: (\w+)", flow))
        for plan in session.scalars(select(RoutingPlan).where(RoutingPlan.filter != "true")):
            (intent,) = re.findall(r'intent == "(\w+)"', plan.filter)
            assert intent in ivr_intents, (plan.name, intent, ivr_intents)
    again = CliRunner().invoke(main, ["demo", "seed"])
    assert '"seeded": false' in again.output


def test_health_command(cli_env: dict[str, str], redis_client: Any) -> None:
    """`contactcentre health` prints JSON and exits 0 when all is up."""
    beat(redis_client, "web", interval=5)
    result = CliRunner().invoke(main, ["health"])
    assert result.exit_code == 0, result.output
    assert '"status": "ok"' in result.output


def test_health_command_without_web(cli_env: dict[str, str], redis_client: Any) -> None:
    """`contactcentre health` reports web down and exits 1 when no web process beats."""
    result = CliRunner().invoke(main, ["health"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.output)["down"] == ["process:web"]
