"""Who may see and do what in the registry: the one place pages, the API and tasks ask.

Two independent checks, always both:

* **Visibility** of a letter, an incoming item or a register line.
  - Unclassified (ปกติ): officials of the owning unit (a letter's owner or issuing unit, an item's
    receiving unit, a line's book unit) and of every unit *above* it in the agency tree. A division's
    items are visible to its department, not to a sibling division or a section below.
    The drafter, reviewers and signer of a letter also see it.
  - Classified (ลับ and above): only an official with an explicit grant on that very object (user or
    group grant, django-guardian direct-FK rows) **and** a clearance at least as high. Unit, role and
    superuser status add nothing. An ungranted classified object does not exist for the user: lists,
    counts, search and exports leave it out, a direct URL answers 404.
  - Lines of the secret-document register (ทะเบียนควบคุมข้อมูลข่าวสารลับ) are visible only to the
    registrar (Role.SECRET_REGISTRAR) of that book's unit, still subject to clearance.
* **Roles** (agencies.Role through ``has_role``) say which actions an official may take on what they
  can see: a registry clerk registers, routes and closes items of their unit, an executive writes
  minutes in their unit and the units below it, and so on. A visible object with a missing role gives
  403; an invisible one 404.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from agencies.models import Agency, Role, RoleAssignment
from agencies.selectors import has_role, official_for  # noqa: F401 (has_role re-exported)
from correspondence.models import (
    BookKind,
    IncomingItem,
    IncomingItemGroupGrant,
    IncomingItemUserGrant,
    Letter,
    LetterGroupGrant,
    LetterUserGrant,
    RegisterBook,
    RegisterEntry,
)
from eoffice.levels import Secrecy

VIEW_LETTER = "view_letter"
VIEW_ITEM = "view_incomingitem"


# --- the agency tree ---------------------------------------------------------------------------------


def _tree() -> dict[int, int | None]:
    # The agency table is small (hundreds of rows); one query beats a recursive walk per check.
    return dict(Agency.objects.values_list("id", "parent_id"))


def units_below(unit_id: int, tree: dict | None = None) -> set[int]:
    """The unit and every unit under it."""
    tree = tree if tree is not None else _tree()
    children: dict[int, list[int]] = {}
    for child, parent in tree.items():
        children.setdefault(parent, []).append(child)
    seen, stack = set(), [unit_id]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(children.get(node, []))
    return seen


def units_above(unit_id: int, tree: dict | None = None) -> list[int]:
    """The unit and its ancestors, nearest first."""
    tree = tree if tree is not None else _tree()
    chain, node = [], unit_id
    while node is not None and node not in chain:
        chain.append(node)
        node = tree.get(node)
    return chain


def registry_unit(unit: Agency) -> Agency:
    """The nearest unit at or above ``unit`` that keeps registers (receives and numbers for it)."""
    for node in reversed(unit.path()):
        if node.keeps_registers:
            return node
    raise PermissionDenied(f"{unit.name} และหน่วยงานต้นสังกัดไม่มีทะเบียนหนังสือ")


def scope_ids(user) -> set[int]:
    """Units whose unclassified records the user sees: their own unit and the units below it."""
    official = official_for(user)
    if official is None:
        return set()
    return units_below(official.unit_id)


def clearance(user) -> int:
    official = official_for(user)
    return official.clearance if official else -1


def _role_units(user, role) -> set[int]:
    """Units where the user holds ``role`` today (a role without a unit means the official's unit)."""
    official = official_for(user)
    if official is None:
        return set()
    today = dt.date.today()
    rows = RoleAssignment.objects.filter(official=official, role=role).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today), Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    ).values_list("unit_id", flat=True)
    return {unit_id or official.unit_id for unit_id in rows}


# --- grants ------------------------------------------------------------------------------------------


def _granted(user, user_model, group_model, codename):
    """Object ids the user holds ``codename`` on, through their own or their groups' grants (a union)."""
    users = user_model.objects.filter(user=user, permission__codename=codename).values("content_object_id")
    groups = group_model.objects.filter(group__user=user, permission__codename=codename).values("content_object_id")
    return users.union(groups)


def granted_letter_ids(user):
    return _granted(user, LetterUserGrant, LetterGroupGrant, VIEW_LETTER)


def granted_item_ids(user):
    return _granted(user, IncomingItemUserGrant, IncomingItemGroupGrant, VIEW_ITEM)


def _grant_exists(user, user_model, group_model, codename, ref):
    return Exists(user_model.objects.filter(user=user, permission__codename=codename, content_object=ref)) | Exists(
        group_model.objects.filter(group__user=user, permission__codename=codename, content_object=ref)
    )


# --- visibility filters ----------------------------------------------------------------------------------


def _plain_letters(user, official, scope) -> Q:
    """Unclassified letters of the official's units, or that they drafted or sign (reviewers: see below)."""
    return Q(secrecy=Secrecy.NORMAL) & (
        Q(owner_unit__in=scope) | Q(issuing_unit__in=scope) | Q(created_by=user) | Q(signer=official))


