"""CSAT for a period, from the customers' ratings in the event log ("survey" events), computed
by routing/metrics.py's definition: overall, per rated agent, per queue or per channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.reporting.definitions import CSAT, served_id
from contactcentre.store.models import Interaction, InteractionEvent
from routing.metrics import ContactOutcome


@dataclass(frozen=True)
class CsatFigure:
    """Ratings counted as satisfied (`satisfied`) out of all ratings (`rated`) in a period."""

    satisfied: int
    rated: int
    ratio: float | None  # None when nothing was rated: 0% would claim every customer was unhappy

    @classmethod
    def of(cls, rated: list[ContactOutcome]) -> CsatFigure:
        scores = [o.csat for o in rated if o.csat is not None]
        return cls(sum(map(CSAT.satisfied, scores)), len(scores), CSAT.compute(rated))

    @property
    def definition_id(self) -> str:
        return served_id(CSAT)

    def label(self) -> str:
        """E.g. "CSAT 50% (ratings 4-5 / all ratings (1-5 scale), 2 of 4)"."""
        name, _, formula = CSAT.label.partition(": ")
        if self.ratio is None:
            return f"{name} — (no ratings)"
        return f"{name} {self.ratio:.0%} ({formula}, {self.satisfied} of {self.rated})"


def csat(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    agent_id: int | None = None,
    queue_id: int | None = None,
    channel: str | None = None,
) -> CsatFigure:
    """CSAT of the ratings given in [start, end); per agent (the rated one), per queue or per
    channel (the interaction's) when asked."""
    query = (
        select(
            InteractionEvent.interaction_id,
            InteractionEvent.data,
            Interaction.queue_id,
            Interaction.channel,
        )
        .join(Interaction, Interaction.id == InteractionEvent.interaction_id)
        .where(
            InteractionEvent.type == "survey",
            InteractionEvent.occurred_at >= start,
            InteractionEvent.occurred_at < end,
        )
    )
    if queue_id is not None:
        query = query.where(Interaction.queue_id == queue_id)
    if channel is not None:
        query = query.where(Interaction.channel == channel)
    rated = [
        ContactOutcome(
            row.interaction_id,
            queue_id=None if row.queue_id is None else str(row.queue_id),
            channel=row.channel,
            agent_id=None if row.data.get("agent_id") is None else str(row.data["agent_id"]),
            csat=int(row.data["score"]),
        )
        for row in session.execute(query)
        if row.data.get("score") is not None
    ]
    if agent_id is not None:
        # The agent is in the event's data (JSON), so filtered here on every database alike.
        rated = [o for o in rated if o.agent_id == str(agent_id)]
    return CsatFigure.of(rated)
