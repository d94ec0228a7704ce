"""Acknowledgements back to the sender's portal when a clerk registers or rejects an item that came
from it. Connected in CorrespondenceConfig.ready(); beat's reconciliation covers a lost signal."""
from correspondence.models import AckStatus


def on_item_registered(sender, item, **kwargs):
    from correspondence.exchange.services import ack_enqueue

    if item.channel == "peer" and not item.parent_id:
        ack_enqueue(item, AckStatus.REGISTERED)


def on_item_rejected(sender, item, **kwargs):
    from correspondence.exchange.services import ack_enqueue

    if item.channel == "peer" and not item.parent_id:
        ack_enqueue(item, AckStatus.REJECTED)


def connect():
    from correspondence.exchange import tasks  # noqa: F401  (registers the tasks with the worker)
    from correspondence.signals import item_registered, item_rejected

    item_registered.connect(on_item_registered, dispatch_uid="exchange.item_registered")
    item_rejected.connect(on_item_rejected, dispatch_uid="exchange.item_rejected")
