"""Importers (GIFT, Aiken, QTI 2.1) and exporters (GIFT): pure parsing into bank-format dicts."""
