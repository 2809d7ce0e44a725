"""Tests for routing.views: read-only copies for the UI."""

from __future__ import annotations

from routing import events as ev

from .helpers import engine, offers, sign_in, submit


def test_views_are_copies_of_engine_state() -> None:
    """Changing a view never changes routing state."""
    e = engine()
    sign_in(e, "a1", 0, billing=4)
    rid = offers(submit(e, "t1", 1))[0].reservation_id
    view = e.agent("a1")
    assert view is not None and view.state == "busy" and view.offers == (rid,)
    view.skills["billing"] = 10
    assert e.agents["a1"].skills["billing"] == 4
    task = e.task("t1")
    assert task is not None and (task.status, task.agent_id) == ("offered", "a1")
    e.apply(ev.OfferAccepted(rid), 2)
    assert e.task("t1").status == "assigned"  # type: ignore[union-attr]
    assert e.agent("nobody") is None and e.task("nothing") is None
