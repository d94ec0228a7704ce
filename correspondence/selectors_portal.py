"""Reads behind the officials' pages: the dashboard, the queue, an item's and a letter's page.

Every read goes through ``correspondence.permissions`` (visible_items, visible_letters, …), so an
ungranted classified record is absent from every list and count. Each list is a fixed number of
queries whatever its length (select_related / prefetch_related, no per-row lookups).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from agencies.models import Agency, Official, Role
from agencies.selectors import has_role, official_for
from correspondence import permissions
from correspondence.models import (
    Channel,
    Enclosure,
    IncomingItem,
    ItemState,
    Letter,
    LetterRecipient,
    LetterReference,
    LetterState,
    Minute,
    RecipientState,
    RegisterEntry,
    ReviewDecision,
    ReviewStep,
    Routing,
)
from correspondence.models.mail import UNVERIFIED
from eoffice import thai
from eoffice.levels import Secrecy, Urgency

DASHBOARD_LIMIT = 50
QUEUE_PAGE = 50

# The phrases officials use when minuting and routing (เกษียนหนังสือ).
MINUTE_PHRASES = (
    "เพื่อโปรดทราบ",
    "เพื่อโปรดพิจารณา",
    "เพื่อโปรดทราบและพิจารณาดำเนินการ",
    "มอบ … ดำเนินการ",
    "มอบ … พิจารณาเสนอความเห็น",
    "จัดเข้าวาระการประชุม",
    "เพื่อทราบ",
    "เพื่อดำเนินการ",
)
ROUTING_PHRASES = ("เพื่อโปรดทราบ", "เพื่อดำเนินการ", "เพื่อพิจารณาเสนอความเห็น", "เพื่อเวียนแจ้ง")


def _today() -> dt.date:
    return thai.bangkok_date(timezone.now())


# --- the dashboard -----------------------------------------------------------------------------------


@dataclass
class Dashboard:
    official: Official | None
    my_items: list = field(default_factory=list)
    overdue_items: list = field(default_factory=list)
    overdue_minutes: list = field(default_factory=list)
    my_minutes: list = field(default_factory=list)
    to_review: list = field(default_factory=list)
    to_sign: list = field(default_factory=list)
    to_issue: list = field(default_factory=list)
    to_send: list = field(default_factory=list)
    drafts: list = field(default_factory=list)
    sent: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def _items_base(user, verified: bool = True):
    qs = permissions.visible_items(user)
    if not verified:
        qs = qs.filter(secrecy=Secrecy.NORMAL)
    return qs.select_related("unit", "sender_agency")


def my_review_steps(user):
    """Review steps that are the user's turn now: pending, in the letter's latest round, with no
    earlier pending step before them."""
    official = official_for(user)
    if official is None:
        return ReviewStep.objects.none()
    earlier = ReviewStep.objects.filter(letter=OuterRef("letter"), round=OuterRef("round"),
                                        decision=ReviewDecision.PENDING, order__lt=OuterRef("order"))
    later_round = ReviewStep.objects.filter(letter=OuterRef("letter"), round__gt=OuterRef("round"))
    return (ReviewStep.objects.filter(reviewer=official, decision=ReviewDecision.PENDING,
                                      letter__state=LetterState.IN_REVIEW,
                                      letter__in=permissions.visible_letters(user))
            .filter(~Exists(earlier), ~Exists(later_round))
            .select_related("letter", "letter__owner_unit"))


def _clerk_units(user) -> set[int]:
    return permissions._role_units(user, Role.REGISTRY_CLERK)


def dashboard(user, *, verified: bool = True) -> Dashboard:
    """``verified=False`` (no second factor in this session) leaves every classified row out."""
    official = official_for(user)
    board = Dashboard(official=official)
    if official is None:
        return board
    today = _today()
    now = timezone.now()
    open_states = (ItemState.RECEIVED, ItemState.REGISTERED, ItemState.ROUTED)
    mine = Q(unit_id=official.unit_id) | Q(minutes__assignee=official, minutes__acknowledged_at__isnull=True)
    items = permissions.visible_items(user)
    if not verified:
        items = items.filter(secrecy=Secrecy.NORMAL)
    my_items = _items_base(user, verified).filter(state__in=open_states).filter(
        pk__in=IncomingItem.objects.filter(mine).values("pk"))
    # Most urgent first, and within a level the longest waiting (as the queue): what drops off a long
    # list is the newest, never the oldest.
    board.my_items = list(my_items.order_by("-urgency", "received_at", "-pk")[:DASHBOARD_LIMIT])
    if len(board.my_items) < DASHBOARD_LIMIT:
        totals = {"total": len(board.my_items),
                  "most": sum(1 for i in board.my_items if i.urgency == Urgency.MOST_URGENT)}
    else:  # one query for the real counts when the list is cut
        from django.db.models import Count

        totals = my_items.order_by().aggregate(total=Count("pk"),
                                               most=Count("pk", filter=Q(urgency=Urgency.MOST_URGENT)))
    overdue_minutes = Minute.objects.filter(
        item__in=items, acknowledged_at__isnull=True, due__lt=today,
    ).filter(Q(assignee=official) | Q(item__unit_id=official.unit_id))
    board.overdue_minutes = list(overdue_minutes.select_related("item", "assignee", "author")
                                 .order_by("due", "pk")[:DASHBOARD_LIMIT])
    board.overdue_items = list(_items_base(user, verified).filter(unit_id=official.unit_id, state=ItemState.RECEIVED,
                                                        deliver_by__lt=now)
                               .order_by("deliver_by", "pk")[:DASHBOARD_LIMIT])
    board.my_minutes = list(Minute.objects.filter(assignee=official, acknowledged_at__isnull=True,
                                                  item__in=items)
                            .select_related("item", "author").order_by("due", "written_at")[:DASHBOARD_LIMIT])
    letters = permissions.visible_letters(user).select_related("owner_unit", "issuing_unit")
    if not verified:
        letters = letters.filter(secrecy=Secrecy.NORMAL)
    steps = my_review_steps(user) if verified else my_review_steps(user).filter(letter__secrecy=Secrecy.NORMAL)
    board.to_review = list(steps.order_by("-letter__urgency", "letter__created_at")[:DASHBOARD_LIMIT])
    board.to_sign = list(letters.filter(state=LetterState.ISSUED, signer=official)
                         .order_by("-urgency", "created_at")[:DASHBOARD_LIMIT])
    clerk_units = _clerk_units(user)
    if clerk_units:
        board.to_issue = list(letters.filter(state=LetterState.APPROVED, issuing_unit__in=clerk_units)
                              .order_by("-urgency", "created_at")[:DASHBOARD_LIMIT])
        from correspondence.services.letters import ready_to_send

        board.to_send = list(letters.filter(ready_to_send(), issuing_unit__in=clerk_units)
                             .order_by("-urgency", "created_at")[:DASHBOARD_LIMIT])
    board.drafts = list(letters.filter(created_by=user, state=LetterState.DRAFT).order_by("-created_at")[:DASHBOARD_LIMIT])
    board.sent = list(
        letters.filter(Q(created_by=user) | Q(issuing_unit__in=clerk_units), state=LetterState.SENT)
        .prefetch_related(Prefetch("recipients", queryset=LetterRecipient.objects.select_related("agency")))
        .order_by("-created_at")[:DASHBOARD_LIMIT])
    board.counts = {
        "my_items": totals["total"],
        "most_urgent": totals["most"],
        "overdue": len(board.overdue_minutes) + len(board.overdue_items),
        "to_review": len(board.to_review),
        "to_sign": len(board.to_sign),
    }
    return board


# --- the incoming queue and its filters -----------------------------------------------------------------


@dataclass
class QueueFilters:
    year: int | None = None
    urgency: int | None = None
    secrecy: int | None = None
    state: str | None = None
    sender: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    series: str | None = None
    unit: int | None = None


def incoming_queue(user, f: QueueFilters, *, verified: bool = True):
    """The unit's queue: most urgent first, then the oldest waiting. ``f.unit`` narrows to one unit
    the user sees; by default the user's own unit."""
    official = official_for(user)
    qs = _items_base(user, verified).prefetch_related(
        Prefetch("register_entries", queryset=RegisterEntry.objects.select_related("book")))
    if official is None:
        return qs.none()
    qs = qs.filter(unit_id=f.unit or official.unit_id)
    if f.year:
        ce = f.year - thai.BE_OFFSET if f.year > thai.BE_YEAR_MIN else f.year
        qs = qs.filter(received_at__year=ce)
    if f.urgency is not None:
        qs = qs.filter(urgency=f.urgency)
    if f.secrecy is not None:
        qs = qs.filter(secrecy=f.secrecy)
    if f.state:
        qs = qs.filter(state=f.state)
    else:
        # Exactly the partial index's predicate (item_open_queue, secrecy included): the page's COUNT stays an
        # index-only scan. Excluding rejected items too made it read the heap (64,800 rows: 105 ms at a
        # million items); they are listed with the state filter (สถานะ: ปฏิเสธการรับ).
        qs = qs.exclude(state=ItemState.CLOSED)
    if f.sender:
        qs = qs.filter(Q(sender_text__icontains=f.sender) | Q(sender_agency__name__icontains=f.sender))
    if f.date_from:
        qs = qs.filter(received_at__gte=dt.datetime.combine(f.date_from, dt.time.min, tzinfo=thai.BANGKOK))
    if f.date_to:
        qs = qs.filter(received_at__lt=dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min,
                                                           tzinfo=thai.BANGKOK))
    if f.series is not None and f.series != "":
        qs = qs.filter(register_entries__book__prefix=f.series).distinct()
    return qs.order_by("-urgency", "received_at", "-pk")


