"""Receivers of other apps' signals, connected in SignaturesConfig.ready()."""
from . import services


def on_item_registered(sender, item, **kwargs):
    """correspondence.signals.item_registered: validate and stamp the item's PDF in a task."""
    services.item_registered_handle(item)
