from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    """ส่วนราชการและเจ้าหน้าที่: ministries, departments, divisions, sections and their officials."""

    name = "agencies"
    verbose_name = "ส่วนราชการและเจ้าหน้าที่"
