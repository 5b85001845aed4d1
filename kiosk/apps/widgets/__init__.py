"""Widgets shared by the kiosk's Textual apps."""
