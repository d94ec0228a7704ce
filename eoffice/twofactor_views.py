"""Pages and the API endpoint of the second factor: verify a code, enrol an authenticator once."""
from __future__ import annotations

import base64

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from eoffice import access_events, twofactor
from eoffice.models import AccessKind

WRONG_CODE = "รหัสยืนยันไม่ถูกต้องหรือหมดอายุแล้ว กรุณาใช้รหัสล่าสุดจากแอปยืนยันตัวตน"


def _next(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return default
    return target


def _verify(request, token: str):
    """The confirmed device that accepts ``token`` (the session is then verified), or None."""
    from django_otp import login as otp_login
    from django_otp import match_token

    device = match_token(request.user, (token or "").strip()) if token else None
    access_events.record(AccessKind.SECOND_FACTOR if device else AccessKind.SECOND_FACTOR_FAILED,
                         request=request, user=request.user)
    if device is not None:
        otp_login(request, device)
    return device


@never_cache
@login_required
@sensitive_post_parameters("token")
def verify(request):
    if not twofactor.has_device(request.user):
        return redirect(f"{_setup_url()}?next={_next(request)}")
    error = None
    if request.method == "POST":
        if _verify(request, request.POST.get("token", "")):
            return redirect(_next(request))
        error = WRONG_CODE
    return render(request, "account/two_factor.html", {"error": error, "next": _next(request)},
                  status=400 if error else 200)


def _setup_url():
    from django.urls import reverse

    return reverse("two-factor-setup")


@never_cache
@login_required
@sensitive_post_parameters("token")
def setup(request):
    """Enrol one TOTP authenticator. An official who has one already cannot add another here (a stolen
    password must not be enough to enrol the thief's phone): the administrator resets it first."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if twofactor.has_device(request.user):
        return render(request, "account/two_factor_setup.html", {"enrolled": True}, status=409)
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="แอปยืนยันตัวตน", confirmed=False)
    error = None
    if request.method == "POST":
        if device.verify_token((request.POST.get("token") or "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            from django_otp import login as otp_login

            otp_login(request, device)
            access_events.record(AccessKind.SECOND_FACTOR, request=request, user=request.user, change="enrolled")
            return redirect(_next(request))
        error = WRONG_CODE
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "account/two_factor_setup.html",
                  {"enrolled": False, "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                   "config_url": device.config_url, "error": error, "next": _next(request)},
                  status=400 if error else 200)


class TokenInput(serializers.Serializer):
    token = serializers.CharField(max_length=16)


@extend_schema(request=TokenInput, responses={204: None})
@api_view(["POST"])
def api_verify(request):
    """Verify the session of an API client (session authentication) with a current code."""
    data = TokenInput(data=request.data)
    data.is_valid(raise_exception=True)
    if not twofactor.has_device(request.user):
        return Response({"token": [twofactor.NOT_ENROLLED]}, status=status.HTTP_400_BAD_REQUEST)
    if _verify(request._request, data.validated_data["token"]) is None:
        return Response({"token": [WRONG_CODE]}, status=status.HTTP_400_BAD_REQUEST)
    return Response(status=status.HTTP_204_NO_CONTENT)
