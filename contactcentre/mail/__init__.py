"""Outbound email: one sender interface, SMTP in production, a folder of .eml files in dev."""
