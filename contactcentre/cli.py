"""The `contactcentre` command: database, users, demo data, health, and the process entry points.

Most commands need no Flask app, only settings, so they run fast and from any process manager.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from contactcentre.settings import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def main() -> None:
    """Contact-centre platform administration."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations (SQLite under instance/ by default, or DATABASE_URL)."""
    from contactcentre.store.migrate import upgrade

    settings = _settings()
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url, revision)
    click.echo(f"database at {revision}")


@db.command("current")
def db_current() -> None:
    """Print the schema revision the database is at."""
    from contactcentre.store.migrate import current_revision

    click.echo(current_revision(_settings().effective_database_url) or "empty (run db upgrade)")


@main.group()
def users() -> None:
    """Accounts that log in."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["agent", "supervisor", "admin"]), default="agent")
@click.option(
    "--password", envvar="CC_NEW_USER_PASSWORD", help="or CC_NEW_USER_PASSWORD; prompted if absent"
)
def users_create(email: str, name: str, role: str, password: str | None) -> None:
    """Create a user (with an agent profile when the role is agent)."""
    from contactcentre.auth.users import UserFieldError, create_user
    from contactcentre.platform.audit import audit
    from contactcentre.store.db import Database
    from contactcentre.store.models import Agent

    if password is None:
        if not sys.stdin.isatty():
            raise click.ClickException(
                "--password (or CC_NEW_USER_PASSWORD) is required without a terminal"
            )
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    database = Database(_settings().effective_database_url)
    try:
        with database.session() as session:
            user = create_user(session, email=email, name=name, password=password, role=role)
            if role == "agent":
                session.add(
                    Agent(user_id=user.id, display_name=name, attributes={"languages": ["en"]})
                )
            audit(
                session,
                "user.create",
                "user",
                user.id,
                {"email": user.email, "role": role},
                actor="cli",
            )
            click.echo(f"created {role} {user.email} (id {user.id})")
    except UserFieldError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from None
    finally:
        database.dispose()


@users.command("token")
@click.option("--email", required=True)
@click.option("--name", default="cli", show_default=True, help="what the token is for")
def users_token(email: str, name: str) -> None:
    """Issue an API bearer token for a user (printed once)."""
    from contactcentre.auth.users import find_by_email, issue_api_token
    from contactcentre.store.db import Database

    database = Database(_settings().effective_database_url)
    try:
        with database.session() as session:
            user = find_by_email(session, email)
            if user is None:
                raise click.ClickException(f"no user with email {email}")
            click.echo(issue_api_token(session, user, name))
    finally:
        database.dispose()


@main.group()
def demo() -> None:
    """Demo data."""


@demo.command("seed")
@click.option("--force", is_flag=True, help="seed even if users already exist")
def demo_seed(force: bool) -> None:
    """3 queues, 8 skills, 12 agents with mixed skills, 200 customers of varied value."""
    from contactcentre.demo import seed
    from contactcentre.store.db import Database

    settings = _settings()
    database = Database(settings.effective_database_url)
    try:
        summary = seed(database, settings, force=force)
    finally:
        database.dispose()
    click.echo(json.dumps(summary, indent=2))


@main.command()
def health() -> None:
    """Check the database, Redis and processes; exit 1 if anything is down."""
    from contactcentre.health import check
    from contactcentre.platform.runtime import Runtime, redis_client
    from contactcentre.store.db import Database

    settings = _settings()
    url = settings.redis_url or _embedded_url(settings) or "redis://127.0.0.1:1/0"
    runtime = Runtime(settings, Database(settings.effective_database_url), redis_client(url), url)
    report = check(runtime)
    runtime.close()
    click.echo(json.dumps(report, indent=2))
    sys.exit(0 if not report["down"] else 1)


@main.command("redis-acl")
@click.option("--user", default="contactcentre", show_default=True, help="the ACL user's name")
@click.option("--password", default=None, help="default: a new random one")
def redis_acl(user: str, password: str | None) -> None:
    """Print the Redis ACL user every process needs (keys cc:*, rq:*, LIMITS:*; the configured
    Socket.IO channel) and the CC_REDIS_URL that signs in with it."""
    import secrets
    from urllib.parse import quote

    from contactcentre.platform.redis_acl import acl_rules

    password = password or secrets.token_urlsafe(32)
    try:
        rules = acl_rules(_settings().socketio_channel, password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"ACL SETUSER {user} {' '.join(rules)}")
    credentials = f"{quote(user, safe='')}:{quote(password, safe='')}"
    click.echo(f"CC_REDIS_URL=redis://{credentials}@<host>:6379/0")


def _embedded_url(settings: Settings) -> str | None:
    from contactcentre.platform.runtime import EMBEDDED_URL_FILE

    marker = settings.instance_path / EMBEDDED_URL_FILE
    return marker.read_text().strip() if marker.exists() else None


@main.group()
def customers() -> None:
    """Customer records."""


@customers.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad-rows", is_flag=True, help="import good rows even if some rows are bad")
def customers_import(path: Path, skip_bad_rows: bool) -> None:
    """Import customers from CSV; a file with errors imports nothing unless --skip-bad-rows."""
    from contactcentre.customers.importer import import_csv
    from contactcentre.store.db import Database

    settings = _settings()
    database = Database(settings.effective_database_url)
    try:
        with database.session() as session:
            report = import_csv(session, path.read_bytes(), settings, skip_bad_rows=skip_bad_rows)
            if report.errors and not skip_bad_rows:
                session.rollback()
    finally:
        database.dispose()
    for err in report.errors:
        where = "file" if err.row is None else f"row {err.row}, column {err.column}"
        click.echo(f"{where}: {err.message}", err=True)
    click.echo(f"imported {report.imported}, skipped {report.skipped}, errors {len(report.errors)}")
    if report.errors and not skip_bad_rows:
        sys.exit(1)


@customers.command("snapshot-value")
@click.option("--quarter", default=None, help="e.g. 2026-Q4; default the current quarter (UTC)")
def customers_snapshot_value(quarter: str | None) -> None:
    """Give every customer a CLV history row for the quarter (what the quarter-end job does),
    write the decline alerts they show and send them to the supervisors."""
    from contactcentre.customers.value_history import current_quarter, parse_quarter
    from contactcentre.platform.runtime import build_runtime
    from contactcentre.realtime.emitter import emitter_for
    from contactcentre.reporting.value_schedule import run_snapshot

    try:
        chosen = parse_quarter(quarter) if quarter else current_quarter()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--quarter") from None
    runtime = build_runtime(_settings())
    try:
        result = run_snapshot(runtime.db, chosen, runtime.redis, emitter_for(runtime))
    finally:
        runtime.close()
    click.echo(
        f"{result['quarter']}: wrote {result['written']} rows,"
        f" raised {result['alerts']} alerts, sent {result['sent']}"
    )


@main.group()
def ivr() -> None:
    """IVR flows."""


@ivr.command("check")
@click.argument(
    "directory", required=False, type=click.Path(file_okay=False, path_type=Path), default=None
)
def ivr_check(directory: Path | None) -> None:
    """Validate every flow file (default: CC_IVR_FLOWS_DIR); exit 1 listing each problem."""
    from ivr import check_flows

    settings = _settings()
    folder = directory or settings.ivr_flows_dir
    problems = list(check_flows(folder))
    if directory is None:
        # The chat bot runs on the same engine; its flow is checked with the voice flows.
        problems += list(check_flows(settings.chat_bot_flow.parent))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {folder}", err=True)
        sys.exit(1)
    checked = folder if directory else f"{folder} and {settings.chat_bot_flow}"
    click.echo(f"all IVR flows in {checked} are valid")


@main.command()
def web() -> None:
    """Run the web process in the foreground (gunicorn, as in the Procfile)."""
    settings = _settings()
    port = os.environ.get("PORT", str(settings.web_port))
    os.execvp(  # noqa: S606 - replaces this process with gunicorn, as the Procfile does
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--worker-class",
            "gthread",
            "--workers",
            "1",
            "--threads",
            # Threading-mode websockets hold a thread each: size above the connected consoles.
            os.environ.get("CC_WEB_THREADS", "256"),
            "--bind",
            f"{settings.web_host}:{port}",
            "--graceful-timeout",
            "5",
            # Its control socket is one path per user: a second gunicorn would take it over.
            "--no-control-socket",
            "contactcentre:create_app()",
        ],
    )


@main.command()
def worker() -> None:
    """Run an RQ worker (slow and retryable jobs) with a heartbeat."""
    from contactcentre.processes.worker import run_worker

    run_worker(_settings())


@main.command()
def router() -> None:
    """Run the ACD router (leader or hot standby) and its outbox publisher."""
    from contactcentre.processes.router import run_router

    run_router(_settings())


@main.command()
def mail() -> None:
    """Run the mail process: the SMTP listener for inbound email and its intake processor."""
    from contactcentre.processes.mail import run_mail

    run_mail(_settings())


@main.command()
def up() -> None:
    """Bring the whole platform up (embedded Valkey, migrations, demo data, Procfile processes)."""
    from contactcentre.processes.launcher import run

    sys.exit(run(_settings()))


if __name__ == "__main__":
    main()


@main.group()
def reports() -> None:
    """Reporting's interval tables: roll up the event log, or rebuild them from it."""


