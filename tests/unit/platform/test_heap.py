"""The collector's settings for a server process after it has started."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from contactcentre.platform.heap import YOUNG_THRESHOLD, settle_after_start
from contactcentre.settings import load_settings


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_startup_objects_are_frozen_out_of_full_collections(restored_collector: None) -> None:
    """What exists when the process has started is frozen; later objects are still collected."""
    built_at_start: list[list[int]] = [[1], [2]]
    settle_after_start()
    assert gc.get_freeze_count() > 0
    tracked = gc.get_objects()
    assert not any(o is built_at_start for o in tracked)
    built_later: list[list[int]] = [[3]]
    assert any(o is built_later for o in gc.get_objects())


def test_young_collections_are_less_frequent_and_older_ones_keep_their_defaults(
    restored_collector: None,
) -> None:
    """Young collections wait for YOUNG_THRESHOLD allocations; the older thresholds stay."""
    _young, middle, old = gc.get_threshold()
    settle_after_start()
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, old)


def test_server_processes_freeze_by_default(tmp_path: Path) -> None:
    """Unless told otherwise, a web process freezes what it built at startup."""
    assert load_settings(instance_path=tmp_path).gc_freeze is True
