"""REST API of the registry. Views parse input and call selectors and services; they hold no rules.

Objects the user may not see answer 404 (as if they did not exist); a visible object with a missing
role answers 403. Errors are ``{field: [Thai message, …]}``.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from agencies.models import Agency
from correspondence import permissions, selectors
from correspondence.api import serializers as s
from correspondence.models import EntryScan, EntryStatus, Minute, RegisterEntry
from correspondence.services import exports, letters, numbering, receiving, uploads
from eoffice import twofactor


class Pages(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class EntryPages(CursorPagination):
    """Register lines: a cursor over the id (newest first) keeps every page one index scan, with no
    COUNT over a million rows."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200


def _date(request, name):
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: ["วันที่ต้องอยู่ในรูปแบบ ปปปป-ดด-วว เช่น 2026-11-22"]})


def _int(request, name):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({name: ["ต้องเป็นตัวเลข"]})


def _refuse_oversize(request):
    # Before the body is parsed: a declared length over the limit is refused without reading it.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.EOFFICE_MAX_UPLOAD_BYTES + 64 * 1024:
        raise ValidationError({"pdf": [uploads.too_large_message()]})


class ServiceErrors:
    """Django ValidationError from a service becomes a DRF 400 with field → Thai messages; problems of the
    letter spec sit under ``content``, keyed by their path in it (``{"content": {"signer.position": […]}}``)."""

    # Ids are numbers: anything else in their place is "not found", never a 500 from the database.
    lookup_value_regex = r"[0-9]+"

    def handle_exception(self, exc):
        if isinstance(exc, letters.SpecErrors):
            exc = ValidationError({"content": exc.by_path()})
        elif isinstance(exc, DjangoValidationError):
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            exc = ValidationError(detail)
        return super().handle_exception(exc)


def _input(serializer_class, request):
    ser = serializer_class(data=request.data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


# --- letters --------------------------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("state", str),
                                                   OpenApiParameter("q", str, description="ค้นหาเรื่อง/เลขที่")]))
