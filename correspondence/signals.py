"""Signals other apps listen to, so correspondence never imports them.

Sent after the transaction commits (``transaction.on_commit``), with the model instance as
``item`` / ``letter``:

* ``item_registered(sender=IncomingItem, item=item)``: an incoming item got its receipt number in a
  unit's register (the signatures app adds the receipt stamp PDF).
* ``letter_issued(sender=Letter, letter=letter)``: a letter got its number (rendering may start).
* ``item_rejected(sender=IncomingItem, item=item)``: a clerk refused an incoming item (reason in
  ``item.rejected_reason``); an item from another portal is acknowledged back as rejected.
"""
from django.dispatch import Signal

item_registered = Signal()
letter_issued = Signal()
item_rejected = Signal()
