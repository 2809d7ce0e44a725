"""The rating box at the end of a chat: a 1-5 score stored once for the agent who handled it,
and logged as a "survey" event, from which reporting computes CSAT (reporting/satisfaction.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contactcentre.chat.access import ChatHttpError
from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import ChatConversation, CsatRating, Customer, Interaction

LOWEST, HIGHEST = 1, 5
COMMENT_MAX_CHARS = 2000


@dataclass(frozen=True)
class Rating:
    """What the customer typed into the rating box."""

    score: int
    comment: str | None = None

    def __post_init__(self) -> None:
        if (
            not isinstance(self.score, int)
            or isinstance(self.score, bool)
            or not LOWEST <= self.score <= HIGHEST
        ):
            raise ChatHttpError(
                422,
                "invalid_score",
                "score",
                f"score must be a whole number from 1 to 5, not {self.score!r}",
            )
        if self.comment is not None and len(self.comment) > COMMENT_MAX_CHARS:
            raise ChatHttpError(
                422,
                "too_long",
                "comment",
                f"comment is limited to {COMMENT_MAX_CHARS} characters, got {len(self.comment)}",
            )


def rate(
    session: Session, routing: RoutingClient, conversation: ChatConversation, rating: Rating
) -> CsatRating:
    """Store the rating once per chat, for the agent who handled it, and commit.

    Only once an agent has joined (the chat may still be open): a bot-only chat has nobody to
    rate, and a rating of the bot would skew the agents' CSAT.
    """
    interaction = session.get(Interaction, conversation.interaction_id)
    if interaction is None:
        raise LookupError(f"conversation {conversation.id} has no interaction")
    if _rating_of(session, interaction.id) is not None:
        raise _already_rated()
    agent_id = interaction.agent_id or _agent_id(routing.assigned_agent(interaction.id))
    if agent_id is None:
        raise ChatHttpError(
            409, "nothing_to_rate", "score", "you can rate the chat once an agent has joined"
        )
    row = CsatRating(
        interaction_id=interaction.id,
        channel="chat",
        agent_id=agent_id,
        score=rating.score,
        comment=rating.comment,
    )
    session.add(row)
    # The event log is kept for years and read widely: ids and the score, never the comment.
    event_log.append(
        session,
        NewEvent(
            interaction.id,
            "survey",
            datetime.now(UTC),
            f"{interaction.id}:survey",
            actor="customer",
            data={"score": rating.score, "scale": HIGHEST, "agent_id": agent_id},
        ),
    )
    customer_id = conversation.customer_id or interaction.customer_id
    customer = session.get(Customer, customer_id) if customer_id is not None else None
    if customer is not None:
        customer.satisfaction = rating.score
    try:
        session.commit()
    except IntegrityError:
        # Two ratings racing: the unique interaction_id lets exactly one in.
        session.rollback()
        raise _already_rated() from None
    return row


def _rating_of(session: Session, interaction_id: str) -> CsatRating | None:
    return session.scalars(
        select(CsatRating).where(CsatRating.interaction_id == interaction_id)
    ).first()


def _already_rated() -> ChatHttpError:
    return ChatHttpError(409, "already_rated", "score", "this chat has already been rated")


def _agent_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
