"""The search box (ค้นหา): subjects, bodies, the text of uploaded PDFs, numbers and senders, searched in
SearchDocument and filtered in SQL by what the user may see.

Every token of the query (correspondence.searchtext.query_tokens) must occur in the document's normal
form; on PostgreSQL each ``text LIKE '%token%'`` can be answered by the pg_trgm GIN index (see _page).
Newest first.

The visibility filter is correspondence.permissions' rules written over the document's own columns
(unit, secrecy), so the index is not joined back to a million items to decide what one user sees.
tests/search/test_search_visibility.py checks it against ``visible_items``/``visible_letters``/
``visible_entries`` object by object.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString

from agencies.models import Role
from agencies.selectors import official_for
from correspondence import permissions, searchtext
from correspondence.models import IncomingItem, Letter, RegisterEntry, ReviewStep, SearchDocument, SearchKind
from eoffice.levels import Secrecy

MAX_LIMIT = 200
# See _page: how many of the newest documents are read in date order before the trigram index is asked.
WINDOW = 5000


@dataclass
class Hit:
    kind: str
    object_id: int
    object: object
    title: SafeString
    snippet: SafeString
    number: SafeString
    sender: SafeString
    at: dt.datetime
    secrecy: int
    urgency: int
    url: str

    @property
    def kind_label(self) -> str:
        return SearchKind(self.kind).label

    @property
    def secrecy_label(self) -> str:
        return Secrecy(self.secrecy).label


def visible_documents_filter(user) -> Q | None:
    """The rows of SearchDocument the user may see, as one Q (None: nothing)."""
    official = official_for(user)
    if official is None:
        return None
    scope = sorted(permissions.units_below(official.unit_id))
    cleared = Q(secrecy__gte=Secrecy.CONFIDENTIAL, secrecy__lte=official.clearance)
    own_letters = Letter.objects.filter(Q(created_by=user) | Q(signer=official)).order_by().values("pk").union(
        ReviewStep.objects.filter(reviewer=official).order_by().values("letter_id"))
    visible = (
        # unclassified: the owning unit (a letter's issuing unit too) is the user's unit or below it
        Q(secrecy=Secrecy.NORMAL, secret_book=False) & (Q(unit_id__in=scope) | Q(unit2_id__in=scope))
        # unclassified letters the user drafted, reviews or signs
        | Q(secrecy=Secrecy.NORMAL, kind=SearchKind.LETTER, letter_id__in=own_letters)
        # classified: a grant on that very object and the clearance for it
        | cleared & Q(item_id__in=permissions.granted_item_ids(user))
        | cleared & Q(letter_id__in=permissions.granted_letter_ids(user))
    )
    registrar_of = permissions._role_units(user, Role.SECRET_REGISTRAR)
    if registrar_of:
        # lines of the secret-document register: its registrar, up to their clearance
        visible |= Q(secret_book=True, unit_id__in=sorted(registrar_of), secrecy__lte=official.clearance)
    return visible


def _documents(user, tokens: list[str], verified: bool = True):
    visible = visible_documents_filter(user)
    if visible is None or not tokens:
        return SearchDocument.objects.none()
    qs = SearchDocument.objects.filter(visible)
    if not verified:
        # A session without the second factor sees no classified record and no secret register line.
        qs = qs.filter(secrecy=Secrecy.NORMAL, secret_book=False)
    for token in tokens:
        # ``contains`` is a plain LIKE on PostgreSQL (the text is stored lower-cased), which the trigram
        # index serves; ``icontains`` would wrap the column in UPPER() and miss it.
        qs = qs.filter(text__contains=token)
    return qs


def _url(kind: str, obj) -> str:
    """The object's page (a register line: its book's page); "" if the portal has none."""
    if obj is None:
        return ""
    name, pk = {SearchKind.ITEM: ("portal:item", obj.pk), SearchKind.LETTER: ("portal:letter", obj.pk),
                SearchKind.ENTRY: ("portal:book", getattr(obj, "book_id", None))}[kind]
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def search(user, q: str, limit: int = 50, *, verified: bool = True) -> list[Hit]:
    """Documents matching every word of ``q`` that ``user`` may see, newest first, at most ``limit``
    (``verified=False``: the session has no second factor, so nothing classified).
    A constant number of queries whatever the number of hits (the user's scope and grants, the page of
    documents, and one query per kind of object for the objects themselves)."""
    tokens = searchtext.query_tokens(q)
    limit = max(1, min(int(limit), MAX_LIMIT))
    docs = _page(_documents(user, tokens, verified), limit)
    objects = _objects(docs)
    hits = []
    for doc in docs:
        object_id = doc.item_id or doc.letter_id or doc.entry_id
        obj = objects.get((doc.kind, object_id))
        body = searchtext.snippet(doc.body, tokens)
        hits.append(Hit(
            kind=doc.kind, object_id=object_id, object=obj,
            title=searchtext.highlight(doc.title, tokens), snippet=body,
            number=searchtext.highlight(doc.number, tokens), sender=searchtext.highlight(doc.sender, tokens),
            at=doc.at, secrecy=doc.secrecy, urgency=doc.urgency, url=_url(doc.kind, obj),
        ))
    return hits


@contextmanager
def _plan(**settings):
    """Planner settings for one statement (SET LOCAL, then put back as they were)."""
    names = list(settings)
    with transaction.atomic(), connection.cursor() as c:
        c.execute("SELECT " + ", ".join(f"current_setting('{n}'), set_config('{n}', %s, true)" for n in names),
                  [settings[n] for n in names])
        before = c.fetchone()[::2]
        yield
        c.execute("SELECT " + ", ".join(f"set_config('{n}', %s, true)" for n in names), list(before))


def _page(qs, limit: int) -> list[SearchDocument]:
    """The newest ``limit`` documents of ``qs``, by the path that suits how many there are.

    PostgreSQL cannot estimate how many rows ``LIKE '%word%'`` matches. Left to itself it reads the date
    index newest first and tests each row: quick when the words are common, a read of every document
    when they are rare or never meet (seconds at a million rows); while the trigram index is slow for a
    common word (every match goes into its bitmap). So:

    1. the newest WINDOW documents are read in date order: a common word fills the page there;
    2. else the matches come from the trigram index alone and are sorted by date (they are few, or at
       least not among the newest).
    """
    ordered = qs.order_by("-at", "-id")
    if connection.vendor != "postgresql":
        return list(ordered[:limit])
    cutoff = list(SearchDocument.objects.order_by("-at", "-id").values_list("at", flat=True)[WINDOW:WINDOW + 1])
    if not cutoff:
        return list(ordered[:limit])  # fewer documents than the window
    with _plan(enable_bitmapscan="off", enable_seqscan="off"):
        recent = list(ordered.filter(at__gte=cutoff[0])[:limit])
    if len(recent) == limit:
        return recent
    with _plan(enable_seqscan="off", enable_indexscan="off"):
        return list(ordered[:limit])


def _objects(docs) -> dict:
    by_kind: dict[str, list[int]] = {}
    for doc in docs:
        by_kind.setdefault(doc.kind, []).append(doc.item_id or doc.letter_id or doc.entry_id)
    models = {SearchKind.ITEM: IncomingItem.objects.select_related("unit"),
              SearchKind.LETTER: Letter.objects.select_related("owner_unit"),
              SearchKind.ENTRY: RegisterEntry.objects.select_related("book")}
    out = {}
    for kind, ids in by_kind.items():
        for pk, obj in models[kind].in_bulk(ids).items():
            out[(kind, pk)] = obj
    return out
