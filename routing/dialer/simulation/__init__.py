"""A discrete-event simulation of an outbound campaign that runs the real pacing code.

Scenario (the called parties, the carrier, the agents) -> simulate(scenario, pacer, seed) ->
RunResult (talk occupancy against the ceiling, abandon rate, the worst 30-minute window).
"""

from routing.dialer.simulation.pacers import AdaptivePacer, ModelPacer, ProgressivePacer
from routing.dialer.simulation.results import RunResult
from routing.dialer.simulation.run import simulate
from routing.dialer.simulation.scenario import OutboundScenario

__all__ = [
    "AdaptivePacer",
    "ModelPacer",
    "OutboundScenario",
    "ProgressivePacer",
    "RunResult",
    "simulate",
]
