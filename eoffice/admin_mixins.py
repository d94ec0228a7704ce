"""Shared pieces of the admin pages."""


class ReadOnlyAdmin:
    """Records written only by the portal's services (registers, logs, notifications): the admin shows them,
    never adds, edits or deletes them. Mixed in before ModelAdmin, TabularInline or GuardedModelAdmin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
