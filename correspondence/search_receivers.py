"""Keeps the search index current: every save of a letter, an incoming item or a register line
rewrites its search document (correspondence.services.search), in the same transaction."""
from django.db.models.signals import post_save
from django.dispatch import receiver

from correspondence.models import IncomingItem, Letter, RegisterEntry
from correspondence.services import search

# Saves that touch none of these leave the document as it is (state changes, stamps, locks).
_ITEM_FIELDS = {"unit", "secrecy", "urgency", "received_at", "subject", "their_number", "sender_text", "addressee",
                "pdf", "receipt_number", "filed_at"}
_LETTER_FIELDS = {"owner_unit", "issuing_unit", "secrecy", "urgency", "subject", "number", "content"}
_ENTRY_FIELDS = {"book", "secrecy", "urgency", "registered_at", "subject", "their_number", "from_text", "to_text",
                 "action_taken", "remarks", "letter", "item"}


def _skip(kwargs, fields) -> bool:
    update_fields = kwargs.get("update_fields")
    return kwargs.get("raw") or (update_fields is not None and not set(update_fields) & fields)


@receiver(post_save, sender=IncomingItem, dispatch_uid="search_item")
def _item_saved(sender, instance, **kwargs):
    if not _skip(kwargs, _ITEM_FIELDS):
        search.document_item_update(instance, created=kwargs.get("created", False))


@receiver(post_save, sender=Letter, dispatch_uid="search_letter")
def _letter_saved(sender, instance, **kwargs):
    if not _skip(kwargs, _LETTER_FIELDS):
        search.document_letter_update(instance, created=kwargs.get("created", False))


@receiver(post_save, sender=RegisterEntry, dispatch_uid="search_entry")
def _entry_saved(sender, instance, **kwargs):
    if not _skip(kwargs, _ENTRY_FIELDS):
        search.document_entry_update(instance, created=kwargs.get("created", False))