class LetterViewSet(ServiceErrors, viewsets.GenericViewSet, mixins.ListModelMixin):
    pagination_class = Pages
    serializer_class = s.LetterListSerializer

    def get_queryset(self):
        return twofactor.unverified_filter(self.request, selectors.letter_list(
            self.request.user, state=self.request.query_params.get("state"), q=self.request.query_params.get("q")))

    def _letter(self, pk, action="view"):
        # Visible first (404), then the second factor for a classified one (403), then the access log.
        letter = selectors.letter_get(self.request.user, pk, action=None)
        twofactor.require_for(self.request, letter)
        if action:
            selectors.record_access(self.request.user, letter, action)
        return letter

    def _detail(self, letter, code=status.HTTP_200_OK):
        return Response(s.LetterDetailSerializer(letter).data, status=code)

    @extend_schema(responses=s.LetterDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(self._letter(pk))

    @staticmethod
    def _references_factor(request, references, content=None):
        """Citing a classified line or one of a secret register writes its number and sender into the letter:
        it needs the second factor, as reading that line does (asked only for lines the user may cite, so a
        hidden line still answers "not found"). Lines cited inside the content count as well."""
        cited = list(references or [])
        inside = content.get("references") if isinstance(content, dict) else None
        if isinstance(inside, list):
            cited += inside
        ids = [r["entry"] for r in cited if isinstance(r, dict) and isinstance(r.get("entry"), int)]
        for entry in RegisterEntry.objects.filter(pk__in=ids, status=EntryStatus.ACTIVE).select_related("book"):
            if twofactor.is_sensitive(entry) and permissions.entry_citable(request.user, entry):
                twofactor.require_second_factor(request)

    @extend_schema(request=s.LetterWriteSerializer, responses={201: s.LetterDetailSerializer})
    def create(self, request):
        data = _input(s.LetterWriteSerializer, request)
        self._references_factor(request, data.get("references"), data.get("content"))
        letter = letters.letter_create(
            by=request.user, content=data["content"], owner_unit=data.get("owner_unit"), signer=data.get("signer"),
            references=data.get("references"), enclosures=data.get("enclosures"), recipients=data.get("recipients"),
            reviewers=data.get("reviewers"), is_circular=data.get("is_circular", False),
            series_prefix=data.get("series_prefix", ""),
        )
        return self._detail(letter, status.HTTP_201_CREATED)

    @extend_schema(request=s.LetterWriteSerializer, responses=s.LetterDetailSerializer)
    def partial_update(self, request, pk=None):
        letter = self._letter(pk, action=None)
        ser = s.LetterWriteSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        self._references_factor(request, d.get("references"), d.get("content"))
        letter = letters.letter_update(letter, by=request.user, content=d.get("content"), signer=d.get("signer"),
                                       references=d.get("references"), enclosures=d.get("enclosures"),
                                       recipients=d.get("recipients"), reviewers=d.get("reviewers"),
                                       is_circular=d.get("is_circular"), series_prefix=d.get("series_prefix"))
        return self._detail(letter)

    def destroy(self, request, pk=None):
        letters.letter_delete(self._letter(pk, action=None), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=s.LetterDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._detail(letters.letter_submit(self._letter(pk, None), by=request.user))

    @extend_schema(request=s.ReviewInput, responses=s.LetterDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        data = _input(s.ReviewInput, request)
        letter = self._letter(pk, None)
        letters.letter_review(letter, by=request.user, approve=data["approve"], comment=data.get("comment", ""))
        letter.refresh_from_db()
        return self._detail(letter)

    @extend_schema(request=None, responses=s.LetterDetailSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """ออกเลข, then the PDF the signer signs (as the letter's page does)."""
        from correspondence.services import documents

        issued = letters.letter_issue(self._letter(pk, None), by=request.user)
        return self._detail(documents.letter_pdf_render(issued, by=request.user))

    @extend_schema(request=s.SignInput, responses={202: s.SigningJobSerializer})
    @action(detail=True, methods=["post"])
    @method_decorator(sensitive_variables("data", "secret"))
    def sign(self, request, pk=None):
        """ลงนาม: the PAdES signature by the letter's signer with the key's PIN or passphrase (the
        signing job of the letter's page); the letter becomes signed when the job is done. Poll
        ``GET /letters/{id}/signing/{job}/``."""
        from agencies.selectors import official_for
        from signatures import services as signing
        from signatures.errors import SignatureError
        from signatures.selectors import signing_job_status

        letter = self._letter(pk, None)
        official = official_for(request.user)
        permissions.require(official is not None and letter.signer_id == official.pk,
                            "เฉพาะผู้ลงนามที่กำหนดไว้เท่านั้น")
        twofactor.require_second_factor(request)
        data = _input(s.SignInput, request)
        try:
            job = signing.issued_letter_signing_start(letter=letter, official=official,
                                                      secret=data.get("secret") or None, by=request.user)
        except signing.SigningUnavailableError as exc:
            # The cache or queue is down: the client's request is fine, it may try again later.
            return Response({"signature": [str(exc)]}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        except SignatureError as exc:
            raise ValidationError({"signature": [str(exc)]})  # field → list of messages, as every error
        return Response(signing_job_status(job.pk), status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=s.SigningJobSerializer)
    @action(detail=True, methods=["get"], url_path=r"signing/(?P<job>[0-9]+)")
    def signing(self, request, pk=None, job=None):
        from signatures.models import SigningJob
        from signatures.selectors import signing_job_status

        letter = self._letter(pk, None)
        if not SigningJob.objects.filter(pk=job, letter=letter).exists():
            from rest_framework.exceptions import NotFound

            raise NotFound()
        return Response(signing_job_status(int(job)))

    @extend_schema(request=None, responses=s.LetterDetailSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        letter = self._letter(pk, None)
        letters.letter_send(letter, by=request.user)
        letter.refresh_from_db()
        return self._detail(letter)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        letter = self._letter(pk, "download")
        if not letter.pdf:
            raise ValidationError({"pdf": ["หนังสือนี้ยังไม่มีไฟล์"]})
        return FileResponse(letter.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"letter-{letter.pk}.pdf")

    @extend_schema(request=s.ReasonInput, responses=s.LetterDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = _input(s.ReasonInput, request)
        return self._detail(letters.letter_cancel(self._letter(pk, None), by=request.user, reason=data["reason"]))


# --- register books, lines, reservations --------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("year", int, description="ปี พ.ศ."),
                                                   OpenApiParameter("kind", str)]))
class BookViewSet(ServiceErrors, viewsets.ReadOnlyModelViewSet):
    pagination_class = Pages
    serializer_class = s.BookSerializer

    def get_queryset(self):
        return twofactor.unverified_filter(self.request, selectors.book_list(
            self.request.user, year=_int(self.request, "year"), kind=self.request.query_params.get("kind"),
        )).order_by("-year", "unit_id", "kind")

    # "output", not "format": DRF reserves ?format= for choosing a renderer.
    @extend_schema(parameters=[OpenApiParameter("output", str, enum=list(exports.FORMATS)),
                               OpenApiParameter("date_from", OpenApiTypes.DATE),
                               OpenApiParameter("date_to", OpenApiTypes.DATE)],
                   responses={(200, media.split(";")[0]): OpenApiTypes.BINARY for media in exports.FORMATS.values()})
    @action(detail=True, methods=["get"], url_path="export")
    def export(self, request, pk=None):
        book = selectors.book_get(request.user, pk)
        twofactor.require_for(request, book)
        fmt = request.query_params.get("output", "csv")
        if fmt not in exports.FORMATS:
            raise ValidationError({"output": ["รูปแบบต้องเป็น csv, xlsx หรือ pdf"]})
        body, content_type, name = exports.book_export(request.user, book, fmt, _date(request, "date_from"),
                                                       _date(request, "date_to"),
                                                       verified=twofactor.is_verified(request))
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("book", int), OpenApiParameter("year", int, description="ปี พ.ศ."),
    OpenApiParameter("series", str, description="คำนำหน้าเลข เช่น ว"), OpenApiParameter("kind", str),
    OpenApiParameter("unit", int), OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE), OpenApiParameter("q", str, description="ค้นหา")]))
