"""Notes on a customer's record: who wrote what, and whether it is still open.

Open notes travel with the screen pop; a new note refreshes the live contacts' pops.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from contactcentre.store.models import CustomerNote, User

NOTE_MAX_CHARS = 2000


def add_note(session: Session, customer_id: int, author: User, body: str) -> CustomerNote:
    """Append an open note written by `author` (body already validated: 1-2000 characters)."""
    note = CustomerNote(customer_id=customer_id, author_user_id=author.id, body=body, open=True)
    session.add(note)
    session.flush()
    return note


def note_out(note: CustomerNote, author: User | None) -> dict[str, Any]:
    return {
        "id": note.id,
        "customer_id": note.customer_id,
        "body": note.body,
        "open": note.open,
        "at": note.created_at.timestamp(),
        "author": author.name if author else None,
    }