def units_to_route(item: IncomingItem) -> list[Agency]:
    """Units directly or further below the item's unit that it has not been routed to yet (the only
    targets item_route accepts)."""
    from correspondence.services.receiving import route_targets

    return route_targets(item)


def assignable_officials(item: IncomingItem) -> list[Official]:
    """Officials a minute may be assigned to (receiving._can_assign): an unclassified item, those of its
    unit and the units above, who see it; a classified one, those cleared for it in the units around
    it, who get a grant with the assignment."""
    if item.secrecy >= Secrecy.CONFIDENTIAL:
        units = permissions.units_below(item.unit_id) | set(permissions.units_above(item.unit_id))
        qs = Official.objects.filter(unit_id__in=units, clearance__gte=item.secrecy)
    else:
        qs = Official.objects.filter(unit_id__in=permissions.units_above(item.unit_id))
    return list(qs.select_related("unit").order_by("unit_id", "first_name"))


# --- an item's page ---------------------------------------------------------------------------------------


@dataclass
class ItemActions:
    register: bool = False
    edit: bool = False  # แก้ไขรายละเอียด before registering
    route: bool = False
    minute: bool = False
    close: bool = False
    present: bool = False
    acknowledge: list = field(default_factory=list)


def item_actions(user, item: IncomingItem) -> ItemActions:
    from correspondence.services.receiving import CORRECTABLE_CHANNELS

    official = official_for(user)
    actions = ItemActions()
    if official is None:
        return actions
    if item.secrecy >= Secrecy.CONFIDENTIAL:
        registry = (has_role(user, Role.SECRET_REGISTRAR, unit=item.unit) and official.clearance >= item.secrecy)
    else:
        registry = has_role(user, Role.REGISTRY_CLERK, unit=item.unit)
    actions.register = registry and item.state == ItemState.RECEIVED
    actions.edit = actions.register and item.channel in CORRECTABLE_CHANNELS
    actions.route = (registry and item.state in (ItemState.REGISTERED, ItemState.ROUTED)
                     and item.secrecy < Secrecy.TOP_SECRET
                     and bool(permissions.units_below(item.unit_id) - {item.unit_id}))  # a unit with none below
    actions.close = registry and item.state in (ItemState.REGISTERED, ItemState.ROUTED)
    # A classified item is seen only through grants: its registrar presents it to an executive.
    actions.present = actions.close and item.secrecy >= Secrecy.CONFIDENTIAL
    actions.minute = (item.state in (ItemState.REGISTERED, ItemState.ROUTED)
                      and permissions.role_in_unit_or_above(user, Role.EXECUTIVE, item.unit))
    actions.acknowledge = [m.pk for m in item.minutes.all() if m.assignee_id == official.pk and not m.acknowledged_at]
    return actions


