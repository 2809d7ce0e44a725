"""Files sent in a chat: checked by size and by their bytes (never the name or the browser's
claimed type), stored outside the web root, and handed only to the conversation's parties."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path
from typing import Any

from flask import request
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from contactcentre.chat.messages import Author, deliver, post_message
from contactcentre.cti.access import may_see_interaction
from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.desk import Desk
from contactcentre.realtime.emitter import emitter_for
from contactcentre.store.models import ChatAttachment, ChatConversation

CHUNK = 64 * 1024
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


class AttachmentError(ValueError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def sniff(head: bytes) -> str | None:
    """The content type the bytes prove, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if _is_text(head):
        return "text/plain"
    return None


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniffing window is still text.
        if exc.start < len(head) - 4:
            return False
        text = head[: exc.start].decode("utf-8")
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)


def storage_root(runtime: Runtime) -> Path:
    return Path(runtime.settings.instance_path) / "attachments"


def safe_filename(name: str | None) -> str:
    cleaned = _UNSAFE_NAME.sub("_", Path(name or "file").name).strip(" .") or "file"
    return cleaned[:120]


def store_attachment(
    session: Session,
    runtime: Runtime,
    conversation: ChatConversation,
    upload: FileStorage,
    *,
    uploaded_by: str,
    client_id: str | None = None,
) -> dict[str, Any]:
    """Check, store and post the file as a message from `uploaded_by` ("customer",
    "agent:<id>", "supervisor:<id>"); commits and delivers. Returns the message."""
    settings = runtime.settings
    limit = settings.chat_max_attachment_bytes
    attachment_id = str(uuid.uuid4())
    folder = storage_root(runtime) / conversation.id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / attachment_id
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with target.open("wb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise AttachmentError(
                        413,
                        "file_too_large",
                        f"files are limited to {limit // 1024} KB; this one is larger",
                    )
                if len(head) < 512:
                    head += chunk[: 512 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise AttachmentError(422, "empty_file", "the file is empty")
        content_type = sniff(head)
        if content_type is None or content_type not in settings.chat_attachment_types:
            allowed = ", ".join(settings.chat_attachment_types)
            raise AttachmentError(
                415, "file_type_not_allowed", f"this kind of file can't be sent; allowed: {allowed}"
            )
    except AttachmentError:
        target.unlink(missing_ok=True)
        raise
    filename = safe_filename(upload.filename)
    row = ChatAttachment(
        id=attachment_id,
        conversation_id=conversation.id,
        filename=filename,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        storage_key=f"{conversation.id}/{attachment_id}",
        uploaded_by=uploaded_by,
    )
    session.add(row)
    described = {
        "id": attachment_id,
        "filename": filename,
        "content_type": content_type,
        "size": size,
        "url": f"/chat/api/attachments/{attachment_id}",
    }
    posted = post_message(
        session,
        conversation,
        Author.from_sender(uploaded_by),
        "",
        client_id=client_id,
        attachments=[described],
    )
    session.commit()
    deliver(emitter_for(runtime), conversation, posted)
    return posted.payload


def open_attachment(
    session: Session, runtime: Runtime, attachment_id: str
) -> tuple[ChatAttachment, Path] | None:
    try:
        uuid.UUID(attachment_id)
    except ValueError:
        return None
    row = session.get(ChatAttachment, attachment_id)
    if row is None:
        return None
    path = storage_root(runtime) / row.storage_key
    if not path.is_file():
        return None
    return row, path


def may_download(session: Session, runtime: Runtime, attachment: ChatAttachment) -> bool:
    """The conversation's customer (its token) or, signed in, its agent or a supervisor."""
    from contactcentre.chat.access import ChatHttpError, conversation_from_bearer

    has_token = request.headers.get("Authorization", "").startswith("Bearer ") or bool(
        request.args.get("token")
    )
    if has_token:
        try:
            conversation = conversation_from_bearer(session, runtime)
        except ChatHttpError:
            return False
        return conversation.id == attachment.conversation_id
    if not current_user.is_authenticated:
        return False
    owner = session.get(ChatConversation, attachment.conversation_id)
    return owner is not None and may_see_interaction(
        session, Desk(runtime.redis), current_user._get_current_object(), owner.interaction_id
    )
