from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from agencies.models import Agency, Delegation, Holiday, LetterCode, Official, ReminderPolicy, RoleAssignment
from eoffice import thai
from eoffice.forms import ThaiDateField, ThaiDateInput

# Every date in these forms accepts and shows Thai (Buddhist-era) dates.
THAI_DATES = {models.DateField: {"form_class": ThaiDateField, "widget": ThaiDateInput}}


class LetterCodeInline(admin.TabularInline):
    model = LetterCode
    extra = 0
    formfield_overrides = THAI_DATES


class ReminderPolicyInline(admin.TabularInline):
    model = ReminderPolicy
    extra = 0


@admin.register(Holiday)
class HolidayAdmin(SimpleHistoryAdmin):
    list_display = ["day_thai", "name", "agency"]
    list_filter = ["agency"]
    search_fields = ["name"]
    date_hierarchy = "day"
    formfield_overrides = THAI_DATES

    @admin.display(description="วันที่", ordering="day")
    def day_thai(self, obj):
        return thai.format_date(obj.day)


GARUDA_MAX_BYTES = 5 * 1024 * 1024


def check_garuda(upload) -> None:
    """The artwork every letter of the agency carries: PNG, JPEG or SVG by its content (what the renderer
    accepts), at most 5 MB. A wrong file here would stop every letter at ออกเลข."""
    from django.core.exceptions import ValidationError

    from correspondence.rendering.pdf import garuda_url

    if upload.size > GARUDA_MAX_BYTES:
        raise ValidationError("ภาพตราครุฑต้องมีขนาดไม่เกิน ๕ เมกะไบต์")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        garuda_url(data)
    except ValueError:
        raise ValidationError("ภาพตราครุฑต้องเป็นไฟล์ PNG, JPEG หรือ SVG") from None
    if data.lstrip()[:5] in (b"<svg ", b"<?xml") and (b"<script" in data.lower() or b"javascript:" in data.lower()):
        raise ValidationError("ภาพตราครุฑแบบ SVG ต้องไม่มีสคริปต์")


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = "__all__"

    def clean_garuda(self):
        garuda = self.cleaned_data.get("garuda")
        if garuda and hasattr(garuda, "content_type"):  # a new upload (not the file already stored)
            check_garuda(garuda)
        return garuda


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    form = AgencyForm
    list_display = ["name", "short_name", "level", "letter_code_today", "unit_number_thai", "parent", "keeps_registers"]
    list_filter = ["level", "keeps_registers"]
    search_fields = ["name", "short_name", "unit_number", "letter_codes__code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [LetterCodeInline, ReminderPolicyInline]
    formfield_overrides = THAI_DATES
    fieldsets = [
        (None, {"fields": ["parent", "level", "name", "short_name", "unit_number", "keeps_registers"]}),
        ("ที่อยู่และการติดต่อ", {"fields": ["address_lines", "postcode", "phone", "fax", "email"]}),
        ("ตราครุฑและช่วงเวลาที่ใช้", {"fields": ["garuda", "valid_from", "valid_until"]}),
    ]

    def get_queryset(self, request):
        from agencies.selectors import agencies_with_letter_code

        return agencies_with_letter_code(super().get_queryset(request))

    @admin.display(description="รหัสตัวพยัญชนะ")
    def letter_code_today(self, obj):
        return obj.current_letter_code

    @admin.display(description="เลขประจำส่วนราชการ", ordering="unit_number")
    def unit_number_thai(self, obj):
        return thai.format_unit_number(obj.unit_number) if obj.unit_number else ""


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]
    formfield_overrides = THAI_DATES


class DelegationInline(admin.TabularInline):
    model = Delegation
    extra = 0
    formfield_overrides = THAI_DATES


@admin.register(Official)
class OfficialAdmin(SimpleHistoryAdmin):
    list_display = ["display_name", "position", "unit", "clearance", "user"]
    list_filter = ["clearance", "roles__role"]
    search_fields = ["first_name", "last_name", "position", "user__username", "unit__name"]
    list_select_related = ["unit", "user"]
    autocomplete_fields = ["unit", "user"]
    inlines = [RoleInline, DelegationInline]


class OfficialInline(admin.StackedInline):
    model = Official
    can_delete = False
    autocomplete_fields = ["unit"]
    fk_name = "user"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [OfficialInline]
    actions = ["revoke_api_tokens"]

    @admin.action(description="ยกเลิกโทเค็น API ของผู้ใช้ที่เลือก")
    def revoke_api_tokens(self, request, queryset):
        from eoffice.admin_credentials import revoke_api_tokens

        revoke_api_tokens(self, request, queryset)
