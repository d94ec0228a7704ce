"""Helpers shared by the page views."""
from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def errors_to_form(form, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form: by field where the form has it, else on top."""
    from correspondence.services.letters import SpecErrors

    if isinstance(exc, SpecErrors):
        for path, errors in exc.by_path().items():
            form.add_error(spec_field(form, path), errors)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def spec_field(form, path: str) -> str | None:
    """The form's field for a place in the letter spec: ``meeting.when`` → ``meeting_when`` (the minutes'
    fields are flat in the form), ``body[2]`` → ``body``, ``signer.position`` → ``signer``; None (the top of
    the form) for the spec as a whole or a place the form has no field for."""
    bare = re.sub(r"\[\d+\]", "", path)
    for name in (bare.replace(".", "_"), bare.split(".")[0]):
        if name in form.fields:
            return name
    return None


def errors_to_messages(request, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


def next_or(request, default: str) -> str:
    """The page to go back to after an action (the list it was taken from), if it is on this site."""
    return safe_next(request, request.POST.get("next")) or default


def safe_next(request, target: str | None) -> str:
    """``target`` if it is a page of this site, else "" (never a redirect elsewhere)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def hx_redirect(request, url: str):
    """After an htmx POST, reload the page the action changed; a plain POST gets a 303."""
    from django.shortcuts import redirect

    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def second_factor_gate(request, obj):
    """A classified record (or the secret register) needs a session verified by the second factor:
    None when this request may go on, else the redirect to the verification page (and back)."""
    from urllib.parse import urlencode

    from django.shortcuts import redirect
    from django.urls import reverse

    from eoffice import twofactor

    if not twofactor.is_sensitive(obj) or twofactor.is_verified(request):
        return None
    target = "two-factor" if twofactor.has_device(request.user) else "two-factor-setup"
    return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def verified(request) -> bool:
    from eoffice import twofactor

    return twofactor.is_verified(request)


def require_for(request, obj) -> None:
    from eoffice import twofactor

    twofactor.require_for(request, obj)


def stored_pdf_response(request, obj, filename: str):
    """A letter's or an item's PDF through the permission check (never a public media URL); classified
    reads are logged. ``obj`` comes from a selector that already refused what the user may not see."""
    from correspondence import selectors

    require_for(request, obj)
    selectors.record_access(request.user, obj, "download")
    if not obj.pdf:
        raise Http404
    response = FileResponse(obj.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def first_page_png_response(request, obj):
    """Page 1 as an image: the fallback where the browser shows no PDF inline."""
    require_for(request, obj)
    if not obj.pdf:
        raise Http404
    with obj.pdf.open("rb") as f:
        png = first_page_png(f.read())
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


def first_page_png(pdf: bytes, scale: float = 1.4) -> bytes:
    import io

    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    # Draw the form fields too: the receipt stamp and signatures are widget annotations.
    doc.init_forms()
    page = doc[0]
    image = page.render(scale=scale, may_draw_forms=True).to_pil()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
