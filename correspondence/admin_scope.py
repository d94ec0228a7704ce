"""What the admin lists of records that belong to a letter or an incoming item: only rows whose letter or
item the administrator may see, and classified ones only after the second factor, as in the portal."""
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404

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


class _Scoped:
    """The history pages answer for a row outside the list as for one that does not exist (django-simple-history
    reads them past ``get_queryset``, from the history table)."""

    def _require_listed(self, request, object_id):
        try:
            listed = self.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            listed = False
        if not listed:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_listed(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_listed(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)


class LetterScoped(_Scoped):
    """Mixed in before a ModelAdmin whose rows hang off a letter (``letter_path``)."""

    letter_path = "letter"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(through_letter(request, self.letter_path))


class ItemScoped(_Scoped):
    """Mixed in before a ModelAdmin whose rows hang off an incoming item (``item_path``)."""

    item_path = "item"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(through_item(request, self.item_path))


class ListedHistory(_Scoped):
    """django-simple-history's history pages (the audit rows, who and when) for records the admin only
    reads: listed rows only, and never a revert."""

    def revert_disabled(self, request, obj=None):
        return True

