"""Object grants on classified letters and items (django-guardian, direct foreign keys).

Direct foreign keys let list queries join the grant table instead of scanning generic rows.
"""
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class LetterUserGrant(UserObjectPermissionBase):
    content_object = models.ForeignKey("correspondence.Letter", on_delete=models.CASCADE, related_name="user_grants")


class LetterGroupGrant(GroupObjectPermissionBase):
    content_object = models.ForeignKey("correspondence.Letter", on_delete=models.CASCADE, related_name="group_grants")


class IncomingItemUserGrant(UserObjectPermissionBase):
    content_object = models.ForeignKey("correspondence.IncomingItem", on_delete=models.CASCADE,
                                       related_name="user_grants")


class IncomingItemGroupGrant(GroupObjectPermissionBase):
    content_object = models.ForeignKey("correspondence.IncomingItem", on_delete=models.CASCADE,
                                       related_name="group_grants")