def _plain_items(scope) -> Q:
    return Q(secrecy=Secrecy.NORMAL, unit__in=scope)


def visible_letters(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Letter.objects.all() if qs is None else qs
    official = official_for(user)
    if official is None:
        return qs.none()
    scope = units_below(official.unit_id)
    plain = _plain_letters(user, official, scope) | Q(secrecy=Secrecy.NORMAL, review_steps__reviewer=official)
    classified = Q(secrecy__gte=Secrecy.CONFIDENTIAL, secrecy__lte=official.clearance) & Q(
        _grant_exists(user, LetterUserGrant, LetterGroupGrant, VIEW_LETTER, OuterRef("pk"))
    )
    # review_steps may join several rows: filter the ids, not the outer query.
    ids = Letter.objects.filter(plain | classified).values("pk")
    return qs.filter(pk__in=ids)


def visible_items(user, qs: QuerySet | None = None) -> QuerySet:
    qs = IncomingItem.objects.all() if qs is None else qs
    official = official_for(user)
    if official is None:
        return qs.none()
    scope = units_below(official.unit_id)
    return qs.filter(
        _plain_items(scope)
        | Q(secrecy__gte=Secrecy.CONFIDENTIAL, secrecy__lte=official.clearance)
        & Q(_grant_exists(user, IncomingItemUserGrant, IncomingItemGroupGrant, VIEW_ITEM, OuterRef("pk")))
    )


def visible_books(user, qs: QuerySet | None = None) -> QuerySet:
    qs = RegisterBook.objects.all() if qs is None else qs
    official = official_for(user)
    if official is None:
        return qs.none()
    scope = units_below(official.unit_id)
    registrar_of = _role_units(user, Role.SECRET_REGISTRAR)
    return qs.filter(Q(unit__in=scope) & ~Q(kind=BookKind.SECRET) | Q(kind=BookKind.SECRET, unit__in=registrar_of))


def visible_entries(user, qs: QuerySet | None = None) -> QuerySet:
    """Register lines: unclassified lines of visible books; classified lines only through a grant on
    their letter or item (the secret register's own registrar sees its lines up to their clearance)."""
    qs = RegisterEntry.objects.all() if qs is None else qs
    official = official_for(user)
    if official is None:
        return qs.none()
    scope = units_below(official.unit_id)
    registrar_of = _role_units(user, Role.SECRET_REGISTRAR)
    # Books are few (units × kinds × years): their ids as literals keep the query small to build and
    # let the planner use the (book, number) index.
    ordinary_books, secret_books = [], []
    for pk, kind, unit_id in RegisterBook.objects.filter(unit__in=scope | registrar_of).values_list(
            "pk", "kind", "unit_id"):
        if kind != BookKind.SECRET and unit_id in scope:
            ordinary_books.append(pk)
        elif kind == BookKind.SECRET and unit_id in registrar_of:
            secret_books.append(pk)
    granted = Q(letter_id__in=granted_letter_ids(user)) | Q(item_id__in=granted_item_ids(user))
    return qs.filter(
        Q(book_id__in=ordinary_books, secrecy=Secrecy.NORMAL)
        | Q(book_id__in=ordinary_books, secrecy__gte=Secrecy.CONFIDENTIAL, secrecy__lte=official.clearance) & granted
        | Q(book_id__in=secret_books, secrecy__lte=official.clearance)
    )


# --- citing (อ้างถึง) ------------------------------------------------------------------------------------
# A drafter cites the lines they may see, and also the ordinary lines (unclassified, not in a secret register)
# of the letters and items they may see, in whichever book holds them: a section without registers of its
# own cites the line its department wrote for the section's letter, or for the item routed to the section.
# Classified lines are cited only through visible_entries (grant and clearance, or the secret registrar).


def ordinary_lines(qs: QuerySet) -> QuerySet:
    """Unclassified lines outside the secret registers."""
    # A subquery, not a join: joined to the books, a look-up of a few lines by item was planned as a merge
    # join walking the whole register in book order (seconds at a million lines).
    return qs.filter(secrecy=Secrecy.NORMAL).exclude(
        book_id__in=RegisterBook.objects.filter(kind=BookKind.SECRET).values("pk"))


LINKED_WINDOW = 500  # the newest letters and items a drafter may see, whose lines they are offered


def citable_recent(user, qs: QuerySet, limit: int) -> list:
    """The newest ``limit`` lines of ``qs`` (ordered newest id first) the user may cite: the newest lines
    they may see, and the ordinary lines of the newest LINKED_WINDOW unclassified letters and items of
    their units (or that they drafted or sign). Only unclassified letters and items can lead to an ordinary
    line, so the classified branch of visibility (grant look-ups, not indexable) is left out here.

    Each query is written so that its plan does not hang on the planner's statistics: with a million
    lines, "the newest lines of these 1,500 items" as one ORDER BY … LIMIT query was planned as a walk
    over the whole register (seconds) whenever the estimates drifted; looked up by item and letter
    (their indexes) and ordered here, it stays a few milliseconds however the tables grow."""
    official = official_for(user)
    if official is None:
        return []
    scope = units_below(official.unit_id)
    own = list(visible_entries(user, qs)[:limit])
    letter_ids = list(Letter.objects.filter(_plain_letters(user, official, scope)).order_by("-pk")
                      .values_list("pk", flat=True)[:LINKED_WINDOW])
    item_ids = set()
    for pk, parent_id in _newest_per_unit(IncomingItem.objects.filter(secrecy=Secrecy.NORMAL), scope, LINKED_WINDOW):
        item_ids.add(pk)
        if parent_id:
            item_ids.add(parent_id)
    linked_ids = set()
    for field, ids in (("letter_id", letter_ids), ("item_id", item_ids)):
        if ids:
            linked_ids.update(ordinary_lines(qs).filter(**{f"{field}__in": ids}).order_by()
                              .values_list("pk", flat=True))
    own_ids = {e.pk for e in own}
    newest = sorted(linked_ids - own_ids, reverse=True)[:limit]
    linked = list(qs.filter(pk__in=newest)) if newest else []
    return sorted(own + linked, key=lambda e: e.pk, reverse=True)[:limit]


PER_UNIT_BRANCHES = 64


def _newest_per_unit(qs: QuerySet, units, window: int):
    """(pk, parent_id) of the newest ``window`` rows of ``qs`` over ``units``. On PostgreSQL one LIMIT per
    unit read from the (unit, -id) index and merged: the single query's backward walk over every item
    meets a small unit's items only after reading all the newer items of other units."""
    units = sorted(units)
    # Up to a ministry's worth of units; beyond that one query (the branches would cost more than they save).
    if 1 < len(units) <= PER_UNIT_BRANCHES and connection.features.supports_slicing_ordering_in_compound:
        parts = [qs.filter(unit_id=u).order_by("-pk").values_list("pk", "parent_id")[:window] for u in units]
        return parts[0].union(*parts[1:], all=True).order_by("-pk")[:window]
    return qs.filter(unit__in=units).order_by("-pk").values_list("pk", "parent_id")[:window]


def entry_citable(user, entry: RegisterEntry) -> bool:
    """Whether the user may cite this line (see above)."""
    if can_see_entry(user, entry):
        return True
    if entry.secrecy != Secrecy.NORMAL or entry.book.kind == BookKind.SECRET:
        return False
    if entry.letter_id and visible_letters(user).filter(pk=entry.letter_id).exists():
        return True
    return bool(entry.item_id) and visible_items(user).filter(Q(pk=entry.item_id) | Q(parent_id=entry.item_id)).exists()


def can_see_letter(user, letter: Letter) -> bool:
    return visible_letters(user, Letter.objects.filter(pk=letter.pk)).exists()


def can_see_item(user, item: IncomingItem) -> bool:
    return visible_items(user, IncomingItem.objects.filter(pk=item.pk)).exists()


def can_see_entry(user, entry: RegisterEntry) -> bool:
    return visible_entries(user, RegisterEntry.objects.filter(pk=entry.pk)).exists()


# --- roles for actions ------------------------------------------------------------------------------


def role_in_unit_or_above(user, role, unit: Agency) -> bool:
    """The role held for ``unit`` or for a unit above it (an executive minutes items of units below)."""
    return bool(_role_units(user, role) & set(units_above(unit.pk)))


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def require_clerk(user, unit: Agency) -> None:
    require(has_role(user, Role.REGISTRY_CLERK, unit=unit), f"เฉพาะเจ้าหน้าที่สารบรรณของ{unit.name}เท่านั้น")


def keeps_book(user, unit: Agency, kind: str) -> bool:
    """Who writes lines into a unit's book by hand (จองเลข): its registry clerks; the secret-document register,
    which only its registrar may see, by that registrar."""
    role = Role.SECRET_REGISTRAR if kind == BookKind.SECRET else Role.REGISTRY_CLERK
    return has_role(user, role, unit=unit)


def require_book_keeper(user, unit: Agency, kind: str) -> None:
    if kind == BookKind.SECRET:
        require(keeps_book(user, unit, kind), f"ทะเบียนควบคุมข้อมูลข่าวสารลับเป็นของนายทะเบียนเอกสารลับของ{unit.name}เท่านั้น")
    else:
        require_clerk(user, unit)


def require_executive(user, unit: Agency) -> None:
    require(role_in_unit_or_above(user, Role.EXECUTIVE, unit), "เฉพาะผู้บริหารของหน่วยงานหรือหน่วยงานต้นสังกัดเท่านั้น")


def can_export_book(user, book: RegisterBook) -> bool:
    return visible_books(user, RegisterBook.objects.filter(pk=book.pk)).exists()
