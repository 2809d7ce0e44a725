"""Settings: defaults for the embedded platform, and wrong values named by variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from contactcentre.settings import SettingsError, load_settings, procfile_process_names


def test_defaults_are_embedded_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing configured the database is SQLite under instance/ and Redis is embedded."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = load_settings(instance_path=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'contactcentre.sqlite3'}"
    assert settings.redis_url is None


def test_wrong_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A non-numeric port fails at start-up with CC_WEB_PORT in the message."""
    monkeypatch.setenv("CC_WEB_PORT", "eighty")
    with pytest.raises(SettingsError, match="CC_WEB_PORT"):
        load_settings()


def test_bad_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """A DATABASE_URL without a scheme is refused naming the variable."""
    monkeypatch.setenv("DATABASE_URL", "localhost/db")
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings()


def test_heroku_postgres_scheme_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    """postgres:// (as PaaS hosts give it) is turned into SQLAlchemy's postgresql://."""
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert load_settings().database_url == "postgresql://u@h/db"


def test_segment_thresholds_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segment thresholds can be given as name=amount pairs, best first."""
    monkeypatch.setenv("CC_SEGMENT_THRESHOLDS", "gold=1000, silver=100")
    assert load_settings().segment_thresholds == {"gold": 1000.0, "silver": 100.0}
    monkeypatch.setenv("CC_SEGMENT_THRESHOLDS", "silver=100,gold=1000")
    with pytest.raises(SettingsError, match="CC_SEGMENT_THRESHOLDS"):
        load_settings()


def test_secret_key_generated_once(tmp_path: Path) -> None:
    """Without a configured key one is generated, kept under instance/ and reused."""
    first = load_settings(instance_path=tmp_path).effective_secret_key
    second = load_settings(instance_path=tmp_path).effective_secret_key
    assert first == second and len(first) == 64


def test_procfile_names(tmp_path: Path) -> None:
    """Expected processes default to the Procfile's process names."""
    procfile = tmp_path / "Procfile"
    procfile.write_text("web: gunicorn x\n# comment\nworker: rq worker\n")
    assert procfile_process_names(procfile) == ["web", "worker"]


def test_socket_event_budget_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The console sockets' event budget is read from CC_SOCKET_*; a rate of 0 is refused."""
    monkeypatch.setenv("CC_SOCKET_EVENTS_PER_SECOND", "4")
    monkeypatch.setenv("CC_SOCKET_EVENT_BURST", "12")
    monkeypatch.setenv("CC_SOCKET_REFUSALS_BEFORE_DISCONNECT", "30")
    settings = load_settings()
    assert (
        settings.socket_events_per_second,
        settings.socket_event_burst,
        settings.socket_refusals_before_disconnect,
    ) == (4.0, 12, 30)
    monkeypatch.setenv("CC_SOCKET_EVENTS_PER_SECOND", "0")
    with pytest.raises(SettingsError, match="CC_SOCKET_EVENTS_PER_SECOND"):
        load_settings()
