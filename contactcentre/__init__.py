"""Contact-centre application: web process, router, dialer and workers around the pure core.

`flask --app contactcentre` finds create_app here.
"""

from contactcentre.app import create_app

__all__ = ["create_app"]
