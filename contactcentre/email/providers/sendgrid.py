"""SendGrid Inbound Parse: a multipart/form-data POST, either "raw" (the whole MIME message in
`email`) or parsed (`headers` as a raw block, `text` and `html` in the charsets `charsets`
names, `attachments` files described by `attachment-info`).

Inbound Parse signs nothing, so the mailbox's secret rides in the URL: as the last path
segment, or as the password of basic auth (https://user:secret@host/...); either is compared
in constant time. SendGrid sends no event id: a retry is recognised by the Message-ID or,
without one, by the hash of the rebuilt bytes (the same fields rebuild the same bytes).
"""

from __future__ import annotations

from contactcentre.email.providers import Inbound
from contactcentre.email.providers.forms import Form, Malformed
from contactcentre.email.providers.rebuild import Attachment, Body, header_block, message


def inbound(form: Form) -> Inbound:
    envelope = form.json("envelope", dict, {})
    sender = envelope.get("from")
    envelope_from = sender if isinstance(sender, str) else None
    raw = form.fields.get("email")
    if raw is not None:
        return Inbound(raw, envelope_from)
    if "headers" not in form.fields:
        raise Malformed("headers", "neither email (raw mode) nor headers (parsed mode) was sent")
    charsets = form.json("charsets", dict, {})
    return Inbound(
        message(
            header_block(form.required("headers")),
            _body(form, "text", charsets),
            _body(form, "html", charsets),
            _attachments(form),
        ),
        envelope_from,
    )


def _body(form: Form, name: str, charsets: dict[str, object]) -> Body | None:
    data = form.fields.get(name)
    if data is None:
        return None
    charset = charsets.get(name)
    return Body(data, charset if isinstance(charset, str) else None)


def _attachments(form: Form) -> list[Attachment]:
    count = form.count("attachments")
    info = form.json("attachment-info", dict, {})
    found = []
    for index in range(1, count + 1):
        name = f"attachment{index}"
        upload = form.files.get(name)
        if upload is None:
            raise Malformed(name, f"attachments says {count} but {name} is missing")
        facts = info.get(name)
        facts = facts if isinstance(facts, dict) else {}
        filename = facts.get("filename")
        kind = facts.get("type")
        content_id = facts.get("content-id")
        found.append(
            Attachment(
                filename if isinstance(filename, str) else upload.filename,
                kind if isinstance(kind, str) else upload.content_type,
                upload.data,
                content_id if isinstance(content_id, str) else None,
            )
        )
    return found
