"""Platform settings read from `CC_`-prefixed environment variables and `.env`.

Production-style names (`DATABASE_URL`, `REDIS_URL`) are accepted too, so a PaaS can inject them.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """A setting is wrong; the message names the environment variable and what to do."""


class Settings(BaseSettings):
    """Everything configurable about one deployment; defaults give the embedded dev platform."""

    model_config = SettingsConfigDict(
        env_prefix="CC_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    instance_path: Path = Field(default=PROJECT_ROOT / "instance")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("CC_DATABASE_URL", "DATABASE_URL")
    )
    # Per process; PostgreSQL's max_connections must cover every process's pool_size + overflow.
    database_pool_size: int = Field(default=20, ge=1, le=500)
    database_max_overflow: int = Field(default=30, ge=0, le=1000)
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("CC_REDIS_URL", "REDIS_URL")
    )
    secret_key: str | None = None
    public_base_url: str = "http://127.0.0.1:5000"
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=5000, ge=1, le=65535)
    behind_proxy: bool = False

    twilio_account_sid: str = "AC" + "0" * 32
    twilio_auth_token: str = "dev-auth-token-change-me"  # noqa: S105 - dev default only
    twilio_api_base_url: str | None = None  # set to the emulator's URL; None = Twilio itself
    twilio_caller_id: str = "+15005550006"
    # Voice JS SDK access tokens are signed with an API key; the TwiML app places browser calls.
    twilio_api_key_sid: str = "SK" + "0" * 32
    twilio_api_key_secret: str = "dev-voice-api-key-secret-change-me"  # noqa: S105 - dev only
    twilio_twiml_app_sid: str | None = None
    voice_token_ttl_seconds: int = Field(default=3600, ge=60, le=86400)
    # The demo's telephony emulator (Procfile.demo) listens here; development credentials talk
    # to it instead of Twilio (see effective_twilio_api_base_url).
    emulator_port: int = Field(default=5055, ge=1, le=65535)

    ivr_flows_dir: Path = Field(default=PROJECT_ROOT / "config" / "ivr")
    ivr_flow: str = "main"  # the flow id that answers inbound calls
    # Pins the IVR's clock (business hours) for demos and benchmarks; None = the real time.
    ivr_fixed_time: datetime | None = None
    voice_hold_music_url: str = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"
    voice_announce_seconds: float = Field(default=30.0, gt=0)  # position + EWT announcements
    # A call not yet live that has not moved this long is checked with the carrier (callbacks
    # lost with a dying web process; voice/reconcile.py).
    voice_reconcile_seconds: float = Field(default=20.0, gt=0)
    voice_callback_key: str = Field(default="1", pattern=r"^[0-9*#]$")
    voice_max_wait_exit: Literal["voicemail", "callback", "message"] = "voicemail"
    voice_recording_consent: str = "This call may be recorded for quality and training purposes."

    default_phone_region: str = Field(default="US", min_length=2, max_length=2)
    # CLV (currency units) at or above which a customer falls in each segment, best first.
    segment_thresholds: Annotated[dict[str, float], NoDecode] = Field(
        default_factory=lambda: {
            "platinum": 5000.0,
            "gold": 2000.0,
            "silver": 800.0,
            "bronze": 200.0,
        }
    )
    lowest_segment: str = "basic"
    # At risk by rules (routing/customer_risk.py, docs/reporting.md "Customer value"): the
    # disposition codes that mean a complaint, and the thresholds (0 turns a rule off).
    complaint_dispositions: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["complaint"]
    )
    complaints_at_risk: int = Field(default=2, ge=0, le=1000)
    complaint_window_days: int = Field(default=90, ge=1, le=3660)
    cancellations_at_risk: int = Field(default=2, ge=0, le=1000)

    # Real time (Socket.IO) and CTI integration: see docs/console.md.
    socketio_channel: str = Field(default="cc-socketio", min_length=1, max_length=100)
    realtime_grace_seconds: float = Field(default=60.0, gt=0)  # then a gone agent goes offline
    # Socket.IO's own heartbeat defaults: each ping is a thread, a frame each way and two wake-ups
    # per socket, which at 10 s cost a web process holding 1,100 sockets a tenth of a core.
    realtime_ping_seconds: float = Field(default=25.0, gt=0)  # Engine.IO ping interval
    realtime_ping_timeout_seconds: float = Field(default=20.0, gt=0)  # a pong later = gone
    # Events a console socket (/agent, /supervisor) may send: beyond the burst and the sustained
    # rate they are refused ("rate_limited"); refused this often without a pause, disconnected.
    # A console sends a few a minute (joins, resumes, typing at most every 3 s per chat).
    socket_events_per_second: float = Field(default=10.0, gt=0)
    socket_event_burst: int = Field(default=50, ge=1)
    socket_refusals_before_disconnect: int = Field(default=50, ge=1)
    cti_webhook_url: str | None = None  # POSTed the screen pop of every offer (RQ job)
    cti_webhook_secret: str | None = None  # signs webhook bodies (X-CC-Signature, HMAC-SHA256)
    cti_lookup_url: str | None = None  # external CRM look-up that enriches the pop
    cti_lookup_timeout_seconds: float = Field(default=1.5, gt=0, le=10)
    # Who sees which customer (docs/console.md): what an agent's search found opens for a shift;
    # a customer an agent served may be reopened (e.g. for a callback) for this many days.
    customer_search_grant_seconds: int = Field(default=8 * 3600, ge=1, le=7 * 86400)
    customer_reopen_days: int = Field(default=30, ge=0, le=3650)

    # Web chat: see docs/chat.md.
    chat_token_ttl_seconds: int = Field(default=7 * 86400, ge=300)  # a reload resumes within this
    chat_max_message_chars: int = Field(default=2000, ge=10, le=20000)
    chat_max_attachment_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    chat_attachment_types: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: [
            "image/png",
            "image/jpeg",
            "image/gif",
            "application/pdf",
            "text/plain",
        ]
    )
    chat_messages_per_minute: int = Field(default=30, ge=1)  # per visitor, customer side
    chat_conversations_per_hour: int = Field(default=10, ge=1)  # per visitor and per IP
    chat_abandon_seconds: float = Field(default=300.0, gt=0)  # customer gone this long = left
    # /chat sockets open at once, per conversation (its tabs) and per client address: past
    # either a connect is refused ("too_many_sockets"). Events per socket: CC_SOCKET_EVENT_*.
    chat_sockets_per_conversation: int = Field(default=5, ge=1)
    chat_sockets_per_address: int = Field(default=20, ge=1)
    chat_bot_flow: Path = Field(default=PROJECT_ROOT / "config" / "chat" / "bot.yaml")
    smtp_host: str | None = None  # None: mail is written to instance/outbox/ (dev)
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Contact centre <no-reply@localhost>"
    # Inbound email (docs/email.md): the `mail` process's SMTP listener, on loopback by default.
    email_smtp_host: str = "127.0.0.1"
    email_smtp_port: int = Field(default=2525, ge=0, le=65535)  # 0: any free port (tests)
    email_max_message_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)  # SIZE; 552 above
    email_max_attachment_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # The authserv-ids of our own receiving servers (comma-separated): only their
    # Authentication-Results headers are believed (contactcentre/email/authentication.py).
    email_trusted_authserv_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    email_attachment_types: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: [
            "image/png",
            "image/jpeg",
            "image/gif",
            "application/pdf",
            "text/plain",
            "text/csv",
            "message/rfc822",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ]
    )
    email_thread_window_hours: float = Field(default=72.0, gt=0)  # sender + subject threading
    email_poll_seconds: float = Field(default=1.0, gt=0)  # the intake processor's idle wait
    # IMAP poller (contactcentre/email/imap_poller.py): how long one IDLE waits before it is
    # renewed (servers drop IDLE after 30 min; short also bounds a clean stop), the poll interval
    # where the server has no IDLE, and the longest wait between reconnects.
    email_imap_idle_seconds: float = Field(default=20.0, gt=0, le=1500)
    email_imap_poll_seconds: float = Field(default=30.0, gt=0)
    email_imap_backoff_max_seconds: float = Field(default=300.0, gt=0)

    login_rate_limit: str = "10 per minute"
    max_request_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    processes: Annotated[list[str] | None, NoDecode] = None  # expected processes; None = Procfile's
    heartbeat_seconds: float = Field(default=5.0, gt=0)
    thread_switch_ms: float = Field(default=0.5, gt=0, le=100)  # sys.setswitchinterval, in ms
    web_thread_switch_ms: float = Field(default=5.0, gt=0, le=100)  # the same, web processes
    # Freeze what startup built out of the garbage collector's full passes (platform/heap.py).
    # Off in tests, which build many apps in one process and want them collected.
    gc_freeze: bool = True
    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _database_url_has_scheme(cls, value: str | None) -> str | None:
        if value is not None and "://" not in value:
            raise ValueError("must be a SQLAlchemy URL such as postgresql://user@host/db")
        if value is not None and value.startswith("postgres://"):
            # Heroku-style scheme that SQLAlchemy 2 no longer accepts.
            value = "postgresql://" + value.removeprefix("postgres://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url_has_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("segment_thresholds", mode="before")
    @classmethod
    def _parse_thresholds(cls, value: object) -> object:
        # "platinum=5000,gold=2000" is friendlier in an env file than JSON.
        if isinstance(value, str):
            pairs = [p.split("=", 1) for p in value.split(",") if p.strip()]
            if any(len(p) != 2 for p in pairs):
                raise ValueError("expected name=amount pairs separated by commas")
            return {name.strip(): float(amount) for name, amount in pairs}
        return value

    @field_validator("segment_thresholds")
    @classmethod
    def _thresholds_descend(cls, value: dict[str, float]) -> dict[str, float]:
        amounts = list(value.values())
        if amounts != sorted(amounts, reverse=True):
            raise ValueError("segments must be listed best first with descending amounts")
        return value

    @field_validator("ivr_fixed_time")
    @classmethod
    def _aware_time(cls, value: datetime | None) -> datetime | None:
        # A pinned time without a zone would make business hours depend on the host's zone.
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a time zone, e.g. 2025-03-04T10:00:00-05:00")
        return value

    @field_validator(
        "processes",
        "chat_attachment_types",
        "email_attachment_types",
        "email_trusted_authserv_ids",
        "complaint_dispositions",
        mode="before",
    )
    @classmethod
    def _parse_processes(cls, value: object) -> object:
        if isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @property
    def public_base_url_configured(self) -> bool:
        """Whether the public URL was set explicitly (env or .env) rather than defaulted."""
        return "public_base_url" in self.model_fields_set

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance_path / 'contactcentre.sqlite3'}"

    @cached_property
    def effective_secret_key(self) -> str:
        """The configured key, else one generated once and kept under instance/."""
        if self.secret_key:
            return self.secret_key
        path = self.instance_path / "secret_key"
        if not path.exists():
            self.instance_path.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()

    @property
    def development_credentials(self) -> bool:
        return self.twilio_account_sid == "AC" + "0" * 32

    @property
    def effective_twilio_api_base_url(self) -> str | None:
        """The configured REST base URL; development credentials reach the demo emulator."""
        if self.twilio_api_base_url:
            return self.twilio_api_base_url
        if self.development_credentials:
            return f"http://127.0.0.1:{self.emulator_port}"
        return None

    def expected_processes(self) -> list[str]:
        if self.processes is not None:
            return self.processes
        return procfile_process_names(PROJECT_ROOT / "Procfile")


def procfile_process_names(path: Path) -> list[str]:
    if not path.exists():
        return []
    names = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and ":" in line:
            names.append(line.split(":", 1)[0].strip())
    return names


def load_settings(**overrides: object) -> Settings:
    """Read settings; a wrong value fails with the variable's name and the reason."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            problems.append(f"CC_{field.upper()}: {err['msg']}")
        raise SettingsError("invalid configuration: " + "; ".join(problems)) from None
