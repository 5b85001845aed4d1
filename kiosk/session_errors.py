"""What a candidate session can refuse with: shared by the in-service session
(`kiosk.session`) and the terminal's client (`kiosk.client`), which must start fast and so must
not import the session's dependencies (the ledger, cryptography, the domain)."""

from __future__ import annotations

from kiosk.errors import KioskError


class LoginFailed(KioskError):
    """Generic: never says whether the id or the code was wrong."""

    def __init__(self, message: str = "Unknown candidate id or access code.") -> None:
        super().__init__(message)


class LoginThrottled(KioskError):
    """Too many failed logins from this seat: wait `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, float(seconds))
        super().__init__(f"Too many failed attempts: wait {int(self.seconds + 0.999)} seconds.")


class SessionElsewhere(KioskError):
    """The attempt is open on another live terminal."""


class NotSaved(KioskError):
    """The ledger could not be written: call the invigilator. The change is kept pending."""


class PartClosed(KioskError):
    """The item belongs to a part that is submitted (or not yet open)."""


class NotInProgress(KioskError):
    """The attempt is not running (not started, submitted or voided)."""
