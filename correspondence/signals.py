"""Signals other apps listen to, so correspondence never imports them.

Sent after the transaction commits, with the model instance as ``item`` / ``letter``.
"""
from django.dispatch import Signal

# An incoming item got its receipt number in a unit's register (the signatures app stamps the PDF).
item_registered = Signal()
# A letter got its number (rendering may start).
letter_issued = Signal()
