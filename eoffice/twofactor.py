"""Second factor (django-otp, TOTP) for signing and for classified records and the secret register.

A request counts as verified when its session was verified with a code from the user's confirmed
authenticator (``django_otp.login``, done by the verification page or ``POST /api/v1/auth/second-factor/``),
or, for API clients that authenticate with a token and have no session, when it carries a current code
in the ``X-OTP`` header (codes are single-use: one per 30-second step).

What needs it:

* signing a letter (``require_second_factor``);
* anything classified (ลับ and above) or in a secret register (``require_for(request, obj)``); lists
  leave such rows out until the session is verified (``unverified_filter``).

Enrolment: an official without an authenticator enrols once at ``/account/two-factor/setup/``. A
second device cannot be enrolled by the user: an administrator deletes the old one in the admin
(OTP devices → TOTP devices), after which the official enrols again.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse

from eoffice.levels import Secrecy

REQUIRED = ("ต้องยืนยันตัวตนขั้นที่สอง (รหัส ๖ หลักจากแอปยืนยันตัวตน) ก่อนลงนามหรือเข้าถึงหนังสือชั้นความลับ "
            "และทะเบียนหนังสือลับ")
NOT_ENROLLED = ("ท่านยังไม่ได้ตั้งค่าการยืนยันตัวตนขั้นที่สอง กรุณาตั้งค่าที่หน้า ยืนยันตัวตนขั้นที่สอง "
                "ก่อนลงนามหรือเข้าถึงหนังสือชั้นความลับ")
_CACHE = "_eoffice_second_factor"


def enabled() -> bool:
    return getattr(settings, "EOFFICE_SECOND_FACTOR", True)


def _django_request(request):
    return getattr(request, "_request", request)  # a DRF Request wraps Django's


def is_verified(request) -> bool:
    """Whether this request is backed by a second factor of its user (see the module's docstring)."""
    if not enabled():
        return True
    base = _django_request(request)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    cached = getattr(base, _CACHE, None)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    verified = _session_verified(base, user) or _header_verified(request, user)
    setattr(base, _CACHE, (user.pk, verified))
    return verified


def _session_verified(base, user) -> bool:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    session = getattr(base, "session", None)
    device_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if not device_id:
        return False
    device = Device.from_persistent_id(device_id)
    # The device must still exist (an administrator's reset ends every session it verified).
    return device is not None and device.user_id == user.pk and device.confirmed


def _header_verified(request, user) -> bool:
    token = (request.META.get("HTTP_X_OTP") or "").strip()
    if not token:
        return False
    from django_otp import match_token

    from eoffice import access_events
    from eoffice.models import AccessKind

    device = match_token(user, token)
    access_events.record(AccessKind.SECOND_FACTOR if device else AccessKind.SECOND_FACTOR_FAILED,
                         request=_django_request(request), user=user, channel="header")
    return device is not None


def has_device(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


def require_second_factor(request) -> None:
    """PermissionDenied (403, Thai message) unless the request is verified."""
    if not is_verified(request):
        raise PermissionDenied(REQUIRED if has_device(request.user) else NOT_ENROLLED)


def is_sensitive(obj) -> bool:
    """Classified letters, items and register lines, and secret register books."""
    from correspondence.models import BookKind, RegisterBook, RegisterEntry

    if isinstance(obj, RegisterBook):
        return obj.kind == BookKind.SECRET
    if isinstance(obj, RegisterEntry) and obj.book.kind == BookKind.SECRET:
        return True
    return getattr(obj, "secrecy", Secrecy.NORMAL) >= Secrecy.CONFIDENTIAL


def require_for(request, obj) -> None:
    if is_sensitive(obj):
        require_second_factor(request)


def unverified_filter(request, qs):
    """Without a verified second factor, lists show unclassified rows only (and no secret register)."""
    if is_verified(request):
        return qs
    from correspondence.models import BookKind, RegisterBook, RegisterEntry

    if qs.model is RegisterBook:
        return qs.exclude(kind=BookKind.SECRET)
    if qs.model is RegisterEntry:
        # The secret books as ids, not a join: the lines query keeps its (book, number) index.
        secret_books = list(RegisterBook.objects.filter(kind=BookKind.SECRET).values_list("pk", flat=True))
        return qs.filter(secrecy=Secrecy.NORMAL).exclude(book_id__in=secret_books)
    return qs.filter(secrecy=Secrecy.NORMAL)


def second_factor_required(view):
    """For pages: an unverified official is sent to the verification page and comes back after."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not is_verified(request):
            return redirect_to_verify(request)
        return view(request, *args, **kwargs)

    return wrapper


def redirect_to_verify(request):
    """To the verification page, or to enrolment for a user without an authenticator yet, then back here."""
    target = "two-factor" if has_device(request.user) else "two-factor-setup"
    return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
