"""Notifications (การแจ้งเตือน): written in the portal, e-mailed once by the per-minute sweep.

``notify`` is the one entry point for every app. It never notifies about an item or letter the user
cannot see, and an e-mail about a classified object says only that something waits in the portal.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from correspondence import permissions
from correspondence.models import IncomingItem, Letter, Notification, NotificationKind
from eoffice.levels import Secrecy, Urgency

log = logging.getLogger(__name__)

CLASSIFIED_EMAIL_SUBJECT = "มีเรื่องชั้นความลับรอท่านในระบบสารบรรณอิเล็กทรอนิกส์"
CLASSIFIED_EMAIL_BODY = ("มีเรื่องชั้นความลับรอท่านในระบบสารบรรณอิเล็กทรอนิกส์\n"
                         "โปรดเข้าสู่ระบบเพื่อดูรายละเอียด (ไม่แสดงเนื้อหาในไปรษณีย์อิเล็กทรอนิกส์)\n")


def _visible(user, obj) -> bool:
    if isinstance(obj, IncomingItem):
        return permissions.can_see_item(user, obj)
    if isinstance(obj, Letter):
        return permissions.can_see_letter(user, obj)
    return True


def link_for(obj) -> str:
    """The page of the object for officials (the API's path if the pages are not installed)."""
    for model, page, api in ((IncomingItem, "portal:item", "items"), (Letter, "portal:letter", "letters")):
        if isinstance(obj, model):
            try:
                return reverse(page, args=[obj.pk])
            except NoReverseMatch:
                return f"/api/v1/{api}/{obj.pk}/"
    url = getattr(obj, "get_absolute_url", None)
    return url() if callable(url) else ""


def notify(user, kind: str, text: str, obj=None, urgency: int = Urgency.NORMAL, *, email: bool = True,
           link: str = "", now: dt.datetime | None = None, secrecy: int = Secrecy.NORMAL) -> Notification | None:
    """Tell ``user`` something in the portal (and by e-mail). Returns None, writing nothing, when
    ``obj`` is an item or letter the user may not see: a notification must not reveal it exists.
    ``secrecy`` marks a text about a classified matter given without its object (no link to open), so
    that its e-mail and its admin listing are kept as a classified one's."""
    if user is None or not getattr(user, "is_active", True):
        return None
    if obj is not None and not _visible(user, obj):
        return None
    secrecy = getattr(obj, "secrecy", Secrecy.NORMAL) if obj is not None else secrecy
    n = Notification(
        user=user, kind=kind, text=text, urgency=urgency, secrecy=secrecy, created_at=now or timezone.now(),
        link=link or (link_for(obj) if obj is not None else ""),
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        email_wanted=email and bool(user.email),
    )
    n.save()
    return n


@transaction.atomic
def notification_read(notification: Notification, *, by, at: dt.datetime | None = None) -> Notification:
    """Mark as read; only its own recipient may."""
    n = Notification.objects.select_for_update().get(pk=notification.pk)
    if n.user_id != getattr(by, "pk", None):
        raise PermissionDenied("ไม่ใช่การแจ้งเตือนของท่าน")
    if n.read_at is None:
        n.read_at = at or timezone.now()
        n._history_user = by
        n.save(update_fields=["read_at"])
    return n


def email_text(n: Notification) -> tuple[str, str]:
    """Subject and body of the e-mail: nothing of a classified object's subject or text."""
    base = settings.EOFFICE_PORTAL_URL.rstrip("/")
    link = f"\n{base}{n.link}\n" if n.link else "\n"
    if n.secrecy >= Secrecy.CONFIDENTIAL:
        return CLASSIFIED_EMAIL_SUBJECT, CLASSIFIED_EMAIL_BODY + link
    urgency = Urgency(n.urgency)
    # A digest's first line already counts the urgent items.
    prefix = f"[{urgency.label}] " if urgency > Urgency.NORMAL and n.kind != NotificationKind.DIGEST else ""
    first_line = n.text.splitlines()[0] if n.text else ""
    return (prefix + first_line)[:200], n.text + "\n" + link


def lock_official(user) -> None:
    """Hold the official's user row until the transaction ends, for writers of a notification given once a
    day (two runs at once would both find none yet and both write one). PostgreSQL; SQLite has one writer."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def email_once(notification_id: int, build, *, now: dt.datetime | None = None, **unsent) -> str:
    """Send a notification's e-mail once: ``sent``, ``taken`` (sent already, or being sent by another
    worker) or ``failed``. The row is claimed by a conditional UPDATE first (``unsent``: further conditions
    on it), so two senders never both send it; a failed send releases the claim for the next attempt.
    ``build(notification)`` makes the EmailMessage."""
    now = now or timezone.now()
    if not Notification.objects.filter(pk=notification_id, emailed_at__isnull=True, **unsent).update(emailed_at=now):
        return "taken"
    n = Notification.objects.select_related("user").get(pk=notification_id)
    try:
        build(n).send()
    except Exception:
        Notification.objects.filter(pk=notification_id, emailed_at=now).update(emailed_at=None)
        log.exception("e-mail of notification %s failed; retried by the next attempt", notification_id)
        return "failed"
    return "sent"


def notification_email(notification_id: int, *, now: dt.datetime | None = None) -> bool:
    """Send one notification's e-mail (those that want one), once; a failure is retried by the next sweep."""
    def build(n):
        subject, body = email_text(n)
        return EmailMessage(subject, body, to=[n.user.email])

    return email_once(notification_id, build, now=now, email_wanted=True) == "sent"


def notifications_email_pending(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """E-mail every notification still waiting for its e-mail (run every minute with the reminder scan)."""
    ids = list(Notification.objects.filter(email_wanted=True, emailed_at__isnull=True)
               .order_by("-urgency", "created_at").values_list("pk", flat=True)[:limit])
    return sum(notification_email(pk, now=now) for pk in ids)
