"""หนังสือรับ: the unit's queue, an item's page, and register, route, minute, acknowledge, close."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.models import Official, Role
from agencies.selectors import has_role, official_for
from correspondence import selectors, selectors_portal
from correspondence.forms import (
    CloseForm, ItemEditForm, MinuteForm, PresentForm, QueueFilterForm, ReceiveForm, RejectForm, RouteForm,
)
from correspondence.models import Minute
from correspondence.services import receiving
from correspondence.views.common import (
    errors_to_form,
    errors_to_messages,
    first_page_png_response,
    hx_redirect,
    is_htmx,
    next_or,
    require_for,
    safe_next,
    second_factor_gate,
    stored_pdf_response,
    verified,
)
from eoffice import thai


@require_GET
@login_required
def queue(request):
    """The unit's queue and register view: most urgent first, with the register's filters."""
    form = QueueFilterForm(request.GET or None)
    filters = selectors_portal.QueueFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors_portal.QueueFilters(
            year=d.get("year"), urgency=d.get("urgency"), secrecy=d.get("secrecy"), state=d.get("state") or None,
            sender=d.get("sender") or "", date_from=d.get("date_from"), date_to=d.get("date_to"),
            series=d.get("series") or None)
    rows = selectors_portal.incoming_queue(request.user, filters, verified=verified(request))
    page = Paginator(rows, selectors_portal.QUEUE_PAGE) \
        .get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    official = official_for(request.user)
    # One role check for the whole list: the queue is the clerk's own unit.
    clerk = official is not None and has_role(request.user, Role.REGISTRY_CLERK, unit=official.unit)
    context = {"form": form, "page": page, "items": page.object_list, "query": query.urlencode(), "clerk": clerk,
               "unit": official.unit if official else None}
    template = "correspondence/_queue_rows.html" if is_htmx(request) else "correspondence/queue.html"
    return render(request, template, context)


@require_GET
@login_required
def item_detail(request, pk):
    item = selectors.item_get(request.user, pk, action=None)
    gate = second_factor_gate(request, item)
    if gate:
        return gate
    selectors.record_access(request.user, item, "view")
    context = selectors_portal.item_page(request.user, item, verified=verified(request))
    item = context["item"]
    from signatures.selectors import item_signature_summary

    context["signature"] = item_signature_summary(item)
    actions = context["actions"]
    if actions.route:
        context["route_form"] = RouteForm(units=selectors_portal.units_to_route(item), auto_id=f"id_route{item.pk}_%s")
    if actions.minute:
        context["minute_form"] = MinuteForm(officials=selectors_portal.assignable_officials(item))
    if actions.register:
        context["reject_form"] = RejectForm()
    if actions.close:
        context["close_form"] = CloseForm()
    if actions.present:
        context["present_form"] = PresentForm(officials=receiving.presentable_executives(item))
    context["minute_phrases"] = selectors_portal.MINUTE_PHRASES
    context["routing_phrases"] = selectors_portal.ROUTING_PHRASES
    return render(request, "correspondence/item.html", context)


@xframe_options_sameorigin
@require_GET
@login_required
def item_pdf(request, pk):
    item = selectors.item_get(request.user, pk, action=None)
    return stored_pdf_response(request, item, f"item-{item.pk}.pdf")


@require_GET
@login_required
def item_enclosure(request, pk, enc):
    """สิ่งที่ส่งมาด้วย of a letter that came through the portal, to whoever may see the item it came as."""
    from django.http import FileResponse, Http404

    from correspondence.models import Enclosure

    item = selectors.item_get(request.user, pk, action=None)
    require_for(request, item)
    if not item.letter_id:
        raise Http404
    enclosure = get_object_or_404(Enclosure, pk=enc, letter_id=item.letter_id)
    if not enclosure.file:
        raise Http404
    selectors.record_access(request.user, item, "download")
    return FileResponse(enclosure.file.open("rb"), as_attachment=True, filename=f"enclosure-{enclosure.order + 1}.pdf")


@require_GET
@login_required
def item_attachment(request, pk, att):
    """สิ่งที่ส่งมาด้วย that came with the item from another portal or by e-mail, to whoever may see the item."""
    from django.http import FileResponse

    from correspondence.models import ReceivedAttachment

    item = selectors.item_get(request.user, pk, action=None)
    require_for(request, item)
    attachment = get_object_or_404(ReceivedAttachment, pk=att, item=item)
    selectors.record_access(request.user, item, "download")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@require_GET
@login_required
def item_page_png(request, pk):
    return first_page_png_response(request, selectors.item_get(request.user, pk, action=None))


def _base(request) -> str:
    """A form fragment answers htmx alone, a plain POST inside the whole page."""
    return "correspondence/_fragment.html" if is_htmx(request) else "correspondence/_page.html"


def _item_for_action(request, pk):
    # No access-log line for an action: the page view before it was logged.
    item = selectors.item_get(request.user, pk, action=None)
    require_for(request, item)
    return item


@require_POST
@login_required
def item_register(request, pk):
    item = _item_for_action(request, pk)
    try:
        item, warning = receiving.incoming_register(
            item, by=request.user, duplicate_confirmed=request.POST.get("confirm_duplicate") == "1",
            verified=verified(request))
    except receiving.DuplicateNotConfirmed as exc:
        # Asked on the item's page (from the queue too): it shows the other letter and the confirm button.
        messages.warning(request, exc.question)
        return hx_redirect(request, reverse("portal:item", args=[item.pk]))
    except ValidationError as exc:
        errors_to_messages(request, exc)
    else:
        messages.success(request, f"ลงทะเบียนรับแล้ว เลขรับ {thai.to_thai_digits(item.receipt_number)}")
        if warning:
            messages.warning(request, warning)
    return hx_redirect(request, next_or(request, reverse("portal:item", args=[item.pk])))


@require_http_methods(["GET", "POST"])
@login_required
def item_route(request, pk):
    item = _item_for_action(request, pk)
    form = RouteForm(request.POST or None, units=selectors_portal.units_to_route(item), auto_id=f"id_route{item.pk}_%s")
    if request.method == "POST" and form.is_valid():
        try:
            routings = receiving.item_route(item, by=request.user, to_units=form.cleaned_data["to_units"],
                                            note=form.cleaned_data["note"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "ส่งต่อแล้วถึง " + ", ".join(r.to_unit.name for r in routings))
            return hx_redirect(request, next_or(request, reverse("portal:item", args=[item.pk])))
    # Opened from the queue (?next=): the form goes back there once routed, not to the item's page.
    back = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    return render(request, "correspondence/_route_form.html", {"item": item, "route_form": form,
                                                               "routing_phrases": selectors_portal.ROUTING_PHRASES,
                                                               "base_template": _base(request), "next": back})


@require_POST
@login_required
def item_minute(request, pk):
    item = _item_for_action(request, pk)
    officials = selectors_portal.assignable_officials(item)
    form = MinuteForm(request.POST, officials=officials)
    if form.is_valid():
        d = form.cleaned_data
        assignee = Official.objects.filter(pk=d["assignee"]).first() if d.get("assignee") else None
        try:
            receiving.minute_write(item, by=request.user, action=d["action"], text=d.get("text") or "",
                                   assignee=assignee, due=d.get("due"))
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "บันทึกการเกษียนหนังสือแล้ว")
            return hx_redirect(request, reverse("portal:item", args=[item.pk]))
    return render(request, "correspondence/_minute_form.html", {"item": item, "minute_form": form,
                                                                "minute_phrases": selectors_portal.MINUTE_PHRASES,
                                                                "base_template": _base(request)})


@require_POST
@login_required
def minute_acknowledge(request, pk):
    minute = get_object_or_404(Minute.objects.select_related("item"), pk=pk)
    # The minute exists for the user only if its item does.
    require_for(request, selectors.item_get(request.user, minute.item_id, action=None))
    try:
        receiving.minute_acknowledge(minute, by=request.user)
    except ValidationError as exc:
        errors_to_messages(request, exc)
    else:
        messages.success(request, "รับทราบแล้ว")
    return hx_redirect(request, reverse("portal:item", args=[minute.item_id]))


def _form_action(request, pk, form_class, act, done: str, missing: str):
    """An item action with a small form (close, reject): a missing field or the service's refusal comes
    back as a message on the item's page."""
    item = _item_for_action(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(item, form.cleaned_data)
        except ValidationError as exc:
            errors_to_messages(request, exc)
        else:
            messages.success(request, done)
    else:
        messages.error(request, missing)
    return hx_redirect(request, reverse("portal:item", args=[item.pk]))


@require_POST
@login_required
def item_close(request, pk):
    return _form_action(request, pk, CloseForm,
                        lambda item, d: receiving.item_close(item, by=request.user, filed_at=d["filed_at"]),
                        "ปิดเรื่องแล้ว", "กรุณาระบุที่เก็บหนังสือ")


@require_POST
@login_required
def item_reject(request, pk):
    """ปฏิเสธการรับ (wrong addressee, incomplete): before registration, with the reason the sender sees."""
    item = selectors.item_get(request.user, pk, action=None)
    # Only a sender in this portal or another one sees the reason; a paper or e-mail sender is told by the clerk.
    told = item.recipient_id or item.channel == "peer"
    done = "ปฏิเสธการรับแล้ว " + ("ผู้ส่งจะเห็นเหตุผลที่ระบุ" if told else "กรุณาแจ้งผู้ส่งตามช่องทางที่ได้รับหนังสือ")
    return _form_action(request, pk, RejectForm,
                        lambda item, d: receiving.incoming_reject(item, by=request.user, reason=d["reason"]),
                        done, "กรุณาระบุเหตุที่ปฏิเสธการรับ")


@require_POST
@login_required
def item_present(request, pk):
    """เสนอ a classified item to an executive (grant + notification)."""
    item = _item_for_action(request, pk)
    form = PresentForm(request.POST, officials=receiving.presentable_executives(item))
    if form.is_valid():
        try:
            to = receiving.item_present(item, by=request.user, to=Official.objects.get(pk=form.cleaned_data["to"]))
        except ValidationError as exc:
            errors_to_messages(request, exc)
        else:
            messages.success(request, f"เสนอ {to.display_name} แล้ว")
    else:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
    return hx_redirect(request, reverse("portal:item", args=[item.pk]))


# --- receiving a scan or an e-mailed letter ----------------------------------------------------------------------


def _receiving_units(user):
    """Units the user receives for: where they are a registry clerk or a secret-document registrar."""
    from agencies.models import Agency
    from correspondence import permissions

    ids = permissions._role_units(user, Role.REGISTRY_CLERK) | permissions._role_units(user, Role.SECRET_REGISTRAR)
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


@require_http_methods(["GET", "POST"])
@login_required
def item_receive(request):
    """รับหนังสือ: upload the scan, confirm the fields read from it, and (by default) register it at once."""
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect

    units = _receiving_units(request.user)
    if not units:
        raise PermissionDenied("เฉพาะเจ้าหน้าที่สารบรรณหรือนายทะเบียนเอกสารลับเท่านั้น")
    form = ReceiveForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = next(u for u in units if u.pk == d["unit"])
        if d["secrecy"] and not verified(request):
            form.add_error(None, "รับหนังสือชั้นความลับต้องยืนยันตัวตนขั้นที่สองก่อน (เมนูยืนยันตัวตนขั้นที่สอง) "
                                 "แล้วเลือกแฟ้มอีกครั้ง")
        if not form.errors:
            try:
                item = receiving.incoming_receive(unit=unit, by=request.user, channel=d["channel"],
                                                  pdf=d.get("pdf"), **form.details())
                warning = None
                if d.get("register_now"):
                    item, warning = receiving.incoming_register(
                        item, by=request.user, duplicate_confirmed=d.get("confirm_duplicate"),
                        verified=verified(request))
            except receiving.DuplicateNotConfirmed as exc:
                # Received with its file, in the queue without a number: confirmed or rejected on its page.
                messages.warning(request, f"รับหนังสือแล้ว ยังไม่ได้ลงทะเบียนรับ: {exc.question}")
                return redirect("portal:item", pk=item.pk)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                if item.receipt_number:
                    messages.success(request, f"รับและลงทะเบียนแล้ว เลขรับ {thai.to_thai_digits(item.receipt_number)}")
                else:
                    messages.success(request, "รับหนังสือแล้ว รอลงทะเบียนรับ")
                if warning:
                    messages.warning(request, warning)
                return redirect("portal:item", pk=item.pk)
    return render(request, "correspondence/receive.html",
                  {"form": form, **_duplicate_context(request, form, units)})


def _duplicate_context(request, form: ReceiveForm, units, *, item=None) -> dict:
    """The registered letter the form's fields repeat (one the user may see), for the warning shown
    while the form is filled in, before anything is registered. ``item``: the one being corrected, whose
    unit and sender agency the form does not carry; the same rule as registering it (an item from another
    portal is the same letter again when its sender agency, not its typed sender, matches)."""
    if not form.is_bound:
        return {}
    form.is_valid()  # the fields that are valid are enough to look
    d = form.cleaned_data
    unit = item.unit if item else next((u for u in units if u.pk == d.get("unit")), None)
    if unit is None or not d.get("sender_text"):
        return {}
    duplicate = receiving.duplicate_find(request.user, unit=unit, their_number=d.get("their_number") or "",
                                         dated=d.get("dated"), sender_text=d["sender_text"],
                                         sender_agency=item.sender_agency if item else None,
                                         verified=verified(request))
    question = receiving.duplicate_question(duplicate) if duplicate else ""
    return {"duplicate": duplicate, "duplicate_question": question}


@require_POST
@login_required
def item_receive_check(request):
    """htmx: the duplicate warning for the fields as they are now (number, date, sender, unit)."""
    units = _receiving_units(request.user)
    if not units:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    form = ReceiveForm(request.POST, units=units)
    return render(request, "correspondence/_duplicate_check.html",
                  {"form": form, **_duplicate_context(request, form, units)})


@require_POST
@login_required
def item_receive_prefill(request):
    """htmx: the fields read from the chosen PDF, filled in where the clerk has typed nothing yet."""
    from correspondence.services import uploads

    units = _receiving_units(request.user)
    if not units:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    pdf = request.FILES.get("pdf")
    data = request.POST.copy()
    note, error = "", ""
    if pdf is not None:
        try:
            uploads.pdf_check(pdf)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            found = receiving.pdf_prefill(pdf)
            filled = []
            for key in ("their_number", "sender_text", "subject", "addressee"):
                if found.get(key) and not data.get(key):
                    data[key] = found[key]
                    filled.append(key)
            if found.get("dated") and not data.get("dated"):
                import datetime as dt

                data["dated"] = thai.format_date(dt.date.fromisoformat(found["dated"]), "short")
                filled.append("dated")
            for key in ("urgency", "secrecy"):
                if key in found and data.get(key) in (None, "", "0"):
                    data[key] = str(found[key])
            if filled:
                source = "ข้อมูลหนังสือที่แนบในแฟ้ม" if found.get("source") == "letter.json" else "ข้อความในแฟ้ม"
                note = f"กรอกจาก{source}แล้ว กรุณาตรวจสอบก่อนบันทึก"
            else:
                note = "อ่านข้อมูลจากแฟ้มไม่ได้ กรุณากรอกเอง"
    form = ReceiveForm(data, units=units)
    return render(request, "correspondence/_receive_fields.html", {
        "form": form, "note": note, "error": error, "bound_quietly": True,
        **_duplicate_context(request, form, units)})


# --- correcting an item before it is registered -----------------------------------------------------------------


def _item_to_correct(request, pk):
    """The item, for those who may register it (404 unseen, 403 not theirs to register), or the redirect to
    its page with the reason it cannot be corrected (registered, rejected, a letter from this portal)."""
    item = selectors.item_get(request.user, pk, action=None)
    gate = second_factor_gate(request, item)
    if gate:
        return item, gate
    try:
        receiving.require_correctable(item, request.user)
    except ValidationError as exc:
        errors_to_messages(request, exc)
        if request.method == "POST":  # e.g. a tab left open while a colleague registered it
            messages.error(request, "สิ่งที่แก้ไขไม่ได้บันทึก")
        return item, redirect("portal:item", pk=item.pk)
    return item, None


@require_http_methods(["GET", "POST"])
@login_required
def item_edit(request, pk):
    """แก้ไขรายละเอียด: a clerk corrects what was typed or read (ที่, ลงวันที่, จาก, ถึง, เรื่อง, urgency,
    secrecy) of an item waiting in the queue, before pressing ลงทะเบียนรับ."""
    item, refused = _item_to_correct(request, pk)
    if refused:
        return refused
    selectors.record_access(request.user, item, "view")
    form = ItemEditForm(request.POST or None, item=item)
    # The details the clerk started from: kept across a refused save, so a correction saved by someone
    # else meanwhile is not silently undone.
    seen = request.POST.get("seen") or receiving.details_version(item)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["secrecy"] and not verified(request):
            form.add_error("secrecy", "การกำหนดชั้นความลับต้องยืนยันตัวตนขั้นที่สองก่อน (เมนูยืนยันตัวตนขั้นที่สอง)")
        else:
            try:
                item, duplicate = receiving.incoming_correct(item, by=request.user, verified=verified(request),
                                                             seen=seen, **form.details())
            except ValidationError as exc:
                errors_to_form(form, exc)
                if "seen" in getattr(exc, "error_dict", {}):  # told: saving again starts from the details now
                    seen = receiving.details_version(item)
            else:
                messages.success(request, "บันทึกการแก้ไขรายละเอียดแล้ว")
                if duplicate:  # registering will ask the same, with the other letter linked on the item's page
                    messages.warning(request, f"ยังไม่ได้ลงทะเบียนรับ: {receiving.duplicate_question(duplicate)}")
                return redirect("portal:item", pk=item.pk)
    return render(request, "correspondence/item_edit.html", {
        "item": item, "form": form, "seen": seen, "check_url": reverse("portal:item-edit-check", args=[item.pk]),
        **_duplicate_context(request, form, [item.unit], item=item)})


@require_POST
@login_required
def item_edit_check(request, pk):
    """htmx: the duplicate warning for the corrected fields as they are now."""
    item = _item_for_action(request, pk)
    try:
        receiving.require_correctable(item, request.user)
    except ValidationError:  # registered meanwhile: saving will say so
        return render(request, "correspondence/_duplicate_check.html", {})
    form = ItemEditForm(request.POST, item=item)
    return render(request, "correspondence/_duplicate_check.html",
                  {"form": form, **_duplicate_context(request, form, [item.unit], item=item)})
