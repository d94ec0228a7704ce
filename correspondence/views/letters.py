"""หนังสือส่ง: drafting with a live preview, review, issue, signing with progress, sending, and the
sender's view of each recipient."""
from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.models import Official, Role
from agencies.selectors import has_role, official_for
from correspondence import permissions, selectors, selectors_portal
from correspondence.forms import KIND_CHOICES, KIND_FIELDS, CancelForm, DraftForm, EnclosureForm, ReviewForm, SignForm
from correspondence.models import Enclosure, Letter, LetterState
from correspondence.services import documents, letters
from correspondence.views.common import (
    errors_to_form,
    errors_to_messages,
    first_page_png_response,
    hx_redirect,
    is_htmx,
    require_for,
    second_factor_gate,
    stored_pdf_response,
    verified,
)
from eoffice import thai, twofactor

PREVIEW_TTL = 600  # seconds a preview PDF stays fetchable
CACHE_DOWN = "แสดงตัวอย่างไม่ได้ชั่วคราว (ระบบแคชไม่พร้อม) ร่างหนังสือยังบันทึกได้ตามปกติ"


def _draft_form(request, kind, data=None, initial=None, letter=None):
    from correspondence.selectors import salutation_rules

    cited = [r.entry_id for r in letter.references.all() if r.entry_id] if letter is not None else []
    return DraftForm(data, initial=initial, kind=kind, entries=selectors_portal.reference_choices(
                         request.user, verified=twofactor.is_verified(request), keep=cited),
                     agencies=selectors_portal.recipient_agencies(), signers=selectors_portal.signers_for(request.user),
                     reviewers=selectors_portal.reviewers_for(request.user), salutations=salutation_rules())


def _draft_context(form, letter=None):
    rules = form.salutations
    return {"form": form, "letter": letter, "kind": form.kind, "kind_label": dict(KIND_CHOICES)[form.kind],
            "openings": sorted({r.opening for r in rules}), "closings": sorted({r.closing for r in rules}),
            "rules": rules, "enclosure_form": EnclosureForm()}


@require_GET
@login_required
def letter_new(request):
    """Choose a kind of letter (ระเบียบฯ ข้อ ๑๐)."""
    permissions.require(has_role(request.user, Role.DRAFTER), "เฉพาะผู้ร่างหนังสือเท่านั้น")
    return render(request, "correspondence/letter_new.html", {"kinds": KIND_CHOICES})


def _official(pk):
    return Official.objects.filter(pk=pk).first() if pk else None


@require_http_methods(["GET", "POST"])
@login_required
def letter_draft(request, kind):
    if kind not in KIND_FIELDS:
        raise Http404
    permissions.require(has_role(request.user, Role.DRAFTER), "เฉพาะผู้ร่างหนังสือเท่านั้น")
    form = _draft_form(request, kind, request.POST or None)
    once = request.POST.get("once") or secrets.token_urlsafe(12)
    if request.method == "POST" and form.is_valid():
        earlier = _once_claim(request, once)
        if earlier:  # a second click or a re-post of the same form: the draft it made, not another
            messages.info(request, "ร่างนี้บันทึกไว้แล้ว")
            return redirect("portal:letter-edit", pk=earlier) if earlier != "pending" else redirect("portal:letters")
        d = form.cleaned_data
        try:
            letter = letters.letter_create(
                by=request.user, content=form.spec(), signer=_official(d.get("signer")),
                references=form.reference_rows(), recipients=form.recipient_rows(),
                reviewers=d.get("reviewers") or [], is_circular=bool(d.get("is_circular")),
                series_prefix=(d.get("series_prefix") or "").strip())
        except ValidationError as exc:
            _once_release(request, once)
            errors_to_form(form, exc)
        else:
            _once_done(request, once, letter.pk)
            messages.success(request, "บันทึกร่างหนังสือแล้ว แนบสิ่งที่ส่งมาด้วยและส่งตรวจทานได้ที่หน้านี้")
            return redirect("portal:letter-edit", pk=letter.pk)
    context = _draft_context(form)
    context["once"] = once
    return render(request, "correspondence/draft.html", context)


# A new-draft form carries a one-time key: the first POST with it claims it in the shared cache (atomic
# add), so a double click or a re-post lands on the draft it made instead of making a second one.
ONCE_TTL = 3600


def _once_key(request, once: str) -> str:
    return f"draft-once:{request.user.pk}:{once[:40]}"


