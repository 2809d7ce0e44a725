"""Flask extensions, created unbound and bound to an app in create_app().

No module-level app exists anywhere; every process builds its own.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.local import LocalProxy

login_manager = LoginManager()
csrf = CSRFProtect()
# Storage is pointed at Redis in create_app so limits hold across web processes.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# The current app's SocketIO (one per app, made by realtime.server.init_realtime): several apps
# may live in one process (tests, like two web processes), and a module-level SocketIO can serve
# only the last one bound. Processes without an app emit with realtime.emitter.RealtimeEmitter.
socketio: Any = LocalProxy(lambda: current_app.extensions["socketio"])
