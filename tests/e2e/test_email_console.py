"""Email in the agent console, in a real browser against the live app and router: an email
arrives (stored, processed by the channel as the mail process does, routed by the ACD), the
agent accepts it, reads it (the customer's HTML in a sandboxed frame, its script gone), replies
with a template; the sending job delivers the reply to a real SMTP server with the threading
headers, the console shows it sent (pushed), and the agent completes and wraps up."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from contactcentre.email import sending
from contactcentre.store.models import CannedResponse, OutboundEmail, Queue
from tests.e2e.chat_console_fixtures import accept_offer, available_agent
from tests.e2e.floors import SCREENSHOTS
from tests.integration.email.mailboxes import add_mailbox, channel_processor, deliver
from tests.integration.email.smtp_sink import Receiver, running_sink
from tests.integration.realtime.live import eventually

pytestmark = pytest.mark.e2e

HTML_MAIL = (
    b"From: Walt Customer <walt@customer.example>\r\nTo: support@example.com\r\n"
    b"Subject: Shipping to Canada\r\nMessage-ID: <walt1@customer.example>\r\n"
    b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="a"\r\n\r\n'
    b"--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDo you ship to Canada?\r\n"
    b"--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>Do you ship to <b>Canada</b>?</p><script>document.title='owned'</script>\r\n--a--\r\n"
)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, int]]:
    with running_sink() as found:
        yield found


def test_agent_reads_and_answers_an_email_with_a_template(
    demo_app: Any, demo_floor: Any, chromium: Any, receiver: tuple[Receiver, int]
) -> None:
    handler, port = receiver
    runtime = demo_app.extensions["contactcentre"]
    with runtime.db.session() as session:
        sales = session.scalars(select(Queue).where(Queue.name == "Sales")).one()
        session.add(
            CannedResponse(
                title="Shipping", body="Hello, we ship to Canada. Kind regards, {agent_name}"
            )
        )
        session.commit()
        sales_id = sales.id
    mailbox = add_mailbox(runtime.db, queue_id=sales_id)
    grace = available_agent(chromium, demo_floor.url)
    deliver(runtime.db, mailbox, HTML_MAIL)
    channel_processor(runtime).run_once()

    accept_offer(grace)
    email = grace.locator("section.email")
    email.locator(".email-msg.in").get_by_text("Do you ship to Canada?").wait_for()
    expect(email.locator(".email-head-line")).to_contain_text("walt@customer.example")
    email.get_by_role("button", name="Show formatted").click()
    frame = email.locator("iframe.email-frame")
    expect(frame).to_have_attribute("sandbox", "")
    expect(grace.frame_locator("iframe.email-frame").locator("b")).to_have_text("Canada")
    assert "script" not in (frame.get_attribute("srcdoc") or "").split("</style>", 1)[1]

    email.get_by_label("Template").select_option(label="Shipping")
    reply = email.get_by_label("Reply to the customer")
    expect(reply).to_have_value("Hello, we ship to Canada. Kind regards, Grace Kim")
    email.get_by_role("button", name="Send reply").click()
    expect(email.locator(".email-msg.out .email-status").last).to_have_text("queued")
    with runtime.db.session() as session:
        row = session.scalars(select(OutboundEmail).where(OutboundEmail.purpose == "reply")).one()
        outbound_id = row.id

    # What the RQ job runs, against the real SMTP server (tests/integration/email shows the
    # job itself, killed and restarted); its "sent" reaches the console by the socket.
    runtime.settings = runtime.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port}
    )
    sending.deliver(runtime, outbound_id)
    (raw,) = eventually(lambda: handler.messages)
    sent = message_from_bytes(raw, policy=policy.default)
    assert sent["In-Reply-To"] == "<walt1@customer.example>"
    assert sent["References"] == "<walt1@customer.example>"
    assert sent["Subject"].startswith("Re: Shipping to Canada [CC-")
    assert "we ship to Canada. Kind regards, Grace Kim" in sent.get_content()
    expect(email.locator(".email-msg.out .email-status").last).to_have_text("sent")
    expect(email.locator(".email-msg.out .email-body").last).to_have_text(
        "Hello, we ship to Canada. Kind regards, Grace Kim"
    )
    grace.screenshot(path=str(SCREENSHOTS / "console-email.png"))

    grace.get_by_role("button", name="End contact").click()
    grace.get_by_label("Disposition").select_option("resolved")
    grace.get_by_role("button", name="Done").click()
    grace.locator("#work-empty").wait_for()