def _once_claim(request, once: str):
    try:
        if cache.add(_once_key(request, once), "pending", ONCE_TTL):
            return None
        return cache.get(_once_key(request, once)) or None
    except Exception:  # noqa: BLE001 - the cache (Redis) is down: drafting goes on without the guard
        return None


def _once_done(request, once: str, pk: int) -> None:
    try:
        cache.set(_once_key(request, once), pk, ONCE_TTL)
    except Exception:  # noqa: BLE001
        pass


def _once_release(request, once: str) -> None:
    try:
        cache.delete(_once_key(request, once))
    except Exception:  # noqa: BLE001
        pass


def _initial_from(letter: Letter) -> dict:
    c = letter.content
    initial = {k: c.get(k, "") for k in ("subject", "salutation", "recipient", "closing", "title", "about",
                                         "edition", "stamp_initials")}
    initial["body"] = "\n".join(p if isinstance(p, str) else p.get("text", "") for p in c.get("body") or [])
    initial["urgency"], initial["secrecy"] = letter.urgency, letter.secrecy
    refs = list(letter.references.all())
    initial["references"] = [r.entry_id for r in refs if r.entry_id]
    initial["reference_text"] = "\n".join(r.text for r in refs if not r.entry_id)
    rows = list(letter.recipients.all())
    initial["recipients"] = [r.agency_id for r in rows if r.agency_id and not r.is_copy]
    # One line per outside addressee, "name | address | email" (the form's own format).
    initial["outside"] = "\n".join(" | ".join((r.name, r.address, r.email)).rstrip(" |")
                                   for r in rows if not r.agency_id and not r.is_copy)
    initial["copies"] = [r.agency_id for r in rows if r.agency_id and r.is_copy]
    initial["copies_text"] = "\n".join(r.name for r in rows if not r.agency_id and r.is_copy)
    initial["is_circular"], initial["series_prefix"] = letter.is_circular, letter.series_prefix
    deliver_by = c.get("deliver_by")
    if deliver_by:
        import datetime as dt

        if "T" in deliver_by:
            moment = dt.datetime.fromisoformat(deliver_by)
            initial["deliver_by"], initial["deliver_time"] = moment.date(), moment.time()
        else:
            initial["deliver_by"] = dt.date.fromisoformat(deliver_by)
    initial["signer"] = letter.signer_id
    last_round = max((s.round for s in letter.review_steps.all()), default=0)
    initial["reviewers"] = [s.reviewer_id for s in letter.review_steps.all() if s.round == last_round]
    initial.update(_meeting_initial(c.get("meeting") or {}))
    return initial


def _meeting_initial(meeting: dict) -> dict:
    """รายงานการประชุม's fields from the spec's ``meeting`` (names one a line, the date as a date)."""
    import datetime as dt

    initial = {f"meeting_{key}": meeting.get(key, "") for key in ("number", "place", "opened", "closed", "recorder")}
    for key in ("present", "absent", "attending"):
        initial[f"meeting_{key}"] = "\n".join(meeting.get(key) or [])
    try:
        initial["meeting_when"] = dt.date.fromisoformat(meeting["when"]) if meeting.get("when") else None
    except (TypeError, ValueError):
        initial["meeting_when"] = meeting.get("when")  # as stored; the form says what is wrong with it
    return initial


