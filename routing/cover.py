"""Cover between lanes: how many agents two lanes share, and the waiting work that competes.

agent_choice "least_covered" ranks a freed agent's queues by it: a queue whose other agents are
drawn away by backlog in their other queues has the least cover left, so it goes first.
"""

from __future__ import annotations

from collections.abc import Collection

from routing.pools import Index, Lane


class Cover:
    """Agents shared between every pair of lanes, rebuilt only when eligibility changes."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.version = -1
        self.shared: dict[str, dict[str, int]] = {}

    def _refresh(self) -> None:
        if self.version == self.index.version:
            return
        shared: dict[str, dict[str, int]] = {}
        for lanes in self.index.agent_lanes.values():
            for lane in lanes:
                row = shared.setdefault(lane.key, {})
                for other in lanes:
                    if other is not lane:
                        row[other.key] = row.get(other.key, 0) + 1
        self.shared = shared
        self.version = self.index.version

    def competing_backlog(self, lane: Lane, channel: str, own: Collection[str]) -> float:
        """Waiting tasks that pull this lane's other agents away, outside the `own` lanes.

        Each other lane counts its waiting `channel` tasks times the share of this lane's
        agents it also holds. The freed agent's own lanes are left out: it is choosing among
        them. Where every agent serves every lane (full pooling) the result is always 0.
        """
        self._refresh()
        eligible = len(lane.eligible)
        if not eligible:
            return 0.0
        total = 0.0
        lanes = self.index.lanes
        for key, count in self.shared.get(lane.key, {}).items():
            if key in own:
                continue
            pool = lanes[key].pools.get(channel)
            if pool is not None and pool.tasks:
                total += len(pool.tasks) * count / eligible
        return total
