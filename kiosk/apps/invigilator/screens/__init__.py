"""Screens of the invigilator console."""
