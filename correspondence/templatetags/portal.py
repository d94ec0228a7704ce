"""Template filters of the officials' pages: Buddhist-era dates and Thai digits through eoffice.thai."""
import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from eoffice import thai
from eoffice.levels import Secrecy, Urgency

register = template.Library()


def _digits() -> str:
    # Thai pages show Thai digits; the English pages keep Arabic digits (still Buddhist-era years).
    return "arabic" if (get_language() or "th").startswith("en") else "thai"


@register.filter
def thai_date(value, style="short_year4"):
    """``29 ก.ย. 2563`` (registers), ``full`` for ``๑๗ กันยายน ๒๕๖๓``."""
    if not value:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, thai.BANGKOK)
    return thai.format_date(value, style, digits=_digits())


@register.filter
def thai_datetime(value):
    """``29 ก.ย. 2563 13.05 น.``"""
    if not value:
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, thai.BANGKOK)
    return thai.format_moment(value, digits=_digits())


@register.filter
def thai_digits(value):
    if value is None:
        return ""
    return thai.to_thai_digits(str(value)) if _digits() == "thai" else str(value)


@register.filter
def urgency_class(value) -> str:
    """CSS class of an urgency level: ``u3`` is ด่วนที่สุด (red)."""
    try:
        return f"u{int(value)}"
    except (TypeError, ValueError):
        return "u0"


@register.filter
def urgency_label(value) -> str:
    try:
        return Urgency(int(value)).label
    except (TypeError, ValueError):
        return ""


@register.filter
def secrecy_label(value) -> str:
    try:
        return Secrecy(int(value)).label
    except (TypeError, ValueError):
        return ""


@register.filter
def overdue(value) -> bool:
    if not value:
        return False
    today = thai.bangkok_date(timezone.now())
    if isinstance(value, dt.datetime):
        return value < timezone.now()
    return value < today


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """Unread notifications of the signed-in user (0 until the notifications model exists)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    from correspondence.selectors_portal import notifications_for

    return notifications_for(user, limit=0)[0]


@register.simple_tag(takes_context=True)
def holds_role(context, role: str) -> bool:
    """Whether the signed-in official holds ``role`` (e.g. to offer drafting only to drafters)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    from agencies.selectors import has_role

    return has_role(user, role)


@register.filter
def person(user) -> str:
    """A user as colleagues know them: the official's name, not the login name."""
    from correspondence.selectors_portal import person_name

    return person_name(user)


@register.simple_tag(takes_context=True)
def has_destruction_lists(context) -> bool:
    """Whether the signed-in official may open any บัญชีหนังสือขอทำลาย (to offer the page in the menu)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    from correspondence.selectors_retention import has_destruction_lists as any_lists

    return any_lists(user)
