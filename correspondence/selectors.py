"""Reads of the correspondence app shared by views, the API and tasks."""
from correspondence.models import SalutationRule
from eoffice import thai


def salutation_rules() -> tuple[thai.SalutationRule, ...]:
    """The table as the Thai kernel understands it, from the editable rows (defaults if none)."""
    rows = SalutationRule.objects.all()
    rules = tuple(
        thai.SalutationRule(key=r.key, recipients=r.recipients, opening=r.opening, closing=r.closing) for r in rows
    )
    return rules or thai.SALUTATION_RULES


def salutation_warning(opening: str, closing: str) -> str | None:
    return thai.salutation_warning(opening, closing, rules=salutation_rules())


# --- registry reads (every one goes through correspondence.permissions) ------------------------------------

import datetime as _dt  # noqa: E402

from django.db.models import Q  # noqa: E402
from django.http import Http404  # noqa: E402

from correspondence import permissions  # noqa: E402
from correspondence.models import AccessLog, IncomingItem, Letter, RegisterBook, RegisterEntry  # noqa: E402
from eoffice.levels import Secrecy  # noqa: E402


def record_access(user, obj, action: str) -> None:
    """Every view or download of a classified letter or item goes into the AccessLog, and so does a
    download of a register line's own scan when the line is classified or in the secret register."""
    if isinstance(obj, RegisterEntry):
        from eoffice import twofactor

        if not twofactor.is_sensitive(obj):
            return
    elif obj.secrecy < Secrecy.CONFIDENTIAL:
        return
    AccessLog.objects.create(user=user, action=action, secrecy=obj.secrecy,
                             letter=obj if isinstance(obj, Letter) else None,
                             item=obj if isinstance(obj, IncomingItem) else None,
                             entry=obj if isinstance(obj, RegisterEntry) else None)


def letter_list(user, *, state: str | None = None, q: str | None = None):
    qs = permissions.visible_letters(user).select_related("owner_unit", "issuing_unit")
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(subject__icontains=q) | Q(number__icontains=q))
    return qs.order_by("-created_at", "-pk")


def item_list(user, *, unit: int | None = None, state: str | None = None, q: str | None = None):
    qs = permissions.visible_items(user).select_related("unit")
    if unit:
        qs = qs.filter(unit_id=unit)
    if state:
        qs = qs.filter(state=state)
    if q:
        key = "".join(thai.to_arabic_digits(q).split())
        qs = qs.filter(Q(subject__icontains=q) | Q(sender_text__icontains=q) | Q(their_number_key__icontains=key))
    return qs.order_by("-urgency", "-received_at", "-pk")


def book_list(user, *, year: int | None = None, kind: str | None = None):
    qs = permissions.visible_books(user).select_related("unit")
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def entry_list(user, *, book: int | None = None, year: int | None = None, series: str | None = None,
               kind: str | None = None, unit: int | None = None, date_from: _dt.date | None = None,
               date_to: _dt.date | None = None, q: str | None = None):
    """Register lines with the register's filters; ``date_from``/``date_to`` bound the registration date
    (Bangkok days), ``q`` searches subject, sender/recipient and the letter number (Thai or Arabic digits)."""
    qs = permissions.visible_entries(user)
    if book:
        qs = qs.filter(book_id=book)
    # Filters on the book are resolved to book ids first (books are few): a join to the books table
    # in the lines query made the planner walk millions of lines for one year (1.7 s instead of 30 ms).
    books = {}
    if year:
        books["year"] = year
    if series is not None and series != "":
        books["prefix"] = series
    if kind:
        books["kind"] = kind
    if unit:
        books["unit_id"] = unit
    if books:
        qs = qs.filter(book_id__in=list(RegisterBook.objects.filter(**books).values_list("pk", flat=True)))
    if date_from:
        qs = qs.filter(registered_at__gte=_dt.datetime.combine(date_from, _dt.time.min, tzinfo=thai.BANGKOK))
    if date_to and date_to < _dt.date.max:  # (the last day there is bounds nothing)
        qs = qs.filter(registered_at__lt=_dt.datetime.combine(date_to + _dt.timedelta(days=1), _dt.time.min,
                                                              tzinfo=thai.BANGKOK))
    if q:
        qs = qs.filter(Q(subject__icontains=q) | Q(from_text__icontains=q) | Q(to_text__icontains=q)
                       | Q(their_number__icontains=thai.to_thai_digits(q)) | Q(their_number__icontains=q))
    return qs


def letter_get(user, pk, *, action: str | None = "view") -> Letter:
    """The letter if the user may see it, else 404 (the same answer as for a letter that does not exist)."""
    letter = permissions.visible_letters(user).filter(pk=pk).first()
    if letter is None:
        raise Http404
    if action:
        record_access(user, letter, action)
    return letter


def item_get(user, pk, *, action: str | None = "view") -> IncomingItem:
    item = permissions.visible_items(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    if action:
        record_access(user, item, action)
    return item


def book_get(user, pk) -> RegisterBook:
    book = permissions.visible_books(user).filter(pk=pk).first()
    if book is None:
        raise Http404
    return book


def entry_get(user, pk) -> RegisterEntry:
    entry = permissions.visible_entries(user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


# --- delivery of sent letters (the outbox) -------------------------------------------------------------------


def delivery_progress(letter) -> tuple[int, int]:
    """(delivered, total) over the letter's outbox rows: "n of N delivered" for a circular."""
    from django.db.models import Count

    from correspondence.models import OutboxMessage, OutboxState

    counts = OutboxMessage.objects.filter(letter=letter).aggregate(
        total=Count("pk"), delivered=Count("pk", filter=Q(state=OutboxState.DELIVERED)))
    return counts["delivered"], counts["total"]


def delivery_states(letter) -> list[dict]:
    """Each recipient's state as the sender's letter page shows it (recipients without a row get the
    letter on paper)."""
    rows = []
    for rec in letter.recipients.select_related("agency", "outbox").order_by("pk"):
        box = getattr(rec, "outbox", None)
        rows.append({
            "recipient": rec.name or rec.agency.name, "is_copy": rec.is_copy, "state": rec.state,
            "state_label": rec.get_state_display(), "reason": rec.state_reason, "receipt_number": rec.receipt_number,
            "channel": box.channel if box else None, "outbox_state": box.state if box else None,
            "attempts": box.attempts if box else 0, "next_attempt_at": box.next_attempt_at if box else None,
            "delivered_at": box.delivered_at if box else None,
        })
    return rows


def intake_unit(address: str):
    """The unit whose e-mail intake ``address`` is (any case), if it is in use and the unit receives today:
    it keeps its own registers and is not past its validity. None for any other address."""
    from django.utils import timezone

    from correspondence.models import IntakeAddress

    row = (IntakeAddress.objects.select_related("unit").filter(address=(address or "").strip().lower(), active=True)
           .first())
    if row is None or not row.unit.keeps_registers:
        return None
    today = thai.bangkok_date(timezone.now())
    if not type(row.unit).objects.valid_on(today).filter(pk=row.unit_id).exists():
        return None
    return row.unit
