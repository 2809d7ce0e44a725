"""Flask extensions, created unbound and bound to an app in create_app().

No module-level app exists anywhere; every process builds its own.
"""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
# Storage is pointed at Redis in create_app so limits hold across web processes.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
