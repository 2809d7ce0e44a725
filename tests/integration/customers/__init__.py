"""Integration tests of contactcentre.customers against a real migrated database."""