class EntryViewSet(ServiceErrors, viewsets.ReadOnlyModelViewSet):
    pagination_class = EntryPages
    serializer_class = s.EntrySerializer

    def get_queryset(self):
        r = self.request
        return twofactor.unverified_filter(r, selectors.entry_list(
            r.user, book=_int(r, "book"), year=_int(r, "year"), series=r.query_params.get("series"),
            kind=r.query_params.get("kind"), unit=_int(r, "unit"), date_from=_date(r, "date_from"),
            date_to=_date(r, "date_to"), q=r.query_params.get("q"),
        ))

    def list(self, request, *args, **kwargs):
        # Plain rows, not model instances through a ModelSerializer: a page of register lines is the
        # hottest read of the registry, and the fields are flat. Which have a scan: one query for the page,
        # not a join in the lines query.
        page = self.paginate_queryset(self.get_queryset().values(*s.EntrySerializer.Meta.columns))
        scanned = set(EntryScan.objects.filter(entry_id__in=[row["id"] for row in page]).exclude(pdf="")
                      .values_list("entry_id", flat=True))
        for row in page:
            row["has_scan"] = row["id"] in scanned
        return self.get_paginated_response(page)

    def retrieve(self, request, pk=None):
        entry = selectors.entry_get(request.user, pk)
        twofactor.require_for(request, entry)
        return Response(s.EntrySerializer(entry).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def scan(self, request, pk=None):
        """แฟ้มหนังสือของเลขที่จอง (the scan a reservation was filled with), to whoever may see the line, as
        the register page serves it; classified reads are logged."""
        from correspondence.services.search import entry_scan

        entry = selectors.entry_get(request.user, pk)
        twofactor.require_for(request, entry)
        scan = entry_scan(entry)
        if scan is None or not scan.pdf:
            raise ValidationError({"scan": ["รายการนี้ไม่มีแฟ้มหนังสือ"]})
        selectors.record_access(request.user, entry, "download")
        return FileResponse(scan.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"register-{entry.book_id}-{entry.number}.pdf")


class ReservationViewSet(ServiceErrors, viewsets.GenericViewSet):
    """จองเลข: hold the next number for a letter made outside the portal, then fill or void it."""

    serializer_class = s.EntrySerializer
    queryset = RegisterEntry.objects.none()

    def _reserved(self, pk) -> RegisterEntry:
        entry = selectors.entry_get(self.request.user, pk)
        twofactor.require_for(self.request, entry)
        permissions.require_book_keeper(self.request.user, entry.book.unit, entry.book.kind)
        return entry

    @extend_schema(request=s.ReservationInput, responses={201: s.EntrySerializer})
    def create(self, request):
        data = _input(s.ReservationInput, request)
        permissions.require_book_keeper(request.user, data["unit"], data["kind"])
        if data["kind"] == "secret":
            twofactor.require_second_factor(request)
        entry = numbering.number_reserve(unit=data["unit"], kind=data["kind"], prefix=data["prefix"],
                                         by=request.user, note=data["note"])
        return Response(s.EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": s.ReservationFillInput,
                            "application/json": s.ReservationFillFieldsInput,
                            "application/x-www-form-urlencoded": s.ReservationFillFieldsInput},
                   responses=s.EntrySerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def fill(self, request, pk=None):
        """บันทึกรายละเอียดเลขที่จอง: multipart/form-data with the scanned letter in ``pdf`` (optional);
        JSON or a URL-encoded form for the details alone."""
        _refuse_oversize(request)
        entry = self._reserved(pk)
        data = _input(s.ReservationFillInput, request)
        scan = data.pop("pdf", None)
        entry = numbering.reservation_fill(entry, by=request.user, scan=scan, **data)
        return Response(s.EntrySerializer(entry).data)

    @extend_schema(request=s.ReasonInput, responses=s.EntrySerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        data = _input(s.ReasonInput, request)
        entry = numbering.reservation_void(self._reserved(pk), reason=data["reason"], by=request.user)
        return Response(s.EntrySerializer(entry).data)


# --- incoming items --------------------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("unit", int), OpenApiParameter("state", str),
    OpenApiParameter("q", str, description="ค้นหาเรื่อง ผู้ส่ง หรือเลขที่หนังสือ")]))
