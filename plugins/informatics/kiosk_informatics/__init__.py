"""Informatics question types for the kiosk: `sql_query` and `python_function`."""
