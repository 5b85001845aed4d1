"""The signed, append-only, hash-chained event ledger of a centre."""

from kiosk.ledger.centre import Centre
from kiosk.ledger.store import Event, Ledger

__all__ = ["Centre", "Event", "Ledger"]