class ItemViewSet(ServiceErrors, viewsets.GenericViewSet, mixins.ListModelMixin):
    pagination_class = Pages
    serializer_class = s.ItemListSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        r = self.request
        return twofactor.unverified_filter(r, selectors.item_list(
            r.user, unit=_int(r, "unit"), state=r.query_params.get("state"), q=r.query_params.get("q")))

    def _item(self, pk, action="view"):
        item = selectors.item_get(self.request.user, pk, action=None)
        twofactor.require_for(self.request, item)
        if action:
            selectors.record_access(self.request.user, item, action)
        return item

    def _detail(self, item, code=status.HTTP_200_OK):
        return Response(s.ItemDetailSerializer(item, context={"request": self.request}).data, status=code)

    @extend_schema(responses=s.ItemDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(self._item(pk))

    def _refuse_oversize(self, request):
        _refuse_oversize(request)

    @extend_schema(request={"multipart/form-data": s.ItemReceiveInput, "application/json": s.ItemReceiveFieldsInput,
                            "application/x-www-form-urlencoded": s.ItemReceiveFieldsInput},
                   responses={201: s.ItemDetailSerializer})
    def create(self, request):
        """รับหนังสือ: multipart/form-data with the scan in ``pdf``; JSON or a URL-encoded form for an item
        without a file (they cannot carry one)."""
        self._refuse_oversize(request)
        data = _input(s.ItemReceiveInput, request)
        if data.get("secrecy"):
            twofactor.require_second_factor(request)
        item = receiving.incoming_receive(by=request.user, **data)
        return self._detail(item, status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": s.PdfInput}, responses=s.PrefillResult)
    @action(detail=False, methods=["post"])
    def prefill(self, request):
        """Fields read from an uploaded PDF (embedded letter.json, else its text) for the clerk to confirm."""
        self._refuse_oversize(request)
        data = _input(s.PdfInput, request)
        uploads.pdf_check(data["pdf"])
        return Response(receiving.pdf_prefill(data["pdf"]))

    @extend_schema(request=s.ItemCorrectInput, responses=s.RegisterResult)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """แก้ไขรายละเอียด before registering (scanned, e-mail and other-portal items): the fields sent replace
        the item's, the others stay; the receiving rules apply; ``warning`` is the duplicate question
        registering will then ask, or null."""
        data = _input(s.ItemCorrectInput, request)
        if data.get("secrecy"):
            twofactor.require_second_factor(request)
        item = self._item(pk, None)
        details = {**receiving.item_details(item), **data}
        item, duplicate = receiving.incoming_correct(item, by=request.user,
                                                     verified=twofactor.is_verified(request), **details)
        return Response({"item": s.ItemDetailSerializer(item, context={"request": request}).data,
                         "warning": receiving.duplicate_question(duplicate) if duplicate else None})

    @extend_schema(request=None, responses=s.RegisterResult)
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        item, warning = receiving.incoming_register(self._item(pk, None), by=request.user,
                                                    verified=twofactor.is_verified(request))
        return Response({"item": s.ItemDetailSerializer(item, context={"request": request}).data, "warning": warning})

    @extend_schema(request=s.RouteInput, responses=s.ItemDetailSerializer)
    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        data = _input(s.RouteInput, request)
        item = self._item(pk, None)
        units = [Agency.objects.filter(pk=u).first() for u in data["to_units"]]
        receiving.item_route(item, by=request.user, to_units=units, note=data["note"])
        item.refresh_from_db()
        return self._detail(item)

    @extend_schema(request=s.MinuteInput, responses={201: s.MinuteSerializer})
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        data = _input(s.MinuteInput, request)
        minute = receiving.minute_write(self._item(pk, None), by=request.user, **data)
        return Response(s.MinuteSerializer(minute).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CloseInput, responses=s.ItemDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = _input(s.CloseInput, request)
        return self._detail(receiving.item_close(self._item(pk, None), by=request.user, filed_at=data["filed_at"]))

    @extend_schema(request=s.RejectInput, responses=s.ItemDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """ปฏิเสธการรับ, before registration, with the reason the sender will see."""
        data = _input(s.RejectInput, request)
        return self._detail(receiving.incoming_reject(self._item(pk, None), by=request.user, reason=data["reason"]))

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        item = self._item(pk, "download")
        if not item.pdf:
            raise ValidationError({"pdf": ["หนังสือนี้ไม่มีไฟล์"]})
        return FileResponse(item.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"item-{item.pk}.pdf")


class MinuteViewSet(ServiceErrors, viewsets.GenericViewSet):
    serializer_class = s.MinuteSerializer
    queryset = Minute.objects.none()

    @extend_schema(request=None, responses=s.MinuteSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        minute = Minute.objects.filter(pk=pk, item__in=selectors.permissions.visible_items(request.user)).first()
        if minute is None:
            from django.http import Http404

            raise Http404
        twofactor.require_for(request, minute.item)
        return Response(s.MinuteSerializer(receiving.minute_acknowledge(minute, by=request.user)).data)