@require_http_methods(["GET", "POST"])
@login_required
def letter_edit(request, pk):
    letter = selectors.letter_get(request.user, pk, action=None)
    gate = second_factor_gate(request, letter)
    if gate:
        return gate
    selectors.record_access(request.user, letter, "view")
    if letter.state != LetterState.DRAFT or letter.created_by_id != request.user.pk:
        if request.method == "POST":  # e.g. saved from a tab left open after it was submitted
            messages.error(request, f"หนังสือนี้อยู่ในสถานะ{letter.get_state_display()} แก้ไขไม่ได้ "
                                    "สิ่งที่แก้ในหน้านั้นไม่ได้บันทึก")
        return redirect("portal:letter", pk=letter.pk)
    # A draft citing a classified line (or one of a secret register) shows that line: second factor first.
    for ref in letter.references.select_related("entry__book").filter(entry__isnull=False):
        gate = second_factor_gate(request, ref.entry)
        if gate:
            return gate
    form = _draft_form(request, letter.kind, request.POST or None, initial=_initial_from(letter), letter=letter)
    last_saved = letter.history.order_by("-history_id").only("history_id", "history_date").first()
    version = str(last_saved.history_id) if last_saved else ""
    if request.method == "POST" and form.is_valid():
        if request.POST.get("version") and request.POST["version"] != version:
            # Saved from another tab or window since this page was opened: saving now would silently undo
            # that. The typed text stays in the form; a second save (with the new version) overrides.
            form.add_error(None, f"ร่างนี้ถูกบันทึกจากหน้าอื่นเมื่อ {thai.format_time(last_saved.history_date)} "
                                 "หลังจากท่านเปิดหน้านี้ ข้อความที่ท่านพิมพ์ยังอยู่ในแบบฟอร์ม กรุณาตรวจสอบ "
                                 "แล้วกดบันทึกอีกครั้งหากต้องการแทนที่")
        else:
            d = form.cleaned_data
            content = form.spec()
            # Enclosures are rows with files; their text stays as the enclosure list made it.
            if letter.content.get("enclosures"):
                content["enclosures"] = letter.content["enclosures"]
            try:
                letters.letter_update(
                    letter, by=request.user, content=content, signer=_official(d.get("signer")),
                    references=form.reference_rows(),
                    recipients=form.recipient_rows(), reviewers=d.get("reviewers") or [],
                    is_circular=bool(d.get("is_circular")) if "is_circular" in form.fields else None,
                    series_prefix=(d.get("series_prefix") or "").strip() if "series_prefix" in form.fields else None)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, "บันทึกร่างหนังสือแล้ว")
                return redirect("portal:letter-edit", pk=letter.pk)
    context = _draft_context(form, letter)
    context["enclosures"] = list(letter.enclosures.all())
    context["version"] = version
    context["returned"] = selectors_portal.latest_return(letter)
    context["enclosure_form"] = _enclosure_form(request, letter)
    return render(request, "correspondence/draft.html", context)


@require_POST
@login_required
def letter_preview(request, kind):
    """htmx: the form as it is now → a PDF preview in an iframe (fast one-pass layout)."""
    if kind not in KIND_FIELDS:
        raise Http404
    official = official_for(request.user)
    if official is None:
        raise PermissionDenied
    letter_pk = request.POST.get("letter")
    letter = None
    if letter_pk and letter_pk.isdigit():
        letter = selectors.letter_get(request.user, int(letter_pk), action=None)
        # A classified letter's preview shows its enclosures and citations: the second factor, as its page.
        require_for(request, letter)
    # The lines a draft already cites are offered to its own drafter only (and, classified, only verified).
    own_draft = letter is not None and letter.state == LetterState.DRAFT and letter.created_by_id == request.user.pk
    form = _draft_form(request, kind, request.POST, letter=letter if own_draft else None)
    form.is_valid()  # a half-typed draft still previews: take what cleaned
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    ref_texts = [letters.reference_text(form.entries[pk]) for pk in form.cleaned_data.get("references") or []
                 if pk in form.entries]
    spec = form.spec(ref_texts)
    if letter is not None and letter.content.get("enclosures"):
        spec["enclosures"] = letter.content["enclosures"]
    unit = letter.owner_unit if letter else official.unit
    spec = documents.preview_spec(spec, owner_unit=unit, signer=_official(form.cleaned_data.get("signer")))
    warning = None
    if spec.get("salutation") and spec.get("closing"):
        warning = selectors.salutation_warning(spec["salutation"], spec["closing"])
    try:
        pdf = documents.preview_pdf(spec, permissions.registry_unit(unit))
    except Exception:  # noqa: BLE001 - a half-typed draft may not lay out; the official keeps typing
        return render(request, "correspondence/_preview.html", {"error": "ยังแสดงตัวอย่างไม่ได้ กรุณากรอกข้อมูลต่อ",
                                                                "warning": warning})
    key = secrets.token_urlsafe(16)
    try:
        cache.set(f"preview:{request.user.pk}:{key}", pdf, PREVIEW_TTL)
    except Exception:  # noqa: BLE001 - the shared cache (Redis) is down: the draft itself is unaffected
        return render(request, "correspondence/_preview.html", {"error": CACHE_DOWN, "warning": warning})
    return render(request, "correspondence/_preview.html", {"key": key, "warning": warning})


