"""A provider's form POST (multipart/form-data or urlencoded) read as bytes, field by field.

Flask's request.form decodes every field as UTF-8, replacing what is not: a raw MIME message
in SendGrid's `email` or Mailgun's `body-mime`, or a body in the charset SendGrid names in
`charsets`, would lose its 8-bit bytes. Werkzeug's own multipart decoder is used, without the
decoding step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

from werkzeug.datastructures import Headers
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData


class Malformed(ValueError):
    """The payload is not what the provider sends: answered 400 naming the field."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Form:
    fields: dict[str, bytes] = field(default_factory=dict)  # the first value of each name
    files: dict[str, Upload] = field(default_factory=dict)

    def text(self, name: str, charset: str = "utf-8") -> str | None:
        value = self.fields.get(name)
        return None if value is None else value.decode(charset, "replace")

    def required(self, name: str) -> bytes:
        value = self.fields.get(name)
        if value is None:
            raise Malformed(name, f"the form has no {name} field")
        return value

    def json(self, name: str, kind: type, default: Any = None) -> Any:
        """A field holding JSON of the given type (dict or list); absent: the default."""
        value = self.fields.get(name)
        if value is None:
            return default
        try:
            decoded = json.loads(value)
        except ValueError:
            raise Malformed(name, f"{name} is not JSON") from None
        if not isinstance(decoded, kind):
            raise Malformed(name, f"{name} is not a JSON {'object' if kind is dict else 'array'}")
        return decoded

    def count(self, name: str) -> int:
        value = self.fields.get(name, b"0").strip() or b"0"
        if not value.isdigit() or len(value) > 4:
            raise Malformed(name, f"{name} is not a number of attachments")
        return int(value)


def read_form(content_type: str, body: bytes) -> Form:
    mimetype, options = parse_options_header(content_type)
    if mimetype == "application/x-www-form-urlencoded":
        form = Form()
        for pair in body.split(b"&"):
            if pair:
                name, _, value = pair.partition(b"=")
                key = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
                form.fields.setdefault(key, unquote_to_bytes(value.replace(b"+", b" ")))
        return form
    if mimetype == "multipart/form-data" and options.get("boundary"):
        return _multipart(body, options["boundary"].encode("latin-1"))
    raise Malformed(None, "the body is not multipart/form-data or urlencoded form data")


def _multipart(body: bytes, boundary: bytes) -> Form:
    form = Form()
    decoder = MultipartDecoder(boundary)
    decoder.receive_data(body)
    decoder.receive_data(None)
    current: Field | File | None = None
    chunks: list[bytes] = []
    try:
        event = decoder.next_event()
        while not isinstance(event, (Epilogue, NeedData)):
            if isinstance(event, (Field, File)):
                current, chunks = event, []
            elif isinstance(event, Data) and current is not None:
                chunks.append(event.data)
                if not event.more_data:
                    _keep(form, current, b"".join(chunks))
            event = decoder.next_event()
    except ValueError as error:
        raise Malformed(None, f"the multipart body cannot be read: {error}") from None
    if isinstance(event, NeedData):
        raise Malformed(None, "the multipart body ends before its closing boundary")
    return form


def _keep(form: Form, part: Field | File, data: bytes) -> None:
    if isinstance(part, File):
        headers: Headers = part.headers
        kind = headers.get("Content-Type", "application/octet-stream")
        form.files.setdefault(part.name, Upload(part.filename or "", kind, data))
    else:
        form.fields.setdefault(part.name, data)
