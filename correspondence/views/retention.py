"""บัญชีหนังสือขอทำลาย: the lists an official may open, one list with its committee, and the steps of
disposal (appoint, review, approve, send to the National Archives, its answer, destroy), each a POST
calling its service."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agencies.models import Official
from correspondence import selectors_retention as selectors
from correspondence.forms import ArchivesAnswerForm, ArchivesSendForm, CommitteeAppointForm, DestructionReviewForm
from correspondence.services import retention
from correspondence.views.common import errors_to_messages, hx_redirect
from eoffice import thai


@require_GET
@login_required
def destruction_lists(request):
    return render(request, "correspondence/destruction_lists.html",
                  {"lists": list(selectors.destruction_lists(request.user))})


def _forms(request, dlist, page: dict) -> dict:
    actions = page["actions"]
    return {
        "appoint_form": CommitteeAppointForm(officials=selectors.appointable_officials(dlist, request.user),
                                             initial=_current_committee(page)) if actions.appoint else None,
        "review_form": DestructionReviewForm() if actions.review else None,
        "send_form": ArchivesSendForm() if actions.send else None,
        "answer_form": ArchivesAnswerForm(lines=page["lines"]) if actions.answer else None,
    }


def _current_committee(page: dict) -> dict:
    rows = [row for row, _ in page["committee"]]
    return {"chair": next((row.official_id for row in rows if row.role == "chair"), None),
            "members": [row.official_id for row in rows if row.role != "chair"]}


@require_GET
@login_required
def destruction_list(request, pk):
    dlist = selectors.destruction_list_get(request.user, pk)
    page = selectors.destruction_page(request.user, dlist)
    return render(request, "correspondence/destruction_list.html", page | _forms(request, dlist, page))


def _back(request, dlist):
    return hx_redirect(request, reverse("portal:destruction-list", args=[dlist.pk]))


def _act(request, dlist, form, act, done: str):
    """Run the service once the form is clean; its refusal (or the form's errors) come back as messages."""
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return _back(request, dlist)
    try:
        act(form.cleaned_data)
    except ValidationError as exc:
        errors_to_messages(request, exc)
    else:
        messages.success(request, done)
    return _back(request, dlist)


@require_POST
@login_required
def destruction_appoint(request, pk):
    dlist = selectors.destruction_list_get(request.user, pk)
    form = CommitteeAppointForm(request.POST, officials=selectors.appointable_officials(dlist, request.user))

    def act(d):
        chosen = Official.objects.select_related("user").in_bulk([d["chair"], *d["members"]])
        retention.destruction_committee_appoint(dlist, by=request.user, chair=chosen[d["chair"]],
                                                members=[chosen[pk] for pk in d["members"]])
    return _act(request, dlist, form, act, "แต่งตั้งคณะกรรมการทำลายหนังสือแล้ว")


@require_POST
@login_required
def destruction_review(request, pk):
    dlist = selectors.destruction_list_get(request.user, pk)
    return _act(request, dlist, DestructionReviewForm(request.POST),
                lambda d: retention.destruction_review(dlist, by=request.user, agreed=d["agreed"], note=d["note"]),
                "บันทึกความเห็นของกรรมการแล้ว")


@require_POST
@login_required
def destruction_approve(request, pk):
    dlist = selectors.destruction_list_get(request.user, pk)
    try:
        retention.destruction_approve(dlist, by=request.user)
    except ValidationError as exc:
        errors_to_messages(request, exc)
    else:
        messages.success(request, "อนุมัติบัญชีหนังสือขอทำลายแล้ว ขั้นต่อไป: ส่งบัญชีให้กรมศิลปากรพิจารณา")
    return _back(request, dlist)


@require_POST
@login_required
def destruction_send(request, pk):
    dlist = selectors.destruction_list_get(request.user, pk)
    return _act(request, dlist, ArchivesSendForm(request.POST),
                lambda d: retention.destruction_send_to_archives(dlist, by=request.user, sent_on=d["sent_on"]),
                "บันทึกการส่งบัญชีให้กรมศิลปากรแล้ว")


@require_POST
@login_required
def destruction_answer(request, pk):
    dlist = selectors.destruction_list_get(request.user, pk)
    form = ArchivesAnswerForm(request.POST, lines=list(dlist.lines.all()))
    return _act(request, dlist, form,
                lambda d: retention.destruction_archives_answer(dlist, by=request.user, keep_items=d["keep"],
                                                                answered_on=d["answered_on"]),
                "บันทึกคำตอบของกรมศิลปากรแล้ว")


@require_POST
@login_required
def destruction_execute(request, pk):
    dlist = selectors.destruction_list_get(request.user, pk)
    try:
        result = retention.destruction_execute(dlist, by=request.user)
    except ValidationError as exc:
        errors_to_messages(request, exc)
    else:
        messages.success(request, f"ทำลายหนังสือแล้ว {thai.to_thai_digits(str(result['destroyed']))} รายการ "
                                  f"เก็บไว้ {thai.to_thai_digits(str(result['kept']))} รายการ")
    return _back(request, dlist)