@xframe_options_sameorigin
@require_GET
@login_required
def letter_preview_pdf(request, key):
    try:
        pdf = cache.get(f"preview:{request.user.pk}:{key}")
    except Exception:  # noqa: BLE001 - cache down: as if the preview had expired
        pdf = None
    if pdf is None:
        raise Http404
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="preview.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def enclosure_add(request, pk):
    letter = selectors.letter_get(request.user, pk, action=None)
    require_for(request, letter)
    form = EnclosureForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            documents.enclosure_attach(letter, by=request.user, description=d["description"],
                                       quantity=d.get("quantity") or "", file=d.get("file"))
        except ValidationError as exc:
            errors_to_messages(request, exc)
            _enclosure_typed_keep(request, letter)
        else:
            messages.success(request, "แนบสิ่งที่ส่งมาด้วยแล้ว")
    else:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        _enclosure_typed_keep(request, letter)
    return redirect("portal:letter-edit", pk=letter.pk)


# A refused enclosure (not a PDF, too big, …) goes back to the edit page with what was typed, kept in
# the session for that one page view (not in the URL: a classified draft's text stays out of logs).
def _enclosure_typed_key(letter) -> str:
    return f"enclosure-typed:{letter.pk}"


def _enclosure_typed_keep(request, letter) -> None:
    request.session[_enclosure_typed_key(letter)] = {
        "description": request.POST.get("description", "")[:500], "quantity": request.POST.get("quantity", "")[:64]}


def _enclosure_form(request, letter) -> EnclosureForm:
    typed = request.session.pop(_enclosure_typed_key(letter), None)
    return EnclosureForm(initial=typed) if typed else EnclosureForm()


@require_POST
@login_required
def enclosure_remove(request, pk, enc):
    letter = selectors.letter_get(request.user, pk, action=None)
    require_for(request, letter)
    enclosure = get_object_or_404(Enclosure, pk=enc, letter=letter)
    try:
        documents.enclosure_remove(enclosure, by=request.user)
    except ValidationError as exc:
        errors_to_messages(request, exc)
    return redirect("portal:letter-edit", pk=letter.pk)


@require_GET
@login_required
def enclosure_file(request, pk, enc):
    letter = selectors.letter_get(request.user, pk, action=None)
    require_for(request, letter)
    selectors.record_access(request.user, letter, "download")
    enclosure = get_object_or_404(Enclosure, pk=enc, letter=letter)
    if not enclosure.file:
        raise Http404
    return FileResponse(enclosure.file.open("rb"), as_attachment=True,
                        filename=enclosure.file.name.rsplit("/", 1)[-1])


@require_GET
@login_required
def letter_list(request):
    """The letters I may see, newest first (drafts, in review, sent)."""
    from django.core.paginator import Paginator

    state = request.GET.get("state") or None
    qs = twofactor.unverified_filter(request, selectors.letter_list(request.user, state=state).select_related("signer"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "correspondence/letters.html", {"page": page, "letters": page.object_list,
                                                           "states": LetterState.choices, "state": state})


@require_GET
@login_required
def letter_detail(request, pk):
    letter = selectors.letter_get(request.user, pk, action=None)
    gate = second_factor_gate(request, letter)
    if gate:
        return gate
    selectors.record_access(request.user, letter, "view")
    context = selectors_portal.letter_page(request.user, letter)
    context.update(review_form=ReviewForm(), sign_form=SignForm(), cancel_form=CancelForm(),
                   verified=verified(request))
    return render(request, "correspondence/letter.html", context)


@xframe_options_sameorigin
@require_GET
@login_required
def letter_pdf(request, pk):
    letter = selectors.letter_get(request.user, pk, action=None)
    return stored_pdf_response(request, letter, f"letter-{letter.pk}.pdf")


@xframe_options_sameorigin
@require_GET
@login_required
def letter_draft_pdf(request, pk):
    """The letter as its draft stands (before it has its PDF): what a reviewer reads before approving."""
    letter = selectors.letter_get(request.user, pk, action=None)
    require_for(request, letter)
    if letter.pdf or letter.state == LetterState.CANCELLED:
        raise Http404
    selectors.record_access(request.user, letter, "download")
    pdf = documents.preview_pdf(letter.content, letter.issuing_unit)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="draft-{letter.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def letter_page_png(request, pk):
    return first_page_png_response(request, selectors.letter_get(request.user, pk, action=None))


def _act(request, pk, action, ok_message):
    letter = selectors.letter_get(request.user, pk, action=None)
    require_for(request, letter)
    try:
        action(letter)
    except ValidationError as exc:
        errors_to_messages(request, exc)
    else:
        messages.success(request, ok_message)
    return hx_redirect(request, reverse("portal:letter", args=[letter.pk]))


@require_POST
@login_required
def letter_submit(request, pk):
    return _act(request, pk, lambda letter: letters.letter_submit(letter, by=request.user), "ส่งตรวจทานแล้ว")


@require_POST
@login_required
def letter_review(request, pk):
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "กรุณาเลือกผลการตรวจทาน")
        return hx_redirect(request, reverse("portal:letter", args=[pk]))
    approve = form.cleaned_data["decision"] == "approve"
    return _act(request, pk, lambda letter: letters.letter_review(
        letter, by=request.user, approve=approve, comment=form.cleaned_data["comment"]),
        "เห็นชอบแล้ว" if approve else "ส่งคืนผู้ร่างแก้ไขแล้ว")


