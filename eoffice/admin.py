"""The access events in the admin: read-only, for the auditors."""
from django.contrib import admin

from eoffice.admin_mixins import ReadableFields, ReadOnlyAdmin
from eoffice.models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(ReadableFields, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("at", "kind", "user", "username", "ip", "target")
    list_filter = ("kind",)
    search_fields = ("username", "target", "ip")
    date_hierarchy = "at"
    list_select_related = ["user"]  # nullable: Django's automatic select_related leaves it out
    readonly_fields = ("at", "kind", "user", "username", "ip", "user_agent", "target", "detail")


from eoffice import admin_credentials  # noqa: E402,F401 - registers the credential admins
