"""The application factory: builds the web process (pages, REST API, health) from settings.

No module-level app exists; tests and every process build their own with create_app().
"""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_openapi3 import Info, OpenAPI
from werkzeug.middleware.proxy_fix import ProxyFix

from contactcentre.extensions import csrf, limiter, login_manager
from contactcentre.platform.heap import settle_after_start
from contactcentre.platform.heartbeat import Heartbeat
from contactcentre.platform.runtime import Runtime, build_runtime
from contactcentre.settings import Settings, load_settings
from contactcentre.store.models import User

SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "API token (cc_...)"},
    "session": {"type": "apiKey", "in": "cookie", "name": "session"},
    "conversation": {
        "type": "http",
        "scheme": "bearer",
        "description": "a chat conversation's token (POST /chat/api/conversations)",
    },
}


API_RULES = """Rules every operation follows:

- Bad input answers 4xx with `{"error": {"code", "message", "field"}}`; validation errors (422)
  list every problem in `error.details`.
- JSON bodies are strict: unknown fields are refused, and nothing is coerced (1 is not true,
  true is not 1, "5" is not 5). Customer records also take numbers and dates as text, as the
  CSV import does, but never a number for a flag or a flag for a number.
- Ids are 1 to 2^63-1 and offsets 0 to 1,000,000,000; no integer in a /api/v1 body may exceed
  64 bits.
- A query parameter given without a value (`?phone=`) is refused with 400 `blank_parameter`.
- A value that must be unique and is taken answers 409 `duplicate` naming the field.
- A 405 carries the `Allow` header.
"""


def create_app(settings: Settings | None = None) -> OpenAPI:
    from contactcentre.api import register_api, validation_error_response
    from contactcentre.cti.wiring import install_pop_prebuild

    settings = settings or load_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # A web process holds a thread per socket: at 0.5 ms, 1,100 sockets spent more CPU handing
    # the GIL round than serving (the chat bench at 100 msg/s: 111% of a core and p50 2 s,
    # against 63% and 12 ms at CPython's default 5 ms).
    runtime = build_runtime(settings, switch_ms=settings.web_thread_switch_ms)

    app = OpenAPI(
        __name__,
        info=Info(title="Contact centre API", version="1", description=API_RULES),
        security_schemes=SECURITY_SCHEMES,
        doc_prefix="/api/v1",
        doc_url="/openapi.json",
        doc_ui=False,
        validation_error_status=422,
        validation_error_callback=validation_error_response,
    )
    app.config.update(
        SECRET_KEY=settings.effective_secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        REMEMBER_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,  # an agent's console stays open all shift
        RATELIMIT_STORAGE_URI=runtime.redis_url,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    app.extensions["contactcentre"] = runtime
    # Each web process beats like every other, so health run from outside one (the CLI, a peer
    # behind the load balancer) sees whether any web process is alive.
    runtime.heartbeat = Heartbeat(runtime.redis, "web", settings.heartbeat_seconds).start()
    install_pop_prebuild()
    if settings.behind_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    app.wsgi_app = _close_after_too_large(app.wsgi_app)  # type: ignore[method-assign]
    _init_extensions(app)
    _register_blueprints(app)
    register_api(app)
    _init_sockets(app, runtime)

    @app.teardown_appcontext
    def _remove_session(_exc: BaseException | None) -> None:
        runtime.db.scoped.remove()

    @app.after_request
    def _security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    if settings.gc_freeze:
        settle_after_start()
    return app


def _close_after_too_large(wsgi_app: Any) -> Any:
    """After a 413 the unread body is still on the wire: gunicorn drained a little of it, said
    "keep-alive", then reset the connection under the client's next request. Ask the server to
    answer "Connection: close" and close (gunicorn's Response.force_close, which its workers use
    for the same purpose; app headers cannot, as servers drop hop-by-hop headers)."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if status.startswith("413"):
                force_close = getattr(
                    getattr(start_response, "__self__", None), "force_close", None
                )
                if callable(force_close):
                    force_close()
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start)

    return app


def _init_sockets(app: OpenAPI, runtime: Runtime) -> None:
    """Socket.IO with what the channels add: chat's namespace, origins and typing relay; and
    a sign-out closes its login's sockets (auth/ sits below realtime/, so the link is made
    here, on auth.logins' signal, rather than in the logout view)."""
    from functools import partial

    from contactcentre.auth.logins import logins_ended
    from contactcentre.chat.sites import site_origins
    from contactcentre.chat.staff_typing import StaffTyping
    from contactcentre.chat.web import init_chat_socket
    from contactcentre.cti.rooms import CtiRooms
    from contactcentre.realtime.server import init_realtime
    from contactcentre.realtime.user_sockets import close_ended_logins

    init_realtime(
        app,
        runtime,
        rooms=CtiRooms(),
        agent_extensions=[StaffTyping()],
        guest_origins=site_origins(runtime),
        guest_namespaces=[partial(init_chat_socket, runtime=runtime)],
    )
    # The receiver is told which app signed the user out; connecting it again is a no-op.
    logins_ended.connect(close_ended_logins)


def _init_extensions(app: OpenAPI) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    csrf.init_app(app)
    limiter.init_app(app)

    @login_manager.user_loader
    def _load_user(login_key: str) -> User | None:
        # The session names a login, not a user (auth.logins): an ended one finds nobody.
        from contactcentre.auth.logins import user_for_key

        runtime = app.extensions["contactcentre"]
        with runtime.db.session() as session:
            user = user_for_key(session, login_key)
            if user is not None:
                _ = user.agent  # loaded now; the session closes before templates use it
            return user


def _register_blueprints(app: OpenAPI) -> None:
    from functools import partial

    from agent_ui import bp as ui_bp
    from contactcentre.auth.views import bp as auth_bp
    from contactcentre.chat.web import init_chat
    from contactcentre.email.webhooks import init_email_webhooks
    from contactcentre.health import bp as health_bp
    from contactcentre.voice.callbacks import start_callback
    from contactcentre.voice.webhooks import init_voice, voice_context

    app.register_blueprint(auth_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(ui_bp)
    init_voice(app)
    init_chat(app)
    init_email_webhooks(app)
    # Chat escalates to a call through voice's callbacks: bound here, so chat imports no voice.
    app.extensions["chat.callbacks"] = partial(start_callback, voice_context(app))
