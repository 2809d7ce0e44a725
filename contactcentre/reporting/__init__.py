"""Reporting: the numbers supervisors and agents read (the board, an agent's day, CSAT).

Every number is projected from the interaction event log and computed by routing/metrics.py.
"""
