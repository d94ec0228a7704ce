"""An official changes their own password (เปลี่ยนรหัสผ่าน).

Django's PasswordChangeView with the portal's page: the rules listed before typing, each refusal in Thai
(``locale/th`` fills what Django's Thai catalogue lacks) and under the field it is about, the session kept
and every other session ended (Django's session hash). The API tokens end and the change is logged wherever
a password changes (``access_events.on_user_saved``).

A wrong current password is logged too, and after as many as a login allows (AXES_FAILURE_LIMIT within
AXES_COOLOFF_TIME) the session ends: a session left open on a shared machine must not become a way to
guess the password without the login's lockout.
"""
import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth import logout, password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone

from eoffice import access_events
from eoffice.models import AccessEvent, AccessKind


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's form, with the rules' refusals under the new password itself (Django puts them under its
    confirmation, which is not the field they describe)."""

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


def _recent_failures(user) -> int:
    """Wrong current passwords within the lockout time, since the user's last login or password change."""
    since = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    last_good = (AccessEvent.objects.filter(kind__in=[AccessKind.LOGIN, AccessKind.PASSWORD_CHANGED], user=user,
                                            at__gte=since).order_by("-at").values_list("at", flat=True).first())
    return AccessEvent.objects.filter(kind=AccessKind.PASSWORD_CHANGE_FAILED, user=user,
                                      at__gte=max(since, last_good) if last_good else since).count()


class PasswordChange(auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
    template_name = "account/password_change.html"
    success_url = reverse_lazy("password-changed")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rules"] = password_validation.password_validators_help_texts()
        return context

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            user = self.request.user
            access_events.record(AccessKind.PASSWORD_CHANGE_FAILED, request=self.request, user=user)
            if _recent_failures(user) >= settings.AXES_FAILURE_LIMIT:
                logout(self.request)
                return render(self.request, "account/password_locked.html", status=403)
        return super().form_invalid(form)


class PasswordChanged(auth_views.PasswordChangeDoneView):
    template_name = "account/password_changed.html"
