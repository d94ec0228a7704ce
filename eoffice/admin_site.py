"""The admin site of the portal: Django's, behind the second factor.

An administrator's account is the most powerful in the portal, so every admin page but the login and
the logout needs a session verified with the user's authenticator (``eoffice.twofactor``). A staff user
without one is sent to verify, or to enrol first, and comes back to the page asked for.
"""
from functools import update_wrapper

from django.contrib.admin import AdminSite

from eoffice import twofactor


class PortalAdminSite(AdminSite):
    def admin_view(self, view, cacheable=False):
        checked = super().admin_view(view, cacheable)
        if view == self.logout:  # leaving must not need the factor
            return checked

        def inner(request, *args, **kwargs):
            if self.has_permission(request) and not twofactor.is_verified(request):
                return twofactor.redirect_to_verify(request)
            return checked(request, *args, **kwargs)

        return update_wrapper(inner, checked)
