from django.apps import AppConfig


class EofficeConfig(AppConfig):
    """The project package as an app: project-wide templates tags, commands and checks."""

    name = "eoffice"
    verbose_name = "ระบบสารบรรณอิเล็กทรอนิกส์"
