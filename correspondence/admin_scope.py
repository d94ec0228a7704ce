"""What the admin lists of records that belong to a letter or an incoming item: only rows whose letter or
item the administrator may see, and classified ones only after the second factor, as in the portal."""
from django.db.models import Q

from correspondence import permissions
from eoffice import twofactor


def visible_letters(request):
    return twofactor.unverified_filter(request, permissions.visible_letters(request.user)).values("pk")


def visible_items(request):
    return twofactor.unverified_filter(request, permissions.visible_items(request.user)).values("pk")


def through_letter(request, path: str = "letter", optional: bool = False) -> Q:
    condition = Q(**{f"{path}__in": visible_letters(request)})
    return condition | Q(**{f"{path}__isnull": True}) if optional else condition


def through_item(request, path: str = "item", optional: bool = False) -> Q:
    condition = Q(**{f"{path}__in": visible_items(request)})
    return condition | Q(**{f"{path}__isnull": True}) if optional else condition


class LetterScoped:
    """Mixed in before a ModelAdmin whose rows hang off a letter (``letter_path``)."""

    letter_path = "letter"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(through_letter(request, self.letter_path))


class ItemScoped:
    """Mixed in before a ModelAdmin whose rows hang off an incoming item (``item_path``)."""

    item_path = "item"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(through_item(request, self.item_path))