def person_name(user) -> str:
    """An official's name as colleagues know it (not the login name)."""
    if user is None:
        return "ระบบ"
    official = getattr(user, "official", None)
    if official is not None:
        return official.display_name
    return user.get_full_name() or user.get_username()


def item_timeline(item: IncomingItem) -> list[dict]:
    """Receipt, registration, routing and minutes of the item and the item it was routed from, in time order."""
    how = f"รับหนังสือ ({item.get_channel_display()})"
    if item.channel == Channel.EMAIL and item.received_by_id is None:
        how = UNVERIFIED  # the e-mail intake: nobody checked who sent it yet
    events = [{"at": item.received_at, "kind": "received", "text": how, "who": item.unit.name}]
    if item.registered_at:
        events.append({"at": item.registered_at, "kind": "registered",
                       "text": f"ลงทะเบียนรับ เลขรับ {thai.to_thai_digits(item.receipt_number)}", "who": item.unit.name})
    for r in item.routings.all():
        events.append({"at": r.routed_at, "kind": "routed", "text": f"ส่งต่อถึง {r.to_unit.name}"
                       + (f" — {r.note}" if r.note else ""), "who": person_name(r.routed_by)})
    for m in item.minutes.all():
        text = m.action + (f" {m.text}" if m.text else "")
        if m.assignee_id:
            text += f" ผู้รับผิดชอบ {m.assignee.display_name}"
        if m.due:
            text += f" กำหนดเสร็จ {thai.format_date(m.due, 'short')}"
        events.append({"at": m.written_at, "kind": "minute", "text": text, "who": m.author.display_name,
                       "minute": m})
        if m.acknowledged_at:
            events.append({"at": m.acknowledged_at, "kind": "acknowledged", "text": "รับทราบ",
                           "who": m.assignee.display_name if m.assignee_id else ""})
    if item.closed_at:
        events.append({"at": item.closed_at, "kind": "closed", "text": f"ปิดเรื่อง เก็บที่ {item.filed_at}",
                       "who": item.unit.name})
    return sorted(events, key=lambda e: e["at"])


