"""Interactions (one per customer contact) and their append-only event log."""
