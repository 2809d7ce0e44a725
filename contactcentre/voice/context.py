"""Everything the voice services need, wired once per process (web app or router).

The IVR flow is loaded and validated here, so a broken flow file stops start-up with its problems.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis

from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.emitter import emitter_for
from contactcentre.router.client import RoutingClient
from contactcentre.settings import Settings
from contactcentre.store.db import Database
from contactcentre.telephony.port import Telephony
from contactcentre.telephony.twilio_adapter import TwilioTelephony, twilio_client
from contactcentre.voice.call_push import CallStatePush
from contactcentre.voice.call_state import CallStore, CallWatcher
from contactcentre.voice.ivr_sessions import IvrSessionStore
from contactcentre.voice.replies import ReplyCache
from contactcentre.voice.urls import VoiceUrls
from ivr import Flow, load_flows


class FlowNotFound(RuntimeError):
    """CC_IVR_FLOW names a flow that no file under CC_IVR_FLOWS_DIR defines."""


def load_answering_flow(settings: Settings) -> Flow:
    """The flow that answers calls; raises FlowValidationError naming file, node and problem."""
    flows = load_flows(settings.ivr_flows_dir)
    if settings.ivr_flow not in flows:
        raise FlowNotFound(
            f"CC_IVR_FLOW: no flow '{settings.ivr_flow}' in {settings.ivr_flows_dir} "
            f"(found: {', '.join(sorted(flows)) or 'none'})"
        )
    return flows[settings.ivr_flow]


@dataclass
class VoiceContext:
    settings: Settings
    db: Database
    redis: redis.Redis
    telephony: Telephony
    flow: Flow | None = None
    redis_url: str = ""  # for RQ, whose connection must not decode responses
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    call_watcher: CallWatcher | None = None  # told of each change to a call's state

    @property
    def urls(self) -> VoiceUrls:
        return VoiceUrls(self.settings.public_base_url)

    @property
    def calls(self) -> CallStore:
        return CallStore(self.redis, self.call_watcher)

    @property
    def ivr_sessions(self) -> IvrSessionStore:
        return IvrSessionStore(self.redis)

    @property
    def replies(self) -> ReplyCache:
        return ReplyCache(self.redis)

    @property
    def routing(self) -> RoutingClient:
        return RoutingClient(self.redis)

    def ivr_now(self) -> datetime:
        return self.settings.ivr_fixed_time or self.clock()

    def answering_flow(self) -> Flow:
        if self.flow is None:
            self.flow = load_answering_flow(self.settings)
        return self.flow


def build_voice_context(runtime: Runtime, *, with_flow: bool) -> VoiceContext:
    settings = runtime.settings
    client = twilio_client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        settings.effective_twilio_api_base_url,
    )
    context = VoiceContext(
        settings,
        runtime.db,
        runtime.redis,
        TwilioTelephony(client),
        redis_url=runtime.redis_url,
        # Whichever process changes a call (web for webhooks and controls, the router for the
        # agent's leg) tells the agent's console itself.
        call_watcher=CallStatePush(emitter_for(runtime)),
    )
    if with_flow:
        context.flow = load_answering_flow(settings)
    return context
