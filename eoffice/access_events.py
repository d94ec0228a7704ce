"""The audit trail of access: logins, failed logins and lockouts, second-factor checks, register exports,
downloads of classified files, and changes to grants and roles, each an AccessEvent.

Who and from where come from the request being served (simple_history's middleware keeps it), so a grant
changed in the admin is recorded with the administrator who changed it.
"""
from __future__ import annotations

import ipaddress

from django.conf import settings

from eoffice.models import AccessEvent, AccessKind


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind the portal's own reverse proxy the last address it
    added to X-Forwarded-For (the earlier ones are whatever the client claimed)."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            address = forwarded[-1]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def current_request():
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def record(kind: str, *, request=None, user=None, username: str = "", target: str = "", **detail) -> AccessEvent:
    request = request if request is not None else current_request()
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if user is not None and not getattr(user, "pk", None):
        user = None
    event = AccessEvent(kind=kind, user=user, username=(username or getattr(user, "username", "") or "")[:150],
                        ip=client_ip(request), target=target[:200], detail=detail,
                        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300])
    event._history_user = user
    event.save()
    return event


# --- receivers (connected in EofficeConfig.ready) ---------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    record(AccessKind.LOGIN, request=request, user=user)


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(AccessKind.LOGOUT, request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password with asterisks; only the username is kept.
    username = str(credentials.get("username", ""))[:150]
    locked = bool(getattr(request, "axes_locked_out", False))
    record(AccessKind.LOCKED_OUT if locked else AccessKind.LOGIN_FAILED, request=request, user=None,
           username=username)


def _label(obj) -> str:
    return f"{obj._meta.model_name}:{obj.pk}"


def _granted_object(grant) -> str:
    model = grant._meta.get_field("content_object").related_model
    return f"{model._meta.model_name}:{grant.content_object_id}"


def on_grant_saved(sender, instance, created, **kwargs):
    # In the same transaction as the grant: a grant that rolls back leaves no event, and the reverse.
    if created:
        record(AccessKind.GRANT, target=_granted_object(instance), change="added",
               permission=instance.permission.codename, **_holder(instance))


def on_grant_deleted(sender, instance, **kwargs):
    record(AccessKind.GRANT, target=_granted_object(instance), change="removed",
           permission=instance.permission.codename, **_holder(instance))


def _holder(grant) -> dict:
    if getattr(grant, "user_id", None):
        return {"to_user": grant.user_id}
    return {"to_group": grant.group_id}


def on_role_saved(sender, instance, created, **kwargs):
    record(AccessKind.ROLE, target=f"official:{instance.official_id}", change="added" if created else "changed",
           role=instance.role, unit=instance.unit_id,
           valid_from=str(instance.valid_from or ""), valid_until=str(instance.valid_until or ""))


def on_role_deleted(sender, instance, **kwargs):
    record(AccessKind.ROLE, target=f"official:{instance.official_id}", change="removed", role=instance.role,
           unit=instance.unit_id)


def on_user_groups_changed(sender, instance, action, pk_set, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        record(AccessKind.ROLE, target=_label(instance), change=action[5:],
               **{"groups" if sender.__name__.endswith("groups") else "permissions": sorted(pk_set or [])})


_WATCHED_USER_FLAGS = ("is_superuser", "is_staff", "is_active")


def on_user_pre_save(sender, instance, **kwargs):
    if not instance.pk:
        return
    old = sender.objects.filter(pk=instance.pk).values(*_WATCHED_USER_FLAGS, "password").first()
    instance._access_flags_before = old


def on_user_saved(sender, instance, created, **kwargs):
    old = getattr(instance, "_access_flags_before", None)
    if created or not old:
        return
    changed = {f: getattr(instance, f) for f in _WATCHED_USER_FLAGS if old[f] != getattr(instance, f)}
    if changed:
        record(AccessKind.ROLE, target=_label(instance), change="flags", **changed)
    disabled = instance.password != old["password"] and not instance.has_usable_password()
    if getattr(instance, "_password", None) is not None or disabled:
        # set_password() was called (Django clears this for its own hash upgrades at login, which are not
        # changes), or password login was switched off. Wherever it happened (the official's own page, the
        # admin, manage.py changepassword): the API tokens issued against the old password end with it, and
        # the change is logged.
        from rest_framework.authtoken.models import Token

        revoked = Token.objects.filter(user=instance).delete()[0]
        record(AccessKind.PASSWORD_CHANGED, target=_label(instance), tokens_revoked=revoked)


def on_official_pre_save(sender, instance, **kwargs):
    if instance.pk:
        instance._clearance_before = sender.objects.filter(pk=instance.pk).values_list("clearance", flat=True).first()


def on_official_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_clearance_before", None)
    if not created and before is not None and before != instance.clearance:
        record(AccessKind.ROLE, target=f"official:{instance.pk}", change="clearance", clearance_from=before,
               clearance_to=instance.clearance)


def on_access_logged(sender, instance, created, **kwargs):
    """correspondence's AccessLog row of a classified download becomes an audited event as well."""
    if created and instance.action == "download":
        if instance.letter_id:
            target = f"letter:{instance.letter_id}"
        elif instance.entry_id:
            target = f"registerentry:{instance.entry_id}"
        else:
            target = f"incomingitem:{instance.item_id}"
        record(AccessKind.DOWNLOAD, user=instance.user, target=target, secrecy=instance.secrecy)


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

    from agencies.models import Official, RoleAssignment
    from correspondence.models import (
        AccessLog,
        IncomingItemGroupGrant,
        IncomingItemUserGrant,
        LetterGroupGrant,
        LetterUserGrant,
    )

    user_logged_in.connect(on_logged_in, dispatch_uid="access.login")
    user_logged_out.connect(on_logged_out, dispatch_uid="access.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="access.login_failed")
    for model in (LetterUserGrant, LetterGroupGrant, IncomingItemUserGrant, IncomingItemGroupGrant):
        post_save.connect(on_grant_saved, sender=model, dispatch_uid=f"access.grant.{model.__name__}")
        post_delete.connect(on_grant_deleted, sender=model, dispatch_uid=f"access.ungrant.{model.__name__}")
    post_save.connect(on_role_saved, sender=RoleAssignment, dispatch_uid="access.role")
    post_delete.connect(on_role_deleted, sender=RoleAssignment, dispatch_uid="access.unrole")
    User = get_user_model()
    m2m_changed.connect(on_user_groups_changed, sender=User.groups.through, dispatch_uid="access.groups")
    m2m_changed.connect(on_user_groups_changed, sender=User.user_permissions.through, dispatch_uid="access.perms")
    pre_save.connect(on_user_pre_save, sender=User, dispatch_uid="access.user.pre")
    post_save.connect(on_user_saved, sender=User, dispatch_uid="access.user")
    pre_save.connect(on_official_pre_save, sender=Official, dispatch_uid="access.official.pre")
    post_save.connect(on_official_saved, sender=Official, dispatch_uid="access.official")
    post_save.connect(on_access_logged, sender=AccessLog, dispatch_uid="access.accesslog")


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: 429, in Thai; JSON for the API, a page otherwise; with
    Retry-After when the lock lifts by itself."""
    from django.http import JsonResponse
    from django.shortcuts import render

    seconds = lockout_seconds(request)
    message = lockout_message(seconds)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    if seconds is not None:
        response["Retry-After"] = str(seconds)
    return response


def lockout_message(seconds: int | None, now=None) -> str:
    """The lockout in Thai, with when to try again (the clock time, rounded up to the minute so it is
    never too early, and the wait), as Retry-After says it to programs; without a cool-off, that an
    administrator unlocks the account."""
    import datetime as dt

    from django.utils import timezone

    from eoffice import thai

    lead = settings.AXES_COOLOFF_MESSAGE
    if seconds is None:
        return f"{lead} จนกว่าผู้ดูแลระบบจะปลดล็อก กรุณาติดต่อผู้ดูแลระบบ"
    now = now or timezone.now()
    until = now + dt.timedelta(seconds=seconds)
    if until.second or until.microsecond:
        until = until.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    same_day = thai.bangkok_date(until) == thai.bangkok_date(now)
    at = thai.format_time(until) if same_day else thai.format_moment(until)
    # Each attempt while locked starts the cool-off again (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT).
    return (f"{lead}ชั่วคราว กรุณาลองใหม่ตั้งแต่เวลา {at} (อีก {thai.format_wait(seconds)}) "
            "การลองเข้าสู่ระบบก่อนเวลานั้นจะต้องรอใหม่ตั้งแต่ต้น หรือติดต่อผู้ดูแลระบบ")


def lockout_seconds(request) -> int | None:
    """Seconds until a lockout answered now lifts: the whole cool-off, since every attempt while locked
    starts it again (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT). None without a cool-off (an
    administrator unlocks)."""
    import math

    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    if not cool_off:
        return None
    return max(1, math.ceil(cool_off.total_seconds()))


def token_view():
    """DRF's token endpoint under django-axes: a locked-out pair gets the 429 answer, not a 400."""
    from rest_framework.authtoken.views import ObtainAuthToken

    class ThrottledObtainAuthToken(ObtainAuthToken):
        def handle_exception(self, exc):
            # axes marks the request it was given: DRF's, which the middleware never sees.
            if getattr(self.request, "axes_locked_out", False):
                return lockout_response(self.request._request)
            return super().handle_exception(exc)

    return ThrottledObtainAuthToken.as_view()
