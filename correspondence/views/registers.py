"""ทะเบียนหนังสือ: the books the user may see, each page by page as printed, with export and print."""
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from correspondence import selectors, selectors_portal
from correspondence.forms import ExportForm
from correspondence.models import BookKind
from correspondence.services import exports
from correspondence.views.common import second_factor_gate
from eoffice import thai, twofactor

PER_PAGE = 20  # lines on a printed register page


@require_GET
@login_required
def book_list(request):
    books = list(twofactor.unverified_filter(request, selectors.book_list(request.user))
                 .order_by("-year", "unit__name", "kind", "prefix"))
    return render(request, "correspondence/books.html", {"books": books})


@require_GET
@login_required
def book_detail(request, pk):
    book = selectors.book_get(request.user, pk)
    gate = second_factor_gate(request, book)
    if gate:
        return gate
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        page = 1
    form = ExportForm(request.GET or None)
    dates = _dates(form)
    rows, pages, page, total = selectors_portal.book_pages(request.user, book, per_page=PER_PAGE, page=page,
                                                           verified=twofactor.is_verified(request), **dates)
    incoming = book.kind in (BookKind.INCOMING, BookKind.SECRET)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "correspondence/book.html", {
        "book": book, "rows": rows, "pages": pages, "page": page, "total": total, "incoming": incoming,
        "page_range": range(1, pages + 1), "export_form": form, "query": query.urlencode(),
        "formats": ("pdf", "csv", "xlsx"), "period": exports.period_of(**dates) if any(dates.values()) else "",
        "outside_year": _outside_year(book, **dates),
    })


def _outside_year(book, date_from=None, date_to=None) -> bool:
    """Whether the range asked for reaches beyond the book's year: a book holds one calendar year, so
    the page says the other years are in their own books rather than letting them look empty."""
    first, last = dt.date(book.year - thai.BE_OFFSET, 1, 1), dt.date(book.year - thai.BE_OFFSET, 12, 31)
    return bool((date_from and date_from < first) or (date_to and date_to > last))


def _dates(form: ExportForm) -> dict:
    """The date range of the page and the export; an unreadable date is shown as the form's error, and
    the range is not applied (never a silent 'whole year' in its place for an export)."""
    if form.is_bound and form.is_valid():
        return {"date_from": form.cleaned_data.get("date_from"), "date_to": form.cleaned_data.get("date_to")}
    return {}


@require_GET
@login_required
def book_export(request, pk, fmt):
    if fmt not in exports.FORMATS:
        raise Http404
    book = selectors.book_get(request.user, pk)
    twofactor.require_for(request, book)
    form = ExportForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        text = " ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items())
        return HttpResponse(f"ส่งออกไม่ได้ วันที่ไม่ถูกต้อง — {text}", status=400,
                            content_type="text/plain; charset=utf-8")
    dates = _dates(form)
    try:
        content, content_type, name = exports.book_export(request.user, book, fmt, dates.get("date_from"),
                                                          dates.get("date_to"), verified=twofactor.is_verified(request))
    except ValidationError as exc:
        return HttpResponse(f"ส่งออกไม่ได้ — {' '.join(exc.messages)}", status=400,
                            content_type="text/plain; charset=utf-8")
    # CSV comes line by line: stream it, so a year of lines starts downloading at once.
    response = (HttpResponse(content, content_type=content_type) if isinstance(content, bytes)
                else StreamingHttpResponse(content, content_type=content_type))
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response
