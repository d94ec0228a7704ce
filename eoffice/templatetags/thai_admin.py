"""The admin's date drill-down (date_hierarchy) in Buddhist-era years: ``๒๕๖๙``, ``มกราคม ๒๕๖๙``,
``๓ มกราคม ๒๕๖๙`` where Django prints 2026, "มกราคม 2026" and "3 มกราคม". The links stay Django's (their
query keeps the Christian-era year the database filters by); only the titles change."""
import datetime as dt
from urllib.parse import parse_qs

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode

from eoffice import thai

register = template.Library()


def _title(field: str, query: dict):
    """The Thai title of the drill-down step selected by ``query`` (year, month, day), None when none is."""
    def part(name):
        value = query.get(f"{field}__{name}")
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else None
        return int(value) if value else None

    year, month, day = part("year"), part("month"), part("day")
    if not year:
        return None
    if month and day:
        return thai.format_date(dt.date(year, month, day))
    if month:
        return thai.format_month(dt.date(year, month, 1))
    return thai.to_thai_digits(str(thai.be_year(year)))


def thai_date_hierarchy(cl):
    context = date_hierarchy(cl)
    if not context:
        return context
    field = cl.date_hierarchy
    steps = ([context["back"]] if context.get("back") else []) + list(context.get("choices", ()))
    for step in steps:
        # A step without a link is the day shown (Django's last level): its date is the page's own query.
        query = parse_qs(step["link"].lstrip("?")) if step.get("link") else cl.params
        step["title"] = _title(field, query) or step["title"]
    return context


@register.tag(name="thai_date_hierarchy")
def thai_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(parser, token, func=thai_date_hierarchy, template_name="date_hierarchy.html",
                              takes_context=False)
