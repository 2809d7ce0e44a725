"""A campaign's disposition codes, and recording one on a lead's last attempt.

The built-in opt_out code is always there; a code with do_not_call adds the number to the
internal DNC list in the same transaction as the disposition, so it is suppressed at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.dialer.dnc import add_number
from contactcentre.store.models import Campaign, DialAttemptRow, Lead
from contactcentre.store.types import utcnow
from routing.dialer.legal import IllegalSetting
from routing.dialer.suppression import OPT_OUT, Disposition, DncScope, suppress_after


def campaign_dispositions(campaign: Campaign) -> dict[str, Disposition]:
    """The campaign's codes by code, opt_out included (a campaign cannot redefine it)."""
    codes = {OPT_OUT.code: OPT_OUT}
    for record in campaign.dispositions or []:
        disposition = disposition_of(record)
        if disposition.code != OPT_OUT.code:
            codes[disposition.code] = disposition
    return codes


def disposition_of(record: dict[str, Any]) -> Disposition:
    after = record.get("retry_after_seconds")
    return Disposition(
        code=record["code"],
        label=record.get("label") or record["code"],
        do_not_call=bool(record.get("do_not_call", False)),
        final=bool(record.get("final", False)),
        retry_after=None if after is None else timedelta(seconds=after),
    )


def check_dispositions(records: list[dict[str, Any]]) -> None:
    """IllegalSetting (naming the entry) for an invalid or repeated code."""
    seen: set[str] = set()
    for index, record in enumerate(records):
        disposition = disposition_of(record)
        if disposition.code in seen:
            raise IllegalSetting(f"dispositions[{index}].code", "repeated code")
        if disposition.code == OPT_OUT.code:
            raise IllegalSetting(f"dispositions[{index}].code", "opt_out is built in")
        seen.add(disposition.code)


def record_disposition(
    session: Session, campaign: Campaign, lead: Lead, code: str
) -> tuple[DialAttemptRow, bool]:
    """Set `code` on the lead's last attempt; (attempt, whether the number went on the DNC list).

    IllegalSetting when the code is not the campaign's or the lead was never called.
    """
    codes = campaign_dispositions(campaign)
    disposition = codes.get(code)
    if disposition is None:
        raise IllegalSetting("code", f"{code!r} is not one of {', '.join(sorted(codes))}")
    attempt = session.scalars(
        select(DialAttemptRow)
        .where(DialAttemptRow.lead_id == lead.id)
        .order_by(DialAttemptRow.placed_at.desc(), DialAttemptRow.id.desc())
    ).first()
    if attempt is None:
        raise IllegalSetting("lead_id", "the lead has no call to put a disposition on")
    attempt.disposition = disposition.code
    now = utcnow()
    added = False
    for entry in suppress_after(disposition, lead.number, now, campaign_id=str(campaign.id)):
        added = add_number(session, entry.number, DncScope.INTERNAL, None, entry.source) or added
    return attempt, added
