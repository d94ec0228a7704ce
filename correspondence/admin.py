from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from correspondence import admin_scope, permissions
from correspondence.exchange import admin as _exchange_admin  # noqa: F401  (peers, exchange records)
from correspondence.models import IncomingItem, IntakeAddress, Letter, RegisterBook, RegisterEntry, SalutationRule
from eoffice import twofactor
from eoffice.admin_mixins import ReadableFields, ReadOnlyAdmin


@admin.register(SalutationRule)
class SalutationRuleAdmin(SimpleHistoryAdmin):
    list_display = ["opening", "closing", "recipients", "order"]
    search_fields = ["opening", "closing", "recipients"]


@admin.register(IntakeAddress)
class IntakeAddressAdmin(SimpleHistoryAdmin):
    """Saraban mailboxes the agency's mail server forwards to the e-mail intake (docs/mail-intake.md)."""

    list_display = ["address", "unit", "active"]
    list_filter = ["active"]
    search_fields = ["address", "unit__name", "unit__short_name"]
    raw_id_fields = ["unit"]


@admin.register(RegisterBook)
class RegisterBookAdmin(ReadableFields, admin_scope.ListedHistory, ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["unit", "kind", "prefix", "year", "last_number"]
    list_filter = ["kind", "year"]

    def get_queryset(self, request):
        return twofactor.unverified_filter(request, permissions.visible_books(request.user, super().get_queryset(request)))


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadableFields, admin_scope.ListedHistory, ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["book", "number", "status", "their_number", "dated", "subject", "registered_at"]
    list_filter = ["status", "book__kind", "book__year"]
    search_fields = ["subject", "their_number", "from_text", "to_text"]
    list_select_related = ["book__unit"]

    def get_queryset(self, request):
        # The same visibility as the API: an ungranted classified line is not listed, even here, and a
        # granted one only after the second factor, as in the portal.
        return twofactor.unverified_filter(request, permissions.visible_entries(request.user, super().get_queryset(request)))


def _grant_form_class():
    """Guardian's per-user form, holding only "view" (the one grant the portal reads) and refusing an
    official not cleared for the record: such a grant would be saved and do nothing (clearance is
    checked on every read)."""
    from django import forms
    from guardian.forms import UserObjectPermissionsForm

    from agencies.selectors import official_for

    class GrantForm(UserObjectPermissionsForm):
        def get_obj_perms_field_label(self):
            return "สิทธิ์"

        def get_obj_perms_field_choices(self):
            return [(code, "ดูหนังสือนี้") for code, _ in super().get_obj_perms_field_choices()
                    if code.startswith("view_")]

        def clean(self):
            cleaned = super().clean()
            secrecy = getattr(self.obj, "secrecy", 0)
            if cleaned.get("permissions") and secrecy:
                official = official_for(self.user)
                if official is None or official.clearance < secrecy:
                    raise forms.ValidationError(
                        f"{official or self.user} ได้รับอนุญาตชั้นความลับไม่ถึง{self.obj.get_secrecy_display()} "
                        "จึงให้สิทธิ์ไม่ได้ (ปรับชั้นความลับที่ได้รับอนุญาตของเจ้าหน้าที่ก่อน)")
            return cleaned

    return GrantForm


class GrantedAdmin(ReadableFields, admin_scope.ListedHistory, ReadOnlyAdmin, SimpleHistoryAdmin, GuardedModelAdmin):
    """Read-only records; the object-permissions page grants classified ones to officials.
    Lists hold only what the administrator may see; grants are made from a visible record."""

    def has_change_permission(self, request, obj=None):
        # The guardian object-permission pages need change permission on the model.
        return request.user.is_superuser

    def get_obj_perms_manage_user_form(self, request):
        return _grant_form_class()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The record itself is never saved from here (a no-op save would still add a history row).
        if request.method == "POST":
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("บันทึกนี้แก้ไขจากหน้าผู้ดูแลระบบไม่ได้ ใช้หน้าสิทธิ์เข้าถึงเพื่อให้สิทธิ์")
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False,
                         "show_save_and_add_another": False, "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Letter)
class LetterAdmin(GrantedAdmin):
    list_display = ["number", "subject", "kind", "state", "secrecy", "issuing_unit", "created_at"]
    list_filter = ["state", "kind", "secrecy"]
    search_fields = ["subject", "number"]
    readonly_fields = [f.name for f in Letter._meta.fields]

    def get_queryset(self, request):
        return twofactor.unverified_filter(request, permissions.visible_letters(request.user, super().get_queryset(request)))


@admin.register(IncomingItem)
class IncomingItemAdmin(GrantedAdmin):
    list_display = ["receipt_number", "their_number", "subject", "unit", "state", "secrecy", "received_at"]
    list_filter = ["state", "channel", "secrecy"]
    search_fields = ["subject", "their_number", "sender_text"]
    readonly_fields = [f.name for f in IncomingItem._meta.fields]

    def get_queryset(self, request):
        return twofactor.unverified_filter(request, permissions.visible_items(request.user, super().get_queryset(request)))


# Notifications, reminders and destruction lists.
from correspondence import admin_jobs  # noqa: E402,F401
# The outbox of sent letters.
from correspondence import admin_delivery  # noqa: E402,F401
