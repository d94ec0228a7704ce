"""Admin pages of notifications, reminders and the destruction lists (imported by correspondence/admin.py).

Read-only: they are written by the services. Lists hold only rows about items the administrator
may see, and never an item's subject through its ``__str__``.
"""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from correspondence.admin_scope import ItemScoped
from correspondence.models import (
    DestructionCommitteeMember,
    DestructionLine,
    DestructionList,
    DestructionReview,
    Notification,
    Reminder,
)
from correspondence.services import retention
from eoffice.admin_mixins import ReadableFields, ReadOnlyAdmin
from eoffice.levels import Secrecy


@admin.register(Notification)
class NotificationAdmin(ReadableFields, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "urgency", "short_text", "read_at", "emailed_at"]
    list_filter = ["kind", "urgency"]
    list_select_related = ["user"]
    fields = ["user", "kind", "text", "link", "urgency", "secrecy", "created_at", "read_at", "email_wanted",
              "emailed_at"]

    def get_queryset(self, request):
        # Notifications about classified objects: only the administrator's own.
        return super().get_queryset(request).filter(Q(secrecy=Secrecy.NORMAL) | Q(user=request.user))

    @admin.display(description="ข้อความ")
    def short_text(self, obj):
        return obj.text[:80]


@admin.register(Reminder)
class ReminderAdmin(ReadableFields, ItemScoped, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["due_at", "kind", "recipient", "item_id", "minute_id", "sent_at", "cancelled_at",
                    "cancel_reason"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    fields = ["item_id", "minute_id", "recipient", "kind", "due_at", "created_at", "sent_at", "cancelled_at",
              "cancel_reason"]
    readonly_fields = ["item_id", "minute_id"]


class LineInline(ReadOnlyAdmin, admin.TabularInline):
    model = DestructionLine
    fields = ["receipt_number", "their_number", "dated", "subject", "retention", "expired_on", "archives_keep"]
    readonly_fields = fields
    extra = 0


class CommitteeInline(ReadOnlyAdmin, admin.TabularInline):
    model = DestructionCommitteeMember
    fields = ["official", "role", "appointed_by", "appointed_at"]
    readonly_fields = fields
    extra = 0


class ReviewInline(ReadOnlyAdmin, admin.TabularInline):
    model = DestructionReview
    fields = ["member", "role", "agreed", "note", "reviewed_at"]
    readonly_fields = fields
    extra = 0


@admin.register(DestructionList)
class DestructionListAdmin(ReadableFields, ReadOnlyAdmin, admin.ModelAdmin):
    """บัญชีหนังสือขอทำลาย: its committee appointed, reviews, approval, the National Archives' answer and
    the destruction are written by the services (the officials' pages at /disposal/); the admin shows them
    and offers the head's approval and the destruction as actions, under the same checks."""

    list_display = ["unit", "year", "state", "drafted_at", "approved_by", "approved_at", "archives_sent_on",
                    "archives_answer", "executed_at"]
    list_filter = ["state", "year", "archives_answer"]
    fields = ["unit", "year", "state", "drafted_at", "approved_by", "approved_at", "archives_sent_on",
              "archives_sent_by", "archives_answer", "archives_answered_on", "archives_answer_by", "executed_by",
              "executed_at"]
    readonly_fields = fields
    inlines = [CommitteeInline, ReviewInline, LineInline]
    actions = ["approve", "execute"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser  # needed for the actions; every field stays read-only

    def _run(self, request, queryset, service, done):
        for dlist in queryset:
            try:
                service(dlist, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{dlist}: {text}", messages.ERROR)
            else:
                self.message_user(request, f"{dlist}: {done}", messages.SUCCESS)

    @admin.action(description="อนุมัติบัญชีหนังสือขอทำลาย (หัวหน้าส่วนราชการ)")
    def approve(self, request, queryset):
        self._run(request, queryset, retention.destruction_approve, "อนุมัติแล้ว")

    @admin.action(description="ทำลายหนังสือตามบัญชีที่อนุมัติแล้ว")
    def execute(self, request, queryset):
        self._run(request, queryset, retention.destruction_execute, "ทำลายแล้ว")
