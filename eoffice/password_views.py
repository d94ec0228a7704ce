"""An official changes their own password (เปลี่ยนรหัสผ่าน).

Django's PasswordChangeView with the portal's page: the rules listed before typing, each refusal in Thai
(``locale/th`` fills what Django's Thai catalogue lacks), the session kept and every other session ended
(Django's session hash). API tokens were issued against the old password, so they end with it; the
change goes into the access log.
"""
from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from rest_framework.authtoken.models import Token

from eoffice import access_events
from eoffice.models import AccessKind


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "account/password_change.html"
    success_url = reverse_lazy("password-changed")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rules"] = password_validation.password_validators_help_texts()
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        revoked = Token.objects.filter(user=self.request.user).delete()[0]
        access_events.record(AccessKind.PASSWORD_CHANGED, request=self.request, user=self.request.user,
                             tokens_revoked=revoked)
        return response


class PasswordChanged(auth_views.PasswordChangeDoneView):
    template_name = "account/password_changed.html"
