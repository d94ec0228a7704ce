from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin app with the portal's site (eoffice/admin_site.py: behind the second factor)."""

    default = False  # "eoffice" itself is EofficeConfig
    default_site = "eoffice.admin_site.PortalAdminSite"


class EofficeConfig(AppConfig):
    """The project package as an app: project-wide templates tags, commands and checks."""

    name = "eoffice"
    verbose_name = "ระบบสารบรรณอิเล็กทรอนิกส์"

    def ready(self):
        from django.db.models.signals import post_migrate

        from eoffice import audit  # noqa: F401  (connects the history chain)

        # After every migrate, new history tables get the append-only trigger too.
        post_migrate.connect(_protect_history, dispatch_uid="eoffice.protect_history")

        from eoffice import access_events

        # Logins, failed logins, classified downloads, changes to grants and roles → AccessEvent.
        access_events.connect()


def _protect_history(sender, using="default", **kwargs):
    from eoffice.audit import install_append_only_triggers

    install_append_only_triggers(using)
