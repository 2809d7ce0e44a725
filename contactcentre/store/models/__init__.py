"""Typed SQLAlchemy models of the platform; SQL is the system of record.

Import from here: every model module is loaded so metadata is complete for Alembic.
"""

from contactcentre.store.models.agents import Agent, AgentSkill, Skill
from contactcentre.store.models.audit import AuditEntry
from contactcentre.store.models.base import Base
from contactcentre.store.models.chat import (
    CannedResponse,
    ChatAttachment,
    ChatConversation,
    ChatSite,
    CsatRating,
)
from contactcentre.store.models.customer_value import CustomerValueAlert, CustomerValueSnapshot
from contactcentre.store.models.customers import (
    Customer,
    CustomerEmail,
    CustomerNote,
    CustomerPhone,
)
from contactcentre.store.models.dialer import (
    Campaign,
    DialAttemptRow,
    DncEntryRow,
    Lead,
    LeadImport,
    LeadList,
)
from contactcentre.store.models.email import (
    EmailAttachment,
    EmailBounce,
    EmailMessageId,
    EmailQuarantine,
    EmailRule,
    EmailThread,
    InboundEmail,
    Mailbox,
    OutboundEmail,
)
from contactcentre.store.models.interactions import (
    Disposition,
    Interaction,
    InteractionEvent,
    Message,
    WrapUp,
)
from contactcentre.store.models.orders import Order
from contactcentre.store.models.reporting import (
    ReportAgentInterval,
    ReportChannelInterval,
    ReportContact,
    ReportDispositionInterval,
    ReportQueueInterval,
    ReportWatermark,
)
from contactcentre.store.models.routing import Queue, RoutingPlan, RoutingPolicy
from contactcentre.store.models.sla import (
    BusinessCalendar,
    CalendarHoliday,
    SlaAlert,
    SlaClockRow,
    SlaPolicyRow,
    SlaWatermark,
)
from contactcentre.store.models.users import ApiToken, Role, User, WebLogin

__all__ = [
    "Agent",
    "AgentSkill",
    "ApiToken",
    "AuditEntry",
    "Base",
    "BusinessCalendar",
    "CalendarHoliday",
    "Campaign",
    "CannedResponse",
    "ChatAttachment",
    "ChatConversation",
    "ChatSite",
    "CsatRating",
    "Customer",
    "CustomerEmail",
    "CustomerNote",
    "CustomerPhone",
    "CustomerValueAlert",
    "CustomerValueSnapshot",
    "DialAttemptRow",
    "Disposition",
    "DncEntryRow",
    "EmailAttachment",
    "EmailBounce",
    "EmailMessageId",
    "EmailQuarantine",
    "EmailRule",
    "EmailThread",
    "InboundEmail",
    "Interaction",
    "InteractionEvent",
    "Lead",
    "LeadImport",
    "LeadList",
    "Mailbox",
    "Message",
    "Order",
    "OutboundEmail",
    "Queue",
    "ReportAgentInterval",
    "ReportChannelInterval",
    "ReportContact",
    "ReportDispositionInterval",
    "ReportQueueInterval",
    "ReportWatermark",
    "Role",
    "RoutingPlan",
    "RoutingPolicy",
    "Skill",
    "SlaAlert",
    "SlaClockRow",
    "SlaPolicyRow",
    "SlaWatermark",
    "User",
    "WebLogin",
    "WrapUp",
]
