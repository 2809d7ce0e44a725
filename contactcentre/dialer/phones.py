"""A lead's number: any human spelling to E.164 in the list's region, and its candidate zones.

phonenumbers' geocoding metadata gives the zones an area code spans (several across a zone
line); "Etc/Unknown" means none is known, stored as no zone, which the calling window blocks.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import timezone as number_zones

from contactcentre.customers.errors import InvalidPhone
from contactcentre.customers.phones import normalize_phone

UNKNOWN_ZONE = "Etc/Unknown"

__all__ = ["InvalidPhone", "candidate_zones", "to_e164"]


def to_e164(raw: str, region: str) -> str:
    """E.164 for a dialable number (assigned range); InvalidPhone saying why not."""
    return normalize_phone(raw, region, strict=True)


def candidate_zones(e164: str) -> tuple[str, ...]:
    """Every time zone the number may be in; () when unknown."""
    zones = number_zones.time_zones_for_number(phonenumbers.parse(e164))
    return tuple(sorted(z for z in zones if z != UNKNOWN_ZONE))
