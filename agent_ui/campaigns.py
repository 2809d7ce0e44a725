"""The campaigns page: every outbound campaign with its status, its lists and its imports.

Read-only, for supervisors and admins; configuration goes through /api/v1/campaigns. Each
import links its CSV error report.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from agent_ui.views import bp
from contactcentre.auth.access import require_page_role
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import Campaign, Lead, LeadImport, LeadList, Queue, Role

IMPORTS_SHOWN = 5


@bp.get("/campaigns")
@require_page_role(Role.SUPERVISOR)
def campaigns() -> ResponseReturnValue:
    with current_runtime().db.session() as session:
        counts = dict(
            session.execute(select(Lead.list_id, func.count()).group_by(Lead.list_id)).all()
        )
        queues = dict(session.execute(select(Queue.id, Queue.name)).all())
        shown: list[dict[str, Any]] = []
        for campaign in session.scalars(select(Campaign).order_by(Campaign.name)):
            lists = session.scalars(
                select(LeadList)
                .where(LeadList.campaign_id == campaign.id)
                .order_by(LeadList.priority.desc(), LeadList.id)
            ).all()
            imports = session.scalars(
                select(LeadImport)
                .where(LeadImport.campaign_id == campaign.id)
                .order_by(LeadImport.id.desc())
                .limit(IMPORTS_SHOWN)
            ).all()
            shown.append(
                {
                    "id": campaign.id,
                    "name": campaign.name,
                    "status": campaign.status,
                    "mode": campaign.mode,
                    "dial_ratio": campaign.dial_ratio,
                    "queue": queues.get(campaign.queue_id or 0, "none"),
                    "caller_id": campaign.caller_id,
                    "jurisdiction": campaign.jurisdiction.upper(),
                    "window": f"{campaign.window_start[:5]}-{campaign.window_end[:5]}",
                    "abandon_limit": campaign.abandon_limit,
                    "overrides": len(campaign.legal_overrides or []),
                    "lists": [
                        {
                            "name": x.name,
                            "priority": x.priority,
                            "active": x.active,
                            "leads": counts.get(x.id, 0),
                        }
                        for x in lists
                    ],
                    "imports": [
                        {
                            "id": i.id,
                            "list_name": i.list_name,
                            "filename": i.filename,
                            "status": i.status,
                            "mode": i.mode.replace("_", " "),
                            "rows_read": i.rows_read,
                            "imported": i.imported,
                            "skipped": i.skipped,
                            "errors_total": i.errors_total,
                            "at": i.created_at,
                        }
                        for i in imports
                    ],
                }
            )
    return render_template("campaigns/campaigns.html", campaigns=shown)
