"""Unit tests of contactcentre.customers (no database)."""
