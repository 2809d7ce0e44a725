"""The definitions reporting serves and the ids numbers carry."""

from __future__ import annotations

from contactcentre.reporting.definitions import AHT, CSAT, queue_service_level, served_id


def test_a_served_id_is_the_definitions_id_and_version():
    """Beside a number: "<id> v<version>", e.g. AHT's "aht v2"."""
    assert (served_id(AHT), served_id(CSAT)) == ("aht v2", "csat v1")


def test_a_queues_service_level_uses_its_own_target_and_short_abandons():
    """The board's service level: Genesys' variant with the queue's target and threshold."""
    level = queue_service_level(30.0, 5.0)
    assert (level.id, level.target_seconds, level.short_abandon_seconds) == (
        "service_level.genesys",
        30.0,
        5.0,
    )
