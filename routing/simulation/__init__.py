"""Discrete-event simulation of a contact centre driving the real routing engine.

Scenario (demand, staff, routing config) -> simulate(seed) -> replicate(seeds) with 95% CIs.
"""

from routing.simulation.run import Replication, simulate
from routing.simulation.scenario import AgentGroup, ContactStream, HandleTime, Scenario
from routing.simulation.stats import Estimate, Summary, estimate, replicate

__all__ = [
    "AgentGroup",
    "ContactStream",
    "Estimate",
    "HandleTime",
    "Replication",
    "Scenario",
    "Summary",
    "estimate",
    "replicate",
    "simulate",
]
