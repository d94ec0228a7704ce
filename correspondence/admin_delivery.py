"""The outbox in the admin: read-only (the delivery services are its only writers), limited to the
letters the administrator may see, with a resend action for undeliverable or rejected recipients."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from correspondence.admin_scope import LetterScoped
from correspondence.models import Letter, OutboxMessage, OutboxState
from correspondence.services import delivery
from eoffice.admin_mixins import ReadableFields


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadableFields, LetterScoped, admin.ModelAdmin):
    list_display = ["letter", "recipient", "channel", "state", "attempts", "next_attempt_at", "delivered_at",
                    "receipt_number"]
    list_filter = ["state", "channel"]
    search_fields = ["message_id", "letter__number"]
    list_select_related = ["letter", "recipient__agency"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="ส่งใหม่ (ผู้รับที่ส่งไม่สำเร็จหรือปฏิเสธ)", permissions=["view"])
    def resend(self, request, queryset):
        done = 0
        for row in queryset.filter(state__in=[OutboxState.UNDELIVERABLE, OutboxState.DELIVERED]):
            try:
                delivery.recipient_resend(row.recipient, by=request.user)
                done += 1
            except (PermissionDenied, ValidationError, Letter.DoesNotExist) as exc:
                self.message_user(request, f"{row.recipient}: {exc}", messages.WARNING)
        self.message_user(request, f"ส่งใหม่ {done} รายการ")
