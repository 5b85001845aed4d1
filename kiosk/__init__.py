"""Offline exam-delivery kiosk."""

__version__ = "0.1.0"