@require_POST
@login_required
def letter_issue(request, pk):
    """ออกเลข, then the PDF the signer will sign (rendered after the numbering transaction)."""
    def issue(letter):
        issued = letters.letter_issue(letter, by=request.user)
        documents.letter_pdf_render(issued, by=request.user)
    return _act(request, pk, issue, "ออกเลขและสร้างแฟ้มหนังสือแล้ว")


@require_POST
@login_required
def letter_send(request, pk):
    return _act(request, pk, lambda letter: letters.letter_send(letter, by=request.user), "ส่งหนังสือแล้ว ติดตามสถานะของผู้รับแต่ละรายได้ที่หน้านี้")


@require_POST
@login_required
def letter_dispatch_paper(request, pk):
    note = request.POST.get("note", "")
    return _act(request, pk, lambda letter: letters.letter_dispatch_paper(letter, by=request.user, note=note),
                "บันทึกการส่งเป็นเอกสารกระดาษแล้ว")


@require_POST
@login_required
def letter_cancel(request, pk):
    form = CancelForm(request.POST)
    reason = form.data.get("reason", "")
    return _act(request, pk, lambda letter: letters.letter_cancel(letter, by=request.user, reason=reason),
                "ยกเลิกหนังสือแล้ว")


@sensitive_variables("secret")
@sensitive_post_parameters("secret")
@require_POST
@login_required
def letter_sign(request, pk):
    """Start signing with the PIN/passphrase typed now; the answer polls the job's progress."""
    from signatures import services as signing
    from signatures.errors import SignatureError

    letter = selectors.letter_get(request.user, pk, action=None)
    official = official_for(request.user)
    permissions.require(official is not None and letter.signer_id == official.pk, "เฉพาะผู้ลงนามที่กำหนดไว้เท่านั้น")
    twofactor.require_second_factor(request)
    form = SignForm(request.POST)
    form.is_valid()
    secret = form.cleaned_data.get("secret") or None
    try:
        job = signing.issued_letter_signing_start(letter=letter, official=official, secret=secret, by=request.user)
    except SignatureError as exc:
        return _sign_refused(request, letter, str(exc))
    except ValidationError as exc:
        return _sign_refused(request, letter, " ".join(exc.messages))
    del secret
    if not is_htmx(request):
        return redirect(f"{reverse('portal:letter', args=[letter.pk])}?job={job.pk}")
    return _progress(request, letter, job.pk)


def _sign_refused(request, letter, message: str):
    """The refusal under the signing form (htmx), or on the letter's page after a plain form post."""
    if not is_htmx(request):
        messages.error(request, message)
        return redirect("portal:letter", pk=letter.pk)
    return render(request, "correspondence/_sign_progress.html", {"letter": letter, "error": message})


@require_GET
@login_required
def sign_progress(request, pk, job):
    """htmx polls this every second until the job is done or failed."""
    from signatures.models import JobState, SigningJob
    from signatures.selectors import signing_job_status

    letter = selectors.letter_get(request.user, pk, action=None)
    if not SigningJob.objects.filter(pk=job, letter=letter).exists():
        raise Http404
    return _progress(request, letter, job)


def _progress(request, letter, job):
    from signatures.models import JobState
    from signatures.selectors import signing_job_status

    status = signing_job_status(job)
    finished = status["state"] in (JobState.DONE, JobState.FAILED)
    if status["state"] == JobState.DONE and letter.state == LetterState.ISSUED:
        # The PAdES signature moved the file; the letter's state follows through the services.
        letter.refresh_from_db()
    return render(request, "correspondence/_sign_progress.html",
                  {"letter": letter, "status": status, "finished": finished, "job": job,
                   "progress_pct": thai.to_thai_digits(str(status["progress"]))})
