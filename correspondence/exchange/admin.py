"""Admin of the exchange: peers with their keys (a button makes our key pair and shows the public key
to hand to the other portal's administrator), and the read-only records of what was exchanged."""
from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from correspondence import admin_scope
from correspondence.exchange import services
from correspondence.models import ExchangeAck, ExchangeLog, ExchangeMessage, ExchangePeer
from eoffice.admin_mixins import DependentsRefuseDelete, ReadOnlyAdmin


class ExchangePeerForm(forms.ModelForm):
    class Meta:
        model = ExchangePeer
        fields = "__all__"

    def clean_their_public_key(self):
        """The other portal's public key as PEM: a key that does not load would refuse every letter it sends."""
        text = (self.cleaned_data.get("their_public_key") or "").strip()
        if text:
            from cryptography.hazmat.primitives.serialization import load_pem_public_key

            try:
                load_pem_public_key(text.encode("ascii"))
            except (ValueError, UnicodeEncodeError, TypeError):
                raise forms.ValidationError("กุญแจสาธารณะไม่ถูกต้อง ต้องเป็นแบบ PEM (-----BEGIN PUBLIC KEY-----)") from None
        return text


@admin.register(ExchangePeer)
class ExchangePeerAdmin(DependentsRefuseDelete, SimpleHistoryAdmin):
    delete_instead = "ให้ยกเลิก “เปิดใช้งาน” ของระบบปลายทางแทน"
    form = ExchangePeerForm
    list_display = ["name", "base_url", "their_key_id", "our_key_id", "has_our_key", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["name", "base_url", "their_key_id", "our_key_id"]
    filter_horizontal = ["agencies"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["our_public_key_shown", "keys_button"]
    fieldsets = [
        (None, {"fields": ["name", "base_url", "enabled", "agencies"]}),
        ("กุญแจของระบบปลายทาง", {"fields": ["their_key_id", "their_public_key"]}),
        ("กุญแจของระบบนี้", {"fields": ["our_key_id", "our_public_key_shown", "keys_button"]}),
    ]
    actions = ["generate_keys"]

    @admin.display(boolean=True, description="มีกุญแจของระบบนี้")
    def has_our_key(self, obj):
        return bool(obj.our_private_key_encrypted)

    @admin.display(description="กุญแจสาธารณะของระบบนี้ (ส่งให้ระบบปลายทาง)")
    def our_public_key_shown(self, obj):
        if not obj or not obj.our_public_key:
            return "ยังไม่ได้สร้าง"
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", obj.our_public_key)

    @admin.display(description="สร้างกุญแจ")
    def keys_button(self, obj):
        if not obj or not obj.pk:
            return "บันทึกก่อน แล้วจึงสร้างกุญแจ"
        url = reverse("admin:correspondence_exchangepeer_keys", args=[obj.pk])
        label = "สร้างกุญแจใหม่ (กุญแจเดิมจะใช้ไม่ได้)" if obj.our_private_key_encrypted else "สร้างกุญแจของระบบนี้"
        return format_html('<a class="button" href="{}">{}</a>', url, label)

    def get_urls(self):
        extra = [path("<int:pk>/keys/", self.admin_site.admin_view(self.keys_view),
                      name="correspondence_exchangepeer_keys")]
        return extra + super().get_urls()

    def keys_view(self, request, pk):
        """GET asks to confirm (the old key stops working), POST (with the CSRF token) makes the keys."""
        from django.template.response import TemplateResponse

        peer = get_object_or_404(ExchangePeer, pk=pk)
        if not self.has_change_permission(request, peer):
            return HttpResponseRedirect(reverse("admin:index"))
        if request.method != "POST":
            context = {**self.admin_site.each_context(request), "peer": peer, "opts": self.model._meta,
                       "title": f"สร้างกุญแจของระบบนี้สำหรับ {peer.name}", "replacing": bool(peer.our_private_key_encrypted)}
            return TemplateResponse(request, "admin/correspondence/exchangepeer/keys_confirm.html", context)
        services.peer_keys_generate(peer, by=request.user)
        messages.success(request, f"สร้างกุญแจของระบบนี้สำหรับ {peer.name} แล้ว (keyid {peer.our_key_id}): "
                                  "ส่งกุญแจสาธารณะด้านล่างให้ผู้ดูแลระบบปลายทาง")
        return HttpResponseRedirect(reverse("admin:correspondence_exchangepeer_change", args=[pk]))

    @admin.action(description="สร้างกุญแจของระบบนี้สำหรับระบบที่เลือก")
    def generate_keys(self, request, queryset):
        for peer in queryset:
            services.peer_keys_generate(peer, by=request.user)
        messages.success(request, f"สร้างกุญแจแล้ว {queryset.count()} ระบบ: เปิดแต่ละระบบเพื่อดูกุญแจสาธารณะ")


class ReadOnlyRecords(ReadOnlyAdmin, admin.ModelAdmin):
    """Exchange records are written by the exchange services only."""


@admin.register(ExchangeMessage)
class ExchangeMessageAdmin(ReadOnlyRecords):
    list_display = ["at", "peer", "direction", "message_id", "item", "recipient"]
    list_filter = ["direction", "peer"]
    search_fields = ["message_id"]
    list_select_related = ["peer", "item", "recipient"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            admin_scope.through_item(request, optional=True),
            admin_scope.through_letter(request, "recipient__letter", optional=True))


@admin.register(ExchangeLog)
class ExchangeLogAdmin(ReadOnlyRecords):
    list_display = ["at", "direction", "kind", "peer", "key_id", "message_id", "outcome", "code", "status_code"]
    list_filter = ["direction", "kind", "outcome", "code"]
    search_fields = ["message_id", "key_id", "remote_addr"]
    list_select_related = ["peer"]


@admin.register(ExchangeAck)
class ExchangeAckAdmin(ReadOnlyRecords):
    list_display = ["created_at", "message", "status", "receipt_number", "attempts", "sent_at", "next_attempt_at",
                    "last_error"]
    list_filter = ["status"]
    list_select_related = ["message"]
    actions = ["send_again"]

    @admin.action(description="ส่งการแจ้งผลที่ยังไม่สำเร็จอีกครั้ง")
    def send_again(self, request, queryset):
        """An answer the sender's portal refused (a key rotated on one side only, clocks apart) is sent again
        once the cause is fixed; those already sent are left alone."""
        from correspondence.exchange import services

        count = services.acks_send_again(queryset)
        self.message_user(request, f"จัดส่งการแจ้งผลอีกครั้ง {count} รายการ")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            admin_scope.through_item(request, "message__item", optional=True),
            admin_scope.through_letter(request, "message__recipient__letter", optional=True))
