from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from agencies.models import (
    REMINDER_POLICY_DUPLICATE,
    Agency,
    Delegation,
    Holiday,
    LetterCode,
    Official,
    ReminderPolicy,
    RoleAssignment,
)
from eoffice import thai
from eoffice.admin_mixins import DependentsRefuseDelete
from eoffice.forms import ThaiDateField, ThaiDateInput

# Every date in these forms accepts and shows Thai (Buddhist-era) dates.
THAI_DATES = {models.DateField: {"form_class": ThaiDateField, "widget": ThaiDateInput}}


class LetterCodeInline(admin.TabularInline):
    model = LetterCode
    extra = 0
    formfield_overrides = THAI_DATES


class ReminderPolicyFormSet(forms.BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        # Two rows of the same urgency in one save: the same Thai words as a row already saved.
        return REMINDER_POLICY_DUPLICATE


class ReminderPolicyInline(admin.TabularInline):
    model = ReminderPolicy
    formset = ReminderPolicyFormSet
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


class _StoredArtwork:
    """The stored artwork as ClearableFileInput shows it ("current file"), linked to the admin's view of
    it: media files have no public URL."""

    def __init__(self, file, url: str):
        self.file, self.url = file, url

    def __str__(self):
        return self.file.name.rsplit("/", 1)[-1]


class GarudaInput(forms.ClearableFileInput):
    artwork_url = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"] and self.artwork_url:
            context["widget"]["value"] = _StoredArtwork(value, self.artwork_url)
        return context


def garuda_admin_url(agency) -> str:
    from django.urls import reverse

    return reverse("admin:agencies_agency_garuda", args=[agency.pk])


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = "__all__"
        widgets = {"garuda": GarudaInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "garuda" in self.fields and self.instance.pk and self.instance.garuda:
            self.fields["garuda"].widget.artwork_url = garuda_admin_url(self.instance)

    def clean_garuda(self):
        garuda = self.cleaned_data.get("garuda")
        if garuda and hasattr(garuda, "content_type"):  # a new upload (not the file already stored)
            check_garuda(garuda)
        return garuda


@admin.register(Agency)
class AgencyAdmin(DependentsRefuseDelete, SimpleHistoryAdmin):
    form = AgencyForm
    delete_instead = "ให้กำหนดวันสิ้นสุดแทน"  # an agency that has served letters ends, it does not vanish
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
        ("ตราครุฑและช่วงเวลาที่ใช้", {"fields": ["garuda", "garuda_in_use", "valid_from", "valid_until"]}),
    ]
    readonly_fields = ["garuda_in_use"]

    def get_urls(self):
        from django.urls import path

        artwork = path("<path:object_id>/garuda/", self.admin_site.admin_view(self.garuda_view),
                       name="agencies_agency_garuda")
        return [artwork, *super().get_urls()]

    def garuda_view(self, request, object_id):
        """The agency's own Garuda artwork, for the administrators who may view the agency."""
        from django.contrib.admin.utils import unquote
        from django.http import Http404, HttpResponse

        from correspondence.rendering.pdf import garuda_type

        agency = self.get_object(request, unquote(object_id))
        if agency is None or not agency.garuda or not self.has_view_permission(request, agency):
            raise Http404
        with agency.garuda.open("rb") as f:
            data = f.read()
        try:
            content_type = garuda_type(data)
        except ValueError:
            raise Http404 from None
        response = HttpResponse(data, content_type=content_type)
        response["X-Content-Type-Options"] = "nosniff"
        # An SVG opened by itself runs nothing and loads nothing (it was checked for scripts on upload).
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        return response

    @admin.display(description="ภาพตราครุฑที่ใช้ในหนังสือ")
    def garuda_in_use(self, obj):
        """Which artwork this agency's letters carry: its own, one inherited from an agency above, or none."""
        from django.utils.html import format_html

        artwork = obj.garuda_file() if obj.pk else None
        owner = artwork.instance if artwork else None  # the agency the file belongs to
        if owner is None:
            return "ยังไม่มีภาพตราครุฑ หนังสือจะใช้ภาพแทนชั่วคราวจนกว่าจะอัปโหลดภาพที่ส่วนราชการนี้หรือส่วนราชการที่สังกัด"
        source = "ภาพของส่วนราชการนี้" if owner.pk == obj.pk else f"ใช้ภาพของ {owner.name} (ส่วนราชการที่สังกัด)"
        return format_html('{}<br><img src="{}" alt="ภาพตราครุฑ" height="80">', source, garuda_admin_url(owner))

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
class OfficialAdmin(DependentsRefuseDelete, SimpleHistoryAdmin):
    delete_instead = "ให้ปิดการใช้งานบัญชีผู้ใช้ของเจ้าหน้าที่แทน"
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
class PortalUserAdmin(DependentsRefuseDelete, UserAdmin):
    delete_instead = "ให้ปิดการใช้งานบัญชีแทน"
    inlines = [OfficialInline]
    actions = ["revoke_api_tokens"]

    @admin.action(description="ยกเลิกโทเค็น API ของผู้ใช้ที่เลือก")
    def revoke_api_tokens(self, request, queryset):
        from eoffice.admin_credentials import revoke_api_tokens

        revoke_api_tokens(self, request, queryset)
