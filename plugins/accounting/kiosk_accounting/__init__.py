"""Accounting question types for the kiosk: `journal_entry` (könyvelési tétel)."""