def item_page(user, item: IncomingItem, *, verified: bool = True) -> dict:
    """Everything the item's page shows, in a fixed number of queries."""
    item = (IncomingItem.objects.select_related("unit", "sender_agency", "letter", "parent", "parent__unit",
                                                "duplicate_of", "received_mail")
            .prefetch_related(
                Prefetch("routings", queryset=Routing.objects.select_related("to_unit", "routed_by", "copy")),
                Prefetch("minutes", queryset=Minute.objects.select_related("author", "assignee")))
            .get(pk=item.pk))
    visible = permissions.visible_items(user)
    # The chain of receipt: the item it was routed from (if seen) and the copies routed on (if seen).
    chain_ids = {item.pk}
    node = item
    while node.parent_id and len(chain_ids) < 10:
        chain_ids.add(node.parent_id)
        node = node.parent
    chain = list(visible.filter(Q(pk__in=chain_ids) | Q(parent=item)).select_related("unit")
                 .order_by("received_at", "pk"))
    # The units above that received it first, where the user may not open their items: their receipt
    # numbers and times only (what their stamps on the PDF say), no link.
    seen = {c.pk for c in chain}
    node, above = item, []
    while node.parent_id and len(above) < 10:
        node = node.parent
        if node.pk not in seen:
            above.append(node)
    for node in above:
        node.unlinked = True
    chain = sorted(chain + above, key=lambda c: (c.received_at, c.pk))
    from signatures.models import ReceiptStamp
    stamps = {s.item_id: s for s in ReceiptStamp.objects.filter(item__in=[c.pk for c in chain])}
    for c in chain:
        c.stamp = stamps.get(c.pk)
    history = list(item.history.select_related("history_user__official").order_by("-history_date")[:50])
    # สิ่งที่ส่งมาด้วย of a letter that came through the portal (its files travel with the letter).
    enclosures = list(Enclosure.objects.filter(letter_id=item.letter_id).order_by("order")) if item.letter_id else []
    # ... and those that came with it from another portal or by e-mail (the PDFs after the letter).
    attachments = list(item.received_attachments.all()) if item.channel in (Channel.PEER, Channel.EMAIL) else []
    from correspondence.services.receiving import duplicate_question

    actions = item_actions(user, item)
    duplicate = _item_duplicate(user, item, visible, actions, verified)
    return {"item": item, "chain": chain, "timeline": item_timeline(item), "history": history, "enclosures": enclosures,
            "attachments": attachments,
            "actions": actions, "related": related_for_item(user, item), "duplicate": duplicate,
            "duplicate_question": duplicate_question(duplicate) if duplicate and actions.register else ""}


