"""Failed sign-ins from one client address share one budget (CC_LOGIN_RATE_LIMIT), on the
login page and the token API alike, so using both never doubles an attacker's guesses.

Only failures count: an office of agents behind one address signs in all morning unhindered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Response

from contactcentre.extensions import limiter
from contactcentre.platform.runtime import current_runtime

F = TypeVar("F", bound=Callable[..., Any])
SCOPE = "sign-in"


def _limit() -> str:
    return current_runtime().settings.login_rate_limit


def _failed(response: Response) -> bool:
    return response.status_code == 401


def limit_failed_sign_ins(view: F) -> F:
    """Refuse (429) a POST once this address has failed too often; the view answers a failed
    sign-in with 401, which is what counts."""
    limit = limiter.shared_limit(_limit, scope=SCOPE, methods=["POST"], deduct_when=_failed)
    return cast(F, limit(view))
