"""The Redis record of each user's sockets: a socket no process vouches for falls out."""

from __future__ import annotations

from typing import Any

import pytest

from contactcentre.auth.logins import session_credential, token_credential
from contactcentre.realtime.user_sockets import USER_SOCKETS, UserSocket, UserSockets

SESSION = session_credential(1)  # a socket opened with the cookie of sign-in 1


def test_a_socket_no_process_vouches_for_is_gone_after_the_ttl(redis_client: Any) -> None:
    """A killed web process stops refreshing; its sockets stop counting after the TTL."""
    record = UserSockets(redis_client, ttl=10)
    kept, dropped = UserSocket(7, "/agent", "a1", SESSION), UserSocket(7, "/agent", "b1", SESSION)
    record.opened(kept, now=100)
    record.opened(dropped, now=100)
    record.refresh([kept], now=108)  # only the first one's process is alive

    assert record.live(7, now=112) == [kept]
    assert redis_client.zcard(USER_SOCKETS + "7") == 1  # pruned, not only filtered


def test_the_users_key_expires_with_its_last_socket(redis_client: Any) -> None:
    """The key carries a TTL a little over the record's, renewed at every refresh."""
    UserSockets(redis_client, ttl=10).opened(UserSocket(7, "/agent", "a1", SESSION), now=1)
    assert 0 < redis_client.ttl(USER_SOCKETS + "7") <= 11


def test_live_sockets_can_be_picked_by_credential(redis_client: Any) -> None:
    """A sign-out asks for its own login's sockets only; a bearer token's are told apart."""
    record = UserSockets(redis_client, ttl=10)
    browser = UserSocket(7, "/supervisor", "s1", SESSION)
    integration = UserSocket(7, "/agent", "t1", token_credential(3))
    record.refresh([browser, integration], now=50)

    assert record.live(7, now=51, credential=SESSION) == [browser]
    assert record.live(7, now=51, credential=token_credential(3)) == [integration]
    assert sorted(s.sid for s in record.live(7, now=51)) == ["s1", "t1"]
    record.closed(browser)
    assert record.live(7, now=51) == [integration]


def test_a_socket_name_part_with_a_space_is_refused() -> None:
    """Members are space-separated, so no part may hold a space or be empty."""
    with pytest.raises(ValueError, match="without spaces"):
        UserSocket(7, "/agent", "a b", SESSION)
    with pytest.raises(ValueError, match="non-empty"):
        UserSocket(7, "", "a1", SESSION)