def _item_duplicate(user, item: IncomingItem, visible, actions: ItemActions, verified: bool) -> IncomingItem | None:
    """The letter this item repeats, only if the user may see it (a classified one they may not stays
    unnamed): once registered, the one it was linked to; before, for the clerk, the one registering would
    link it to."""
    from correspondence.services.receiving import item_duplicate

    if not verified:
        visible = visible.filter(secrecy=Secrecy.NORMAL)
    if item.duplicate_of_id:
        return item.duplicate_of if visible.filter(pk=item.duplicate_of_id).exists() else None
    if actions.register:
        return item_duplicate(item, user, verified=verified)
    return None


def related_for_item(user, item: IncomingItem) -> dict:
    """References both ways: what the original letter cites, and the user's letters that cite this item."""
    cites, cited_by = [], []
    if item.letter_id:
        for r in item.letter.references.select_related("entry"):
            cites.append(f"{r.entry.their_number} {r.entry.subject}" if r.entry_id else r.text)
    cited_by = list(permissions.visible_letters(user).filter(references__entry__item=item)
                    .distinct().order_by("-created_at")[:20])
    return {"cites": cites, "cited_by": cited_by}


# --- a letter's page ----------------------------------------------------------------------------------------


@dataclass
class LetterActions:
    edit: bool = False
    submit: bool = False
    review: bool = False
    issue: bool = False
    sign: bool = False
    send: bool = False
    dispatch_paper: bool = False
    cancel: bool = False


def letter_actions(user, letter: Letter) -> LetterActions:
    from correspondence.services.letters import current_step, ready_to_send_state, signed_kind

    official = official_for(user)
    a = LetterActions()
    if official is None:
        return a
    drafter = letter.created_by_id == user.pk
    clerk = has_role(user, Role.REGISTRY_CLERK, unit=letter.issuing_unit)
    a.edit = a.submit = drafter and letter.state == LetterState.DRAFT
    step = current_step(letter)
    a.review = step is not None and step.reviewer_id == official.pk
    a.issue = clerk and letter.state == LetterState.APPROVED
    signed = signed_kind(letter.kind)
    a.sign = signed and letter.state == LetterState.ISSUED and letter.signer_id == official.pk
    ready = clerk and letter.state == ready_to_send_state(letter.kind)
    # ลับที่สุด never goes electronically: the clerk records that it left on paper instead.
    a.send = ready and letter.secrecy < Secrecy.TOP_SECRET
    a.dispatch_paper = ready and letter.secrecy >= Secrecy.TOP_SECRET
    a.cancel = ((drafter and letter.state in (LetterState.DRAFT, LetterState.IN_REVIEW, LetterState.APPROVED))
                or (clerk and letter.state in (LetterState.ISSUED, LetterState.SIGNED)))
    return a


def letter_page(user, letter: Letter) -> dict:
    from signatures.selectors import letter_signatures

    letter = (Letter.objects.select_related("owner_unit", "issuing_unit", "signer", "created_by")
              .prefetch_related(
                  Prefetch("review_steps", queryset=ReviewStep.objects.select_related("reviewer")),
                  Prefetch("recipients", queryset=LetterRecipient.objects.select_related("agency")),
                  "enclosures", Prefetch("references", queryset=LetterReference.objects.select_related("entry")))
              .get(pk=letter.pk))
    recipients = list(letter.recipients.all())
    # Reached the recipient (delivered, registered, acknowledged, or refused by them): not a failure.
    delivered = sum(1 for r in recipients if r.state not in (RecipientState.PENDING, RecipientState.UNDELIVERABLE))
    failed = sum(1 for r in recipients if r.state == RecipientState.UNDELIVERABLE)
    cited_by = list(permissions.visible_letters(user).filter(references__entry__letter=letter)
                    .exclude(pk=letter.pk).distinct().order_by("-created_at")[:20])
    history = list(letter.history.select_related("history_user__official").order_by("-history_date")[:50])
    return {"letter": letter, "recipients": recipients, "delivered": delivered, "failed": failed,
            "total": len(recipients),
            "signatures": letter_signatures(letter), "actions": letter_actions(user, letter),
            "cited_by": cited_by, "history": history}