def _moment(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"not an ISO 8601 date or time: {value!r}", param_hint=name
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@reports.command("rebuild")
@click.option("--from", "start", help="ISO 8601 start (UTC unless it says); default: the beginning")
@click.option("--to", "end", help="ISO 8601 end, exclusive (UTC unless it says); default: the end")
def reports_rebuild(start: str | None, end: str | None) -> None:
    """Rebuild the contact rows and interval tables from interaction_events alone."""
    from contactcentre.reporting.rollup import rebuild
    from contactcentre.store.db import Database

    since, until = _moment(start, "--from"), _moment(end, "--to")
    if since is not None and until is not None and until <= since:
        raise click.BadParameter("must be after --from", param_hint="--to")
    database = Database(_settings().effective_database_url)
    try:
        written = rebuild(database, since, until)
    finally:
        database.dispose()
    click.echo(f"rebuilt {written} contacts")


@reports.command("rollup")
def reports_rollup() -> None:
    """Roll the event log up into the interval tables now (what the scheduled job does)."""
    from contactcentre.reporting.rollup import roll_up
    from contactcentre.store.db import Database

    database = Database(_settings().effective_database_url)
    try:
        result = roll_up(database)
    finally:
        database.dispose()
    click.echo(
        f"rolled up {result.events} events, {result.contacts} contacts,"
        f" up to event {result.last_event_id}"
    )


@reports.command("sla-rebuild")
def reports_sla_rebuild() -> None:
    """Recompute every SLA clock from interaction_events and the policies alone."""
    from contactcentre.reporting.sla_watch import rebuild
    from contactcentre.store.db import Database

    database = Database(_settings().effective_database_url)
    try:
        written = rebuild(database)
    finally:
        database.dispose()
    click.echo(f"rebuilt {written} SLA clocks")


@reports.command("sla-watch")
def reports_sla_watch() -> None:
    """Run the SLA watch once now (what the scheduled job does), sending the alerts owed."""
    from contactcentre.platform.runtime import build_runtime
    from contactcentre.realtime.emitter import emitter_for
    from contactcentre.reporting.sla_watch import watch

    runtime = build_runtime(_settings())
    try:
        result = watch(runtime.db, runtime.redis, emitter_for(runtime))
    finally:
        runtime.close()
    click.echo(
        f"read {result.events} events, timed {result.contacts} clocks,"
        f" wrote {result.alerts} alerts, sent {result.sent}"
    )
