"""Signals of the registry, for the apps that keep figures over it (they import the registry, never the reverse)."""

from django.dispatch import Signal

# Sent after a SIRENE stock file was imported; `report` is its ImportReport.
registry_imported = Signal()