def latest_return(letter: Letter) -> ReviewStep | None:
    """The reviewer's comment the drafter is to act on: the latest return of a draft (none once it is
    in review again, or if it was never returned)."""
    if letter.state != LetterState.DRAFT:
        return None
    return (letter.review_steps.filter(decision=ReviewDecision.RETURNED).select_related("reviewer")
            .order_by("-round", "-pk").first())


def reference_choices(user, limit: int = 200, *, verified: bool = True, keep=()):
    """Register lines a drafter may cite (อ้างถึง), active, newest registered first (``permissions.citable_recent``);
    ``verified=False`` (no second factor in this session): unclassified lines of ordinary books only.
    ``keep``: active lines a draft already cites stay among the choices even when older than the newest
    ``limit`` (classified ones only in a verified session: the edit page asks for it first)."""
    from correspondence.models import EntryStatus

    qs = RegisterEntry.objects.filter(status=EntryStatus.ACTIVE).select_related("book").order_by("-pk")
    if not verified:
        qs = permissions.ordinary_lines(qs)
    chosen = permissions.citable_recent(user, qs, limit)
    missing = set(keep) - {e.pk for e in chosen}
    if missing:
        chosen += [e for e in qs.filter(pk__in=missing) if permissions.entry_citable(user, e)]
    return chosen


def recipient_agencies():
    """Agencies a letter may be sent to through the portal (the ones that keep registers)."""
    return list(Agency.objects.filter(keeps_registers=True).order_by("name"))


def reviewers_for(user):
    return list(Official.objects.filter(roles__role=Role.REVIEWER).select_related("unit").distinct()
                .order_by("first_name"))


def signers_for(user):
    """Signers of the user's own ministry (letters_service._check_signer accepts no other)."""
    official = official_for(user)
    if official is None:
        return []
    ministry = permissions.units_below(official.unit.top.pk)
    return list(Official.objects.filter(roles__role=Role.SIGNER, unit_id__in=ministry).select_related("unit")
                .distinct().order_by("first_name"))


def notifications_for(user, limit: int = 10) -> tuple[int, list]:
    """Unread count and the latest notifications, if the notifications model is installed."""
    try:
        from correspondence.models.notifications import Notification
    except ImportError:
        return 0, []
    qs = Notification.objects.filter(user=user)
    unread = qs.filter(read_at__isnull=True)
    return unread.count(), list(qs.select_related("content_type").order_by("-created_at", "-pk")[:limit])


def notification_target(n) -> str:
    """The page a notification points to: the item's or letter's page in the portal, else its link."""
    from django.urls import reverse

    model = n.content_type.model if n.content_type_id else ""
    if model == "incomingitem" and n.object_id:
        return reverse("portal:item", args=[n.object_id])
    if model == "letter" and n.object_id:
        return reverse("portal:letter", args=[n.object_id])
    return n.link if (n.link or "").startswith("/") else ""


def book_pages(user, book, *, per_page: int = 20, page: int = 1, verified: bool = True, date_from=None,
               date_to=None):
    """A register book page by page, as printed (the lines of a date range, as the export takes them):
    (lines of the page, page count)."""
    from correspondence import selectors

    # With the line's scan (a filled reservation's letter), for its link: the same one query.
    qs = (selectors.entry_list(user, book=book.pk, date_from=date_from, date_to=date_to)
          .select_related("scan").order_by("number"))
    if not verified:
        qs = qs.filter(secrecy=Secrecy.NORMAL)
    total = qs.count()
    pages = max(1, (total + per_page - 1) // per_page)
    page = min(max(1, page), pages)
    rows = list(qs[(page - 1) * per_page: page * per_page])
    return rows, pages, page, total


__all__ = [
    "Dashboard", "MINUTE_PHRASES", "QueueFilters", "ROUTING_PHRASES", "assignable_officials", "book_pages",
    "dashboard", "incoming_queue", "item_actions", "item_page", "letter_actions", "letter_page",
    "latest_return", "my_review_steps", "notifications_for", "recipient_agencies", "reference_choices", "reviewers_for",
    "signers_for", "units_to_route",
]
