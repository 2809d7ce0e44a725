"""The pure ACD routing engine: agents, queues, routing plans, offers, traces.

Standard library only; see docs/routing-engine-contract.md for the interface.
"""
