"""A real SMTP server for the sending tests, that can hold a sender at RCPT (to kill it there)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from tests.ports import free_port


class Receiver:
    """A real SMTP server that can hold a sender at RCPT (to kill it there)."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.hold = threading.Event()
        self.at_rcpt = threading.Event()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.at_rcpt.set()
        while self.hold.is_set():
            await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.original_content)
        return "250 OK"


@contextmanager
def running_sink() -> Iterator[tuple[Receiver, int]]:
    handler = Receiver()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    handler.hold.clear()
    controller.stop()
