"""Credentials in the admin: second-factor authenticators and API tokens.

An administrator resets them (deletes a lost authenticator, revokes a user's tokens) but never reads
or makes them: a TOTP key or a token key seen in the admin is a second factor or a login copied. The
packages' own admin pages (django-otp's key field and QR page, DRF's token list with "add token for
any user") are replaced by these; every reset is an access event.
"""
from django import forms
from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import TokenProxy

from eoffice import access_events
from eoffice.models import AccessKind

for model in (TOTPDevice, TokenProxy):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class _ResetOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def _log(self, request, obj, what: str):
        access_events.record(AccessKind.ROLE, request=request, user=request.user,
                             target=f"user:{obj.user_id}", change=what, name=str(obj))

    def delete_model(self, request, obj):
        self._log(request, obj, self.reset_label)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._log(request, obj, self.reset_label)
        super().delete_queryset(request, queryset)


class AuthenticatorForm(forms.ModelForm):
    """Thai help under the fields (django-otp's are English; the names are in eoffice/third_party_apps.py)."""

    class Meta:
        model = TOTPDevice
        fields = []
        help_texts = {
            "user": "ผู้ใช้ที่ลงทะเบียนแอปนี้",
            "name": "ชื่อที่ตั้งให้แอปหรือโทรศัพท์เครื่องนี้",
            "confirmed": "ผู้ใช้ใส่รหัสจากแอปถูกต้องแล้วเมื่อลงทะเบียน จึงใช้ยืนยันตัวตนได้",
            "throttling_failure_count": "เมื่อใส่รหัสผิดติดกันหลายครั้ง ระบบจะให้รอนานขึ้นก่อนลองอีกครั้ง",
            "last_used_at": "ครั้งล่าสุดที่ยืนยันตัวตนด้วยแอปนี้สำเร็จ",
        }


@admin.register(TOTPDevice)
class AuthenticatorAdmin(_ResetOnly):
    """ลบแอปยืนยันตัวตนของผู้ที่ทำโทรศัพท์หาย: the official enrols again; sessions it verified end."""

    form = AuthenticatorForm
    reset_label = "totp_device_deleted"
    list_display = ["user", "name", "confirmed", "throttling_failure_count", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "name"]
    fields = ["user", "name", "confirmed", "throttling_failure_count", "last_used_at"]
    list_select_related = ["user"]


def revoke_api_tokens(modeladmin, request, queryset):
    """An admin action on users: their API tokens end (a client must log in for a new one). Tokens are
    never listed: a token's key is its primary key, so any admin page of tokens would show it."""
    from django.contrib import messages
    from rest_framework.authtoken.models import Token

    revoked = 0
    for token in Token.objects.filter(user__in=queryset).select_related("user"):
        access_events.record(AccessKind.ROLE, request=request, user=request.user, target=f"user:{token.user_id}",
                             change="api_token_revoked", name=token.user.username)
        token.delete()
        revoked += 1
    messages.success(request, f"ยกเลิกโทเค็น API แล้ว {revoked} รายการ")


revoke_api_tokens.short_description = "ยกเลิกโทเค็น API ของผู้ใช้ที่เลือก"
