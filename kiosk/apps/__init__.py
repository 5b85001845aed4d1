"""Textual apps (candidate kiosk, …) and their shared widgets."""
