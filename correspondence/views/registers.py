"""ทะเบียนหนังสือ: the books the user may see, each page by page as printed, with export and print;
จองเลข for the book's clerks: reserve the next number, then fill it with the scanned letter or void it."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from correspondence import permissions, selectors, selectors_portal
from correspondence.forms import ExportForm, ReservationFillForm, ReservationVoidForm, ReserveForm
from correspondence.models import BookKind, EntryStatus
from correspondence.services import exports, numbering
from correspondence.services.search import entry_scan
from correspondence.views.common import errors_to_form, errors_to_messages, hx_redirect, second_factor_gate
from eoffice import thai, twofactor
from eoffice.levels import Secrecy

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
    clerk = permissions.keeps_book(request.user, book.unit, book.kind)
    return render(request, "correspondence/book.html", {
        "book": book, "rows": rows, "pages": pages, "page": page, "total": total, "incoming": incoming,
        "page_range": range(1, pages + 1), "export_form": form, "query": query.urlencode(),
        "formats": ("pdf", "csv", "xlsx"), "period": exports.period_of(**dates) if any(dates.values()) else "",
        "outside_year": _outside_year(book, **dates), "clerk": clerk,
        "reservable": clerk and book.year == numbering.book_year(timezone.now()),
        "reserve_form": ReserveForm(), "void_form": ReservationVoidForm(),
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


# --- จองเลข -------------------------------------------------------------------------------------------------------

NOT_THIS_YEAR = "จองเลขได้เฉพาะในทะเบียนของปีปัจจุบัน"


def _keeper_gate(request, record, book) -> None:
    """A reservation's actions: the second factor for the secret register (403 with the Thai reason),
    then the one who keeps the book (403): its unit's registry clerk, or for the secret register its
    registrar. The record itself came from a selector (404)."""
    twofactor.require_for(request, record)
    permissions.require_book_keeper(request.user, book.unit, book.kind)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for text in errors:
            messages.error(request, text)


def _book_url(request, entry) -> str:
    """The book's page that shows ``entry`` (lines are in number order, PER_PAGE to a page)."""
    qs = selectors.entry_list(request.user, book=entry.book_id).filter(number__lt=entry.number)
    if not twofactor.is_verified(request):
        qs = qs.filter(secrecy=Secrecy.NORMAL)  # as book_pages shows the book
    page = qs.count() // PER_PAGE + 1
    return f"{reverse('portal:book', args=[entry.book_id])}?page={page}#entry-{entry.pk}"


@require_POST
@login_required
def book_reserve(request, pk):
    """จองเลข: the book's next number, held for a letter made outside the portal."""
    book = selectors.book_get(request.user, pk)
    _keeper_gate(request, book, book)
    form = ReserveForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return hx_redirect(request, reverse("portal:book", args=[book.pk]))
    if book.year != numbering.book_year(timezone.now()):
        messages.error(request, NOT_THIS_YEAR)
        return hx_redirect(request, reverse("portal:book", args=[book.pk]))
    try:
        entry = numbering.number_reserve(unit=book.unit, kind=book.kind, prefix=book.prefix, by=request.user,
                                         note=form.cleaned_data["note"])
    except ValidationError as exc:
        errors_to_messages(request, exc)
        return hx_redirect(request, reverse("portal:book", args=[book.pk]))
    messages.success(request, f"จองเลข {numbering.formatted_number(entry)} แล้ว")
    return hx_redirect(request, _book_url(request, entry))


@require_http_methods(["GET", "POST"])
@login_required
def reservation_fill(request, pk):
    """บันทึกรายละเอียดของเลขที่จองไว้ with the scanned letter; refused input keeps the reservation as it was."""
    entry = selectors.entry_get(request.user, pk)
    if request.method == "GET":
        gate = second_factor_gate(request, entry)
        if gate:
            return gate
    _keeper_gate(request, entry, entry.book)
    if request.method == "GET" and entry.status != EntryStatus.RESERVED:
        messages.error(request, numbering.NOT_RESERVED.get(entry.status, ""))
        return redirect(_book_url(request, entry))
    # The note written when reserving is the line's remark until the clerk changes it.
    form = ReservationFillForm(request.POST or None, request.FILES or None, initial={"remarks": entry.remarks})
    if request.method == "POST" and form.is_valid():
        try:
            entry = numbering.reservation_fill(entry, by=request.user, scan=form.cleaned_data.get("pdf"),
                                               **form.columns())
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"บันทึกรายละเอียดเลข {numbering.formatted_number(entry)} แล้ว")
            return redirect(_book_url(request, entry))
    if form.is_bound and request.FILES:
        # A browser cannot send a chosen file back: say so beside the file field.
        form.add_error("pdf", "กรุณาเลือกแฟ้มอีกครั้ง")
    return render(request, "correspondence/reservation_fill.html", {
        "entry": entry, "book": entry.book, "form": form, "number": numbering.formatted_number(entry)})


@require_POST
@login_required
def reservation_void(request, pk):
    """ยกเลิกเลข: the reserved number stays in the book, void, with the reason given."""
    entry = selectors.entry_get(request.user, pk)
    _keeper_gate(request, entry, entry.book)
    form = ReservationVoidForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            numbering.reservation_void(entry, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            errors_to_messages(request, exc)
        else:
            messages.success(request, f"ยกเลิกเลข {numbering.formatted_number(entry)} แล้ว")
    return hx_redirect(request, _book_url(request, entry))


@require_GET
@login_required
def entry_scan_pdf(request, pk):
    """The scanned letter of a filled reservation, to whoever may see its line; classified reads are logged."""
    entry = selectors.entry_get(request.user, pk)
    twofactor.require_for(request, entry)
    scan = entry_scan(entry)
    if scan is None or not scan.pdf:
        raise Http404
    selectors.record_access(request.user, entry, "download")
    response = FileResponse(scan.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="register-{entry.book_id}-{entry.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
