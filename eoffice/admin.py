"""The access events in the admin: read-only, for the auditors."""
from django.contrib import admin

from eoffice.models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "user", "username", "ip", "target")
    list_filter = ("kind",)
    search_fields = ("username", "target", "ip")
    date_hierarchy = "at"
    readonly_fields = ("at", "kind", "user", "username", "ip", "user_agent", "target", "detail")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
