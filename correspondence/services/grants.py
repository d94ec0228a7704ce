"""Grants on classified letters and items (django-guardian object permissions, direct-FK rows)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from guardian.shortcuts import assign_perm, remove_perm

from agencies.selectors import official_for
from correspondence import permissions
from correspondence.models import IncomingItem, Letter


def _perm(obj) -> str:
    return permissions.VIEW_LETTER if isinstance(obj, Letter) else permissions.VIEW_ITEM


def _check_clearance(user_or_group, obj) -> None:
    official = official_for(user_or_group) if hasattr(user_or_group, "is_authenticated") else None
    if official is not None and official.clearance < obj.secrecy:
        raise ValidationError({"user": f"{official} ได้รับอนุญาตชั้นความลับไม่ถึง{obj.get_secrecy_display()}"})


def grant_view(obj: Letter | IncomingItem, user_or_group) -> None:
    """Let one user (or group) see one classified letter or item; clearance is still checked on reads."""
    _check_clearance(user_or_group, obj)
    assign_perm(_perm(obj), user_or_group, obj)


def revoke_view(obj: Letter | IncomingItem, user_or_group) -> None:
    remove_perm(_perm(obj), user_or_group, obj)
