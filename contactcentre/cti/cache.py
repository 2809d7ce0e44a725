"""Screen pops cached in Redis per interaction, so a re-offer or a page reload costs no SQL.

Entries expire after an hour; a changed customer record is seen on the next contact.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

from contactcentre.cti.pop import build_pop
from contactcentre.store.db import Database
from contactcentre.store.models import Interaction

log = logging.getLogger(__name__)
POP = "cc:cti:pop:"
POP_TTL_SECONDS = 3600


class PopProvider:
    """Pops by interaction id: the cache, else built from SQL and cached."""

    def __init__(self, database: Database, client: redis.Redis, default_region: str) -> None:
        self._db = database
        self._redis = client
        self._region = default_region

    def get(self, interaction_id: str, queue_id: Any = None) -> dict[str, Any] | None:
        raw: Any = self._redis.get(POP + interaction_id)
        if raw is not None:
            return dict(json.loads(raw))
        with self._db.session() as session:
            interaction = session.get(Interaction, interaction_id)
            if interaction is None:
                return None
            pop = build_pop(session, interaction, self._region, queue_id)
        self.put(pop)
        return pop

    def for_offer(self, interaction_id: str, queue_id: Any = None) -> dict[str, Any] | None:
        """Like get(), but never raises: an offer goes out without its pop rather than never."""
        try:
            return self.get(interaction_id, queue_id)
        except Exception:
            log.exception(
                "screen pop of %s could not be built; offering without it", interaction_id
            )
            return None

    def put(self, pop: dict[str, Any]) -> None:
        self._redis.set(
            POP + pop["interaction_id"], json.dumps(pop, default=str), ex=POP_TTL_SECONDS
        )

    def forget(self, interaction_id: str) -> None:
        self._redis.delete(POP + interaction_id)
