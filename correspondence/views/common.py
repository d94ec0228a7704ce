"""Helpers shared by the page views."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def errors_to_form(form, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form: by field where the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def errors_to_messages(request, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


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
